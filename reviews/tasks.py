"""The review pipeline's tasks: the export job (thin: reviews.exports.export_run, retried with backoff) and the
periodic reminder sweep scheduled by Celery beat (CELERY_BEAT_SCHEDULE in config/settings)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core.retry import backoff
from reviews import exports
from reviews.services.reminders import send_due_reminders

logger = logging.getLogger(__name__)

MAX_RETRIES = getattr(settings, "EXPORTS_MAX_RETRIES", 3)


@shared_task(acks_late=True)
def send_reminders() -> dict:
    """The reminder sweep: thin, idempotent (reviews.services.reminders: one row per person per event)."""
    result = send_due_reminders()
    return {"sent": len(result.sent), "already": result.already, "uncovered": len(result.uncovered)}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES, ignore_result=True)
def run_export(self, job_id: int) -> str:
    """Build one ExportJob's workbook. Idempotent: a job that is done (or failed for good) is left alone."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        return exports.export_run(job_id=job_id, redelivered=redelivered)
    except Exception as exc:  # noqa: BLE001 - the database, the storage: worth another try
        error = f"{type(exc).__name__}: {exc}"
        if self.request.retries >= self.max_retries:
            logger.exception("export %s failed after %s attempts", job_id, self.request.retries + 1)
            exports.export_mark_failed(job_id=job_id, error=error)
            return "failed"
        exports.export_mark_retrying(job_id=job_id, error=error)
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
