"""The expert pool (专家库), panels, assignments and conflict declarations (回避)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.models import OrganiserScopedMixin, Profile


class ExpertProfile(OrganiserScopedMixin, Profile):
    """An expert in an organiser's pool (专家库)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profiles", verbose_name=_("账号"))
    organiser = models.ForeignKey("awards.Organiser", on_delete=models.PROTECT, related_name="experts", verbose_name=_("主办机构"))
    name = models.CharField(_("姓名"), max_length=60)
    id_number = models.CharField(_("身份证件号码"), max_length=40, blank=True, help_text=_("用于识别本人申报的回避"))
    title = models.CharField(_("职称/职务"), max_length=100, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200)
    employer_credit_code = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True)
    group = models.CharField(_("所属集团"), max_length=200, blank=True, help_text=_("如：某某控股（集团）有限公司"))
    group_credit_code = models.CharField(_("集团统一社会信用代码"), max_length=18, blank=True)
    specialties = models.CharField(_("专业领域"), max_length=300, blank=True, help_text=_("多个领域以顿号或逗号分隔"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评审专家")
        ordering = ["organiser", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "organiser"], name="expert_profile_unique_per_organiser")]

    @property
    def specialty_list(self) -> list[str]:
        text = self.specialties.replace("，", ",").replace("、", ",")
        return [s.strip() for s in text.split(",") if s.strip()]


class ExpertPanel(OrganiserScopedMixin, models.Model):
    """A panel of experts for one stage (专家组), optionally limited to some categories."""

    organiser_path = "stage__cycle__programme__organiser"

    stage = models.ForeignKey("awards.Stage", on_delete=models.CASCADE, related_name="panels", verbose_name=_("评审环节"))
    name = models.CharField(_("名称"), max_length=80)
    categories = models.ManyToManyField("awards.Category", blank=True, related_name="panels", verbose_name=_("负责类别"),
                                        help_text=_("留空表示本环节全部类别"))
    members = models.ManyToManyField(ExpertProfile, blank=True, related_name="panels", verbose_name=_("成员"))
    leader = optional_fk(ExpertProfile, models.SET_NULL, related_name="+", verbose_name=_("组长"))

    class Meta:
        verbose_name = verbose_name_plural = _("专家组")
        ordering = ["stage", "name"]
        constraints = [models.UniqueConstraint(fields=["stage", "name"], name="panel_name_unique_in_stage")]

    def __str__(self) -> str:
        return f"{self.stage.name} · {self.name}"


class Assignment(OrganiserScopedMixin, models.Model):
    """An expert assigned to score one application in one stage."""

    organiser_path = "stage__cycle__programme__organiser"

    class Method(models.TextChoices):
        MANUAL = "manual", _("手工分配")
        AUTOMATIC = "automatic", _("自动分配")
        SCHEDULE = "schedule", _("随日程分配")

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        RECUSED = "recused", _("已回避")

    stage = models.ForeignKey("awards.Stage", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("评审环节"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("申报"))
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("专家"))
    panel = optional_fk(ExpertPanel, models.SET_NULL, related_name="assignments", verbose_name=_("专家组"))
    method = models.CharField(_("分配方式"), max_length=10, choices=Method.choices, default=Method.MANUAL)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("分配人"))
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("专家分配")
        ordering = ["stage", "application", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "application", "expert"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application} ({self.stage})"


class ConflictDeclaration(models.Model):
    """An expert's statement about one application (回避声明), made before seeing its content.

    has_conflict=False records the expert's declaration that there is none; staff may also record a
    conflict they learn of (declared_by is then the staff member)."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("专家"))
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="conflict_declarations", verbose_name=_("申报"))
    has_conflict = models.BooleanField(_("存在利益冲突"))
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("声明人"))
    declared_at = models.DateTimeField(_("声明时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("回避声明")
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="declaration_unique")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.application}"
