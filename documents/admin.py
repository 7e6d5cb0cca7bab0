from django.contrib import admin

from core.admin_mixins import PrivateFilesAdminMixin

from .models import Document


@admin.register(Document)
class DocumentAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "organiser", "status", "attempts", "pages", "render_seconds", "created_at", "finished_at")
    list_filter = ("kind", "status", "organiser")
    search_fields = ("title", "subject_key", "checksum")
    readonly_fields = [field.name for field in Document._meta.fields]

    def has_add_permission(self, request):
        return False
