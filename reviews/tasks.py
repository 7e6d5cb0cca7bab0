"""Periodic work of the review pipeline, scheduled by Celery beat (CELERY_BEAT_SCHEDULE in config/settings)."""

from celery import shared_task

from reviews import services


@shared_task(acks_late=True)
def send_reminders() -> dict:
    """The reminder sweep: thin, idempotent (reviews.services.reminders: one row per person per event)."""
    result = services.send_due_reminders()
    return {"sent": len(result.sent), "already": result.already, "uncovered": len(result.uncovered)}
