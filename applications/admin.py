from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts import rules
from core.admin_mixins import OrganiserScopedAdmin, ReadOnlyAdmin

from .models import Application, Attachment, CreditBlacklistEntry, Nomination, RecommendingUnit


@admin.register(RecommendingUnit)
class RecommendingUnitAdmin(OrganiserScopedAdmin):
    organiser_path = "organiser"
    list_display = ["name", "kind", "organiser", "credit_code"]
    list_filter = ["kind", ("organiser", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "credit_code"]


@admin.register(CreditBlacklistEntry)
class CreditBlacklistEntryAdmin(OrganiserScopedAdmin):
    """Single entries; bulk lists are imported on the staff page (申报 → 信用名单)."""

    organiser_path = "organiser"
    list_display = ["code", "name", "reason", "source", "organiser", "added_by", "added_at"]
    list_filter = [("organiser", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    readonly_fields = ["added_by", "added_at"]

    def save_model(self, request, obj, form, change):
        if not obj.added_by_id:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        messages.info(request, _("批量导入名单请使用 /applications/staff/credit-list/ 页面。"))
        return super().changelist_view(request, extra_context)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "purpose", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Read-only view for programme admins; status changes go through the review workflow."""

    list_display = ["number", "applicant_name", "cycle", "category", "status", "submitted_at"]
    list_filter = ["status", ("cycle", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "organisation__name", "person__name"]
    inlines = [AttachmentInline]
    list_select_related = ["cycle__programme", "category", "organisation", "person"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = rules.admin_organiser_ids(request.user)
        return queryset if ids is None else queryset.filter(cycle__programme__organiser_id__in=ids)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def may_view(self, user) -> bool:
        return rules.is_programme_admin(user)


@admin.register(Nomination)
class NominationAdmin(OrganiserScopedAdmin):
    organiser_path = "recommending_unit__organiser"
    list_display = ["nominee_name", "nominee_email", "category", "recommending_unit", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["application", "accepted_at"]
