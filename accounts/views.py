"""Sign-up with e-mail verification, login that remembers the user's language, password reset,
and the second factor (enrolment, verification, recovery codes, the account security page)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import safe_next_url
from core.services import log_activity, notify

from . import rules, throttle, twofactor
from .forms import LoginForm, PlainTextPasswordResetForm, ResendVerificationForm, SecondFactorForm, SignUpForm
from .models import Role, RoleAssignment
from .tokens import email_verification_token

User = get_user_model()


def send_verification(request, user) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(reverse("accounts:verify", args=[uid, email_verification_token.make_token(user)]))
    notify(recipient=user, event="email_verification", template="accounts/emails/verify_email.txt", context={"user": user, "link": link})


def tell_owner_of_signup_attempt(request, user) -> None:
    """Someone signed up with an address that has an account: the owner hears of it, the visitor
    sees the same page as for a new address. A pending account gets its verification link again."""
    if not user.email_verified and not user.is_active:
        send_verification(request, user)
        return
    links = {"login": request.build_absolute_uri(reverse("accounts:login")),
             "reset": request.build_absolute_uri(reverse("accounts:password_reset"))}
    notify(recipient=user, event="signup_existing_email", template="accounts/emails/signup_existing.txt", context={"user": user, **links})


def _set_language(response, language: str):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    initial = {"preferred_language": "en" if (translation.get_language() or "").startswith("en") else "zh-hans"}
    form = SignUpForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return render(request, "accounts/signup.html", {"form": form})
    if not form.is_valid():
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    if throttle.hit("signup_ip", throttle.network(request)):
        form.add_error(None, _("注册请求过于频繁，请一小时后再试。"))
        return render(request, "accounts/signup.html", {"form": form}, status=429)
    email = form.cleaned_data["email"]
    may_send = not throttle.hit("signup_email", email)  # past the allowance: the same page, no more mail
    existing = User._default_manager.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = form.save()
                RoleAssignment.objects.create(user=user, role=Role.APPLICANT)
                log_activity(actor=None, action="account.signup", target=user, after={"email": user.email})
                if may_send:
                    send_verification(request, user)
        except IntegrityError:  # a parallel sign-up with the same address won the race
            existing = User._default_manager.filter(email__iexact=email).first()
            may_send = False  # that sign-up sent its own verification e-mail
    elif may_send:
        with transaction.atomic():
            tell_owner_of_signup_attempt(request, existing)
    request.session["pending_email"] = email
    return _set_language(redirect("accounts:verify_pending"), form.cleaned_data["preferred_language"])


def verify(request, uidb64: str, token: str):
    try:
        user = User._default_manager.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not email_verification_token.check_token(user, token):
        return render(request, "accounts/verify_failed.html", status=400)
    with transaction.atomic():
        user.email_verified = True
        user.is_active = True
        user.save(update_fields=["email_verified", "is_active"])
        log_activity(actor=user, action="account.verify_email", target=user, after={"email": user.email})
    login(request, user, backend="accounts.backends.EmailOrUsernameBackend")
    with translation.override(user.preferred_language):
        messages.success(request, _("邮箱已验证，欢迎使用。请先填写申报人信息。"))
    return _set_language(redirect("applications:dashboard"), user.preferred_language)


def verify_pending(request):
    email = request.user.email if request.user.is_authenticated else request.session.get("pending_email", "")
    form = ResendVerificationForm(initial={"email": email})
    return render(request, "accounts/verify_pending.html", {"email": email, "form": form})


@require_POST
def verify_resend(request):
    form = ResendVerificationForm(request.POST)
    if form.is_valid():
        user = User._default_manager.filter(email__iexact=form.cleaned_data["email"], email_verified=False).first()
        if user is not None and not throttle.hit("signup_email", user.email.lower()):
            send_verification(request, user)
        # The same answer whether or not the address is registered: no account enumeration.
        messages.info(request, _("如果该邮箱已注册且尚未验证，验证邮件已重新发送，请查收（包括垃圾邮件箱）。"))
    return redirect("accounts:verify_pending")


def _safe_next(request, default=None) -> str:
    """?next= when it is a path on this site, else the default (a path: redirect() never takes it for a view name)."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if (candidate and candidate.startswith("/")
            and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def second_factor_url(step: str, next_url: str) -> str:
    name = "accounts:2fa_setup" if step == "setup" else "accounts:2fa_verify"
    return reverse(name) + "?" + urlencode({"next": next_url})


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    template_name = "accounts/login.html"
    extra_context = {"title": gettext_lazy("登录")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.PORTAL_OIDC_ENABLED:
            context["oidc_label"] = settings.PORTAL_OIDC_LABEL or _("统一身份认证登录")
        return context

    def get_success_url(self):
        """A safe `next` (core.http.safe_next_url), else the signed-in user's own home (rules.home_url_name)."""
        return safe_next_url(self.request, reverse(rules.home_url_name(self.request.user)))

    def form_valid(self, form):
        response = super().form_valid(form)
        step = twofactor.pending_step(self.request)
        if step is not None:  # the password was right; the second factor comes next
            response = HttpResponseRedirect(second_factor_url(step, self.get_success_url()))
        language = form.get_user().preferred_language
        translation.activate(language)
        return _set_language(response, language)

    def form_invalid(self, form):
        pending = getattr(form, "pending_user", None)
        if pending is not None:
            self.request.session["pending_email"] = pending.email
        status = 429 if form.has_error(NON_FIELD_ERRORS, "network_throttled") else 400
        return self.render_to_response(self.get_context_data(form=form, pending=pending is not None), status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, throttled per network and per address. Past the address's allowance
    the visitor sees the same "sent" page (whether the address is registered stays unknown) and no
    more mail goes out."""

    form_class = PlainTextPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if throttle.hit("password_reset_ip", throttle.network(self.request)):
            form.add_error(None, _("重设密码的请求过于频繁，请一小时后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if throttle.hit("password_reset_email", form.cleaned_data["email"].strip().lower()):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


# ---------------------------------------------------------------------------------------------
# Second factor


def _throttled_message(until) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return _("尝试过于频繁，请 %(seconds)d 秒后再试。") % {"seconds": seconds}


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: the secret as text and as a QR code, confirmed with one code."""
    user = request.user
    next_url = _safe_next(request)
    if twofactor.has_second_factor(user):
        return redirect(next_url if twofactor.is_verified(user) else second_factor_url("verify", next_url))
    device = twofactor.pending_totp(user)
    form = SecondFactorForm(request.POST or None, submit_label=_("确认并启用两步验证"))
    if request.method == "POST" and form.is_valid():
        allowed, details = device.verify_is_allowed()
        codes = twofactor.confirm_enrolment(request=request, device=device, token=form.cleaned_data["token"]) if allowed else None
        if codes is not None:
            request.session[twofactor.SESSION_RECOVERY_CODES] = codes
            messages.success(request, _("两步验证已启用。请保存下面的恢复码。"))
            return redirect(reverse("accounts:2fa_recovery_codes") + "?" + urlencode({"next": next_url}))
        if not allowed:
            form.add_error("token", _throttled_message((details or {}).get("locked_until")))
        else:
            form.add_error("token", _("验证码不正确或已过期。请输入认证器应用当前显示的 6 位数字（手机时间须准确）。"))
    context = {
        "title": _("启用两步验证"),
        "form": form,
        "next": next_url,
        "required": twofactor.must_use_second_factor(user),
        "secret": twofactor.base32_secret(device),
        "qr_svg": twofactor.qr_svg(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    response = render(request, "accounts/2fa_setup.html", context, status=400 if request.method == "POST" else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app or one recovery code."""
    user = request.user
    next_url = _safe_next(request)
    if twofactor.is_verified(user):
        return redirect(next_url)
    if not twofactor.has_second_factor(user):
        request.session[twofactor.SESSION_HAS_DEVICE] = False
        return redirect(second_factor_url("setup", next_url) if twofactor.must_use_second_factor(user) else next_url)
    form = SecondFactorForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        outcome = twofactor.verify(request=request, token=form.cleaned_data["token"])
        if outcome.ok:
            if outcome.used_recovery_code:
                left = twofactor.recovery_codes_left(user)
                messages.warning(request, _("您使用了一个恢复码，还剩 %(left)d 个。请尽快在“账号安全”页面重新生成恢复码。") % {"left": left})
            return redirect(next_url)
        if outcome.throttled_until is not None:
            form.add_error("token", _throttled_message(outcome.throttled_until))
        else:
            form.add_error("token", _("验证码不正确或已过期。请输入认证器应用当前显示的 6 位数字，或一个未使用过的恢复码。"))
    return render(request, "accounts/2fa_verify.html", {"title": _("两步验证"), "form": form, "next": next_url},
                  status=400 if request.method == "POST" else 200)


@login_required
def two_factor_recovery_codes(request):
    """The new recovery codes, shown once (they are kept in the session only until this page)."""
    codes = request.session.pop(twofactor.SESSION_RECOVERY_CODES, None)
    if not codes:
        messages.info(request, _("恢复码只显示一次。如已遗失，请重新生成。"))
        return redirect("accounts:security")
    next_url = _safe_next(request, default="accounts:security")
    response = render(request, "accounts/2fa_recovery_codes.html", {"title": _("恢复码"), "codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def security(request):
    """Account security: the state of the second factor; new recovery codes; optional enrolment."""
    user = request.user
    enrolled = twofactor.has_second_factor(user)
    if request.method == "POST":
        if request.POST.get("action") == "regenerate" and enrolled and twofactor.is_verified(user):
            request.session[twofactor.SESSION_RECOVERY_CODES] = twofactor.regenerate_recovery_codes(request=request)
            messages.success(request, _("已生成新的恢复码，旧的恢复码已失效。"))
            return redirect(reverse("accounts:2fa_recovery_codes") + "?" + urlencode({"next": reverse("accounts:security")}))
        return redirect("accounts:security")
    context = {
        "title": _("账号安全"),
        "enrolled": enrolled,
        "required": twofactor.must_use_second_factor(user),
        "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
    }
    return render(request, "accounts/security.html", context)
