"""Admin building blocks: organiser scoping, our permission predicates, read-only records, the
activity log, and date-times that keep their seconds."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.db import models
from django.db.models import Model

from accounts import rules
from core.services import changed_fields, log_activity, model_snapshot


def organiser_of(obj: Model | None):
    return getattr(obj, "activity_organiser", None) if obj is not None else None


def snapshot(obj: Model) -> dict:
    """The logged values of a row: every concrete field except automatic timestamps."""
    fields = [f.name for f in obj._meta.concrete_fields if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))]
    return model_snapshot(obj, fields)


class SecondsTimeWidget(admin_widgets.BaseAdminTimeWidget):
    """The admin time box, always with seconds (and microseconds when the value has them).

    Under zh-hans Django's first time input format is %H:%M, so the stock widget shows a 23:59:59
    deadline as 23:59 and saving the form turns it into 23:59:00.
    """

    template_name = "admin/widgets/time.html"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or "%H:%M:%S")

    def format_value(self, value):
        if isinstance(value, datetime.time) and value.microsecond:
            return value.strftime("%H:%M:%S.%f")
        return super().format_value(value)


class SecondsSplitDateTime(admin_widgets.AdminSplitDateTime):
    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, [admin_widgets.BaseAdminDateWidget, SecondsTimeWidget], attrs)


# Every admin of the portal uses this for DateTimeField (the mixins below set it).
DATETIME_WITH_SECONDS = {models.DateTimeField: {"widget": SecondsSplitDateTime}}


class ActivityLoggedAdminMixin:
    """Write every admin create / change / delete to the activity log with before and after."""

    formfield_overrides = DATETIME_WITH_SECONDS

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        if before is None:
            log_activity(actor=request.user, action="config.create", target=obj, after=after, reason="admin")
        else:
            old, new = changed_fields(before, after)
            if old or new:
                log_activity(actor=request.user, action="config.update", target=obj, before=old, after=new, reason="admin")

    def delete_model(self, request, obj):
        before = snapshot(obj)
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
                before[instance.pk] = snapshot(type(instance).objects.get(pk=instance.pk))
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            logged = snapshot(obj)
            organiser = organiser_of(obj)
            obj.delete()
            log_activity(actor=request.user, action="config.delete", target=obj, before=logged, reason="admin", organiser=organiser)
        for obj in instances:
            is_new = obj.pk is None
            obj.save()
            after = snapshot(obj)
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


class PrivateFilesAdminMixin:
    """Show a private file field as its stored name, never as a link: private files have no URL
    (they are served only through the permission-checked download views), and the stock admin
    display asks the storage for one and fails with a 500."""

    def _file_fields(self):
        return [f for f in self.model._meta.fields if isinstance(f, models.FileField)]

    def __getattr__(self, name):
        if name.endswith("_stored_name"):
            field_name = name[: -len("_stored_name")]
            field = next((f for f in self._file_fields() if f.name == field_name), None)
            if field is not None:
                def display(obj, _name=field_name):
                    value = getattr(obj, _name)
                    return value.name if value else "—"

                display.short_description = field.verbose_name
                return display
        raise AttributeError(name)

    def get_fields(self, request, obj=None):
        files = {f.name for f in self._file_fields()}
        return [f"{name}_stored_name" if name in files else name for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        files = {f.name for f in self._file_fields()}
        names = [f"{name}_stored_name" if name in files else name for name in super().get_readonly_fields(request, obj)]
        return names + [f"{f}_stored_name" for f in files if f"{f}_stored_name" not in names]


class ReadOnlyAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
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

    formfield_overrides = DATETIME_WITH_SECONDS

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
