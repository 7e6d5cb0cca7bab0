from django.contrib import admin

from accounts import rules

from .admin_mixins import ReadOnlyAdmin
from .models import ActivityLog, EmailNotification


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    """Read-only: the log can be searched but never edited or deleted through any UI."""

    list_display = ["created_at", "actor", "action", "target_repr", "organiser"]
    list_filter = ["action", "organiser"]
    search_fields = ["target_repr", "target_id", "reason"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("actor", "organiser")
        ids = rules.staff_organiser_ids(request.user)
        return queryset if ids is None else queryset.filter(organiser_id__in=ids)

    def may_view(self, user) -> bool:
        return rules.is_review_staff(user)


@admin.register(EmailNotification)
class EmailNotificationAdmin(ReadOnlyAdmin):
    """The outbox, for superusers; they may delete notifications (nothing else is changed here)."""

    list_display = ["created_at", "to_address", "event", "subject", "status", "attempts"]
    list_filter = ["status", "event"]

    def has_delete_permission(self, request, obj=None):
        return self.may_view(request.user)
