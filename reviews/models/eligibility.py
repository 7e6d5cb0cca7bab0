"""资格审查: staff findings on the automatic eligibility results, and supplement requests (补正)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EligibilityFinding(models.Model):
    """Staff's confirmation or override of one automatic eligibility result (资格审查)."""

    class Result(models.TextChoices):
        PASS = "pass", _("符合")
        FAIL = "fail", _("不符合")
        REVIEW = "review", _("需人工审核")

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="eligibility_findings", verbose_name=_("申报"))
    rule_key = models.CharField(_("规则"), max_length=80)
    label = models.CharField(_("条件"), max_length=300, blank=True)
    automatic_result = models.CharField(_("自动结果"), max_length=10, choices=Result.choices, blank=True)
    result = models.CharField(_("审查结论"), max_length=10, choices=[(Result.PASS, _("符合")), (Result.FAIL, _("不符合"))])
    overridden = models.BooleanField(_("改判"), default=False)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("审查人"))
    decided_at = models.DateTimeField(_("审查时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("资格审查结论")
        constraints = [models.UniqueConstraint(fields=["application", "rule_key"], name="eligibility_finding_unique")]


class SupplementRequestQuerySet(models.QuerySet):
    def open(self):
        """Requests the applicant has not answered yet (at most one per application: a database constraint)."""
        return self.filter(resolved_at__isnull=True)

    def open_for(self, application) -> SupplementRequest | None:
        """The application's open request, or None: the one lookup every page and rule uses."""
        return self.open().filter(application=application).first()


class SupplementRequest(models.Model):
    """A request to supplement materials (补充材料): the sections to fix and a deadline."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="supplement_requests", verbose_name=_("申报"))
    stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="+", verbose_name=_("评审环节"))
    sections = models.JSONField(_("需补充的部分"), default=list)
    message = models.TextField(_("说明"))
    working_days = models.PositiveSmallIntegerField(_("期限（工作日）"))
    due_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("补充时间"), null=True, blank=True)

    objects = SupplementRequestQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("补充材料要求")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=models.Q(resolved_at__isnull=True), name="one_open_supplement_request"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.resolved_at is None and today > self.due_on




