from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.fields import optional_fk
from core.text import validate_name


class Role(models.TextChoices):
    """What a user may do. Held through RoleAssignment: an applicant for themselves, every other role for one
    organiser (ORGANISER_ROLES); accounts/rules.py holds the predicates that read them."""

    APPLICANT = "applicant", _("申报人")
    RECOMMENDER = "recommender", _("推荐单位")
    STAFF = "staff", _("评审办公室")
    EXPERT = "expert", _("评审专家")
    ADMIN = "admin", _("项目管理员")


# Roles that act for one organiser; applicants act for themselves everywhere.
ORGANISER_ROLES = frozenset({Role.RECOMMENDER, Role.STAFF, Role.EXPERT, Role.ADMIN})


class User(AbstractUser):
    """A person who signs in. Roles are held through RoleAssignment, per organiser."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    # Names: no control, direction or zero-width characters (core/text.py; forms clean them first).
    first_name = models.CharField(_("名"), max_length=150, blank=True, validators=[validate_name])
    last_name = models.CharField(_("姓"), max_length=150, blank=True, validators=[validate_name])
    full_name = models.CharField(_("姓名"), max_length=120, blank=True, validators=[validate_name])
    preferred_language = models.CharField(
        _("界面语言"), max_length=10, choices=[("zh-hans", "简体中文"), ("en", "English")], default="zh-hans"
    )
    email_verified = models.BooleanField(_("邮箱已验证"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = _("用户")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    """One role a user holds, for one organiser (or for no organiser: applicants)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organiser = optional_fk("awards.Organiser", models.CASCADE, related_name="role_assignments", verbose_name=_("主办机构"))
    recommending_unit = optional_fk(
        "applications.RecommendingUnit", models.CASCADE, related_name="members", verbose_name=_("推荐单位"),
        help_text=_("推荐单位角色所属的单位"),
    )
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("角色授予")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organiser"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(organiser__isnull=True), name="role_assignment_global_unique"
            ),
        ]

    def __str__(self) -> str:
        scope = self.organiser.short_name if self.organiser_id else _("全局")
        return f"{self.user} · {self.get_role_display()} · {scope}"
