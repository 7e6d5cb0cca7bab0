"""The recommendation lists, the 公示 notice and objections."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from applications.models import Application, ApplicationStatus
from awards.models import Category, Cycle, Stage, StageKind
from reviews.models import (
    UNRESOLVED_OBJECTION,
    MeetingDecision,
    Objection,
    Publicity,
    Recommendation,
    RecommendationStatus,
)
from reviews.selectors.budget import CategoryMoney, CycleMoney, cycle_money
from reviews.selectors.cycles import APPLICATION_RELATED, listable_stages, publicity_stage, source_stage
from reviews.selectors.scoring import SheetCount, category_ranking

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
    sheets: SheetCount | None = None  # scoresheets submitted / assigned behind the score (ranked stages)


@dataclass
class CategoryList:
    category: Category
    candidates: list[Candidate]
    proposed: list[Recommendation]
    ranking_available: bool
    ranking_note: str = ""
    money: CategoryMoney | None = None  # places left and prize money, by the one rule of reviews.selectors.budget

    @property
    def quota(self) -> int | None:
        return self.category.quota

    @property
    def proposed_count(self) -> int:
        return len(self.proposed)


def active_recommendations(cycle: Cycle) -> QuerySet[Recommendation]:
    return (
        Recommendation.objects.filter(cycle=cycle, status=RecommendationStatus.PROPOSED)
        .select_related("category", "source_stage", "added_by", *[f"application__{r}" for r in APPLICATION_RELATED])
        .order_by("category__order", "category_id", "rank", "id")
    )



def recommendation_lists(cycle: Cycle, money: CycleMoney | None = None) -> tuple[Stage | None, list[CategoryList]]:
    """Per category: candidates at the source stage (ranked, or with meeting decisions) and the list, with the
    category's money (`money`: the cycle's, when the caller has it already)."""
    stage = source_stage(cycle)
    categories = list(Category.objects.filter(cycle=cycle).order_by("order", "id"))
    money = money or cycle_money(cycle, categories)
    proposed_by_category: dict[int, list[Recommendation]] = defaultdict(list)
    proposed_by_application: dict[int, Recommendation] = {}
    for rec in active_recommendations(cycle):
        proposed_by_category[rec.category_id].append(rec)
        proposed_by_application[rec.application_id] = rec
    result = []
    if stage is None:
        return None, [CategoryList(c, [], proposed_by_category[c.id], False, money=money.of(c)) for c in categories]
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
            rows = category_ranking(stage=stage, category=category)
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
                            sheets=row.sheets,
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
        result.append(CategoryList(category, candidates, proposed_by_category[category.id], ranking_available, note,
                                   money=money.of(category)))
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

    # The 公示's own particulars, as the page and the PDF read them.
    title = property(attrgetter("publicity.title"))
    notice = property(attrgetter("publicity.notice"))
    start_date = property(attrgetter("publicity.start_date"))
    end_date = property(attrgetter("publicity.end_date"))


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


def public_publicities(limit: int = 6) -> list[Publicity]:
    """The 公示 the public can find from the home page: the latest of each cycle, open ones first, then
    those about to start, then the most recently ended; at most `limit` (one query)."""
    latest = (
        Publicity.objects.select_related("cycle__programme__organiser")
        .order_by("cycle_id", "-start_date", "-id")
    )
    seen, found = set(), []
    for publicity in latest.defer("notice"):
        if publicity.cycle_id not in seen:
            seen.add(publicity.cycle_id)
            found.append(publicity)
    rank = {"open": 0, "scheduled": 1, "ended": 2}
    now = timezone.now()
    found.sort(key=lambda p: (rank[p.state(now)], -p.end_date.toordinal() if p.state(now) == "ended" else p.start_date.toordinal()))
    for publicity in found:
        publicity.public_state = publicity.state(now)
    return found[:limit]


def cycle_publicity_for_public(cycle: Cycle) -> Publicity | None:
    """The cycle's latest 公示 for its public call page, or None before publication (one query)."""
    publicity = Publicity.objects.filter(cycle=cycle).order_by("-start_date", "-id").first()
    if publicity is not None:
        publicity.public_state = publicity.state()
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


def publicity_published(cycle: Cycle) -> bool:
    """Whether the cycle's 公示 is out: from then on the list is fixed."""
    stage = publicity_stage(cycle)
    return stage is not None and Publicity.objects.filter(stage=stage).exists()


def publicity_incomplete(publicity: Publicity, *, action: str, now: datetime.datetime | None = None) -> str | None:
    """The one rule "the 公示 has ended and every objection is resolved": why `action` (提请批准, 录入批准, 报批)
    may not happen yet, or None when it may."""
    if not publicity.has_ended(now or timezone.now()):
        return _("公示期至 %(end)s 23:59:59 结束，公示期内不能%(action)s。") % {"end": publicity.end_date.isoformat(), "action": action}
    if Objection.objects.filter(publicity=publicity, status__in=UNRESOLVED_OBJECTION).exists():
        return _("公示期间收到的异议尚未全部处理完毕，不能%(action)s。") % {"action": action}
    return None
