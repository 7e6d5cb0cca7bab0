"""陈述答辩 / 现场评审 schedule entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk

from .experts import ExpertPanel, ExpertProfile


class ScheduleEntry(models.Model):
    """A 陈述答辩 slot or a 现场评审 visit for one application in one stage."""

    class Kind(models.TextChoices):
        PRESENTATION = "presentation", _("陈述答辩")
        SITE_VISIT = "site_visit", _("现场评审")

    stage = models.ForeignKey("awards.Stage", on_delete=models.CASCADE, related_name="schedule", verbose_name=_("评审环节"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="schedule", verbose_name=_("申报"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=200, help_text=_("陈述答辩为会议室，现场评审为地址"))
    panel = optional_fk(ExpertPanel, models.PROTECT, related_name="schedule", verbose_name=_("专家组"))
    team = models.ManyToManyField(ExpertProfile, blank=True, related_name="site_visits", verbose_name=_("评审组成员"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("安排人"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评审日程")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "application"], name="schedule_one_per_stage"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="schedule_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application} {self.starts_at:%Y-%m-%d %H:%M}"




