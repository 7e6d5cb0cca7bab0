"""Admin building blocks: organiser scoping, our permission predicates, read-only records, the
activity log, and date-times that keep their seconds."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _

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

    @staticmethod
    def log_reason(form) -> str:
        """"admin", with the change reason the form asked for (e.g. a prize changed after approval)."""
        typed = ((getattr(form, "cleaned_data", None) or {}).get("change_reason") or "").strip()
        return f"admin：{typed}" if typed else "admin"

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        if before is None:
            log_activity(actor=request.user, action="config.create", target=obj, after=after, reason="admin")
        else:
            old, new = changed_fields(before, after)
            if old or new:
                log_activity(actor=request.user, action="config.update", target=obj, before=old, after=new, reason=self.log_reason(form))

    def delete_model(self, request, obj):
        before = snapshot(obj)
        organiser = organiser_of(obj)
        super().delete_model(request, obj)
        log_activity(actor=request.user, action="config.delete", target=obj, before=before, reason="admin", organiser=organiser)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def before_formset_save(self, request, form, formset) -> None:
        """Hook: runs after the before-values are read and before any row of the formset is written."""

    def before_inline_save(self, request, parent, obj) -> None:
        """Hook: runs before each new or changed inline row is saved."""

    def save_formset(self, request, form, formset, change):
        before = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed():
                before[instance.pk] = snapshot(type(instance).objects.get(pk=instance.pk))
        self.before_formset_save(request, form, formset)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            logged = snapshot(obj)
            organiser = organiser_of(obj)
            obj.delete()
            log_activity(actor=request.user, action="config.delete", target=obj, before=logged, reason="admin", organiser=organiser)
        reasons = {f.instance.pk: self.log_reason(f) for f in formset.forms if f.instance.pk}
        for obj in instances:
            is_new = obj.pk is None
            self.before_inline_save(request, form.instance, obj)
            obj.save()
            after = snapshot(obj)
            if is_new:
                log_activity(actor=request.user, action="config.create", target=obj, after=after, reason="admin")
            else:
                old, new = changed_fields(before.get(obj.pk), after)
                if old or new:
                    log_activity(actor=request.user, action="config.update", target=obj, before=old, after=new, reason=reasons.get(obj.pk, "admin"))
        formset.save_m2m()


# The foreign keys that lead from a row to its organiser, tried in this order (see organiser_path).
_OWNER_FIELDS = ("organiser", "programme", "cycle", "stage", "category", "rubric", "recommending_unit", "application",
                 "award", "meeting", "publicity", "body", "letter", "expert", "scoresheet", "assignment")


def organiser_path(model) -> str | None:
    """The ORM path from `model` to its Organiser ("pk" for Organiser itself), e.g. Category →
    "cycle__programme__organiser": the model's own `organiser_path` (OrganiserScopedMixin, the one the
    activity log follows), else found along its foreign keys; the user accounts go through their role
    assignments. None when the model belongs to no organiser (the national holiday calendar)."""
    meta = model._meta
    if meta.label_lower == "awards.organiser":
        return "pk"
    if meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return "role_assignments__organiser"
    declared = getattr(model, "organiser_path", None)  # core.models.OrganiserScopedMixin: the row says it once
    if isinstance(declared, str):
        return declared
    queue = [(model, "")]
    seen = {meta.label_lower}
    while queue:
        current, prefix = queue.pop(0)
        for name in _OWNER_FIELDS:
            try:
                field = current._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not getattr(field, "many_to_one", False) and not getattr(field, "one_to_one", False):
                continue
            if not field.concrete:
                continue
            related = field.related_model
            if related._meta.label_lower == "awards.organiser":
                return f"{prefix}{name}"
            if related._meta.label_lower not in seen:
                seen.add(related._meta.label_lower)
                queue.append((related, f"{prefix}{name}__"))
    return None


def organiser_id_of(obj: Model | None) -> int | None:
    """The organiser a saved row belongs to (its activity_organiser, else along organiser_path)."""
    if obj is None:
        return None
    organiser = organiser_of(obj)
    if organiser is not None:
        return organiser.pk
    path = organiser_path(type(obj))
    if path is None or obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True).first()


def scope_to_organisers(queryset, ids: set[int] | None):
    """The rows of `queryset` that belong to the organisers `ids` (None: every row, for superusers).
    Rubric templates (no organiser) are listed for everyone: adopting one copies it (awards.services)."""
    if ids is None:
        return queryset
    model = queryset.model
    path = organiser_path(model)
    if path is None:
        return queryset
    condition = Q(**{f"{path}__in": ids})
    if model._meta.label_lower == "awards.rubric":
        condition |= Q(organiser__isnull=True)
    scoped = queryset.filter(condition)
    return scoped.distinct() if "role_assignments" in path else scoped


class ScopedChoicesMixin:
    """Foreign-key and many-to-many drop-downs list only the rows of the admin's own organisers
    (and a value of another organiser posted by hand is refused as an invalid choice)."""

    def _choice_ids(self, request):
        return rules.admin_organiser_ids(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_to_organisers(field.queryset, self._choice_ids(request))
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_to_organisers(field.queryset, self._choice_ids(request))
        return field


class OrganiserScopedAdmin(ScopedChoicesMixin, ActivityLoggedAdminMixin, admin.ModelAdmin):
    """Programme admins see and change only their own organiser's configuration.

    `organiser_path` is the ORM path from the model to Organiser (e.g. "cycle__programme__organiser");
    derived from the model's foreign keys when not given.
    """

    organiser_path: str | None = None

    def _admin_ids(self, request):
        return rules.admin_organiser_ids(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = self._admin_ids(request)
        if ids is None:
            return queryset
        path = self.organiser_path or organiser_path(self.model)
        return queryset.filter(**{f"{path}__in": ids})

    def has_module_permission(self, request):
        return rules.is_programme_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    has_change_permission = has_delete_permission = has_view_permission  # the same rule: the row's organiser

    def has_add_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def _may(self, request, obj):
        if obj is None:
            return rules.is_programme_admin(request.user)
        organiser_id = organiser_id_of(obj)
        if organiser_id is None:  # a rubric template: the superuser's
            return bool(request.user.is_superuser)
        return rules.is_programme_admin(request.user, organiser_id)


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


class ScopedReadOnlyAdmin(ScopedChoicesMixin, ReadOnlyAdmin):
    """Records of the pipeline the admin only shows (their writes go through reviews.services): listed and
    viewed by programme admins, each only their own organiser's rows; never added, changed or deleted here."""

    def get_queryset(self, request):
        return scope_to_organisers(super().get_queryset(request), rules.admin_organiser_ids(request.user))

    def _file_fields(self) -> list[str]:
        return [f.name for f in self.model._meta.fields if isinstance(f, models.FileField)]

    def get_fields(self, request, obj=None):
        # Stored files are private (no URL; downloads go through the portal's access rule): the page names
        # them instead of linking them, which would fail.
        files = self._file_fields()
        fields = [f for f in super().get_fields(request, obj) if f not in files]
        return [*fields, "stored_files"] if files else fields

    def get_readonly_fields(self, request, obj=None):
        files = self._file_fields()
        fields = [f for f in super().get_readonly_fields(request, obj) if f not in files]
        return [*fields, "stored_files"] if files else fields

    @admin.display(description=_("存储的文件"))
    def stored_files(self, obj):
        names = [getattr(obj, name).name for name in self._file_fields() if getattr(obj, name)]
        return "；".join(names) or "—"

    def may_view(self, user) -> bool:
        return rules.is_programme_admin(user)

    def has_view_permission(self, request, obj=None):
        return self.may_view(request.user) and (obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())


class ScopedInline(ScopedChoicesMixin):
    """Inlines follow the permission of their parent object; their drop-downs are scoped too."""

    formfield_overrides = DATETIME_WITH_SECONDS

    def has_view_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    has_add_permission = has_delete_permission = has_change_permission  # all follow the parent object's organiser

    def _may(self, request, obj):
        if obj is not None and obj.pk is not None and organiser_id_of(obj) is None:
            return bool(request.user.is_superuser)  # children of a rubric template
        return rules.is_programme_admin(request.user, organiser_id_of(obj))
