"""Reads of the reviews app, already filtered to what the user may see, with a constant query count.

Public interfaces other apps use:
- category_ranking(*, stage, category) -> list[RankingRow]    (decisions: recommendation lists)
- score_summary(*, stage, category) -> ScoreSummary            (documents: the score summary PDF)
- schedule_for_application(application) -> list[ScheduleEntry] (applicants: their schedule)
- open_supplement_request(application) -> SupplementRequest | None (applicants: sections to fix)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts import rules
from applications.models import Application, ApplicationStatus
from awards.models import CategoryRubric, Cycle, Stage
from core.models import ActivityLog

from . import scoring
from .conflicts import conflict_reasons, detect_conflicts
from .models import Assignment, ConflictDeclaration, ExpertProfile, ScheduleEntry, Scoresheet, SupplementRequest

APPLICATION_RELATED = ("cycle__programme__organiser", "category", "current_stage", "organisation", "person", "recommender", "applicant")
REVIEWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED,
              ApplicationStatus.NOT_PASSED, ApplicationStatus.AWARDED, ApplicationStatus.WITHDRAWN)


# ---------------------------------------------------------------------------------------------
# Staff scope


def staff_cycle(user, code: str) -> Cycle:
    """The cycle if the user is review staff of its organiser; Http404 otherwise."""
    cycle = Cycle.objects.select_related("programme__organiser").filter(code=code).first()
    if cycle is None or not rules.is_review_staff(user, cycle.programme.organiser_id):
        raise Http404
    return cycle


def staff_applications(user, cycle: Cycle) -> QuerySet[Application]:
    """Every application of the cycle past the draft stage; staff of another organiser get none."""
    if not rules.is_review_staff(user, cycle.programme.organiser_id):
        return Application.objects.none()
    return Application.objects.filter(cycle=cycle).exclude(status=ApplicationStatus.DRAFT)


def staff_application(user, pk: int) -> Application:
    application = (
        Application.objects.select_related(*APPLICATION_RELATED, "nominated_by")
        .exclude(status=ApplicationStatus.DRAFT)
        .filter(pk=pk)
        .first()
    )
    if application is None or not rules.is_review_staff(user, application.cycle.programme.organiser_id):
        raise Http404
    return application


@dataclass
class QueueFilters:
    q: str = ""
    stage: str = ""
    status: str = ""
    category: str = ""
    recommender: str = ""
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    overdue: bool = False

    @classmethod
    def from_query(cls, params) -> QueueFilters:
        params = {key: value.replace("\x00", "") for key, value in params.items()}  # PostgreSQL refuses NUL in text
        def dec(name):
            try:
                value = Decimal(params.get(name, "").strip())
                return value if value.is_finite() else None
            except (InvalidOperation, AttributeError):
                return None

        return cls(
            q=params.get("q", "").strip()[:100], stage=params.get("stage", "")[:40], status=params.get("status", "")[:30],
            category=params.get("category", "")[:60], recommender=params.get("recommender", "")[:12],
            score_min=dec("score_min"), score_max=dec("score_max"), overdue=params.get("overdue") == "1",
        )


QUEUE_ORDER = ("category__order", "number", "pk")
# What a queue row shows. The wide columns (form_data, eligibility_snapshot, declarations,
# criteria; the cycle's notice and work_plan) are never loaded for the list.
QUEUE_ROW_FIELDS = (
    "number", "status", "submitted_at", "cycle_id", "category_id", "current_stage_id", "organisation_id", "person_id",
    "recommender_id", "organisation__name", "person__name", "recommender__name",
)


def _open_supplement_requests():
    return SupplementRequest.objects.filter(application=OuterRef("pk"), resolved_at__isnull=True)


def staff_queue(user, cycle: Cycle, filters: QueueFilters) -> QuerySet[Application]:
    """The staff queue, filtered, searched and ordered — ids only matter here: paginate
    `.values_list("pk", flat=True)` of it and load one page's rows with queue_rows()."""
    qs = staff_applications(user, cycle)
    if filters.stage:
        qs = qs.filter(current_stage__code=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.recommender == "none":
        qs = qs.filter(recommender__isnull=True)
    elif filters.recommender.isdigit():
        qs = qs.filter(recommender_id=int(filters.recommender))
    if filters.overdue:
        qs = qs.filter(Exists(_open_supplement_requests().filter(due_on__lt=timezone.localdate())))
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(number__icontains=q) | Q(organisation__name__icontains=q) | Q(organisation__credit_code__iexact=q)
            | Q(person__name__icontains=q) | Q(person__name_zh__icontains=q) | Q(applicant__email__iexact=q)
        )
    if filters.score_min is not None or filters.score_max is not None:
        # Scores depend on the stage's aggregation (trimmed mean, median): computed from one query of totals.
        ids = list(qs.values_list("pk", "current_stage_id"))
        scores = current_scores_by_id(cycle, ids)
        keep = [
            pk for pk, _stage in ids
            if scores.get(pk) is not None
            and (filters.score_min is None or scores[pk] >= filters.score_min)
            and (filters.score_max is None or scores[pk] <= filters.score_max)
        ]
        qs = qs.filter(pk__in=keep)
    return qs.order_by(*QUEUE_ORDER)


def queue_rows(cycle: Cycle, page_ids, categories=None) -> list[Application]:
    """One page of the queue: the applications whose pks are `page_ids` (a list, or the page's
    slice of staff_queue(...).values_list("pk", flat=True), which becomes a subquery — one query
    either way), in queue order, with only the columns a row shows and the open supplement
    request's deadline (supplement_due_on, supplement_overdue) annotated for these rows alone.

    Each row shares the cycle, its category (from `categories`, else one query) and its stage
    (cycle_stages) instead of a copy per row."""
    open_requests = _open_supplement_requests()
    rows = list(
        Application.objects.filter(pk__in=page_ids)
        .select_related("organisation", "person", "recommender")
        .only(*QUEUE_ROW_FIELDS)
        .annotate(
            supplement_due_on=Subquery(open_requests.values("due_on")[:1]),
            supplement_overdue=Exists(open_requests.filter(due_on__lt=timezone.localdate())),
        )
        .order_by(*QUEUE_ORDER)
    )
    _share_cycle_objects(cycle, rows, categories)
    return rows


def _share_cycle_objects(cycle: Cycle, applications, categories=None) -> None:
    """Give applications of `cycle` that cycle's own Cycle, Category and Stage instances (no join,
    no copy per row). Only the related-object caches are filled; no field of an application changes."""
    if categories is None:
        categories = list(cycle.categories.all()) if applications else []
    fields = {name: Application._meta.get_field(name) for name in ("cycle", "category", "current_stage")}
    known = {
        "cycle": {cycle.pk: cycle},
        "category": {c.pk: c for c in categories},
        "current_stage": {s.pk: s for s in cycle_stages(cycle)},
    }
    for application in applications:
        for name, field_ in fields.items():
            related = known[name].get(getattr(application, field_.attname))
            if related is not None:
                field_.set_cached_value(application, related)


def pipeline_weights(stage: Stage, stages: list[Stage]) -> dict:
    """A comprehensive stage's weights in pipeline order (PostgreSQL's jsonb does not keep key order)."""
    order = {s.code: s.order for s in stages}
    weights = (stage.params or {}).get("weights", {})
    return dict(sorted(weights.items(), key=lambda item: (order.get(item[0], 0), item[0])))


def cycle_stages(cycle: Cycle) -> list[Stage]:
    stages = getattr(cycle, "_ordered_stages", None)
    if stages is None:
        stages = list(cycle.stages.order_by("order"))
        cycle._ordered_stages = stages
    return stages


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
    for app_id in application_ids:
        for stage_id in needed:
            stage = stage_by_id[stage_id]
            method = (stage.params or {}).get("aggregation", "mean")
            result[(app_id, stage_id)] = scoring.summarise(method, totals.get((app_id, stage_id), []))
        for stage in stages:
            if stage.kind != "comprehensive" or (wanted is not None and stage.pk not in wanted):
                continue
            weights = (stage.params or {}).get("weights", {})
            parts = {c: result[(app_id, by_code[c].pk)].score if c in by_code else None for c in weights}
            score = scoring.weighted_score(parts, weights)
            result[(app_id, stage.pk)] = scoring.StageAggregate(score, 0, None, None, ())
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

    @property
    def disagreement(self) -> bool:
        """Flag a wide spread: more than 10 % of the rubric's total points, or σ above 5 %."""
        limit = getattr(self, "_limit", None)
        if limit is None or self.spread is None:
            return False
        return self.spread > limit * Decimal("0.10") or (self.std_dev is not None and self.std_dev > limit * Decimal("0.05"))


# What a ranking row shows of its application (and what the users of category_ranking read: the
# number, the applicant's name, status and stage, the submission time). The JSON columns stay in the
# database; the cycle, category and stage are shared instances (see _share_cycle_objects).
RANKING_FIELDS = (
    "number", "status", "submitted_at", "cycle_id", "category_id", "current_stage_id", "organisation_id", "person_id",
    "recommender_id", "applicant_id", "organisation__name", "person__name",
)


def ranking_applications(*, stage: Stage, category) -> QuerySet[Application]:
    """Applications that reached `stage` in `category` (including those that later passed or failed),
    with the fields of RANKING_FIELDS only."""
    return (
        Application.objects.filter(category=category, current_stage__order__gte=stage.order, cycle_id=stage.cycle_id)
        .exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN, ApplicationStatus.SUBMITTED])
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
    return _ranking(stage=stage, category=category)[0]


def _ranking(*, stage: Stage, category) -> tuple[list[RankingRow], list[tuple[int, int, int, Decimal | None]]]:
    """(category_ranking rows, the active assignments' (application, stage, expert, submitted total or None))."""
    cycle = stage.cycle
    stages = cycle_stages(cycle)
    stage = next((s for s in stages if s.pk == stage.pk), stage)
    applications = list(ranking_applications(stage=stage, category=category))
    _share_cycle_objects(cycle, applications, [category])
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
    ids = [a.pk for a in applications]
    needed = _scored_stage_ids(stages, wanted)
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
    limit = _rubric_total(category)
    rows = []
    for item, position in scoring.rank(inputs, tie_breaks):
        app, own = item.key
        if stage.kind == "comprehensive":
            count = max((aggregates[(app.pk, by_code[c].pk)].expert_count for c in params.get("weights", {}) if c in by_code), default=0)
        else:
            count = own.expert_count
        row = RankingRow(application=app, score=item.score, rank=position, expert_count=count, spread=own.spread,
                         stage_scores=dict(item.stage_scores), std_dev=own.std_dev, scores=own.scores)
        row._limit = limit
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
    expert_scores: list  # one per column of ScoreSummary.experts: Decimal or None (not assigned / not submitted)
    stage_scores: dict


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
    def stage_columns(self) -> list[tuple[str, str, Decimal]]:
        by_code = {s.code: s for s in cycle_stages(self.cycle)}
        return [(code, by_code[code].name if code in by_code else code, Decimal(str(w))) for code, w in self.weights.items()]


METHOD_LABELS = {"mean": "算术平均", "trimmed_mean": "去掉一个最高分和一个最低分后平均（不少于5位专家时）", "median": "中位数",
                 "comprehensive": "各环节得分加权合计"}


def score_summary(*, stage: Stage, category) -> ScoreSummary:
    """Everything the score summary (评分汇总表) shows for one stage and category: the ranking, each
    expert's total per application (scored stages), the spread, and the method used."""
    rows, assignment_scores = _ranking(stage=stage, category=category)
    experts: list[ExpertProfile] = []
    per_app: dict[tuple[int, int], Decimal | None] = {}
    if stage.kind == "scored_review":
        # Each active assignment of this stage is a cell (None: not submitted); its expert a column.
        for app_id, stage_id, expert_id, total in assignment_scores:
            if stage_id == stage.pk:
                per_app[(app_id, expert_id)] = total
        expert_ids = {expert_id for _app_id, expert_id in per_app}
        if expert_ids:
            experts = list(ExpertProfile.objects.filter(pk__in=expert_ids).order_by("name", "pk"))
    params = stage.params or {}
    method = "comprehensive" if stage.kind == "comprehensive" else params.get("aggregation", "mean")
    from django.utils.translation import gettext

    return ScoreSummary(
        cycle=stage.cycle, stage=stage, category=category, method=method, method_label=gettext(METHOD_LABELS.get(method, method)),
        weights=pipeline_weights(stage, cycle_stages(stage.cycle)) if stage.kind == "comprehensive" else {},
        tie_breaks=list(params.get("tie_breaks", [])) if stage.kind == "comprehensive" else [scoring.SUBMITTED_AT],
        experts=experts,
        rows=[ScoreSummaryRow(r.rank, r.application, r.score, r.expert_count, r.spread, r.std_dev, r.disagreement,
                              [per_app.get((r.application.pk, e.pk)) for e in experts], r.stage_scores) for r in rows],
        generated_at=timezone.now(),
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


# ---------------------------------------------------------------------------------------------
# Experts


def expert_profiles(user) -> list[ExpertProfile]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(ExpertProfile.objects.filter(user=user, is_active=True).select_related("organiser"))


def expert_assignments(user) -> list[Assignment]:
    """The user's assignments (all organisers they are an expert for), with their scoresheets."""
    organiser_ids = rules.organiser_ids_for(user, {"expert"})
    assignments = (
        Assignment.objects.filter(expert__user=user, expert__organiser_id__in=organiser_ids)
        .select_related("stage__cycle__programme", "application__category", "application__organisation",
                        "application__person", "application__recommender", "application__current_stage", "expert",
                        "scoresheet")
        .order_by("stage__cycle__code", "stage__order", "application__number", "pk")
    )
    # A conflict found in the data (e.g. the expert now works for the applicant) hides the
    # application from the expert, as expert_application() does: not even its name is listed.
    return [a for a in assignments if not detect_conflicts(a.expert, a.application)]


def expert_application(user, pk: int):
    """(application, the user's assignments to it) for an expert; Http404 when not assigned or conflicted."""
    application = Application.objects.select_related(*APPLICATION_RELATED, "nominated_by").filter(pk=pk).first()
    if application is None or not rules.is_expert(user, application.cycle.programme.organiser_id):
        raise Http404
    assignments = list(
        Assignment.objects.filter(application=application, expert__user=user, expert__organiser_id=application.cycle.programme.organiser_id)
        .select_related("expert", "stage", "scoresheet")
        .order_by("stage__order")
    )
    if not assignments:
        raise Http404
    expert = assignments[0].expert
    declarations = {(d.expert_id, d.application_id): d for d in ConflictDeclaration.objects.filter(expert=expert, application=application)}
    if conflict_reasons(expert, application, declarations) or all(a.status != Assignment.Status.ACTIVE for a in assignments):
        raise Http404
    declaration = declarations.get((expert.pk, application.pk))
    return application, expert, [a for a in assignments if a.status == Assignment.Status.ACTIVE], declaration


# ---------------------------------------------------------------------------------------------
# The staff application page


def application_conflicts(application: Application) -> list[tuple[ExpertProfile, list[str]]]:
    """Every expert of the organiser's pool who must recuse from this application, and why."""
    experts = list(ExpertProfile.objects.filter(organiser_id=application.cycle.programme.organiser_id))
    declarations = {(d.expert_id, d.application_id): d for d in ConflictDeclaration.objects.filter(application=application)}
    found = []
    for expert in experts:
        reasons = conflict_reasons(expert, application, declarations)
        if reasons:
            found.append((expert, reasons))
    return found


def application_history(application: Application) -> list[ActivityLog]:
    return list(
        ActivityLog.objects.filter(target_type=Application._meta.label_lower, target_id=str(application.pk)).select_related("actor")
        .order_by("-created_at", "-id")
    )


def application_assignments(application: Application) -> list[Assignment]:
    return list(
        Assignment.objects.filter(application=application)
        .select_related("expert", "stage", "scoresheet", "panel")
        .prefetch_related("scoresheet__items__criterion")
        .order_by("stage__order", "expert__name")
    )


# ---------------------------------------------------------------------------------------------
# For the applicant side


def schedule_for_application(application: Application) -> list[ScheduleEntry]:
    """The applicant's own 陈述答辩 / 现场评审 appointments, in time order (no expert names)."""
    return list(ScheduleEntry.objects.filter(application=application).select_related("stage").order_by("starts_at"))


def open_supplement_request(application: Application) -> SupplementRequest | None:
    """The open 补充材料 request: `sections` are the parts the applicant may edit, `due_on` the deadline."""
    return SupplementRequest.objects.filter(application=application, resolved_at__isnull=True).select_related("stage").first()
