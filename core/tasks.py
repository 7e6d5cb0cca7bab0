from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .mail import sender
from .models import EmailNotification
from .outbox import republish


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30, ignore_result=True)
def send_notification(self, notification_id: int) -> str:
    """Send one recorded e-mail; idempotent: a sent notification is never sent twice.

    A transport failure is recorded (attempts, error) in its own committed transaction before the
    task is retried with backoff, so the record survives the retry.
    """
    failure = None
    with transaction.atomic():
        notification = EmailNotification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status == EmailNotification.Status.SENT:
            return "skipped"
        notification.attempts += 1
        try:
            send_mail(
                notification.subject,
                notification.body,
                sender(getattr(notification.recipient, "preferred_language", None) or settings.LANGUAGE_CODE),
                [notification.to_address],
            )
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried
            notification.status = EmailNotification.Status.FAILED
            notification.error = str(exc)[:2000]
            notification.save(update_fields=["attempts", "status", "error"])
            failure = exc
        else:
            notification.status = EmailNotification.Status.SENT
            notification.sent_at = timezone.now()
            notification.error = ""
            notification.save(update_fields=["attempts", "status", "error", "sent_at"])
    if failure is not None:
        if self.request.called_directly:
            raise failure
        raise self.retry(exc=failure, countdown=30 * 2 ** (self.request.retries or 0))
    return "sent"


@shared_task(ignore_result=True)
def sweep_notifications() -> int:
    """Beat, every minute: re-send the e-mails the broker never took (core.outbox). Called directly, it
    runs here and now (`manage.py sweep_jobs`)."""
    return republish(send_notification, EmailNotification.objects.filter(status=EmailNotification.Status.QUEUED))
