from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The activity log is append-only.")

    def delete(self):
        raise PermissionDenied("The activity log is append-only.")


class ActivityLog(models.Model):
    """An immutable record of a change of state, score or configuration: who, what, when, before/after."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    organiser = models.ForeignKey(
        "awards.Organiser", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("主办机构")
    )
    target_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    target_repr = models.CharField(_("对象"), max_length=255)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)

    objects = ActivityLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
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
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    to_address = models.EmailField(_("收件地址"))
    event = models.CharField(_("事件"), max_length=60, db_index=True)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件通知")
        verbose_name_plural = _("邮件通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"
