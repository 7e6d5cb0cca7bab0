"""Asking for an export and retrying a failed one. Both queue reviews.tasks.run_export once the
transaction commits (the job's own steps are core.jobs.BackgroundJob's); what the task does with the job
is reviews.exports.export_run."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import jobs
from reviews.models import ExportJob, ExportKind
from reviews.services.common import DecisionError
from reviews.tasks import run_export


def _enqueue(job_id: int) -> None:
    jobs.enqueue(run_export, job_id)  # no enqueued_at: exports are not in the outbox that the sweep re-sends


def request_export(*, cycle, kind: str, actor) -> ExportJob:
    """Queue an export of `cycle`. While one of the same kind is queued or running, that one is returned."""
    if kind not in ExportKind.values:
        raise DecisionError(_("未知的导出内容：%(kind)s") % {"kind": kind})
    return ExportJob.request(actor=actor, subject={"cycle": cycle, "kind": kind}, enqueue=_enqueue,
                             log_after={"kind": kind, "cycle": cycle.code})


def export_retry(*, job: ExportJob, actor) -> ExportJob:
    """Queue a failed export again (the retry button); a job that is not failed is returned as it is."""
    return job.retry(actor=actor, enqueue=_enqueue)
