from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """The whole review pipeline, from 资格审查 through meetings, 公示, approval and awards."""

    name = "reviews"
    verbose_name = _("评审")
