"""Settings for the benchmarks: the real base settings on PostgreSQL, plus the bare comparison views.

DATABASE_URL defaults to a database of its own (bench_portal) so a benchmark never touches the
test or development data; bench/common.py creates it when missing.
"""

import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import BASE_DIR, TEMPLATES

import dj_database_url

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_portal")
DATABASES = {
    "default": dj_database_url.parse(BENCH_DATABASE_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}, *TEMPLATES[1:]]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
# Static files through WhiteNoise as in production would need collectstatic; pages are measured, not assets.
# Files where PORTAL_STORAGE says (the local disk by default, or an object store: bench/bench_throughput.py --storage s3).
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "ERROR")},
    # 409 (a refused stale save) and 404 are expected answers under load, not something to print.
    "loggers": {"django.request": {"level": "ERROR"}},
}
# WhiteNoise warns when STATIC_ROOT is missing; the benchmarks measure pages, not static files.
STATIC_ROOT = Path(tempfile.gettempdir()) / "portal-bench-static"
STATIC_ROOT.mkdir(exist_ok=True)
