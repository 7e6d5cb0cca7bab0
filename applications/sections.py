"""The sections of the application form, and which of them the applicant may edit now.

Every place that names a part of an application reads it here: the online form and its blank
copy, the pre-check's completeness items, the staff's supplement request (补充材料 names the
sections to fix) and the PDF of the 申报书.

    overview        组织概述 / 个人概述 (≤ 3000 characters, counted as people count them)
    figures         近三年主要经营指标 (revenue, profit/loss, policy-loss flag per year)   — organisations
    certifications  管理体系认证情况                                                      — organisations
    achievements    主要成果                                                              — individuals
    criteria        符合的参评条件 (一)–(五) with evidence                                 — foreign individuals (虹桥友谊奖)
    contribution    贡献陈述                                                              — foreign individuals (虹桥友谊奖)
    declarations    申报承诺 (when the category has a `declarations` rule)
    publicity       内部公示起止日期 and proof (when the category has an `internal_publicity` rule)
    questions       other answers some rules need (同年申报市级奖、已获奖项年份)
    recommender     推荐单位
    attachments     附件 (upload / delete)

Which sections a category has follows from its configuration: applicant kind and rules.

Editing: a draft is editable while the cycle's window is open; while a supplement is requested,
only the sections named by the open SupplementRequest (SupplementRequest.objects.open_for, the one
lookup of it) or, if it names none, attachments only; otherwise nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from awards.models import ApplicantKind, Category
from awards.selectors import rule_params
from reviews.models import SupplementRequest

from .models import Application, ApplicationStatus


@dataclass(frozen=True)
class Section:
    code: str
    title: object
    help: object = ""


# Every section an application form can have, in form order, with the title that serves every
# category (a supplement request across categories); sections_for() gives one category's own.
SECTIONS: tuple[Section, ...] = (
    Section("overview", _("概述")),
    Section("figures", _("近三年主要经营指标"), _("单位：万元；亏损请填负数。")),
    Section("certifications", _("管理体系认证情况"), _("每行一项：体系名称、证书编号、有效期。")),
    Section("achievements", _("主要成果"), _("质量管理理论研究成果或实践成果，每行一项。")),
    Section("criteria", _("符合的参评条件"), _("请至少选择一项，并逐项说明事实依据。")),
    Section("contribution", _("贡献陈述"), _("在长宁区的主要贡献与社会影响。")),
    Section("declarations", _("申报承诺")),
    Section("publicity", _("申报前内部公示"), _("申报前须在本单位内部公示；请填写起止日期并在附件中上传公示证明。")),
    Section("questions", _("其他申报信息")),
    Section("recommender", _("推荐单位")),
    Section("attachments", _("附件")),
)
SECTION_CODES: tuple[str, ...] = tuple(section.code for section in SECTIONS)
_BY_CODE = {section.code: section for section in SECTIONS}

# The sections that are free text in Application.form_data, in the order the printed 申报书 (PDF)
# gives them, with its headings (official Chinese wording, not translated).
TEXT_SECTIONS: dict[str, str] = {
    "overview": "申报对象概况",
    "achievements": "主要成果及成效",
    "contribution": "主要贡献",
    "certifications": "管理体系认证及荣誉",
}

# The sections an applicant kind starts with; the rules add the rest (sections_for).
KIND_SECTIONS = {
    ApplicantKind.ORGANISATION: ("overview", "figures", "certifications"),
    ApplicantKind.INDIVIDUAL: ("overview", "achievements"),
    ApplicantKind.FOREIGN_INDIVIDUAL: ("criteria", "contribution"),
}
# The overview is titled after who applies.
KIND_OVERVIEW = {
    ApplicantKind.ORGANISATION: Section("overview", _("组织概述"), _("组织概况、质量管理模式的特点与成效，不超过3000字。")),
    ApplicantKind.INDIVIDUAL: Section("overview", _("个人概述"), _("个人从事质量工作的经历与主要贡献，不超过3000字。")),
}


def section_codes_for(category: Category) -> list[str]:
    codes = list(KIND_SECTIONS.get(category.applicant_kind, KIND_SECTIONS[ApplicantKind.FOREIGN_INDIVIDUAL]))
    if rule_params(category, "declarations"):
        codes.append("declarations")
    if rule_params(category, "internal_publicity"):
        codes.append("publicity")
    if rule_params(category, "not_city_award_same_year") is not None or rule_params(category, "prior_award_years"):
        codes.append("questions")
    return codes + ["recommender", "attachments"]


def sections_for(category: Category) -> list[Section]:
    """The sections of the application form of a category, in order, titled for it."""
    return [
        KIND_OVERVIEW.get(category.applicant_kind, _BY_CODE[code]) if code == "overview" else _BY_CODE[code]
        for code in section_codes_for(category)
    ]


def section_choices(application: Application) -> list[tuple[str, str]]:
    """(code, title) of the sections of an application's form: what a supplement request can name."""
    return [(section.code, str(section.title)) for section in sections_for(application.category)]


def all_section_choices() -> list[tuple[str, str]]:
    """(code, title) of every section: what a supplement request across categories can name."""
    return [(section.code, str(section.title)) for section in SECTIONS]


# ---- editability ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Editability:
    """What the applicant may change now. sections: None = every section, empty = none."""

    sections: frozenset[str] | None

    @property
    def anything(self) -> bool:
        """The edit page opens (something may change)."""
        return self.sections is None or bool(self.sections)

    def allows(self, code: str) -> bool:
        return self.sections is None or code in self.sections


def editability(application: Application) -> Editability:
    """A draft: every section while the cycle's window is open, none after. While a supplement is
    requested: the sections staff named in the open SupplementRequest, or attachments only if it
    names none. Any other status: none."""
    if application.status == ApplicationStatus.DRAFT:
        return Editability(None if application.cycle.is_open() else frozenset())
    if application.status == ApplicationStatus.SUPPLEMENT_REQUESTED:
        request = SupplementRequest.objects.open_for(application)
        named = frozenset(code for code in (getattr(request, "sections", None) or []) if code in SECTION_CODES)
        return Editability(named or frozenset({"attachments"}))
    return Editability(frozenset())
