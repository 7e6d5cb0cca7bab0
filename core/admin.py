from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts import rules

from .admin_mixins import ActivityLoggedAdminMixin, ReadOnlyAdmin
from .holidays import completeness_problems
from .models import ActivityLog, CalendarEntry, CalendarYear, EmailNotification
from .workdays import covered_years, weekday_name

CALENDAR_TARGETS = ["core.calendarentry", "core.calendaryear"]


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    """Read-only: the log can be searched but never edited or deleted through any UI."""

    list_display = ["created_at", "actor", "action", "target_repr", "organiser"]
    list_filter = ["action", ("organiser", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["target_repr", "target_id", "reason"]
    date_hierarchy = "created_at"
    # A page of 100 entries; the unfiltered total (a second count of the whole log) is not shown.
    show_full_result_count = False
    fields = ["created_at", "actor", "action", "organiser", "target_type", "target_id", "target_repr", "readable_changes", "reason",
              "before", "after"]
    readonly_fields = ["readable_changes"]

    @admin.display(description=_("变更（前 → 后）"))
    def readable_changes(self, obj):
        """The before → after in words (reviews/selectors/history.py reads every entry); the raw
        before/after stay below for audits."""
        from reviews.selectors import describe_entry

        rows = [(change.label, f"{change.before} → {change.after}" if change.before is not None and change.after is not None
                 else change.after if change.after is not None else change.before) for change in describe_entry(obj)]
        return format_html_join("", "<div>{}：{}</div>", rows) or "—"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("actor", "organiser")
        ids = rules.staff_organiser_ids(request.user)
        if ids is None:
            return queryset
        # The holiday calendar is national (no organiser): its changes are visible to every office.
        return queryset.filter(Q(organiser_id__in=ids) | Q(organiser__isnull=True, target_type__in=CALENDAR_TARGETS))

    def may_view(self, user) -> bool:
        return rules.is_review_staff(user)


@admin.register(EmailNotification)
class EmailNotificationAdmin(ReadOnlyAdmin):
    """The outbox, for superusers; they may delete notifications (nothing else is changed here)."""

    list_display = ["created_at", "to_address", "event", "subject", "status", "attempts"]
    list_filter = ["status", "event"]

    def has_delete_permission(self, request, obj=None):
        return self.may_view(request.user)


# ---------------------------------------------------------------- holiday calendar (放假安排)


class CalendarAdminPermissions:
    """The calendar is the State Council's, the same for every district: any programme admin keeps it."""

    def has_module_permission(self, request):
        return rules.is_review_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_review_staff(request.user)

    def has_add_permission(self, request):
        return rules.is_programme_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)


class YearFilter(admin.SimpleListFilter):
    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarEntry.objects.values_list("date", flat=True)}, reverse=True)
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(date__year=int(value)) if value and value.isdigit() else queryset


@admin.register(CalendarEntry)
class CalendarEntryAdmin(CalendarAdminPermissions, ActivityLoggedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "notice", "entered_by", "updated_at"]
    list_filter = [YearFilter, "kind"]
    list_select_related = ["entered_by"]
    search_fields = ["name", "notice"]
    date_hierarchy = "date"
    readonly_fields = ["entered_by", "created_at", "updated_at"]
    fields = ["date", "kind", "name", "notice", "entered_by", "created_at", "updated_at"]

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return weekday_name(obj.date)

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "notice", "notice_title", "published_on", "is_complete", "note"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_complete") and cleaned.get("year"):
            for problem in completeness_problems(cleaned["year"]):
                self.add_error("is_complete", problem)
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdminPermissions, ActivityLoggedAdminMixin, admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "notice", "is_complete", "coverage", "entered_by", "updated_at"]
    list_select_related = ["entered_by"]
    readonly_fields = ["coverage", "year_entries", "entered_by", "created_at", "updated_at"]
    fields = ["year", "notice", "notice_title", "published_on", "is_complete", "coverage", "year_entries", "note",
              "entered_by", "created_at", "updated_at"]

    @admin.display(description=_("工作日计算"))
    def coverage(self, obj):
        if obj is None or obj.year is None:
            return "—"
        first, last = covered_years()
        if first <= obj.year <= last:
            return _("chinesecalendar 已收录该年度；录入的日期优先于库中数据。")
        if obj.is_complete:
            return _("按录入的放假安排计算。")
        problems = completeness_problems(obj.year)
        return " ".join([str(_("尚未标记为已录入完整：该年度的工作日计算仍会被拒绝。")), *problems])

    @admin.display(description=_("本年度已录入的日期"))
    def year_entries(self, obj):
        if obj is None or obj.year is None:
            return "—"
        entries = CalendarEntry.objects.filter(date__year=obj.year).order_by("date")
        if not entries:
            return _("尚未录入。请在“放假调休日期”中逐日录入，或执行 manage.py holidays load FILE。")
        return format_html_join(
            "", "<div>{} {} {}（{}）</div>", ((e.date.isoformat(), e.name, e.get_kind_display(), e.notice) for e in entries)
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
