"""A stage's page: panels, assignments, schedules, ranking and cut-off."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application, ApplicationStatus
from awards.models import Stage
from reviews import forms, selectors, services, workflow
from reviews.models import ExpertPanel, ScheduleEntry
from core.pagination import paginate
from reviews.views.common import category_or_404, staff_stage_or_404, url_prefix

# ---------------------------------------------------------------------------------------------
# Stages: panels, assignments, schedules, ranking


@login_required
def stage_detail(request, code: str, stage_code: str):
    cycle, stage = staff_stage_or_404(request, code, stage_code, where="assigns_experts")
    panels = list(stage.panels.prefetch_related("members", "categories").select_related("leader"))
    categories = list(cycle.categories.order_by("order"))
    filters = selectors.StageFilters.from_query(request.GET)
    # Paginate the filtered ids; only the page's applications and their assignments are loaded.
    pages = paginate(request, selectors.stage_application_ids(stage, filters))
    rows = selectors.stage_rows(stage, pages.page.object_list, categories) if pages.page.paginator.count else []
    return render(request, "reviews/stage.html", {
        "cycle": cycle, "stage": stage, "panels": panels, "rows": rows, "pages": pages, "filters": filters,
        "experts": selectors.stage_expert_load(stage),
        "per_application": (stage.params or {}).get("experts_per_application"),
        "categories": categories,
    })


@login_required
@require_POST
def stage_auto_assign(request, code: str, stage_code: str):
    cycle, stage = staff_stage_or_404(request, code, stage_code)
    category = cycle.categories.filter(code=request.POST.get("category", "")).first()
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
    cycle, stage = staff_stage_or_404(request, code, stage_code)
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
    cycle, stage = staff_stage_or_404(request, code, stage_code)
    if (stage.params or {}).get("scheduling") not in ("presentation", "site_visit"):
        raise Http404
    # Only the applications at this very stage can be given a slot (services.schedule_refusal).
    candidates = list(
        Application.objects.filter(cycle=cycle, status__in=[ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED],
                                   current_stage=stage)
        .select_related("organisation", "person", "current_stage").order_by("number"))
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
    return render(request, "reviews/schedule.html", {"cycle": cycle, "stage": stage, "form": form,
                                                     "entries": selectors.stage_schedule(stage)}, status=status)


@login_required
@require_POST
def schedule_cancel(request, code: str, stage_code: str, entry_pk: int):
    cycle, stage = staff_stage_or_404(request, code, stage_code)
    entry = get_object_or_404(ScheduleEntry.objects.select_related("application__applicant", "stage"), pk=entry_pk, stage=stage)
    services.cancel_schedule_entry(entry=entry, actor=request.user, reason=request.POST.get("reason", "")[:300])
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


def _ranking_lines(summary: selectors.ScoreSummary, rows: list, columns: list[int], stage: Stage, url: tuple[str, str],
                   preview: dict | None) -> list[RankingLine]:
    """The table rows of one page: `rows` of the summary, with the expert columns `columns` (expert ids)."""
    codes = [code for code, _name, _w in summary.stage_columns]
    advance, fail = (preview["advance"], preview["fail"]) if preview else ((), ())
    labels = {value: str(label) for value, label in ApplicationStatus.choices}
    lines = []
    for row in rows:
        application = row.application
        stage_cells = [_number(row.stage_scores[code]) if code in row.stage_scores else "" for code in codes]
        expert_cells = [_number(row.expert_totals.get(expert_id)) for expert_id in columns]
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
            elsewhere=application.current_stage.display_name if application.current_stage_id != stage.pk else "",
            cutoff="advance" if application.pk in advance else "fail" if application.pk in fail else "",
        ))
    return lines


RANKING_PAGE_SIZE = 100


@login_required
def ranking(request, code: str, stage_code: str):
    cycle, stage = staff_stage_or_404(request, code, stage_code, where="ranked")
    categories, category = category_or_404(cycle, request.GET.get("category"))
    filters = selectors.RankingFilters.from_query(request.GET)
    stored = selectors.ranking_page(stage=stage, category=category, filters=filters)
    summary = stored.summary
    form = forms.CutoffForm(request.POST or request.GET or None) if ("method" in request.POST or "method" in request.GET) else forms.CutoffForm()
    preview = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            # The preview is drawn over the stored ranking (the same rows as cutoff_plan's); a confirmed
            # cut-off is drawn again by apply_cutoff over category_ranking().
            advance, fail = services.cutoff_split(selectors.cutoff_candidates(stored.snapshot, stage),
                                                  method=form.cleaned_data["method"], value=form.cleaned_data["value"])
            preview = {"advance": {r.application_id for r in advance}, "fail": {r.application_id for r in fail}}
        except ValidationError as exc:
            form.add_error(None, exc)
        if request.method == "POST" and preview is not None and request.POST.get("confirm") == "1":
            try:
                decision = services.apply_cutoff(stage=stage, category=category, method=form.cleaned_data["method"],
                                                 value=form.cleaned_data["value"], actor=request.user,
                                                 reason=form.cleaned_data["reason"] or "",
                                                 allow_incomplete=form.cleaned_data["allow_incomplete"])
                messages.success(request, _("已按晋级线处理：%(a)d 项通过，%(f)d 项未通过。") % {
                    "a": len(decision.advanced), "f": len(decision.failed)})
                return redirect(reverse("reviews:ranking", args=[code, stage_code]) + f"?category={category.code}")
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
    elif form.is_bound:
        status = 400
    pages = paginate(request, summary.rows, per_page=RANKING_PAGE_SIZE)
    page_rows = list(pages.page.object_list)
    # The experts assigned to an application of this page (a 资料评审 category has dozens of experts, 5 per row).
    shown = selectors.experts_by_name({expert_id for r in page_rows for expert_id in r.expert_totals})
    columns = [e.pk for e in shown]
    return render(request, "reviews/ranking.html", {
        "cycle": cycle, "stage": stage, "category": category, "categories": categories, "summary": summary,
        "lines": _ranking_lines(summary, page_rows, columns, stage, url_prefix("reviews:staff_application", cycle.code), preview),
        "expert_columns": shown, "pages": pages, "filters": filters,
        "disagreements": stored.disagreements,
        "thresholds": selectors.disagreement_thresholds(stage),
        "form": form, "preview": preview,
        "incomplete_warning": services.incomplete_notice(stored.incomplete, stored.incomplete_total),
        "scored_stages": [s for s in selectors.cycle_stages(cycle) if s.kind in workflow.kinds_where("ranked")],
    }, status=status)




@login_required
def calibration(request, code: str, stage_code: str):
    """Expert calibration, inter-rater agreement and the raw vs z-score ranking of one scored stage and category;
    POST changes the stage's aggregation method (with a reason, in the activity log)."""
    cycle, stage = staff_stage_or_404(request, code, stage_code)
    if stage.kind != "scored_review":
        raise Http404
    categories, category = category_or_404(cycle, request.POST.get("category") or request.GET.get("category"))
    aggregation = workflow.kind_spec(stage.kind).params["aggregation"]
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        method = request.POST.get("aggregation", "")
        try:
            services.set_stage_aggregation(stage=stage, method=method, actor=request.user, reason=request.POST.get("reason", "")[:500])
            messages.success(request, _("汇总方式已改为：%(m)s。") % {"m": aggregation.choice_label(method)})
            return redirect(reverse("reviews:calibration", args=[code, stage_code]) + f"?category={category.code}")
        except ValidationError as exc:
            errors = list(exc.messages)
            status = 400
    report = selectors.stage_calibration(stage=stage, category=category)
    # Criteria as rows, experts as columns; marked where an expert is off by more than outlier_percent of the item.
    criteria_rows = [
        (criterion, [{"value": e.criteria[i], "strong": e.criteria[i] is not None and criterion.max_points
                      and abs(e.criteria[i]) * 100 > criterion.max_points * report.outlier_percent} for e in report.experts])
        for i, criterion in enumerate(report.criteria)
    ]
    return render(request, "reviews/calibration.html", {
        "criteria_rows": criteria_rows,
        "cycle": cycle, "stage": stage, "category": category, "categories": categories, "report": report,
        "method_label": aggregation.choice_label(report.method), "raw_label": aggregation.choice_label(report.raw_method),
        "choices": [(value, str(label)) for value, label in aggregation.choices], "errors": errors,
        "reason": request.POST.get("reason", "") if errors else "",
        "staff_url": url_prefix("reviews:staff_application", cycle.code),
    }, status=status)
