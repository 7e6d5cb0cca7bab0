"""Test settings: fast hashing, in-memory email, private media in a temporary directory."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-static-"))
for _temporary in (MEDIA_ROOT, STATIC_ROOT):
    atexit.register(shutil.rmtree, _temporary, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
AXES_ENABLED = True
# Hundreds of tests sign staff and experts in with client.force_login: the second factor is not
# demanded by default here; the two-factor tests (tests/accounts/test_two_factor.py) and the
# browser tests turn it on with the `settings` fixture. Users who enrolled are asked all the same.
PORTAL_REQUIRE_2FA = False
