"""Reads of programme configuration: cycles visible to a user, quotas, ratios and budgets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy

from accounts import rules
from applications.models import Application, ApplicationStatus
from reviews.models import Award

from .models import Category, Cycle, EligibilityRule, PastWinner, Programme, Stage

TEN_THOUSAND = Decimal(10000)

# How format_ratio rounds, stated beside every ratio the portal shows (screens, commands, documents).
RATIO_ROUNDING_NOTE = gettext_lazy(
    "表彰比例 = 名额 ÷ 评选范围，由系统计算，以百分数表示，保留 4 位小数（四舍五入），末尾的 0 不显示，如 7 ÷ 20000 = 0.035%。"
)


def format_ratio(quota: int | None, population: int | None) -> str:
    """表彰比例 as the seeds print it: 7 of 20,000 → "0.035%". Empty when unknown."""
    if quota is None or not population:
        return ""
    percent = (Decimal(quota) * 100 / Decimal(population)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    text = format(percent.normalize(), "f")
    return f"{text}%"


def format_wan(amount: Decimal | None) -> str:
    """Yuan → 万元 without trailing zeros: 500000 → "50", 15000 → "1.5"."""
    if amount is None:
        return ""
    wan = (Decimal(amount) / TEN_THOUSAND).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
    return format(wan, "f")


def in_wan(name: str) -> property:
    """A read-only property: the attribute `name` (yuan) in 万元, written by format_wan."""
    return property(lambda self: format_wan(getattr(self, name)), doc=f"{name} in 万元 (format_wan)")


def format_money(amount: Decimal | None) -> str:
    """Prize money as the notices write it: 50 万元 when a whole number of 万, else 1,500 元;
    CNY 500,000 for English readers."""
    from django.utils.translation import gettext

    from core.i18n import is_english

    if amount is None:
        return ""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value()
    grouped = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    if is_english():
        return f"CNY {grouped}"
    if whole and amount % TEN_THOUSAND == 0:
        return gettext("%(n)s 万元") % {"n": format_wan(amount)}
    return gettext("%(n)s 元") % {"n": grouped}


@dataclass(frozen=True)
class CategoryBudget:
    category: Category
    quota: int | None
    prize_amount: Decimal | None
    subtotal: Decimal
    population: int | None
    ratio: str

    prize_wan = in_wan("prize_amount")
    subtotal_wan = in_wan("subtotal")


@dataclass(frozen=True)
class ClassFigures:
    """Figures of one class of the 申报表 (集体 or 个人) for this and the previous cycle."""

    label: str
    population: int | None
    quota: int
    ratio: str
    previous_quota: int | None
    previous_ratio: str


@dataclass(frozen=True)
class CycleBudget:
    cycle: Cycle
    categories: list[CategoryBudget]
    total_quota: int
    total_amount: Decimal
    collective: ClassFigures
    individual: ClassFigures
    money_prizes: bool
    reward_text: str

    total_wan = in_wan("total_amount")

    @property
    def classes(self) -> list[ClassFigures]:
        return [self.collective, self.individual]

    @property
    def total_label(self) -> str:
        """合计 as the seeds write it: "14 个/159 万元" or "10 名/精神奖励"."""
        if self.money_prizes:
            return f"{self.total_quota} 个/{self.total_wan} 万元"
        if self.reward_text:
            return f"{self.total_quota} 名/{self.reward_text}"
        return f"{self.total_quota} 名（奖金待定）"


def cycle_budget(cycle: Cycle) -> CycleBudget:
    """Planned budget = Σ quota × prize; ratios = quota ÷ eligible population per class."""
    categories = list(cycle.categories.all())
    rows = []
    for category in categories:
        population = cycle.population_collective if category.is_collective else cycle.population_individual
        prize = category.prize_amount
        subtotal = (prize or Decimal(0)) * (category.quota or 0)
        rows.append(
            CategoryBudget(
                category=category,
                quota=category.quota,
                prize_amount=prize,
                subtotal=subtotal,
                population=population,
                ratio=format_ratio(category.quota, population),
            )
        )
    previous_collective, previous_individual = cycle.previous_quota_collective, cycle.previous_quota_individual
    if cycle.previous_cycle_id:  # the previous cycle's actual winners, when known, over the figures typed in
        counts = winner_counts(cycle.previous_cycle)
        if counts is not None:
            previous_collective, previous_individual = counts
    money = any(c.has_money_prize for c in categories)
    reward_texts = [c.reward_text for c in categories if c.reward_text]
    return CycleBudget(
        cycle=cycle,
        categories=rows,
        total_quota=sum(r.quota or 0 for r in rows),
        total_amount=sum((r.subtotal for r in rows), Decimal(0)),
        collective=_class_figures("集体", [r for r in rows if r.category.is_collective], cycle.population_collective,
                                  previous_collective),
        individual=_class_figures("个人", [r for r in rows if not r.category.is_collective], cycle.population_individual,
                                  previous_individual),
        money_prizes=money,
        reward_text=reward_texts[0] if reward_texts else "",
    )


def _class_figures(label: str, rows: list[CategoryBudget], population: int | None, previous_quota: int | None) -> ClassFigures:
    """One class's quota and ratio (empty when the cycle has no category of the class) beside the previous cycle's."""
    quota = sum(r.quota or 0 for r in rows)
    return ClassFigures(
        label=label,
        population=population,
        quota=quota,
        ratio=format_ratio(quota, population) if rows else "",
        previous_quota=previous_quota,
        previous_ratio=format_ratio(previous_quota, population),
    )


def category_rules(category: Category) -> list[EligibilityRule]:
    """The category's enabled eligibility rules in order: the prefetched ones when the caller prefetched them.
    A rule configured but switched off (enabled: false) is not checked and shapes no form."""
    prefetched = getattr(category, "_prefetched_objects_cache", {}).get("rules")
    rows = list(category.rules.all()) if prefetched is None else prefetched
    return sorted((rule for rule in rows if rule.enabled), key=lambda rule: (rule.order, rule.pk))


def rule_params(category: Category, kind: str) -> dict | None:
    """The parameters of the category's (first) rule of `kind`; None when it has none."""
    rule = next((rule for rule in category_rules(category) if rule.kind == kind), None)
    return None if rule is None else rule.params or {}


def cycles_for_staff(user) -> QuerySet[Cycle]:
    """Cycles of the organisers the user works for (all for superusers)."""
    queryset = Cycle.objects.select_related("programme__organiser").order_by("-year", "code")
    organiser_ids = rules.staff_organiser_ids(user)
    if organiser_ids is None:
        return queryset
    return queryset.filter(programme__organiser_id__in=organiser_ids)


def cycle_overview(code: str, user) -> Cycle:
    """One cycle with its categories and stages, or Cycle.DoesNotExist if not visible."""
    return (
        cycles_for_staff(user)
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("order", "id")),
            Prefetch("stages", queryset=Stage.objects.order_by("order")),
            "review_bodies",
        )
        .get(code=code)
    )


def public_cycles() -> QuerySet[Cycle]:
    """Every cycle with its categories, newest first: the public list of calls."""
    return (
        Cycle.objects.select_related("programme__organiser")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("order", "id")))
        .order_by("-year", "code")
    )


# ---- winners: the past-winners register together with the winners the portal records ----------------


@dataclass(frozen=True)
class WinnerRecord:
    year: int
    name: str
    identifier: str  # 统一社会信用代码 or ID number, normalised
    award: str  # the level, e.g. 区长质量奖
    category_code: str  # "" for register rows (the register names the level only)
    collective: bool
    source: str  # "portal" or "register"
    award_name: str = ""  # the category's full name for portal winners (level and track), else the level

    @property
    def title(self) -> str:
        return self.award_name or self.award


def winners(programme: Programme | int, *, years: tuple[int, int] | None = None, identifier: str | None = None) -> list[WinnerRecord]:
    """Every known winner of the programme: the register of earlier cycles (PastWinner) and the portal's own
    awarded applications, newest first; optionally within years (first, last) and for one identifier.
    Two queries whatever the number of winners. A winner both in the register and the portal is listed once."""
    programme_id = getattr(programme, "pk", programme)
    register = PastWinner.objects.filter(programme_id=programme_id)
    portal = Application.objects.filter(status=ApplicationStatus.AWARDED, cycle__programme_id=programme_id).select_related(
        "cycle", "category", "organisation", "person")
    if years is not None:
        register = register.filter(year__gte=years[0], year__lte=years[1])
        portal = portal.filter(cycle__year__gte=years[0], cycle__year__lte=years[1])
    if identifier is not None:
        register = register.filter(identifier=identifier)
        portal = portal.filter(models.Q(organisation__credit_code=identifier) | models.Q(person__id_number=identifier))
    found: dict[tuple, WinnerRecord] = {}
    for application in portal:
        ident = application.organisation.credit_code if application.organisation_id else application.person.id_number
        name = application.organisation.name if application.organisation_id else application.person.name
        record = WinnerRecord(application.cycle.year, name, ident, application.category.level, application.category.code,
                              application.category.is_collective, "portal", application.category.name)
        found[(record.year, record.identifier, record.award)] = record
    for row in register:
        key = (row.year, row.identifier, row.award)
        if key not in found:
            found[key] = WinnerRecord(row.year, row.name, row.identifier, row.award, "",
                                      row.identifier_kind == PastWinner.IdentifierKind.CREDIT_CODE, "register")
    return sorted(found.values(), key=lambda r: (-r.year, r.award, r.name))


def winner_counts(cycle: Cycle) -> tuple[int, int] | None:
    """(集体, 个人) winners of a cycle — the portal's approved winners of the cycle, else the register's
    winners of the programme in the cycle's year — or None when neither knows any."""
    awarded = list(Award.objects.filter(cycle=cycle).values_list("category__applicant_kind", flat=True))
    if awarded:
        collective = sum(1 for kind in awarded if kind == "organisation")
        return collective, len(awarded) - collective
    listed = list(PastWinner.objects.filter(programme_id=cycle.programme_id, year=cycle.year).values_list("identifier_kind", flat=True))
    if listed:
        collective = sum(1 for kind in listed if kind == PastWinner.IdentifierKind.CREDIT_CODE)
        return collective, len(listed) - collective
    return None
