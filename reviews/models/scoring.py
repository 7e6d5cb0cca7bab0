"""Scoresheets, item scores and the cut-offs decided from them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OrganiserScopedMixin

from .experts import Assignment


class Scoresheet(models.Model):
    """One expert's scores for one application in one stage."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scoresheet", verbose_name=_("专家分配"))
    rubric = models.ForeignKey("awards.Rubric", on_delete=models.PROTECT, related_name="+", verbose_name=_("评分标准"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    opinion = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("重新开放次数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评分表")
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="scoresheet_total_non_negative")]

    def __str__(self) -> str:
        return f"{self.assignment.expert} · {self.assignment.application}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ItemScore(models.Model):
    scoresheet = models.ForeignKey(Scoresheet, on_delete=models.CASCADE, related_name="items", verbose_name=_("评分表"))
    criterion = models.ForeignKey("awards.RubricCriterion", on_delete=models.PROTECT, related_name="+", verbose_name=_("评分条款"))
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    strengths = models.TextField(_("优势"), blank=True, help_text=_("写入评价反馈报告，不署专家姓名"))
    improvements = models.TextField(_("改进机会"), blank=True, help_text=_("写入评价反馈报告，不署专家姓名"))

    class Meta:
        verbose_name = verbose_name_plural = _("条款得分")
        constraints = [
            models.UniqueConstraint(fields=["scoresheet", "criterion"], name="item_score_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="item_score_non_negative"),
        ]




class CutoffDecision(OrganiserScopedMixin, models.Model):
    """Staff's cut-off for one stage and category: who advances (top K or a minimum score)."""

    organiser_path = "stage__cycle__programme__organiser"

    class Method(models.TextChoices):
        TOP_K = "top_k", _("按名次（前K名）")
        MIN_SCORE = "min_score", _("按分数线")

    stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="+", verbose_name=_("评审环节"))
    category = models.ForeignKey("awards.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("奖项类别"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    value = models.DecimalField(_("取值"), max_digits=8, decimal_places=2)
    advanced = models.JSONField(_("通过"), default=list)
    failed = models.JSONField(_("未通过"), default=list)
    reason = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("晋级分数线")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.stage} · {self.category} · {self.get_method_display()} {self.value}"


class RankingSnapshot(models.Model):
    """A category's ranking at one stage as reviews.selectors.category_ranking computed it, stored so that a
    page of it is read in SQL instead of ranking thousands of applications on every request.

    `fingerprint` digests everything the ranking is computed from (the stages and their parameters, the
    category's applications with their status and stage, the assignments and scoresheets at the stages it
    aggregates, the rubric's points); a reader recomputes the snapshot when the digest of the data now
    differs (reviews.selectors.rankings.stored_ranking). A snapshot is never changed: a new version is a new
    row, and the superseded ones go a few minutes later (a request may still be reading one)."""

    stage = models.ForeignKey("awards.Stage", on_delete=models.CASCADE, related_name="+", verbose_name=_("评审环节"))
    category = models.ForeignKey("awards.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("奖项类别"))
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)
    rows = models.PositiveIntegerField(default=0)
    disagreements = models.PositiveIntegerField(default=0)
    incomplete = models.PositiveIntegerField(default=0)  # rows whose scoresheets are not all in
    # The first of them in ranking order, as the page's warning names them: [number, submitted, assigned].
    incomplete_first = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "category", "fingerprint"], name="ranking_snapshot_unique")]


class RankingEntry(models.Model):
    """One row of a RankingSnapshot: what a ScoreSummaryRow holds besides the application itself."""

    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()  # 1, 2, 3 … in the ranking's order (ranks repeat on ties)
    rank = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    expert_count = models.PositiveIntegerField(default=0)
    spread = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    std_dev = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    disagreement = models.BooleanField(default=False)
    sheets_submitted = models.PositiveIntegerField(default=0)
    sheets_assigned = models.PositiveIntegerField(default=0)
    stage_scores = models.JSONField(default=dict)  # stage code → "800.00" or null
    expert_totals = models.JSONField(default=dict)  # expert id → submitted total as a string, or null

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "position"], name="ranking_entry_position_unique")]
        indexes = [models.Index(fields=["snapshot", "disagreement", "position"], name="ranking_entry_disagreement")]
