"""Stage aggregates, rankings and the score summary, with a constant query count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.models import Application, ApplicationStatus
from awards.models import CategoryRubric, Cycle, Stage
from reviews import scoring
from reviews.models import Assignment, ExpertProfile, Scoresheet
from reviews.selectors.cycles import APPLICATION_RELATED, cycle_stages, share_cycle_objects


def pipeline_weights(stage: Stage, stages: list[Stage]) -> dict:
    """A comprehensive stage's weights in pipeline order (PostgreSQL's jsonb does not keep key order)."""
    order = {s.code: s.order for s in stages}
    weights = (stage.params or {}).get("weights", {})
    return dict(sorted(weights.items(), key=lambda item: (order.get(item[0], 0), item[0])))




@dataclass(frozen=True)
class SheetCount:
    """Scoresheets of active assignments (a recused expert's assignment does not count): how many are
    submitted of how many are assigned. The one home of the 已提交 figure of a stage and a ranking."""

    submitted: int = 0
    assigned: int = 0

    @property
    def incomplete(self) -> bool:
        return self.submitted < self.assigned

    def __add__(self, other: SheetCount) -> SheetCount:
        return SheetCount(self.submitted + other.submitted, self.assigned + other.assigned)

    def __str__(self) -> str:
        return f"{self.submitted}/{self.assigned}"


def sheet_count(assignments) -> SheetCount:
    """SheetCount of Assignment rows loaded with their scoresheet (select_related("scoresheet"))."""
    active = [a for a in assignments if a.status == Assignment.Status.ACTIVE]
    submitted = sum(1 for a in active if getattr(a, "scoresheet", None) is not None and a.scoresheet.status == Scoresheet.Status.SUBMITTED)
    return SheetCount(submitted, len(active))


def _active_assignment_scores(application_ids, stage_ids) -> list[tuple[int, int, int, Decimal | None]]:
    """(application_id, stage_id, expert_id, submitted total or None) of every active assignment, in one
    query of plain values (no model instances)."""
    return [
        (app_id, stage_id, expert_id, total if status == Scoresheet.Status.SUBMITTED else None)
        for app_id, stage_id, expert_id, status, total in Assignment.objects.filter(
            application_id__in=list(application_ids), stage_id__in=list(stage_ids), status=Assignment.Status.ACTIVE,
        ).order_by().values_list("application_id", "stage_id", "expert_id", "scoresheet__status", "scoresheet__total")
    ]


def _totals(application_ids, stage_ids) -> dict[tuple[int, int], list[Decimal]]:
    """Submitted scoresheet totals of active assignments: (application_id, stage_id) → [totals]."""
    totals: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    rows = Scoresheet.objects.filter(
        assignment__application_id__in=list(application_ids), assignment__stage_id__in=list(stage_ids),
        assignment__status=Assignment.Status.ACTIVE, status=Scoresheet.Status.SUBMITTED,
    ).values_list("assignment__application_id", "assignment__stage_id", "total")
    for app_id, stage_id, total in rows:
        totals[(app_id, stage_id)].append(total)
    return totals


def _scored_stage_ids(stages: list[Stage], wanted: set[int] | None = None) -> set[int]:
    """The stages whose experts' totals the aggregates of `wanted` (default: every stage) need: the
    scored stages among them and the stages their comprehensive stages weigh."""
    by_code = {s.code: s for s in stages}
    chosen = stages if wanted is None else [s for s in stages if s.pk in wanted]
    needed = {s.pk for s in chosen if s.kind == "scored_review"}
    for s in chosen:
        if s.kind == "comprehensive":
            needed |= {by_code[c].pk for c in (s.params or {}).get("weights", {}) if c in by_code}
    return needed


def stage_aggregates(stages: list[Stage], application_ids, *, wanted: set[int] | None = None,
                     assignment_scores=None) -> dict[tuple[int, int], scoring.StageAggregate]:
    """Aggregates for each (application, stage) of scored stages, and the weighted score of comprehensive stages.

    wanted: the stage ids whose aggregates the caller uses (default: every stage of the cycle); the
    stages these weigh are computed too. assignment_scores: the rows of _active_assignment_scores() for
    these applications and stages, when the caller has them already (the ranking); otherwise the
    submitted totals are read here (one query)."""
    by_code = {s.code: s for s in stages}
    needed = _scored_stage_ids(stages, wanted)
    if assignment_scores is not None:
        totals: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
        for app_id, stage_id, _expert_id, total in assignment_scores:
            if total is not None and stage_id in needed:
                totals[(app_id, stage_id)].append(total)
    else:
        totals = _totals(application_ids, needed) if needed else {}
    result: dict[tuple[int, int], scoring.StageAggregate] = {}
    stage_by_id = {s.pk: s for s in stages}
    normalised_ids = {pk for pk in needed if (stage_by_id[pk].params or {}).get("aggregation") in scoring.NORMALISED}
    normalised = _normalised_totals(normalised_ids) if normalised_ids else {}
    for app_id in application_ids:
        for stage_id in needed:
            stage = stage_by_id[stage_id]
            method = (stage.params or {}).get("aggregation", "mean")
            raw = scoring.summarise(method, totals.get((app_id, stage_id), []))
            if stage_id in normalised_ids:
                # The score is the mean of the normalised totals; count, spread and σ stay those of the raw totals.
                raw = scoring.StageAggregate(scoring.aggregate(method, normalised.get((app_id, stage_id), [])),
                                             raw.expert_count, raw.spread, raw.std_dev, raw.scores)
            result[(app_id, stage_id)] = raw
        for stage in stages:
            if stage.kind != "comprehensive" or (wanted is not None and stage.pk not in wanted):
                continue
            weights = (stage.params or {}).get("weights", {})
            parts = {c: result[(app_id, by_code[c].pk)].score if c in by_code else None for c in weights}
            score = scoring.weighted_score(parts, weights)
            result[(app_id, stage.pk)] = scoring.StageAggregate(score, 0, None, None, ())
    return result


def stage_sheet_totals(stage_ids, *, category_id=None) -> list[tuple[int, int, int, int, Decimal]]:
    """(application, stage, expert, category, total) of every submitted sheet of an active assignment at
    these stages (optionally in one category): what a normalisation or a calibration looks across."""
    qs = Scoresheet.objects.filter(assignment__stage_id__in=list(stage_ids), assignment__status=Assignment.Status.ACTIVE,
                                   status=Scoresheet.Status.SUBMITTED)
    if category_id is not None:
        qs = qs.filter(assignment__application__category_id=category_id)
    return list(qs.order_by().values_list("assignment__application_id", "assignment__stage_id", "assignment__expert_id",
                                          "assignment__application__category_id", "total"))


def _normalised_totals(stage_ids) -> dict[tuple[int, int], list[Decimal]]:
    """(application, stage) → the experts' z-score normalised totals (scoring.zscore_normalise), each stage
    and category normalised on its own (one query for every stage)."""
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for app_id, stage_id, expert_id, category_id, total in stage_sheet_totals(stage_ids):
        groups[(stage_id, category_id)].append((app_id, expert_id, total))
    result: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for (stage_id, _category_id), sheets in groups.items():
        for (app_id, _expert_id), value in scoring.zscore_normalise(sheets).items():
            result[(app_id, stage_id)].append(value)
    return result


def current_scores_by_id(cycle: Cycle, ids_and_stages) -> dict[int, Decimal | None]:
    stages = cycle_stages(cycle)
    ids = [pk for pk, _s in ids_and_stages]
    aggregates = stage_aggregates(stages, ids)
    return {pk: (aggregates.get((pk, stage_id)).score if aggregates.get((pk, stage_id)) else None) for pk, stage_id in ids_and_stages}


def queue_scores(cycle: Cycle, applications) -> dict[int, scoring.StageAggregate]:
    """The current stage's aggregate for each application on a page (one query)."""
    stages = cycle_stages(cycle)
    ids = [a.pk for a in applications]
    aggregates = stage_aggregates(stages, ids)
    return {a.pk: aggregates.get((a.pk, a.current_stage_id)) for a in applications}


# ---------------------------------------------------------------------------------------------
# Ranking and score summary


@dataclass
class RankingRow:
    application: Application
    score: Decimal | None
    rank: int
    expert_count: int
    spread: Decimal | None
    stage_scores: dict = field(default_factory=dict)  # stage code → Decimal (comprehensive stages)
    std_dev: Decimal | None = None
    scores: tuple = ()  # the experts' totals, highest first
    sheets: SheetCount = SheetCount()  # scoresheets submitted / assigned (every stage a comprehensive stage weighs)

    rubric_points: Decimal | None = None
    thresholds: dict = field(default_factory=dict)  # the stage's disagreement_spread_percent / disagreement_std_percent

    @property
    def disagreement(self) -> bool:
        """意见分歧 by the stage's thresholds (default: range above 10 % of the rubric's points, or σ above 5 %)."""
        return scoring.disagrees(self.spread, self.std_dev, self.rubric_points, **self.thresholds)


def disagreement_thresholds(stage: Stage) -> dict:
    """The stage's 意见分歧 thresholds as scoring.disagrees takes them (defaults where the stage has none)."""
    params = stage.params or {}
    return {"spread_percent": params.get("disagreement_spread_percent", scoring.DISAGREEMENT_SPREAD_PERCENT),
            "std_percent": params.get("disagreement_std_percent", scoring.DISAGREEMENT_STD_PERCENT)}


# What a ranking row shows of its application (and what the users of category_ranking read: the
# number, the applicant's name, status and stage, the submission time). The JSON columns stay in the
# database; the cycle, category and stage are shared instances (see share_cycle_objects).
RANKING_FIELDS = (
    "number", "status", "submitted_at", "cycle_id", "category_id", "current_stage_id", "organisation_id", "person_id",
    "recommender_id", "applicant_id", "organisation__name", "person__name",
)


UNRANKED = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN, ApplicationStatus.SUBMITTED)  # never in a ranking


def ranking_applications(*, stage: Stage, category) -> QuerySet[Application]:
    """Applications that reached `stage` in `category` (including those that later passed or failed),
    with the fields of RANKING_FIELDS only."""
    return (
        Application.objects.filter(category=category, current_stage__order__gte=stage.order, cycle_id=stage.cycle_id)
        .exclude(status__in=UNRANKED)
        .select_related("organisation", "person")
        .only(*RANKING_FIELDS)
    )


def _rubric_total(category) -> Decimal | None:
    choice = CategoryRubric.objects.filter(category=category).select_related("rubric").order_by("organisation_type").first()
    return choice.rubric.total_points if choice else None


def category_ranking(*, stage: Stage, category) -> list[RankingRow]:
    """The category's ranking at a scored_review or comprehensive stage.

    Order: score (highest first; unscored last), then — for a comprehensive stage — the stage scores
    named in params.tie_breaks in that order, then the earlier submission. Equal on every key share
    a rank. stage_scores holds each weighted stage's score (comprehensive) or this stage's score.
    """
    return ranking_with_scores(stage=stage, category=category)[0]


@dataclass(frozen=True)
class RankedStages:
    """What a ranking at `stage` reads: the stage codes it shows, its tie-breaks, the stages whose
    aggregates it uses (wanted) and the stages whose experts' totals these need (needed)."""

    codes: list
    tie_breaks: list
    wanted: set
    needed: set


def ranked_stages(stage: Stage, stages: list[Stage]) -> RankedStages:
    by_code = {s.code: s for s in stages}
    params = stage.params or {}
    if stage.kind == "comprehensive":
        codes = list(pipeline_weights(stage, stages))
        tie_breaks = list(params.get("tie_breaks", []))
        codes += [c for c in tie_breaks if c in by_code and c not in codes]
    else:
        codes = [stage.code]
        tie_breaks = [scoring.SUBMITTED_AT]
    # Only this stage and the stages it shows or weighs: not every scored stage of the cycle.
    wanted = {stage.pk} | {by_code[c].pk for c in codes if c in by_code}
    return RankedStages(codes, tie_breaks, wanted, _scored_stage_ids(stages, wanted))


def ranking_with_scores(*, stage: Stage, category) -> tuple[list[RankingRow], list[tuple[int, int, int, Decimal | None]]]:
    """(category_ranking rows, the active assignments' (application, stage, expert, submitted total or None))."""
    cycle = stage.cycle
    stages = cycle_stages(cycle)
    stage = next((s for s in stages if s.pk == stage.pk), stage)
    applications = list(ranking_applications(stage=stage, category=category))
    share_cycle_objects(cycle, applications, [category])
    by_code = {s.code: s for s in stages}
    params = stage.params or {}
    reads = ranked_stages(stage, stages)
    codes, tie_breaks, wanted, needed = reads.codes, reads.tie_breaks, reads.wanted, reads.needed
    ids = [a.pk for a in applications]
    assignment_scores = _active_assignment_scores(ids, needed) if ids and needed else []
    aggregates = stage_aggregates(stages, ids, wanted=wanted, assignment_scores=assignment_scores)
    inputs = []
    for app in applications:
        stage_scores = {}
        for code in codes:
            if code in by_code:
                agg = aggregates.get((app.pk, by_code[code].pk))  # None for a stage that is not scored
                stage_scores[code] = agg.score if agg else None
        own = aggregates.get((app.pk, stage.pk)) or scoring.StageAggregate(None, 0, None, None, ())
        inputs.append(scoring.RankInput(key=(app, own), score=own.score, stage_scores=stage_scores, submitted_at=app.submitted_at))
    sheets: dict[int, SheetCount] = defaultdict(SheetCount)
    for app_id, stage_id, _expert_id, total in assignment_scores:
        if stage_id in needed:
            sheets[app_id] += SheetCount(int(total is not None), 1)
    limit = _rubric_total(category)
    thresholds = disagreement_thresholds(stage)
    rows = []
    for item, position in scoring.rank(inputs, tie_breaks):
        app, own = item.key
        if stage.kind == "comprehensive":
            count = max((aggregates[(app.pk, by_code[c].pk)].expert_count for c in params.get("weights", {}) if c in by_code), default=0)
        else:
            count = own.expert_count
        row = RankingRow(application=app, score=item.score, rank=position, expert_count=count, spread=own.spread,
                         stage_scores=dict(item.stage_scores), std_dev=own.std_dev, scores=own.scores,
                         rubric_points=limit, thresholds=thresholds, sheets=sheets[app.pk])
        rows.append(row)
    return rows, assignment_scores


@dataclass
class ScoreSummaryRow:
    rank: int
    application: Application
    score: Decimal | None
    expert_count: int
    spread: Decimal | None
    std_dev: Decimal | None
    disagreement: bool
    expert_totals: dict  # expert id → submitted total, or None (assigned, not submitted); experts not assigned absent
    stage_scores: dict
    sheets: SheetCount = SheetCount()
    columns: list = field(default_factory=list, repr=False)  # the ids of ScoreSummary.experts, in column order

    @property
    def expert_scores(self) -> list:
        """One per column of ScoreSummary.experts: Decimal or None (not assigned / not submitted). Built when
        read: a page shows a few rows of a ranking of thousands, each with dozens of expert columns."""
        return [self.expert_totals.get(expert_id) for expert_id in self.columns]


@dataclass
class ScoreSummary:
    cycle: Cycle
    stage: Stage
    category: object
    method: str
    method_label: str
    weights: dict
    tie_breaks: list
    experts: list  # ExpertProfile columns (scored stages)
    rows: list[ScoreSummaryRow]
    generated_at: object

    @property
    def incomplete(self) -> list[ScoreSummaryRow]:
        """The rows whose scoresheets are not all in: the ranking warns, a cut-off needs an override."""
        return [row for row in self.rows if row.sheets.incomplete]

    @property
    def tie_break_names(self) -> list[tuple[str, str]]:
        """The tie-breaks in order as (code, the stage's name in the reader's language); the submission time
        keeps its code (scoring.SUBMITTED_AT), which the page words itself."""
        by_code = {s.code: s for s in cycle_stages(self.cycle)}
        return [(code, by_code[code].display_name if code in by_code else code) for code in self.tie_breaks]

    @property
    def stage_columns(self) -> list[tuple[str, str, Decimal]]:
        by_code = {s.code: s for s in cycle_stages(self.cycle)}
        return [(code, by_code[code].display_name if code in by_code else code, Decimal(str(w))) for code, w in self.weights.items()]


# How a ranking's score was formed, in the reader's language: a scored stage's aggregation (reviews.scoring's
# table), or the weighted sum of a comprehensive stage.
METHOD_LABELS = {**dict(scoring.AGGREGATION_CHOICES), "comprehensive": gettext_lazy("各环节得分加权合计")}


def score_summary(*, stage: Stage, category) -> ScoreSummary:
    """Everything the score summary (评分汇总表) shows for one stage and category: the ranking, each
    expert's total per application (scored stages), the spread, and the method used."""
    rows, assignment_scores = ranking_with_scores(stage=stage, category=category)
    per_app = expert_cells(stage, assignment_scores)
    expert_ids = {expert_id for cells in per_app.values() for expert_id in cells}
    experts = list(ExpertProfile.objects.filter(pk__in=expert_ids).order_by("name", "pk")) if expert_ids else []
    columns = [e.pk for e in experts]
    return summary_of(stage, category, experts, [
        ScoreSummaryRow(r.rank, r.application, r.score, r.expert_count, r.spread, r.std_dev, r.disagreement,
                        per_app.get(r.application.pk, {}), r.stage_scores, r.sheets, columns) for r in rows])


def expert_cells(stage: Stage, assignment_scores) -> dict[int, dict[int, Decimal | None]]:
    """application id → {expert id: submitted total or None}: at a scored stage each active assignment of
    the stage is a cell (None: not submitted), its expert a column; a comprehensive stage has none."""
    per_app: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    if stage.kind == "scored_review":
        for app_id, stage_id, expert_id, total in assignment_scores:
            if stage_id == stage.pk:
                per_app[app_id][expert_id] = total
    return per_app


def summary_of(stage: Stage, category, experts: list, rows) -> ScoreSummary:
    params = stage.params or {}
    method = "comprehensive" if stage.kind == "comprehensive" else params.get("aggregation", "mean")
    return ScoreSummary(
        cycle=stage.cycle, stage=stage, category=category, method=method, method_label=str(METHOD_LABELS.get(method, method)),
        weights=pipeline_weights(stage, cycle_stages(stage.cycle)) if stage.kind == "comprehensive" else {},
        tie_breaks=list(params.get("tie_breaks", [])) if stage.kind == "comprehensive" else [scoring.SUBMITTED_AT],
        experts=experts, rows=rows, generated_at=timezone.now(),
    )


def applications_at_stage(*, stage: Stage, category=None) -> QuerySet[Application]:
    qs = Application.objects.filter(current_stage=stage, status=ApplicationStatus.IN_REVIEW).select_related(*APPLICATION_RELATED)
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("number", "pk")


# ---------------------------------------------------------------------------------------------
# Rubrics


def rubric_for(application: Application):
    """The rubric that scores this application: by organisation type where the category says so, else the default."""
    choices = {c.organisation_type: c.rubric for c in CategoryRubric.objects.filter(category_id=application.category_id).select_related("rubric")}
    org_type = application.organisation.org_type if application.organisation_id else ""
    return choices.get(org_type) or choices.get("")




