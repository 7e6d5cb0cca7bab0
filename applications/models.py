"""Applicants, their applications and attachments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards.models import ApplicantKind, LocalizedNameMixin
from core.fields import optional_fk
from core.models import OrganiserScopedMixin, Profile


class RecommendingUnit(OrganiserScopedMixin, LocalizedNameMixin, models.Model):
    """A 推荐单位: 行业主管部门, 街镇, 行业协会, 控股集团, 获奖组织 … that nominates applicants."""

    class Kind(models.TextChoices):
        INDUSTRY_DEPARTMENT = "industry_department", _("行业主管部门")
        SUBDISTRICT = "subdistrict", _("街道（镇）")
        ASSOCIATION = "association", _("行业协会")
        HOLDING_GROUP = "holding_group", _("控股（集团）公司")
        PRIOR_WINNER = "prior_winner", _("获奖组织")
        EXPERT = "expert", _("专家学者")

    organiser = models.ForeignKey("awards.Organiser", on_delete=models.PROTECT, related_name="recommending_units", verbose_name=_("主办机构"))
    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("推荐单位")
        constraints = [models.UniqueConstraint(fields=["organiser", "name"], name="recommending_unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SMALL_ENTERPRISE = "small_enterprise", _("小型企业")
    MEDICAL_INSTITUTION = "medical_institution", _("医疗机构")
    NON_PROFIT = "non_profit", _("非营利组织")
    BRANCH = "branch", _("法人分支机构")


class OrganisationProfile(Profile):
    """An applicant organisation, one per 统一社会信用代码."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("账号"))
    name = models.CharField(_("组织名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    org_type = models.CharField(_("组织类型"), max_length=30, choices=OrganisationType.choices)
    registered_district = models.CharField(_("注册地（区）"), max_length=40)
    established_on = models.DateField(_("成立日期"))
    legal_representative = models.CharField(_("法定代表人"), max_length=60)
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_mobile = models.CharField(_("联系人手机"), max_length=20)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    chief_quality_officer = models.CharField(_("首席质量官"), max_length=60, blank=True)
    has_cqo_system = models.BooleanField(_("已推行首席质量官制度"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("申报组织")

    @property
    def is_independent_legal_person(self) -> bool:
        return self.org_type != OrganisationType.BRANCH


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    FOREIGN_PERMANENT_ID = "foreign_permanent_id", _("外国人永久居留身份证")
    PASSPORT = "passport", _("护照")


class PersonProfile(Profile):
    """An individual applicant (Chinese resident or foreign national)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person_profile", verbose_name=_("账号"))
    name = models.CharField(_("姓名"), max_length=120)
    name_zh = models.CharField(_("中文姓名"), max_length=60, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=30, choices=IdType.choices)
    id_number = models.CharField(_("证件号码"), max_length=40)
    nationality = models.CharField(_("国籍"), max_length=60, default="中国")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))], blank=True)
    mobile = models.CharField(_("手机"), max_length=20, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    employer_credit_code = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    is_org_head = models.BooleanField(_("本人为所在组织主要负责人"), default=False)
    work_district = models.CharField(_("工作（生活）所在区"), max_length=40, blank=True)
    quality_work_since = models.DateField(_("开始从事质量工作"), null=True, blank=True)
    district_work_since = models.DateField(_("开始在本区工作（生活）"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("申报个人")
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number"], name="person_identity_unique")]

    @property
    def is_foreign(self) -> bool:
        return self.id_type != IdType.RESIDENT_ID and self.nationality not in {"中国", "China", "CN"}


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("评审中")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补充材料")
    NOT_PASSED = "not_passed", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    AWARDED = "awarded", _("获奖")


class StatusProtectedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if "status" in kwargs or "current_stage" in kwargs:
            raise ImproperlyConfigured("Application status changes only through reviews.services.apply_transition().")
        return super().update(**kwargs)


class Application(OrganiserScopedMixin, models.Model):
    """One application (申报) to one category of a cycle.

    Its status and current stage change only through reviews.services.apply_transition, which
    checks the workflow table, logs and notifies; save() refuses any other change of them.
    """

    organiser_path = "cycle__programme__organiser"

    number = models.CharField(_("受理编号"), max_length=40, unique=True, null=True, blank=True)
    cycle = models.ForeignKey("awards.Cycle", on_delete=models.PROTECT, related_name="applications", verbose_name=_("评选周期"))
    category = models.ForeignKey("awards.Category", on_delete=models.PROTECT, related_name="applications", verbose_name=_("奖项类别"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申报账号"))
    organisation = optional_fk(OrganisationProfile, models.PROTECT, related_name="applications", verbose_name=_("申报组织"))
    person = optional_fk(PersonProfile, models.PROTECT, related_name="applications", verbose_name=_("申报个人"))
    status = models.CharField(_("状态"), max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True)
    current_stage = optional_fk("awards.Stage", models.PROTECT, related_name="+", verbose_name=_("当前环节"))
    form_data = models.JSONField(_("申报内容"), default=dict, blank=True)
    declarations = models.JSONField(_("承诺事项"), default=dict, blank=True)
    criteria = models.JSONField(_("符合的参评条件"), default=list, blank=True)
    internal_publicity_start = models.DateField(_("内部公示开始"), null=True, blank=True)
    internal_publicity_end = models.DateField(_("内部公示结束"), null=True, blank=True)
    eligibility_snapshot = models.JSONField(_("资格预审结果"), null=True, blank=True)
    recommender = optional_fk(RecommendingUnit, models.PROTECT, related_name="applications", verbose_name=_("推荐单位"))
    nominated_by = optional_fk(settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", verbose_name=_("推荐人"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, db_index=True)
    # Set when the retention rule removed the personal data (applications.privacy); the row stays.
    personal_data_removed_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = StatusProtectedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("申报")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cycle", "category", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organisation__isnull=False, person__isnull=True) | models.Q(organisation__isnull=True, person__isnull=False)),
                name="application_has_one_applicant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or _('草稿')} {self.applicant_name}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_state = (instance.__dict__.get("status"), instance.__dict__.get("current_stage_id"))
        return instance

    def save(self, *args, **kwargs):
        saved = getattr(self, "_saved_state", None)
        current = (self.status, self.current_stage_id)
        if saved is not None and saved != current and not getattr(self, "_transition_in_progress", False):
            raise ImproperlyConfigured("Application status changes only through reviews.services.apply_transition().")
        super().save(*args, **kwargs)
        self._saved_state = current

    @property
    def state_token(self) -> str:
        """The state a page showed (status and stage). A staff action sends it back, and
        reviews.services.apply_transition refuses it under the row lock when the state moved on."""
        return f"{self.status}:{self.current_stage_id or ''}"

    @property
    def applicant_name(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        if self.person_id:
            return self.person.name
        return ""

    @property
    def applicant_kind(self) -> str:
        return ApplicantKind.ORGANISATION if self.organisation_id else self.category.applicant_kind


class Attachment(models.Model):
    """A file uploaded to an application; stored privately, served only through a checked view."""

    class Purpose(models.TextChoices):
        SELF_EVALUATION = "self_evaluation", _("自评报告")
        PUBLICITY_PROOF = "publicity_proof", _("内部公示证明")
        CERTIFICATION = "certification", _("管理体系认证证书")
        FINANCIAL = "financial", _("财务报表")
        EVIDENCE = "evidence", _("佐证材料")
        SUPPLEMENT = "supplement", _("补充材料")
        OTHER = "other", _("其他")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("申报"))
    purpose = models.CharField(_("用途"), max_length=30, choices=Purpose.choices)
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/", max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("附件")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class CreditBlacklistEntry(OrganiserScopedMixin, models.Model):
    """A code on the credit list staff upload (严重失信名单): credit codes or ID numbers."""

    organiser = models.ForeignKey("awards.Organiser", on_delete=models.CASCADE, related_name="blacklist", verbose_name=_("主办机构"))
    code = models.CharField(_("代码或证件号"), max_length=40)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人"))
    added_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("信用名单")
        constraints = [models.UniqueConstraint(fields=["organiser", "code"], name="blacklist_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReceiptSequence(models.Model):
    """The last receipt number handed out in a cycle; incremented under a row lock (race-safe)."""

    cycle = models.OneToOneField("awards.Cycle", on_delete=models.CASCADE, related_name="+", verbose_name=_("评选周期"))
    last_number = models.PositiveIntegerField(_("已用编号"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("受理编号序列")

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.last_number}"


class Nomination(OrganiserScopedMixin, models.Model):
    """A recommending unit's nomination (推荐): the nominee is invited by e-mail and applies."""

    organiser_path = "recommending_unit__organiser"

    class Status(models.TextChoices):
        INVITED = "invited", _("已邀请")
        ACCEPTED = "accepted", _("被推荐人已接受")
        CANCELLED = "cancelled", _("已取消")

    cycle = models.ForeignKey("awards.Cycle", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("评选周期"))
    category = models.ForeignKey("awards.Category", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("奖项类别"))
    recommending_unit = models.ForeignKey(RecommendingUnit, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("推荐单位"))
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations_made", verbose_name=_("推荐人"))
    nominee_name = models.CharField(_("被推荐人（单位）名称"), max_length=200)
    nominee_email = models.EmailField(_("被推荐人邮箱"))
    reason = models.TextField(_("推荐理由"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.INVITED)
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="nomination", verbose_name=_("申报")
    )
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("推荐")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recommending_unit} → {self.nominee_name}"
