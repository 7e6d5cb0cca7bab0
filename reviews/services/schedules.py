"""陈述答辩 / 现场评审 schedules, refused when people or places clash."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from awards.models import Organiser, Stage
from core.services import log_activity, model_snapshot, notify
from core.workdays import CalendarCoverageError, is_working_day, weekday_name
from reviews.conflicts import conflict_reasons
from reviews.models import (
    Assignment,
    ExpertPanel,
    ScheduleEntry,
)
from reviews.selectors.staff import slot_experts
from reviews.services.assignment import declarations_for

# ---------------------------------------------------------------------------------------------
# 陈述答辩 / 现场评审 schedules


class ScheduleClash(ValidationError):
    pass


def _entry_user_ids(entry: ScheduleEntry, declarations: dict) -> dict[int, str]:
    """The experts who sit on a slot (an expert who recused for its application is not there)."""
    sitting, _recused = slot_experts(entry, declarations)
    return {m.user_id: m.name for m in sitting}


def schedule_refusal(*, stage: Stage, application: Application, starts_at: datetime.datetime) -> str | None:
    """Why `application` cannot be given a slot of `stage` at `starts_at`, or None: the application must be
    in review at this very stage (not still at an earlier one, nor past it), and the day a working day of
    the statutory calendar (core.workdays)."""
    if application.cycle_id != stage.cycle_id:
        return _("申报不属于本周期。")
    if application.status not in (ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED):
        return _("%(n)s 当前状态为“%(s)s”，不在评审中，不能安排。") % {
            "n": application.number or application.applicant_name, "s": application.get_status_display()}
    if application.current_stage_id != stage.pk:
        return _("%(n)s 当前处于“%(c)s”环节，尚未进入或已经离开“%(s)s”，不能安排。") % {
            "n": application.number or application.applicant_name,
            "c": application.current_stage.name if application.current_stage_id else "—", "s": stage.name}
    day = timezone.localtime(starts_at).date()
    try:
        working = is_working_day(day)
    except CalendarCoverageError as exc:
        return str(exc)
    if not working:
        return _("%(d)s（%(w)s）不是工作日（周末或法定节假日），%(k)s只能安排在工作日。") % {
            "d": day.isoformat(), "w": weekday_name(day), "k": stage.name}
    return None


def _norm_place(text: str) -> str:
    return "".join((text or "").split()).lower()


def save_schedule_entry(
    *, stage: Stage, application: Application, starts_at: datetime.datetime, ends_at: datetime.datetime, location: str,
    actor, panel: ExpertPanel | None = None, team=(), note: str = "", entry: ScheduleEntry | None = None,
) -> ScheduleEntry:
    """Schedule a presentation slot or a site visit. Refused, with a message naming the clash, when an
    expert would be in two places at once, a room is double-booked, or the applicant has two
    appointments at the same time. The applicant is notified after commit."""
    scheduling = (stage.params or {}).get("scheduling", "none")
    if scheduling not in (ScheduleEntry.Kind.PRESENTATION, ScheduleEntry.Kind.SITE_VISIT):
        raise ValidationError(_("“%(s)s”环节不安排陈述答辩或现场评审。") % {"s": stage.name})
    refusal = schedule_refusal(stage=stage, application=application, starts_at=starts_at)
    if refusal:
        raise ValidationError(refusal)
    if ends_at <= starts_at:
        raise ValidationError(_("结束时间须晚于开始时间。"))
    if not location.strip():
        raise ValidationError(_("请填写地点。"))
    team = list(team)
    if scheduling == ScheduleEntry.Kind.PRESENTATION and panel is None:
        raise ValidationError(_("陈述答辩须指定专家组。"))
    if scheduling == ScheduleEntry.Kind.SITE_VISIT and not team and panel is None:
        raise ValidationError(_("现场评审须指定评审组成员。"))
    if panel is not None and panel.stage_id != stage.pk:
        raise ValidationError(_("专家组不属于本环节。"))
    organiser = stage.cycle.programme.organiser
    if any(m.organiser_id != organiser.pk for m in team):
        raise ValidationError(_("评审组成员须来自本机构专家库。"))
    with transaction.atomic():
        Organiser.objects.select_for_update().get(pk=organiser.pk)  # one scheduler at a time per organiser
        # Who sits on this slot: the panel and the team, less those who must recuse for this application.
        declarations = declarations_for([application.pk])
        members = {m.pk: (m, panel) for m in (panel.members.all() if panel else [])}
        members.update({m.pk: (m, None) for m in team})
        sitting = {pk: pair for pk, pair in members.items() if not conflict_reasons(pair[0], application, declarations)}
        skipped = sorted(pair[0].name for pk, pair in members.items() if pk not in sitting)
        people: dict[int, str] = {expert.user_id: expert.name for expert, _panel in sitting.values()}
        overlapping = (
            ScheduleEntry.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(pk=getattr(entry, "pk", None))
            .select_related("application__organisation", "application__person", "application__recommender",
                            "stage__cycle__programme", "panel")
            .prefetch_related("panel__members", "team")
        )
        overlapping = list(overlapping)
        other_declarations = declarations_for([other.application_id for other in overlapping]) if overlapping else {}
        clashes = []
        for other in overlapping:
            when = f"{timezone.localtime(other.starts_at):%Y-%m-%d %H:%M}—{timezone.localtime(other.ends_at):%H:%M}"
            both = set(people) & set(_entry_user_ids(other, other_declarations))
            for user_id in sorted(both):
                clashes.append(_("专家 %(e)s 在 %(t)s 已安排 %(a)s 的%(k)s（%(p)s）。") % {
                    "e": people[user_id], "t": when, "a": other.application.applicant_name, "k": other.get_kind_display(),
                    "p": other.location})
            if other.stage.cycle.programme.organiser_id == organiser.pk and _norm_place(other.location) == _norm_place(location):
                clashes.append(_("%(p)s 在 %(t)s 已安排 %(a)s 的%(k)s。") % {
                    "p": other.location, "t": when, "a": other.application.applicant_name, "k": other.get_kind_display()})
            if other.application_id == application.pk:
                clashes.append(_("该申报人在 %(t)s 已有%(k)s安排。") % {"t": when, "k": other.get_kind_display()})
        if clashes:
            raise ScheduleClash(clashes)
        before = None
        if entry is None:
            entry = ScheduleEntry.objects.filter(stage=stage, application=application).first()
        if entry is not None:
            before = {**model_snapshot(entry, ["starts_at", "ends_at", "location", "panel"]),
                      "team": sorted(m.pk for m in entry.team.all())}
        else:
            entry = ScheduleEntry(stage=stage, application=application, created_by=actor)
        entry.kind = scheduling
        entry.starts_at, entry.ends_at = starts_at, ends_at
        entry.location = location.strip()
        entry.panel = panel
        entry.note = note.strip()
        entry.save()
        entry.team.set(team)
        after = {**model_snapshot(entry, ["starts_at", "ends_at", "location", "panel"]), "team": sorted(m.pk for m in team)}
        log_activity(actor=actor, action="reviews.schedule.update" if before else "reviews.schedule.create",
                     target=application, before=before, after={"stage": stage.code, **after})
        # The experts who sit on the panel or visit the site score this application in this stage.
        for expert, expert_panel in sitting.values():
            Assignment.objects.get_or_create(stage=stage, application=application, expert=expert,
                                             defaults={"panel": expert_panel, "method": Assignment.Method.SCHEDULE,
                                                       "assigned_by": actor})
        entry.skipped_conflicted = skipped
        notify(recipient=application.applicant, event=f"schedule_{scheduling}",
               template=f"emails/schedule_{scheduling}.txt",
               context={"application": application, "entry": entry, "stage": stage, "changed": before is not None},
               application=application)
    return entry


def cancel_schedule_entry(*, entry: ScheduleEntry, actor, reason: str = "") -> None:
    with transaction.atomic():
        application = entry.application
        before = model_snapshot(entry, ["starts_at", "ends_at", "location", "kind"])
        notify(recipient=application.applicant, event="schedule_cancelled", template="emails/schedule_cancelled.txt",
               context={"application": application, "entry": entry, "stage": entry.stage, "reason": reason},
               application=application)
        log_activity(actor=actor, action="reviews.schedule.cancel", target=application, before=before, reason=reason)
        entry.delete()




