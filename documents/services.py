"""Writes of the documents app that users ask for: request a document, retry a failed one.

Both queue the rendering task (documents.tasks) once the transaction commits (the job's own steps are
core.jobs.BackgroundJob's); what the task does with the row (claim, render, store, record) is
documents.generation.
"""

from __future__ import annotations

from collections.abc import Sequence

from core import jobs

from .generation import build_subject, subject_key
from .kinds import KINDS, DocumentDataError, not_ready
from .models import Document
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
    return Document.request(
        actor=requested_by, subject={"kind": kind, "subject_key": key}, enqueue=enqueue, log_after={"kind": kind, "subject": key},
        organiser=subject.organiser, cycle=subject.cycle, params=params, title=str(KINDS[kind].label),
        application=application or getattr(award, "application", None) or subject.application)


def enqueue(document_id: int) -> None:
    """Queue the rendering (core.jobs.enqueue); the row's enqueued_at says the broker has it (core.outbox)."""
    jobs.enqueue(render_document, document_id, stamp=Document.objects.filter(pk=document_id))


def document_retry(*, document: Document, actor) -> Document:
    """Queue a failed document again (the retry button)."""
    return document.retry(actor=actor, enqueue=enqueue)
