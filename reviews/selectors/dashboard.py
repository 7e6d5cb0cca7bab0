"""Figures of the per-cycle dashboard: a fixed number of aggregate queries whatever the number of applications."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from applications.models import Application
from applications.models import ApplicationStatus as S
from awards.models import Category, Cycle, Stage
from core.i18n import localized
from reviews import charts
from reviews.models import Assignment, Objection, ObjectionStatus, Publicity
from reviews.selectors.budget import CycleMoney, cycle_money


@dataclass
class StageFigures:
    stage: Stage
    reached: int = 0
    current: int = 0
    failed_here: int = 0


@dataclass
class CategoryFigures:
    category: Category
    applications: int = 0
    in_review: int = 0
    proposed: int = 0
    winners: int = 0

    @property
    def quota(self):
        return self.category.quota


@dataclass
class ExpertFigures:
    name: str
    assigned: int = 0
    submitted: int = 0
    recused: int = 0

    @property
    def progress_svg(self):
        return charts.stacked_progress(self.submitted, self.assigned, title=f"{self.name} {self.submitted}/{self.assigned}")


@dataclass
class Dashboard:
    cycle: Cycle
    stages: list[StageFigures]
    categories: list[CategoryFigures]
    totals: dict
    money: CycleMoney
    experts: list[ExpertFigures]
    expert_stages: list[dict]
    objections: dict
    publicity: Publicity | None
    charts: dict = field(default_factory=dict)


def _expert_progress(cycle: Cycle) -> tuple[list[ExpertFigures], list[dict]]:
    experts: dict[int, ExpertFigures] = {}
    per_stage: dict[int, dict] = {}
    names = {stage.pk: localized(stage) for stage in cycle.stages.all()}
    rows = (
        Assignment.objects.filter(stage__cycle=cycle)
        .values("expert_id", "expert__name", "stage_id", "stage__order", "status", "scoresheet__status")
        .annotate(n=Count("id"))
        .order_by("stage__order", "expert__name")
    )
    for row in rows:
        figures = experts.setdefault(row["expert_id"], ExpertFigures(name=row["expert__name"]))
        stage = per_stage.setdefault(row["stage_id"], {"name": names[row["stage_id"]], "order": row["stage__order"],
                                                       "assigned": 0, "submitted": 0})
        if row["status"] == "recused":
            figures.recused += row["n"]
            continue
        figures.assigned += row["n"]
        stage["assigned"] += row["n"]
        if row["scoresheet__status"] == "submitted":
            figures.submitted += row["n"]
            stage["submitted"] += row["n"]
    for stage in per_stage.values():
        stage["svg"] = charts.stacked_progress(stage["submitted"], stage["assigned"],
                                               title=f"{stage['name']} {stage['submitted']}/{stage['assigned']}", width=240)
    return sorted(experts.values(), key=lambda e: (e.submitted - e.assigned, e.name)), sorted(
        per_stage.values(), key=lambda s: s["order"])


def _application_counts(cycle: Cycle):
    """(status, category_id, current_stage_id, n) of the cycle's applications: one grouped query."""
    return [
        (row["status"], row["category_id"], row["current_stage_id"], row["n"])
        for row in Application.objects.filter(cycle=cycle).values("category_id", "status", "current_stage_id")
        .annotate(n=Count("id")).order_by()
    ]


def _stage_figures(stages: list[Stage], counts) -> list[StageFigures]:
    """Per stage: applications that reached it, are at it now (in review or asked to supplement), failed at it."""
    order_of = {s.pk: s.order for s in stages}
    figures = [StageFigures(stage=s) for s in stages]
    for status, _category_id, stage_id, n in counts:
        stage_order = order_of.get(stage_id)
        if status == S.DRAFT or stage_order is None:
            continue
        for sf in figures:
            if sf.stage.order <= stage_order:
                sf.reached += n
            if sf.stage.order == stage_order:
                if status in (S.IN_REVIEW, S.SUPPLEMENT_REQUESTED):
                    sf.current += n
                elif status == S.NOT_PASSED:
                    sf.failed_here += n
    return figures


@dataclass
class CycleCounts:
    stages: list[StageFigures]
    drafts: int
    submitted: int  # every application past its draft (withdrawn ones included)
    waiting: int  # submitted, not yet taken into review (待受理)


def stage_counts(cycle: Cycle, stages: list[Stage]) -> CycleCounts:
    """The counts of the cycle overview: per stage, and drafts / submitted / waiting (one query)."""
    counts = _application_counts(cycle)
    return CycleCounts(
        stages=_stage_figures(stages, counts),
        drafts=sum(n for status, _c, _s, n in counts if status == S.DRAFT),
        submitted=sum(n for status, _c, _s, n in counts if status != S.DRAFT),
        waiting=sum(n for status, _c, _s, n in counts if status == S.SUBMITTED),
    )


def cycle_dashboard(cycle: Cycle) -> Dashboard:
    stages = list(Stage.objects.filter(cycle=cycle).order_by("order"))
    categories = {c.pk: CategoryFigures(category=c) for c in Category.objects.filter(cycle=cycle).order_by("order", "id")}
    totals = defaultdict(int)
    counts = _application_counts(cycle)
    stage_figures = _stage_figures(stages, counts)
    for status, category_id, _stage_id, n in counts:
        totals[status] += n
        if status == S.DRAFT:
            continue
        figures = categories.get(category_id)
        if figures is not None:
            figures.applications += n
            if status in (S.IN_REVIEW, S.SUPPLEMENT_REQUESTED):
                figures.in_review += n
    totals["submitted_total"] = sum(v for k, v in list(totals.items()) if k not in (S.DRAFT, "submitted_total"))

    money = cycle_money(cycle, [c.category for c in categories.values()])
    for figures in money.categories:
        categories[figures.category.pk].proposed = figures.proposed_count
        categories[figures.category.pk].winners = figures.winners
    publicity = Publicity.objects.filter(cycle=cycle).order_by("-start_date", "-id").first()
    labels = dict(ObjectionStatus.choices)
    objections = {
        str(labels.get(status, status)): n
        for status, n in Objection.objects.filter(publicity__cycle=cycle).values("status").annotate(n=Count("id"))
        .values_list("status", "n")
    }
    experts, expert_stages = _expert_progress(cycle)

    dashboard = Dashboard(
        cycle=cycle, stages=stage_figures, categories=list(categories.values()), totals=dict(totals),
        money=money, experts=experts,
        expert_stages=expert_stages, objections=objections, publicity=publicity,
    )
    dashboard.charts = {
        "funnel": charts.hbar_chart(
            [charts.Bar(_("已提交"), totals["submitted_total"], css="bar-muted")]
            + [charts.Bar(localized(sf.stage), sf.reached, text=_("%(n)s（在审 %(current)s）") % {"n": sf.reached, "current": sf.current}) for sf in stage_figures]
            + [charts.Bar(_("获奖"), totals.get(S.AWARDED, 0), css="bar-success")],
            title=_("各环节申报数（漏斗）"),
        ),
        "categories": charts.hbar_chart(
            [
                charts.Bar(localized(c.category), c.proposed,
                           text=f"{c.proposed} / {c.quota if c.quota is not None else _('待定')}",
                           css="bar-primary", target=c.quota)
                for c in categories.values()
            ],
            title=_("各类别拟推荐与名额"), label_width=250, value_width=60,
        ),
        "budget": charts.hbar_chart(
            [
                charts.Bar(_("计划"), money.planned, text=f"{money.planned_wan} {_('万元')}", css="bar-muted"),
                charts.Bar(_("拟推荐"), money.proposed, text=f"{money.proposed_wan} {_('万元')}", css="bar-primary"),
                charts.Bar(_("已批准"), money.committed, text=f"{money.committed_wan} {_('万元')}", css="bar-success"),
            ],
            title=_("奖金预算（万元）"),
        ) if money.money_prizes else None,
    }
    return dashboard
