"""Conditions for leaving the stages this app is responsible for (registered in DecisionsConfig.ready).

Each takes the application (its current stage is of the registered kind) and returns None when it
may leave the stage, or the reason it may not, in the user's language.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from applications.models import ApplicationStatus
from awards.models import StageKind

from .models import (
    UNRESOLVED_OBJECTION,
    Approval,
    Award,
    DecisionOutcome,
    Objection,
    Publicity,
    Recommendation,
    RecommendationStatus,
)

# Stage kinds that may stand right before a 公示 stage: every kind but 公示 itself. The condition
# checks the actual next stage, so at any other stage it lets the application go.
KINDS_BEFORE_PUBLICITY = tuple(kind for kind in StageKind.values if kind != StageKind.PUBLICITY)


def enters_publicity_only_by_publishing(application) -> str | None:
    """An application enters the 公示 stage only when the office publishes the 公示 with it on the list.

    publish_publicity creates the Publicity row first and then advances the listed candidates, so both
    checks hold exactly on that path. Without this, "通过本环节", a meeting outcome or a cut-off would
    put a candidate into 公示 where it can never be listed, published or moved back.
    """
    from reviews import workflow

    status, next_stage = workflow.resolve_target(application, workflow.BY_NAME["advance"])
    if status != ApplicationStatus.IN_REVIEW or next_stage is None or next_stage.kind != StageKind.PUBLICITY:
        return None
    listed = Recommendation.objects.filter(
        cycle_id=application.cycle_id, application=application, status=RecommendationStatus.PROPOSED
    ).exists()
    if listed and Publicity.objects.filter(stage=next_stage).exists():
        return None
    return _("进入公示须先列入推荐名单，并由评审办公室发布公示；未列入名单的申报请作“不通过”处理。")


def meeting_decided(application) -> str | None:
    from .selectors import quorate_decision

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
    if not publicity.has_ended():
        return _("公示期至 %(end)s 23:59:59 结束，公示期内不能报批。") % {"end": publicity.end_date.isoformat()}
    if not application.recommendations.filter(status=RecommendationStatus.PROPOSED).exists():
        return _("该申报不在公示名单中。")
    if Objection.objects.filter(publicity=publicity, status__in=UNRESOLVED_OBJECTION).exists():
        return _("公示期间收到的异议尚未全部处理完毕。")
    return None


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
