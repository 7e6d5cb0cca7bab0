"""Admin screens for review configuration (expert pool, panels); the review work itself happens in
the staff console (/reviews/staff/<cycle>/), which goes through the services."""

from django.contrib import admin

from core.admin_mixins import OrganiserScopedAdmin

from .models import ExpertPanel, ExpertProfile


@admin.register(ExpertProfile)
class ExpertProfileAdmin(OrganiserScopedAdmin):
    organiser_path = "organiser"
    list_display = ["name", "organiser", "title", "employer", "group", "is_active"]
    list_filter = [("organiser", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["name", "employer", "employer_credit_code", "group", "specialties"]


@admin.register(ExpertPanel)
class ExpertPanelAdmin(OrganiserScopedAdmin):
    organiser_path = "stage__cycle__programme__organiser"
    list_display = ["name", "stage", "leader"]
    filter_horizontal = ["members", "categories"]
