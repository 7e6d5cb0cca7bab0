"""The cycle's decisions hub and meetings."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards.models import Stage, StageKind
from core.files import private_file_response
from core.pagination import paginate
from reviews import forms, selectors, services
from reviews.models import DecisionOutcome
from reviews.services import DecisionError
from reviews.views.common import cycle_context, found_or_404, posted_id, render_cycle_page

# ---------------------------------------------------------------- cycle hub


@login_required
def cycle_home(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    return render_cycle_page(
        request, "reviews/cycle_home.html", cycle, "home",
        meetings=paginate(request, selectors.meetings_for_cycle(cycle), param="meetings", anchor="meetings"),
        meeting_stages=selectors.stages_of_kind(cycle, StageKind.MEETING), publicity=selectors.publicity_for_cycle(cycle),
        approval=selectors.approval_for_cycle(cycle), winners=selectors.winners_for_cycle(cycle),
        source_stage=selectors.source_stage(cycle), proposed_count=selectors.active_recommendations(cycle).count())


# ---------------------------------------------------------------- meetings


@login_required
def meeting_new(request, code: str, stage_code: str):
    cycle = selectors.staff_cycle(request.user, code)
    stage = get_object_or_404(Stage, cycle=cycle, code=stage_code, kind=StageKind.MEETING)
    body = selectors.body_for_stage(stage)
    if body is None:
        messages.error(request, _("会议环节“%(s)s”未配置有效的评审机构。") % {"s": stage.name})
        return redirect("reviews:cycle_home", code=cycle.code)
    form = forms.MeetingForm(request.POST or None, request.FILES or None, body=body,
                             initial={"held_on": timezone.localdate()})
    return _meeting_form_page(request, form, partial(services.record_meeting, stage=stage, actor=request.user),
                              done=_("会议记录已保存。"), context=cycle_context(cycle, "meetings", stage=stage, body=body))


def _meeting_form_page(request, form, save, *, done: str, context: dict):
    """The form of a new or a corrected meeting record: a valid POST calls `save(**particulars)`
    (record_meeting or update_meeting) and goes on to the meeting's page."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = save(held_on=data["held_on"], present_units=data.get("present_units") or [],
                               attendees_text=data["attendees_text"], location=data["location"], chair=data["chair"],
                               notes=data["notes"], minutes=data["minutes"])
            except DecisionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return redirect("reviews:meeting_detail", pk=meeting.pk)
        status = 400
    return render(request, "reviews/meeting_form.html", {**context, "form": form}, status=status)


@login_required
def meeting_edit(request, pk: int):
    meeting = found_or_404(selectors.meeting_detail, pk, request.user)
    cycle = meeting.stage.cycle
    initial = {"held_on": meeting.held_on, "location": meeting.location, "chair": meeting.chair,
               "present_units": meeting.present_units, "attendees_text": meeting.attendees_text, "notes": meeting.notes}
    form = forms.MeetingForm(request.POST or None, request.FILES or None, body=meeting.body, initial=initial)
    return _meeting_form_page(request, form, partial(services.update_meeting, meeting=meeting, actor=request.user),
                              done=_("会议记录已更新。"),
                              context=cycle_context(cycle, "meetings", stage=meeting.stage, body=meeting.body, meeting=meeting))


@login_required
def meeting_detail(request, pk: int):
    meeting = found_or_404(selectors.meeting_detail, pk, request.user)
    cycle = meeting.stage.cycle
    errors: dict[int, str] = {}
    posted: dict[int, dict] = {}
    status = 200
    if request.method == "POST":
        form_class = forms.VotesDecisionForm if meeting.decision_mode == "votes" else forms.RecordedDecisionForm
        form = form_class(request.POST)
        application_id = request.POST.get("application", "")
        if form.is_valid():
            data = form.cleaned_data
            application = selectors.staff_applications(request.user, cycle).filter(pk=data["application"]).first()
            if application is None:
                raise Http404
            try:
                services.record_decision(
                    meeting=meeting, application=application, actor=request.user, outcome=data.get("outcome"),
                    votes_for=data.get("votes_for"), votes_against=data.get("votes_against"),
                    votes_abstain=data.get("votes_abstain"), notes=data.get("notes", ""),
                )
            except DecisionError as exc:
                errors[data["application"]] = str(exc)
            else:
                messages.success(request, _("%(n)s 的会议决定已记录。") % {"n": application.number})
                return redirect("reviews:meeting_detail", pk=meeting.pk)
        else:
            key = posted_id(application_id)
            errors[key] = "；".join(f"{form.fields[f].label if f in form.fields else ''}{' ' if f != '__all__' else ''}{'；'.join(e)}"
                                   for f, e in form.errors.items())
        posted = {posted_id(application_id): request.POST}
        status = 400
    decisions = selectors.decisions_by_application(meeting)
    rows = [
        {"application": a, "decision": decisions.get(a.pk), "error": errors.get(a.pk), "posted": posted.get(a.pk),
         "at_stage": a.current_stage_id == meeting.stage_id and a.status == "in_review"}
        for a in selectors.meeting_candidates(meeting)
    ]
    # At the stage the recommendation list is drawn from, approved candidates stay (to be listed and
    # published); only rejections are left to carry out.
    feeds_list = selectors.is_source_stage(meeting.stage)
    pending = [r for r in rows if r["decision"] and r["at_stage"]]
    if feeds_list:
        pending = [r for r in pending if r["decision"].outcome != DecisionOutcome.APPROVED]
    return render(
        request,
        "reviews/meeting_detail.html",
        cycle_context(cycle, "meetings", meeting=meeting, rows=paginate(request, rows), quorum_refusal=services.quorum_refusal(meeting),
                 quorum_rule=services.quorum_rule_text(meeting.body), outcomes=DecisionOutcome.choices,
                 pending_outcomes=len(pending), feeds_list=feeds_list,
                 list_published=feeds_list and selectors.publicity_published(cycle),
                 listable_count=sum(1 for r in rows if r["at_stage"] and r["decision"]
                                    and r["decision"].outcome == DecisionOutcome.APPROVED)),
        status=status,
    )


@login_required
@require_POST
def meeting_apply(request, pk: int):
    meeting = found_or_404(selectors.meeting_detail, pk, request.user)
    results = services.apply_meeting_outcomes(meeting=meeting, actor=request.user)
    for result in results:
        (messages.success if result.ok else messages.error)(request, f"{result.application.number}：{result.message}")
    if not results:
        messages.info(request, _("没有需要处理的决定。"))
    return redirect("reviews:meeting_detail", pk=meeting.pk)


@login_required
def meeting_minutes(request, pk: int):
    meeting = found_or_404(selectors.meeting_detail, pk, request.user)
    return private_file_response(meeting.minutes, filename=meeting.minutes_name, content_type=meeting.minutes_content_type)




