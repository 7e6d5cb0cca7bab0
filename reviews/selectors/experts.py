"""What an expert sees: profiles, assignments, an application."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts import rules
from reviews.conflicts import detect_conflicts
from reviews.models import Assignment, ExpertProfile
from reviews.selectors.cycles import cycle_stages

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
