from django.contrib import admin

from accounts import rules

from .models import ActivityLog, EmailNotification


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched but never edited or deleted through any UI."""

    list_display = ["created_at", "actor", "action", "target_repr", "organiser"]
    list_filter = ["action", "organiser"]
    search_fields = ["target_repr", "target_id", "reason"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("actor", "organiser")
        ids = rules.staff_organiser_ids(request.user)
        return queryset if ids is None else queryset.filter(organiser_id__in=ids)

    def has_module_permission(self, request):
        return rules.is_review_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_review_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmailNotification)
class EmailNotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_address", "event", "subject", "status", "attempts"]
    list_filter = ["status", "event"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
