"""The approval, the winners and the money committed to them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from applications.models import Application
from awards.models import Category, Cycle
from awards.selectors import in_wan
from reviews.models import (
    Approval,
    Award,
    BenefitGrant,
    PrizePayment,
)
from reviews.selectors.budget import cycle_money
from reviews.selectors.cycles import APPLICATION_RELATED

# ---------------------------------------------------------------- approval and winners


@dataclass
class WinnerRow:
    award: Award
    application: Application
    category: Category
    prize: Decimal | None
    reward_text: str
    benefits: list[dict]
    payments: list[PrizePayment]
    grants: list[BenefitGrant]

    @property
    def applicant_name(self) -> str:
        return self.application.applicant_name

    prize_wan = in_wan("prize")

    @property
    def paid_amount(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def fully_paid(self) -> bool:
        return not self.award.has_money_prize or self.paid_amount >= (self.prize or 0)

    @property
    def granted_codes(self) -> set[str]:
        return {g.code for g in self.grants}

    @property
    def benefits_complete(self) -> bool:
        return all(b.get("code") in self.granted_codes for b in self.benefits)


def approval_for_cycle(cycle: Cycle) -> Approval | None:
    return Approval.objects.filter(cycle=cycle).select_related("stage", "recorded_by").order_by("-approved_on", "-id").first()


def winners_for_cycle(cycle: Cycle) -> list[WinnerRow]:
    """The final winners (after the government's approval) with category, prize and awards given."""
    awards = (
        Award.objects.filter(cycle=cycle)
        .select_related("category", "approval", "recommendation", *[f"application__{r}" for r in APPLICATION_RELATED])
        .prefetch_related(
            Prefetch("payments", queryset=PrizePayment.objects.order_by("paid_on", "id")),
            Prefetch("benefits", queryset=BenefitGrant.objects.order_by("code")),
        )
        .order_by("category__order", "category_id", "recommendation__rank", "id")
    )
    return [
        WinnerRow(
            award=a,
            application=a.application,
            category=a.category,
            prize=a.prize_amount,
            reward_text=a.category.reward_text,
            benefits=[b for b in (a.category.benefits or []) if isinstance(b, dict)],
            payments=list(a.payments.all()),
            grants=list(a.benefits.all()),
        )
        for a in awards
    ]


def committed_amount(cycle: Cycle) -> Decimal:
    """Σ winners × prize: every Award carries the prize of its category at approval."""
    return cycle_money(cycle).committed




