"""An application's notifications and history."""

from __future__ import annotations

from applications.models import Application
from core.models import ActivityLog, EmailNotification

# ---------------------------------------------------------------- notifications and history


def notifications_for_application(application: Application) -> list[EmailNotification]:
    return list(EmailNotification.objects.filter(application=application).order_by("created_at", "id"))


def history_for_application(application: Application) -> list[ActivityLog]:
    return list(
        ActivityLog.objects.filter(target_type="applications.application", target_id=str(application.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )

