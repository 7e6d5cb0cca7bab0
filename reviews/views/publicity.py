"""The recommendation list, the 公示 (staff and public) and objections."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards.models import Cycle
from awards.selectors import cycle_budget
from core.files import private_file_response
from core.pagination import paginate
from core.workdays import CalendarCoverageError
from reviews import forms, selectors, services
from reviews.models import Publicity, Recommendation
from reviews.services import DecisionError
from reviews.views.common import cycle_context, cycle_stage_or_404, found_or_404, posted_id, render_cycle_page

# ---------------------------------------------------------------- recommendation list


@login_required
def recommendations(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = forms.RecommendForm(request.POST)
                if not form.is_valid():
                    raise DecisionError(_("请求无效。"))
                application = selectors.staff_applications(request.user, cycle).filter(pk=form.cleaned_data["application"]).first()
                if application is None:
                    raise Http404
                services.add_recommendation(application=application, actor=request.user, note=form.cleaned_data["note"],
                                            allow_incomplete=form.cleaned_data["allow_incomplete"])
                messages.success(request, _("%(n)s 已列入推荐名单。") % {"n": application.number})
            elif action == "remove":
                recommendation = get_object_or_404(Recommendation, pk=posted_id(request.POST.get("recommendation")), cycle=cycle)
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
        return redirect("reviews:recommendations", code=cycle.code)
    return _render_recommendations(request, cycle)


def _render_recommendations(request, cycle, status=200):
    money = selectors.cycle_money(cycle)
    stage, lists = selectors.recommendation_lists(cycle, money)
    for lst in lists:  # each category's candidates one page at a time (the list itself is bounded by the quota)
        lst.candidate_pages = paginate(request, lst.candidates, param=f"{lst.category.code}-page",
                                       anchor=f"category-{lst.category.code}")
    return render_cycle_page(request, "reviews/recommendations.html", cycle, "recommendations", status=status, stage=stage,
                             lists=lists, budget=cycle_budget(cycle), money=money,
                             published=selectors.publicity_published(cycle))


# ---------------------------------------------------------------- 公示 (staff)


@login_required
def publicity_manage(request, code: str):
    cycle, stage = cycle_stage_or_404(request, code, selectors.publicity_stage)
    publicity = Publicity.objects.filter(stage=stage).select_related("published_by").first()
    params = stage.params or {}
    span, unit = int(params.get("span", 5)), params.get("unit", "working_days")
    context = cycle_context(cycle, "publicity", stage=stage, publicity=publicity, span=span, unit=unit)
    status = 200
    if publicity is None:
        initial = {"start_date": timezone.localdate(), "title": services.default_publicity_title(cycle),
                   "notice": services.default_publicity_notice(cycle, span, unit), "contact": services.default_contact(cycle)}
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
                    return redirect("reviews:publicity_manage", code=cycle.code)
            elif form.is_valid() and coverage_error is None:
                status = 200  # preview of the end date
        context.update(form=form, end_date=end_date, coverage_error=coverage_error,
                       entries=[_entry for _entry in selectors.active_recommendations(cycle)])
    else:
        notice = selectors.publicity_notice(publicity)
        context.update(notice=notice, objections=selectors.objections_for_publicity(publicity),
                       state=publicity.state())
    return render(request, "reviews/publicity_manage.html", context, status=status)


@login_required
@require_POST
def publicity_submit(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    stage = selectors.publicity_stage(cycle)
    publicity = get_object_or_404(Publicity, stage=stage)
    try:
        results = services.submit_for_approval(publicity=publicity, actor=request.user)
    except DecisionError as exc:
        messages.error(request, str(exc))
        return redirect("reviews:publicity_manage", code=cycle.code)
    messages.success(request, _("已提请批准：%(n)d 个对象。") % {"n": len(results)})
    return redirect("reviews:approval", code=cycle.code)


@login_required
def objection_detail(request, pk: int):
    objection = found_or_404(selectors.objection_detail, pk, request.user)
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
                    return redirect("reviews:objection_detail", pk=objection.pk)
            elif request.POST.get("action") == "resolve":
                resolve_form = forms.ResolveForm(request.POST)
                if resolve_form.is_valid():
                    services.resolve_objection(
                        objection=objection, actor=request.user,
                        upheld=resolve_form.cleaned_data["decision"] == "upheld", reason=resolve_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("异议已处理。"))
                    return redirect("reviews:objection_detail", pk=objection.pk)
            else:
                messages.error(request, _("请求无效。"))
        except DecisionError as exc:
            messages.error(request, str(exc))
    history = selectors.described_history(objection.application, [
        e for e in selectors.application_history(objection.application, newest_first=False).filter(action__startswith="objection.")
        if (e.after or {}).get("objection") == objection.pk])
    return render_cycle_page(request, "reviews/objection_detail.html", cycle, "publicity", status=status, objection=objection,
                             investigate_form=investigate_form, resolve_form=resolve_form, history=history)


@login_required
def objection_attachment(request, pk: int):
    objection = found_or_404(selectors.objection_detail, pk, request.user)
    return private_file_response(objection.attachment, filename=objection.attachment_name, content_type=objection.attachment_content_type)


# ---------------------------------------------------------------- 公示 (public)


def _client_ip(request) -> str | None:
    from core.http import client_ip

    return client_ip(request)


OBJECTION_LIMIT_PER_HOUR = getattr(settings, "OBJECTION_LIMIT_PER_HOUR", 5)


def _throttled(request) -> bool:
    """At most OBJECTION_LIMIT_PER_HOUR submissions per IP address per clock hour (Django's cache)."""
    ip = _client_ip(request) or "unknown"
    bucket = timezone.now().strftime("%Y%m%d%H")
    key = f"reviews:objection:{ip}:{bucket}"
    added = cache.add(key, 1, timeout=3600)
    count = 1 if added else cache.incr(key)
    return count > getattr(settings, "OBJECTION_LIMIT_PER_HOUR", OBJECTION_LIMIT_PER_HOUR)


def public_publicity(request, key: str):
    try:
        publicity = selectors.public_publicity(key)
    except Publicity.DoesNotExist:
        # A cycle that has not published its 公示 yet (the staff pages link here from the start): say so.
        cycle = Cycle.objects.select_related("programme").filter(code=key).first()
        if cycle is None:
            raise Http404 from None
        return render(request, "reviews/public_publicity_pending.html", {"cycle": cycle})
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
                return render(request, "reviews/public_objection_received.html",
                              {"publicity": publicity, "objection": objection})
    return render(
        request,
        "reviews/public_publicity.html",
        {"publicity": publicity, "notice": notice, "form": form, "state": publicity.state(), "refusal": refusal},
        status=status,
    )




