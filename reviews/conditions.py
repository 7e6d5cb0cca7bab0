"""Conditions the reviews app attaches to leaving a stage (registered in ReviewsConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def eligibility_decided(application) -> str | None:
    """资格审查 may be passed only when every automatic result that is not a pass has been confirmed or
    overridden by staff, and none stands as a failure."""
    from .eligibility import eligibility_blocker
    from .models import EligibilityFinding

    return eligibility_blocker(application, EligibilityFinding.objects.filter(application=application))


def scores_complete(application) -> str | None:
    """A scored stage may not be passed while an assigned (not recused) expert has not submitted."""
    from .models import Assignment, Scoresheet

    stage = application.current_stage
    outstanding = (
        Assignment.objects.filter(application=application, stage=stage, status=Assignment.Status.ACTIVE)
        .exclude(scoresheet__status=Scoresheet.Status.SUBMITTED)
        .count()
    )
    if outstanding:
        return _("本环节尚有 %(n)d 位专家未提交评分。") % {"n": outstanding}
    return None
