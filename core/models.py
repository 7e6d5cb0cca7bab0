from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk


class OrganiserScopedMixin:
    """A row that belongs to one organiser: `activity_organiser` follows `organiser_path` (an ORM path such
    as "cycle__programme__organiser") to it, and the activity log files the row's changes under it."""

    organiser_path = "organiser"

    @property
    def activity_organiser(self):
        target = self
        for name in self.organiser_path.split("__"):
            target = getattr(target, name)
            if target is None:
                return None
        return target


class Timestamped(models.Model):
    """When the row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Profile(models.Model):
    """Who someone is, kept under their account (an applicant organisation or person, an expert), known by its name.
    Its timestamps carry no label, as the profile tables were created."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class RecordedByStaff(models.Model):
    """A fact staff record from outside the portal (an approval, a payment, a benefit): who entered it, when."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        abstract = True


class ActivityLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The activity log is append-only.")

    def delete(self):
        raise PermissionDenied("The activity log is append-only.")


class ActivityLog(models.Model):
    """An immutable record of a change of state, score or configuration: who, what, when, before/after."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = optional_fk(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    organiser = optional_fk("awards.Organiser", models.PROTECT, related_name="+", verbose_name=_("主办机构"))
    target_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    target_repr = models.CharField(_("对象"), max_length=255)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)

    objects = ActivityLogQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("操作记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The activity log is append-only.")


class EmailNotification(models.Model):
    """An e-mail the portal decided to send: what, to whom, why, and whether it went out."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    recipient = optional_fk(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    to_address = models.EmailField(_("收件地址"))
    event = models.CharField(_("事件"), max_length=60, db_index=True)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    application = optional_fk("applications.Application", models.CASCADE, related_name="notifications")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # When the send task was handed to the broker (core.outbox); empty while the broker could not take it.
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("邮件通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class EnteredByOffice(Timestamped):
    """The national holiday calendar as the office enters it: who entered a row, and when."""

    entered_by = optional_fk(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("录入人"))

    class Meta:
        abstract = True


class CalendarYear(EnteredByOffice):
    """The State Council's 放假安排 for one year as entered by the office.

    `chinesecalendar` stays the base; a year it does not cover counts as covered only once its
    record here is marked complete (every holiday and make-up working day of the notice entered).
    """

    year = models.PositiveSmallIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    notice = models.CharField(_("通知文号"), max_length=80, help_text=_("如：国办发明电〔2026〕12号"))
    notice_title = models.CharField(
        _("通知标题"), max_length=200, blank=True, help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知")
    )
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    is_complete = models.BooleanField(
        _("已录入完整"),
        default=False,
        help_text=_("通知中的全部放假日期和调休上班日期均已录入并核对后才勾选；勾选后系统按本年度安排计算工作日。"),
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("年度放假安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)d 年放假安排（%(notice)s）") % {"year": self.year, "notice": self.notice}


class CalendarEntry(EnteredByOffice):
    """One dated day of an official 放假安排: a holiday, or a weekend made a working day (调休上班).

    An entry overrides the library for its date; in a year the library does not cover, days
    without an entry follow the week (Monday–Friday working) once the year is marked complete.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=40, help_text=_("如：春节、国庆节"))
    notice = models.CharField(_("通知文号"), max_length=80, help_text=_("该日期所依据的通知，如：国办发明电〔2026〕12号"))

    class Meta:
        verbose_name = verbose_name_plural = _("放假调休日期")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} {self.get_kind_display()}"

    @staticmethod
    def make_up_day_problem(date) -> str:
        """Why `date` cannot be a make-up working day (调休上班 is always a Saturday or Sunday), or ""."""
        if date.weekday() < 5:
            return _("%(date)s 是星期一至星期五，本来就是工作日，不能登记为调休上班日；调休上班日应为星期六或星期日。") % {
                "date": date.isoformat()
            }
        return ""

    def clean(self):
        problem = self.make_up_day_problem(self.date) if self.date and self.kind == self.Kind.WORKDAY else ""
        if problem:
            raise ValidationError({"kind": problem})
