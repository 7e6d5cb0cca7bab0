"""Sittings of a review body (评审联席会议 …) and their decisions per application."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OrganiserScopedMixin


class Meeting(OrganiserScopedMixin, models.Model):
    """A sitting of a review body (评审联席会议, 区委书记专题会 …) for a stage of kind `meeting`."""

    organiser_path = "stage__cycle__programme__organiser"

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
        verbose_name = verbose_name_plural = _("会议")
        ordering = ["stage__order", "-held_on", "-id"]
        # A meeting is recorded once: a re-submitted form (double click, back button) cannot add a
        # second record of the same sitting. reviews.services.record_meeting says who recorded it.
        constraints = [models.UniqueConstraint(fields=["stage", "held_on"], name="meeting_once_per_stage_and_day")]

    def __str__(self) -> str:
        return f"{self.body.name} {self.held_on:%Y-%m-%d}"

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


class MeetingDecision(OrganiserScopedMixin, models.Model):
    """The decision of a meeting on one candidate: a vote count, or a recorded decision with notes."""

    organiser_path = "meeting__stage__cycle__programme__organiser"

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
        verbose_name = verbose_name_plural = _("会议决定")
        ordering = ["meeting", "application__number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "application"], name="meeting_decision_unique")]

    def __str__(self) -> str:
        return f"{self.application.number}: {self.get_outcome_display()}"
