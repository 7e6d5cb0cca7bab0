"""Writes of the documents app that users ask for: request a document, retry a failed one.

Both queue the rendering task (documents.tasks) once the transaction commits; what the task does
with the row (claim, render, store, record) is documents.generation.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbox import publish, republish
from core.services import log_activity

from .generation import STALE_AFTER, build_subject, subject_key
from .kinds import KINDS
from .models import ACTIVE_STATUSES, Document, DocumentStatus
from .tasks import MAX_RETRIES, render_document


def request_document(
    *,
    kind: str,
    requested_by,
    cycles: Sequence = (),
    application=None,
    award=None,
) -> Document:
    """Ask for a document. Queues its rendering once the transaction commits.

    Idempotent while a rendering is pending: asking again for the same kind and subject while
    one is queued or running returns that one instead of queuing a second.
    """
    subject = build_subject(kind=kind, cycles=cycles, application=application, award=award)
    key = subject_key(kind=kind, cycles=subject.cycles, application=application, award=award)
    params: dict = {"cycles": [cycle.pk for cycle in subject.cycles]}
    if award is not None:
        params["award"] = award.pk
    with transaction.atomic():
        existing = (
            Document.objects.select_for_update().filter(kind=kind, subject_key=key, status__in=ACTIVE_STATUSES).first()
        )
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    kind=kind,
                    organiser=subject.organiser,
                    cycle=subject.cycle,
                    application=application or getattr(award, "application", None),
                    subject_key=key,
                    params=params,
                    title=str(KINDS[kind].label),
                    requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
                )
        except IntegrityError:
            # Another request won the race for the same subject: use its row.
            return Document.objects.get(kind=kind, subject_key=key, status__in=ACTIVE_STATUSES)
        log_activity(actor=requested_by, action="document.requested", target=document, after={"kind": kind, "subject": key})
        transaction.on_commit(lambda: enqueue(document.pk))
    return document


def enqueue(document_id: int) -> None:
    """Hand the rendering to the broker; when it is down the row stays queued for the sweep (core.outbox)."""
    if publish(render_document, document_id):
        Document.objects.filter(pk=document_id).update(enqueued_at=timezone.now())


def sweep_documents(*, now=None) -> dict:
    """Re-send queued documents the broker never took, and recover stale running ones: a worker killed
    mid-render leaves its row running; past STALE_AFTER it is queued again while attempts remain, else
    failed with the reason (the page shows it and the retry button works)."""
    now = now or timezone.now()
    requeued = failed = 0
    stale = Document.objects.filter(status=DocumentStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    for pk in list(stale.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            document = Document.objects.select_for_update().filter(pk=pk, status=DocumentStatus.RUNNING,
                                                                   started_at__lt=now - STALE_AFTER).first()
            if document is None:
                continue
            before = {"status": document.status, "started_at": document.started_at, "attempts": document.attempts}
            if document.attempts < MAX_RETRIES + 1:
                document.status = DocumentStatus.QUEUED
                document.enqueued_at = None  # due for publishing now
                document.error = _("上次生成未完成（工作进程可能已中断），已重新排队。")
                requeued += 1
            else:
                document.status = DocumentStatus.FAILED
                document.finished_at = timezone.now()
                document.error = _("生成超时：已尝试 %(n)d 次均未完成（工作进程可能已中断），请点击“重试”。") % {"n": document.attempts}
                failed += 1
            document.save(update_fields=["status", "enqueued_at", "error", "finished_at", "updated_at"])
            log_activity(actor=None, action="document.stale_" + ("requeued" if document.status == DocumentStatus.QUEUED else "failed"),
                         target=document, before=before, after={"status": document.status, "error": document.error})
    sent = republish(render_document, Document.objects.filter(status=DocumentStatus.QUEUED), now=timezone.now())
    return {"requeued_stale": requeued, "failed_stale": failed, "published": sent}


def document_retry(*, document: Document, actor) -> Document:
    """Queue a failed document again (the retry button)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.FAILED:
            return document
        active = (
            Document.objects.filter(kind=document.kind, subject_key=document.subject_key, status__in=ACTIVE_STATUSES)
            .exclude(pk=document.pk)
            .first()
        )
        if active is not None:
            return active
        before = {"status": document.status, "error": document.error}
        document.status = DocumentStatus.QUEUED
        document.error = ""
        document.finished_at = None
        document.save(update_fields=["status", "error", "finished_at", "updated_at"])
        log_activity(actor=actor, action="document.retried", target=document, before=before, after={"status": document.status})
        transaction.on_commit(lambda: enqueue(document.pk))
    return document
