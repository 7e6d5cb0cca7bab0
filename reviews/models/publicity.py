"""The recommendation list, the 公示 and objections (异议)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.models import OrganiserScopedMixin

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟推荐")
    WITHDRAWN = "withdrawn", _("已撤销")


class RecommendationSource(models.TextChoices):
    RANKING = "ranking", _("评分排名")
    MEETING = "meeting", _("会议决定")


class Recommendation(OrganiserScopedMixin, models.Model):
    """One proposed winner (拟表彰对象) of a category; never more active rows than the quota."""

    organiser_path = "cycle__programme__organiser"

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
        verbose_name = verbose_name_plural = _("推荐名单")
        ordering = ["category__order", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(status="proposed"), name="recommendation_one_active_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.application}"

    @property
    def is_active(self) -> bool:
        return self.status == RecommendationStatus.PROPOSED


class Publicity(OrganiserScopedMixin, models.Model):
    """A 公示 of the proposed winners: its window in Asia/Shanghai, notice text and contact for objections."""

    organiser_path = "cycle__programme__organiser"

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
        verbose_name = verbose_name_plural = _("公示")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="publicity_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

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


class Objection(OrganiserScopedMixin, models.Model):
    """An objection (异议) filed by anyone during a 公示 against a listed candidate, and its handling."""

    organiser_path = "publicity__cycle__programme__organiser"

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
    resolved_by = optional_fk(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("处理人"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("异议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{_('异议')} #{self.pk} · {self.application.number}"

    @property
    def is_resolved(self) -> bool:
        return self.status not in UNRESOLVED_OBJECTION
