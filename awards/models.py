"""Configuration of award programmes: who runs them, cycles, categories, stages, rubrics, rules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.i18n import localized
from core.models import OrganiserScopedMixin


class LocalizedNameMixin:
    """`display_name`: the English name (name_en) for readers of the English interface, else the Chinese."""

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class Organiser(LocalizedNameMixin, models.Model):
    """A district government and its award office: the unit every piece of data is scoped to."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120, help_text=_("如：上海市长宁区人民政府"))
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True, help_text=_("如：Changning District People's Government, Shanghai"))
    short_name = models.CharField(_("简称"), max_length=40, help_text=_("如：长宁区"))
    short_name_en = models.CharField(_("英文简称"), max_length=80, blank=True, help_text=_("如：Changning District"))
    issuing_unit = models.CharField(
        _("发文单位"), max_length=120, blank=True, help_text=_("请示等公文的发文机关，如：上海市长宁区人力资源和社会保障局")
    )
    doc_prefix = models.CharField(_("机关代字"), max_length=20, blank=True, help_text=_("如：长人社"))
    signer = models.CharField(_("签发人"), max_length=40, blank=True)
    office_name = models.CharField(_("评审办公室"), max_length=120, blank=True)
    office_name_en = models.CharField(_("评审办公室英文名称"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("主办机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def activity_organiser(self):
        return self


class Programme(OrganiserScopedMixin, LocalizedNameMixin, models.Model):
    """An award (奖项), e.g. 长宁区政府质量奖; it runs in cycles."""

    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("主办机构"))
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("项目名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    host = models.CharField(_("主办单位"), max_length=120)
    host_en = models.CharField(_("主办单位英文名称"), max_length=200, blank=True)
    undertaker = models.CharField(_("承办单位"), max_length=120, blank=True)
    undertaker_en = models.CharField(_("承办单位英文名称"), max_length=200, blank=True)
    office = models.CharField(_("办公室"), max_length=200, blank=True, help_text=_("评审办公室所在单位"))
    certificate_prefix = models.CharField(
        _("证书编号前缀"), max_length=40, blank=True,
        help_text=_("荣誉证书编号为“前缀〔年度〕第N号”，如 长质奖〔2023〕第1号；留空时以项目名称为前缀"),
    )
    office_en = models.CharField(_("办公室英文名称"), max_length=300, blank=True)
    description = models.TextField(_("简介"), blank=True)
    description_en = models.TextField(_("英文简介"), blank=True)

    def certificate_number(self, year: int, serial: int) -> str:
        """荣誉证书编号: 前缀〔年度〕第N号, e.g. 长质奖〔2023〕第1号."""
        prefix = self.certificate_prefix or self.name.replace("“", "").replace("”", "")
        return f"{prefix}〔{year}〕第{serial}号"

    class Meta:
        verbose_name = verbose_name_plural = _("奖项")
        ordering = ["organiser", "code"]

    def __str__(self) -> str:
        return self.name


class ProjectType(models.TextChoices):
    RETAINED = "retained", _("保留项目")
    NEW = "new", _("新设项目")


class FeedbackRelease(models.TextChoices):
    """When an approved 评价反馈报告 reaches the applicant."""

    ON_APPROVAL = "on_approval", _("审定后即发布")
    AFTER_DECISION = "after_decision", _("审定且本周期批准表彰后发布")
    NEVER = "never", _("不向申报人发布")


class Cycle(OrganiserScopedMixin, LocalizedNameMixin, models.Model):
    """One round (届 / 年度) of a programme, with its window, figures and review pipeline."""

    organiser_path = "programme__organiser"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("奖项"))
    code = models.SlugField(_("代码"), max_length=60, unique=True, help_text=_("稳定的标识，如 changning-quality-2023"))
    name = models.CharField(_("名称"), max_length=120, help_text=_("如：2023年度、第五届"))
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    year = models.PositiveIntegerField(_("年度"))
    project_type = models.CharField(_("项目类型"), max_length=10, choices=ProjectType.choices, default=ProjectType.RETAINED)
    project_type_mark = models.CharField(
        _("项目类型勾选符号"), max_length=2, default="√", help_text=_("申报表“项目类型”中所选项前的符号，按原文，如 √ 或 ■")
    )
    form_quota_unit_collective = models.CharField(_("申报表表彰名额单位（集体）"), max_length=4, blank=True, help_text=_("按申报表原文，如 个；留空不写"))
    form_quota_unit_individual = models.CharField(_("申报表表彰名额单位（个人）"), max_length=4, blank=True, help_text=_("按申报表原文，如 人；留空不写"))
    activity_period_years = models.PositiveSmallIntegerField(_("活动周期（年）"), default=3)
    application_opens_at = models.DateTimeField(_("申报开始"), null=True, blank=True)
    application_closes_at = models.DateTimeField(_("申报截止"), null=True, blank=True)
    held_on_text = models.CharField(_("举办时间"), max_length=60, blank=True, help_text=_("申报表原文，如：2023 年 9 月（拟定）"))
    held_on = models.DateField(_("计划举办日期"), null=True, blank=True)
    ceremony_text = models.CharField(_("表彰形式"), max_length=300, blank=True)
    previous_held_on_text = models.CharField(_("上届举办时间"), max_length=60, blank=True)
    previous_quota_collective = models.PositiveIntegerField(_("上届表彰名额（集体）"), null=True, blank=True)
    previous_quota_individual = models.PositiveIntegerField(_("上届表彰名额（个人）"), null=True, blank=True)
    population_collective = models.PositiveIntegerField(
        _("评选范围（集体）"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("符合条件的组织数")
    )
    population_individual = models.PositiveIntegerField(
        _("评选范围（个人）"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("符合条件的个人数")
    )
    scope_text = models.TextField(_("评选范围说明"), blank=True)
    award_setup_text = models.TextField(_("奖项设置说明"), blank=True)
    reason_and_basis = models.TextField(_("申请理由及依据"), blank=True)
    reward_standard_text = models.TextField(_("奖励标准"), blank=True)
    funding_source = models.CharField(_("经费来源（申报表）"), max_length=200, blank=True)
    work_plan_funding_source = models.CharField(_("经费来源（工作方案）"), max_length=300, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_address = models.CharField(_("材料寄送地址"), max_length=200, blank=True)
    contact_postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)
    feedback_release = models.CharField(
        _("评价反馈报告发布方式"), max_length=20, choices=FeedbackRelease.choices, default=FeedbackRelease.ON_APPROVAL,
        help_text=_("评价反馈报告经组长或评审办公室审定后何时向申报人发布"))
    notice = models.JSONField(_("申报通知"), default=dict, blank=True, help_text=_("申报通知各节：标题、导语、申报程序等"))
    work_plan = models.JSONField(_("工作方案"), default=list, blank=True, help_text=_("工作方案各节：[{title, paragraphs}]"))
    applications_per_applicant = models.PositiveSmallIntegerField(_("每个申报人可申报数"), default=1)
    previous_cycle = optional_fk("self", models.SET_NULL, related_name="+", verbose_name=_("上届"))

    class Meta:
        verbose_name = verbose_name_plural = _("评选周期")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application_closes_at__isnull=True)
                | models.Q(application_opens_at__isnull=True)
                | models.Q(application_closes_at__gt=models.F("application_opens_at")),
                name="cycle_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(population_collective__isnull=True) | models.Q(population_collective__gt=0),
                name="cycle_population_collective_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(population_individual__isnull=True) | models.Q(population_individual__gt=0),
                name="cycle_population_individual_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name}（{self.name}）"

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.application_closes_at is None:
            return False  # no deadline configured: not accepting applications
        if self.application_opens_at and now < self.application_opens_at:
            return False
        return now <= self.application_closes_at

    def clean(self):
        if self.application_opens_at and self.application_closes_at and self.application_closes_at <= self.application_opens_at:
            raise ValidationError({"application_closes_at": _("申报截止时间必须晚于开始时间。")})


class ApplicantKind(models.TextChoices):
    ORGANISATION = "organisation", _("组织")
    INDIVIDUAL = "individual", _("个人")
    FOREIGN_INDIVIDUAL = "foreign_individual", _("外籍个人")


class Category(OrganiserScopedMixin, LocalizedNameMixin, models.Model):
    """An award category of a cycle (level × track), with quota and prize."""

    organiser_path = "cycle__programme__organiser"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="categories", verbose_name=_("评选周期"))
    code = models.SlugField(_("代码"), max_length=60)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    level = models.CharField(_("奖项等级"), max_length=60, help_text=_("如：区长质量奖、质量金奖"))
    track = models.CharField(_("奖项类别"), max_length=80, blank=True, help_text=_("如：先进质量管理模式（项目）"))
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    applicant_kind = models.CharField(_("申报对象"), max_length=20, choices=ApplicantKind.choices)
    quota = models.PositiveIntegerField(
        _("表彰名额"), null=True, blank=True, help_text=_("留空表示通知未公布、尚待设定；可为0")
    )
    prize_amount = models.DecimalField(
        _("奖金（元/个）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("留空表示精神奖励，不发奖金"),
    )
    reward_text = models.CharField(_("奖励方式"), max_length=200, blank=True, help_text=_("如：精神奖励"))
    benefits = models.JSONField(_("奖励待遇"), default=list, blank=True, help_text=_("非奖金待遇，如纳入白玉兰奖储备人选"))
    standard = models.CharField(_("评价标准"), max_length=120, blank=True)
    standard_en = models.CharField(_("评价标准英文名称"), max_length=200, blank=True)
    criteria = models.JSONField(
        _("参评条件（之一）"), default=list, blank=True, help_text=_("申报人至少符合其一的条件列表，如虹桥友谊奖（一）至（五）")
    )
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("奖项类别")
        ordering = ["cycle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="category_code_unique_in_cycle"),
            models.CheckConstraint(
                condition=models.Q(prize_amount__isnull=True) | models.Q(prize_amount__gte=0), name="category_prize_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.level}{self.track}"

    @property
    def is_collective(self) -> bool:
        """集体 in the 申报表: organisations. Individuals and foreign nationals count as 个人."""
        return self.applicant_kind == ApplicantKind.ORGANISATION

    @property
    def has_money_prize(self) -> bool:
        return self.prize_amount is not None and self.prize_amount > 0


class StageKind(models.TextChoices):
    """The label of each kind of stage. What a kind does (its parameters, who acts, when it is complete) is its
    entry in reviews.workflow.STAGE_KINDS; tests/reviews check that both name the same kinds."""

    ELIGIBILITY = "eligibility", _("资格审查")
    ACCEPTANCE = "acceptance", _("受理")
    SCORED_REVIEW = "scored_review", _("评分评审")
    COMPREHENSIVE = "comprehensive", _("综合评价")
    MEETING = "meeting", _("会议审议")
    PUBLICITY = "publicity", _("公示")
    APPROVAL = "approval", _("审批")
    AWARD = "award", _("颁奖表彰")


class Stage(OrganiserScopedMixin, LocalizedNameMixin, models.Model):
    """One step of a cycle's review pipeline. The pipeline is data: ordered stages of known kinds."""

    organiser_path = "cycle__programme__organiser"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="stages", verbose_name=_("评选周期"))
    code = models.SlugField(_("代码"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=StageKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_end = models.DateField(_("计划结束"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评审环节")
        ordering = ["cycle", "order"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="stage_code_unique_in_cycle"),
            models.UniqueConstraint(fields=["cycle", "order"], name="stage_order_unique_in_cycle"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewBody(OrganiserScopedMixin, models.Model):
    """A body that decides in meetings (评审联席会议, 区委书记专题会), with its member units and quorum."""

    organiser_path = "cycle__programme__organiser"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="review_bodies", verbose_name=_("评选周期"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=120)
    convener = models.CharField(_("召集人"), max_length=200, blank=True)
    executive_convener = models.CharField(_("常务召集人"), max_length=200, blank=True)
    office = models.CharField(_("办公室"), max_length=300, blank=True)
    description = models.TextField(_("组成说明"), blank=True)
    member_units = models.JSONField(_("成员单位"), default=list, blank=True)
    quorum_numerator = models.PositiveSmallIntegerField(_("法定人数（分子）"), default=0)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定人数（分母）"), default=1)
    quorum_strict = models.BooleanField(_("须超过该比例"), default=True, help_text=_("勾选：出席须“超过”该比例；不勾选：达到即可"))

    class Meta:
        verbose_name = verbose_name_plural = _("评审机构")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="review_body_code_unique_in_cycle"),
            models.CheckConstraint(condition=models.Q(quorum_denominator__gt=0), name="review_body_quorum_denominator_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def quorum_met(self, present: int) -> bool:
        """Exact integer comparison: present/total > n/d (strict) or >= n/d."""
        total = len(self.member_units)
        if total == 0 or self.quorum_numerator == 0:
            return present > 0
        left = present * self.quorum_denominator
        right = self.quorum_numerator * total
        return left > right if self.quorum_strict else left >= right

    def minimum_present(self) -> int:
        total = len(self.member_units)
        for present in range(0, total + 1):
            if self.quorum_met(present):
                return present
        return total + 1


class Rubric(OrganiserScopedMixin, models.Model):
    """A scoring standard (评分标准) as a tree of criteria with maximum points.

    A rubric without an organiser is a template (the shipped standards): nobody scores with it directly.
    A category of organiser X that is given a template is given X's own copy (awards.services.adopt_rubric),
    so one district's edits never reach another district's scoring.
    """

    organiser = optional_fk(
        Organiser, models.PROTECT, related_name="rubrics", verbose_name=_("主办机构"),
        help_text=_("留空表示系统模板：用于某主办机构的类别时复制为该机构自己的评分标准"),
    )
    copied_from = optional_fk("self", models.SET_NULL, related_name="copies", verbose_name=_("复制自模板"))
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=160)
    standard = models.CharField(_("标准编号"), max_length=60, help_text=_("如：GB/T 19580-2012"))
    total_points = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    is_official = models.BooleanField(
        _("正式评分表"), default=True, help_text=_("未勾选表示系统默认表，待评审办公室导入标准正式条款后替换")
    )
    note = models.TextField(_("说明"), blank=True)
    feedback_enabled = models.BooleanField(
        _("收集优势与改进机会"), default=True, help_text=_("专家评分时可按条款填写优势、改进机会，汇总为评价反馈报告"))

    class Meta:
        verbose_name = verbose_name_plural = _("评分标准")
        ordering = ["code"]

    def __str__(self) -> str:
        suffix = "" if self.is_official else "（默认表，待替换）"
        owner = "〔系统模板〕" if self.organiser_id is None else ""
        return f"{owner}{self.standard} {self.name}{suffix}"

    @property
    def is_template(self) -> bool:
        return self.organiser_id is None

    def clean_tree(self) -> list[str]:
        """Problems with the tree: children must sum to their parent, roots to the total."""
        from .rubrics import rubric_problems

        return rubric_problems(self)


class CriterionKind(models.TextChoices):
    PROCESS = "process", _("过程（方法-展开-学习-整合）")
    RESULT = "result", _("结果（水平-趋势-对比-整合）")
    PLAIN = "plain", _("一般")


class RubricCriterion(OrganiserScopedMixin, LocalizedNameMixin, models.Model):
    """One clause (条款) of a rubric with its maximum points; clauses nest under a parent clause."""

    organiser_path = "rubric__organiser"

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("评分标准"))
    parent = optional_fk("self", models.CASCADE, related_name="children", verbose_name=_("上级条款"))
    code = models.CharField(_("条款号"), max_length=20)
    name = models.CharField(_("名称"), max_length=120)
    max_points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    kind = models.CharField(_("评价方式"), max_length=10, choices=CriterionKind.choices, default=CriterionKind.PLAIN)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    guidance = models.TextField(_("评分要点"), blank=True)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    feedback_enabled = models.BooleanField(
        _("收集优势与改进机会"), default=True, help_text=_("评分标准启用时，本条款是否收集优势、改进机会"))

    class Meta:
        verbose_name = verbose_name_plural = _("评分条款")
        ordering = ["rubric", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="criterion_code_unique_in_rubric"),
            models.CheckConstraint(condition=models.Q(max_points__gte=0), name="criterion_points_non_negative"),
        ]

    def __str__(self) -> str:
        from .rubrics import points

        return f"{self.code} {self.name}（{points(self.max_points)}分）"


class CategoryRubric(OrganiserScopedMixin, models.Model):
    """Which rubric scores a category; for organisations it may depend on the organisation type."""

    organiser_path = "category__cycle__programme__organiser"

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rubric_choices", verbose_name=_("奖项类别"))
    organisation_type = models.CharField(
        _("组织类型"), max_length=30, blank=True, help_text=_("留空表示默认；如 small_enterprise、medical_institution")
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+", verbose_name=_("评分标准"))

    class Meta:
        verbose_name = verbose_name_plural = _("类别评分标准")
        constraints = [
            models.UniqueConstraint(fields=["category", "organisation_type"], name="category_rubric_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.organisation_type or '默认'} · {self.rubric.standard}"


class EligibilityRule(OrganiserScopedMixin, models.Model):
    """One eligibility condition of a category: a known kind with validated parameters."""

    organiser_path = "category__cycle__programme__organiser"

    class Severity(models.TextChoices):
        BLOCKING = "blocking", _("不符合即不能提交")
        REVIEW = "review", _("不符合时转人工审核")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules", verbose_name=_("奖项类别"))
    kind = models.CharField(_("规则类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    severity = models.CharField(_("处理方式"), max_length=10, choices=Severity.choices, default=Severity.BLOCKING)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.CharField(_("条件原文"), max_length=300, blank=True)
    enabled = models.BooleanField(
        _("启用"), default=True, help_text=_("不勾选：规则已配置但不参与资格审查（如通知未规定的获奖后申报间隔）")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("资格条件")
        ordering = ["category", "order", "id"]

    def __str__(self) -> str:
        from .rule_kinds import RULE_KINDS

        spec = RULE_KINDS.get(self.kind)
        return str(spec.label) if spec else self.kind

    def clean(self):
        from .rule_kinds import validate_rule

        try:
            self.params = validate_rule(self.kind, self.params or {})
        except ValidationError as exc:
            raise ValidationError({"params": exc.messages}) from exc


class OfficialLetter(OrganiserScopedMixin, models.Model):
    """The metadata of an official letter (公文) the portal reproduces, e.g. the 2022 请示."""

    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="letters", verbose_name=_("主办机构"))
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    kind = models.CharField(_("文种"), max_length=20, default="request", help_text=_("如 request（请示）"))
    doc_prefix = models.CharField(_("机关代字"), max_length=20)
    doc_year = models.PositiveIntegerField(_("年份"))
    doc_serial = models.PositiveIntegerField(_("序号"))
    signer = models.CharField(_("签发人"), max_length=40, blank=True)
    addressee = models.CharField(_("主送机关"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.JSONField(_("正文段落"), default=list)
    attachment_note = models.TextField(_("附件说明"), blank=True)
    issuer = models.CharField(_("发文机关署名"), max_length=120)
    issued_on = models.DateField(_("成文日期"))
    disclosure = models.CharField(_("公开方式"), max_length=40, blank=True, help_text=_("如：此件主动公开"))
    printed_by = models.CharField(_("印发机关"), max_length=120, blank=True)
    printed_on = models.DateField(_("印发日期"), null=True, blank=True)
    inner_letter = models.JSONField(_("附件公文"), default=dict, blank=True, help_text=_("随文附上的下一级请示"))
    cycles = models.ManyToManyField(Cycle, through="LetterCycle", related_name="letters", verbose_name=_("评选周期"))

    class Meta:
        verbose_name = verbose_name_plural = _("公文")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}"

    @property
    def document_number(self) -> str:
        return f"{self.doc_prefix}〔{self.doc_year}〕{self.doc_serial}号"


class LetterCycle(models.Model):
    letter = models.ForeignKey(OfficialLetter, on_delete=models.CASCADE)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["letter", "cycle"], name="letter_cycle_unique")]


class PastWinner(OrganiserScopedMixin, models.Model):
    """A winner of an earlier cycle, from before the portal (e.g. the 2020 cycle), entered from the office's list.

    Read together with the winners the portal records (awards.selectors.past_winners): the cool-down
    rule, the "held for N years" rule and the 上届 figures of a cycle ask that one selector.
    """

    organiser_path = "programme__organiser"

    class IdentifierKind(models.TextChoices):
        CREDIT_CODE = "credit_code", _("统一社会信用代码")
        ID_NUMBER = "id_number", _("身份证件号码")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="past_winners", verbose_name=_("奖项"))
    year = models.PositiveIntegerField(_("获奖年度"))
    name = models.CharField(_("获奖者名称"), max_length=200)
    identifier_kind = models.CharField(_("证件类型"), max_length=20, choices=IdentifierKind.choices)
    identifier = models.CharField(_("统一社会信用代码或身份证件号码"), max_length=40)
    award = models.CharField(_("所获奖项"), max_length=120, help_text=_("如：区长质量奖、质量金奖"))
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    imported_by = optional_fk(settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", verbose_name=_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("往届获奖名单")
        ordering = ["programme", "-year", "award", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "identifier", "award"], name="past_winner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.award} {self.name}"
