"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless PORTAL_OIDC_ENABLED.

The provider is configured by environment variables (config/settings/base.py, README). The
authorization code flow runs with PKCE, state and nonce; the ID token's signature is checked against
the provider's JWKS. A provider identity signs in to the portal account with the same, verified
e-mail address; no account is created unless PORTAL_OIDC_CREATE_USERS is set, and then only an
applicant account (roles are granted in the portal, never by the provider). Signing in this way
replaces the password step only: staff, experts and admins still pass the portal's second factor.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from core.services import log_activity
from core.text import clean_name

from . import rules, twofactor
from .models import Role, RoleAssignment


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_OIDC_ENABLED", False))


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not enabled() or "nonce" not in kwargs:  # only the OIDC callback calls with a nonce
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        """An e-mail address the provider has verified: the only link to a portal account."""
        return bool(claims.get("email")) and claims.get("email_verified") is True

    def filter_users_by_claims(self, claims):
        return self.UserModel._default_manager.filter(email__iexact=claims["email"].strip(), is_active=True)

    def create_user(self, claims):
        email = claims["email"].strip().lower()
        try:
            name = clean_name(claims.get("name") or "")
        except Exception:  # noqa: BLE001 - a name the portal refuses is left for the user to fill in
            name = ""
        with transaction.atomic():
            user = self.UserModel._default_manager.create_user(username=email, email=email, full_name=name, email_verified=True)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            RoleAssignment.objects.create(user=user, role=Role.APPLICANT)
            log_activity(actor=None, action="account.signup", target=user, after={"email": email, "via": "oidc"})
        return user


def login_view(request):
    if not enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """After the provider: the portal's second factor next, as after a password."""

    @property
    def success_url(self):
        # The `next` the request view kept (sanitised there), else the user's own home, as after a password.
        return self.request.session.get("oidc_login_next") or reverse(rules.home_url_name(self.request.user))

    def login_success(self):
        response = super().login_success()
        step = twofactor.pending_step(self.request)
        if step is not None:
            from .views import second_factor_url

            return HttpResponseRedirect(second_factor_url(step, response["Location"]))
        return response

    def login_failure(self):
        messages.error(self.request, _("统一身份认证登录未成功：该身份没有对应的平台账号，或身份认证平台未确认邮箱。请联系评审办公室。"))
        return super().login_failure()


def callback_view(request):
    if not enabled():
        raise Http404
    return CallbackView.as_view()(request)
