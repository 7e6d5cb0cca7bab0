"""Decisions after the scored review: meetings, the recommendation list, 公示 and objections,
the government's approval, winners with their prize payments and 精神奖励 benefits.

Rows here never change an application's status themselves: decisions.services call
reviews.services.apply_transition for that, and log every change in core.ActivityLog.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# 机关代字〔年份〕序号号, e.g. 长府〔2023〕12号 (GB/T 9704 uses the hexagonal brackets 〔〕).
DOCUMENT_NUMBER_RE = re.compile(r"^(?P<prefix>[^\s〔〕\[\]]{1,20})〔(?P<year>\d{4})〕(?P<serial>\d{1,5})号$")


def normalise_document_number(value: str) -> str:
    """Accept the look-alike brackets people type ([ ], 【】, 〔 〕 with spaces) and store the official form."""
    value = re.sub(r"\s+", "", value or "")
    for wrong in "[【［(（":
        value = value.replace(wrong, "〔")
    for wrong in "]】］)）":
        value = value.replace(wrong, "〕")
    return value


def validate_document_number(value: str) -> None:
    if not DOCUMENT_NUMBER_RE.match(value or ""):
        raise ValidationError(_("文号格式应为“机关代字〔年份〕序号号”，如：长府〔2023〕12号。"))


class Meeting(models.Model):
    """A sitting of a review body (评审联席会议, 区委书记专题会 …) for a stage of kind `meeting`."""

    stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("评审环节"))
    body = models.ForeignKey("awards.ReviewBody", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("评审机构"))
    held_on = models.DateField(_("会议日期"))
    location = models.CharField(_("会议地点"), max_length=200, blank=True)
    chair = models.CharField(_("主持人"), max_length=100, blank=True)
    present_units = models.JSONField(_("出席成员单位"), default=list, blank=True)
    attendees_text = models.TextField(_("出席人员"), blank=True, help_text=_("机构未列出成员单位时，记录出席人员"))
    notes = models.TextField(_("会议纪要摘要"), blank=True)
    minutes = models.FileField(_("会议纪要"), upload_to="decisions/minutes/%Y/%m/", max_length=255, blank=True)
    minutes_name = models.CharField(_("纪要原文件名"), max_length=255, blank=True)
    minutes_content_type = models.CharField(_("纪要文件类型"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["stage__order", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.body.name} {self.held_on:%Y-%m-%d}"

    @property
    def activity_organiser(self):
        return self.stage.cycle.programme.organiser

    @property
    def present_count(self) -> int:
        return len(self.present_units or [])

    @property
    def has_member_units(self) -> bool:
        return bool(self.body.member_units)

    @property
    def quorum_met(self) -> bool:
        """A body without listed member units has no quorum rule: its sitting is recorded as held."""
        if not self.body.member_units:
            return True
        return self.body.quorum_met(self.present_count)

    @property
    def decision_mode(self) -> str:
        return (self.stage.params or {}).get("decision", "votes")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("不通过")


class MeetingDecision(models.Model):
    """The decision of a meeting on one candidate: a vote count, or a recorded decision with notes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("会议"))
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="meeting_decisions", verbose_name=_("申报")
    )
    votes_for = models.PositiveSmallIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("弃权"), null=True, blank=True)
    outcome = models.CharField(_("决定"), max_length=10, choices=DecisionOutcome.choices)
    notes = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("会议决定")
        verbose_name_plural = _("会议决定")
        ordering = ["meeting", "application__number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "application"], name="meeting_decision_unique")]

    def __str__(self) -> str:
        return f"{self.application.number}: {self.get_outcome_display()}"

    @property
    def activity_organiser(self):
        return self.meeting.activity_organiser


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟推荐")
    WITHDRAWN = "withdrawn", _("已撤销")


class RecommendationSource(models.TextChoices):
    RANKING = "ranking", _("评分排名")
    MEETING = "meeting", _("会议决定")


class Recommendation(models.Model):
    """One proposed winner (拟表彰对象) of a category; never more active rows than the quota."""

    cycle = models.ForeignKey("awards.Cycle", on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("评选周期"))
    category = models.ForeignKey("awards.Category", on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("奖项类别"))
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("申报")
    )
    source_stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="+", verbose_name=_("来源环节"))
    source = models.CharField(_("依据"), max_length=10, choices=RecommendationSource.choices)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.PROPOSED)
    withdrawn_reason = models.TextField(_("撤销理由"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推荐名单")
        verbose_name_plural = _("推荐名单")
        ordering = ["category__order", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(status="proposed"), name="recommendation_one_active_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.application}"

    @property
    def activity_organiser(self):
        return self.cycle.programme.organiser

    @property
    def is_active(self) -> bool:
        return self.status == RecommendationStatus.PROPOSED


class Publicity(models.Model):
    """A 公示 of the proposed winners: its window in Asia/Shanghai, notice text and contact for objections."""

    cycle = models.ForeignKey("awards.Cycle", on_delete=models.PROTECT, related_name="publicities", verbose_name=_("评选周期"))
    stage = models.OneToOneField("awards.Stage", on_delete=models.PROTECT, related_name="publicity", verbose_name=_("公示环节"))
    title = models.CharField(_("公示标题"), max_length=200)
    notice = models.TextField(_("公示说明"))
    start_date = models.DateField(_("公示开始日期"))
    end_date = models.DateField(_("公示结束日期"))
    span = models.PositiveSmallIntegerField(_("公示期"))
    unit = models.CharField(_("公示期单位"), max_length=20, choices=[("working_days", _("工作日")), ("calendar_days", _("自然日"))])
    contact = models.CharField(_("异议受理联系方式"), max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="publicity_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_organiser(self):
        return self.cycle.programme.organiser

    @property
    def opens_at(self) -> datetime.datetime:
        """00:00:00 of the start date, Beijing time."""
        return datetime.datetime.combine(self.start_date, datetime.time.min, tzinfo=SHANGHAI)

    @property
    def closes_at(self) -> datetime.datetime:
        """23:59:59 of the end date, Beijing time (the last second objections are accepted)."""
        return datetime.datetime.combine(self.end_date, datetime.time(23, 59, 59), tzinfo=SHANGHAI)

    @property
    def _ends_before(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end_date + datetime.timedelta(days=1), datetime.time.min, tzinfo=SHANGHAI)

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self._ends_before

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self._ends_before

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.opens_at

    def state(self, now: datetime.datetime | None = None) -> str:
        if not self.has_started(now):
            return "scheduled"
        return "ended" if self.has_ended(now) else "open"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    INVESTIGATING = "investigating", _("调查核实中")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


UNRESOLVED_OBJECTION = (ObjectionStatus.OPEN, ObjectionStatus.INVESTIGATING)


class Objection(models.Model):
    """An objection (异议) filed by anyone during a 公示 against a listed candidate, and its handling."""

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示"))
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="objections", verbose_name=_("异议对象")
    )
    name = models.CharField(_("异议人姓名或单位"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=100)
    content = models.TextField(_("异议内容"))
    attachment = models.FileField(_("证明材料"), upload_to="decisions/objections/%Y/%m/", max_length=255, blank=True)
    attachment_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    attachment_content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("提交IP"), null=True, blank=True)
    status = models.CharField(_("处理状态"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    investigation_notes = models.TextField(_("调查核实情况"), blank=True)
    resolution_reason = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("处理人")
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{_('异议')} #{self.pk} · {self.application.number}"

    @property
    def activity_organiser(self):
        return self.publicity.activity_organiser

    @property
    def is_resolved(self) -> bool:
        return self.status not in UNRESOLVED_OBJECTION


class Approval(models.Model):
    """The government's approval (批准表彰) of the list, recorded from its document."""

    cycle = models.ForeignKey("awards.Cycle", on_delete=models.PROTECT, related_name="approvals", verbose_name=_("评选周期"))
    stage = models.OneToOneField("awards.Stage", on_delete=models.PROTECT, related_name="approval", verbose_name=_("审批环节"))
    approved_on = models.DateField(_("批准日期"))
    approving_body = models.CharField(_("批准机关"), max_length=120)
    document_number = models.CharField(_("批准文号"), max_length=60, validators=[validate_document_number])
    notes = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批准")
        verbose_name_plural = _("批准")

    def __str__(self) -> str:
        return f"{self.approving_body} {self.document_number}"

    @property
    def activity_organiser(self):
        return self.cycle.programme.organiser


class Award(models.Model):
    """A final winner (获奖对象): created when the government approves; the prize is fixed then."""

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
    created_at = models.DateTimeField(_("确定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("获奖对象")
        verbose_name_plural = _("获奖对象")
        ordering = ["category__order", "recommendation__rank", "id"]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.application.applicant_name}"

    @property
    def activity_organiser(self):
        return self.cycle.programme.organiser

    @property
    def has_money_prize(self) -> bool:
        return self.prize_amount is not None and self.prize_amount > 0


class PrizePayment(models.Model):
    """A payment of prize money to a winner (奖金发放)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments", verbose_name=_("获奖对象"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    paid_on = models.DateField(_("发放日期"))
    reference = models.CharField(_("凭证号"), max_length=100)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("奖金发放")
        verbose_name_plural = _("奖金发放")
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="prize_payment_positive")]

    def __str__(self) -> str:
        return f"{self.award} · {self.amount} · {self.reference}"

    @property
    def activity_organiser(self):
        return self.award.activity_organiser


class BenefitGrant(models.Model):
    """A non-monetary benefit (精神奖励待遇) granted to a winner, e.g. entry into the 虹桥人才荟 database."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="benefits", verbose_name=_("获奖对象"))
    code = models.SlugField(_("待遇代码"), max_length=40)
    text = models.CharField(_("待遇"), max_length=300)
    granted_on = models.DateField(_("办理日期"))
    note = models.CharField(_("办理情况"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("精神奖励待遇")
        verbose_name_plural = _("精神奖励待遇")
        ordering = ["award", "code"]
        constraints = [models.UniqueConstraint(fields=["award", "code"], name="benefit_grant_unique")]

    def __str__(self) -> str:
        return f"{self.award} · {self.text}"

    @property
    def activity_organiser(self):
        return self.award.activity_organiser
