"""Reads of the decisions app, each with a constant number of queries.

`publicity_for_cycle` and `winners_for_cycle` are also what the documents app renders the 公示
notice, the 表彰决定 and the certificates from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from accounts import rules
from applications.models import Application, ApplicationStatus
from awards.models import Category, Cycle, ReviewBody, Stage, StageKind
from awards.selectors import cycle_budget, format_wan
from core.models import ActivityLog, EmailNotification

from .models import (
    UNRESOLVED_OBJECTION,
    Approval,
    Award,
    BenefitGrant,
    Meeting,
    MeetingDecision,
    Objection,
    PrizePayment,
    Publicity,
    Recommendation,
    RecommendationStatus,
)

APPLICATION_RELATED = ("organisation", "person", "category", "current_stage", "cycle__programme__organiser", "applicant")


# ---------------------------------------------------------------- access


def staff_cycle(code: str, user) -> Cycle:
    """A cycle the user works on as review staff, or Cycle.DoesNotExist (→ 404)."""
    queryset = Cycle.objects.select_related("programme__organiser")
    organiser_ids = rules.staff_organiser_ids(user)
    if organiser_ids is not None:
        queryset = queryset.filter(programme__organiser_id__in=organiser_ids)
    return queryset.get(code=code)


def staff_applications(user) -> QuerySet[Application]:
    queryset = Application.objects.select_related(*APPLICATION_RELATED)
    organiser_ids = rules.staff_organiser_ids(user)
    if organiser_ids is not None:
        queryset = queryset.filter(cycle__programme__organiser_id__in=organiser_ids)
    return queryset


def stages_of_kind(cycle: Cycle, kind: str) -> list[Stage]:
    return [s for s in _stages(cycle) if s.kind == kind]


def _stages(cycle: Cycle) -> list[Stage]:
    cached = getattr(cycle, "_decisions_stages", None)
    if cached is None:
        cached = list(Stage.objects.filter(cycle=cycle).order_by("order"))
        cycle._decisions_stages = cached
    return cached


def publicity_stage(cycle: Cycle) -> Stage | None:
    found = stages_of_kind(cycle, StageKind.PUBLICITY)
    return found[0] if found else None


def approval_stage(cycle: Cycle) -> Stage | None:
    found = stages_of_kind(cycle, StageKind.APPROVAL)
    return found[0] if found else None


def award_stage(cycle: Cycle) -> Stage | None:
    found = stages_of_kind(cycle, StageKind.AWARD)
    return found[0] if found else None


def source_stage(cycle: Cycle) -> Stage | None:
    """The stage the recommendation list is drawn from: the one right before the 公示."""
    target = publicity_stage(cycle)
    stages = _stages(cycle)
    if target is None:
        return None
    earlier = [s for s in stages if s.order < target.order]
    return earlier[-1] if earlier else None


def is_source_stage(stage: Stage) -> bool:
    """Whether the recommendation list is drawn from this stage (its candidates go on to 公示 only by publishing)."""
    source = source_stage(stage.cycle)
    return source is not None and source.pk == stage.pk


def listable_stages(cycle: Cycle) -> list[Stage]:
    """Stages whose applications in review may be put on the list: the source stage, and — until the 公示
    is published — the 公示 stage itself, for applications moved there by hand before entering it was
    tied to publishing (they would otherwise be stranded: never listed, never published)."""
    source = source_stage(cycle)
    if source is None:
        return []
    target = publicity_stage(cycle)
    if target is not None and not Publicity.objects.filter(stage=target).exists():
        return [source, target]
    return [source]


def body_for_stage(stage: Stage) -> ReviewBody | None:
    code = (stage.params or {}).get("body")
    return ReviewBody.objects.filter(cycle_id=stage.cycle_id, code=code).first()


# ---------------------------------------------------------------- meetings


def meetings_for_cycle(cycle: Cycle) -> list[Meeting]:
    return list(
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


# ---------------------------------------------------------------- recommendations


@dataclass
class Candidate:
    application: Application
    rank: int | None = None
    score: Decimal | None = None
    spread: Decimal | None = None
    expert_count: int | None = None
    decision: MeetingDecision | None = None
    recommendation: Recommendation | None = None


@dataclass
class CategoryList:
    category: Category
    candidates: list[Candidate]
    proposed: list[Recommendation]
    ranking_available: bool
    ranking_note: str = ""

    @property
    def quota(self) -> int | None:
        return self.category.quota

    @property
    def proposed_count(self) -> int:
        return len(self.proposed)

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.proposed_count, 0)

    @property
    def prize(self) -> Decimal:
        return self.category.prize_amount or Decimal(0)

    @property
    def planned_amount(self) -> Decimal:
        return self.prize * (self.quota or 0)

    @property
    def proposed_amount(self) -> Decimal:
        return self.prize * self.proposed_count

    @property
    def planned_wan(self) -> str:
        return format_wan(self.planned_amount)

    @property
    def proposed_wan(self) -> str:
        return format_wan(self.proposed_amount)


def active_recommendations(cycle: Cycle) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(cycle=cycle, status=RecommendationStatus.PROPOSED)
        .select_related("category", "source_stage", "added_by", *[f"application__{r}" for r in APPLICATION_RELATED])
        .order_by("category__order", "category_id", "rank", "id")
    )


def _ranking_rows(stage: Stage, category: Category):
    """Rows of reviews.selectors.category_ranking when the reviews app provides it, else None."""
    try:
        from reviews.selectors import category_ranking
    except ImportError:
        return None
    return list(category_ranking(stage=stage, category=category))


def recommendation_lists(cycle: Cycle) -> tuple[Stage | None, list[CategoryList]]:
    """Per category: candidates at the source stage (ranked, or with meeting decisions) and the list."""
    stage = source_stage(cycle)
    categories = list(Category.objects.filter(cycle=cycle).order_by("order", "id"))
    proposed_by_category: dict[int, list[Recommendation]] = defaultdict(list)
    proposed_by_application: dict[int, Recommendation] = {}
    for rec in active_recommendations(cycle):
        proposed_by_category[rec.category_id].append(rec)
        proposed_by_application[rec.application_id] = rec
    result = []
    if stage is None:
        return None, [CategoryList(c, [], proposed_by_category[c.id], False) for c in categories]
    at_stage = list(
        Application.objects.filter(cycle=cycle, current_stage__in=listable_stages(cycle), status=ApplicationStatus.IN_REVIEW)
        .select_related(*APPLICATION_RELATED)
        .order_by("number")
    )
    decisions: dict[int, MeetingDecision] = {}
    if stage.kind == StageKind.MEETING:
        for decision in (
            MeetingDecision.objects.filter(meeting__stage=stage, application__in=[a.pk for a in at_stage])
            .select_related("meeting__body")
            .order_by("meeting__held_on", "meeting_id")
        ):
            if decision.meeting.quorum_met:
                decisions[decision.application_id] = decision  # latest quorate wins
    by_category: dict[int, list[Application]] = defaultdict(list)
    for application in at_stage:
        by_category[application.category_id].append(application)
    for category in categories:
        candidates: list[Candidate] = []
        ranking_available = False
        note = ""
        if stage.kind in (StageKind.COMPREHENSIVE, StageKind.SCORED_REVIEW):
            rows = _ranking_rows(stage, category)
            if rows is None:
                note = "ranking-unavailable"
            else:
                ranking_available = True
                ranked_ids = set()
                for row in rows:
                    app = row.application
                    ranked_ids.add(app.pk)
                    candidates.append(
                        Candidate(
                            application=app,
                            rank=row.rank,
                            score=row.score,
                            spread=getattr(row, "spread", None),
                            expert_count=getattr(row, "expert_count", None),
                            recommendation=proposed_by_application.get(app.pk),
                        )
                    )
                for app in by_category[category.id]:
                    if app.pk not in ranked_ids:
                        candidates.append(Candidate(application=app, recommendation=proposed_by_application.get(app.pk)))
        if not candidates:
            candidates = [
                Candidate(application=a, decision=decisions.get(a.pk), recommendation=proposed_by_application.get(a.pk))
                for a in by_category[category.id]
            ]
            if stage.kind == StageKind.MEETING:
                candidates.sort(key=lambda c: (c.decision is None, getattr(c.decision, "outcome", "") != "approved",
                                               -(getattr(c.decision, "votes_for", 0) or 0), c.application.number or ""))
        result.append(CategoryList(category, candidates, proposed_by_category[category.id], ranking_available, note))
    return stage, result


# ---------------------------------------------------------------- 公示


@dataclass
class PublicityEntry:
    recommendation: Recommendation
    application: Application
    applicant_name: str
    unit: str
    nationality: str


@dataclass
class PublicityGroup:
    category: Category
    entries: list[PublicityEntry]


@dataclass
class PublicityNotice:
    """What the public page and the 公示 notice PDF show."""

    publicity: Publicity
    groups: list[PublicityGroup]
    contact: str = ""
    objections_unresolved: int = 0
    objection_counts: dict = field(default_factory=dict)

    @property
    def entries(self) -> list[PublicityEntry]:
        return [e for g in self.groups for e in g.entries]

    @property
    def title(self) -> str:
        return self.publicity.title

    @property
    def notice(self) -> str:
        return self.publicity.notice

    @property
    def start_date(self):
        return self.publicity.start_date

    @property
    def end_date(self):
        return self.publicity.end_date


def _entry(rec: Recommendation) -> PublicityEntry:
    app = rec.application
    unit = ""
    nationality = ""
    if app.person_id:
        unit = app.person.employer
        nationality = app.person.nationality
    elif app.organisation_id:
        unit = app.organisation.registered_district
    return PublicityEntry(recommendation=rec, application=app, applicant_name=app.applicant_name, unit=unit, nationality=nationality)


def publicity_notice(publicity: Publicity) -> PublicityNotice:
    recs = active_recommendations(publicity.cycle)
    groups: dict[int, PublicityGroup] = {}
    for rec in recs:
        group = groups.setdefault(rec.category_id, PublicityGroup(category=rec.category, entries=[]))
        group.entries.append(_entry(rec))
    counts = dict(
        Objection.objects.filter(publicity=publicity).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    unresolved = sum(counts.get(s, 0) for s in UNRESOLVED_OBJECTION)
    return PublicityNotice(
        publicity=publicity,
        groups=sorted(groups.values(), key=lambda g: (g.category.order, g.category.pk)),
        contact=publicity.contact,
        objections_unresolved=unresolved,
        objection_counts=counts,
    )


def publicity_for_cycle(cycle: Cycle) -> PublicityNotice | None:
    """The cycle's 公示 (the latest one) with its list grouped by category; None before publication."""
    publicity = (
        Publicity.objects.filter(cycle=cycle).select_related("cycle__programme__organiser", "stage").order_by("-start_date", "-id").first()
    )
    return publicity_notice(publicity) if publicity else None


def public_publicity(key: str) -> Publicity:
    """By numeric id or by cycle code (the cycle's latest 公示); Publicity.DoesNotExist otherwise."""
    queryset = Publicity.objects.select_related("cycle__programme__organiser", "stage")
    if key.isascii() and key.isdigit():  # "²".isdigit() is True too, and int() refuses it
        return queryset.get(pk=int(key))
    publicity = queryset.filter(cycle__code=key).order_by("-start_date", "-id").first()
    if publicity is None:
        raise Publicity.DoesNotExist
    return publicity


def objections_for_publicity(publicity: Publicity) -> list[Objection]:
    return list(
        Objection.objects.filter(publicity=publicity)
        .select_related("resolved_by", "application__organisation", "application__person", "application__category")
        .order_by("-created_at", "-id")
    )


def objection_detail(objection_id: int, user) -> Objection:
    queryset = Objection.objects.select_related(
        "publicity__cycle__programme__organiser", "publicity__stage", "resolved_by", *[f"application__{r}" for r in APPLICATION_RELATED]
    )
    organiser_ids = rules.staff_organiser_ids(user)
    if organiser_ids is not None:
        queryset = queryset.filter(publicity__cycle__programme__organiser_id__in=organiser_ids)
    return queryset.get(pk=objection_id)


# ---------------------------------------------------------------- approval and winners


@dataclass
class WinnerRow:
    award: Award
    application: Application
    category: Category
    prize: Decimal | None
    reward_text: str
    benefits: list[dict]
    payments: list[PrizePayment]
    grants: list[BenefitGrant]

    @property
    def applicant_name(self) -> str:
        return self.application.applicant_name

    @property
    def prize_wan(self) -> str:
        return format_wan(self.prize)

    @property
    def paid_amount(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def fully_paid(self) -> bool:
        return not self.award.has_money_prize or self.paid_amount >= (self.prize or 0)

    @property
    def granted_codes(self) -> set[str]:
        return {g.code for g in self.grants}

    @property
    def benefits_complete(self) -> bool:
        return all(b.get("code") in self.granted_codes for b in self.benefits)


def approval_for_cycle(cycle: Cycle) -> Approval | None:
    return Approval.objects.filter(cycle=cycle).select_related("stage", "recorded_by").order_by("-approved_on", "-id").first()


def winners_for_cycle(cycle: Cycle) -> list[WinnerRow]:
    """The final winners (after the government's approval) with category, prize and awards given."""
    awards = (
        Award.objects.filter(cycle=cycle)
        .select_related("category", "approval", "recommendation", *[f"application__{r}" for r in APPLICATION_RELATED])
        .prefetch_related(
            Prefetch("payments", queryset=PrizePayment.objects.order_by("paid_on", "id")),
            Prefetch("benefits", queryset=BenefitGrant.objects.order_by("code")),
        )
        .order_by("category__order", "category_id", "recommendation__rank", "id")
    )
    return [
        WinnerRow(
            award=a,
            application=a.application,
            category=a.category,
            prize=a.prize_amount,
            reward_text=a.category.reward_text,
            benefits=[b for b in (a.category.benefits or []) if isinstance(b, dict)],
            payments=list(a.payments.all()),
            grants=list(a.benefits.all()),
        )
        for a in awards
    ]


def committed_amount(cycle: Cycle) -> Decimal:
    """Σ winners × prize: every Award carries the prize of its category at approval."""
    total = Award.objects.filter(cycle=cycle).aggregate(total=Sum("prize_amount"))["total"]
    return total or Decimal(0)


def proposed_amount(cycle: Cycle) -> Decimal:
    total = Decimal(0)
    for category_id, prize, count in (
        Recommendation.objects.filter(cycle=cycle, status=RecommendationStatus.PROPOSED)
        .values("category_id", "category__prize_amount")
        .annotate(n=Count("id"))
        .values_list("category_id", "category__prize_amount", "n")
    ):
        total += (prize or Decimal(0)) * count
    return total


# ---------------------------------------------------------------- notifications and history


def notifications_for_application(application: Application) -> list[EmailNotification]:
    return list(EmailNotification.objects.filter(application=application).order_by("created_at", "id"))


def history_for_application(application: Application) -> list[ActivityLog]:
    return list(
        ActivityLog.objects.filter(target_type="applications.application", target_id=str(application.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )


__all__ = [
    "approval_for_cycle",
    "committed_amount",
    "cycle_budget",
    "publicity_for_cycle",
    "winners_for_cycle",
]
