"""Input validation and layout for the review screens, from 资格审查 to awards; the services re-check every rule."""

from __future__ import annotations

import datetime
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from applications.sections import section_choices
from core.i18n import localized
from reviews.models import (
    CutoffDecision,
    DecisionOutcome,
    EligibilityFinding,
    ExpertPanel,
    ExpertProfile,
    normalise_document_number,
    validate_document_number,
)
from reviews.scoring import band_for
from reviews.services import BULK_ACTIONS, MAX_SUPPLEMENT_WORKING_DAYS, points


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids beyond the integer range as invalid choices: SQLite raises OverflowError on `pk__in`."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if text.isascii() and text.isdigit() and len(text) > 18:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class TransitionForm(forms.Form):
    name = forms.CharField(max_length=40, widget=forms.HiddenInput)
    # The state the page showed (Application.state_token); a request without it is refused, so
    # a replayed or double-clicked form can never act on a state its sender did not see.
    state = forms.CharField(max_length=60, widget=forms.HiddenInput,
                            error_messages={"required": _("页面已过期，请刷新后再操作。")})
    reason = forms.CharField(label=_("理由 / 说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


BULK_LABELS = {"start_review": _("受理并开始评审"), "advance": _("通过本环节"),
               "request_supplement": _("要求补充材料"), "fail": _("不通过")}


class BulkActionForm(forms.Form):
    ACTION_LABELS = BULK_LABELS
    action = forms.ChoiceField(label=_("批量操作"), choices=[(a, BULK_LABELS[a]) for a in BULK_ACTIONS])
    applications = forms.TypedMultipleChoiceField(label=_("申报"), coerce=int, error_messages={"required": _("请至少勾选一项申报。")})
    reason = forms.CharField(label=_("理由 / 说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sections = forms.MultipleChoiceField(label=_("需补充的部分"), required=False, widget=forms.CheckboxSelectMultiple)
    working_days = forms.IntegerField(label=_("期限（工作日）"), min_value=1, max_value=MAX_SUPPLEMENT_WORKING_DAYS, required=False)

    def __init__(self, *args, application_ids=(), sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(pk, pk) for pk in application_ids]
        self.fields["sections"].choices = [(k, str(v)) for k, v in sections]
        self.fields["action"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["reason"].widget.attrs.update({"class": "form-control form-control-sm", "rows": 1})
        self.fields["working_days"].widget.attrs["class"] = "form-control form-control-sm"

    def expected_states(self) -> dict[int, str]:
        """The state each ticked row showed on the queue page (hidden inputs state_<pk>)."""
        states = {}
        for pk in self.cleaned_data.get("applications") or []:
            value = self.data.get(f"state_{pk}")
            if isinstance(value, str) and value and len(value) <= 60:
                states[pk] = value
        return states

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ("fail", "request_supplement") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("“不通过”和“要求补充材料”须填写理由或说明。"))
        if action == "request_supplement" and not data.get("sections"):
            self.add_error("sections", _("请选择需要补充的部分。"))
        return data


class EligibilityFindingForm(forms.Form):
    rule_key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("审查结论"), choices=[(EligibilityFinding.Result.PASS, _("符合")),
                                                         (EligibilityFinding.Result.FAIL, _("不符合"))])
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class SupplementForm(forms.Form):
    sections = forms.MultipleChoiceField(label=_("需补充的部分"), widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label=_("需补充的内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    working_days = forms.IntegerField(label=_("期限（工作日）"), min_value=1, max_value=MAX_SUPPLEMENT_WORKING_DAYS)
    state = forms.CharField(max_length=60, widget=forms.HiddenInput, required=False)  # Application.state_token of the page

    def __init__(self, *args, application, default_days: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = section_choices(application)
        self.fields["working_days"].initial = default_days
        self.fields["state"].initial = application.state_token
        self.helper = FormHelper()
        self.helper.form_tag = False


class AssignForm(forms.Form):
    stage = forms.ChoiceField(label=_("环节"))
    expert = forms.ModelChoiceField(label=_("专家"), queryset=ExpertProfile.objects.none())

    def __init__(self, *args, stages, organiser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.code, s.display_name) for s in stages]
        self.fields["expert"].queryset = ExpertProfile.objects.filter(organiser=organiser, is_active=True).order_by("name")
        self.fields["stage"].widget.attrs.update({"class": "form-select form-select-sm", "aria-label": _("环节")})
        self.fields["expert"].widget.attrs.update({"class": "form-select form-select-sm", "aria-label": _("专家")})


class StaffConflictForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("专家"), queryset=ExpertProfile.objects.none())
    reason = forms.CharField(label=_("回避理由"), max_length=300)

    def __init__(self, *args, organiser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = ExpertProfile.objects.filter(organiser=organiser).order_by("name")
        self.fields["expert"].widget.attrs.update({"class": "form-select form-select-sm", "aria-label": _("专家")})
        self.fields["reason"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": _("回避理由"),
                                                   "aria-label": _("回避理由")})


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("回避声明"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("no", _("本人与该申报人不存在需要回避的关系")), ("yes", _("本人需要回避"))])
    reason = forms.CharField(label=_("回避理由"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请说明回避理由。"))
        return data


BAND_CHOICES = [("", "—")] + [(str(p), f"{p}%") for p in range(0, 101, 5)]


class ScoresheetForm(forms.Form):
    """One decimal field per leaf criterion (max = the item's maximum), an optional 5 % band helper, the 评语, and —
    where the rubric collects them — 优势 and 改进机会 for the 评价反馈报告; then the opinion."""

    opinion = forms.CharField(label=_("评审意见"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, criteria, sheet=None, feedback_ids=frozenset(), **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if sheet is not None:
            for item in sheet.items.all():
                initial[f"item_{item.criterion_id}"] = item.score
                initial[f"comment_{item.criterion_id}"] = item.comment
                initial[f"strengths_{item.criterion_id}"] = item.strengths
                initial[f"improvements_{item.criterion_id}"] = item.improvements
            initial["opinion"] = sheet.opinion
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = criteria
        self.feedback_ids = set(feedback_ids)
        for criterion in criteria:
            self.fields[f"item_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.code} {criterion.name}", required=False, min_value=Decimal("0"), max_value=criterion.max_points,
                max_digits=7, decimal_places=2,
                error_messages={"max_value": _("不能超过该项满分 %(max)s 分。") % {"max": points(criterion.max_points)},
                                "min_value": _("得分不能为负数。")},
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": points(criterion.max_points), "inputmode": "decimal",
                                                "class": "form-control js-score", "data-max": points(criterion.max_points),
                                                "data-group": str(criterion.parent_id or "")}))
            self.fields[f"band_{criterion.pk}"] = forms.ChoiceField(
                label=_("档次"), required=False, choices=BAND_CHOICES,
                widget=forms.Select(attrs={"class": "form-select js-band", "data-target": f"id_item_{criterion.pk}",
                                           "aria-label": _("%(c)s 档次") % {"c": criterion.code}}))
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("评语"), required=False, max_length=500,
                widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "aria-label": _("%(c)s 评语") % {"c": criterion.code}}))
            if criterion.pk in self.feedback_ids:
                for key, label in (("strengths", _("优势")), ("improvements", _("改进机会"))):
                    self.fields[f"{key}_{criterion.pk}"] = forms.CharField(
                        label=label, required=False, max_length=2000,
                        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2, "aria-label": f"{criterion.code} {label}"}))

    def rows(self):
        for criterion in self.criteria:
            feedback = criterion.pk in self.feedback_ids
            yield {
                "criterion": criterion,
                "score": self[f"item_{criterion.pk}"],
                "band": self[f"band_{criterion.pk}"],
                "comment": self[f"comment_{criterion.pk}"],
                "strengths": self[f"strengths_{criterion.pk}"] if feedback else None,
                "improvements": self[f"improvements_{criterion.pk}"] if feedback else None,
                "bands": band_for(criterion.kind),
            }

    def groups(self, parents: dict, subtotals: dict) -> list[dict]:
        """The rows under their category (the leaf's parent, e.g. 4.1 领导), each with its server-side subtotal."""
        groups: list[dict] = []
        for row in self.rows():
            key = row["criterion"].parent_id
            if not groups or groups[-1]["key"] != key:
                groups.append({"key": key, "parent": parents.get(key), "rows": [], "subtotal": subtotals.get(key, Decimal(0))})
            groups[-1]["rows"].append(row)
        for group in groups:
            group["max"] = sum((r["criterion"].max_points for r in group["rows"]), Decimal(0))
        return groups

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"item_{c.pk}") for c in self.criteria}

    def raw_scores(self) -> dict:
        return {c.pk: self.data.get(f"item_{c.pk}", "") for c in self.criteria}

    def _texts(self, prefix: str, criteria) -> dict:
        """The posted texts by criterion id; a box that was not posted at all keeps its saved text (None is not sent)."""
        return {c.pk: self.data[f"{prefix}_{c.pk}"] for c in criteria if f"{prefix}_{c.pk}" in self.data}

    def comments(self) -> dict:
        return self._texts("comment", self.criteria)

    def strengths(self) -> dict:
        return self._texts("strengths", [c for c in self.criteria if c.pk in self.feedback_ids])

    def improvements(self) -> dict:
        return self._texts("improvements", [c for c in self.criteria if c.pk in self.feedback_ids])


class ExpertProfileForm(forms.ModelForm):
    user = forms.ModelChoiceField(label=_("账号"), queryset=User.objects.none(), help_text=_("须已授予本机构“评审专家”角色"))

    class Meta:
        model = ExpertProfile
        fields = ["user", "name", "id_number", "title", "employer", "employer_credit_code", "group", "group_credit_code",
                  "specialties", "phone", "email", "is_active"]

    def __init__(self, *args, organiser, **kwargs):
        super().__init__(*args, **kwargs)
        users = User.objects.filter(role_assignments__role=Role.EXPERT, role_assignments__organiser=organiser)
        if self.instance.pk:
            self.fields["user"].disabled = True
            self.fields["user"].queryset = User.objects.filter(pk=self.instance.user_id)
        else:
            self.fields["user"].queryset = users.exclude(expert_profiles__organiser=organiser).order_by("username")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存")))

    def clean_employer_credit_code(self):
        return self._code("employer_credit_code")

    def clean_group_credit_code(self):
        return self._code("group_credit_code")

    def _code(self, name):
        from core.identity import validate_credit_code

        value = self.cleaned_data.get(name, "")
        return validate_credit_code(value) if value else ""


class PanelForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80)
    members = IdsChoiceField(label=_("成员"), queryset=ExpertProfile.objects.none(), widget=forms.CheckboxSelectMultiple)
    leader = forms.ModelChoiceField(label=_("组长"), queryset=ExpertProfile.objects.none(), required=False)
    categories = IdsChoiceField(label=_("负责类别"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                                                help_text=_("不选表示本环节全部类别"))

    def __init__(self, *args, stage, panel: ExpertPanel | None = None, **kwargs):
        if panel is not None:
            kwargs.setdefault("initial", {"name": panel.name, "members": list(panel.members.all()), "leader": panel.leader,
                                          "categories": list(panel.categories.all())})
        super().__init__(*args, **kwargs)
        experts = ExpertProfile.objects.filter(organiser=stage.cycle.programme.organiser, is_active=True).order_by("name")
        self.fields["members"].queryset = experts
        self.fields["leader"].queryset = experts
        self.fields["categories"].queryset = stage.cycle.categories.order_by("order")
        self.fields["categories"].label_from_instance = localized
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存")))


class ScheduleForm(forms.Form):
    application = forms.TypedChoiceField(label=_("申报"), coerce=int)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label=_("地点"), max_length=200)
    panel = forms.ModelChoiceField(label=_("专家组"), queryset=ExpertPanel.objects.none(), required=False)
    team = IdsChoiceField(label=_("评审组成员"), queryset=ExpertProfile.objects.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, stage, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.fields["application"].choices = [(a.pk, f"{a.number} {a.applicant_name}") for a in applications]
        self.fields["panel"].queryset = stage.panels.order_by("name")
        self.fields["team"].queryset = ExpertProfile.objects.filter(organiser=stage.cycle.programme.organiser, is_active=True).order_by("name")
        kind = (stage.params or {}).get("scheduling")
        if kind == "presentation":
            self.fields["location"].label = _("会议室")
            self.fields["panel"].required = True
            del self.fields["team"]
        else:
            self.fields["location"].label = _("现场地址")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存日程")))

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start") and data.get("end"):
            tz = timezone.get_current_timezone()
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(data["date"], data["start"]), tz)
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(data["date"], data["end"]), tz)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", _("结束时间须晚于开始时间。"))
        return data


class CutoffForm(forms.Form):
    method = forms.ChoiceField(label=_("晋级方式"), choices=CutoffDecision.Method.choices)
    value = forms.DecimalField(label=_("前K名 / 分数线"), min_value=Decimal("0"), max_digits=8, decimal_places=2)
    reason = forms.CharField(label=_("说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    allow_incomplete = forms.BooleanField(label=_("评分表未收齐仍划线（须在说明中写明理由）"), required=False)

    def clean(self):
        data = super().clean()
        value = data.get("value")
        if data.get("method") == CutoffDecision.Method.TOP_K and value is not None and value != value.to_integral_value():
            self.add_error("value", _("名次须为整数。"))
        return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper(submit_label, *, multipart: bool = False, name: str = "submit") -> FormHelper:
    helper = FormHelper()
    helper.form_method = "post"
    if multipart:
        helper.attrs = {"enctype": "multipart/form-data"}
    helper.add_input(Submit(name, submit_label))
    return helper


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=DateInput())
    location = forms.CharField(label=_("会议地点"), max_length=200, required=False)
    chair = forms.CharField(label=_("主持人"), max_length=100, required=False)
    present_units = forms.MultipleChoiceField(
        label=_("出席成员单位"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    attendees_text = forms.CharField(label=_("出席人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("会议纪要摘要"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.FileField(label=_("会议纪要（PDF/图片/DOCX）"), required=False)

    def __init__(self, *args, body, submit_label=_("保存会议记录"), **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body
        if body.member_units:
            self.fields["present_units"].choices = [(u, u) for u in body.member_units]
            self.fields["present_units"].help_text = _("共 %(n)d 个成员单位，须至少 %(m)d 个出席方可作出决定。") % {
                "n": len(body.member_units),
                "m": body.minimum_present(),
            }
        else:
            del self.fields["present_units"]
            self.fields["attendees_text"].help_text = _("该机构未列出成员单位，请记录出席人员。")
        self.helper = _helper(submit_label, multipart=True)


class VotesDecisionForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0, max_value=999)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0, max_value=999)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0, max_value=999)
    notes = forms.CharField(label=_("说明"), required=False, max_length=2000)


class RecordedDecisionForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("决定"), choices=DecisionOutcome.choices)
    notes = forms.CharField(label=_("说明"), max_length=2000)


class RecommendForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("备注"), required=False, max_length=300)
    allow_incomplete = forms.BooleanField(label=_("评分表未收齐，仍列入"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    start_date = forms.DateField(label=_("公示开始日期"), widget=DateInput())
    title = forms.CharField(label=_("公示标题"), max_length=200)
    notice = forms.CharField(label=_("公示说明"), widget=forms.Textarea(attrs={"rows": 5}))
    contact = forms.CharField(label=_("异议受理联系方式"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ObjectionForm(forms.Form):
    application = forms.TypedChoiceField(label=_("异议对象"), coerce=int, choices=())
    name = forms.CharField(label=_("姓名或单位名称"), max_length=100)
    contact = forms.CharField(label=_("联系方式（电话或电子邮箱）"), max_length=100)
    content = forms.CharField(
        label=_("异议内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请实事求是地说明异议的事实和理由。"),
    )
    attachment = forms.FileField(label=_("证明材料（可选，PDF/JPEG/PNG/DOCX，10 MB 以内）"), required=False)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "—")] + [
            (e.application.pk, f"{e.recommendation.category.display_name} · {e.applicant_name}") for e in entries
        ]
        self.helper = _helper(_("提交异议"), multipart=True)


class InvestigateForm(forms.Form):
    notes = forms.CharField(label=_("调查核实情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("记录调查情况"))


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结论"),
        choices=[("dismissed", _("异议不成立（维持公示名单）")), ("upheld", _("异议成立（撤销该对象）"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("处理意见（理由）"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("作出处理结论"))


class ApprovalForm(forms.Form):
    approved_on = forms.DateField(label=_("批准日期"), widget=DateInput())
    approving_body = forms.CharField(label=_("批准机关"), max_length=120)
    document_number = forms.CharField(
        label=_("批准文号"), max_length=60, help_text=_("如：长府〔2023〕12号")
    )
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("录入批准，确定获奖名单"))

    def clean_document_number(self):
        value = normalise_document_number(self.cleaned_data["document_number"])
        validate_document_number(value)
        return value


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0.01, max_digits=12, decimal_places=2)
    paid_on = forms.DateField(label=_("发放日期"), widget=DateInput(), initial=timezone.localdate)
    reference = forms.CharField(label=_("凭证号"), max_length=100)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class BenefitForm(forms.Form):
    code = forms.ChoiceField(label=_("待遇"), choices=())
    granted_on = forms.DateField(label=_("办理日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("办理情况"), max_length=300, required=False)

    def __init__(self, *args, benefits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(b.get("code"), b.get("text")) for b in benefits]


class FeedbackReportForm(forms.Form):
    """The consolidated 评价反馈报告: an overall text and, per criterion, 优势 and 改进机会 (one point per line)."""

    summary = forms.CharField(label=_("总体评价"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, report, items, **kwargs):
        initial = {"summary": report.summary}
        for item in items:
            initial[f"strengths_{item.criterion_id}"] = item.strengths
            initial[f"improvements_{item.criterion_id}"] = item.improvements
        super().__init__(*args, initial=initial, **kwargs)
        self.items = items
        for item in items:
            for key, label in (("strengths", _("优势")), ("improvements", _("改进机会"))):
                self.fields[f"{key}_{item.criterion_id}"] = forms.CharField(
                    label=label, required=False, max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def texts(self) -> dict:
        return {item.criterion_id: {"strengths": self.cleaned_data.get(f"strengths_{item.criterion_id}", ""),
                                    "improvements": self.cleaned_data.get(f"improvements_{item.criterion_id}", "")}
                for item in self.items}
