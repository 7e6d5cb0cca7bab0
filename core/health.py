"""Health checks for the load balancer and operators: database, Redis broker, a Celery worker."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return False, f"{type(exc).__name__}: {exc}"


def check_broker() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager (no broker configured)"
    try:
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return True, "redis"
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"


def check_workers() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager (tasks run in the web process)"
    from config.celery import app

    try:
        with app.connection(settings.CELERY_BROKER_URL) as connection_:
            replies = app.control.ping(timeout=1.5, connection=connection_)
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"
    if not replies:
        return False, "no worker answered"
    return True, f"{len(replies)} worker(s)"


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in (("database", check_database), ("broker", check_broker), ("workers", check_workers)):
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    return results
