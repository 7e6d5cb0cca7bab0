from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("评审")

    def ready(self):
        from . import conditions, workflow

        workflow.register_exit_condition("eligibility", conditions.eligibility_decided)
        workflow.register_exit_condition("scored_review", conditions.scores_complete)
