"""Input validation and layout for the decisions pages (services do the rules)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DecisionOutcome, normalise_document_number, validate_document_number


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
            (e.application.pk, f"{e.recommendation.category.name} · {e.applicant_name}") for e in entries
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
