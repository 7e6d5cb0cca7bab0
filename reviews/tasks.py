"""The review pipeline's tasks: the export job (thin: reviews.exports.export_run, retried with backoff by
core.jobs.run_job) and the periodic reminder sweep scheduled by Celery beat (CELERY_BEAT_SCHEDULE in config/settings)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.jobs import run_job
from reviews import exports
from reviews.models import ExportJob
from reviews.services.reminders import send_due_reminders

MAX_RETRIES = getattr(settings, "EXPORTS_MAX_RETRIES", 3)


@shared_task(acks_late=True)
def send_reminders() -> dict:
    """The reminder sweep: thin, idempotent (reviews.services.reminders: one row per person per event)."""
    result = send_due_reminders()
    return {"sent": len(result.sent), "already": result.already, "uncovered": len(result.uncovered)}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES, ignore_result=True)
def run_export(self, job_id: int) -> str:
    """Build one ExportJob's workbook. Idempotent: a job that is done (or failed for good) is left alone."""
    return run_job(self, ExportJob, job_id, exports.export_run)
