"""Notifications staff resend, and the public address of a page."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import log_activity
from reviews.services.common import DecisionError

# ---------------------------------------------------------------- notifications


def resend_notification(*, notification, actor) -> None:
    """Queue a recorded e-mail again (after a transport failure); the task never sends one twice."""
    from core.models import EmailNotification
    from core.tasks import send_notification

    if notification.status == EmailNotification.Status.SENT:
        raise DecisionError(_("该邮件已发送。"))
    log_activity(actor=actor, action="notification.resent", target=notification.application or notification,
                 after={"notification": notification.pk, "subject": notification.subject},
                 organiser=notification.application.cycle.programme.organiser if notification.application_id else None)
    transaction.on_commit(lambda: send_notification.delay(notification.pk))


def public_url(path: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{path}"


