from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("评审决定与表彰")

    def ready(self) -> None:
        from reviews import workflow

        from . import conditions

        workflow.register_exit_condition("meeting", conditions.meeting_decided)
        workflow.register_exit_condition("publicity", conditions.publicity_passed)
        workflow.register_exit_condition("approval", conditions.approval_recorded)
        workflow.register_exit_condition("award", conditions.award_completed)
        # Registered last, so a stage's own condition (e.g. a meeting's decision) is reported first.
        for kind in conditions.KINDS_BEFORE_PUBLICITY:
            workflow.register_exit_condition(kind, conditions.enters_publicity_only_by_publishing)
