"""Settings shared by every environment; each value can be overridden from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-development-only-not-secret")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "core",
    "awards",
    "applications",
    "reviews",
    "documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text e-mail (core/mail.py render_plain): the same templates, no HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a competing writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrUsernameBackend",
    "accounts.oidc.PortalOIDCBackend",  # answers only the OpenID Connect callback, and only when PORTAL_OIDC_ENABLED
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Absolute links in e-mails (e.g. the public 公示 page): the portal's public address.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many reverse proxies (nginx, a load balancer) stand in front of gunicorn. With N > 0 the client
# address is taken from X-Forwarded-For, N entries from the right; with 0, REMOTE_ADDR is used.
PORTAL_TRUSTED_PROXY_COUNT = int(os.environ.get("PORTAL_TRUSTED_PROXY_COUNT", "0"))

# A cache shared by every web process (throttles count across workers) when Redis is configured.
_cache_url = os.environ.get("DJANGO_CACHE_URL") or os.environ.get("CELERY_BROKER_URL", "")
if _cache_url.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Sessions end after two hours of inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", 2 * 60 * 60))
# The idle timeout slides without a session write per request: core.middleware.SessionRefreshMiddleware
# saves the session (with a fresh expiry) at most once per SESSION_REFRESH_SECONDS.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = int(os.environ.get("DJANGO_SESSION_REFRESH_SECONDS", 300))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling (django-axes): lock the account after repeated failures, from whatever address.
# The account is the canonical one (accounts.backends.canonical_login: case and surrounding white space
# do not matter, an e-mail address counts for its account), so no spelling of it gets more guesses.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
# axes.W006 asks for the address among the lock-out keys; with one failure limit for both, that would
# lock a whole office behind one NAT address after 5 typos. The address has its own, higher limit
# (PORTAL_THROTTLES["login_failures_ip"], enforced by the login forms, the admin's included).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"

# Per-network and per-address limits (accounts/throttle.py): name -> (count, seconds).
# login_failures_ip: failed sign-ins from one address, whatever the accounts (password spraying);
# a government office behind one NAT address shares it, hence a higher number than the account's.
PORTAL_THROTTLES = {
    "login_failures_ip": (int(os.environ.get("PORTAL_LOGIN_FAILURES_PER_IP_HOUR", 30)), 3600),
    "password_reset_ip": (10, 3600),
    "password_reset_email": (3, 3600),
    "signup_ip": (10, 3600),
    "signup_email": (3, 3600),
}

# Two-factor authentication (GB/T 22239-2019 level 3: two factors for administrators). Review staff,
# experts, programme admins, superusers and every is_staff account must enrol a TOTP authenticator
# and enter a code after the password before any other page (accounts/middleware.py), the Django
# admin included. Other users may enrol; once they have, they are asked too. Turning it off is only
# for the test settings: `check --deploy` reports it (accounts.E001).
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", True)
PORTAL_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "评比表彰管理平台"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Exponential back-off after a wrong code: 1, 2, 4, 8 … seconds (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Single sign-on with OpenID Connect (accounts/oidc.py, mozilla-django-oidc): off unless enabled.
# The endpoints are the provider's (its /.well-known/openid-configuration lists them).
PORTAL_OIDC_ENABLED = env_bool("PORTAL_OIDC_ENABLED", False)
PORTAL_OIDC_LABEL = os.environ.get("PORTAL_OIDC_LABEL", "")  # the button's text; default 统一身份认证登录
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = env_bool("PORTAL_OIDC_CREATE_USERS", False)  # only applicant accounts, never roles
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))

# Uploaded files, generated documents and exports are private: they are never served by URL, only
# through permission-checked views that stream them from storage (core.files.private_file_response).
# PORTAL_STORAGE picks where they live (docs/deployment.md):
#   local — the local disk under DJANGO_MEDIA_ROOT (the default; one machine only);
#   s3    — an S3-compatible object store (SeaweedFS, MinIO, Ceph RGW, a cloud's S3) that every web and
#           worker machine reaches, configured by the PORTAL_S3_* variables below.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = None  # uploads are private: served only by permission-checked views, never by URL
if "DJANGO_FILE_STORAGE" in os.environ:
    raise ImproperlyConfigured(
        "DJANGO_FILE_STORAGE is no longer read: set PORTAL_STORAGE=local (the default) or PORTAL_STORAGE=s3 "
        "with PORTAL_S3_BUCKET, PORTAL_S3_ENDPOINT_URL, … (see docs/deployment.md)."
    )
PORTAL_STORAGE = os.environ.get("PORTAL_STORAGE", "local").strip().lower()
# How many machines run web or worker processes against this configuration. With more than one, local-disk
# storage is refused in production (each machine would see only its own files) unless DJANGO_MEDIA_ROOT
# is a shared mount, which PORTAL_SHARED_MEDIA_ROOT=true declares.
PORTAL_MACHINES = int(os.environ.get("PORTAL_MACHINES", "1"))
PORTAL_SHARED_MEDIA_ROOT = env_bool("PORTAL_SHARED_MEDIA_ROOT", False)
if PORTAL_STORAGE == "local":
    _file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif PORTAL_STORAGE == "s3":
    _s3_acl = os.environ.get("PORTAL_S3_DEFAULT_ACL", "private").strip()
    if _s3_acl not in ("private", ""):
        raise ImproperlyConfigured("PORTAL_S3_DEFAULT_ACL must be 'private' or empty (no ACL header): objects are never public.")
    _file_storage = {
        "BACKEND": "core.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("PORTAL_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("PORTAL_S3_ENDPOINT_URL") or None,  # unset: AWS S3 itself
            # Unset: boto3's own chain (AWS_* variables, an instance role, ~/.aws/credentials).
            "access_key": os.environ.get("PORTAL_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("PORTAL_S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("PORTAL_S3_REGION", "us-east-1"),
            # path: http://host/bucket/key — what SeaweedFS and MinIO on an internal host name need.
            "addressing_style": os.environ.get("PORTAL_S3_ADDRESSING_STYLE", "path"),
            "location": os.environ.get("PORTAL_S3_PREFIX", "").strip("/"),  # a key prefix inside the bucket
            "verify": os.environ.get("PORTAL_S3_CA_BUNDLE") or None,  # a CA file for a private TLS endpoint
            "default_acl": _s3_acl or None,
        },
    }
    if not _file_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET.")
    if _file_storage["OPTIONS"]["addressing_style"] not in ("path", "virtual", "auto"):
        raise ImproperlyConfigured("PORTAL_S3_ADDRESSING_STYLE must be path, virtual or auto.")
else:
    raise ImproperlyConfigured(f"PORTAL_STORAGE must be 'local' or 's3', not {PORTAL_STORAGE!r}.")
STORAGES = {
    "default": _file_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# PIPL retention: personal data of non-winners is removed this many years after a cycle closes
# (its approval, else its application deadline) by `manage.py retention --apply`.
PORTAL_RETENTION_YEARS = int(os.environ.get("PORTAL_RETENTION_YEARS", "5"))

# Attachment limits (bytes).
ATTACHMENT_MAX_FILE_SIZE = int(os.environ.get("ATTACHMENT_MAX_FILE_SIZE", 20 * 1024 * 1024))
ATTACHMENT_MAX_TOTAL_SIZE = int(os.environ.get("ATTACHMENT_MAX_TOTAL_SIZE", 100 * 1024 * 1024))
# An Office package (.docx / .xlsx) may unpack to at most this much (a zip bomb is refused).
ATTACHMENT_MAX_UNCOMPRESSED_SIZE = int(os.environ.get("ATTACHMENT_MAX_UNCOMPRESSED_SIZE", 200 * 1024 * 1024))
# The application form saves the draft in the background this often (seconds; 0 = only when a field is left).
APPLICATION_AUTOSAVE_SECONDS = int(os.environ.get("APPLICATION_AUTOSAVE_SECONDS", 30))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "评审办公室 <awards@localhost>")

# Celery: with no broker configured, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A message taken by a worker that dies without acknowledging it goes back to the queue after
# visibility_timeout seconds (Redis); it must exceed the longest task (CELERY_TASK_TIME_LIMIT). The
# connect/socket timeouts keep a request from hanging when the broker is down: the outbox sweep
# (core.outbox) sends the work once it is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
    # publishing from a web request: one quick retry, then give up (the outbox keeps the work)
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task running longer is stopped (soft limit: an exception the task can record; hard: the process).
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "540"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
# A document still "running" this long after it started is stale (its worker died): the sweep queues it
# again or fails it visibly. Queued rows the broker took but no worker picked up are re-sent after
# PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS.
DOCUMENTS_STALE_AFTER_SECONDS = int(os.environ.get("DOCUMENTS_STALE_AFTER_SECONDS", "660"))
PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS = int(os.environ.get("PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS", "600"))
# The queue web processes publish to and workers consume (`celery worker -Q` defaults to it): a name of
# its own lets two deployments, or a test run, share one Redis database without taking each other's jobs.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")

# Reminders (reviews.services.reminders), swept by Celery beat: `celery -A config beat` runs as its own process,
# exactly one per deployment (a second one sends nothing twice: each reminder is a unique row, but it is waste).
# PORTAL_REMINDERS_CRON: five crontab fields in Asia/Shanghai time (default 08:30 daily);
# PORTAL_REMINDERS_EVERY: seconds between sweeps instead (tests, or an office that wants them hourly).
PORTAL_REMINDER_WORKING_DAYS = int(os.environ.get("PORTAL_REMINDER_WORKING_DAYS", "3"))
PORTAL_REMINDERS_CRON = os.environ.get("PORTAL_REMINDERS_CRON", "30 8 * * *")
PORTAL_REMINDERS_EVERY = os.environ.get("PORTAL_REMINDERS_EVERY", "")


def _reminder_schedule():
    from celery.schedules import crontab

    if PORTAL_REMINDERS_EVERY:
        try:
            seconds = float(PORTAL_REMINDERS_EVERY)
        except ValueError:
            seconds = 0
        if seconds <= 0:
            raise ImproperlyConfigured(f"PORTAL_REMINDERS_EVERY must be a number of seconds, not {PORTAL_REMINDERS_EVERY!r}")
        return seconds
    fields = PORTAL_REMINDERS_CRON.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"PORTAL_REMINDERS_CRON needs five crontab fields, not {PORTAL_REMINDERS_CRON!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    return crontab(minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week)


CELERY_BEAT_SCHEDULE = {
    "send-reminders": {"task": "reviews.tasks.send_reminders", "schedule": _reminder_schedule()},
    # the outbox sweep (core.outbox): e-mails and documents the broker missed, stale running documents
    "sweep-notifications": {"task": "core.tasks.sweep_notifications", "schedule": 60.0},
    "sweep-documents": {"task": "documents.tasks.sweep_documents", "schedule": 60.0},
}

# django-csp 4: a strict policy; every script and style is served from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
