"""Committed work always reaches the workers (a transactional outbox).

The rows a request writes inside its transaction are the outbox: an EmailNotification and a
documents.Document start `queued`. After commit the task is published to the broker; when the broker is
down the request still answers (the failure is logged, the row stays queued with no `enqueued_at`), and
the sweep re-publishes every queued row that was never sent, or was sent long ago and not picked up.
The sweep runs from Celery beat every minute (`core.tasks.sweep_notifications`,
`documents.tasks.sweep_documents`) and by hand with `manage.py sweep_jobs`. The tasks are idempotent
(a sent e-mail or a done document is skipped under its row lock), so a row published twice is done once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def republish_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS", 600))


def publish(task, *args) -> bool:
    """Send one task to the broker now; False (logged) when the broker cannot take it."""
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # noqa: BLE001 - broker down or unreachable: the sweep sends it later
        logger.warning("broker unavailable: %s%r stays in the outbox for the sweep", task.name, args, exc_info=True)
        return False
    return True


def publish_on_commit(task, model, pk: int) -> None:
    """After the transaction commits, publish `task(pk)` and stamp the row's enqueued_at when it went."""

    def send():
        if publish(task, pk):
            model.objects.filter(pk=pk, enqueued_at__isnull=True).update(enqueued_at=timezone.now())

    transaction.on_commit(send)


def due_for_publishing(queryset, *, now=None):
    """Rows never published, or published longer ago than republish_after() and still waiting."""
    from django.db.models import Q

    now = now or timezone.now()
    return queryset.filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - republish_after()))


def republish(task, queryset, *, now=None, limit: int = 500) -> int:
    """Publish the due rows of `queryset` again; returns how many the broker took."""
    now = now or timezone.now()
    sent = 0
    for pk in list(due_for_publishing(queryset, now=now).order_by("pk").values_list("pk", flat=True)[:limit]):
        if not publish(task, pk):
            break  # the broker is still down: the next sweep tries again
        queryset.model.objects.filter(pk=pk).update(enqueued_at=timezone.now())
        sent += 1
    return sent
