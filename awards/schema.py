"""The YAML schema of programme configuration, as one data structure.

`awards/loader.py` validates every document against it (unknown fields, required fields, value
types), and `tests/awards/test_schema.py` checks that docs/configuration.md names every section
and field below, every stage kind with its parameters and every eligibility rule kind with its
parameters — so neither the loader nor the documentation can drift from this file silently.

A field's `type` is one of TYPES; `nullable` means `null` is accepted (for a quota: 待定, not yet
set); `column` says the value is stored in the model field of the same name (otherwise the loader
handles it: a child list, a reference by code, a sub-mapping); `unit` is stated in the docs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

TYPES = ("text", "code", "integer", "decimal", "boolean", "date", "datetime", "list", "mapping")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    doc: str
    required: bool = False
    nullable: bool = False
    column: bool = True
    unit: str = ""
    hint: str = ""  # the problem stated when the value has the wrong type (default: from the type)


@dataclass(frozen=True)
class Section:
    key: str  # where it sits in a document, e.g. "cycle.categories[]"
    title: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields if f.column]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _f(name, type_, doc, **kw) -> Field:
    return Field(name, type_, doc, **kw)


T, C, I, N, B, D, DT, L, M = TYPES  # noqa: E741 - short aliases for the table below

SECTIONS: dict[str, Section] = {
    s.key: s
    for s in [
        Section("organiser-document", "主办机构文件（kind: organiser）", (
            _f("kind", C, "固定为 organiser", required=True, column=False),
            _f("organisers", L, "主办机构列表，每项见下一节；代码不得重复", required=True, column=False),
        )),
        Section("organisers[]", "主办机构", (
            _f("code", C, "稳定代码，如 changning；其他文件以此引用", required=True),
            _f("name", T, "全称，如 上海市长宁区人民政府", required=True),
            _f("name_en", T, "英文全称，如 Changning District People's Government, Shanghai（英文界面显示）"),
            _f("short_name", T, "简称，如 长宁区", required=True),
            _f("short_name_en", T, "英文简称，如 Changning District"),
            _f("issuing_unit", T, "请示等公文的发文机关"),
            _f("doc_prefix", T, "机关代字，如 长人社（文号 长人社〔2022〕46号）"),
            _f("signer", T, "签发人"),
            _f("office_name", T, "评审办公室名称"),
            _f("office_name_en", T, "评审办公室英文名称（英文界面显示）"),
            _f("address", T, "地址"),
            _f("postcode", T, "邮政编码（请加引号）"),
            _f("phone", T, "联系电话（请加引号）"),
            _f("recommending_units", L, "推荐单位列表，每项见“推荐单位”一节；名称不得重复。只增改、不删除已有单位", column=False),
        )),
        Section("organisers[].recommending_units[]", "推荐单位（recommending_units）", (
            _f("name", T, "名称，如 长宁区商务委员会；在本主办机构内唯一", required=True),
            _f("name_en", T, "英文名称，如 Changning District Commission of Commerce"),
            _f("kind", C, "类型：industry_department、subdistrict、association、holding_group、prior_winner 或 expert", required=True),
            _f("credit_code", T, "统一社会信用代码"),
        )),
        Section("cycle-document", "评选周期文件（kind: cycle）", (
            _f("kind", C, "固定为 cycle", required=True, column=False),
            _f("organiser", C, "主办机构代码（须已在 organiser 文件中定义）", required=True, column=False),
            _f("programme", M, "奖项，见“奖项”一节", required=True, column=False),
            _f("cycle", M, "本届评选周期，见“评选周期”一节", required=True, column=False),
        )),
        Section("programme", "奖项（programme）", (
            _f("code", C, "奖项代码，如 changning-quality；同一代码的多届共用一个奖项", required=True),
            _f("name", T, "项目名称，如 长宁区政府质量奖", required=True),
            _f("name_en", T, "英文名称"),
            _f("host", T, "主办单位", required=True),
            _f("host_en", T, "主办单位英文名称"),
            _f("undertaker", T, "承办单位"),
            _f("undertaker_en", T, "承办单位英文名称"),
            _f("office", T, "评审办公室所在单位"),
            _f("certificate_prefix", T, "荣誉证书编号前缀，如 长质奖（编号 长质奖〔2023〕第1号）；留空以项目名称为前缀"),
            _f("office_en", T, "评审办公室英文名称"),
            _f("description", T, "简介"),
            _f("description_en", T, "英文简介"),
        )),
        Section("cycle", "评选周期（cycle）", (
            _f("code", C, "周期代码，如 changning-quality-2023；全局唯一", required=True),
            _f("name", T, "届次或年度名称，如 2023年度、第五届", required=True),
            _f("name_en", T, "英文名称（纯数字请加引号）"),
            _f("year", I, "年度", required=True),
            _f("project_type", T, "项目类型：retained（保留项目）或 new（新设项目）"),
            _f("project_type_mark", T, "申报表“项目类型”所选项前的符号，按原文：√（默认）或 ■"),
            _f("form_quota_unit_collective", T, "申报表表彰名额（集体）后的单位，按原文，如 个；留空不写"),
            _f("form_quota_unit_individual", T, "申报表表彰名额（个人）后的单位，按原文，如 人；留空不写"),
            _f("activity_period_years", I, "活动周期", unit="年"),
            _f("application_opens_at", DT, "申报开始时间，带时区，如 2023-02-01T00:00:00+08:00；null 表示即日起",
               nullable=True, hint="应为带时区的时间，如 2025-12-30T23:59:59+08:00"),
            _f("application_closes_at", DT, "申报截止时间，带时区，精确到秒，如 2025-12-30T23:59:59+08:00；null 表示未定（不接受申报）",
               nullable=True, hint="应为带时区的时间，如 2025-12-30T23:59:59+08:00"),
            _f("held_on_text", T, "申报表“举办时间”原文，如 2023 年 9 月（拟定）"),
            _f("held_on", D, "计划举办日期", nullable=True, hint="应为日期，如 2023-09-01"),
            _f("ceremony_text", T, "表彰形式"),
            _f("previous_held_on_text", T, "上届举办时间原文"),
            _f("previous_quota_collective", I, "上届表彰名额（集体）", nullable=True, unit="个"),
            _f("previous_quota_individual", I, "上届表彰名额（个人）", nullable=True, unit="名"),
            _f("population_collective", I, "评选范围（集体）：符合条件的组织数，用于计算表彰比例", nullable=True, unit="个"),
            _f("population_individual", I, "评选范围（个人）：符合条件的个人数，用于计算表彰比例", nullable=True, unit="人"),
            _f("scope_text", T, "评选范围说明（申报表原文）"),
            _f("award_setup_text", T, "奖项设置说明（申报表原文）"),
            _f("reason_and_basis", T, "申请理由及依据"),
            _f("reward_standard_text", T, "奖励标准（申报表原文）"),
            _f("funding_source", T, "经费来源（申报表原文）"),
            _f("work_plan_funding_source", T, "经费来源（工作方案原文；与申报表不同时各自保留）"),
            _f("contact_name", T, "联系人"),
            _f("contact_phone", T, "联系电话（请加引号）"),
            _f("contact_address", T, "材料寄送地址"),
            _f("contact_postcode", T, "邮政编码（请加引号）"),
            _f("notice", M, "申报通知各节：title、intro、period_text、procedure、standards、forms、source"),
            _f("work_plan", M, "工作方案：title 与 sections（每节 title、paragraphs）"),
            _f("feedback_release", C, "评价反馈报告发布方式：on_approval（审定后即发布，默认）、after_decision（审定且本周期批准表彰后发布）或 never"),
            _f("applications_per_applicant", I, "每个申报人在本周期可申报的数量", unit="项"),
            _f("previous_cycle", C, "上届周期代码（须已存在），用于上届名额与比例", nullable=True, column=False),
            _f("review_bodies", L, "评审机构列表，见“评审机构”一节；代码不得重复", column=False),
            _f("stages", L, "评审环节列表（按顺序），见“评审环节”一节；至少一个，代码不得重复", required=True, column=False),
            _f("categories", L, "奖项类别列表，见“奖项类别”一节；至少一个，代码不得重复", required=True, column=False),
        )),
        Section("cycle.review_bodies[]", "评审机构（review_bodies）", (
            _f("code", C, "代码，会议环节的 params.body 以此引用", required=True),
            _f("name", T, "名称，如 区长质量奖评审联席会议", required=True),
            _f("convener", T, "召集人"),
            _f("executive_convener", T, "常务召集人"),
            _f("office", T, "办公室"),
            _f("description", T, "组成说明"),
            _f("member_units", L, "成员单位名称列表"),
            _f("quorum", M, "法定人数：numerator / denominator（出席单位占成员单位的比例）与 strict", column=False),
        )),
        Section("quorum", "法定人数（quorum）", (
            _f("numerator", I, "分子，如 2（三分之二）"),
            _f("denominator", I, "分母，如 3；须大于 0"),
            _f("strict", B, "true：出席须“超过”该比例；false：达到即可。默认 true"),
        )),
        Section("cycle.stages[]", "评审环节（stages）", (
            _f("code", C, "环节代码，在本周期内唯一；综合评价的 weights 以此引用", required=True),
            _f("name", T, "名称，如 资格审查", required=True),
            _f("name_en", T, "英文名称"),
            _f("kind", C, "环节类型，见下表", required=True),
            _f("params", M, "该类型的参数，见下表；未写的取默认值"),
            _f("planned_start", D, "计划开始日期", nullable=True, hint="应为日期，如 2023-09-01"),
            _f("planned_end", D, "计划结束日期", nullable=True, hint="应为日期，如 2023-09-01"),
        )),
        Section("cycle.categories[]", "奖项类别（categories）", (
            _f("code", C, "类别代码，在本周期内唯一", required=True),
            _f("order", I, "排序"),
            _f("level", T, "奖项等级，如 区长质量奖", required=True),
            _f("track", T, "奖项类别，如 先进质量管理模式（项目）"),
            _f("name_en", T, "英文名称"),
            _f("applicant_kind", C, "申报对象：organisation（组织）、individual（个人）或 foreign_individual（外籍个人）", required=True),
            _f("quota", I, "表彰名额；null 或不写表示待定（导入时给出警告，评选周期页面也会提示）",
               nullable=True, unit="个/名", hint="名额应为不小于0的整数（或留空表示待定）"),
            _f("prize_amount", N, "每个奖项的奖金；null 表示无奖金（如精神奖励）", nullable=True, unit="元", hint="应为数字（元）"),
            _f("prize_change_reason", T, "修改已批准周期的奖金时必填：变更理由（记入操作日志）", column=False),
            _f("reward_text", T, "奖励方式文字，如 精神奖励"),
            _f("benefits", L, "非奖金待遇列表，每项 code、text、text_en；代码不得重复"),
            _f("standard", T, "评价标准，如 GB/T 19580《卓越绩效评价准则》"),
            _f("standard_en", T, "评价标准英文名称，如 GB/T 19580 Criteria for Performance Excellence"),
            _f("criteria", L, "参评条件（至少符合其一）列表，每项 code、label、text、text_en；代码不得重复"),
            _f("description", T, "说明"),
            _f("rubrics", M, "评分标准：{组织类型: 评分标准代码}，\"\" 为默认", column=False),
            _f("rules", L, "资格条件列表，见“资格条件”一节（按顺序）", column=False),
        )),
        Section("cycle.categories[].benefits[]", "奖励待遇（benefits）", (
            _f("code", C, "代码，在本类别内唯一（发放登记以此对应）", required=True),
            _f("text", T, "待遇说明", required=True),
            _f("text_en", T, "英文说明"),
        )),
        Section("cycle.categories[].criteria[]", "参评条件（criteria）", (
            _f("code", C, "代码，在本类别内唯一", required=True),
            _f("label", T, "序号，如 （一）"),
            _f("text", T, "条件原文", required=True),
            _f("text_en", T, "英文说明"),
        )),
        Section("cycle.categories[].rules[]", "资格条件（rules）", (
            _f("kind", C, "规则类型，见下表", required=True),
            _f("params", M, "该规则的参数，见下表"),
            _f("severity", C, "blocking（不符合即不能提交，默认）或 review（不符合时转人工审核）"),
            _f("description", T, "条件原文，如 在本区注册登记"),
            _f("enabled", B, "false：规则已配置但不参与资格审查（默认 true）"),
        )),
        Section("rubric-document", "评分标准文件（kind: rubric）", (
            _f("kind", C, "固定为 rubric", required=True, column=False),
            _f("organiser", C, "所属主办机构代码；省略表示系统模板（用于某机构的类别时自动复制为该机构的评分标准，代码为 机构代码-模板代码）", column=False),
            _f("code", C, "评分标准代码，如 gbt-19580-2012；类别的 rubrics 以此引用", required=True),
            _f("name", T, "名称", required=True),
            _f("standard", T, "标准编号，如 GB/T 19580-2012", required=True),
            _f("total_points", N, "总分；一级条款分值之和须等于总分", required=True, unit="分", hint="应为数字"),
            _f("is_official", B, "true：标准正式条款；false：系统默认表，待导入正式条款"),
            _f("note", T, "说明"),
            _f("feedback_enabled", B, "true（默认）：专家按条款填写优势、改进机会，汇总为评价反馈报告"),
            _f("criteria", L, "评分条款树，见“评分条款”一节；条款号在整棵树内唯一", required=True, column=False),
        )),
        Section("criteria[]", "评分条款（criteria）", (
            _f("code", C, "条款号，如 \"4.1\"（请加引号）；在整个评分标准内唯一", required=True),
            _f("name", T, "名称", required=True),
            _f("max_points", N, "分值；下级条款分值之和须等于本条款分值", required=True, unit="分", hint="应为数字"),
            _f("kind", C, "评价方式：process（方法-展开-学习-整合）、result（水平-趋势-对比-整合）或 plain（默认）"),
            _f("guidance", T, "评分要点"),
            _f("name_en", T, "英文名称（英文评价反馈报告用）"),
            _f("feedback_enabled", B, "false：本条款不收集优势、改进机会（默认 true）"),
            _f("children", L, "下级条款列表（同样的字段）", column=False),
        )),
        Section("letter-document", "公文文件（kind: letter）", (
            _f("kind", C, "固定为 letter", required=True, column=False),
            _f("organiser", C, "主办机构代码", required=True, column=False),
            _f("letter_kind", C, "文种，默认 request（请示）", column=False),
            _f("cycles", L, "随文报送的本机构周期代码（按顺序）", column=False),
            _f("code", C, "公文代码，如 changning-2022-46", required=True),
            _f("doc_prefix", T, "机关代字，如 长人社", required=True),
            _f("doc_year", I, "文号年份", required=True),
            _f("doc_serial", I, "文号序号", required=True),
            _f("signer", T, "签发人"),
            _f("addressee", T, "主送机关", required=True),
            _f("title", T, "标题", required=True),
            _f("body", L, "正文段落列表", required=True),
            _f("attachment_note", T, "附件说明"),
            _f("issuer", T, "发文机关署名", required=True),
            _f("issued_on", D, "成文日期", required=True, hint="应为日期，如 2022-12-05"),
            _f("disclosure", T, "公开方式，如 此件主动公开"),
            _f("printed_by", T, "印发机关"),
            _f("printed_on", D, "印发日期", nullable=True, hint="应为日期，如 2022-12-05"),
            _f("inner_letter", M, "随文附上的下一级请示：heading、title、addressee、body、attachments、issuer、issued_on"),
        )),
    ]
}

KINDS = {"organiser": "organiser-document", "rubric": "rubric-document", "cycle": "cycle-document", "letter": "letter-document"}

# Lists whose items are identified by a code: a repeated code would silently overwrite (or, on an
# existing cycle, delete) a row, so the loader refuses it naming the list and both positions.
CODED_LISTS = ("organisers", "cycle.review_bodies", "cycle.stages", "cycle.categories", "benefits", "criteria")


def section(key: str) -> Section:
    return SECTIONS[key]


def type_problem(spec: Field, value: Any) -> str:
    """Why `value` does not fit `spec`, or "" when it does. None is checked by the caller."""
    kind = spec.type
    ok = True
    if kind in ("text", "code"):
        ok = isinstance(value, str)
        if not ok:
            return _(spec.hint) if spec.hint else _("应为文字，当前为 %(v)r；数字或日期样式的文字请加引号") % {"v": value}
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            ok = False
        else:
            try:
                ok = Decimal(str(value)).is_finite()
            except InvalidOperation:
                ok = False
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "date":
        ok = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    elif kind == "datetime":
        ok = isinstance(value, datetime.datetime) and value.tzinfo is not None
    elif kind == "list":
        ok = isinstance(value, list)
    elif kind == "mapping":
        ok = isinstance(value, dict)
    if ok:
        return ""
    if spec.hint:
        return _(spec.hint)
    return {
        "integer": lambda: _("应为整数"),
        "decimal": lambda: _("应为数字（%(unit)s）") % {"unit": spec.unit} if spec.unit else _("应为数字"),
        "boolean": lambda: _("应为 true 或 false"),
        "date": lambda: _("应为日期，如 2023-09-01"),
        "datetime": lambda: _("应为带时区的时间，如 2025-12-30T23:59:59+08:00"),
        "list": lambda: _("应为列表"),
        "mapping": lambda: _("应为键值对（mapping）"),
    }[kind]()


# The hints above are looked up in the catalogue when shown; these lines let makemessages find them.
_HINTS = [
    _noop("应为带时区的时间，如 2025-12-30T23:59:59+08:00"), _noop("应为日期，如 2023-09-01"),
    _noop("名额应为不小于0的整数（或留空表示待定）"), _noop("应为数字（元）"), _noop("应为数字"), _noop("应为日期，如 2022-12-05"),
]
