"""Production: PostgreSQL, Redis-backed Celery workers, gunicorn behind a TLS-terminating proxy."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Values that are public (the local default, the placeholder of deploy/portal.env.example) or too
# short to be random are refused: anyone could forge sessions and password-reset links with them.
_PUBLIC_SECRET_MARKERS = ("local-development", "change-me", "changeme", "replace-me", "django-insecure")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(marker in SECRET_KEY.lower() for marker in _PUBLIC_SECRET_MARKERS)
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value in production (at least 50 characters, "
        "not the example placeholder); generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405

# Local-disk storage on more than one machine splits the files between them: an upload lands on the web
# machine that took the request, and a worker (or the next web machine behind the proxy) cannot find it.
# Refused rather than warned about: the failure shows up only later, as missing files scattered over
# machines. PORTAL_SHARED_MEDIA_ROOT=true declares that DJANGO_MEDIA_ROOT is one shared mount (NFS, CephFS).
if PORTAL_STORAGE == "local" and PORTAL_MACHINES > 1 and not PORTAL_SHARED_MEDIA_ROOT:  # noqa: F405
    raise ImproperlyConfigured(
        f"PORTAL_MACHINES={PORTAL_MACHINES} but PORTAL_STORAGE=local: each machine would keep its own files. "  # noqa: F405
        "Set PORTAL_STORAGE=s3 and PORTAL_S3_* (docs/deployment.md), or PORTAL_SHARED_MEDIA_ROOT=true if "
        "DJANGO_MEDIA_ROOT is one shared mount on every machine."
    )
