from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_mixins import DATETIME_WITH_SECONDS

from . import rules, twofactor
from .forms import AdminLoginForm
from .models import RoleAssignment, User

# The admin's login has the portal's limits (name length, failures per network); the second factor
# follows on the portal's own pages (accounts/middleware.py covers /admin/).
admin.site.login_form = AdminLoginForm

# Authenticator secrets and recovery codes are not edited by hand: a user enrols on the portal's
# pages, an administrator resets with the action below (written to the activity log).
for _model_path in ("django_otp.plugins.otp_totp.models.TOTPDevice", "django_otp.plugins.otp_static.models.StaticDevice"):
    from django.utils.module_loading import import_string

    try:
        admin.site.unregister(import_string(_model_path))
    except NotRegistered:
        pass


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    formfield_overrides = DATETIME_WITH_SECONDS


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Superusers manage every account. A programme admin sees the accounts holding a role at their
    organiser (not superusers), read-only, and may reset their second factor."""

    inlines = [RoleInline]
    formfield_overrides = {**DjangoUserAdmin.formfield_overrides, **DATETIME_WITH_SECONDS}
    list_display = ["username", "email", "full_name", "is_active", "email_verified", "second_factor"]
    fieldsets = DjangoUserAdmin.fieldsets + ((None, {"fields": ["full_name", "preferred_language", "email_verified"]}),)
    actions = ["reset_second_factor"]

    @admin.display(description=_("两步验证"), boolean=True)
    def second_factor(self, obj):
        return twofactor.has_second_factor(obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organisers = rules.admin_organiser_ids(request.user) or set()
        return queryset.filter(role_assignments__organiser_id__in=organisers, is_superuser=False).distinct()

    def _is_admin(self, request) -> bool:
        return request.user.is_superuser or rules.is_programme_admin(request.user)

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        return rules.is_programme_admin(request.user) and (obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_reset_second_factor_permission(self, request):
        return self._is_admin(request)

    @admin.action(description=_("重置两步验证（用户下次登录时重新设置认证器）"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        own = rules.admin_organiser_ids(request.user)
        for user in queryset:
            # Logged for the organiser both share, so that district's admins see it in their log.
            held = user.role_assignments.exclude(organiser=None).select_related("organiser").order_by("organiser_id")
            shared = [a.organiser for a in held if own is None or a.organiser_id in own]
            twofactor.reset_second_factor(user=user, actor=request.user, organiser=shared[0] if shared else None)
        count = len(queryset)
        self.message_user(request, ngettext("已重置 %(count)d 个账号的两步验证。", "已重置 %(count)d 个账号的两步验证。", count) % {"count": count})
