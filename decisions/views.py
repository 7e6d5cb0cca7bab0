"""Thin views: permission check (404 for what the user may not see), form, service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rules
from awards.models import Cycle, Stage, StageKind
from awards.selectors import cycle_budget, format_wan
from core.models import EmailNotification
from core.files import private_file_response
from core.workdays import CalendarCoverageError

from . import dashboard as dashboard_data
from . import exports, forms, selectors, services
from .models import Approval, Award, DecisionOutcome, Meeting, Objection, Publicity, Recommendation
from .services import DecisionError


# ---------------------------------------------------------------- helpers


def _cycle_or_404(request, code: str) -> Cycle:
    try:
        return selectors.staff_cycle(code, request.user)
    except Cycle.DoesNotExist:
        raise Http404 from None


def _staff_of(request, organiser) -> None:
    if not rules.is_review_staff(request.user, organiser):
        raise Http404


def _int_or_zero(value) -> int:
    """A posted id: ASCII digits only ("²".isdigit() is True too), anything else matches nothing."""
    value = value or ""
    return int(value) if value.isascii() and value.isdigit() else 0


def _context(cycle: Cycle, section: str, **extra) -> dict:
    return {"cycle": cycle, "section": section, **extra}


def _private_file(field_file, name: str, content_type: str):
    return private_file_response(field_file, filename=name, content_type=content_type)


# ---------------------------------------------------------------- cycle hub


@login_required
def cycle_home(request, code: str):
    cycle = _cycle_or_404(request, code)
    publicity = selectors.publicity_for_cycle(cycle)
    return render(
        request,
        "decisions/cycle_home.html",
        _context(
            cycle,
            "home",
            meetings=selectors.meetings_for_cycle(cycle),
            meeting_stages=selectors.stages_of_kind(cycle, StageKind.MEETING),
            publicity=publicity,
            approval=selectors.approval_for_cycle(cycle),
            winners=selectors.winners_for_cycle(cycle),
            source_stage=selectors.source_stage(cycle),
            proposed_count=selectors.active_recommendations(cycle).count(),
        ),
    )


# ---------------------------------------------------------------- meetings


@login_required
def meeting_new(request, code: str, stage_code: str):
    cycle = _cycle_or_404(request, code)
    stage = get_object_or_404(Stage, cycle=cycle, code=stage_code, kind=StageKind.MEETING)
    body = selectors.body_for_stage(stage)
    if body is None:
        messages.error(request, _("会议环节“%(s)s”未配置有效的评审机构。") % {"s": stage.name})
        return redirect("decisions:cycle_home", code=cycle.code)
    form = forms.MeetingForm(request.POST or None, request.FILES or None, body=body,
                             initial={"held_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.record_meeting(
                    stage=stage, actor=request.user, held_on=data["held_on"], present_units=data.get("present_units") or [],
                    attendees_text=data["attendees_text"], location=data["location"], chair=data["chair"],
                    notes=data["notes"], minutes=data["minutes"],
                )
            except DecisionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("会议记录已保存。"))
                return redirect("decisions:meeting_detail", pk=meeting.pk)
        status = 400
    return render(request, "decisions/meeting_form.html", _context(cycle, "meetings", form=form, stage=stage, body=body),
                  status=status)


def _meeting_or_404(request, pk: int) -> Meeting:
    try:
        return selectors.meeting_detail(pk, request.user)
    except Meeting.DoesNotExist:
        raise Http404 from None


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    cycle = meeting.stage.cycle
    initial = {"held_on": meeting.held_on, "location": meeting.location, "chair": meeting.chair,
               "present_units": meeting.present_units, "attendees_text": meeting.attendees_text, "notes": meeting.notes}
    form = forms.MeetingForm(request.POST or None, request.FILES or None, body=meeting.body, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_meeting(
                    meeting=meeting, actor=request.user, held_on=data["held_on"], present_units=data.get("present_units") or [],
                    attendees_text=data["attendees_text"], location=data["location"], chair=data["chair"],
                    notes=data["notes"], minutes=data["minutes"],
                )
            except DecisionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("会议记录已更新。"))
                return redirect("decisions:meeting_detail", pk=meeting.pk)
        status = 400
    return render(request, "decisions/meeting_form.html",
                  _context(cycle, "meetings", form=form, stage=meeting.stage, body=meeting.body, meeting=meeting), status=status)


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
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
            application = selectors.staff_applications(request.user).filter(pk=data["application"], cycle=cycle).first()
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
                return redirect("decisions:meeting_detail", pk=meeting.pk)
        else:
            key = _int_or_zero(application_id)
            errors[key] = "；".join(f"{form.fields[f].label if f in form.fields else ''}{' ' if f != '__all__' else ''}{'；'.join(e)}"
                                   for f, e in form.errors.items())
        posted = {_int_or_zero(application_id): request.POST}
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
        "decisions/meeting_detail.html",
        _context(cycle, "meetings", meeting=meeting, rows=rows, quorum_refusal=services.quorum_refusal(meeting),
                 quorum_rule=services.quorum_rule_text(meeting.body), outcomes=DecisionOutcome.choices,
                 pending_outcomes=len(pending), feeds_list=feeds_list,
                 list_published=feeds_list and services._published(cycle),
                 listable_count=sum(1 for r in rows if r["at_stage"] and r["decision"]
                                    and r["decision"].outcome == DecisionOutcome.APPROVED)),
        status=status,
    )


@login_required
@require_POST
def meeting_apply(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    results = services.apply_meeting_outcomes(meeting=meeting, actor=request.user)
    for result in results:
        (messages.success if result.ok else messages.error)(request, f"{result.application.number}：{result.message}")
    if not results:
        messages.info(request, _("没有需要处理的决定。"))
    return redirect("decisions:meeting_detail", pk=meeting.pk)


@login_required
def meeting_minutes(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    return _private_file(meeting.minutes, meeting.minutes_name, meeting.minutes_content_type)


# ---------------------------------------------------------------- recommendation list


@login_required
def recommendations(request, code: str):
    cycle = _cycle_or_404(request, code)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = forms.RecommendForm(request.POST)
                if not form.is_valid():
                    raise DecisionError(_("请求无效。"))
                application = selectors.staff_applications(request.user).filter(
                    pk=form.cleaned_data["application"], cycle=cycle
                ).first()
                if application is None:
                    raise Http404
                services.add_recommendation(application=application, actor=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("%(n)s 已列入推荐名单。") % {"n": application.number})
            elif action == "remove":
                recommendation = get_object_or_404(Recommendation, pk=_int_or_zero(request.POST.get("recommendation")), cycle=cycle)
                reason_form = forms.ReasonForm(request.POST)
                if not reason_form.is_valid():
                    raise DecisionError(_("请填写移出名单的理由。"))
                services.remove_recommendation(recommendation=recommendation, actor=request.user,
                                               reason=reason_form.cleaned_data["reason"])
                messages.success(request, _("已移出推荐名单。"))
            else:
                raise DecisionError(_("请求无效。"))
        except DecisionError as exc:
            messages.error(request, str(exc))
            return _render_recommendations(request, cycle, status=400)
        return redirect("decisions:recommendations", code=cycle.code)
    return _render_recommendations(request, cycle)


def _render_recommendations(request, cycle, status=200):
    stage, lists = selectors.recommendation_lists(cycle)
    budget = cycle_budget(cycle)
    proposed_total = sum((lst.proposed_amount for lst in lists), start=budget.total_amount * 0)
    return render(
        request,
        "decisions/recommendations.html",
        _context(cycle, "recommendations", stage=stage, lists=lists, budget=budget,
                 proposed_wan=format_wan(proposed_total), published=services._published(cycle)),
        status=status,
    )


# ---------------------------------------------------------------- 公示 (staff)


@login_required
def publicity_manage(request, code: str):
    cycle = _cycle_or_404(request, code)
    stage = selectors.publicity_stage(cycle)
    if stage is None:
        raise Http404
    publicity = Publicity.objects.filter(stage=stage).select_related("published_by").first()
    params = stage.params or {}
    span, unit = int(params.get("span", 5)), params.get("unit", "working_days")
    context = _context(cycle, "publicity", stage=stage, publicity=publicity, span=span, unit=unit)
    status = 200
    if publicity is None:
        initial = {"start_date": timezone.localdate(), "title": services.default_publicity_title(cycle),
                   "notice": services.default_publicity_notice(cycle, span, unit), "contact": services._default_contact(cycle)}
        form = forms.PublishForm(request.POST or None, initial=initial)
        end_date = None
        coverage_error = None
        start = None
        if request.method == "POST" and form.is_valid():
            start = form.cleaned_data["start_date"]
        elif request.method != "POST":
            start = initial["start_date"]
        if start is not None:
            try:
                end_date = services.publicity_end_date(start=start, span=span, unit=unit)
            except CalendarCoverageError as exc:
                coverage_error = str(exc)
        if request.method == "POST":
            status = 400
            if form.is_valid() and "publish" in request.POST and coverage_error is None:
                data = form.cleaned_data
                try:
                    published = services.publish_publicity(
                        cycle=cycle, actor=request.user, start_date=data["start_date"], title=data["title"],
                        notice=data["notice"], contact=data["contact"],
                    )
                except DecisionError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("公示已发布：%(s)s 至 %(e)s。") % {
                        "s": published.start_date.isoformat(), "e": published.end_date.isoformat()})
                    return redirect("decisions:publicity_manage", code=cycle.code)
            elif form.is_valid() and coverage_error is None:
                status = 200  # preview of the end date
        context.update(form=form, end_date=end_date, coverage_error=coverage_error,
                       entries=[_entry for _entry in selectors.active_recommendations(cycle)])
    else:
        notice = selectors.publicity_notice(publicity)
        context.update(notice=notice, objections=selectors.objections_for_publicity(publicity),
                       state=publicity.state())
    return render(request, "decisions/publicity_manage.html", context, status=status)


@login_required
@require_POST
def publicity_submit(request, code: str):
    cycle = _cycle_or_404(request, code)
    stage = selectors.publicity_stage(cycle)
    publicity = get_object_or_404(Publicity, stage=stage)
    try:
        results = services.submit_for_approval(publicity=publicity, actor=request.user)
    except DecisionError as exc:
        messages.error(request, str(exc))
        return redirect("decisions:publicity_manage", code=cycle.code)
    messages.success(request, _("已提请批准：%(n)d 个对象。") % {"n": len(results)})
    return redirect("decisions:approval", code=cycle.code)


@login_required
def objection_detail(request, pk: int):
    try:
        objection = selectors.objection_detail(pk, request.user)
    except Objection.DoesNotExist:
        raise Http404 from None
    cycle = objection.publicity.cycle
    investigate_form = forms.InvestigateForm(initial={"notes": objection.investigation_notes})
    resolve_form = forms.ResolveForm()
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("action") == "investigate":
                investigate_form = forms.InvestigateForm(request.POST)
                if investigate_form.is_valid():
                    services.investigate_objection(objection=objection, actor=request.user,
                                                   notes=investigate_form.cleaned_data["notes"])
                    messages.success(request, _("调查核实情况已记录。"))
                    return redirect("decisions:objection_detail", pk=objection.pk)
            elif request.POST.get("action") == "resolve":
                resolve_form = forms.ResolveForm(request.POST)
                if resolve_form.is_valid():
                    services.resolve_objection(
                        objection=objection, actor=request.user,
                        upheld=resolve_form.cleaned_data["decision"] == "upheld", reason=resolve_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("异议已处理。"))
                    return redirect("decisions:objection_detail", pk=objection.pk)
            else:
                messages.error(request, _("请求无效。"))
        except DecisionError as exc:
            messages.error(request, str(exc))
    history = [e for e in selectors.history_for_application(objection.application) if e.action.startswith("objection.")
               and (e.after or {}).get("objection") == objection.pk]
    return render(
        request,
        "decisions/objection_detail.html",
        _context(cycle, "publicity", objection=objection, investigate_form=investigate_form, resolve_form=resolve_form,
                 history=history),
        status=status,
    )


@login_required
def objection_attachment(request, pk: int):
    try:
        objection = selectors.objection_detail(pk, request.user)
    except Objection.DoesNotExist:
        raise Http404 from None
    return _private_file(objection.attachment, objection.attachment_name, objection.attachment_content_type)


# ---------------------------------------------------------------- 公示 (public)


def _client_ip(request) -> str | None:
    from core.http import client_ip

    return client_ip(request)


OBJECTION_LIMIT_PER_HOUR = getattr(settings, "OBJECTION_LIMIT_PER_HOUR", 5)


def _throttled(request) -> bool:
    """At most OBJECTION_LIMIT_PER_HOUR submissions per IP address per clock hour (Django's cache)."""
    ip = _client_ip(request) or "unknown"
    bucket = timezone.now().strftime("%Y%m%d%H")
    key = f"decisions:objection:{ip}:{bucket}"
    added = cache.add(key, 1, timeout=3600)
    count = 1 if added else cache.incr(key)
    return count > getattr(settings, "OBJECTION_LIMIT_PER_HOUR", OBJECTION_LIMIT_PER_HOUR)


def public_publicity(request, key: str):
    try:
        publicity = selectors.public_publicity(key)
    except Publicity.DoesNotExist:
        raise Http404 from None
    notice = selectors.publicity_notice(publicity)
    form = forms.ObjectionForm(request.POST or None, request.FILES or None, entries=notice.entries)
    status = 200
    refusal = None
    if request.method == "POST":
        status = 400
        if _throttled(request):
            refusal = _("提交过于频繁：同一网络每小时最多提交 %(n)d 份异议，请稍后再试或通过公示中的联系方式反映。") % {
                "n": getattr(settings, "OBJECTION_LIMIT_PER_HOUR", OBJECTION_LIMIT_PER_HOUR)}
            status = 429
        elif not publicity.is_open():
            refusal = _("公示已于 %(d)s 23:59:59 结束，不再受理异议。") % {"d": publicity.end_date.isoformat()} \
                if publicity.has_ended() else _("公示尚未开始（%(d)s 起），暂不受理异议。") % {"d": publicity.start_date.isoformat()}
            status = 403
        elif form.is_valid():
            data = form.cleaned_data
            entry = next((e for e in notice.entries if e.application.pk == data["application"]), None)
            try:
                if entry is None:
                    raise DecisionError(_("所选对象不在公示名单中。"))
                objection = services.file_objection(
                    publicity=publicity, application=entry.application, name=data["name"], contact=data["contact"],
                    content=data["content"], attachment=data.get("attachment"), ip_address=_client_ip(request),
                )
            except DecisionError as exc:
                form.add_error(None, str(exc))
            else:
                return render(request, "decisions/public_objection_received.html",
                              {"publicity": publicity, "objection": objection})
    return render(
        request,
        "decisions/public_publicity.html",
        {"publicity": publicity, "notice": notice, "form": form, "state": publicity.state(), "refusal": refusal},
        status=status,
    )


# ---------------------------------------------------------------- approval and awards


@login_required
def approval(request, code: str):
    cycle = _cycle_or_404(request, code)
    stage = selectors.approval_stage(cycle)
    if stage is None:
        raise Http404
    recorded = Approval.objects.filter(stage=stage).select_related("recorded_by").first()
    form = None
    status = 200
    if recorded is None:
        form = forms.ApprovalForm(request.POST or None, initial={
            "approving_body": (stage.params or {}).get("approving_body", ""), "approved_on": timezone.localdate()})
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.record_approval(cycle=cycle, actor=request.user, approved_on=data["approved_on"],
                                             document_number=data["document_number"],
                                             approving_body=data["approving_body"], notes=data["notes"])
                except DecisionError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("批准已录入，获奖名单已确定。"))
                    return redirect("decisions:awards", code=cycle.code)
    lists = selectors.active_recommendations(cycle)
    budget = cycle_budget(cycle)
    return render(
        request,
        "decisions/approval.html",
        _context(cycle, "approval", stage=stage, recorded=recorded, form=form, recommendations=list(lists),
                 publicity=selectors.publicity_for_cycle(cycle), budget=budget,
                 proposed_wan=format_wan(selectors.proposed_amount(cycle)),
                 committed_wan=format_wan(selectors.committed_amount(cycle))),
        status=status,
    )


@login_required
def awards(request, code: str):
    cycle = _cycle_or_404(request, code)
    winners = selectors.winners_for_cycle(cycle)
    return render(
        request,
        "decisions/awards.html",
        _context(cycle, "awards", winners=winners, approval=selectors.approval_for_cycle(cycle),
                 committed=selectors.committed_amount(cycle), committed_wan=format_wan(selectors.committed_amount(cycle)),
                 budget=cycle_budget(cycle), award_stage=selectors.award_stage(cycle)),
    )


def _award_or_404(request, pk: int) -> Award:
    award = get_object_or_404(Award.objects.select_related("cycle__programme__organiser", "category", "application"), pk=pk)
    _staff_of(request, award.cycle.programme.organiser)
    return award


@login_required
@require_POST
def award_payment(request, pk: int):
    award = _award_or_404(request, pk)
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.record_payment(award=award, actor=request.user, **form.cleaned_data)
            messages.success(request, _("奖金发放已记录。"))
        except DecisionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("发放记录有误：%(e)s") % {"e": "；".join(m for errs in form.errors.values() for m in errs)})
    return redirect("decisions:awards", code=award.cycle.code)


@login_required
@require_POST
def award_benefit(request, pk: int):
    award = _award_or_404(request, pk)
    form = forms.BenefitForm(request.POST, benefits=[b for b in award.category.benefits or [] if isinstance(b, dict)])
    if form.is_valid():
        try:
            services.record_benefit(award=award, actor=request.user, **form.cleaned_data)
            messages.success(request, _("待遇办理已记录。"))
        except DecisionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("办理记录有误：%(e)s") % {"e": "；".join(m for errs in form.errors.values() for m in errs)})
    return redirect("decisions:awards", code=award.cycle.code)


@login_required
@require_POST
def award_complete(request, pk: int):
    award = _award_or_404(request, pk)
    try:
        services.complete_award(award=award, actor=request.user)
        messages.success(request, _("%(n)s 颁奖表彰已完成。") % {"n": award.application.number})
    except DecisionError as exc:
        messages.error(request, str(exc))
    return redirect("decisions:awards", code=award.cycle.code)


# ---------------------------------------------------------------- dashboard, exports, notifications


@login_required
def dashboard(request, code: str):
    cycle = _cycle_or_404(request, code)
    data = dashboard_data.cycle_dashboard(cycle)
    return render(request, "decisions/dashboard.html", _context(cycle, "dashboard", data=data),
                  )


@login_required
def export(request, code: str, kind: str):
    cycle = _cycle_or_404(request, code)
    builder = exports.EXPORTS.get(kind)
    if builder is None:
        raise Http404
    content = exports.workbook_bytes(builder(cycle))
    filename = f"{cycle.code}-{kind}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def application_notifications(request, pk: int):
    application = selectors.staff_applications(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    if request.method == "POST":
        notification = get_object_or_404(EmailNotification, pk=_int_or_zero(request.POST.get("notification")), application=application)
        try:
            services.resend_notification(notification=notification, actor=request.user)
            messages.success(request, _("已重新排队发送。"))
        except DecisionError as exc:
            messages.error(request, str(exc))
        return redirect("decisions:application_notifications", pk=application.pk)
    return render(
        request,
        "decisions/application_notifications.html",
        _context(application.cycle, "notifications", application=application,
                 notifications=selectors.notifications_for_application(application),
                 history=selectors.history_for_application(application)),
    )
