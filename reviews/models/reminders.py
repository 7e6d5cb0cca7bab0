"""Reminders (提醒) sent by the scheduled sweep: one row per person per event, never two."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.models import OrganiserScopedMixin


class ReminderKind(models.TextChoices):
    APPLICATION_WINDOW = "application_window", _("申报即将截止，草稿未提交")
    SUPPLEMENT_DUE = "supplement_due", _("补正期限将至")
    SCORING_DUE = "scoring_due", _("评分即将截止，评分表未提交")
    PUBLICITY_ENDING = "publicity_ending", _("公示即将结束")
    OBJECTIONS_OPEN = "objections_open", _("公示有未处理的异议")
    SCORESHEETS_OVERDUE = "scoresheets_overdue", _("评分表逾期未交")


class Reminder(OrganiserScopedMixin, models.Model):
    """A reminder the sweep sent: its kind, the person, the event it is about (event_key names the event and
    its deadline, e.g. "supplement:12:2026-12-04"; a moved deadline is a new event) and the e-mail it became.

    The unique constraint on (kind, recipient, event_key) is the rule that a person is reminded of an event
    once: a second sweep — a restarted beat, or two beats started by mistake — fails to insert the row and
    sends nothing."""

    organiser_path = "cycle__programme__organiser"

    kind = models.CharField(_("提醒类型"), max_length=30, choices=ReminderKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("收件人"))
    event_key = models.CharField(_("事件"), max_length=120)
    cycle = models.ForeignKey("awards.Cycle", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("评选周期"))
    stage = optional_fk("awards.Stage", models.CASCADE, related_name="reminders", verbose_name=_("评审环节"))
    applications = models.ManyToManyField("applications.Application", blank=True, related_name="reminders", verbose_name=_("涉及申报"))
    due_on = models.DateField(_("截止日期"))
    language = models.CharField(_("语言"), max_length=10)
    notification = models.OneToOneField("core.EmailNotification", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="reminder", verbose_name=_("邮件"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "recipient", "event_key"], name="reminder_once_per_person_per_event")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.recipient} · {self.due_on}"
