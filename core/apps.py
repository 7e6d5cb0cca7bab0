from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("系统管理")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import background, checks  # noqa: F401 - connects the request signals, registers the deployment checks
        from .middleware import SessionRefreshMiddleware

        user_logged_in.connect(SessionRefreshMiddleware.stamp, dispatch_uid="core.session_refresh_stamp")
