"""The 评价反馈报告: per applicant and scored stage, each criterion's band and the assessors' 优势 / 改进机会,
consolidated from the experts' scoresheets by the panel leader or the review office, never naming experts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.models import OrganiserScopedMixin


class FeedbackReport(OrganiserScopedMixin, models.Model):
    """One applicant's feedback report for one scored stage (draft → approved)."""

    organiser_path = "stage__cycle__programme__organiser"

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审定")
        APPROVED = "approved", _("已审定")

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="feedback_reports",
                                    verbose_name=_("申报"))
    stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="+", verbose_name=_("评审环节"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    summary = models.TextField(_("总体评价"), blank=True)
    # Raised at every approval: the PDF of an earlier approval is never offered as the current one.
    version = models.PositiveIntegerField(_("审定版本"), default=0)
    approved_by = optional_fk(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("审定人"))
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评价反馈报告")
        constraints = [models.UniqueConstraint(fields=["application", "stage"], name="feedback_report_unique")]

    def __str__(self) -> str:
        return f"{self.application} · {self.stage}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class FeedbackItem(models.Model):
    """One criterion of a report: the panel's band and the consolidated 优势 / 改进机会."""

    report = models.ForeignKey(FeedbackReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("评价反馈报告"))
    criterion = models.ForeignKey("awards.RubricCriterion", on_delete=models.PROTECT, related_name="+", verbose_name=_("评分条款"))
    # The panel's mean item score as a percentage of the item's maximum (None: no expert scored it).
    percent = models.DecimalField(_("得分率（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    strengths = models.TextField(_("优势"), blank=True)
    improvements = models.TextField(_("改进机会"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评价反馈条款")
        constraints = [models.UniqueConstraint(fields=["report", "criterion"], name="feedback_item_unique")]
