"""The recommendation list, the 公示 and objections."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from awards.models import Category, Cycle, Stage, StageKind
from core.services import log_activity, notify
from core.workdays import CalendarCoverageError, add_calendar_days, add_working_days
from reviews import selectors
from reviews.models import (
    DecisionOutcome, Objection, ObjectionStatus, Publicity, Recommendation, RecommendationSource, RecommendationStatus,
)
from reviews.services.common import DecisionError, attach_upload
from reviews.services.meetings import ItemResult
from reviews.services.transitions import TransitionError, apply_transition

# ---------------------------------------------------------------- recommendation list


def _ranking_row(stage: Stage, category: Category, application: Application):
    rows = selectors.category_ranking(stage=stage, category=category)
    if not rows:
        return None
    for row in rows:
        if row.application.pk == application.pk:
            return row
    return None


def add_recommendation(*, application: Application, actor, note: str = "", allow_incomplete: bool = False) -> Recommendation:
    """Put a candidate on the proposed list of its category. Refused beyond the quota, also when
    several staff add at the same moment: the category row is locked while counting.

    A ranked candidate whose scoresheets are not all in is listed only when staff say so explicitly
    (allow_incomplete) and give a reason in the note, as for a cut-off; the override is logged."""
    with transaction.atomic():
        application = Application.objects.select_related("cycle", "current_stage", "category").get(pk=application.pk)
        # Lock the category row: concurrent additions to the same category queue here.
        category = Category.objects.select_for_update().get(pk=application.category_id)
        cycle = application.cycle
        if selectors.publicity_published(cycle):
            raise DecisionError(_("推荐名单已公示，不能再增加。"))
        if category.quota is None:
            raise DecisionError(selectors.quota_refusal(category, listed=0, adding=1))
        stage = selectors.source_stage(cycle)
        listable = {s.pk for s in selectors.listable_stages(cycle)}
        if stage is None or application.current_stage_id not in listable or application.status != ApplicationStatus.IN_REVIEW:
            raise DecisionError(
                _("%(n)s 不在“%(s)s”环节的评审中，不能列入推荐名单。") % {"n": application.number, "s": stage.name if stage else "—"}
            )
        if Recommendation.objects.filter(application=application, status=RecommendationStatus.PROPOSED).exists():
            raise DecisionError(_("%(n)s 已在推荐名单中。") % {"n": application.number})
        count = selectors.places_used(category)
        refusal = selectors.quota_refusal(category, listed=count, adding=1)
        if refusal:
            raise DecisionError(refusal)
        rank = score = sheets = None
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
                if row.sheets.incomplete:
                    sheets = str(row.sheets)
                    if not allow_incomplete:
                        raise DecisionError(
                            _("%(n)s 的评分表尚未收齐（已提交 %(s)d / 应提交 %(a)d）。按不完整的评分列入推荐名单须明确确认并说明理由。")
                            % {"n": application.number, "s": row.sheets.submitted, "a": row.sheets.assigned})
                    if not note.strip():
                        raise DecisionError(_("评分表未收齐仍要列入推荐名单时，须在“备注”中写明理由。"))
        recommendation = Recommendation.objects.create(
            cycle=cycle, category=category, application=application, source_stage=stage, source=source, rank=rank, score=score,
            note=note.strip()[:300], added_by=actor)
        log_activity(
            actor=actor,
            action="recommendation.added",
            target=application,
            after={"category": category.code, "rank": rank, "score": score, "source": source,
                   "proposed": count + 1, "quota": category.quota,
                   **({"incomplete_override": True, "incomplete_sheets": sheets} if sheets else {})},
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
    if selectors.publicity_published(recommendation.cycle):
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
            if listed and selectors.quota_refusal(category, listed=listed):
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
            contact=(contact or default_contact(cycle)).strip()[:300],
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


def default_contact(cycle: Cycle) -> str:
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
    refusal = selectors.publicity_incomplete(publicity, action=_("提请批准"), now=now)
    if refusal:
        raise DecisionError(refusal)
    results = []
    with transaction.atomic():
        for recommendation in selectors.active_recommendations(publicity.cycle):
            application = recommendation.application
            if application.current_stage_id != publicity.stage_id or application.status != ApplicationStatus.IN_REVIEW:
                continue
            try:
                # The state this list was read in: a second click finds it moved on under the row lock.
                apply_transition(application=application, name="advance", actor=actor,
                                 expected_state=f"{ApplicationStatus.IN_REVIEW}:{publicity.stage_id}")
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
        attach_upload(objection, "attachment", attachment, "objection")
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




