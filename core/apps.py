from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("系统管理")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
