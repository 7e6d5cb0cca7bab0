from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

User = get_user_model()


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名（或邮箱）与密码不匹配，请重试。连续多次失败后账号将被暂时锁定。"),
        "inactive": _("该账号尚未激活，请先完成邮箱验证。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名或邮箱")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("登录")))

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            # An account waiting for e-mail verification with the right password gets told so,
            # instead of "wrong password" (nothing is revealed to someone without the password).
            username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            if username and password:
                lookup = {"email__iexact": username} if "@" in username else {"username__iexact": username}
                pending = User._default_manager.filter(is_active=False, email_verified=False, **lookup).first()
                if pending is not None and pending.check_password(password):
                    self.pending_user = pending
                    raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise exc


class SignUpForm(forms.ModelForm):
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

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User._default_manager.filter(email__iexact=email).exists():
            raise ValidationError(_("该邮箱已注册。请直接登录，忘记密码可通过“忘记密码”重设。"))
        return email

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
