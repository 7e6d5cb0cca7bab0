from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
