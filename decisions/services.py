"""Writes of the decisions app: meetings, the recommendation list, 公示, objections, approval, awards.

Every function is keyword-only, runs in one transaction, logs each change with core.services.log_activity
(target = the application where the change concerns one, so it shows in the application's history),
and changes an application's status only through reviews.services.apply_transition. Refusals raise
DecisionError with a message for the user, in their language.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from awards.models import Category, Cycle, ReviewBody, Stage, StageKind
from core.services import log_activity, model_snapshot, notify
from core.workdays import CalendarCoverageError, add_calendar_days, add_working_days
from reviews.services import TransitionError, apply_transition

from . import selectors
from .models import (
    UNRESOLVED_OBJECTION,
    Approval,
    Award,
    BenefitGrant,
    DecisionOutcome,
    Meeting,
    MeetingDecision,
    Objection,
    ObjectionStatus,
    PrizePayment,
    Publicity,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
    normalise_document_number,
    validate_document_number,
)


class DecisionError(Exception):
    """A refused decision; str(error) is the reason shown to the user."""


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


def _application_snapshot(application: Application) -> dict:
    return {"status": application.status, "stage": application.current_stage.code if application.current_stage_id else None}


def _save_private_file(field_file, upload: UploadedFile, prefix: str) -> None:
    """Store an upload under a random name (the original name is kept in a column for downloads)."""
    digest = hashlib.sha256(f"{prefix}{timezone.now().timestamp()}{upload.name}".encode()).hexdigest()[:24]
    extension = ""
    if "." in (upload.name or ""):
        extension = "." + upload.name.rsplit(".", 1)[1].lower()[:8]
    field_file.save(f"{digest}{extension}", upload, save=False)


ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def check_upload(upload: UploadedFile, *, max_bytes: int = ATTACHMENT_MAX_BYTES) -> str:
    """The content type found by the file's content (the applicant portal's detector: magic bytes,
    and a zip only as a real Office package); DecisionError if not an accepted type."""
    from applications.files import detect_type

    if upload.size > max_bytes:
        raise DecisionError(_("文件过大（上限 %(mb)d MB）。") % {"mb": max_bytes // (1024 * 1024)})
    mime = detect_type(upload)
    if mime not in ATTACHMENT_TYPES:
        raise DecisionError(
            _("只接受 %(types)s 文件；所上传文件的内容不是这些格式之一。") % {"types": "、".join(ATTACHMENT_TYPES.values())}
        )
    return mime


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


@transaction.atomic
def record_meeting(
    *,
    stage: Stage,
    actor,
    held_on: datetime.date,
    present_units: list[str],
    attendees_text: str = "",
    location: str = "",
    chair: str = "",
    notes: str = "",
    minutes: UploadedFile | None = None,
) -> Meeting:
    body = _meeting_body(stage)
    meeting = Meeting(
        stage=stage,
        body=body,
        held_on=held_on,
        present_units=_clean_units(body, present_units),
        attendees_text=attendees_text.strip(),
        location=location.strip(),
        chair=chair.strip(),
        notes=notes.strip(),
        created_by=actor,
    )
    if minutes is not None:
        meeting.minutes_content_type = check_upload(minutes)
        meeting.minutes_name = minutes.name[:255]
        _save_private_file(meeting.minutes, minutes, "minutes")
    meeting.save()
    log_activity(
        actor=actor,
        action="meeting.recorded",
        target=meeting,
        after={**model_snapshot(meeting, ["held_on", "present_units", "attendees_text", "location", "chair"]),
               "quorum_met": meeting.quorum_met, "minutes": meeting.minutes_name},
    )
    return meeting


@transaction.atomic
def update_meeting(
    *,
    meeting: Meeting,
    actor,
    held_on: datetime.date,
    present_units: list[str],
    attendees_text: str = "",
    location: str = "",
    chair: str = "",
    notes: str = "",
    minutes: UploadedFile | None = None,
) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body", "stage").get(pk=meeting.pk)
    fields = ["held_on", "present_units", "attendees_text", "location", "chair", "notes"]
    before = {**model_snapshot(meeting, fields), "quorum_met": meeting.quorum_met, "minutes": meeting.minutes_name}
    meeting.held_on = held_on
    meeting.present_units = _clean_units(meeting.body, present_units)
    meeting.attendees_text = attendees_text.strip()
    meeting.location = location.strip()
    meeting.chair = chair.strip()
    meeting.notes = notes.strip()
    decisions = list(meeting.decisions.all())
    if decisions and not meeting.quorum_met:
        raise DecisionError(_("本次会议已记录决定，修改后的出席情况不足法定人数，不能保存。"))
    if meeting.body.member_units:
        over = [d for d in decisions if (d.votes_for or 0) + (d.votes_against or 0) + (d.votes_abstain or 0) > meeting.present_count]
        if over:
            raise DecisionError(_("已记录的票数超过修改后的出席成员单位数，请先更正票数。"))
    if minutes is not None:
        meeting.minutes_content_type = check_upload(minutes)
        meeting.minutes_name = minutes.name[:255]
        _save_private_file(meeting.minutes, minutes, "minutes")
    meeting.save()
    after = {**model_snapshot(meeting, fields), "quorum_met": meeting.quorum_met, "minutes": meeting.minutes_name}
    log_activity(actor=actor, action="meeting.updated", target=meeting, before=before, after=after)
    return meeting


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
    for decision in decisions:
        application = decision.application
        if application.current_stage_id != meeting.stage_id or application.status != ApplicationStatus.IN_REVIEW:
            continue
        try:
            if decision.outcome == DecisionOutcome.APPROVED and feeds_list:
                results.append(ItemResult(application, True, _("会议通过，可列入推荐名单")))
            elif decision.outcome == DecisionOutcome.APPROVED:
                apply_transition(application=application, name="advance", actor=actor)
                results.append(ItemResult(application, True, _("已通过本环节")))
            else:
                reason = _("%(body)s %(date)s 会议决定不通过。") % {
                    "body": meeting.body.name, "date": meeting.held_on.isoformat()
                }
                if decision.notes:
                    reason = f"{reason}{decision.notes}"
                apply_transition(application=application, name="fail", actor=actor, reason=reason)
                results.append(ItemResult(application, True, _("已作不通过处理")))
        except TransitionError as exc:
            results.append(ItemResult(application, False, str(exc)))
    return results


# ---------------------------------------------------------------- recommendation list


def _published(cycle: Cycle) -> bool:
    stage = selectors.publicity_stage(cycle)
    return stage is not None and Publicity.objects.filter(stage=stage).exists()


def _ranking_row(stage: Stage, category: Category, application: Application):
    rows = selectors._ranking_rows(stage, category)
    if not rows:
        return None
    for row in rows:
        if row.application.pk == application.pk:
            return row
    return None


def add_recommendation(*, application: Application, actor, note: str = "") -> Recommendation:
    """Put a candidate on the proposed list of its category. Refused beyond the quota, also when
    several staff add at the same moment: the category row is locked while counting."""
    with transaction.atomic():
        application = Application.objects.select_related("cycle", "current_stage", "category").get(pk=application.pk)
        # Lock the category row: concurrent additions to the same category queue here.
        category = Category.objects.select_for_update().get(pk=application.category_id)
        cycle = application.cycle
        if _published(cycle):
            raise DecisionError(_("推荐名单已公示，不能再增加。"))
        if category.quota is None:
            raise DecisionError(_("“%(c)s”名额未设定，不能推荐。请先由项目管理员设定表彰名额。") % {"c": category.name})
        stage = selectors.source_stage(cycle)
        listable = {s.pk for s in selectors.listable_stages(cycle)}
        if stage is None or application.current_stage_id not in listable or application.status != ApplicationStatus.IN_REVIEW:
            raise DecisionError(
                _("%(n)s 不在“%(s)s”环节的评审中，不能列入推荐名单。") % {"n": application.number, "s": stage.name if stage else "—"}
            )
        if Recommendation.objects.filter(application=application, status=RecommendationStatus.PROPOSED).exists():
            raise DecisionError(_("%(n)s 已在推荐名单中。") % {"n": application.number})
        count = Recommendation.objects.filter(category=category, status=RecommendationStatus.PROPOSED).count()
        if count >= category.quota:
            raise DecisionError(
                _("“%(c)s”表彰名额为 %(q)d 个，推荐名单已满，不能超出名额。") % {"c": category.name, "q": category.quota}
            )
        rank = score = None
        if stage.kind == StageKind.MEETING:
            decision = selectors.quorate_decision(application, stage)
            if decision is None or decision.outcome != DecisionOutcome.APPROVED:
                raise DecisionError(_("%(n)s 尚无“%(s)s”会议的通过决定。") % {"n": application.number, "s": stage.name})
            source = RecommendationSource.MEETING
        else:
            source = RecommendationSource.RANKING
            row = _ranking_row(stage, category, application)
            if row is not None:
                rank, score = row.rank, row.score
        recommendation = Recommendation.objects.create(
            cycle=cycle,
            category=category,
            application=application,
            source_stage=stage,
            source=source,
            rank=rank,
            score=score,
            note=note.strip()[:300],
            added_by=actor,
        )
        log_activity(
            actor=actor,
            action="recommendation.added",
            target=application,
            after={"category": category.code, "rank": rank, "score": score, "source": source,
                   "proposed": count + 1, "quota": category.quota},
            reason=note,
            organiser=cycle.programme.organiser,
        )
        return recommendation


def _withdraw(recommendation: Recommendation, actor, reason: str, action: str) -> None:
    before = {"status": recommendation.status}
    recommendation.status = RecommendationStatus.WITHDRAWN
    recommendation.withdrawn_reason = reason
    recommendation.withdrawn_at = timezone.now()
    recommendation.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
    log_activity(
        actor=actor,
        action=action,
        target=recommendation.application,
        before=before,
        after={"status": recommendation.status, "category": recommendation.category.code},
        reason=reason,
        organiser=recommendation.cycle.programme.organiser,
    )


@transaction.atomic
def remove_recommendation(*, recommendation: Recommendation, actor, reason: str) -> Recommendation:
    """Take a candidate off the list before it is published (after that: only by an upheld objection)."""
    recommendation = Recommendation.objects.select_for_update(of=("self",)).select_related("cycle__programme", "application", "category").get(
        pk=recommendation.pk
    )
    if not reason.strip():
        raise DecisionError(_("请填写理由。"))
    if recommendation.status != RecommendationStatus.PROPOSED:
        raise DecisionError(_("该推荐已撤销。"))
    if _published(recommendation.cycle):
        raise DecisionError(_("推荐名单已公示，只能通过异议处理撤销。"))
    _withdraw(recommendation, actor, reason.strip(), "recommendation.removed")
    return recommendation


# ---------------------------------------------------------------- 公示


def publicity_end_date(*, start: datetime.date, span: int, unit: str) -> datetime.date:
    """Last day of the 公示. Working days follow China's holidays and 调休 from chinesecalendar; a
    year the library does not cover raises CalendarCoverageError (its message says so plainly)."""
    if unit == "working_days":
        return add_working_days(start, span)
    if unit == "calendar_days":
        return add_calendar_days(start, span)
    raise DecisionError(_("公示期单位应为工作日或自然日。"))


def default_publicity_title(cycle: Cycle) -> str:
    return _("%(p)s（%(c)s）拟表彰对象公示") % {"p": cycle.programme.name, "c": cycle.name}


def default_publicity_notice(cycle: Cycle, span: int, unit: str) -> str:
    unit_text = _("个工作日") if unit == "working_days" else _("天")
    return _(
        "根据%(p)s评选工作安排，经评审，现将拟表彰对象名单予以公示。公示期为 %(span)d %(unit)s。"
        "公示期间，任何单位和个人对拟表彰对象有异议的，可通过本页面或下列联系方式向评审办公室反映。"
        "反映情况应实事求是，提出异议的单位或个人应提供真实姓名（单位名称）和联系方式，以便核实。"
    ) % {"p": cycle.programme.name, "span": span, "unit": unit_text}


def publish_publicity(
    *,
    cycle: Cycle,
    actor,
    start_date: datetime.date,
    title: str = "",
    notice: str = "",
    contact: str = "",
    today: datetime.date | None = None,
) -> Publicity:
    """Publish the proposed list: compute the window, move the listed candidates into the 公示 stage."""
    stage = selectors.publicity_stage(cycle)
    if stage is None:
        raise DecisionError(_("本周期的评审流程没有公示环节。"))
    today = today or timezone.localdate()
    if start_date < today:
        raise DecisionError(_("公示开始日期不能早于今天（%(d)s）。") % {"d": today.isoformat()})
    params = stage.params or {}
    span, unit = int(params.get("span", 5)), params.get("unit", "working_days")
    try:
        end_date = publicity_end_date(start=start_date, span=span, unit=unit)
    except CalendarCoverageError as exc:
        raise DecisionError(str(exc)) from exc
    with transaction.atomic():
        Cycle.objects.select_for_update().get(pk=cycle.pk)  # one publication at a time per cycle
        if Publicity.objects.filter(stage=stage).exists():
            raise DecisionError(_("“%(s)s”已发布，不能重复发布。") % {"s": stage.name})
        recommendations = list(selectors.active_recommendations(cycle))
        if not recommendations:
            raise DecisionError(_("推荐名单为空，不能公示。"))
        for category in Category.objects.filter(cycle=cycle):
            listed = sum(1 for r in recommendations if r.category_id == category.pk)
            if listed and (category.quota is None or listed > category.quota):
                raise DecisionError(_("“%(c)s”推荐人数超出名额。") % {"c": category.name})
        publicity = Publicity.objects.create(
            cycle=cycle,
            stage=stage,
            title=(title or default_publicity_title(cycle)).strip()[:200],
            notice=(notice or default_publicity_notice(cycle, span, unit)).strip(),
            start_date=start_date,
            end_date=end_date,
            span=span,
            unit=unit,
            contact=(contact or _default_contact(cycle)).strip()[:300],
            published_by=actor,
        )
        log_activity(
            actor=actor,
            action="publicity.published",
            target=publicity,
            after={"start_date": start_date, "end_date": end_date, "span": span, "unit": unit,
                   "list": [r.application.number for r in recommendations]},
        )
        for recommendation in recommendations:
            application = recommendation.application
            if application.current_stage_id == stage.pk and application.status == ApplicationStatus.IN_REVIEW:
                # Moved into the 公示 stage before entering it was tied to publishing (data from before
                # conditions.enters_publicity_only_by_publishing): tell the applicant about the window now.
                notify(
                    recipient=application.applicant,
                    event="publicity",
                    template="emails/application_publicity.txt",
                    context={"application": application, "publicity": publicity, "stage": stage},
                    application=application,
                )
                continue
            try:
                # The stage_passed e-mail for entering the 公示 stage carries the window and the link.
                apply_transition(application=application, name="advance", actor=actor)
            except TransitionError as exc:
                raise DecisionError(
                    _("%(n)s 不能进入公示：%(r)s") % {"n": application.number, "r": exc}
                ) from exc
        return publicity


def _default_contact(cycle: Cycle) -> str:
    organiser = cycle.programme.organiser
    parts = [cycle.programme.office or organiser.office_name]
    phone = cycle.contact_phone or organiser.phone
    if phone:
        parts.append(_("电话：%(p)s") % {"p": phone})
    address = cycle.contact_address or organiser.address
    if address:
        parts.append(_("地址：%(a)s") % {"a": address})
    return "；".join(p for p in parts if p)


def submit_for_approval(*, publicity: Publicity, actor, now: datetime.datetime | None = None) -> list[ItemResult]:
    """After the window, with every objection resolved, move the listed candidates to the approval stage (提请批准)."""
    now = now or timezone.now()
    if not publicity.has_ended(now):
        raise DecisionError(_("公示期至 %(end)s 23:59:59 结束，公示期内不能提请批准。") % {"end": publicity.end_date.isoformat()})
    if Objection.objects.filter(publicity=publicity, status__in=UNRESOLVED_OBJECTION).exists():
        raise DecisionError(_("公示期间收到的异议尚未全部处理完毕，不能提请批准。"))
    results = []
    with transaction.atomic():
        for recommendation in selectors.active_recommendations(publicity.cycle):
            application = recommendation.application
            if application.current_stage_id != publicity.stage_id or application.status != ApplicationStatus.IN_REVIEW:
                continue
            try:
                apply_transition(application=application, name="advance", actor=actor)
            except TransitionError as exc:
                raise DecisionError(_("%(n)s：%(r)s") % {"n": application.number, "r": exc}) from exc
            results.append(ItemResult(application, True, _("已提请批准")))
        log_activity(actor=actor, action="publicity.submitted_for_approval", target=publicity,
                     after={"applications": [r.application.number for r in results]})
    return results


# ---------------------------------------------------------------- objections


def file_objection(
    *,
    publicity: Publicity,
    application: Application,
    name: str,
    contact: str,
    content: str,
    attachment: UploadedFile | None = None,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> Objection:
    """Anyone may object to a listed candidate during the window (00:00 of the first day to 23:59:59 of the last)."""
    now = now or timezone.now()
    if not publicity.has_started(now):
        raise DecisionError(_("公示尚未开始（%(d)s 起），暂不受理异议。") % {"d": publicity.start_date.isoformat()})
    if publicity.has_ended(now):
        raise DecisionError(
            _("公示已于 %(d)s 23:59:59 结束，不再受理异议。") % {"d": publicity.end_date.isoformat()}
        )
    listed = Recommendation.objects.filter(
        cycle_id=publicity.cycle_id, application=application, status=RecommendationStatus.PROPOSED
    ).exists()
    if not listed:
        raise DecisionError(_("所选对象不在公示名单中。"))
    name, contact, content = name.strip(), contact.strip(), content.strip()
    if not (name and contact and content):
        raise DecisionError(_("请填写姓名（单位）、联系方式和异议内容。"))
    with transaction.atomic():
        objection = Objection(
            publicity=publicity, application=application, name=name[:100], contact=contact[:100], content=content,
            ip_address=ip_address,
        )
        if attachment is not None:
            objection.attachment_content_type = check_upload(attachment)
            objection.attachment_name = (attachment.name or "")[:255]
            _save_private_file(objection.attachment, attachment, "objection")
        objection.save()
        log_activity(
            actor=None,
            action="objection.filed",
            target=application,
            after={"objection": objection.pk, "publicity": publicity.pk, "attachment": objection.attachment_name},
            reason=content[:2000],
            organiser=publicity.cycle.programme.organiser,
        )
    return objection


@transaction.atomic
def investigate_objection(*, objection: Objection, actor, notes: str) -> Objection:
    objection = Objection.objects.select_for_update(of=("self",)).select_related("application", "publicity__cycle__programme").get(pk=objection.pk)
    if objection.is_resolved:
        raise DecisionError(_("该异议已处理完毕。"))
    if not notes.strip():
        raise DecisionError(_("请填写调查核实情况。"))
    before = {"status": objection.status, "investigation_notes": objection.investigation_notes}
    objection.status = ObjectionStatus.INVESTIGATING
    objection.investigation_notes = notes.strip()
    objection.save(update_fields=["status", "investigation_notes"])
    log_activity(
        actor=actor,
        action="objection.investigating",
        target=objection.application,
        before=before,
        after={"objection": objection.pk, "status": objection.status, "investigation_notes": objection.investigation_notes},
        organiser=objection.publicity.cycle.programme.organiser,
    )
    return objection


def resolve_objection(*, objection: Objection, actor, upheld: bool, reason: str) -> Objection:
    """Upheld: the candidate is taken off the list and fails the 公示 stage with the reason. Dismissed: recorded with the reason."""
    reason = reason.strip()
    if not reason:
        raise DecisionError(_("请填写处理意见（理由）。"))
    with transaction.atomic():
        objection = Objection.objects.select_for_update(of=("self",)).select_related(
            "application", "publicity__cycle__programme", "publicity__stage"
        ).get(pk=objection.pk)
        if objection.is_resolved:
            raise DecisionError(_("该异议已处理完毕。"))
        before = {"status": objection.status}
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution_reason = reason
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        objection.save(update_fields=["status", "resolution_reason", "resolved_by", "resolved_at"])
        application = objection.application
        log_activity(
            actor=actor,
            action="objection.upheld" if upheld else "objection.dismissed",
            target=application,
            before=before,
            after={"objection": objection.pk, "status": objection.status},
            reason=reason,
            organiser=objection.publicity.cycle.programme.organiser,
        )
        if upheld:
            recommendation = (
                Recommendation.objects.select_for_update(of=("self",))
                .select_related("cycle__programme", "application", "category")
                .filter(application=application, status=RecommendationStatus.PROPOSED)
                .first()
            )
            if recommendation is not None:
                _withdraw(recommendation, actor, _("异议成立：%(r)s") % {"r": reason}, "recommendation.withdrawn_by_objection")
            if application.status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED):
                try:
                    apply_transition(
                        application=application, name="fail", actor=actor,
                        reason=_("经核实，公示期间的异议成立：%(r)s") % {"r": reason},
                    )
                except TransitionError as exc:
                    raise DecisionError(str(exc)) from exc
    return objection


# ---------------------------------------------------------------- approval and awards


def record_approval(
    *,
    cycle: Cycle,
    actor,
    approved_on: datetime.date,
    document_number: str,
    approving_body: str = "",
    notes: str = "",
    now: datetime.datetime | None = None,
) -> Approval:
    """Record the government's approval: the listed candidates become the winners (never beyond quota)
    and leave the approval stage; committed budget = Σ winners × prize."""
    from django.core.exceptions import ValidationError

    stage = selectors.approval_stage(cycle)
    if stage is None:
        raise DecisionError(_("本周期的评审流程没有审批环节。"))
    document_number = normalise_document_number(document_number)
    try:
        validate_document_number(document_number)
    except ValidationError as exc:
        raise DecisionError(exc.messages[0]) from exc
    approving_body = (approving_body or (stage.params or {}).get("approving_body", "")).strip()
    if not approving_body:
        raise DecisionError(_("请填写批准机关。"))
    now = now or timezone.now()
    publicity_stage = selectors.publicity_stage(cycle)
    with transaction.atomic():
        Cycle.objects.select_for_update().get(pk=cycle.pk)
        if Approval.objects.filter(stage=stage).exists():
            raise DecisionError(_("已录入批准文件，不能重复录入。"))
        if publicity_stage is not None:
            publicity = Publicity.objects.filter(stage=publicity_stage).first()
            if publicity is None:
                raise DecisionError(_("尚未公示，不能录入批准。"))
            if not publicity.has_ended(now):
                raise DecisionError(
                    _("公示期至 %(end)s 23:59:59 结束，公示期内不能录入批准。") % {"end": publicity.end_date.isoformat()}
                )
            if Objection.objects.filter(publicity=publicity, status__in=UNRESOLVED_OBJECTION).exists():
                raise DecisionError(_("公示期间收到的异议尚未全部处理完毕，不能录入批准。"))
            if approved_on < publicity.end_date:
                raise DecisionError(_("批准日期不能早于公示结束日期（%(d)s）。") % {"d": publicity.end_date.isoformat()})
        categories = {c.pk: c for c in Category.objects.select_for_update().filter(cycle=cycle)}
        recommendations = list(selectors.active_recommendations(cycle))
        if not recommendations:
            raise DecisionError(_("推荐名单为空，没有可批准的对象。"))
        for category in categories.values():
            listed = sum(1 for r in recommendations if r.category_id == category.pk)
            already = Award.objects.filter(category=category).count()
            if listed and (category.quota is None or listed + already > category.quota):
                raise DecisionError(_("“%(c)s”获奖人数将超出名额，不能批准。") % {"c": category.name})
        waiting = [
            r for r in recommendations
            if not (r.application.current_stage_id == stage.pk and r.application.status == ApplicationStatus.IN_REVIEW)
        ]
        if waiting:
            raise DecisionError(
                _("以下申报尚未提请批准（不在“%(s)s”环节）：%(n)s") % {"s": stage.name, "n": "、".join(r.application.number or "" for r in waiting)}
            )
        approval = Approval.objects.create(
            cycle=cycle, stage=stage, approved_on=approved_on, approving_body=approving_body,
            document_number=document_number, notes=notes.strip(), recorded_by=actor,
        )
        log_activity(
            actor=actor,
            action="approval.recorded",
            target=approval,
            after={**model_snapshot(approval, ["approved_on", "approving_body", "document_number"]),
                   "winners": [r.application.number for r in recommendations]},
        )
        for recommendation in recommendations:
            category = categories[recommendation.category_id]
            Award.objects.create(
                cycle=cycle, category=category, application=recommendation.application, approval=approval,
                recommendation=recommendation, prize_amount=category.prize_amount if category.has_money_prize else None,
            )
            try:
                apply_transition(application=recommendation.application, name="advance", actor=actor,
                                 reason=f"{approving_body} {document_number}")
            except TransitionError as exc:
                raise DecisionError(_("%(n)s：%(r)s") % {"n": recommendation.application.number, "r": exc}) from exc
        return approval


def _award_for_update(award: Award) -> Award:
    return Award.objects.select_for_update(of=("self",)).select_related("category", "application", "cycle__programme").get(pk=award.pk)


@transaction.atomic
def record_payment(
    *, award: Award, actor, amount: Decimal, paid_on: datetime.date, reference: str, note: str = ""
) -> PrizePayment:
    award = _award_for_update(award)
    if not award.has_money_prize:
        raise DecisionError(_("该奖项为精神奖励，不发放奖金。"))
    if amount is None or amount <= 0:
        raise DecisionError(_("发放金额须大于0。"))
    if not reference.strip():
        raise DecisionError(_("请填写凭证号。"))
    paid = sum((p.amount for p in award.payments.all()), Decimal(0))
    if paid + amount > award.prize_amount:
        raise DecisionError(
            _("发放合计 %(total)s 元将超过应发奖金 %(due)s 元（已发 %(paid)s 元）。")
            % {"total": paid + amount, "due": award.prize_amount, "paid": paid}
        )
    payment = PrizePayment.objects.create(
        award=award, amount=amount, paid_on=paid_on, reference=reference.strip(), note=note.strip(), recorded_by=actor
    )
    log_activity(
        actor=actor,
        action="award.payment_recorded",
        target=award.application,
        after={"amount": amount, "paid_on": paid_on, "reference": payment.reference, "paid_total": paid + amount,
               "prize": award.prize_amount},
        organiser=award.cycle.programme.organiser,
    )
    return payment


@transaction.atomic
def record_benefit(*, award: Award, actor, code: str, granted_on: datetime.date, note: str = "") -> BenefitGrant:
    award = _award_for_update(award)
    benefits = {b.get("code"): b for b in award.category.benefits or [] if isinstance(b, dict)}
    if code not in benefits:
        raise DecisionError(_("该奖项没有此项待遇。"))
    if BenefitGrant.objects.filter(award=award, code=code).exists():
        raise DecisionError(_("该项待遇已办理。"))
    grant = BenefitGrant.objects.create(
        award=award, code=code, text=benefits[code].get("text", code)[:300], granted_on=granted_on, note=note.strip(),
        recorded_by=actor,
    )
    log_activity(
        actor=actor,
        action="award.benefit_granted",
        target=award.application,
        after={"code": code, "text": grant.text, "granted_on": granted_on, "note": grant.note},
        organiser=award.cycle.programme.organiser,
    )
    return grant


def complete_award(*, award: Award, actor) -> Application:
    """Leave the award stage once the prize is paid and every benefit granted (the exit condition checks)."""
    try:
        return apply_transition(application=award.application, name="advance", actor=actor)
    except TransitionError as exc:
        raise DecisionError(str(exc)) from exc


# ---------------------------------------------------------------- notifications


def resend_notification(*, notification, actor) -> None:
    """Queue a recorded e-mail again (after a transport failure); the task never sends one twice."""
    from core.models import EmailNotification
    from core.tasks import send_notification

    if notification.status == EmailNotification.Status.SENT:
        raise DecisionError(_("该邮件已发送。"))
    log_activity(actor=actor, action="notification.resent", target=notification.application or notification,
                 after={"notification": notification.pk, "subject": notification.subject},
                 organiser=notification.application.cycle.programme.organiser if notification.application_id else None)
    transaction.on_commit(lambda: send_notification.delay(notification.pk))


def public_url(path: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{path}"
