"""Meetings of a review body with quorum, their decisions, applied to the applications."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from awards.models import ReviewBody, Stage, StageKind
from core.services import log_activity, model_snapshot
from reviews import selectors
from reviews.models import (
    DecisionOutcome,
    Meeting,
    MeetingDecision,
)
from reviews.services.common import DecisionError, attach_upload, check_not_future, who_and_when
from reviews.services.transitions import TransitionError, apply_transition

# ---------------------------------------------------------------- helpers

_CN_DIGITS = "零一二三四五六七八九十"


def _cn_number(n: int) -> str:
    return _CN_DIGITS[n] if 0 <= n <= 10 else str(n)


def quorum_rule_text(body: ReviewBody) -> str:
    """The body's rule in words: 超过三分之二 / 达到二分之一."""
    fraction = f"{_cn_number(body.quorum_denominator)}分之{_cn_number(body.quorum_numerator)}"
    return (_("超过%(f)s") if body.quorum_strict else _("达到%(f)s")) % {"f": fraction}


def quorum_refusal(meeting: Meeting) -> str | None:
    """Why the meeting cannot decide (below quorum), or None."""
    if meeting.quorum_met:
        return None
    body = meeting.body
    return _(
        "%(body)s须有%(rule)s成员单位出席方可举行：本次出席 %(present)d 个，全部 %(total)d 个成员单位中至少须 %(min)d 个出席，"
        "未达法定人数，不能作出决定。"
    ) % {
        "body": body.name,
        "rule": quorum_rule_text(body),
        "present": meeting.present_count,
        "total": len(body.member_units),
        "min": body.minimum_present(),
    }




# ---------------------------------------------------------------- meetings


def _meeting_body(stage: Stage) -> ReviewBody:
    if stage.kind != StageKind.MEETING:
        raise DecisionError(_("“%(s)s”不是会议环节。") % {"s": stage.name})
    body = selectors.body_for_stage(stage)
    if body is None:
        raise DecisionError(_("会议环节“%(s)s”未配置有效的评审机构。") % {"s": stage.name})
    return body


def _clean_units(body: ReviewBody, present_units: list[str]) -> list[str]:
    unknown = [u for u in present_units if u not in body.member_units]
    if unknown:
        raise DecisionError(_("不是%(body)s的成员单位：%(u)s") % {"body": body.name, "u": "、".join(unknown)})
    # keep the body's order, no duplicates
    return [u for u in body.member_units if u in set(present_units)]


def _set_details(meeting: Meeting, *, held_on: datetime.date, present_units: list[str], attendees_text: str = "",
                 location: str = "", chair: str = "", notes: str = "") -> None:
    """Write a sitting's particulars onto `meeting` (texts stripped, units checked and in the body's order)."""
    meeting.held_on = held_on
    meeting.present_units = _clean_units(meeting.body, present_units)
    meeting.attendees_text = attendees_text.strip()
    meeting.location = location.strip()
    meeting.chair = chair.strip()
    meeting.notes = notes.strip()


MEETING_FIELDS = ["held_on", "present_units", "attendees_text", "location", "chair", "notes"]


def _meeting_snapshot(meeting: Meeting) -> dict:
    return {**model_snapshot(meeting, MEETING_FIELDS), "quorum_met": meeting.quorum_met, "minutes": meeting.minutes_name}


@transaction.atomic
def record_meeting(*, stage: Stage, actor, held_on: datetime.date, minutes: UploadedFile | None = None, **details) -> Meeting:
    """Record one sitting of the stage's body; `details` are its particulars as _set_details takes them
    (present_units, attendees_text, location, chair, notes)."""
    body = _meeting_body(stage)
    check_not_future(held_on, _("会议日期"))
    Stage.objects.select_for_update().get(pk=stage.pk)  # one record of a sitting at a time
    _refuse_second_record(stage, held_on)
    meeting = Meeting(stage=stage, body=body, created_by=actor)
    _set_details(meeting, held_on=held_on, **details)
    attach_upload(meeting, "minutes", minutes, "minutes")
    meeting.save()
    log_activity(actor=actor, action="meeting.recorded", target=meeting, after=_meeting_snapshot(meeting))
    return meeting


@transaction.atomic
def update_meeting(*, meeting: Meeting, actor, held_on: datetime.date, minutes: UploadedFile | None = None, **details) -> Meeting:
    """Correct a recorded sitting; `details` as record_meeting takes them."""
    check_not_future(held_on, _("会议日期"))
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body", "stage").get(pk=meeting.pk)
    if held_on != meeting.held_on:
        Stage.objects.select_for_update().get(pk=meeting.stage_id)
        _refuse_second_record(meeting.stage, held_on, exclude=meeting.pk)
    before = _meeting_snapshot(meeting)
    _set_details(meeting, held_on=held_on, **details)
    decisions = list(meeting.decisions.all())
    if decisions and not meeting.quorum_met:
        raise DecisionError(_("本次会议已记录决定，修改后的出席情况不足法定人数，不能保存。"))
    if meeting.body.member_units:
        over = [d for d in decisions if (d.votes_for or 0) + (d.votes_against or 0) + (d.votes_abstain or 0) > meeting.present_count]
        if over:
            raise DecisionError(_("已记录的票数超过修改后的出席成员单位数，请先更正票数。"))
    attach_upload(meeting, "minutes", minutes, "minutes")
    meeting.save()
    log_activity(actor=actor, action="meeting.updated", target=meeting, before=before, after=_meeting_snapshot(meeting))
    return meeting


def _refuse_second_record(stage: Stage, held_on: datetime.date, *, exclude: int | None = None) -> None:
    earlier = Meeting.objects.filter(stage=stage, held_on=held_on).exclude(pk=exclude).select_related("created_by").first()
    if earlier is not None:
        raise DecisionError(
            _("%(day)s 的“%(stage)s”会议已由 %(who)s 于 %(when)s 记录，不能重复录入；如需更正，请打开该会议记录修改。")
            % {"day": held_on.isoformat(), "stage": stage.name, **who_and_when(earlier.created_by, earlier.created_at)})


def votes_outcome(meeting: Meeting, votes_for: int, votes_against: int, votes_abstain: int) -> str:
    """Passed when the votes for are more than half of the member units present (of the votes cast
    when the body lists no member units)."""
    base = meeting.present_count if meeting.body.member_units else votes_for + votes_against + votes_abstain
    return DecisionOutcome.APPROVED if votes_for * 2 > base else DecisionOutcome.REJECTED


@transaction.atomic
def record_decision(
    *,
    meeting: Meeting,
    application: Application,
    actor,
    outcome: str | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    notes: str = "",
) -> MeetingDecision:
    meeting = Meeting.objects.select_related("body", "stage").get(pk=meeting.pk)
    reason = quorum_refusal(meeting)
    if reason:
        raise DecisionError(reason)
    application = Application.objects.select_related("current_stage", "cycle__programme__organiser").get(pk=application.pk)
    existing = MeetingDecision.objects.select_for_update().filter(meeting=meeting, application=application).first()
    at_stage = application.current_stage_id == meeting.stage_id and application.status == ApplicationStatus.IN_REVIEW
    if not at_stage:
        raise DecisionError(
            _("%(n)s 当前不在“%(s)s”环节，不能记录本次会议的决定。") % {"n": application.number, "s": meeting.stage.name}
        )
    notes = notes.strip()
    if meeting.decision_mode == "votes":
        if None in (votes_for, votes_against, votes_abstain):
            raise DecisionError(_("请填写赞成、反对、弃权票数。"))
        cast = votes_for + votes_against + votes_abstain
        if meeting.body.member_units and cast > meeting.present_count:
            raise DecisionError(
                _("票数合计 %(cast)d 超过出席成员单位数 %(present)d。") % {"cast": cast, "present": meeting.present_count}
            )
        if cast == 0:
            raise DecisionError(_("票数合计不能为0。"))
        outcome = votes_outcome(meeting, votes_for, votes_against, votes_abstain)
    else:
        if outcome not in DecisionOutcome.values:
            raise DecisionError(_("请选择会议决定。"))
        if not notes:
            raise DecisionError(_("请填写会议决定的说明（如会议纪要中的表述）。"))
        votes_for = votes_against = votes_abstain = None
    before = model_snapshot(existing, ["votes_for", "votes_against", "votes_abstain", "outcome", "notes"]) if existing else None
    decision = existing or MeetingDecision(meeting=meeting, application=application)
    decision.votes_for, decision.votes_against, decision.votes_abstain = votes_for, votes_against, votes_abstain
    decision.outcome = outcome
    decision.notes = notes
    decision.recorded_by = actor
    decision.save()
    log_activity(
        actor=actor,
        action="meeting.decision_recorded" if existing is None else "meeting.decision_corrected",
        target=application,
        before=before,
        after={**model_snapshot(decision, ["votes_for", "votes_against", "votes_abstain", "outcome", "notes"]),
               "meeting": meeting.pk, "meeting_date": meeting.held_on, "body": meeting.body.name},
        organiser=meeting.activity_organiser,
    )
    return decision


@dataclass
class ItemResult:
    application: Application
    ok: bool
    message: str


def apply_meeting_outcomes(*, meeting: Meeting, actor) -> list[ItemResult]:
    """Advance the approved candidates and fail the rejected ones, each in its own transaction.

    At the stage the recommendation list is drawn from (the one right before the 公示, e.g. 区委书记专题会)
    the approved candidates stay where they are: they enter the 公示 only when listed and published."""
    results = []
    decisions = MeetingDecision.objects.filter(meeting=meeting).select_related("application", "meeting__body", "meeting__stage")
    feeds_list = selectors.is_source_stage(meeting.stage)
    # The state every decision acts on: under review at the meeting's stage. A parallel or repeated
    # apply finds the application moved on under its row lock and reports it, never advancing twice.
    at_meeting = f"{ApplicationStatus.IN_REVIEW}:{meeting.stage_id}"
    for decision in decisions:
        application = decision.application
        if application.current_stage_id != meeting.stage_id or application.status != ApplicationStatus.IN_REVIEW:
            continue
        try:
            if decision.outcome == DecisionOutcome.APPROVED and feeds_list:
                results.append(ItemResult(application, True, _("会议通过，可列入推荐名单")))
            elif decision.outcome == DecisionOutcome.APPROVED:
                apply_transition(application=application, name="advance", actor=actor, expected_state=at_meeting)
                results.append(ItemResult(application, True, _("已通过本环节")))
            else:
                reason = _("%(body)s %(date)s 会议决定不通过。") % {
                    "body": meeting.body.name, "date": meeting.held_on.isoformat()
                }
                if decision.notes:
                    reason = f"{reason}{decision.notes}"
                apply_transition(application=application, name="fail", actor=actor, reason=reason, expected_state=at_meeting)
                results.append(ItemResult(application, True, _("已作不通过处理")))
        except TransitionError as exc:
            results.append(ItemResult(application, False, str(exc)))
    return results




