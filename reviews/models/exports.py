"""Excel exports as background jobs: one row per export a staff member asked for, with its state
(queued → running → done, or failed and retried), its progress and the stored file. The sibling of
documents.Document for spreadsheets; the workbooks themselves are built by reviews.exports."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import ACTIVE_STATUSES, BackgroundJob, JobStatus, one_active_per


class ExportKind(models.TextChoices):
    APPLICATIONS = "applications", _("申报与环节结果")
    SCORES = "scores", _("专家评分明细（专家 × 条款）")
    RANKINGS = "rankings", _("排名与会议决定")
    WINNERS = "winners", _("获奖名单与奖金发放")


# The state of an export is the background job's (core.jobs), under the names the reviews app has used.
ExportStatus = JobStatus
EXPORT_ACTIVE = ACTIVE_STATUSES


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """A private path that says nothing guessable: exports/<organiser>/<yyyy>/<uuid>.xlsx."""
    return instance.storage_name()


class ExportJob(BackgroundJob):
    """One export a staff member asked for (queued → running → done / failed: core.jobs)."""

    activity_prefix = "export"
    stale_after = timedelta(seconds=getattr(settings, "EXPORTS_STALE_AFTER_SECONDS", 1800))
    error_limit = 2000
    subject_fields = ("cycle_id", "kind")
    progress_reset = {"rows_done": 0}
    organiser_path = "cycle__programme__organiser"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cycle = models.ForeignKey("awards.Cycle", on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("评选周期"))
    kind = models.CharField(_("导出内容"), max_length=20, choices=ExportKind.choices)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to=export_upload_to, max_length=255, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    cpu_seconds = models.FloatField(_("处理器时间（秒）"), null=True, blank=True)
    worker_peak_kib = models.PositiveIntegerField(_("工作进程内存峰值（KiB）"), null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = verbose_name_plural = _("导出任务")
        constraints = [one_active_per("cycle", "kind", name="export_one_active_per_cycle_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.cycle_id}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))

    def done_summary(self) -> dict:
        return {"kind": self.kind, "rows": self.rows_done, "size": self.size, "seconds": self.seconds}

    def storage_name(self) -> str:
        organiser = self.cycle.programme.organiser.code if self.cycle_id else "none"
        return f"exports/{organiser}/{timezone.localtime():%Y}/{self.public_id}.xlsx"
