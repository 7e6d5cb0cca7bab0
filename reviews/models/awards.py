"""Winners (获奖对象), prize payments (奖金发放) and 精神奖励 benefits."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OrganiserScopedMixin, RecordedByStaff

from .approval import Approval
from .publicity import Recommendation


class Award(OrganiserScopedMixin, models.Model):
    """A final winner (获奖对象): created when the government approves; the prize is fixed then."""

    organiser_path = "cycle__programme__organiser"

    cycle = models.ForeignKey("awards.Cycle", on_delete=models.PROTECT, related_name="awards_granted", verbose_name=_("评选周期"))
    category = models.ForeignKey("awards.Category", on_delete=models.PROTECT, related_name="awards_granted", verbose_name=_("奖项类别"))
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="award", verbose_name=_("申报")
    )
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="awards", verbose_name=_("批准"))
    recommendation = models.OneToOneField(Recommendation, on_delete=models.PROTECT, related_name="award", verbose_name=_("推荐"))
    prize_amount = models.DecimalField(
        _("奖金（元）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    certificate_number = models.CharField(
        _("证书编号"), max_length=80, blank=True, help_text=_("批准时按获奖名单顺序编定，此后不变（reviews.services.assign_certificate_numbers）")
    )
    created_at = models.DateTimeField(_("确定时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("获奖对象")
        ordering = ["category__order", "recommendation__rank", "id"]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.application.applicant_name}"

    @property
    def has_money_prize(self) -> bool:
        return self.prize_amount is not None and self.prize_amount > 0


class PrizePayment(OrganiserScopedMixin, RecordedByStaff):
    """A payment of prize money to a winner (奖金发放)."""

    organiser_path = "award__cycle__programme__organiser"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments", verbose_name=_("获奖对象"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    paid_on = models.DateField(_("发放日期"))
    reference = models.CharField(_("凭证号"), max_length=100)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("奖金发放")
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="prize_payment_positive"),
            # One payment per voucher: a re-submitted form never pays twice (record_payment says who recorded it).
            models.UniqueConstraint(fields=["award", "reference"], name="prize_payment_once_per_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.award} · {self.amount} · {self.reference}"


class BenefitGrant(OrganiserScopedMixin, RecordedByStaff):
    """A non-monetary benefit (精神奖励待遇) granted to a winner, e.g. entry into the 虹桥人才荟 database."""

    organiser_path = "award__cycle__programme__organiser"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="benefits", verbose_name=_("获奖对象"))
    code = models.SlugField(_("待遇代码"), max_length=40)
    text = models.CharField(_("待遇"), max_length=300)
    granted_on = models.DateField(_("办理日期"))
    note = models.CharField(_("办理情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("精神奖励待遇")
        ordering = ["award", "code"]
        constraints = [models.UniqueConstraint(fields=["award", "code"], name="benefit_grant_unique")]

    def __str__(self) -> str:
        return f"{self.award} · {self.text}"
