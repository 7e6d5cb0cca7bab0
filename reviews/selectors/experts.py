"""What an expert sees: profiles, assignments, an application.

The expert's home is bounded: the progress per stage is one aggregate, and the work still to do (what is
due first) and the finished work are each read one page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from accounts import rules
from applications.models import Application
from awards.models import Category, Stage
from reviews.conflicts import detect_conflicts
from reviews.models import Assignment, ExpertProfile, Scoresheet
from reviews.selectors.cycles import cycle_stages

# ---------------------------------------------------------------------------------------------
# Experts

ASSIGNMENT_RELATED = ("stage__cycle__programme", "application__category", "application__organisation",
                      "application__person", "application__recommender", "application__current_stage", "expert",
                      "scoresheet")
SUBMITTED = Q(scoresheet__status=Scoresheet.Status.SUBMITTED)
# What is due first: the stage that ends first (stages without a planned end last), then pipeline order.
TODO_ORDER = (F("stage__planned_end").asc(nulls_last=True), "stage__cycle__code", "stage__order", "application__number", "pk")
DONE_ORDER = (F("scoresheet__submitted_at").desc(nulls_last=True), "-pk")


def expert_profiles(user) -> list[ExpertProfile]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(ExpertProfile.objects.filter(user=user, is_active=True).select_related("organiser"))


def _own_assignments(user) -> QuerySet[Assignment]:
    organiser_ids = rules.organiser_ids_for(user, {"expert"})
    return Assignment.objects.filter(expert__user=user, expert__organiser_id__in=organiser_ids)


def _visible(assignments) -> list[Assignment]:
    # A conflict found in the data (e.g. the expert now works for the applicant) hides the
    # application from the expert, as expert_application() does: not even its name is listed.
    return [a for a in assignments if not detect_conflicts(a.expert, a.application)]


# ---------------------------------------------------------------------------------------------
# Workload


@dataclass
class ExpertLoad:
    expert: ExpertProfile
    per_stage: list  # [(assigned, submitted)] per stage of Workload.stages
    cycle_assigned: int  # every stage of the chosen cycle
    cycle_submitted: int
    all_assigned: int  # every cycle of the organiser
    all_cycles: int  # how many cycles of the organiser the expert is assigned in


@dataclass
class Workload:
    cycle: object | None
    cycles: list
    stages: list
    rows: list[ExpertLoad]


def expert_workload(*, organiser, cycle_code: str | None = None) -> Workload:
    """Each expert's active assignments (and submitted sheets) per stage of one cycle and across every cycle of
    the organiser, in three queries whatever the number of experts and assignments. Default cycle: the newest
    one with assignments (else the newest)."""
    from awards.models import Cycle

    cycles = list(Cycle.objects.filter(programme__organiser=organiser).select_related("programme").order_by("-application_closes_at", "-pk"))
    counts = (Assignment.objects.filter(expert__organiser=organiser, status=Assignment.Status.ACTIVE).order_by()
              .values("expert_id", "stage_id", "stage__cycle_id")
              .annotate(assigned=Count("pk"), submitted=Count("pk", filter=Q(scoresheet__status="submitted"))))
    counts = list(counts)
    used = {row["stage__cycle_id"] for row in counts}
    cycle = next((c for c in cycles if c.code == cycle_code), None) or next((c for c in cycles if c.pk in used), None) \
        or (cycles[0] if cycles else None)
    stages = [s for s in cycle_stages(cycle) if s.kind == "scored_review"] if cycle else []
    by_expert: dict[int, dict] = {}
    for row in counts:
        entry = by_expert.setdefault(row["expert_id"], {"stages": {}, "cycles": set(), "all": 0})
        entry["stages"][row["stage_id"]] = (row["assigned"], row["submitted"])
        entry["cycles"].add(row["stage__cycle_id"])
        entry["all"] += row["assigned"]
    rows = []
    for expert in ExpertProfile.objects.filter(organiser=organiser).select_related("user").order_by("-is_active", "name", "pk"):
        entry = by_expert.get(expert.pk, {"stages": {}, "cycles": set(), "all": 0})
        per_stage = [entry["stages"].get(s.pk, (0, 0)) for s in stages]
        rows.append(ExpertLoad(expert, per_stage, sum(a for a, _s in per_stage), sum(s for _a, s in per_stage),
                               entry["all"], len(entry["cycles"])))
    return Workload(cycle, cycles, stages, rows)


def expert_assignments(user) -> list[Assignment]:
    """Every assignment of the user (all organisers they are an expert for), with their scoresheets.
    For the few callers that need them all; the home page reads expert_todo()/expert_done() by page."""
    return _visible(_own_assignments(user).select_related(*ASSIGNMENT_RELATED)
                    .order_by("stage__cycle__code", "stage__order", "application__number", "pk"))


@dataclass
class StageProgress:
    stage: Stage
    total: int  # active assignments
    done: int  # of which submitted


def expert_progress(user) -> list[StageProgress]:
    """Per stage the expert has work in: active assignments and how many are submitted (two queries:
    one aggregate, and the stages with their programme)."""
    counts = {
        row["stage_id"]: row for row in _own_assignments(user).filter(status=Assignment.Status.ACTIVE).order_by()
        .values("stage_id").annotate(total=Count("pk"), done=Count("pk", filter=SUBMITTED))
    }
    if not counts:
        return []
    stages = Stage.objects.filter(pk__in=list(counts)).select_related("cycle__programme").order_by("cycle__code", "order")
    return [StageProgress(stage=s, total=counts[s.pk]["total"], done=counts[s.pk]["done"]) for s in stages]


def expert_todo(user) -> QuerySet:
    """The ids of the active assignments not yet submitted, what is due first first: paginate these and
    load the page with expert_rows() (the ids need only the joins of the order, not the rows' ten tables)."""
    return (_own_assignments(user).filter(status=Assignment.Status.ACTIVE).exclude(SUBMITTED)
            .order_by(*TODO_ORDER).values_list("pk", flat=True))


def expert_done(user) -> QuerySet:
    """The ids of the finished work: submitted scoresheets and recusals, the latest first (as expert_todo)."""
    return (_own_assignments(user).filter(SUBMITTED | Q(status=Assignment.Status.RECUSED))
            .order_by(*DONE_ORDER).values_list("pk", flat=True))


# What a row of the home page reads besides its stage and category: the applicant (and recommender) that
# conflict detection compares with the expert (reviews.conflicts.detect_conflicts), and the scoresheet.
# Only these columns are loaded, not the profiles' and the application's other (long, JSON) columns.
ROW_RELATED = ("application__organisation", "application__person", "application__recommender", "expert", "scoresheet")
ROW_FIELDS = (
    "stage_id", "application_id", "expert_id", "status",
    *(f"application__{name}" for name in ("number", "category_id", "applicant_id", "nominated_by_id", "organisation_id",
                                          "person_id", "recommender_id", "form_data", "organisation__name",
                                          "organisation__credit_code", "person__name", "person__id_number", "person__employer",
                                          "person__employer_credit_code", "recommender__kind", "recommender__name",
                                          "recommender__credit_code")),
    *(f"expert__{name}" for name in ("user_id", "name", "id_number", "employer", "employer_credit_code", "group",
                                     "group_credit_code")),
    "scoresheet__assignment_id", "scoresheet__status", "scoresheet__total",
)


def expert_rows(page_ids) -> list[Assignment]:
    """One page of expert_todo()/expert_done() ids as assignments with what a row shows, in the page's order,
    minus the rows a conflict in the data hides."""
    return expert_pages(page_ids)[0]


def expert_pages(*pages) -> list[list[Assignment]]:
    """Pages of expert_todo()/expert_done() ids as expert_rows() gives each, all in three queries: the rows
    (only ROW_FIELDS), their stages with cycle and programme, their categories — shared instances, not a
    copy joined into every row."""
    pages = [list(ids) for ids in pages]
    by_id = (Assignment.objects.filter(pk__in=[pk for ids in pages for pk in ids]).select_related(*ROW_RELATED)
             .only(*ROW_FIELDS).in_bulk())
    rows = list(by_id.values())
    if rows:
        stages = Stage.objects.select_related("cycle__programme").defer("cycle__notice", "cycle__work_plan").in_bulk(
            {a.stage_id for a in rows})
        categories = Category.objects.in_bulk({a.application.category_id for a in rows})
        stage_field = Assignment._meta.get_field("stage")
        category_field = Application._meta.get_field("category")
        for a in rows:
            stage_field.set_cached_value(a, stages[a.stage_id])
            category_field.set_cached_value(a.application, categories[a.application.category_id])
    return [_visible([by_id[pk] for pk in ids if pk in by_id]) for ids in pages]
