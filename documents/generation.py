"""Generating a document: what it is about, building and laying it out, and the bookkeeping of
one rendering of a Document row (claim it, store the PDF, record done or failed).

The Celery task (documents.tasks) calls document_render; the transitions of the row (claim, done,
retrying, failed) are the background job's (core.jobs.BackgroundJob). The render_document command
calls render_to_file (the same path, without a row). Asking for a document and queueing the task is
documents.services; this module never queues anything, so the task can import it and services can
import the task.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import log_activity
from reviews.models import Award, FeedbackReport

from .kinds import KINDS, DocumentDataError, RenderSpec, Subject, not_ready
from .models import Document, DocumentStatus, document_upload_to
from .rendering import RenderedPdf, render_pdf, render_pdf_parts

logger = logging.getLogger(__name__)

# A document left "running" this long is taken to belong to a worker that died.
STALE_AFTER = Document.stale_after


# --- subjects ----------------------------------------------------------------------------------


def subject_key(*, kind: str, cycles: Sequence = (), application=None, award=None, feedback=None) -> str:
    spec = KINDS[kind]
    if spec.subject == "feedback":  # one key per approved version: an earlier version's PDF is never the current one
        return f"feedback:{feedback.pk}:v{feedback.version}"
    if spec.subject == "application":
        return f"application:{application.pk}"
    if spec.subject == "winner":
        return f"award:{award.pk}"
    return "cycles:" + ",".join(str(cycle.pk) for cycle in cycles)


def build_subject(*, kind: str, cycles: Sequence = (), application=None, award=None, feedback=None) -> Subject:
    """Check that the subject fits the kind and return it with its organiser."""
    if kind not in KINDS:
        raise DocumentDataError(_("未知的文书类型：%(kind)s") % {"kind": kind})
    spec = KINDS[kind]
    cycles = list(cycles)
    if spec.subject == "feedback":
        if feedback is None:
            raise DocumentDataError(_("该文书须指定评价反馈报告。"))
        application = feedback.application
        return Subject(organiser=application.cycle.programme.organiser, cycles=[application.cycle], application=application,
                       feedback=feedback)
    if spec.subject == "application":
        if application is None:
            raise DocumentDataError(_("该文书须指定申报。"))
        return Subject(
            organiser=application.cycle.programme.organiser, cycles=[application.cycle], application=application
        )
    if spec.subject == "winner":
        if award is None:
            raise DocumentDataError(_("该文书须指定获奖对象。"))
        return Subject(organiser=award.cycle.programme.organiser, cycles=[award.cycle], winner=award)
    if not cycles:
        raise DocumentDataError(_("该文书须指定评选周期。"))
    if spec.subject == "cycle" and len(cycles) != 1:
        raise DocumentDataError(_("该文书只针对一个评选周期。"))
    organisers = {cycle.programme.organiser_id for cycle in cycles}
    if len(organisers) != 1:
        raise DocumentDataError(_("一份文书只能包含同一主办机构的评选周期。"))
    return Subject(organiser=cycles[0].programme.organiser, cycles=cycles)


def subject_of(document: Document) -> Subject:
    """The subject a stored document row describes."""
    from awards.models import Cycle

    spec = KINDS[document.kind]
    if spec.subject == "application":
        return build_subject(kind=document.kind, application=document.application)
    if spec.subject == "feedback":
        report = FeedbackReport.objects.select_related(
            "application__cycle__programme__organiser", "application__category", "application__person", "application__applicant",
            "stage__cycle__programme__organiser").get(pk=document.params["feedback"])
        return build_subject(kind=document.kind, feedback=report)
    if spec.subject == "winner":
        award = Award.objects.select_related("cycle__programme__organiser").get(pk=document.params["award"])
        return build_subject(kind=document.kind, award=award)
    ids = document.params.get("cycles") or ([document.cycle_id] if document.cycle_id else [])
    by_id = Cycle.objects.select_related("programme__organiser").in_bulk(ids)
    cycles = [by_id[pk] for pk in ids if pk in by_id]
    subject = build_subject(kind=document.kind, cycles=cycles)
    subject.letter = document.letter
    return subject


def build_spec(*, kind: str, subject: Subject) -> RenderSpec:
    return KINDS[kind].build(subject)


def render_subject(*, kind: str, subject: Subject, on_progress=None) -> tuple[RenderSpec, RenderedPdf]:
    """Build the kind's context from the database and lay it out: the whole rendering path. A batch
    (RenderSpec.parts) is laid out part by part, reporting on_progress(done, total)."""
    reason = not_ready(kind, subject)
    if reason:  # the data went away since the request (documents.kinds.not_ready: the one rule)
        raise DocumentDataError(reason)
    spec = build_spec(kind=kind, subject=subject)
    if spec.parts:
        return spec, render_pdf_parts(spec.template, spec.parts, title=spec.title, author=spec.author, on_progress=on_progress)
    return spec, render_pdf(spec.template, spec.context, title=spec.title, author=spec.author, imprint=spec.imprint)


def _progress_recorder(document_id: int):
    def record(done: int, total: int) -> None:
        Document.mark_progress(document_id, progress_done=done, progress_total=total)

    return record


# --- rendering (called by the task) ------------------------------------------------------------


def document_render(document_id: int, *, redelivered: bool = False) -> str:
    """Render one document row. Returns "done", or "skipped" when there was nothing to do
    (already done, or running elsewhere). Raises DocumentDataError for problems with the data
    and any other exception for failures worth retrying."""
    document = Document.claim(document_id, redelivered=redelivered)
    if document is None:
        return "skipped"
    subject = subject_of(document)
    spec, rendered = render_subject(kind=document.kind, subject=subject,
                                    on_progress=_progress_recorder(document.pk) if KINDS[document.kind].batch else None)
    name = default_storage.save(document_upload_to(document, spec.filename), ContentFile(rendered.content))
    done = document.mark_done(
        stored_name=name, filename=spec.filename, title=spec.title[:300], checksum=hashlib.sha256(rendered.content).hexdigest(),
        size=len(rendered.content), pages=rendered.pages, render_seconds=round(rendered.seconds, 3), letter=subject.letter)
    return "done" if done else "skipped"


def recover_stale(*, max_attempts: int, now=None) -> tuple[int, int]:
    """Running documents whose worker died (past STALE_AFTER since they started): queued again while
    attempts remain, else failed with the reason (the page shows it and the retry button works).
    Returns (requeued, failed); the caller publishes the queued rows (documents.tasks.sweep_documents)."""
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
            if document.attempts < max_attempts:
                document.status = DocumentStatus.QUEUED
                document.enqueued_at = None  # due for publishing now
                document.error = _("上次生成未完成（工作进程可能已中断），已重新排队。")
                action = "document.stale_requeued"
                requeued += 1
            else:
                document.status = DocumentStatus.FAILED
                document.finished_at = timezone.now()
                document.error = _("生成超时：已尝试 %(n)d 次均未完成（工作进程可能已中断），请点击“重试”。") % {"n": document.attempts}
                action = "document.stale_failed"
                failed += 1
            document.save(update_fields=["status", "enqueued_at", "error", "finished_at", "updated_at"])
            log_activity(actor=None, action=action, target=document, before=before,
                         after={"status": document.status, "error": document.error})
    return requeued, failed


def render_to_file(*, kind: str, out, cycles: Sequence = (), application=None, award=None, feedback=None) -> RenderedPdf:
    """The render_document command: the same rendering path as the task, synchronously.

    `out` is a path or a binary stream. A path is written all at once or not at all: the PDF goes to a
    temporary file beside it that is renamed over the path only once it is complete, so a render that
    fails (bad data, a layout error, a full disk) leaves no file and no truncated one behind."""
    subject = build_subject(kind=kind, cycles=cycles, application=application, award=award, feedback=feedback)
    _spec, rendered = render_subject(kind=kind, subject=subject)
    if hasattr(out, "write"):
        out.write(rendered.content)
        return rendered
    write_atomically(out, rendered.content)
    return rendered


def write_atomically(path, content: bytes) -> None:
    import os
    import tempfile
    from pathlib import Path

    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
