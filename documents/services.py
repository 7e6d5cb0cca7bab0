"""Writes of the documents app that users ask for: request a document, retry a failed one.

Both queue the rendering task (documents.tasks) once the transaction commits; what the task does
with the row (claim, render, store, record) is documents.generation.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.background import run_detached
from core.outbox import publish
from core.services import log_activity

from .generation import build_subject, subject_key
from .kinds import KINDS, DocumentDataError, not_ready
from .models import ACTIVE_STATUSES, Document, DocumentStatus
from .tasks import render_document


def request_document(
    *,
    kind: str,
    requested_by,
    cycles: Sequence = (),
    application=None,
    award=None,
    feedback=None,
) -> Document:
    """Ask for a document. Queues its rendering once the transaction commits.

    Refused with DocumentDataError (the reason of documents.kinds.not_ready) while the kind's data is not
    there. Idempotent while a rendering is pending: asking again for the same kind and subject while
    one is queued or running returns that one instead of queuing a second.
    """
    subject = build_subject(kind=kind, cycles=cycles, application=application, award=award, feedback=feedback)
    reason = not_ready(kind, subject)
    if reason:  # the same reason the panel shows beside the disabled button
        raise DocumentDataError(reason)
    key = subject_key(kind=kind, cycles=subject.cycles, application=application, award=award, feedback=feedback)
    params: dict = {"cycles": [cycle.pk for cycle in subject.cycles]}
    if award is not None:
        params["award"] = award.pk
    if feedback is not None:
        params["feedback"] = feedback.pk
        params["version"] = feedback.version
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
                    application=application or getattr(award, "application", None) or subject.application,
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
    """Queue the rendering. Without a broker (eager mode) Celery would render right here, holding the page
    for seconds: the job then runs detached (core.background) and the panel follows its status. With a
    broker, a broker that is down leaves the row queued for the sweep (core.outbox)."""
    if render_document.app.conf.task_always_eager:
        run_detached(lambda: render_document.delay(document_id))
    elif publish(render_document, document_id):
        Document.objects.filter(pk=document_id).update(enqueued_at=timezone.now())


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
