"""Meetings of a cycle, their candidates and quorate decisions."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts import rules
from applications.models import Application, ApplicationStatus
from awards.models import Cycle, Stage
from reviews.models import (
    Meeting,
    MeetingDecision,
)
from reviews.selectors.cycles import APPLICATION_RELATED

# ---------------------------------------------------------------- meetings


def meetings_for_cycle(cycle: Cycle) -> QuerySet[Meeting]:
    """The cycle's meetings, by stage and the latest first (a queryset: the hub paginates it)."""
    return (
        Meeting.objects.filter(stage__cycle=cycle)
        .select_related("stage", "body", "created_by")
        .annotate(decision_count=Count("decisions"))
        .order_by("stage__order", "-held_on", "-id")
    )


def meeting_detail(meeting_id: int, user) -> Meeting:
    queryset = Meeting.objects.select_related("stage__cycle__programme__organiser", "body", "created_by")
    organiser_ids = rules.staff_organiser_ids(user)
    if organiser_ids is not None:
        queryset = queryset.filter(stage__cycle__programme__organiser_id__in=organiser_ids)
    return queryset.get(pk=meeting_id)


def meeting_candidates(meeting: Meeting) -> list[Application]:
    """Applications at the meeting's stage (in review) plus any already decided by it."""
    decided = MeetingDecision.objects.filter(meeting=meeting).values("application_id")
    return list(
        Application.objects.filter(Q(current_stage=meeting.stage, status=ApplicationStatus.IN_REVIEW) | Q(pk__in=decided))
        .select_related(*APPLICATION_RELATED)
        .order_by("category__order", "number")
    )


def decisions_by_application(meeting: Meeting) -> dict[int, MeetingDecision]:
    return {d.application_id: d for d in MeetingDecision.objects.filter(meeting=meeting).select_related("recorded_by")}


def quorate_decision(application: Application, stage: Stage) -> MeetingDecision | None:
    """The latest decision on the application by a quorate meeting of the stage."""
    decisions = (
        MeetingDecision.objects.filter(application=application, meeting__stage=stage)
        .select_related("meeting__body", "meeting__stage")
        .order_by("-meeting__held_on", "-meeting_id")
    )
    for decision in decisions:
        if decision.meeting.quorum_met:
            return decision
    return None




