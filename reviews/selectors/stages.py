"""A stage's page, bounded: the applications at the stage are filtered and paged in SQL, and only the
page's rows, their assignments and the experts' workload (one aggregate) are read — the page does not
grow with the number of applications at the stage."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from applications.models import Application, ApplicationStatus
from awards.models import Stage
from reviews.models import Assignment, ExpertProfile
from reviews.selectors.cycles import share_cycle_objects

STAGE_ORDER = ("number", "pk")
STAGE_ROW_FIELDS = (
    "number", "status", "cycle_id", "category_id", "current_stage_id", "organisation_id", "person_id",
    "organisation__name", "person__name",
)
ASSIGNMENT_FILTERS = ("", "none", "short")


@dataclass
class StageFilters:
    q: str = ""
    category: str = ""
    assigned: str = ""  # "" every application, "none" without an expert, "short" fewer than the stage asks for

    @classmethod
    def from_query(cls, params) -> StageFilters:
        assigned = params.get("assigned", "")
        return cls(q=params.get("q", "").strip()[:100], category=params.get("category", "")[:60],
                   assigned=assigned if assigned in ASSIGNMENT_FILTERS else "")


def stage_application_ids(stage: Stage, filters: StageFilters) -> QuerySet:
    """The ids of the applications in review at the stage, filtered and in page order (paginate this;
    its slice becomes a subquery of stage_rows())."""
    qs = Application.objects.filter(current_stage=stage, status=ApplicationStatus.IN_REVIEW)
    if filters.category:
        qs = qs.filter(category__code=filters.category, category__cycle_id=stage.cycle_id)
    if filters.q:
        q = filters.q
        qs = qs.filter(Q(number__icontains=q) | Q(organisation__name__icontains=q) | Q(person__name__icontains=q)
                       | Q(person__name_zh__icontains=q))
    if filters.assigned:
        active = Count("assignments", filter=Q(assignments__stage=stage, assignments__status=Assignment.Status.ACTIVE))
        qs = qs.annotate(active_assignments=active)
        if filters.assigned == "none":
            qs = qs.filter(active_assignments=0)
        else:
            wanted = int((stage.params or {}).get("experts_per_application") or 1)
            qs = qs.filter(active_assignments__lt=wanted)
    return qs.order_by(*STAGE_ORDER).values_list("pk", flat=True)


STAGE_ASSIGNMENT_FIELDS = ("stage_id", "application_id", "status", "expert__name", "scoresheet__assignment_id",
                           "scoresheet__status")


def stage_rows(stage: Stage, page_ids, categories) -> list[tuple[Application, list[Assignment], object]]:
    """One page: (application, its assignments at the stage with expert and scoresheet, its SheetCount of
    submitted / assigned scoresheets) — two queries."""
    from reviews.selectors.scoring import sheet_count

    applications = list(
        Application.objects.filter(pk__in=page_ids).select_related("organisation", "person")
        .only(*STAGE_ROW_FIELDS).order_by(*STAGE_ORDER)
    )
    share_cycle_objects(stage.cycle, applications, categories)
    by_app: dict[int, list[Assignment]] = {a.pk: [] for a in applications}
    if by_app:
        # What a row shows of an assignment: its status, the expert's name, the scoresheet's status (SheetCount).
        for assignment in (Assignment.objects.filter(stage=stage, application_id__in=list(by_app))
                           .select_related("expert", "scoresheet").only(*STAGE_ASSIGNMENT_FIELDS)
                           .order_by("application_id", "expert__name", "pk")):
            by_app[assignment.application_id].append(assignment)
    return [(a, by_app[a.pk], sheet_count(by_app[a.pk])) for a in applications]


def stage_expert_load(stage: Stage) -> list[tuple[ExpertProfile, int]]:
    """The organiser's active experts with their active assignments at the stage (one aggregate query)."""
    load = Count("assignments", filter=Q(assignments__stage=stage, assignments__status=Assignment.Status.ACTIVE))
    experts = (ExpertProfile.objects.filter(organiser_id=stage.cycle.programme.organiser_id, is_active=True)
               .only("name", "employer").annotate(stage_load=load).order_by("name", "pk"))
    return [(expert, expert.stage_load) for expert in experts]
