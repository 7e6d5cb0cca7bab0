"""Asking for an export and retrying a failed one. Both queue reviews.tasks.run_export once the
transaction commits; what the task does with the job is reviews.exports.export_run."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.services import log_activity
from reviews.models import EXPORT_ACTIVE, ExportJob, ExportKind, ExportStatus
from reviews.services.common import DecisionError
from reviews.tasks import run_export


def _enqueue(job_id: int) -> None:
    run_export.delay(job_id)


def request_export(*, cycle, kind: str, actor) -> ExportJob:
    """Queue an export of `cycle`. While one of the same kind is queued or running, that one is returned."""
    if kind not in ExportKind.values:
        raise DecisionError(_("未知的导出内容：%(kind)s") % {"kind": kind})
    with transaction.atomic():
        existing = ExportJob.objects.select_for_update().filter(cycle=cycle, kind=kind, status__in=EXPORT_ACTIVE).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(cycle=cycle, kind=kind, requested_by=actor if actor.is_authenticated else None)
        except IntegrityError:  # another request won the race for the same export: use its row
            return ExportJob.objects.get(cycle=cycle, kind=kind, status__in=EXPORT_ACTIVE)
        job.cycle = cycle
        log_activity(actor=actor, action="export.requested", target=job, after={"kind": kind, "cycle": cycle.code})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def export_retry(*, job: ExportJob, actor) -> ExportJob:
    """Queue a failed export again (the retry button); a job that is not failed is returned as it is."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("cycle__programme__organiser").get(pk=job.pk)
        if job.status != ExportStatus.FAILED:
            return job
        active = ExportJob.objects.filter(cycle_id=job.cycle_id, kind=job.kind, status__in=EXPORT_ACTIVE).first()
        if active is not None:
            return active
        before = {"status": job.status, "error": job.error}
        job.status = ExportStatus.QUEUED
        job.error = ""
        job.finished_at = None
        job.rows_done = 0
        job.save(update_fields=["status", "error", "finished_at", "rows_done", "updated_at"])
        log_activity(actor=actor, action="export.retried", target=job, before=before, after={"status": job.status})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job
