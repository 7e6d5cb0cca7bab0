"""The eligibility engine: every rule kind of awards/rule_kinds.py evaluated against an application.

Each rule gives `pass`, `fail` or `needs_review`, with a reason in the active language (the caller
switches language; `snapshot()` stores the Chinese reason for staff and the applicant's own).
A failing rule of severity "blocking" stops submission; a failing rule of severity "review" is
reported as needs_review for staff to decide in 资格审查. Besides the category's rules, the
report lists what the form still lacks (completeness) — also blocking.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import wraps
from operator import attrgetter

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.models import ApplicantKind, EligibilityRule
from awards.rule_kinds import RULE_KINDS
from awards.selectors import category_rules, winners
from core.i18n import district_name
from core.workdays import CalendarCoverageError, working_days_between

from .models import Application, ApplicationStatus, Attachment, CreditBlacklistEntry, IdType, OrganisationProfile, PersonProfile
from .sections import section_codes_for

PASS = "pass"  # nosec B105 - an outcome code, not a password
FAIL = "fail"
NEEDS_REVIEW = "needs_review"
OUTCOME_LABELS = {PASS: gettext_lazy("符合"), FAIL: gettext_lazy("不符合"), NEEDS_REVIEW: gettext_lazy("需人工审核")}

OVERVIEW_MAX_CHARS = 3000


def count_characters(text: str | None) -> int:
    """Characters as a person counts them: each Chinese character, letter, digit or mark is one.

    Line breaks count once whatever the browser sent (\\r\\n or \\n); leading and trailing blanks
    are not counted. len() counts code points, so characters outside the BMP also count once.
    """
    if not text:
        return 0
    return len(text.replace("\r\n", "\n").replace("\r", "\n").strip())


@dataclass
class RuleResult:
    key: str  # stable: "<kind>:<rule id>" or "completeness:<item>"
    kind: str
    label: str
    description: str
    outcome: str
    reason: str
    blocking: bool  # a fail that stops submission

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass
class EligibilityReport:
    results: list[RuleResult] = field(default_factory=list)
    evaluated_on: datetime.date | None = None

    @property
    def blocking(self) -> list[RuleResult]:
        return [r for r in self.results if r.blocking]

    @property
    def may_submit(self) -> bool:
        return not self.blocking


@dataclass
class Context:
    application: Application
    today: datetime.date
    attachment_purposes: set[str]

    # What the rules read, straight from the application.
    organisation = property(attrgetter("application.organisation"))
    person = property(attrgetter("application.person"))
    cycle = property(attrgetter("application.cycle"))
    organiser_id = property(attrgetter("application.cycle.programme.organiser_id"))


Outcome = tuple[str, str]
Evaluator = Callable[[Context, dict], Outcome]


def full_years(start: datetime.date, today: datetime.date) -> int:
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)


def _same_district(a: str, b: str) -> bool:
    def norm(x: str) -> str:
        x = (x or "").strip().replace("上海市", "")
        return x[:-1] if x.endswith("区") else x

    return bool(a) and norm(a) == norm(b)


def _no_profile(kind: str) -> Outcome:
    if kind == "organisation":
        return FAIL, _("本条件针对申报组织，但本申报没有关联组织信息。")
    return FAIL, _("本条件针对申报个人，但本申报没有关联个人信息。")


def _about(kind: str) -> Callable[[Callable[..., Outcome]], Evaluator]:
    """A rule about the applying organisation or person (`kind`: "organisation" or "individual"):
    `evaluate(profile, ctx, params)`; the rule fails when the application has no such profile."""

    def decorate(evaluate: Callable[..., Outcome]) -> Evaluator:
        @wraps(evaluate)
        def evaluator(ctx: Context, params: dict) -> Outcome:
            profile = ctx.organisation if kind == "organisation" else ctx.person
            return _no_profile(kind) if profile is None else evaluate(profile, ctx, params)

        return evaluator

    return decorate


_of_organisation = _about("organisation")
_of_person = _about("individual")


def _years_at_least(since: datetime.date | None, ctx: Context, minimum: int, *, unset: str, enough: str, short: str,
                    **values) -> Outcome:
    """PASS when `since` lies `minimum` full years or more before today; the texts are formatted with
    `values` plus date, years and min."""
    if not since:
        return FAIL, unset % values
    values.update(date=since.isoformat(), years=full_years(since, ctx.today), min=minimum)
    return (PASS, enough % values) if values["years"] >= minimum else (FAIL, short % values)


# ---- the rule kinds -----------------------------------------------------------------------


def _years_since(kind: str, date_field: str, *, unset, enough, short) -> Evaluator:
    """A rule kind "at least params["min_years"] full years since the profile's `date_field`", with its three reasons."""

    def evaluate(profile, ctx: Context, params: dict) -> Outcome:
        return _years_at_least(getattr(profile, date_field), ctx, params["min_years"],
                               unset=str(unset), enough=str(enough), short=str(short))

    return _about(kind)(evaluate)


years_operating = _years_since(
    "organisation", "established_on",
    unset=gettext_lazy("组织信息中未填写成立日期。"),
    enough=gettext_lazy("成立于 %(date)s，已正常运行 %(years)d 年（要求 %(min)d 年以上）。"),
    short=gettext_lazy("成立于 %(date)s，至今运行 %(years)d 年，未满 %(min)d 年。"))

years_quality_work = _years_since(
    "individual", "quality_work_since",
    unset=gettext_lazy("个人信息中未填写开始从事质量工作的时间。"),
    enough=gettext_lazy("自 %(date)s 起从事质量工作，已满 %(years)d 年（要求 %(min)d 年以上）。"),
    short=gettext_lazy("自 %(date)s 起从事质量工作，至今 %(years)d 年，未满 %(min)d 年。"))


@_of_organisation
def registered_district(org: OrganisationProfile, ctx: Context, params: dict) -> Outcome:
    values = {"actual": district_name(org.registered_district) or _("（未填写）"), "required": district_name(params["district"])}
    if _same_district(org.registered_district, params["district"]):
        return PASS, _("注册地为%(actual)s。") % values
    return FAIL, _("注册地为%(actual)s，须在%(required)s注册登记。") % values


@_of_organisation
def independent_legal_person(org: OrganisationProfile, ctx: Context, params: dict) -> Outcome:
    if org.is_independent_legal_person:
        return PASS, _("组织类型为%(type)s，具有独立法人资格。") % {"type": org.get_org_type_display()}
    return FAIL, _("组织类型为法人分支机构，不具有独立法人资格。")


@_of_organisation
def organisation_types(org: OrganisationProfile, ctx: Context, params: dict) -> Outcome:
    if org.org_type in params["allowed"]:
        return PASS, _("组织类型为%(type)s。") % {"type": org.get_org_type_display()}
    return FAIL, _("组织类型%(type)s不在本类别可申报的范围内。") % {"type": org.get_org_type_display()}


@_of_person
def years_in_district(person: PersonProfile, ctx: Context, params: dict) -> Outcome:
    district = params["district"]
    if not _same_district(person.work_district, district):
        values = {"district": district_name(district), "actual": district_name(person.work_district) or _("（未填写）")}
        return FAIL, _("工作（生活）所在区为%(actual)s，不在%(district)s。") % values
    return _years_at_least(
        person.district_work_since, ctx, params["min_years"], district=district_name(district),
        unset=_("个人信息中未填写开始在%(district)s工作（生活）的时间。"),
        enough=_("自 %(date)s 起在%(district)s工作（生活），已满 %(years)d 年（要求不少于 %(min)d 年）。"),
        short=_("自 %(date)s 起在%(district)s工作（生活），至今 %(years)d 年，未满 %(min)d 年。"),
    )


@_of_person
def foreign_nationality(person: PersonProfile, ctx: Context, params: dict) -> Outcome:
    if person.is_foreign:
        return PASS, _("国籍：%(n)s（%(t)s）。") % {"n": person.nationality, "t": person.get_id_type_display()}
    if person.id_type == IdType.RESIDENT_ID:
        return FAIL, _("持中国居民身份证，不属于外籍人士。")
    return FAIL, _("国籍填写为%(n)s，不属于外籍人士。") % {"n": person.nationality}


def criteria_at_least(ctx: Context, params: dict) -> Outcome:
    criteria = {str(c.get("code")) for c in ctx.application.criteria or [] if isinstance(c, dict) and (c.get("evidence") or "").strip()}
    labels = {str(c.get("code")): c.get("label", "") for c in ctx.application.category.criteria or []}
    chosen = [labels.get(code, code) for code in sorted(criteria) if code in labels]
    minimum = params.get("minimum") or 1
    if len(chosen) >= minimum:
        return PASS, _("符合条件：%(list)s。") % {"list": "".join(chosen)}
    return FAIL, _("须至少符合所列条件中的 %(min)d 项并说明事实依据，目前为 %(n)d 项。") % {"min": minimum, "n": len(chosen)}


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def figure_years(cycle) -> list[int]:
    """The three complete years before the cycle's year, oldest first (2023 cycle → 2020–2022)."""
    return [cycle.year - 3, cycle.year - 2, cycle.year - 1]


@_of_organisation
def no_losses(org: OrganisationProfile, ctx: Context, params: dict) -> Outcome:
    figures = (ctx.application.form_data or {}).get("figures") or {}
    years = figure_years(ctx.cycle)[-params["years"]:] if params["years"] <= 3 else figure_years(ctx.cycle)
    missing = [y for y in years if _decimal((figures.get(str(y)) or {}).get("profit")) is None]
    if missing:
        return FAIL, _("未填写 %(years)s 年的利润总额。") % {"years": "、".join(str(y) for y in missing)}
    losses = [y for y in years if _decimal(figures[str(y)]["profit"]) < 0]
    if not losses:
        return PASS, _("%(first)d—%(last)d 年均未亏损。") % {"first": years[0], "last": years[-1]}
    policy = [y for y in losses if figures[str(y)].get("policy_loss")]
    text = "、".join(str(y) for y in losses)
    if params.get("policy_losses_excepted", True) and len(policy) == len(losses):
        return NEEDS_REVIEW, _("%(years)s 年亏损，申报为政策性亏损，须评审办公室认定。") % {"years": text}
    return FAIL, _("%(years)s 年出现亏损。") % {"years": text}


@_of_organisation
def chief_quality_officer(org: OrganisationProfile, ctx: Context, params: dict) -> Outcome:
    if org.has_cqo_system and org.chief_quality_officer.strip():
        return PASS, _("已推行首席质量官制度，首席质量官：%(name)s。") % {"name": org.chief_quality_officer}
    if org.has_cqo_system:
        return FAIL, _("已勾选推行首席质量官制度，但未填写首席质量官姓名。")
    return FAIL, _("组织信息中未勾选“已推行首席质量官制度”。")


def applicable_declarations(items: list[dict], application: Application) -> list[dict]:
    """Declaration items that apply to this applicant (`when: is_org_head` only for heads)."""
    person = application.person
    is_head = bool(person and person.is_org_head)
    return [item for item in items if item.get("when") != "is_org_head" or is_head]


def declarations(ctx: Context, params: dict) -> Outcome:
    items = applicable_declarations(params["items"], ctx.application)
    given = ctx.application.declarations or {}
    missing = [item for item in items if given.get(item["code"]) is not True]
    if not missing:
        return PASS, _("已确认全部 %(n)d 项承诺。") % {"n": len(items)}
    return FAIL, _("尚有 %(n)d 项承诺未确认。") % {"n": len(missing)}


def _identity_codes(application: Application) -> set[str]:
    codes = set()
    if application.organisation_id:
        codes.add(application.organisation.credit_code)
    if application.person_id:
        person = application.person
        codes.add(person.id_number)
        if person.is_org_head and person.employer_credit_code:
            codes.add(person.employer_credit_code)
    return {c for c in codes if c}


def credit_blacklist(ctx: Context, params: dict) -> Outcome:
    codes = _identity_codes(ctx.application)
    if not codes:
        return FAIL, _("缺少统一社会信用代码或证件号码，无法核查信用名单。")
    listed = list(
        CreditBlacklistEntry.objects.filter(organiser_id=ctx.organiser_id, code__in=codes).values_list("code", flat=True)
    )
    if listed:
        return FAIL, _("代码 %(codes)s 在评审办公室登记的严重失信名单中。") % {"codes": "、".join(sorted(listed))}
    return PASS, _("未在评审办公室登记的严重失信名单中。")


def reapplication_cooldown(ctx: Context, params: dict) -> Outcome:
    """Read from awards.selectors.winners: the past-winners register and the portal's own winners together."""
    application = ctx.application
    earliest_year = ctx.cycle.year - params["years"] + 1
    if application.organisation_id:
        identifier = application.organisation.credit_code
    elif application.person_id:
        identifier = application.person.id_number
    else:
        return _no_profile("organisation" if application.category.is_collective else "person")
    won = [
        record for record in winners(ctx.cycle.programme_id, years=(earliest_year, ctx.cycle.year), identifier=identifier)
        if params.get("scope") != "category"
        or record.category_code == application.category.code
        or (record.source == "register" and record.award == application.category.level)
    ]
    if not won:
        return PASS, _("近 %(n)d 年内未获得本奖项。") % {"n": params["years"]}
    return FAIL, _("已于 %(year)d 年获得%(award)s，%(n)d 年内不得再次申报。") % {
        "year": won[0].year,
        "award": won[0].title,
        "n": params["years"],
    }


def internal_publicity(ctx: Context, params: dict) -> Outcome:
    application = ctx.application
    start, end = application.internal_publicity_start, application.internal_publicity_end
    minimum = params["min_working_days"]
    if not start or not end:
        return FAIL, _("未填写内部公示的起止日期。")
    if end < start:
        return FAIL, _("内部公示结束日期早于开始日期。")
    if end >= ctx.today:
        return FAIL, _("内部公示须在申报前完成；结束日期 %(end)s 不早于今天。") % {"end": end.isoformat()}
    if Attachment.Purpose.PUBLICITY_PROOF not in ctx.attachment_purposes:
        return FAIL, _("未上传内部公示证明材料。")
    try:
        days = working_days_between(start, end)
    except CalendarCoverageError as exc:
        return NEEDS_REVIEW, str(exc)
    values = {"start": start.isoformat(), "end": end.isoformat(), "days": days, "min": minimum}
    if days >= minimum:
        return PASS, _("内部公示 %(start)s 至 %(end)s，共 %(days)d 个工作日（要求不少于 %(min)d 个）。") % values
    return FAIL, _("内部公示 %(start)s 至 %(end)s 只有 %(days)d 个工作日（已扣除节假日并计入调休上班日），不足 %(min)d 个。") % values


def not_city_award_same_year(ctx: Context, params: dict) -> Outcome:
    answer = (ctx.application.form_data or {}).get("city_award_same_year")
    if answer == "no":
        return PASS, _("申报人声明本年度未同时申报上海市政府质量奖。")
    if answer == "yes":
        return FAIL, _("同一年度不得同时申报市、区政府质量奖。")
    return FAIL, _("请回答本年度是否同时申报上海市政府质量奖。")


def prior_award_years(ctx: Context, params: dict) -> Outcome:
    application = ctx.application
    if application.organisation_id is None:
        return _no_profile("organisation")
    latest_year = ctx.cycle.year - params["min_years"]
    held = (
        Application.objects.filter(
            organisation_id=application.organisation_id,
            status=ApplicationStatus.AWARDED,
            category__level=params["level"],
            cycle__year__lte=latest_year,
        )
        .select_related("cycle")
        .order_by("cycle__year")
        .first()
    )
    values = {"level": params["level"], "min": params["min_years"]}
    if held:
        values["year"] = held.cycle.year
        return PASS, _("已于 %(year)d 年获得%(level)s，满 %(min)d 年。") % values
    stated = (application.form_data or {}).get("prior_award_year")
    if isinstance(stated, int) and stated <= latest_year:
        values["year"] = stated
        return NEEDS_REVIEW, _("申报人填写于 %(year)d 年获得%(level)s，平台无记录，须评审办公室核实。") % values
    return FAIL, _("须已获得%(level)s满 %(min)d 年。") % values


EVALUATORS: dict[str, Evaluator] = {
    "years_operating": years_operating,
    "registered_district": registered_district,
    "independent_legal_person": independent_legal_person,
    "organisation_types": organisation_types,
    "years_quality_work": years_quality_work,
    "years_in_district": years_in_district,
    "foreign_nationality": foreign_nationality,
    "criteria_at_least": criteria_at_least,
    "no_losses": no_losses,
    "chief_quality_officer": chief_quality_officer,
    "declarations": declarations,
    "credit_blacklist": credit_blacklist,
    "reapplication_cooldown": reapplication_cooldown,
    "internal_publicity": internal_publicity,
    "not_city_award_same_year": not_city_award_same_year,
    "prior_award_years": prior_award_years,
}

assert set(EVALUATORS) == set(RULE_KINDS), "every rule kind needs an evaluator"


# ---- completeness of the form -------------------------------------------------------------


def completeness_problems(application: Application, attachment_purposes: set[str]) -> list[tuple[str, str]]:
    """(item code, reason) for what the form still lacks; the same list the form sections name."""
    data = application.form_data or {}
    problems: list[tuple[str, str]] = []
    sections = set(section_codes_for(application.category))
    if "overview" in sections:
        length = count_characters(data.get("overview"))
        if length == 0:
            problems.append(("overview", _("未填写概述。")))
        elif length > OVERVIEW_MAX_CHARS:
            problems.append(("overview", _("概述为 %(n)d 字，超过 %(max)d 字。") % {"n": length, "max": OVERVIEW_MAX_CHARS}))
    if "figures" in sections:
        figures = data.get("figures") or {}
        missing = [
            str(y)
            for y in figure_years(application.cycle)
            if _decimal((figures.get(str(y)) or {}).get("revenue")) is None or _decimal((figures.get(str(y)) or {}).get("profit")) is None
        ]
        if missing:
            problems.append(("figures", _("未填写 %(years)s 年的主要经营指标。") % {"years": "、".join(missing)}))
    if "achievements" in sections and not (data.get("achievements") or "").strip():
        problems.append(("achievements", _("未填写主要成果。")))
    if "contribution" in sections and not (data.get("contribution") or "").strip():
        problems.append(("contribution", _("未填写贡献陈述。")))
    if "criteria" in sections:
        chosen = [c for c in application.criteria or [] if isinstance(c, dict)]
        if any(not (c.get("evidence") or "").strip() for c in chosen):
            problems.append(("criteria", _("所选参评条件须逐项填写事实依据。")))
    if "recommender" in sections and application.category.applicant_kind == ApplicantKind.FOREIGN_INDIVIDUAL and not application.recommender_id:
        problems.append(("recommender", _("请选择推荐单位。")))
    if application.category.applicant_kind == ApplicantKind.ORGANISATION and Attachment.Purpose.SELF_EVALUATION not in attachment_purposes:
        problems.append(("attachments", _("未上传自评报告。")))
    if application.category.applicant_kind == ApplicantKind.FOREIGN_INDIVIDUAL and Attachment.Purpose.EVIDENCE not in attachment_purposes:
        problems.append(("attachments", _("未上传佐证材料。")))
    return problems


# ---- the engine ---------------------------------------------------------------------------


def evaluate(application: Application, *, today: datetime.date | None = None) -> EligibilityReport:
    """Evaluate the category's rules and the form's completeness, in the active language."""
    today = today or timezone.localdate()
    purposes = set(application.attachments.values_list("purpose", flat=True)) if application.pk else set()
    ctx = Context(application=application, today=today, attachment_purposes=purposes)
    report = EligibilityReport(evaluated_on=today)
    for code, reason in completeness_problems(application, purposes):
        report.results.append(
            RuleResult(
                key=f"completeness:{code}",
                kind="completeness",
                label=_("申报材料完整"),
                description="",
                outcome=FAIL,
                reason=reason,
                blocking=True,
            )
        )
    for rule in category_rules(application.category):
        spec = RULE_KINDS.get(rule.kind)
        evaluator = EVALUATORS.get(rule.kind)
        label = str(spec.label) if spec else rule.kind
        if evaluator is None:
            outcome, reason = NEEDS_REVIEW, _("未知的规则类型，须人工审核。")
        else:
            outcome, reason = evaluator(ctx, rule.params or {})
        blocking = outcome == FAIL and rule.severity == EligibilityRule.Severity.BLOCKING
        if outcome == FAIL and not blocking:
            outcome = NEEDS_REVIEW
        report.results.append(
            RuleResult(
                key=f"{rule.kind}:{rule.pk}",
                kind=rule.kind,
                label=label,
                description=rule.description,
                outcome=outcome,
                reason=str(reason),
                blocking=blocking,
            )
        )
    return report


def snapshot(application: Application, *, today: datetime.date | None = None, language: str | None = None) -> dict:
    """The pre-check as stored with the submission: Chinese reasons for staff, and the applicant's own."""
    today = today or timezone.localdate()
    with translation.override("zh-hans"):
        chinese = evaluate(application, today=today)
    language = language or getattr(application.applicant, "preferred_language", "zh-hans") or "zh-hans"
    own = chinese
    if language != "zh-hans":
        with translation.override(language):
            own = evaluate(application, today=today)
    results = []
    for zh, mine in zip(chinese.results, own.results):
        entry = asdict(zh)
        entry["reason_applicant"] = mine.reason
        results.append(entry)
    return {
        "evaluated_on": today.isoformat(),
        "language": language,
        "may_submit": chinese.may_submit,
        "results": results,
    }


def describe_rule(rule: EligibilityRule) -> str:
    """A rule as a condition sentence for the open call, in the active language.

    Chinese readers get the office's own wording (rule.description) when it has one.
    """
    english = (translation.get_language() or "").startswith("en")
    if rule.description and not english:
        return rule.description
    p = rule.params or {}
    texts = {
        "years_operating": lambda: _("正常运行 %(n)d 年以上") % {"n": p["min_years"]},
        "registered_district": lambda: _("在%(d)s注册登记") % {"d": district_name(p["district"])},
        "independent_legal_person": lambda: _("具有独立法人资格"),
        "organisation_types": lambda: _("组织类型限于指定范围"),
        "years_quality_work": lambda: _("从事质量相关工作 %(n)d 年以上") % {"n": p["min_years"]},
        "years_in_district": lambda: _("在%(d)s工作（生活）不少于 %(n)d 年") % {"d": district_name(p["district"]), "n": p["min_years"]},
        "foreign_nationality": lambda: _("外籍人士"),
        "criteria_at_least": lambda: _("至少符合所列参评条件中的 %(n)d 项") % {"n": p.get("minimum", 1)},
        "no_losses": lambda: _("近 %(n)d 年未出现亏损（政策性亏损除外）") % {"n": p["years"]},
        "chief_quality_officer": lambda: _("积极推行首席质量官制度"),
        "declarations": lambda: _("作出申报承诺"),
        "credit_blacklist": lambda: _("无严重失信记录"),
        "reapplication_cooldown": lambda: _("获奖后 %(n)d 年内不得再次申报") % {"n": p["years"]},
        "internal_publicity": lambda: _("申报前在单位内部公示不少于 %(n)d 个工作日") % {"n": p["min_working_days"]},
        "not_city_award_same_year": lambda: _("同一年度不得同时申报市、区政府质量奖"),
        "prior_award_years": lambda: _("已获得%(level)s满 %(n)d 年") % {"level": p["level"], "n": p["min_years"]},
    }
    text = texts.get(rule.kind)
    return str(text()) if text else rule.kind
