"""Generated documents: one row per PDF the portal produces, with its rendering status."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.jobs import ACTIVE_STATUSES, BackgroundJob, JobStatus, one_active_per

__all__ = ["ACTIVE_STATUSES", "Document", "DocumentKind", "DocumentStatus", "document_upload_to"]


class DocumentKind(models.TextChoices):
    REQUEST = "request", _("请示（含申报表、工作方案）")
    PROJECT_FORM = "project_form", _("评比达标表彰项目申报表")
    WORK_PLAN = "work_plan", _("工作方案")
    APPLICATION = "application", _("申报书")
    SCORE_SUMMARY = "score_summary", _("评分汇总及排名")
    PUBLICITY_NOTICE = "publicity_notice", _("公示")
    AWARD_DECISION = "award_decision", _("表彰决定")
    CERTIFICATE = "certificate", _("荣誉证书")
    CERTIFICATE_BATCH = "certificate_batch", _("荣誉证书（全部获奖者）")
    FEEDBACK_REPORT = "feedback_report", _("评价反馈报告")


# The status of a rendering is the background job's (core.jobs), under the names the documents app has used.
DocumentStatus = JobStatus


def document_upload_to(instance: Document, filename: str) -> str:
    """A private path that says nothing guessable: documents/<organiser>/<kind>/<yyyy>/<uuid>.pdf."""
    now = timezone.localtime()
    organiser = instance.organiser.code if instance.organiser_id else "none"
    return f"documents/{organiser}/{instance.kind}/{now:%Y}/{instance.public_id}.pdf"


class Document(BackgroundJob):
    """One generated PDF and the state of its rendering (queued → running → done / failed: core.jobs)."""

    activity_prefix = "document"
    done_action = "generated"
    stale_after = timedelta(seconds=getattr(settings, "DOCUMENTS_STALE_AFTER_SECONDS", 600))
    subject_fields = ("kind", "subject_key")
    progress_reset = {"progress_done": None, "progress_total": None}

    public_id = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("文书类型"), max_length=30, choices=DocumentKind.choices, db_index=True)
    organiser = models.ForeignKey("awards.Organiser", on_delete=models.PROTECT, related_name="documents", verbose_name=_("主办机构"))
    cycle = optional_fk("awards.Cycle", models.CASCADE, related_name="documents", verbose_name=_("评选周期"))
    application = optional_fk("applications.Application", models.CASCADE, related_name="documents", verbose_name=_("申报"))
    letter = optional_fk("awards.OfficialLetter", models.SET_NULL, related_name="documents", verbose_name=_("公文"))
    # What the document is about, as a stable key: "cycles:3,5", "application:12", "winner:7".
    subject_key = models.CharField(_("对象"), max_length=200, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=300, blank=True)
    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=255, blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    render_seconds = models.FloatField(_("生成耗时（秒）"), null=True, blank=True)
    # Batches (e.g. the certificates of every winner) count their items as they are laid out.
    progress_done = models.PositiveIntegerField(_("已完成份数"), null=True, blank=True)
    progress_total = models.PositiveIntegerField(_("总份数"), null=True, blank=True)
    # When the rendering task was handed to the broker (core.outbox); empty while the broker could not take it.
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = verbose_name_plural = _("生成文书")
        indexes = [models.Index(fields=["kind", "subject_key", "created_at"])]
        constraints = [
            one_active_per("kind", "subject_key", name="document_one_active_per_subject"),
            models.CheckConstraint(condition=~models.Q(status="done") | ~models.Q(checksum=""),
                                   name="document_done_has_checksum"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.subject_key}"

    def done_summary(self) -> dict:
        return {"checksum": self.checksum, "pages": self.pages, "attempts": self.attempts}
