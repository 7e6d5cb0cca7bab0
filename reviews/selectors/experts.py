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


# What a row of the home page needs besides its stage and category: the applicant (and recommender) that
# conflict detection compares with the expert, and the scoresheet. The application's long JSON columns
# other than form_data (which names the applicant's group) stay in the database.
ROW_RELATED = ("application__organisation", "application__person", "application__recommender", "expert", "scoresheet")
ROW_DEFERRED = ("application__declarations", "application__criteria", "application__eligibility_snapshot")


def expert_rows(page_ids) -> list[Assignment]:
    """One page of expert_todo()/expert_done() ids as assignments with what a row shows, in the page's order,
    minus the rows a conflict in the data hides (three queries: the rows, their stages with cycle and
    programme, their categories — shared instances, not a copy joined into every row)."""
    ids = list(page_ids)
    by_id = Assignment.objects.filter(pk__in=ids).select_related(*ROW_RELATED).defer(*ROW_DEFERRED).in_bulk()
    rows = [by_id[pk] for pk in ids if pk in by_id]
    if rows:
        stages = Stage.objects.select_related("cycle__programme").defer("cycle__notice", "cycle__work_plan").in_bulk(
            {a.stage_id for a in rows})
        categories = Category.objects.in_bulk({a.application.category_id for a in rows})
        stage_field = Assignment._meta.get_field("stage")
        category_field = Application._meta.get_field("category")
        for a in rows:
            stage_field.set_cached_value(a, stages[a.stage_id])
            category_field.set_cached_value(a.application, categories[a.application.category_id])
    return _visible(rows)
