"""Conflicts of interest (回避): detected from the data, or declared by the expert.

detect_conflicts() needs no queries beyond what the caller loaded: the application with its
organisation, person and recommender, and the expert profile. Declared conflicts come from
ConflictDeclaration rows the caller passes in (a set of (expert_id, application_id)).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

GROUP_KEYS = ("group", "parent_group", "group_name", "parent_company", "holding_group")
GROUP_CODE_KEYS = ("group_credit_code", "parent_credit_code")


def _norm(text: str | None) -> str:
    return re.sub(r"[\s（）()·]", "", (text or "")).upper()


def _same(a: str | None, b: str | None) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a) and a == b


def applicant_group(application) -> tuple[str, str]:
    """The applicant's group (集团) name and credit code, as stated in the form or by a 控股集团 recommender."""
    data = application.form_data or {}
    name = code = ""
    for section in [data, *(v for v in data.values() if isinstance(v, dict))]:
        for key in GROUP_KEYS:
            if not name and isinstance(section.get(key), str):
                name = section[key]
        for key in GROUP_CODE_KEYS:
            if not code and isinstance(section.get(key), str):
                code = section[key]
    recommender = application.recommender if application.recommender_id else None
    if recommender is not None and recommender.kind == "holding_group":
        name = name or recommender.name
        code = code or recommender.credit_code
    return name, code


def detect_conflicts(expert, application) -> list[str]:
    """Why `expert` must not review `application` (empty when no conflict is found in the data)."""
    reasons: list[str] = []
    if expert.user_id in {application.applicant_id, application.nominated_by_id}:
        reasons.append(_("专家本人即申报人或推荐人"))
    org = application.organisation if application.organisation_id else None
    person = application.person if application.person_id else None
    if person is not None and expert.id_number and _same(expert.id_number, person.id_number):
        reasons.append(_("专家本人即申报人（证件号码相同）"))
    if org is not None:
        if _same(expert.employer_credit_code, org.credit_code):
            reasons.append(_("专家工作单位即申报组织（统一社会信用代码相同）"))
        elif _same(expert.employer, org.name):
            reasons.append(_("专家工作单位即申报组织（名称相同）"))
    if person is not None:
        if _same(expert.employer_credit_code, person.employer_credit_code):
            reasons.append(_("专家与申报人同一工作单位（统一社会信用代码相同）"))
        elif _same(expert.employer, person.employer):
            reasons.append(_("专家与申报人同一工作单位（名称相同）"))
    group_name, group_code = applicant_group(application)
    if (expert.group or expert.group_credit_code) and (
        _same(expert.group_credit_code, group_code) or _same(expert.group, group_name)
        or (org is not None and (_same(expert.group_credit_code, org.credit_code) or _same(expert.group, org.name)))
    ):
        reasons.append(_("专家与申报人属同一集团"))
    recommender = application.recommender if application.recommender_id else None
    if recommender is not None and (
        _same(expert.employer_credit_code, recommender.credit_code) or _same(expert.employer, recommender.name)
    ):
        reasons.append(_("专家工作单位为本申报的推荐单位"))
    return reasons


def conflict_reasons(expert, application, declarations: dict | None = None) -> list[str]:
    """Detected reasons plus a declared conflict. `declarations` maps (expert_id, application_id) → declaration."""
    reasons = detect_conflicts(expert, application)
    declaration = (declarations or {}).get((expert.pk, application.pk))
    if declaration is not None and declaration.has_conflict:
        reasons.append(_("已声明回避：%(r)s") % {"r": declaration.reason or "—"})
    return reasons
