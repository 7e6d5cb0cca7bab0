"""Review data: experts, panels, assignments, conflicts (回避), scoresheets, supplements, schedules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExpertProfile(models.Model):
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["organiser", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "organiser"], name="expert_profile_unique_per_organiser")]

    def __str__(self) -> str:
        return self.name

    @property
    def activity_organiser(self):
        return self.organiser

    @property
    def specialty_list(self) -> list[str]:
        text = self.specialties.replace("，", ",").replace("、", ",")
        return [s.strip() for s in text.split(",") if s.strip()]


class ExpertPanel(models.Model):
    """A panel of experts for one stage (专家组), optionally limited to some categories."""

    stage = models.ForeignKey("awards.Stage", on_delete=models.CASCADE, related_name="panels", verbose_name=_("评审环节"))
    name = models.CharField(_("名称"), max_length=80)
    categories = models.ManyToManyField("awards.Category", blank=True, related_name="panels", verbose_name=_("负责类别"),
                                        help_text=_("留空表示本环节全部类别"))
    members = models.ManyToManyField(ExpertProfile, blank=True, related_name="panels", verbose_name=_("成员"))
    leader = models.ForeignKey(ExpertProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("组长"))

    class Meta:
        verbose_name = _("专家组")
        verbose_name_plural = _("专家组")
        ordering = ["stage", "name"]
        constraints = [models.UniqueConstraint(fields=["stage", "name"], name="panel_name_unique_in_stage")]

    def __str__(self) -> str:
        return f"{self.stage.name} · {self.name}"

    @property
    def activity_organiser(self):
        return self.stage.cycle.programme.organiser


class Assignment(models.Model):
    """An expert assigned to score one application in one stage."""

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
    panel = models.ForeignKey(ExpertPanel, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments", verbose_name=_("专家组"))
    method = models.CharField(_("分配方式"), max_length=10, choices=Method.choices, default=Method.MANUAL)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("分配人"))
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家分配")
        verbose_name_plural = _("专家分配")
        ordering = ["stage", "application", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "application", "expert"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application} ({self.stage})"

    @property
    def activity_organiser(self):
        return self.stage.cycle.programme.organiser


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
        verbose_name = _("回避声明")
        verbose_name_plural = _("回避声明")
        constraints = [models.UniqueConstraint(fields=["expert", "application"], name="declaration_unique")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.application}"


class Scoresheet(models.Model):
    """One expert's scores for one application in one stage."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scoresheet", verbose_name=_("专家分配"))
    rubric = models.ForeignKey("awards.Rubric", on_delete=models.PROTECT, related_name="+", verbose_name=_("评分标准"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, default=Decimal("0"))
    opinion = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("重新开放次数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="scoresheet_total_non_negative")]

    def __str__(self) -> str:
        return f"{self.assignment.expert} · {self.assignment.application}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ItemScore(models.Model):
    scoresheet = models.ForeignKey(Scoresheet, on_delete=models.CASCADE, related_name="items", verbose_name=_("评分表"))
    criterion = models.ForeignKey("awards.RubricCriterion", on_delete=models.PROTECT, related_name="+", verbose_name=_("评分条款"))
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    comment = models.CharField(_("评语"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("条款得分")
        verbose_name_plural = _("条款得分")
        constraints = [
            models.UniqueConstraint(fields=["scoresheet", "criterion"], name="item_score_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="item_score_non_negative"),
        ]


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
        verbose_name = _("资格审查结论")
        verbose_name_plural = _("资格审查结论")
        constraints = [models.UniqueConstraint(fields=["application", "rule_key"], name="eligibility_finding_unique")]


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

    class Meta:
        verbose_name = _("补充材料要求")
        verbose_name_plural = _("补充材料要求")
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
    panel = models.ForeignKey(ExpertPanel, on_delete=models.PROTECT, null=True, blank=True, related_name="schedule", verbose_name=_("专家组"))
    team = models.ManyToManyField(ExpertProfile, blank=True, related_name="site_visits", verbose_name=_("评审组成员"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("安排人"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评审日程")
        verbose_name_plural = _("评审日程")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "application"], name="schedule_one_per_stage"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="schedule_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application} {self.starts_at:%Y-%m-%d %H:%M}"


class CutoffDecision(models.Model):
    """Staff's cut-off for one stage and category: who advances (top K or a minimum score)."""

    class Method(models.TextChoices):
        TOP_K = "top_k", _("按名次（前K名）")
        MIN_SCORE = "min_score", _("按分数线")

    stage = models.ForeignKey("awards.Stage", on_delete=models.PROTECT, related_name="+", verbose_name=_("评审环节"))
    category = models.ForeignKey("awards.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("奖项类别"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    value = models.DecimalField(_("取值"), max_digits=8, decimal_places=2)
    advanced = models.JSONField(_("通过"), default=list)
    failed = models.JSONField(_("未通过"), default=list)
    reason = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("晋级分数线")
        verbose_name_plural = _("晋级分数线")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.stage} · {self.category} · {self.get_method_display()} {self.value}"

    @property
    def activity_organiser(self):
        return self.stage.cycle.programme.organiser
