"""Health checks for the load balancer and operators: database, Redis broker, a Celery worker, file storage."""

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


def check_storage() -> tuple[bool, str]:
    """Which storage is in use, and that a small probe object can be written, read back and deleted."""
    from .files import probe_storage, storage_machines_problem

    problem = storage_machines_problem()
    if problem:
        return False, problem
    return probe_storage()


CHECKS = {"database": check_database, "broker": check_broker, "workers": check_workers, "storage": check_storage}


def run_checks(only: list[str] | None = None) -> dict[str, dict]:
    """Every check, or the named ones (a web machine's load-balancer check leaves out `workers`:
    a worker outage must not take the web machines out of rotation)."""
    results = {}
    for name, check in CHECKS.items():
        if only and name not in only:
            continue
        ok, detail = check()
        results[name] = {"ok": ok, "detail": detail}
    return results
