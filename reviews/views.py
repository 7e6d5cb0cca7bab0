"""Thin views: permission check (404 for what the user may not see), form, service, redirect."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rules
from applications.models import Application, ApplicationStatus, Attachment, RecommendingUnit
from awards.models import Organiser, Stage
from awards.rubrics import leaf_criteria
from core.files import private_file_response

from . import forms, selectors, services, workflow
from .eligibility import automatic_results, reviewed_results, rerun_function
from .models import Assignment, ExpertPanel, ExpertProfile, ScheduleEntry, Scoresheet

PAGE_SIZE = 50


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _staff_app(request, code: str, pk: int) -> Application:
    application = selectors.staff_application(request.user, pk)
    if application.cycle.code != code:
        raise Http404
    return application


def _stage(cycle, stage_code: str) -> Stage:
    stage = next((s for s in selectors.cycle_stages(cycle) if s.code == stage_code), None)
    if stage is None:
        raise Http404
    stage.cycle = cycle
    return stage


def _posted_text(request, name: str) -> str:
    """A value read from the POST by hand, without NUL characters (PostgreSQL refuses them in text)."""
    return request.POST.get(name, "").replace("\x00", "")


def _safe_next(request) -> str:
    """The posted ?next= when it is a path on this site (never another host, a scheme or a URL name)."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return ""


def _app_url(application) -> str:
    return reverse("reviews:staff_application", args=[application.cycle.code, application.pk])


# ---------------------------------------------------------------------------------------------
# Staff queue and bulk actions


def _url_prefix(name: str, *args) -> tuple[str, str]:
    """(prefix, suffix) of a URL whose last argument is a pk: reversed once per page, not once per row."""
    marker = 987654321
    url = reverse(name, args=[*args, marker])
    prefix, _sep, suffix = url.rpartition(str(marker))
    return prefix, suffix


@login_required
def staff_queue(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    filters = selectors.QueueFilters.from_query(request.GET)
    queryset = selectors.staff_queue(request.user, cycle, filters)
    # Paginate the ordered ids; only the page's rows are loaded (the slice is a subquery).
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    categories = list(cycle.categories.order_by("order"))
    rows = selectors.queue_rows(cycle, page.object_list, categories) if page.paginator.count else []
    scores = selectors.queue_scores(cycle, rows)
    params = request.GET.copy()
    params.pop("page", None)
    stages = selectors.cycle_stages(cycle)
    bulk_form = forms.BulkActionForm(sections=services.FIXED_SECTIONS)
    return render(request, "reviews/staff_queue.html", {
        "cycle": cycle, "page": page, "rows": [(a, scores.get(a.pk)) for a in rows], "filters": filters,
        "query": params.urlencode(), "stages": stages, "categories": categories,
        "statuses": [(v, label) for v, label in ApplicationStatus.choices if v != ApplicationStatus.DRAFT],
        "recommenders": list(RecommendingUnit.objects.filter(organiser_id=cycle.programme.organiser_id).order_by("name")),
        "bulk_form": bulk_form, "scored_stages": [s for s in stages if s.kind in ("scored_review", "comprehensive")],
        "application_url": _url_prefix("reviews:staff_application", cycle.code),
    })


@login_required
@require_POST
def staff_bulk(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    # ASCII digits only ("²".isdigit() is True too), and within the database's integer range.
    ids = [int(v) for v in request.POST.getlist("applications") if v.isascii() and v.isdigit() and len(v) <= 18]
    visible = {a.pk: a for a in selectors.staff_applications(request.user, cycle).filter(pk__in=ids)
               .select_related(*selectors.APPLICATION_RELATED)}
    form = forms.BulkActionForm(request.POST, application_ids=list(visible), sections=services.FIXED_SECTIONS)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors)))
        return redirect(_safe_next(request) or reverse("reviews:staff_queue", args=[code]))
    data = form.cleaned_data
    outcomes = services.bulk_transition(
        applications=[visible[pk] for pk in data["applications"]], name=data["action"], actor=request.user,
        reason=data.get("reason") or "", sections=data.get("sections"), working_days=data.get("working_days"))
    ok = sum(1 for o in outcomes if o.ok)
    return render(request, "reviews/bulk_result.html", {
        "cycle": cycle, "outcomes": outcomes, "ok": ok, "failed": len(outcomes) - ok,
        "action": forms.BulkActionForm.ACTION_LABELS[data["action"]], "back": _safe_next(request)})


# ---------------------------------------------------------------------------------------------
# Staff application page and its actions


@login_required
def staff_application(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    cycle = application.cycle
    stages = selectors.cycle_stages(cycle)
    from .models import EligibilityFinding, SupplementRequest

    findings = list(EligibilityFinding.objects.filter(application=application).select_related("decided_by"))
    assignments = selectors.application_assignments(application)
    aggregates = selectors.stage_aggregates(stages, [application.pk])
    stage_results = []
    for stage in stages:
        agg = aggregates.get((application.pk, stage.pk))
        if stage.kind in ("scored_review", "comprehensive") or stage.pk == application.current_stage_id:
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
        "can_rerun": rerun_function() is not None,
        "supplements": list(SupplementRequest.objects.filter(application=application).select_related("stage", "created_by")),
        "supplement_form": forms.SupplementForm(application=application, default_days=default_days),
        "stage_results": stage_results, "assignments": assignments,
        "assign_form": forms.AssignForm(stages=[s for s in stages if s.kind == "scored_review"], organiser=cycle.programme.organiser),
        "conflict_form": forms.StaffConflictForm(organiser=cycle.programme.organiser),
        "conflicts": selectors.application_conflicts(application),
        "attachments": list(application.attachments.order_by("uploaded_at")),
        "schedule": selectors.schedule_for_application(application),
        "history": selectors.application_history(application),
        "form_rows": _flatten(application.form_data),
    })


def _flatten(data, prefix="") -> list[tuple[str, str]]:
    """form_data as (label path, value) rows for display."""
    rows = []
    if isinstance(data, dict):
        for key, value in data.items():
            rows += _flatten(value, f"{prefix} › {key}" if prefix else str(key))
    elif isinstance(data, list):
        if all(not isinstance(v, (dict, list)) for v in data):
            rows.append((prefix, "、".join(str(v) for v in data)))
        else:
            for index, value in enumerate(data, start=1):
                rows += _flatten(value, f"{prefix} [{index}]")
    else:
        rows.append((prefix, "" if data is None else str(data)))
    return rows


@login_required
@require_POST
def staff_transition(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid() and form.cleaned_data["name"] == "request_supplement":
        messages.error(request, _("请使用“要求补充材料”表单，注明需补充的部分和期限。"))
    elif form.is_valid():
        try:
            services.apply_transition(application=application, name=form.cleaned_data["name"], actor=request.user,
                                      reason=form.cleaned_data["reason"] or "")
            messages.success(request, _("已执行：%(t)s") % {"t": workflow.BY_NAME[form.cleaned_data["name"]].label})
        except services.TransitionError as exc:
            messages.error(request, str(exc))
    return redirect(_app_url(application))


@login_required
@require_POST
def staff_eligibility(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    form = forms.EligibilityFindingForm(request.POST)
    autos = {a.key: a for a in automatic_results(application)}
    if form.is_valid() and form.cleaned_data["rule_key"] in autos:
        auto = autos[form.cleaned_data["rule_key"]]
        try:
            services.record_eligibility_finding(application=application, rule_key=auto.key, label=auto.label,
                                                automatic_result=auto.result, result=form.cleaned_data["result"],
                                                reason=form.cleaned_data["reason"] or "", actor=request.user)
            messages.success(request, _("已记录“%(l)s”的审查结论。") % {"l": auto.label})
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _("请选择审查结论。"))
    return redirect(_app_url(application) + "#eligibility")


@login_required
@require_POST
def staff_eligibility_rerun(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    try:
        services.rerun_eligibility(application=application, actor=request.user)
        messages.success(request, _("已重新运行资格预审。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(_app_url(application) + "#eligibility")


@login_required
@require_POST
def staff_supplement(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    form = forms.SupplementForm(request.POST, application=application)
    if form.is_valid():
        try:
            request_ = services.request_supplement(application=application, sections=form.cleaned_data["sections"],
                                                   message=form.cleaned_data["message"],
                                                   working_days=form.cleaned_data["working_days"], actor=request.user)
            messages.success(request, _("已要求补充材料，截止 %(d)s。") % {"d": request_.due_on.isoformat()})
        except (ValidationError, services.TransitionError) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.error(request, _errors(ValidationError(form.errors)))
    return redirect(_app_url(application) + "#eligibility")


@login_required
@require_POST
def staff_assign(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    stages = [s for s in selectors.cycle_stages(application.cycle) if s.kind == "scored_review"]
    form = forms.AssignForm(request.POST, stages=stages, organiser=application.cycle.programme.organiser)
    if form.is_valid():
        stage = _stage(application.cycle, form.cleaned_data["stage"])
        try:
            services.assign_expert(stage=stage, application=application, expert=form.cleaned_data["expert"], actor=request.user)
            messages.success(request, _("已分配 %(e)s。") % {"e": form.cleaned_data["expert"].name})
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _errors(ValidationError(form.errors)))
    return redirect(_app_url(application) + "#experts")


@login_required
@require_POST
def staff_unassign(request, code: str, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("application", "stage", "expert"), pk=pk)
    application = _staff_app(request, code, assignment.application_id)
    try:
        services.remove_assignment(assignment=assignment, actor=request.user, reason=_posted_text(request, "reason")[:500])
        messages.success(request, _("已取消分配。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(_safe_next(request) or _app_url(application) + "#experts")


@login_required
@require_POST
def staff_conflict(request, code: str, pk: int):
    application = _staff_app(request, code, pk)
    form = forms.StaffConflictForm(request.POST, organiser=application.cycle.programme.organiser)
    if form.is_valid():
        try:
            services.declare_conflict(expert=form.cleaned_data["expert"], application=application, has_conflict=True,
                                      reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, _("已登记回避。"))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _errors(ValidationError(form.errors)))
    return redirect(_app_url(application) + "#experts")


@login_required
@require_POST
def staff_reopen(request, code: str, pk: int):
    sheet = get_object_or_404(Scoresheet.objects.select_related("assignment__application"), pk=pk)
    application = _staff_app(request, code, sheet.assignment.application_id)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_scoresheet(scoresheet=sheet, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("评分表已重新开放，专家可修改后再次提交。"))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    else:
        messages.error(request, _("请填写重新开放的理由。"))
    return redirect(_app_url(application) + "#scores")


@login_required
def attachment_download(request, pk: int):
    """Attachments for review staff of the organiser, or an assigned expert without a conflict."""
    attachment = get_object_or_404(Attachment.objects.select_related("application__cycle__programme"), pk=pk)
    application = attachment.application
    if application.status == ApplicationStatus.DRAFT:
        raise Http404
    if not rules.is_review_staff(request.user, application.cycle.programme.organiser_id):
        selectors.expert_application(request.user, application.pk)  # Http404 unless assigned and conflict-free
    return private_file_response(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)


# ---------------------------------------------------------------------------------------------
# Stages: panels, assignments, schedules, ranking


@login_required
def stage_detail(request, code: str, stage_code: str):
    cycle = selectors.staff_cycle(request.user, code)
    stage = _stage(cycle, stage_code)
    if stage.kind != "scored_review":
        raise Http404
    panels = list(stage.panels.prefetch_related("members", "categories").select_related("leader"))
    apps = list(selectors.applications_at_stage(stage=stage))
    assignments = list(Assignment.objects.filter(stage=stage).select_related("expert", "scoresheet"))
    by_app: dict[int, list] = {}
    load: dict[int, int] = {}
    for a in assignments:
        by_app.setdefault(a.application_id, []).append(a)
        if a.status == Assignment.Status.ACTIVE:
            load[a.expert_id] = load.get(a.expert_id, 0) + 1
    experts = list(ExpertProfile.objects.filter(organiser_id=cycle.programme.organiser_id, is_active=True).order_by("name"))
    return render(request, "reviews/stage.html", {
        "cycle": cycle, "stage": stage, "panels": panels,
        "rows": [(a, by_app.get(a.pk, [])) for a in apps],
        "experts": [(e, load.get(e.pk, 0)) for e in experts],
        "per_application": (stage.params or {}).get("experts_per_application"),
        "categories": list(cycle.categories.order_by("order")),
    })


@login_required
@require_POST
def stage_auto_assign(request, code: str, stage_code: str):
    cycle = selectors.staff_cycle(request.user, code)
    stage = _stage(cycle, stage_code)
    category = cycle.categories.filter(code=_posted_text(request, "category")).first()
    results = services.auto_assign(stage=stage, actor=request.user, category=category)
    assigned = sum(len(r.assigned) for r in results)
    short = [r for r in results if r.shortfall > 0]
    messages.success(request, _("自动分配完成：新增 %(n)d 个分配。") % {"n": assigned})
    for r in short:
        messages.warning(request, _("%(a)s 缺少 %(k)d 位可用专家（已排除须回避的专家：%(x)s）。") % {
            "a": r.application.number, "k": r.shortfall, "x": "、".join(r.excluded) or "—"})
    return redirect("reviews:stage_detail", code, stage_code)


@login_required
def panel_edit(request, code: str, stage_code: str, panel_pk: int | None = None):
    cycle = selectors.staff_cycle(request.user, code)
    stage = _stage(cycle, stage_code)
    panel = get_object_or_404(ExpertPanel, pk=panel_pk, stage=stage) if panel_pk else None
    form = forms.PanelForm(request.POST or None, stage=stage, panel=panel)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_panel(stage=stage, name=form.cleaned_data["name"], members=form.cleaned_data["members"],
                                categories=form.cleaned_data["categories"], leader=form.cleaned_data["leader"],
                                actor=request.user, panel=panel)
            messages.success(request, _("专家组已保存。"))
            return redirect("reviews:stage_detail", code, stage_code)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "reviews/panel_form.html", {"cycle": cycle, "stage": stage, "panel": panel, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def schedule(request, code: str, stage_code: str):
    cycle = selectors.staff_cycle(request.user, code)
    stage = _stage(cycle, stage_code)
    if (stage.params or {}).get("scheduling") not in ("presentation", "site_visit"):
        raise Http404
    candidates = list(
        Application.objects.filter(cycle=cycle, status__in=[ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED],
                                   current_stage__order__lte=stage.order)
        .select_related("organisation", "person").order_by("number"))
    form = forms.ScheduleForm(request.POST or None, stage=stage, applications=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            application = next(a for a in candidates if a.pk == data["application"])
            try:
                entry = services.save_schedule_entry(
                    stage=stage, application=application, starts_at=data["starts_at"], ends_at=data["ends_at"],
                    location=data["location"], panel=data.get("panel"), team=data.get("team") or [], note=data.get("note", ""),
                    actor=request.user)
                messages.success(request, _("已安排 %(a)s，并已通知申报人。") % {"a": application.applicant_name})
                if entry.skipped_conflicted:
                    messages.warning(request, _("以下专家须回避，未分配其评分：%(e)s") % {"e": "、".join(entry.skipped_conflicted)})
                return redirect("reviews:schedule", code, stage_code)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
        status = 400
    entries = list(ScheduleEntry.objects.filter(stage=stage).select_related("application__organisation", "application__person", "panel")
                   .prefetch_related("team", "panel__members"))
    return render(request, "reviews/schedule.html", {"cycle": cycle, "stage": stage, "form": form, "entries": entries}, status=status)


@login_required
@require_POST
def schedule_cancel(request, code: str, stage_code: str, entry_pk: int):
    cycle = selectors.staff_cycle(request.user, code)
    stage = _stage(cycle, stage_code)
    entry = get_object_or_404(ScheduleEntry.objects.select_related("application__applicant", "stage"), pk=entry_pk, stage=stage)
    services.cancel_schedule_entry(entry=entry, actor=request.user, reason=_posted_text(request, "reason")[:300])
    messages.success(request, _("已取消该日程并通知申报人。"))
    return redirect("reviews:schedule", code, stage_code)


NO_SCORE = SafeString("—")


def _number(value) -> str:
    """A score as the page shows it: plain digits (scores carry no thousands separator in any language),
    — for none. Digits need no escaping, so they are marked safe and the template prints them as they are."""
    return NO_SCORE if value is None else SafeString(format(value, "f"))  # nosec B703 - a Decimal's digits only


@dataclass
class RankingLine:
    """One row of the ranking table, everything already formatted: 1,000 rows × 7 experts are ~10,000
    numbers and 30,000 look-ups, which the template then only prints."""

    row: selectors.ScoreSummaryRow
    cells_html: str  # the stage and expert columns as <td>s: 7,000 cells are too many for a template loop
    url: str
    number: str
    name: str
    stage_cells: list[str]
    expert_cells: list[str]
    score: str
    spread: str
    std_dev: str
    disagreement: bool
    status: str
    status_label: str
    elsewhere: str  # the stage the application is at now, when it moved on from this one
    cutoff: str  # "advance" / "fail" / "" with a preview of a cut-off


def _ranking_lines(summary: selectors.ScoreSummary, stage: Stage, url: tuple[str, str],
                   preview: dict | None) -> list[RankingLine]:
    codes = [code for code, _name, _w in summary.stage_columns]
    advance, fail = (preview["advance"], preview["fail"]) if preview else ((), ())
    labels = {value: str(label) for value, label in ApplicationStatus.choices}
    lines = []
    for row in summary.rows:
        application = row.application
        stage_cells = [_number(row.stage_scores[code]) if code in row.stage_scores else "" for code in codes]
        expert_cells = [_number(v) for v in row.expert_scores]
        lines.append(RankingLine(
            row=row, url=f"{url[0]}{application.pk}{url[1]}", number=application.number or "", name=application.applicant_name,
            stage_cells=stage_cells, expert_cells=expert_cells,
            # Only digits and — go into these cells (see _number), so nothing needs escaping.
            cells_html=SafeString("".join([  # nosec B703 - cells hold only _number() digits and —
                *(f'<td class="text-end">{v}</td>' for v in stage_cells),
                *(f'<td class="text-end small">{v}</td>' for v in expert_cells),
            ])),
            score=_number(row.score), spread=_number(row.spread), std_dev=_number(row.std_dev), disagreement=row.disagreement,
            status=application.status, status_label=labels.get(application.status, application.status),
            elsewhere=application.current_stage.name if application.current_stage_id != stage.pk else "",
            cutoff="advance" if application.pk in advance else "fail" if application.pk in fail else "",
        ))
    return lines


@login_required
def ranking(request, code: str, stage_code: str):
    cycle = selectors.staff_cycle(request.user, code)
    stage = _stage(cycle, stage_code)
    if stage.kind not in ("scored_review", "comprehensive"):
        raise Http404
    categories = list(cycle.categories.order_by("order"))
    category = next((c for c in categories if c.code == request.GET.get("category")), categories[0] if categories else None)
    if category is None:
        raise Http404
    summary = selectors.score_summary(stage=stage, category=category)
    form = forms.CutoffForm(request.POST or request.GET or None) if ("method" in request.POST or "method" in request.GET) else forms.CutoffForm()
    preview = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            advance, fail = services.cutoff_plan(stage=stage, category=category, method=form.cleaned_data["method"],
                                                 value=form.cleaned_data["value"])
            preview = {"advance": {r.application.pk for r in advance}, "fail": {r.application.pk for r in fail}}
        except ValidationError as exc:
            form.add_error(None, exc)
        if request.method == "POST" and preview is not None and request.POST.get("confirm") == "1":
            try:
                decision = services.apply_cutoff(stage=stage, category=category, method=form.cleaned_data["method"],
                                                 value=form.cleaned_data["value"], actor=request.user,
                                                 reason=form.cleaned_data["reason"] or "")
                messages.success(request, _("已按晋级线处理：%(a)d 项通过，%(f)d 项未通过。") % {
                    "a": len(decision.advanced), "f": len(decision.failed)})
                return redirect(reverse("reviews:ranking", args=[code, stage_code]) + f"?category={category.code}")
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
    elif form.is_bound:
        status = 400
    return render(request, "reviews/ranking.html", {
        "cycle": cycle, "stage": stage, "category": category, "categories": categories, "summary": summary,
        "lines": _ranking_lines(summary, stage, _url_prefix("reviews:staff_application", cycle.code), preview),
        "form": form, "preview": preview, "scored_stages": [s for s in selectors.cycle_stages(cycle) if s.kind in ("scored_review", "comprehensive")],
    }, status=status)


# ---------------------------------------------------------------------------------------------
# Expert pool


def _staff_organiser(request) -> tuple[Organiser, list[Organiser]]:
    ids = rules.staff_organiser_ids(request.user)
    organisers = Organiser.objects.all() if ids is None else Organiser.objects.filter(pk__in=ids)
    organisers = list(organisers.order_by("code"))
    if not organisers:
        raise Http404
    chosen = next((o for o in organisers if o.code == request.GET.get("organiser")), organisers[0])
    return chosen, organisers


@login_required
def expert_pool(request):
    organiser, organisers = _staff_organiser(request)
    experts = list(ExpertProfile.objects.filter(organiser=organiser).select_related("user").order_by("-is_active", "name"))
    return render(request, "reviews/expert_pool.html", {"organiser": organiser, "organisers": organisers, "experts": experts})


@login_required
def expert_edit(request, pk: int | None = None):
    organiser, _organisers = _staff_organiser(request)
    profile = None
    if pk is not None:
        profile = get_object_or_404(ExpertProfile, pk=pk)
        if not rules.is_review_staff(request.user, profile.organiser_id):
            raise Http404
        organiser = profile.organiser
    form = forms.ExpertProfileForm(request.POST or None, instance=profile, organiser=organiser)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EXPERT_FIELDS}
        try:
            services.save_expert_profile(organiser=organiser, user=form.cleaned_data["user"] if profile is None else profile.user,
                                         data=data, actor=request.user, profile=profile)
            messages.success(request, _("专家信息已保存。"))
            return redirect(reverse("reviews:expert_pool") + f"?organiser={organiser.code}")
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "reviews/expert_form.html", {"form": form, "profile": profile, "organiser": organiser},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------------------------------------
# Expert side


@login_required
def expert_home(request):
    if not (rules.is_expert(request.user) or selectors.expert_profiles(request.user)):
        raise Http404
    assignments = selectors.expert_assignments(request.user)
    groups: dict = {}
    for a in assignments:
        group = groups.setdefault(a.stage_id, {"stage": a.stage, "items": [], "done": 0, "total": 0})
        group["items"].append(a)
        if a.status == Assignment.Status.ACTIVE:
            group["total"] += 1
            sheet = getattr(a, "scoresheet", None)
            if sheet is not None and sheet.status == Scoresheet.Status.SUBMITTED:
                group["done"] += 1
    total = sum(g["total"] for g in groups.values())
    done = sum(g["done"] for g in groups.values())
    return render(request, "reviews/expert_home.html", {"groups": list(groups.values()), "total": total, "done": done,
                                                        "left": total - done})


@login_required
def expert_application(request, pk: int):
    application, expert, assignments, declaration = selectors.expert_application(request.user, pk)
    if declaration is None:
        form = forms.DeclarationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.declare_conflict(expert=expert, application=application, has_conflict=form.cleaned_data["has_conflict"],
                                          reason=form.cleaned_data.get("reason") or "", actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if form.cleaned_data["has_conflict"]:
                    messages.info(request, _("已声明回避，该申报已从您的评审任务中移除。"))
                    return redirect("reviews:expert_home")
                return redirect("reviews:expert_application", pk)
        return render(request, "reviews/expert_declare.html", {"application": application, "assignments": assignments, "form": form},
                      status=400 if request.method == "POST" else 200)
    return render(request, "reviews/expert_application.html", {
        "application": application, "assignments": assignments, "form_rows": _flatten(application.form_data),
        "attachments": list(application.attachments.order_by("uploaded_at")),
        "schedule": selectors.schedule_for_application(application),
    })


@login_required
def expert_scoresheet(request, pk: int, stage_code: str):
    application, expert, assignments, declaration = selectors.expert_application(request.user, pk)
    assignment = next((a for a in assignments if a.stage.code == stage_code), None)
    if assignment is None:
        raise Http404
    if declaration is None:
        return redirect("reviews:expert_application", pk)
    assignment.application = application
    assignment.expert = expert
    try:
        sheet = services.scoresheet_for(assignment)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("reviews:expert_application", pk)
    criteria = leaf_criteria(sheet.rubric)
    form = forms.ScoresheetForm(request.POST or None, criteria=criteria, sheet=sheet)
    status = 200
    if request.method == "POST" and not sheet.is_locked:
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.save_scores(assignment=assignment, scores=form.scores(), opinion=form.cleaned_data["opinion"],
                                     comments=form.comments(), actor=request.user, submit=submit)
                messages.success(request, _("评分已提交并锁定。") if submit else _("草稿已保存。"))
                return redirect("reviews:expert_home" if submit else "reviews:expert_scoresheet", *([] if submit else [pk, stage_code]))
            except services.ScoreError as exc:
                for key, errors in exc.message_dict.items():
                    field = f"item_{key}" if key.isdigit() else (key if key == "opinion" else None)
                    for error in errors:
                        form.add_error(field, error)
        status = 400
    return render(request, "reviews/scoresheet.html", {
        "application": application, "assignment": assignment, "sheet": sheet, "form": form,
        "rows": list(form.rows()), "rubric": sheet.rubric}, status=status)


@login_required
def expert_scores(request, pk: int, stage_code: str):
    """The panel's submitted scores for this application, once the expert has submitted their own."""
    application, expert, assignments, declaration = selectors.expert_application(request.user, pk)
    assignment = next((a for a in assignments if a.stage.code == stage_code), None)
    if assignment is None or declaration is None:
        raise Http404
    own = getattr(assignment, "scoresheet", None)
    if own is None or own.status != Scoresheet.Status.SUBMITTED:
        messages.info(request, _("提交本人评分后可查看专家组评分。"))
        return redirect("reviews:expert_scoresheet", pk, stage_code)
    stage = assignment.stage
    stage.cycle = application.cycle
    sheets = list(Scoresheet.objects.filter(assignment__application=application, assignment__stage=stage,
                                            assignment__status=Assignment.Status.ACTIVE, status=Scoresheet.Status.SUBMITTED)
                  .select_related("assignment__expert").order_by("-total"))
    from .scoring import summarise

    agg = summarise((stage.params or {}).get("aggregation", "mean"), [s.total for s in sheets])
    return render(request, "reviews/expert_scores.html", {"application": application, "stage": stage, "sheets": sheets,
                                                          "aggregate": agg, "own": own})
