"""Admin building blocks: organiser scoping, our permission predicates, read-only records, and the activity log."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model

from accounts import rules
from core.services import changed_fields, log_activity, model_snapshot


def organiser_of(obj: Model | None):
    return getattr(obj, "activity_organiser", None) if obj is not None else None


class ActivityLoggedAdminMixin:
    """Write every admin create / change / delete to the activity log with before and after."""

    def save_model(self, request, obj, form, change):
        before = model_snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        after = model_snapshot(obj)
        if before is None:
            log_activity(actor=request.user, action="config.create", target=obj, after=after, reason="admin")
        else:
            old, new = changed_fields(before, after)
            if old or new:
                log_activity(actor=request.user, action="config.update", target=obj, before=old, after=new, reason="admin")

    def delete_model(self, request, obj):
        before = model_snapshot(obj)
        organiser = organiser_of(obj)
        super().delete_model(request, obj)
        log_activity(actor=request.user, action="config.delete", target=obj, before=before, reason="admin", organiser=organiser)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        before = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed():
                before[instance.pk] = model_snapshot(type(instance).objects.get(pk=instance.pk))
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            snapshot = model_snapshot(obj)
            organiser = organiser_of(obj)
            obj.delete()
            log_activity(actor=request.user, action="config.delete", target=obj, before=snapshot, reason="admin", organiser=organiser)
        for obj in instances:
            is_new = obj.pk is None
            obj.save()
            after = model_snapshot(obj)
            if is_new:
                log_activity(actor=request.user, action="config.create", target=obj, after=after, reason="admin")
            else:
                old, new = changed_fields(before.get(obj.pk), after)
                if old or new:
                    log_activity(actor=request.user, action="config.update", target=obj, before=old, after=new, reason="admin")
        formset.save_m2m()


class OrganiserScopedAdmin(ActivityLoggedAdminMixin, admin.ModelAdmin):
    """Programme admins see and change only their own organiser's configuration.

    `organiser_path` is the ORM path from the model to Organiser (e.g. "cycle__programme__organiser").
    """

    organiser_path: str = "organiser"

    def _admin_ids(self, request):
        return rules.admin_organiser_ids(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = self._admin_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.organiser_path}__in": ids})

    def has_module_permission(self, request):
        return rules.is_programme_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)

    def _may(self, request, obj):
        if obj is None:
            return rules.is_programme_admin(request.user)
        organiser = organiser_of(obj)
        return rules.is_programme_admin(request.user, getattr(organiser, "pk", None)) if organiser else rules.is_programme_admin(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = self._admin_ids(request)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if ids is not None and field is not None:
            model = db_field.related_model
            path = {"Organiser": "pk", "Programme": "organiser", "Cycle": "programme__organiser", "Category": "cycle__programme__organiser"}.get(model.__name__)
            if path:
                field.queryset = field.queryset.filter(**{f"{path}__in": ids})
        return field


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin only shows (their writes go through services): listed and viewed by the
    users `may_view` admits, never added, changed or deleted here."""

    def may_view(self, user) -> bool:
        return bool(user.is_superuser)

    def has_module_permission(self, request):
        return self.may_view(request.user)

    def has_view_permission(self, request, obj=None):
        return self.may_view(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedInline:
    """Inlines follow the permission of their parent object."""

    def has_view_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)

    def _may(self, request, obj):
        organiser = organiser_of(obj)
        return rules.is_programme_admin(request.user, getattr(organiser, "pk", None))
