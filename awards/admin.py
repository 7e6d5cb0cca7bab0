from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import rules
from core.admin_mixins import ActivityLoggedAdminMixin, OrganiserScopedAdmin, ScopedInline
from reviews.selectors import minimum_quota
from reviews.workflow import validate_stage_params

from .models import (
    Category,
    CategoryRubric,
    Cycle,
    EligibilityRule,
    OfficialLetter,
    Organiser,
    Programme,
    ReviewBody,
    Rubric,
    RubricCriterion,
    Stage,
)
from .rubrics import points
from .rule_kinds import RULE_KINDS


@admin.register(Organiser)
class OrganiserAdmin(OrganiserScopedAdmin):
    organiser_path = "pk"
    list_display = ["code", "short_name", "name", "doc_prefix", "signer"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Programme)
class ProgrammeAdmin(OrganiserScopedAdmin):
    organiser_path = "organiser"
    list_display = ["name", "code", "organiser", "host", "undertaker"]
    list_filter = [("organiser", admin.RelatedOnlyFieldListFilter)]


class StageForm(forms.ModelForm):
    """A stage's parameters are checked against its kind in reviews.workflow.STAGE_KINDS, as the loader does."""

    class Meta:
        model = Stage
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            try:
                cleaned["params"] = validate_stage_params(kind, cleaned.get("params") or {})
            except ValidationError as exc:
                self.add_error("params", exc.messages)
        return cleaned


class StageInline(ScopedInline, admin.TabularInline):
    model = Stage
    form = StageForm
    extra = 0
    fields = ["order", "code", "name", "name_en", "kind", "params", "planned_start", "planned_end"]


class ReviewBodyInline(ScopedInline, admin.StackedInline):
    model = ReviewBody
    extra = 0


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = "__all__"

    def clean_quota(self):
        quota = self.cleaned_data.get("quota")
        if quota is not None and quota < 0:
            raise ValidationError(_("名额不能为负数。"))
        floor = minimum_quota(self.instance)
        if floor and (quota is None or quota < floor):
            raise ValidationError(
                _("已有 %(n)d 个对象列入推荐名单或获奖，名额不能少于 %(n)d 个，也不能改为待定。") % {"n": floor}
            )
        return quota

    def clean_prize_amount(self):
        prize = self.cleaned_data.get("prize_amount")
        if prize is not None and prize < 0:
            raise ValidationError(_("奖金不能为负数。"))
        return prize


class CategoryInline(ScopedInline, admin.TabularInline):
    model = Category
    form = CategoryForm
    extra = 0
    fields = ["order", "code", "level", "track", "applicant_kind", "quota", "prize_amount", "reward_text", "standard"]
    show_change_link = True


@admin.register(Cycle)
class CycleAdmin(OrganiserScopedAdmin):
    organiser_path = "programme__organiser"
    list_display = ["code", "programme", "name", "year", "application_closes_at"]
    list_filter = [("programme__organiser", admin.RelatedOnlyFieldListFilter), "year"]
    search_fields = ["code", "programme__name"]
    inlines = [CategoryInline, StageInline, ReviewBodyInline]
    fieldsets = [
        (None, {"fields": ["programme", "code", "name", "name_en", "year", "project_type", "activity_period_years", "previous_cycle"]}),
        (_("申报时间"), {"fields": ["application_opens_at", "application_closes_at", "applications_per_applicant"]}),
        (_("申报表"), {"fields": [
            "held_on_text", "held_on", "previous_held_on_text", "population_collective", "population_individual",
            "previous_quota_collective", "previous_quota_individual", "scope_text", "award_setup_text",
            "reason_and_basis", "reward_standard_text", "funding_source", "work_plan_funding_source", "ceremony_text",
        ]}),
        (_("联系方式"), {"fields": ["contact_name", "contact_phone", "contact_address", "contact_postcode"]}),
        (_("通知与工作方案"), {"classes": ["collapse"], "fields": ["notice", "work_plan"]}),
    ]


class RuleForm(forms.ModelForm):
    class Meta:
        model = EligibilityRule
        fields = ["order", "kind", "params", "severity", "description"]
        widgets = {"kind": forms.Select(choices=[(k, f"{k} · {v.label}") for k, v in RULE_KINDS.items()])}


class RuleInline(ScopedInline, admin.TabularInline):
    model = EligibilityRule
    form = RuleForm
    extra = 0


class CategoryRubricInline(ScopedInline, admin.TabularInline):
    model = CategoryRubric
    extra = 0


@admin.register(Category)
class CategoryAdmin(OrganiserScopedAdmin):
    organiser_path = "cycle__programme__organiser"
    form = CategoryForm
    list_display = ["__str__", "cycle", "applicant_kind", "quota", "prize_amount", "reward_text"]
    list_filter = [("cycle", admin.RelatedOnlyFieldListFilter)]
    inlines = [CategoryRubricInline, RuleInline]


class CriterionFormSet(forms.BaseInlineFormSet):
    """Children must sum to their parent, and the top level to the rubric's total."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append(data)
        by_code = {row["code"]: row for row in rows}
        children: dict[str | None, list] = {}
        for row in rows:
            parent = row.get("parent")
            children.setdefault(parent.code if parent else None, []).append(row)
        total = getattr(self.instance, "total_points", None)
        try:
            total = Decimal(str(total)) if total is not None else None
        except InvalidOperation:
            total = None
        problems = []
        roots = children.get(None, [])
        if total is not None and roots and sum(r["max_points"] for r in roots) != total:
            problems.append(_("一级条款分值之和为 %(s)s，应等于总分 %(t)s。") % {"s": points(sum(r["max_points"] for r in roots)), "t": points(total)})
        for code, row in by_code.items():
            kids = children.get(code)
            if kids and sum(k["max_points"] for k in kids) != row["max_points"]:
                problems.append(
                    _("条款 %(c)s 的下级分值之和为 %(s)s，应等于其分值 %(m)s。")
                    % {"c": code, "s": points(sum(k["max_points"] for k in kids)), "m": points(row["max_points"])}
                )
        if problems:
            raise ValidationError(problems)


class CriterionInline(admin.TabularInline):
    model = RubricCriterion
    formset = CriterionFormSet
    fk_name = "rubric"
    extra = 0
    fields = ["order", "code", "name", "parent", "max_points", "kind", "guidance"]

    def has_add_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)


@admin.register(Rubric)
class RubricAdmin(ActivityLoggedAdminMixin, admin.ModelAdmin):
    """Rubrics are shared standards; defaults awaiting the official tables are marked as such."""

    list_display = ["standard", "name", "total_points", "is_official"]
    inlines = [CriterionInline]
    readonly_fields = ["official_notice"]
    fields = ["code", "name", "standard", "total_points", "is_official", "official_notice", "note"]

    @admin.display(description=_("状态"))
    def official_notice(self, obj):
        if obj and not obj.is_official:
            return _("系统默认评分表：该标准的正式条款分值表尚未导入。请以标准正式条款替换（编辑 YAML 后执行 load_programmes，或在此修改）。")
        return _("正式评分表")

    def has_module_permission(self, request):
        return rules.is_programme_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user) or rules.is_review_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_programme_admin(request.user)

    def has_add_permission(self, request):
        return rules.is_programme_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(OfficialLetter)
class OfficialLetterAdmin(OrganiserScopedAdmin):
    organiser_path = "organiser"
    list_display = ["document_number", "title", "issued_on"]
