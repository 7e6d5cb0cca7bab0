"""Exit conditions of the stage kinds (the STAGE_KINDS table in reviews.workflow names them).

Each takes the application (its current stage is of that kind) and returns None when it may leave the
stage, or the reason it may not, in the user's language.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from reviews.eligibility import eligibility_blocker
from reviews.models import (
    Approval,
    Assignment,
    Award,
    DecisionOutcome,
    EligibilityFinding,
    Publicity,
    Recommendation,
    RecommendationStatus,
    Scoresheet,
)
from reviews.selectors.meetings import quorate_decision
from reviews.selectors.publicity import publicity_incomplete


def eligibility_decided(application) -> str | None:
    """资格审查 may be passed only when every automatic result that is not a pass has been confirmed or
    overridden by staff, and none stands as a failure."""
    return eligibility_blocker(application, EligibilityFinding.objects.filter(application=application))


def scores_complete(application) -> str | None:
    """A scored stage may not be passed while an assigned (not recused) expert has not submitted."""
    stage = application.current_stage
    outstanding = (
        Assignment.objects.filter(application=application, stage=stage, status=Assignment.Status.ACTIVE)
        .exclude(scoresheet__status=Scoresheet.Status.SUBMITTED)
        .count()
    )
    if outstanding:
        return _("本环节尚有 %(n)d 位专家未提交评分。") % {"n": outstanding}
    return None


def listed_and_published(application, publicity_stage) -> str | None:
    """Entering the 公示 stage: the application is on the list and the 公示 is published."""
    listed = Recommendation.objects.filter(
        cycle_id=application.cycle_id, application=application, status=RecommendationStatus.PROPOSED
    ).exists()
    if listed and Publicity.objects.filter(stage=publicity_stage).exists():
        return None
    return _("进入公示须先列入推荐名单，并由评审办公室发布公示；未列入名单的申报请作“不通过”处理。")


def meeting_decided(application) -> str | None:
    stage = application.current_stage
    decision = quorate_decision(application, stage)
    if decision is None:
        return _("“%(stage)s”尚无达到法定人数的会议对该申报作出决定。") % {"stage": stage.name}
    if decision.outcome != DecisionOutcome.APPROVED:
        return _("“%(stage)s”会议决定不通过（%(date)s），不能进入下一环节。") % {
            "stage": stage.name,
            "date": formats.date_format(decision.meeting.held_on, "Y-m-d"),
        }
    return None


def publicity_passed(application) -> str | None:
    stage = application.current_stage
    publicity = Publicity.objects.filter(stage=stage).first()
    if publicity is None:
        return _("尚未发布公示。")
    if not application.recommendations.filter(status=RecommendationStatus.PROPOSED).exists():
        return _("该申报不在公示名单中。")
    return publicity_incomplete(publicity, action=_("报批"))


def approval_recorded(application) -> str | None:
    if not Approval.objects.filter(stage=application.current_stage).exists():
        return _("尚未录入批准文件（批准日期、批准机关、文号）。")
    if not Award.objects.filter(application=application).exists():
        return _("该申报不在批准的获奖名单中。")
    return None


def award_completed(application) -> str | None:
    award = Award.objects.filter(application=application).select_related("category").first()
    if award is None:
        return _("该申报不在获奖名单中。")
    if award.has_money_prize:
        paid = sum(p.amount for p in award.payments.all())
        if paid < award.prize_amount:
            return _("奖金尚未发放完毕（应发 %(due)s 元，已发 %(paid)s 元）。") % {"due": award.prize_amount, "paid": paid}
    codes = {b.get("code") for b in award.category.benefits or [] if isinstance(b, dict)}
    granted = set(award.benefits.values_list("code", flat=True))
    if codes - granted:
        return _("尚有精神奖励待遇未办理。")
    return None
