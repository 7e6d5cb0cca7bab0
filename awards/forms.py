"""Forms of the staff configuration pages: the next 届 (clone a cycle) and the past-winners import."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _datetime_widget(label):
    """Browser date and time boxes; the time keeps its seconds (a deadline of 23:59:59). The field's <label>
    cannot point at two boxes, so each is named by an aria-label: "申报开始 · 日期", "申报开始 · 时间"."""
    return forms.SplitDateTimeWidget(
        date_attrs={"type": "date", "class": "form-control", "aria-label": format_lazy("{} · {}", label, _("日期"))},
        time_attrs={"type": "time", "step": "1", "class": "form-control", "aria-label": format_lazy("{} · {}", label, _("时间"))},
        date_format="%Y-%m-%d", time_format="%H:%M:%S",
    )


class CycleCloneForm(forms.Form):
    code = forms.SlugField(label=_("新周期代码"), max_length=60, help_text=_("稳定的标识，如 changning-quality-2026；只用小写字母、数字和连字符"))
    name = forms.CharField(label=_("名称"), max_length=120, help_text=_("如：2026年度、第六届"))
    name_en = forms.CharField(label=_("英文名称"), max_length=160, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    opens_at = forms.SplitDateTimeField(label=_("申报开始"), widget=_datetime_widget(_("申报开始")), required=False,
                                        input_time_formats=["%H:%M:%S", "%H:%M"])
    closes_at = forms.SplitDateTimeField(label=_("申报截止"), widget=_datetime_widget(_("申报截止")), required=False,
                                         input_time_formats=["%H:%M:%S", "%H:%M"], help_text=_("如 23:59:59"))

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        for name in ("code", "name", "name_en", "year"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.source is not None and year <= self.source.year:
            raise forms.ValidationError(_("下一届的年度应晚于本届（%(y)d）。") % {"y": self.source.year})
        return year

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("申报截止时间必须晚于开始时间。"))
        return cleaned


class PastWinnersUploadForm(forms.Form):
    file = forms.FileField(label=_("往届获奖名单（Excel .xlsx）"),
                           help_text=_("第1行为列标题：名称、统一社会信用代码或身份证号码、奖项、年度；每行一个获奖者"))
