from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import rules
from core.identity import mask_identity
from core.admin_mixins import OrganiserScopedAdmin, ScopedInline, scope_to_organisers
from reviews.selectors import minimum_quota, prize_change_refusal
from reviews.workflow import validate_stage_params

from .models import (
    Category, CategoryRubric, Cycle, EligibilityRule, OfficialLetter, Organiser, PastWinner, Programme, ReviewBody, Rubric,
    RubricCriterion, Stage,
)
from .rubrics import points
from .rule_kinds import RULE_KINDS, validate_rule
from .past_winners import classify_identifier
from .services import adopt_rubric, park_stage_orders


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

    def validate_unique(self):
        # (cycle, order) and (cycle, code) are checked over the whole list by StageFormSet: checking one
        # row against the saved rows would refuse swapping two stages' numbers.
        return

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "order", "code"}

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            try:
                cleaned["params"] = validate_stage_params(kind, cleaned.get("params") or {})
            except ValidationError as exc:
                self.add_error("params", exc.messages)
        return cleaned


class StageFormSet(forms.BaseInlineFormSet):
    """Orders are unique in the cycle: two stages given one number are refused here with a message
    (swapping two stages' numbers is allowed: the save renumbers in two phases, see CycleAdmin)."""

    def validate_unique(self):
        # The database check of each row against the saved rows would refuse a swap; the orders typed in
        # the whole list are checked here instead, and the save parks the moving rows first.
        seen: dict[int, str] = {}
        problems = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("order") is None:
                continue
            if data["order"] in seen:
                problems.append(_("顺序 %(n)d 被“%(a)s”和“%(b)s”同时使用；每个环节的顺序须不同。") % {"n": data["order"], "a": seen[data["order"]], "b": data.get("name") or data.get("code")})
            seen[data["order"]] = data.get("name") or data.get("code")
        codes: dict[str, int] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("code"):
                continue
            if data["code"] in codes:
                problems.append(_("环节代码“%(c)s”重复。") % {"c": data["code"]})
            codes[data["code"]] = 1
        if problems:
            raise ValidationError(problems)


class StageInline(ScopedInline, admin.TabularInline):
    model = Stage
    form = StageForm
    formset = StageFormSet
    extra = 0
    fields = ["order", "code", "name", "name_en", "kind", "params", "planned_start", "planned_end"]


class ReviewBodyInline(ScopedInline, admin.StackedInline):
    model = ReviewBody
    extra = 0


class CategoryForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("变更理由"), required=False, max_length=300,
        help_text=_("表彰名单批准后修改奖金须填写（记入操作日志）"),
    )

    class Meta:
        model = Category
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if "prize_amount" in cleaned:
            refusal = prize_change_refusal(self.instance, cleaned.get("prize_amount"), reason=cleaned.get("change_reason", ""))
            if refusal:
                self.add_error("change_reason", refusal)
        return cleaned

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
    fields = ["order", "code", "level", "track", "applicant_kind", "quota", "prize_amount", "change_reason", "reward_text", "standard"]
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

    def before_formset_save(self, request, form, formset):
        """Stages whose order changes are parked on free numbers first (one transaction: the admin's)."""
        if formset.model is Stage:
            moving = [
                f.instance.pk for f in formset.forms
                if f.instance.pk and "order" in f.changed_data and not (f.cleaned_data or {}).get("DELETE")
            ]
            park_stage_orders(cycle_id=form.instance.pk, stage_ids=moving)


def _param_field_name(kind: str, param) -> str:
    return f"param__{kind}__{param.name}"


def _param_form_field(param) -> forms.Field:
    help_text = param.help or ""
    if param.type is int:
        return forms.IntegerField(label=param.label, required=False, min_value=param.minimum, help_text=help_text)
    if param.type is bool:
        return forms.BooleanField(label=param.label, required=False, initial=param.default, help_text=help_text)
    if param.type is list:
        return forms.CharField(label=param.label, required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), help_text=help_text)
    if param.name == "scope":
        return forms.ChoiceField(label=param.label, required=False, choices=[("programme", _("本奖项任一类别")), ("category", _("同一类别"))])
    return forms.CharField(label=param.label, required=False, help_text=help_text)


def _list_text(param, value) -> str:
    if not isinstance(value, list):
        return ""
    if param.name == "items":
        return "\n".join(
            " | ".join([str(i.get("code", "")), str(i.get("text", "")), str(i.get("text_en", "")), str(i.get("when", ""))]).rstrip(" |")
            for i in value if isinstance(i, dict)
        )
    return "\n".join(str(v) for v in value)


def _list_value(param, text: str) -> list:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if param.name != "items":
        return lines
    items = []
    for line in lines:
        parts = [part.strip() for part in line.split("|")]
        item = {"code": parts[0], "text": parts[1] if len(parts) > 1 else ""}
        for key, part in zip(("text_en", "when"), parts[2:4]):
            if part:
                item[key] = part
        items.append(item)
    return items


class RuleForm(forms.ModelForm):
    """An eligibility rule: its kind, and each parameter of that kind as a named field (no JSON typed).
    The parameters are checked by awards.rule_kinds.validate_rule, as the loader checks them."""

    class Meta:
        model = EligibilityRule
        fields = ["order", "kind", "severity", "description", "enabled"]
        widgets = {"kind": forms.Select(choices=[("", "---------"), *[(k, v.label) for k, v in RULE_KINDS.items()]], attrs={"class": "rule-kind"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.params or {}
        spec = RULE_KINDS.get(self.instance.kind or "")
        for param in spec.params if spec else ():
            if param.name in current:
                value = current[param.name]
                self.fields[_param_field_name(self.instance.kind, param)].initial = _list_text(param, value) if param.type is list else value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        spec = RULE_KINDS.get(kind or "")
        if spec is None:
            return cleaned
        for other, other_spec in RULE_KINDS.items():  # values typed under another kind are not kept silently
            if other == kind:
                continue
            for param in other_spec.params:
                name = _param_field_name(other, param)
                if param.type is not bool and cleaned.get(name) not in (None, ""):
                    self.add_error(name, _("规则类型“%(kind)s”不使用此参数；请清空或改选规则类型。") % {"kind": spec.label})
        params = {}
        for param in spec.params:
            value = cleaned.get(_param_field_name(kind, param))
            if param.type is list:
                value = _list_value(param, value)
                if not value:
                    value = None
            elif value in ("", None) and param.type is not bool:
                value = None
            if value is None and param.required:
                self.add_error(_param_field_name(kind, param), _("请填写“%(label)s”。") % {"label": param.label})
                continue
            if value is not None:
                params[param.name] = value
        if self.errors:
            return cleaned
        try:
            self.instance.params = validate_rule(kind, params)
        except ValidationError as exc:
            self.add_error(None, exc.messages)
        return cleaned


for _kind, _spec in RULE_KINDS.items():  # every kind's parameters, declared on the form class (the admin lists them)
    for _param in _spec.params:
        RuleForm.base_fields[_param_field_name(_kind, _param)] = RuleForm.declared_fields[_param_field_name(_kind, _param)] = _param_form_field(_param)


class RuleInline(ScopedInline, admin.StackedInline):
    model = EligibilityRule
    form = RuleForm
    extra = 0

    def get_fieldsets(self, request, obj=None):
        sets = [(None, {"fields": ["order", "kind", "severity", "description", "enabled"]})]
        for kind, spec in RULE_KINDS.items():
            if spec.params:
                sets.append((
                    _("参数：%(kind)s") % {"kind": spec.label},
                    {"classes": ["rule-params", f"rule-params-{kind}"], "fields": [_param_field_name(kind, p) for p in spec.params]},
                ))
        return sets

    class Media:
        js = ["js/admin_rule_params.js"]


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

    def before_inline_save(self, request, parent, obj):
        adopt_category_rubric(request, obj)


def adopt_category_rubric(request, obj) -> None:
    """A template given to a category is replaced by the organiser's own copy (awards.services.adopt_rubric)."""
    if isinstance(obj, CategoryRubric) and obj.rubric_id:
        obj.rubric = adopt_rubric(rubric=obj.rubric, organiser=obj.category.cycle.programme.organiser, actor=request.user, reason="admin")


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


class CriterionInline(ScopedInline, admin.TabularInline):
    model = RubricCriterion
    formset = CriterionFormSet
    fk_name = "rubric"
    extra = 0
    fields = ["order", "code", "name", "parent", "max_points", "kind", "guidance"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":  # a parent from this rubric only
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            field.queryset = field.queryset.filter(rubric_id=object_id) if object_id and str(object_id).isdigit() else field.queryset.none()
        return field


class RubricForm(forms.ModelForm):
    class Meta:
        model = Rubric
        fields = ["organiser", "code", "name", "standard", "total_points", "is_official", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_organiser(self):
        organiser = self.cleaned_data.get("organiser")
        if organiser is None and not getattr(self.user, "is_superuser", False):
            raise ValidationError(_("请选择本机构：系统模板只能由系统管理员维护。"))
        if self.instance.pk and organiser != self.instance.organiser and self.instance.organiser_id is not None:
            raise ValidationError(_("评分标准的所属机构不能更改；如需给其他机构使用，请由该机构从模板复制。"))
        return organiser


@admin.register(Rubric)
class RubricAdmin(OrganiserScopedAdmin):
    """Each organiser's own rubrics; the shipped standards are templates (no organiser) that a programme
    admin sees but only a superuser edits. A category given a template scores with its organiser's copy."""

    organiser_path = "organiser"
    form = RubricForm
    list_display = ["standard", "name", "organiser", "copied_from", "total_points", "is_official"]
    list_filter = [("organiser", admin.RelatedOnlyFieldListFilter)]
    inlines = [CriterionInline]
    readonly_fields = ["official_notice", "copied_from"]
    fields = ["organiser", "code", "name", "standard", "total_points", "is_official", "official_notice", "copied_from", "note"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    def get_queryset(self, request):
        return scope_to_organisers(admin.ModelAdmin.get_queryset(self, request), self._admin_ids(request))

    @admin.display(description=_("状态"))
    def official_notice(self, obj):
        if obj and obj.is_template:
            return _("系统模板：用于某主办机构的类别时复制为该机构自己的评分标准；模板只能由系统管理员修改。")
        if obj and not obj.is_official:
            return _("系统默认评分表：该标准的正式条款分值表尚未导入。请以标准正式条款替换（编辑 YAML 后执行 load_programmes，或在此修改）。")
        return _("正式评分表")

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.is_template:
            return rules.is_programme_admin(request.user)
        return self._may(request, obj)


@admin.register(OfficialLetter)
class OfficialLetterAdmin(OrganiserScopedAdmin):
    organiser_path = "organiser"
    list_display = ["document_number", "title", "issued_on"]


@admin.register(PastWinner)
class PastWinnerAdmin(OrganiserScopedAdmin):
    """Single corrections; lists are imported with a preview on the staff page (往届获奖名单)."""

    organiser_path = "programme__organiser"
    list_display = ["year", "award", "name", "masked_identifier", "programme", "source_name", "imported_by", "imported_at"]
    list_filter = [("programme", admin.RelatedOnlyFieldListFilter), "year"]
    search_fields = ["name", "identifier"]
    readonly_fields = ["identifier_kind", "imported_by", "imported_at", "source_name"]
    fields = ["programme", "year", "award", "name", "identifier", "identifier_kind", "source_name", "imported_by", "imported_at"]

    @admin.display(description=_("证件号码"))
    def masked_identifier(self, obj):
        return mask_identity(obj.identifier)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class Checked(form):
            def clean_identifier(self):
                try:
                    kind, value = classify_identifier(self.cleaned_data.get("identifier", ""))
                except ValidationError as exc:
                    raise ValidationError(exc.messages) from None
                self.instance.identifier_kind = kind
                return value

        return Checked

    def save_model(self, request, obj, form, change):
        if not change:
            obj.imported_by = request.user
        super().save_model(request, obj, form, change)
