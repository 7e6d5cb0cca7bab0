from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.mail import render_plain, sender
from core.text import CleanNamesMixin

from . import throttle
from .backends import LOGIN_MAX_LENGTH, find_login_user

User = get_user_model()


class LoginThrottleMixin:
    """Sign-in name no longer than an e-mail address; no more tries from a network that has failed
    too often in the last hour (password spraying over many accounts), whatever the account."""

    def clean_username(self):
        username = self.cleaned_data.get("username", "")
        if len(username) > LOGIN_MAX_LENGTH:
            raise ValidationError(_("用户名或邮箱最长 %(max)d 个字符。"), code="too_long", params={"max": LOGIN_MAX_LENGTH})
        return username

    def clean(self):
        if throttle.exceeded("login_failures_ip", throttle.network(self.request)):
            raise ValidationError(_("该网络地址登录失败次数过多，已暂停登录，请一小时后再试。"), code="network_throttled")
        return super().clean()


class LoginForm(LoginThrottleMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名（或邮箱）与密码不匹配，请重试。连续多次失败后账号将被暂时锁定。"),
        "inactive": _("该账号尚未激活，请先完成邮箱验证。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名或邮箱")
        self.fields["username"].widget.attrs["maxlength"] = LOGIN_MAX_LENGTH
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("登录")))

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            # An account waiting for e-mail verification with the right password gets told so,
            # instead of "wrong password" (nothing is revealed to someone without the password).
            username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            if username and password and exc.code == "invalid_login":
                pending = find_login_user(username, is_active=False, email_verified=False)
                if pending is not None and pending.check_password(password):
                    self.pending_user = pending
                    raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise exc


class AdminLoginForm(LoginThrottleMixin, AdminAuthenticationForm):
    """The Django admin's login form with the same limits as the portal's."""


class SignUpForm(CleanNamesMixin, forms.ModelForm):
    name_fields = ("full_name",)
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再次输入密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ["email", "full_name", "preferred_language"]
        labels = {"full_name": _("姓名或单位联系人姓名")}
        help_texts = {"email": _("用于登录和接收通知，注册后须点击验证邮件中的链接。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("注册")))

    def _get_validation_exclusions(self):
        """A taken address is not an error shown to the visitor (that would tell anyone which
        addresses have accounts): the view answers as for a new one and writes to the owner. The
        e-mail's uniqueness (field and case-insensitive constraint) is left to the database."""
        exclude = super()._get_validation_exclusions()
        exclude.add("email")
        return exclude

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if p1:
            candidate = User(email=data.get("email") or "", username=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = self.cleaned_data["email"]
        user.set_password(self.cleaned_data["password1"])
        user.is_active = False
        user.email_verified = False
        if commit:
            user.save()
        return user


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("注册邮箱"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("重新发送验证邮件")))


class SecondFactorForm(forms.Form):
    """A code from the authenticator app (6 digits) or, on the verification page, a recovery code."""

    token = forms.CharField(label=_("验证码"), max_length=32, strip=True,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}))

    def __init__(self, *args, recovery: bool = False, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["token"].help_text = _("输入认证器应用（如微信小程序“腾讯身份验证器”、Google Authenticator、Microsoft Authenticator）"
                                               "当前显示的 6 位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）。")
        else:
            self.fields["token"].label = _("认证器显示的 6 位验证码")
            self.fields["token"].widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or _("验证")))


class PlainTextPasswordResetForm(PasswordResetForm):
    """Django's reset form, its e-mail rendered as plain text (no HTML escaping) under the office's
    name in the reader's language (core/mail.py)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        from django.core.mail import EmailMultiAlternatives

        subject = "".join(render_plain(subject_template_name, context).splitlines())
        body = render_plain(email_template_name, context)
        EmailMultiAlternatives(subject, body, sender(), [to_email]).send()
