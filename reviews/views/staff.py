"""The staff queue, bulk actions, an application's page and its actions."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.answers import answer_groups
from applications.models import ApplicationStatus, RecommendingUnit
from applications.privacy import identity_revealed
from applications.sections import all_section_choices
from core.http import error_text, run_action, safe_next_url
from reviews import forms, selectors, services, workflow
from reviews.eligibility import automatic_results, reviewed_results
from reviews.models import Assignment, SavedQueueFilter, Scoresheet
from reviews.views.common import (
    PAGE_SIZE,
    history_page,
    staff_application_or_404,
    staff_application_url,
    stage_or_404,
    url_prefix,
)

# ---------------------------------------------------------------------------------------------
# Staff queue and bulk actions



def _sort_links(filters) -> dict:
    """For each sortable column: the queue's address sorted by it (the other way round when it is the
    current sort), and how it is sorted now ("ascending" / "descending" / "") for aria-sort."""
    links = {}
    for key in selectors.QUEUE_SORTS:
        now = "ascending" if filters.sort == key else "descending" if filters.sort == f"-{key}" else ""
        other = replace(filters, sort=f"-{key}" if now == "ascending" else key)
        links[key] = {"url": "?" + other.to_query(), "state": now}
    return links


@login_required
def staff_queue(request, code: str):
    return _queue_page(request, selectors.staff_cycle(request.user, code), request.GET)


def _queue_page(request, cycle, params, status: int = 200):
    filters = selectors.QueueFilters.from_query(params)
    queryset = selectors.staff_queue(request.user, cycle, filters)
    # Paginate the ordered ids; only the page's rows are loaded (the slice is a subquery).
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(params.get("page"))
    categories = list(cycle.categories.order_by("order"))
    rows = selectors.queue_rows(cycle, page.object_list, categories, filters.ordering()) if page.paginator.count else []
    scores = selectors.queue_scores(cycle, rows)
    params = params.copy()
    params.pop("page", None)
    stages = selectors.cycle_stages(cycle)
    bulk_form = forms.BulkActionForm(sections=all_section_choices())
    return render(request, "reviews/staff_queue.html", {
        "cycle": cycle, "page": page, "rows": [(a, scores.get(a.pk)) for a in rows], "filters": filters,
        "query": params.urlencode(), "stages": stages, "categories": categories,
        "statuses": [(v, label) for v, label in ApplicationStatus.choices if v != ApplicationStatus.DRAFT],
        "recommenders": list(RecommendingUnit.objects.filter(organiser_id=cycle.programme.organiser_id).order_by("name")),
        "bulk_form": bulk_form, "scored_stages": [s for s in stages if s.kind in workflow.kinds_where("ranked")],
        "application_url": url_prefix("reviews:staff_application", cycle.code),
        "sort_links": _sort_links(filters), "saved_filters": selectors.saved_queue_filters(request.user, cycle),
        "filters_query": filters.to_query(),
    }, status=status)


@login_required
@require_POST
def staff_queue_filter_save(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    query = request.POST.get("query", "")[:1000]
    try:
        saved = services.save_queue_filter(user=request.user, cycle=cycle, name=request.POST.get("name", ""), query=query)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _queue_page(request, cycle, QueryDict(query), status=400)
    messages.success(request, _("已保存常用筛选“%(n)s”。") % {"n": saved.name})
    return redirect(reverse("reviews:staff_queue", args=[code]) + "?" + saved.query)


@login_required
@require_POST
def staff_queue_filter_delete(request, code: str, pk: int):
    cycle = selectors.staff_cycle(request.user, code)
    saved = get_object_or_404(SavedQueueFilter, pk=pk, user=request.user, cycle=cycle)  # only one's own
    services.delete_queue_filter(saved=saved, actor=request.user)
    messages.success(request, _("已删除常用筛选“%(n)s”。") % {"n": saved.name})
    return redirect("reviews:staff_queue", code)


@login_required
@require_POST
def staff_bulk(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    # ASCII digits only ("²".isdigit() is True too), and within the database's integer range.
    ids = [int(v) for v in request.POST.getlist("applications") if v.isascii() and v.isdigit() and len(v) <= 18]
    visible = {a.pk: a for a in selectors.staff_applications(request.user, cycle).filter(pk__in=ids)
               .select_related(*selectors.APPLICATION_RELATED)}
    form = forms.BulkActionForm(request.POST, application_ids=list(visible), sections=all_section_choices())
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(form.errors)))
        return redirect(safe_next_url(request) or reverse("reviews:staff_queue", args=[code]))
    data = form.cleaned_data
    outcomes = services.bulk_transition(
        applications=[visible[pk] for pk in data["applications"]], name=data["action"], actor=request.user,
        reason=data.get("reason") or "", sections=data.get("sections"), working_days=data.get("working_days"),
        expected_states=form.expected_states())
    ok = sum(1 for o in outcomes if o.ok)
    return render(request, "reviews/bulk_result.html", {
        "cycle": cycle, "outcomes": outcomes, "ok": ok, "failed": len(outcomes) - ok,
        "action": forms.BulkActionForm.ACTION_LABELS[data["action"]], "back": safe_next_url(request)})


# ---------------------------------------------------------------------------------------------
# Staff application page and its actions


@login_required
def staff_application(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    cycle = application.cycle
    stages = selectors.cycle_stages(cycle)
    from reviews.models import EligibilityFinding, SupplementRequest

    findings = list(EligibilityFinding.objects.filter(application=application).select_related("decided_by"))
    assignments = selectors.application_assignments(application)
    aggregates = selectors.stage_aggregates(stages, [application.pk])
    stage_results = []
    for stage in stages:
        agg = aggregates.get((application.pk, stage.pk))
        if stage.kind in workflow.kinds_where("ranked") or stage.pk == application.current_stage_id:
            stage_results.append({"stage": stage, "aggregate": agg,
                                  "assignments": [a for a in assignments if a.stage_id == stage.pk],
                                  "reached": application.current_stage is not None and stage.order <= application.current_stage.order})
    current = application.current_stage
    default_days = int((current.params or {}).get("supplement_working_days", 10)) if current else 10
    return render(request, "reviews/staff_application.html", {
        "application": application, "cycle": cycle, "stages": stages,
        # 要求补充材料 needs sections and a deadline: it has its own form below, not a bare button.
        "options": [o for o in workflow.transition_options(application, request.user) if o[0].name != "request_supplement"],
        "eligibility": reviewed_results(application, findings), "has_snapshot": application.eligibility_snapshot is not None,
        "supplements": list(SupplementRequest.objects.filter(application=application).select_related("stage", "created_by")),
        "supplement_form": forms.SupplementForm(application=application, default_days=default_days),
        "stage_results": stage_results, "assignments": assignments,
        "assign_form": forms.AssignForm(stages=[s for s in stages if s.kind in workflow.kinds_where("assigns_experts")], organiser=cycle.programme.organiser),
        "conflict_form": forms.StaffConflictForm(organiser=cycle.programme.organiser),
        "conflicts": selectors.application_conflicts(application),
        "attachments": list(application.attachments.order_by("uploaded_at")),
        "schedule": selectors.schedule_for_application(application),
        "history": history_page(request, application),
        "answer_groups": answer_groups(application),
        "identity_revealed": identity_revealed(request.session, application),
    })



@login_required
@require_POST
def staff_transition(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid() and form.cleaned_data["name"] == "request_supplement":
        messages.error(request, _("请使用“要求补充材料”表单，注明需补充的部分和期限。"))
    else:
        run_action(request, lambda: services.apply_transition(
            application=application, name=form.cleaned_data["name"], actor=request.user,
            reason=form.cleaned_data["reason"] or "", expected_state=form.cleaned_data["state"]),
            lambda _result: _("已执行：%(t)s") % {"t": workflow.BY_NAME[form.cleaned_data["name"]].label},
            form=form, errors=(services.TransitionError,))
    return redirect(staff_application_url(application))


@login_required
@require_POST
def staff_reveal_identity(request, code: str, pk: int):
    """Show the full identity number of one application's person: an explicit action, with its purpose, logged."""
    from applications.privacy import REVEAL_MINUTES, PrivacyError, reveal_identity

    application = staff_application_or_404(request, code, pk)
    try:
        reveal_identity(application=application, actor=request.user, purpose=request.POST.get("purpose", "")[:500],
                        session=request.session)
        messages.info(request, _("已显示完整证件号码（%(n)d 分钟内有效），此操作已记入操作记录。") % {"n": REVEAL_MINUTES})
    except PrivacyError as exc:
        messages.error(request, str(exc))
    return redirect(staff_application_url(application) + "#identity")


@login_required
@require_POST
def staff_eligibility(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    form = forms.EligibilityFindingForm(request.POST)
    autos = {a.key: a for a in automatic_results(application)}
    if form.is_valid() and form.cleaned_data["rule_key"] in autos:
        auto = autos[form.cleaned_data["rule_key"]]
        run_action(request, lambda: services.record_eligibility_finding(
            application=application, rule_key=auto.key, label=auto.label, automatic_result=auto.result,
            result=form.cleaned_data["result"], reason=form.cleaned_data["reason"] or "", actor=request.user),
            _("已记录“%(l)s”的审查结论。") % {"l": auto.label})
    else:
        messages.error(request, _("请选择审查结论。"))
    return redirect(staff_application_url(application) + "#eligibility")


@login_required
@require_POST
def staff_eligibility_rerun(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    run_action(request, lambda: services.rerun_eligibility(application=application, actor=request.user), _("已重新运行资格预审。"))
    return redirect(staff_application_url(application) + "#eligibility")


@login_required
@require_POST
def staff_supplement(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    form = forms.SupplementForm(request.POST, application=application)
    run_action(request, lambda: services.request_supplement(
        application=application, sections=form.cleaned_data["sections"], message=form.cleaned_data["message"],
        working_days=form.cleaned_data["working_days"], actor=request.user,
        expected_state=form.cleaned_data.get("state") or None),
        lambda supplement: _("已要求补充材料，截止 %(d)s。") % {"d": supplement.due_on.isoformat()},
        form=form, errors=(ValidationError, services.TransitionError))
    return redirect(staff_application_url(application) + "#eligibility")


@login_required
@require_POST
def staff_assign(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    stages = [s for s in selectors.cycle_stages(application.cycle) if s.kind in workflow.kinds_where("assigns_experts")]
    form = forms.AssignForm(request.POST, stages=stages, organiser=application.cycle.programme.organiser)
    run_action(request, lambda: services.assign_expert(
        stage=stage_or_404(application.cycle, form.cleaned_data["stage"]), application=application,
        expert=form.cleaned_data["expert"], actor=request.user),
        lambda _assignment: _("已分配 %(e)s。") % {"e": form.cleaned_data["expert"].name}, form=form)
    return redirect(staff_application_url(application) + "#experts")


@login_required
@require_POST
def staff_unassign(request, code: str, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("application", "stage", "expert"), pk=pk)
    application = staff_application_or_404(request, code, assignment.application_id)
    run_action(request, lambda: services.remove_assignment(
        assignment=assignment, actor=request.user, reason=request.POST.get("reason", "")[:500]),
        _("已取消分配。"))
    return redirect(safe_next_url(request) or staff_application_url(application) + "#experts")


@login_required
@require_POST
def staff_conflict(request, code: str, pk: int):
    application = staff_application_or_404(request, code, pk)
    form = forms.StaffConflictForm(request.POST, organiser=application.cycle.programme.organiser)
    run_action(request, lambda: services.declare_conflict(
        expert=form.cleaned_data["expert"], application=application, has_conflict=True, reason=form.cleaned_data["reason"],
        actor=request.user),
        _("已登记回避。"), form=form)
    return redirect(staff_application_url(application) + "#experts")


@login_required
@require_POST
def staff_reopen(request, code: str, pk: int):
    sheet = get_object_or_404(Scoresheet.objects.select_related("assignment__application"), pk=pk)
    application = staff_application_or_404(request, code, sheet.assignment.application_id)
    form = forms.ReasonForm(request.POST)
    run_action(request, lambda: services.reopen_scoresheet(
        scoresheet=sheet, actor=request.user, reason=form.cleaned_data["reason"]),
        _("评分表已重新开放，专家可修改后再次提交。"), form=form, invalid=_("请填写重新开放的理由。"))
    return redirect(staff_application_url(application) + "#scores")
