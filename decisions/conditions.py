"""Conditions for leaving the stages this app is responsible for (registered in DecisionsConfig.ready).

Each takes the application (its current stage is of the registered kind) and returns None when it
may leave the stage, or the reason it may not, in the user's language.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from .models import UNRESOLVED_OBJECTION, Approval, Award, DecisionOutcome, Objection, Publicity, RecommendationStatus


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
