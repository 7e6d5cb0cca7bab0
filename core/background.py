"""Eager-mode jobs that must not hold up the page that asked for them.

With a broker (production) Celery queues the task and a worker runs it. Without one (the embedded
default: CELERY_TASK_ALWAYS_EAGER) `.delay()` runs the task in the caller, so a PDF of several
seconds would hold the request until it is rendered. `run_detached` keeps that from happening:

- inside a web request, once its transaction has committed, the job runs in a thread of its own:
  the response goes out at once and the page follows the job's status row (the job sees the
  committed rows, opens its own database connection and closes it when done);
- anywhere else — management commands, a Celery worker, a test inside its transaction (nothing
  committed that another connection could see) — it runs at once, as before.

A job after the response in the request's own thread is no way out: the browser reuses the
keep-alive connection for its next request (the redirect, the status poll), which would then wait
for the job. Only eager mode uses this; with a broker the task is simply queued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.signals import request_finished, request_started
from django.db import connection, connections

logger = logging.getLogger(__name__)

_state = threading.local()


def _request_started(**_kwargs) -> None:
    _state.in_request = True


def _request_finished(**_kwargs) -> None:
    _state.in_request = False


request_started.connect(_request_started, dispatch_uid="core.background.started")
request_finished.connect(_request_finished, dispatch_uid="core.background.finished")


def _shared_connections() -> dict:
    """An in-memory SQLite database (the test live server's) exists only inside its one connection, which
    the server's threads share: the job's thread uses it too. Every other database gets its own connection."""
    return {conn.alias: conn for conn in connections.all(initialized_only=True)
            if conn.vendor == "sqlite" and conn.is_in_memory_db() and conn.allow_thread_sharing}


def _run(job: Callable[[], object], shared: dict) -> None:
    for alias, conn in shared.items():
        connections[alias] = conn
    try:
        job()
    except Exception:  # noqa: BLE001 - the job's own status row records its failure; never lose the traceback
        logger.exception("detached job failed")
    finally:
        for conn in connections.all(initialized_only=True):  # this thread's own connections
            if conn.alias not in shared:
                conn.close()


def run_detached(job: Callable[[], object]) -> threading.Thread | None:
    """Run `job` without holding up the current web request (see the module's docstring). Returns the
    thread when one was started."""
    if getattr(_state, "in_request", False) and not connection.in_atomic_block:
        thread = threading.Thread(target=_run, args=(job, _shared_connections()), name="detached-job")
        thread.start()
        return thread
    job()
    return None
