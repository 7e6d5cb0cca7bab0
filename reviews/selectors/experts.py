"""What an expert sees: profiles, assignments, an application."""

from __future__ import annotations

from accounts import rules
from reviews.conflicts import detect_conflicts
from reviews.models import Assignment, ExpertProfile

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
