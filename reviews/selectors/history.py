"""An application's notifications and history."""

from __future__ import annotations

from django.db.models import QuerySet

from applications.models import Application
from core.models import ActivityLog, EmailNotification


def notifications_for_application(application: Application) -> QuerySet[EmailNotification]:
    """The application's e-mails, oldest first (a queryset: the pages paginate it)."""
    return EmailNotification.objects.filter(application=application).order_by("created_at", "id")


def reminders_for_application(application: Application) -> list:
    """The reminders about this application (to its applicant, its experts or the staff), with their e-mails."""
    from reviews.models import Reminder

    return list(Reminder.objects.filter(applications=application).select_related("recipient", "notification", "stage")
                .order_by("created_at", "id"))


def application_history(application: Application, *, newest_first: bool = True) -> QuerySet[ActivityLog]:
    """Every activity-log entry about the application, with its actor (a queryset: the pages paginate it)."""
    order = ("-created_at", "-id") if newest_first else ("created_at", "id")
    return (
        ActivityLog.objects.filter(target_type=Application._meta.label_lower, target_id=str(application.pk))
        .select_related("actor")
        .order_by(*order)
    )

