from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与权限")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import checks  # noqa: F401 - registers the deployment checks
        from . import throttle
        from .twofactor import remember_enrolment

        def _remember_enrolment(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                remember_enrolment(request, user)

        def _count_network_failure(sender, credentials, request=None, **kwargs):
            # Every failed sign-in from an address counts, whichever account it named (password spraying).
            throttle.hit("login_failures_ip", throttle.network(request))

        user_logged_in.connect(_remember_enrolment, dispatch_uid="accounts.remember_enrolment", weak=False)
        user_login_failed.connect(_count_network_failure, dispatch_uid="accounts.count_network_failure", weak=False)
