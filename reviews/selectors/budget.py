"""The one home of a category's places (名额) and a cycle's money, as the pipeline uses them.

The planned budget (quota × prize, 表彰比例) is configuration: awards.selectors.cycle_budget. Here:
- the places of a category in use: candidates on the recommendation list (winners stay on it, so they count);
- quota_refusal: the one quota rule — the list, the 公示, the approval, the admin and the loader all ask it;
- minimum_quota: how low an admin may set a quota (never below what is listed or approved);
- cycle_money: per category and in total, the planned, proposed (list × prize) and committed (Σ winners' prizes)
  amounts that the list, approval, awards, dashboard, exports and documents show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from awards.models import Category, Cycle
from awards.selectors import in_wan
from reviews.models import Approval, Award, Recommendation, RecommendationStatus


def places_used(category: Category) -> int:
    """Candidates on the category's list; an approved winner keeps its place there."""
    return Recommendation.objects.filter(category=category, status=RecommendationStatus.PROPOSED).count()


def quota_refusal(category: Category, *, listed: int, adding: int = 0) -> str | None:
    """Why `listed` candidates plus `adding` more do not fit the category's quota, or None.
    A quota not set yet (待定) admits nobody: the office has not decided how many may win."""
    if category.quota is None:
        return _("“%(c)s”名额未设定，不能推荐。请先由项目管理员设定表彰名额。") % {"c": category.name}
    if listed + adding > category.quota:
        return _("“%(c)s”表彰名额为 %(q)d 个，推荐名单已满，不能超出名额。") % {"c": category.name, "q": category.quota}
    return None


def minimum_quota(category: Category) -> int:
    """The lowest quota the category may be given now: its listed candidates and its winners keep their places."""
    if category.pk is None:
        return 0
    return max(places_used(category), Award.objects.filter(category=category).count())


def prize_change_refusal(category: Category, new_prize, *, reason: str = "") -> str | None:
    """The one prize rule: once the cycle's list is approved (an approval recorded, or winners in the
    category) the prize may change only with a recorded reason. None when the change may be made."""
    if category.pk is None:
        return None
    saved = Category.objects.filter(pk=category.pk).values_list("prize_amount", flat=True).first()
    normal = lambda value: None if value is None else Decimal(str(value)).normalize()  # noqa: E731
    if normal(saved) == normal(new_prize):
        return None
    approved = Approval.objects.filter(cycle_id=category.cycle_id).exists() or Award.objects.filter(category=category).exists()
    if approved and not (reason or "").strip():
        return _("“%(c)s”的表彰名单已经批准，修改奖金须填写变更理由（记入操作日志）。") % {"c": category.name}
    return None


@dataclass(frozen=True)
class CategoryMoney:
    category: Category
    proposed_count: int
    winners: int
    committed: Decimal  # Σ the winners' prizes, fixed at approval

    @property
    def quota(self) -> int | None:
        return self.category.quota

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.proposed_count, 0)

    @property
    def prize(self) -> Decimal:
        return (self.category.prize_amount or Decimal(0)) if self.category.has_money_prize else Decimal(0)

    @property
    def planned(self) -> Decimal:
        return self.prize * (self.quota or 0)

    @property
    def proposed(self) -> Decimal:
        return self.prize * self.proposed_count


@dataclass(frozen=True)
class CycleMoney:
    categories: list[CategoryMoney]

    def of(self, category: Category) -> CategoryMoney:
        return next(c for c in self.categories if c.category.pk == category.pk)

    @property
    def planned(self) -> Decimal:
        return sum((c.planned for c in self.categories), Decimal(0))

    @property
    def proposed(self) -> Decimal:
        return sum((c.proposed for c in self.categories), Decimal(0))

    @property
    def committed(self) -> Decimal:
        return sum((c.committed for c in self.categories), Decimal(0))

    @property
    def money_prizes(self) -> bool:
        return any(c.category.has_money_prize for c in self.categories)

    planned_wan = in_wan("planned")
    proposed_wan = in_wan("proposed")
    committed_wan = in_wan("committed")


def cycle_money(cycle: Cycle, categories: list[Category] | None = None) -> CycleMoney:
    """Three queries whatever the cycle's size (none for the categories when they are passed in)."""
    if categories is None:
        categories = list(Category.objects.filter(cycle=cycle).order_by("order", "id"))
    proposed = dict(
        Recommendation.objects.filter(cycle=cycle, status=RecommendationStatus.PROPOSED)
        .values("category_id").annotate(n=Count("id")).values_list("category_id", "n")
    )
    awarded = {
        category_id: (n, amount or Decimal(0))
        for category_id, n, amount in Award.objects.filter(cycle=cycle).values("category_id")
        .annotate(n=Count("id"), amount=Sum("prize_amount")).values_list("category_id", "n", "amount")
    }
    return CycleMoney([
        CategoryMoney(category=c, proposed_count=proposed.get(c.pk, 0), winners=awarded.get(c.pk, (0, 0))[0],
                      committed=awarded.get(c.pk, (0, Decimal(0)))[1])
        for c in categories
    ])
