"""Forms of the applicant portal: profiles, the configuration-driven application form, uploads.

Input validation and layout only. Which sections a category's form has, and which of them the
applicant may edit now, is decided in applications/sections.py; the form builds the fields of
those sections and disables the ones it is told are not editable.
"""

from __future__ import annotations

import datetime
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from awards.models import ApplicantKind, Category, Cycle
from awards.selectors import rule_params
from core.i18n import DISTRICT_LABELS, OUTSIDE_SHANGHAI, SHANGHAI_DISTRICTS, localized
from core.identity import normalise_code, validate_credit_code, validate_foreign_permanent_id, validate_resident_id

from .eligibility import OVERVIEW_MAX_CHARS, applicable_declarations, count_characters, figure_years
from .models import Application, Attachment, IdType, OrganisationProfile, PersonProfile, RecommendingUnit
from .sections import TEXT_SECTIONS, Section, sections_for

DISTRICT_CHOICES = [("", "---------")] + [(d, DISTRICT_LABELS[d]) for d in [*SHANGHAI_DISTRICTS, OUTSIDE_SHANGHAI]]
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
INTERNATIONAL_PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{6,19}$")
PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def localised(item: dict, key: str = "text") -> str:
    """The English text of a configured item when the user reads English and it has one; a
    numbering label such as （三） reads (3) in English."""
    if _english() and item.get(f"{key}_en"):
        return item[f"{key}_en"]
    value = item.get(key, "")
    if key == "label" and _english() and isinstance(value, str):
        inner = value.strip("（）() ")
        if inner in CHINESE_NUMERALS:
            return f"({CHINESE_NUMERALS[inner]})"
    return value


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    if submit_label:
        helper.add_input(Submit("submit", submit_label))
    return helper


# ---- profiles -----------------------------------------------------------------------------


def _allow_typed_spacing(field: forms.CharField, max_length: int = 40) -> None:
    """Codes are typed with spaces and hyphens; the length is checked after normalising."""
    from django.core.validators import MaxLengthValidator

    field.max_length = max_length
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.widget.attrs["maxlength"] = str(max_length)
    field.widget.attrs.setdefault("autocomplete", "off")


def _not_future(value: datetime.date | None) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"))


class OrganisationProfileForm(forms.ModelForm):
    registered_district = forms.ChoiceField(label=_("注册地（区）"), choices=DISTRICT_CHOICES)

    class Meta:
        model = OrganisationProfile
        fields = [
            "name",
            "credit_code",
            "org_type",
            "registered_district",
            "established_on",
            "legal_representative",
            "address",
            "contact_name",
            "contact_mobile",
            "has_cqo_system",
            "chief_quality_officer",
        ]
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {"credit_code": {"unique": _("该统一社会信用代码已由其他账号登记；一个组织只能登记一次，如需变更请联系评审办公室。")}}
        help_texts = {
            "credit_code": _("18位，可含空格，系统自动转为大写并校验最后一位校验码。"),
            "chief_quality_officer": _("推行首席质量官制度的，请填写首席质量官姓名。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _allow_typed_spacing(self.fields["credit_code"])
        self.helper = _helper(_("保存组织信息"))

    def clean_credit_code(self):
        return validate_credit_code(self.cleaned_data["credit_code"])

    def clean_established_on(self):
        value = self.cleaned_data["established_on"]
        _not_future(value)
        return value

    def clean_contact_mobile(self):
        value = re.sub(r"[\s\-]", "", self.cleaned_data["contact_mobile"])
        if not MOBILE_RE.match(value):
            raise ValidationError(_("请填写11位手机号码，如 13812345678。"))
        return value

    def clean(self):
        data = super().clean()
        if data.get("has_cqo_system") and not (data.get("chief_quality_officer") or "").strip():
            self.add_error("chief_quality_officer", _("已推行首席质量官制度的，请填写首席质量官姓名。"))
        return data


class PersonProfileForm(forms.ModelForm):
    work_district = forms.ChoiceField(label=_("工作（生活）所在区"), choices=DISTRICT_CHOICES, required=False)

    class Meta:
        model = PersonProfile
        fields = [
            "name",
            "name_zh",
            "id_type",
            "id_number",
            "nationality",
            "mobile",
            "employer",
            "employer_credit_code",
            "position",
            "is_org_head",
            "work_district",
            "quality_work_since",
            "district_work_since",
        ]
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        widgets = {"quality_work_since": date_widget, "district_work_since": date_widget}
        labels = {"name": _("姓名（与证件一致）")}
        help_texts = {
            "name_zh": _("外籍人士如有中文姓名请填写。"),
            "id_number": _("居民身份证、外国人永久居留身份证（2023版，9开头18位）校验最后一位；护照请如实填写。"),
            "nationality": _("持护照或外国人永久居留身份证的，请填写国籍。"),
            "quality_work_since": _("申报先进质量管理成果的须填写。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nationality"].required = False
        _allow_typed_spacing(self.fields["id_number"], 60)
        _allow_typed_spacing(self.fields["employer_credit_code"])
        self.helper = _helper(_("保存个人信息"))

    def clean_employer_credit_code(self):
        value = self.cleaned_data.get("employer_credit_code")
        return validate_credit_code(value) if value else ""

    def clean_mobile(self):
        value = (self.cleaned_data.get("mobile") or "").strip()
        if value and not (MOBILE_RE.match(re.sub(r"[\s\-]", "", value)) or INTERNATIONAL_PHONE_RE.match(value)):
            raise ValidationError(_("请填写有效的手机号码（境外号码请以 + 和国家代码开头）。"))
        return value

    def clean_quality_work_since(self):
        value = self.cleaned_data.get("quality_work_since")
        _not_future(value)
        return value

    def clean_district_work_since(self):
        value = self.cleaned_data.get("district_work_since")
        _not_future(value)
        return value

    def clean(self):
        data = super().clean()
        id_type = data.get("id_type")
        raw = data.get("id_number") or ""
        nationality = (data.get("nationality") or "").strip()
        try:
            if id_type == IdType.RESIDENT_ID:
                info = validate_resident_id(raw)
                data["id_number"] = info.number
                data["nationality"] = "中国"
                self.instance.birth_date, self.instance.sex = info.birth_date, info.sex
            elif id_type == IdType.FOREIGN_PERMANENT_ID:
                info = validate_foreign_permanent_id(raw)
                data["id_number"] = info.number
                self.instance.birth_date, self.instance.sex = info.birth_date, info.sex
            elif id_type == IdType.PASSPORT:
                number = normalise_code(raw)
                if not PASSPORT_RE.match(number):
                    raise ValidationError(_("护照号码应为5至20位字母或数字。"))
                data["id_number"] = number
                self.instance.birth_date, self.instance.sex = None, ""
        except ValidationError as exc:
            self.add_error("id_number", exc)
        if id_type in (IdType.FOREIGN_PERMANENT_ID, IdType.PASSPORT):
            if not nationality:
                self.add_error("nationality", _("请填写国籍。"))
            elif nationality in {"中国", "China", "CN", "中华人民共和国"}:
                self.add_error("nationality", _("中国公民请选择居民身份证。"))
        number = data.get("id_number")
        if id_type and number and not self.errors.get("id_number"):
            clash = PersonProfile.objects.filter(id_type=id_type, id_number=number).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("id_number", _("该证件号码已由其他账号登记；如需变更请联系评审办公室。"))
        return data

    def validate_unique(self):
        # (id_type, id_number) is checked in clean() with a message that says what to do.
        pass


# ---- the application form -----------------------------------------------------------------


class ApplicationForm(forms.Form):
    """The application form of one category, built from its configuration.

    All fields are optional while drafting (a draft can be saved at any time); what is still
    missing is reported by the pre-check and blocks submission. Formats (numbers, dates, length)
    are checked on every save, and on an error the typed content is shown again, never dropped.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, application: Application, editable: set[str] | None = None, **kwargs):
        self.application = application
        self.category = application.category
        self.sections = [s for s in sections_for(self.category) if s.code != "attachments"]  # attachments: AttachmentForm
        self.section_fields: dict[str, list[str]] = {s.code: [] for s in self.sections}
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = application.version
        data = application.form_data or {}
        for section in self.sections:
            getattr(self, f"_build_{section.code}")(data)
        for code, names in self.section_fields.items():
            if editable is not None and code not in editable:
                for name in names:
                    self.fields[name].disabled = True

    # -- builders --
    def _add(self, section: str, name: str, field: forms.Field, initial=None) -> None:
        field.required = False
        if initial is not None:
            field.initial = initial
        self.fields[name] = field
        self.section_fields[section].append(name)

    def _build_overview(self, data):
        self._add(
            "overview",
            "overview",
            forms.CharField(
                label=next(s.title for s in self.sections if s.code == "overview"),
                widget=forms.Textarea(attrs={"rows": 12, "data-max-chars": OVERVIEW_MAX_CHARS, "class": "js-char-count"}),
                strip=False,
                help_text=_("不超过 %(n)d 字（汉字、字母、数字、标点各计1字）。") % {"n": OVERVIEW_MAX_CHARS},
            ),
            data.get("overview", ""),
        )

    def _build_figures(self, data):
        figures = data.get("figures") or {}
        for year in figure_years(self.application.cycle):
            row = figures.get(str(year)) or {}
            revenue = forms.DecimalField(label=_("%(y)d年营业收入（万元）") % {"y": year}, max_digits=14, decimal_places=2, min_value=0)
            profit = forms.DecimalField(label=_("%(y)d年利润总额（万元）") % {"y": year}, max_digits=14, decimal_places=2, help_text=_("亏损填负数"))
            revenue.money_unit = profit.money_unit = "wan"  # how applications/answers.py shows the amount
            self._add("figures", f"fig_{year}_revenue", revenue, row.get("revenue"))
            self._add("figures", f"fig_{year}_profit", profit, row.get("profit"))
            self._add("figures", f"fig_{year}_policy_loss", forms.BooleanField(label=_("%(y)d年如亏损，属政策性亏损") % {"y": year}), bool(row.get("policy_loss")))

    def _build_certifications(self, data):
        self._add("certifications", "certifications", forms.CharField(label=_("管理体系认证情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000), data.get("certifications", ""))

    def _build_achievements(self, data):
        self._add("achievements", "achievements", forms.CharField(label=_("主要成果"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000), data.get("achievements", ""))

    def _build_contribution(self, data):
        self._add(
            "contribution",
            "contribution",
            forms.CharField(label=_("贡献陈述"), widget=forms.Textarea(attrs={"rows": 8, "data-max-chars": OVERVIEW_MAX_CHARS, "class": "js-char-count"}), strip=False),
            data.get("contribution", ""),
        )

    def _build_criteria(self, data):
        chosen = {str(c.get("code")): c.get("evidence", "") for c in self.application.criteria or [] if isinstance(c, dict)}
        for item in self.category.criteria or []:
            code = str(item["code"])
            self._add("criteria", f"crit_{code}", forms.BooleanField(label=f"{localised(item, 'label')} {localised(item)}"), code in chosen)
            self._add(
                "criteria",
                f"crit_{code}_evidence",
                forms.CharField(label=_("事实依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000),
                chosen.get(code, ""),
            )

    def _build_declarations(self, data):
        params = rule_params(self.category, "declarations") or {}
        given = self.application.declarations or {}
        for item in applicable_declarations(params.get("items", []), self.application):
            self._add("declarations", f"decl_{item['code']}", forms.BooleanField(label=localised(item)), given.get(item["code"]) is True)

    def _build_publicity(self, data):
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self._add("publicity", "publicity_start", forms.DateField(label=_("内部公示开始日期"), widget=widget), self.application.internal_publicity_start)
        self._add("publicity", "publicity_end", forms.DateField(label=_("内部公示结束日期"), widget=widget), self.application.internal_publicity_end)

    def _build_questions(self, data):
        if rule_params(self.category, "not_city_award_same_year") is not None:
            self._add(
                "questions",
                "city_award_same_year",
                forms.ChoiceField(label=_("本年度是否同时申报上海市政府质量奖"), choices=[("", "---------"), ("no", _("否")), ("yes", _("是"))]),
                data.get("city_award_same_year", ""),
            )
        params = rule_params(self.category, "prior_award_years")
        if params:
            self._add(
                "questions",
                "prior_award_year",
                forms.IntegerField(label=_("获得%(level)s的年份") % {"level": params["level"]}, min_value=1990, max_value=2100),
                data.get("prior_award_year"),
            )

    def _build_recommender(self, data):
        units = RecommendingUnit.objects.filter(organiser_id=self.application.cycle.programme.organiser_id).order_by("kind", "name")
        field = forms.ModelChoiceField(
            label=_("推荐单位"),
            queryset=units,
            empty_label=_("（直接申报，无推荐单位）") if self.category.applicant_kind != ApplicantKind.FOREIGN_INDIVIDUAL else "---------",
            help_text=_("经行业主管部门、街镇、行业协会、控股（集团）公司等推荐申报的，请选择推荐单位。"),
        )
        field.label_from_instance = localized
        self._add("recommender", "recommender", field, self.application.recommender_id)
        if self.application.nominated_by_id:
            field.disabled = True
            field.help_text = _("由推荐单位推荐，不可更改。")

    # -- validation --
    def clean(self):
        data = super().clean()
        for name in ("overview", "contribution"):
            if name in self.fields and not self.fields[name].disabled:
                length = count_characters(data.get(name))
                if length > OVERVIEW_MAX_CHARS:
                    self.add_error(name, _("当前 %(n)d 字，超过 %(max)d 字上限，请删减 %(over)d 字。") % {"n": length, "max": OVERVIEW_MAX_CHARS, "over": length - OVERVIEW_MAX_CHARS})
        start, end = data.get("publicity_start"), data.get("publicity_end")
        if start and end and end < start:
            self.add_error("publicity_end", _("结束日期不能早于开始日期。"))
        for item in self.category.criteria or []:
            code = str(item["code"])
            if data.get(f"crit_{code}") and not (data.get(f"crit_{code}_evidence") or "").strip():
                self.add_error(f"crit_{code}_evidence", _("选择此条件的，请说明事实依据。"))
        return data

    def changes(self) -> dict:
        """The cleaned input as model changes, only for the enabled (editable) sections."""
        data = self.cleaned_data
        form_data = dict(self.application.form_data or {})
        changes: dict = {}
        enabled = {code for code, names in self.section_fields.items() if names and not self.fields[names[0]].disabled}
        for name in TEXT_SECTIONS:
            if name in enabled:
                form_data[name] = (data.get(name) or "").replace("\r\n", "\n")
        if "figures" in enabled:
            figures = {}
            for year in figure_years(self.application.cycle):
                revenue, profit = data.get(f"fig_{year}_revenue"), data.get(f"fig_{year}_profit")
                figures[str(year)] = {
                    "revenue": None if revenue is None else format(revenue, "f"),
                    "profit": None if profit is None else format(profit, "f"),
                    "policy_loss": bool(data.get(f"fig_{year}_policy_loss")),
                }
            form_data["figures"] = figures
        if "questions" in enabled:
            if "city_award_same_year" in self.fields:
                form_data["city_award_same_year"] = data.get("city_award_same_year") or ""
            if "prior_award_year" in self.fields:
                form_data["prior_award_year"] = data.get("prior_award_year")
        changes["form_data"] = form_data
        if "declarations" in enabled:
            declarations = dict(self.application.declarations or {})
            for name in self.section_fields["declarations"]:
                declarations[name.removeprefix("decl_")] = bool(data.get(name))
            changes["declarations"] = declarations
        if "criteria" in enabled:
            changes["criteria"] = [
                {"code": str(item["code"]), "evidence": (data.get(f"crit_{item['code']}_evidence") or "").strip()}
                for item in self.category.criteria or []
                if data.get(f"crit_{item['code']}")
            ]
        if "publicity" in enabled:
            changes["internal_publicity_start"] = data.get("publicity_start")
            changes["internal_publicity_end"] = data.get("publicity_end")
        if "recommender" in enabled:
            changes["recommender"] = data.get("recommender")
        return changes

    def grouped(self) -> list[tuple[Section, list]]:
        return [(s, [self[name] for name in self.section_fields[s.code]]) for s in self.sections if self.section_fields[s.code]]

    def changed_sections(self) -> list[str]:
        return [code for code, names in self.section_fields.items() if any(n in self.changed_data for n in names)]


class StartApplicationForm(forms.Form):
    """Choose the category (and for organisations, which of the user's organisations applies)."""

    category = forms.ModelChoiceField(label=_("申报类别"), queryset=Category.objects.none(), widget=forms.RadioSelect, empty_label=None)
    organisation = forms.ModelChoiceField(label=_("申报组织"), queryset=OrganisationProfile.objects.none(), required=False)

    def __init__(self, *args, cycle: Cycle, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = cycle.categories.order_by("order", "id")
        self.fields["category"].label_from_instance = localized
        self.fields["organisation"].queryset = OrganisationProfile.objects.filter(owner=user).order_by("name")
        self.helper = _helper(_("创建申报草稿"))

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category and category.applicant_kind == ApplicantKind.ORGANISATION and not data.get("organisation"):
            orgs = list(self.fields["organisation"].queryset[:2])
            if len(orgs) == 1:
                data["organisation"] = orgs[0]
            else:
                self.add_error("organisation", _("请选择申报组织；如尚未登记，请先填写组织信息。"))
        return data


class AttachmentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("附件用途"), choices=Attachment.Purpose.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPEG、PNG、Word（.docx）或 Excel（.xlsx）；按文件内容识别类型。"))

    def __init__(self, *args, purposes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if purposes:
            self.fields["purpose"].choices = [(p, label) for p, label in Attachment.Purpose.choices if p in purposes]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False)


class NominationForm(forms.Form):
    category = forms.ModelChoiceField(label=_("推荐类别"), queryset=Category.objects.none())
    nominee_name = forms.CharField(label=_("被推荐人（单位）名称"), max_length=200)
    nominee_email = forms.EmailField(label=_("被推荐人邮箱"), help_text=_("系统将向该邮箱发送邀请，被推荐人用此邮箱注册或登录后填写申报材料。"))
    reason = forms.CharField(label=_("推荐理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: f"{c.cycle.programme.name}（{c.cycle.name}）· {c.name}"
        self.helper = _helper(_("推荐并发送邀请"))

    def clean_nominee_email(self):
        return self.cleaned_data["nominee_email"].strip().lower()


class BlacklistImportForm(forms.Form):
    organiser = forms.ModelChoiceField(label=_("主办机构"), queryset=None)
    text = forms.CharField(
        label=_("名单（每行一条）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行：代码或证件号[,名称[,原因]]，可用逗号或制表符分隔。"),
    )
    file = forms.FileField(label=_("或上传CSV/文本文件"), required=False)
    source = forms.CharField(label=_("来源"), max_length=200, help_text=_("如：区公共信用信息服务平台 2025-11-20 查询结果"))

    def __init__(self, *args, organisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers
        self.helper = _helper(_("导入名单"))

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        text = data.get("text") or ""
        if upload:
            if upload.size > 2 * 1024 * 1024:
                raise ValidationError(_("文件不能超过2MB。"))
            raw = upload.read()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text += "\n" + raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValidationError(_("无法识别文件编码，请保存为UTF-8或GBK编码的文本/CSV。"))
        if not text.strip():
            raise ValidationError(_("请粘贴名单或上传文件。"))
        data["lines"] = text.splitlines()
        return data
