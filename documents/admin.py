from django.contrib import admin

from core.admin_mixins import ScopedReadOnlyAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ScopedReadOnlyAdmin):
    """Read-only (documents are requested and generated on the portal's pages), each organiser's own."""

    list_display = ("title", "kind", "organiser", "status", "attempts", "pages", "render_seconds", "created_at", "finished_at")
    list_filter = ("kind", "status", ("organiser", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "subject_key", "checksum")
    readonly_fields = [field.name for field in Document._meta.fields]
