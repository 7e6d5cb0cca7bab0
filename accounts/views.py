"""Sign-up with e-mail verification, login that remembers the user's language, password reset."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.services import log_activity, notify

from .forms import LoginForm, ResendVerificationForm, SignUpForm
from .models import Role, RoleAssignment
from .tokens import email_verification_token

User = get_user_model()


def send_verification(request, user) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(reverse("accounts:verify", args=[uid, email_verification_token.make_token(user)]))
    notify(recipient=user, event="email_verification", template="accounts/emails/verify_email.txt", context={"user": user, "link": link})


def _set_language(response, language: str):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("applications:dashboard")
    initial = {"preferred_language": "en" if (translation.get_language() or "").startswith("en") else "zh-hans"}
    form = SignUpForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                RoleAssignment.objects.create(user=user, role=Role.APPLICANT)
                log_activity(actor=None, action="account.signup", target=user, after={"email": user.email})
                send_verification(request, user)
            request.session["pending_email"] = user.email
            response = redirect("accounts:verify_pending")
            return _set_language(response, user.preferred_language)
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup.html", {"form": form})


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
        if user is not None:
            send_verification(request, user)
        # The same answer whether or not the address is registered: no account enumeration.
        messages.info(request, _("如果该邮箱已注册且尚未验证，验证邮件已重新发送，请查收（包括垃圾邮件箱）。"))
    return redirect("accounts:verify_pending")


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        translation.activate(language)
        return _set_language(response, language)

    def form_invalid(self, form):
        pending = getattr(form, "pending_user", None)
        if pending is not None:
            self.request.session["pending_email"] = pending.email
        return self.render_to_response(self.get_context_data(form=form, pending=pending is not None), status=400)
