"""Excel exports as background jobs: one row per export a staff member asked for, with its state
(queued → running → done, or failed and retried), its progress and the stored file. The sibling of
documents.Document for spreadsheets; the workbooks themselves are built by reviews.exports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    APPLICATIONS = "applications", _("申报与环节结果")
    SCORES = "scores", _("专家评分明细（专家 × 条款）")
    RANKINGS = "rankings", _("排名与会议决定")
    WINNERS = "winners", _("获奖名单与奖金发放")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


EXPORT_ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """A private path that says nothing guessable: exports/<organiser>/<yyyy>/<uuid>.xlsx."""
    return instance.storage_name()


class ExportJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey("awards.Cycle", on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("评选周期"))
    kind = models.CharField(_("导出内容"), max_length=20, choices=ExportKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to=export_upload_to, max_length=255, blank=True)
    filename = models.CharField(_("下载文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    cpu_seconds = models.FloatField(_("处理器时间（秒）"), null=True, blank=True)
    worker_peak_kib = models.PositiveIntegerField(_("工作进程内存峰值（KiB）"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("申请人"))
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one queued or running export of the same kind per cycle.
            models.UniqueConstraint(fields=["cycle", "kind"], condition=models.Q(status__in=["queued", "running"]),
                                    name="export_one_active_per_cycle_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.cycle_id}"

    @property
    def activity_organiser(self):
        return self.cycle.programme.organiser

    @property
    def is_active(self) -> bool:
        return self.status in EXPORT_ACTIVE

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))

    def storage_name(self) -> str:
        organiser = self.cycle.programme.organiser.code if self.cycle_id else "none"
        return f"exports/{organiser}/{timezone.localtime():%Y}/{self.public_id}.xlsx"
