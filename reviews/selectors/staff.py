"""What review staff may see: cycles, the queue, an application's page; what an applicant sees of the review."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts import rules
from applications.models import Application, ApplicationStatus
from awards.models import Cycle
from reviews.conflicts import conflict_reasons
from reviews.models import Assignment, ConflictDeclaration, ExpertProfile, SavedQueueFilter, ScheduleEntry, SupplementRequest
from reviews.selectors.cycles import share_cycle_objects
from reviews.selectors.scoring import current_scores_by_id

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



# The queue's sortable columns: sort key → the database ordering (server-side; nothing else is accepted).
QUEUE_SORTS = {
    "number": ("number",),
    "applicant": (Coalesce("organisation__name", "person__name"),),
    "category": ("category__order", "category_id"),
    "recommender": ("recommender__name",),
    "stage": ("current_stage__order",),
    "status": ("status",),
    "submitted": ("submitted_at",),
}
QUEUE_FILTER_KEYS = ("q", "stage", "status", "category", "recommender", "score_min", "score_max", "overdue", "sort")


def _sort_key(value: str) -> str:
    """A sort parameter as accepted: a key of QUEUE_SORTS, "-" first for descending; anything else is ""."""
    value = (value or "").strip()[:20]
    return value if value.lstrip("-") in QUEUE_SORTS and value.count("-") <= 1 else ""


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
    sort: str = ""  # see QUEUE_SORTS

    def ordering(self) -> tuple:
        """The queue's order: the chosen column (empty values last), then the default order."""
        if not self.sort:
            return QUEUE_ORDER
        descending = self.sort.startswith("-")
        columns = [F(c) if isinstance(c, str) else c for c in QUEUE_SORTS[self.sort.lstrip("-")]]
        return (*(c.desc(nulls_last=True) if descending else c.asc(nulls_last=True) for c in columns), *QUEUE_ORDER)

    def to_query(self) -> str:
        """The filters as the queue page's query string (what a saved filter keeps), empty values left out."""
        values = {
            "q": self.q, "stage": self.stage, "status": self.status, "category": self.category, "recommender": self.recommender,
            "score_min": "" if self.score_min is None else format(self.score_min, "f"),
            "score_max": "" if self.score_max is None else format(self.score_max, "f"),
            "overdue": "1" if self.overdue else "", "sort": self.sort,
        }
        return urlencode([(key, values[key]) for key in QUEUE_FILTER_KEYS if values[key]])

    @classmethod
    def from_query(cls, params) -> QueueFilters:
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
            sort=_sort_key(params.get("sort", "")),
        )


QUEUE_ORDER = ("category__order", "number", "pk")
# What a queue row shows. The wide columns (form_data, eligibility_snapshot, declarations,
# criteria; the cycle's notice and work_plan) are never loaded for the list.
QUEUE_ROW_FIELDS = (
    "number", "status", "submitted_at", "cycle_id", "category_id", "current_stage_id", "organisation_id", "person_id",
    "recommender_id", "organisation__name", "person__name", "recommender__name",
)


def _open_supplement_requests():
    return SupplementRequest.objects.open().filter(application=OuterRef("pk"))


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
    return qs.order_by(*filters.ordering())


def queue_rows(cycle: Cycle, page_ids, categories=None, ordering=QUEUE_ORDER) -> list[Application]:
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
        .order_by(*ordering)
    )
    share_cycle_objects(cycle, rows, categories)
    return rows






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


# ---------------------------------------------------------------------------------------------
# 陈述答辩 / 现场评审 slots: who sits on each


def slot_experts(entry: ScheduleEntry, declarations: dict) -> tuple[list[ExpertProfile], list[tuple[ExpertProfile, list[str]]]]:
    """The one rule of who sits on a slot: the panel's members and the visiting team, less every expert
    who must recuse for this application (declared or detected, reviews.conflicts). Returns
    (sitting, [(recused expert, reasons)]). `entry` has panel__members and team prefetched and its
    application's organisation, person and recommender loaded; `declarations` maps
    (expert_id, application_id) → ConflictDeclaration."""
    people: dict[int, ExpertProfile] = {}
    if entry.panel_id:
        people.update({m.pk: m for m in entry.panel.members.all()})
    people.update({m.pk: m for m in entry.team.all()})
    sitting, recused = [], []
    for expert in sorted(people.values(), key=lambda e: (e.name, e.pk)):
        reasons = conflict_reasons(expert, entry.application, declarations)
        if reasons:
            recused.append((expert, reasons))
        else:
            sitting.append(expert)
    return sitting, recused


def stage_schedule(stage) -> list[ScheduleEntry]:
    """A stage's slots in time order, each with `.sitting` and `.recused` (slot_experts); three queries
    whatever the number of slots."""
    entries = list(
        ScheduleEntry.objects.filter(stage=stage)
        .select_related("application__organisation", "application__person", "application__recommender", "panel")
        .prefetch_related("team", "panel__members")
    )
    declarations = {
        (d.expert_id, d.application_id): d
        for d in ConflictDeclaration.objects.filter(application_id__in=[e.application_id for e in entries], has_conflict=True)
    } if entries else {}
    for entry in entries:
        entry.sitting, entry.recused = slot_experts(entry, declarations)
    return entries


# ---------------------------------------------------------------------------------------------
# The applicant's stage stepper


@dataclass(frozen=True)
class ProgressStep:
    name: str
    state: str  # "done" / "current" / "failed" / "upcoming"
    stage: object = None  # the Stage (its English name for English readers), None for the submission step


def applicant_progress(application: Application, stages) -> list[ProgressStep]:
    """The stages of the cycle and where the application is, as far as its applicant may know: the stage
    names are public (the call lists them), and passing a stage that is an internal step
    (notify_applicant: false) is not told, so the applicant is shown still at the first stage of a run of
    internal steps they have passed. A stage failed is shown failed (they were told). No scores, no
    experts. `stages` is the cycle's stages in order."""
    stages = list(stages)
    status = application.status
    submit = ProgressStep(str(ApplicationStatus.SUBMITTED.label), "current" if status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED) else "done")
    if status == ApplicationStatus.DRAFT:
        submit = ProgressStep(str(ApplicationStatus.DRAFT.label), "current")
    if status == ApplicationStatus.AWARDED:
        return [ProgressStep(submit.name, "done"), *(ProgressStep(s.name, "done", s) for s in stages)]
    index = next((i for i, s in enumerate(stages) if s.pk == application.current_stage_id), None)
    if index is None or status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN):
        return [submit, *(ProgressStep(s.name, "upcoming", s) for s in stages)]
    while index > 0 and not (stages[index - 1].params or {}).get("notify_applicant", True):
        index -= 1  # passed an internal step without being told
    here = "failed" if status == ApplicationStatus.NOT_PASSED and stages[index].pk == application.current_stage_id else "current"
    return [ProgressStep(submit.name, "done"), *(
        ProgressStep(s.name, "done" if i < index else here if i == index else "upcoming", s) for i, s in enumerate(stages))]



def saved_queue_filters(user, cycle: Cycle) -> list[SavedQueueFilter]:
    """The staff user's own saved filters for this cycle."""
    return list(SavedQueueFilter.objects.filter(user=user, cycle=cycle).order_by("name", "id"))
