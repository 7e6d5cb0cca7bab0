"""The ranking page's read: a category's ranking stored once per version of its data, paged in SQL.

category_ranking() (reviews.selectors.scoring) is the one rule of a ranking; it ranks the whole category,
which at a 资料评审 of thousands of applications takes a second. The page shows 100 rows of it, so the rows
the rule produced are stored (RankingSnapshot, RankingEntry) together with a fingerprint of everything the
rule read. Each request digests that data again in one aggregate query; while the digest is the same the
page reads its rows from the snapshot, and when anything changed (a scoresheet submitted or reopened, an
expert recused, an application advanced or withdrawn, a stage parameter, the rubric's points) the snapshot
is recomputed with the rule first. The ranks, scores and cut-off are therefore those of category_ranking()
at every moment; the snapshot only spares recomputing them while nothing changed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from applications.models import Application
from awards.models import CategoryRubric, Stage
from reviews.models import Assignment, RankingEntry, RankingSnapshot, Scoresheet
from reviews.selectors.cycles import cycle_stages, share_cycle_objects
from reviews.selectors.scoring import (
    RANKING_FIELDS,
    UNRANKED,
    ScoreSummary,
    ScoreSummaryRow,
    SheetCount,
    expert_cells,
    ranked_stages,
    ranking_with_scores,
    summary_of,
)

RULE_VERSION = "1"  # change when category_ranking's rule changes: every stored ranking is then recomputed
SUPERSEDED_KEPT = datetime.timedelta(minutes=5)  # how long a superseded snapshot stays for requests reading it
INCOMPLETE_SHOWN = 20  # the incomplete-scoresheets warning names the first ones in ranking order and says how many

_APPLICATIONS, _ASSIGNMENTS, _SHEETS = Application._meta.db_table, Assignment._meta.db_table, Scoresheet._meta.db_table
_RUBRICS = CategoryRubric._meta.db_table
_RUBRIC_POINTS = (CategoryRubric._meta.get_field("rubric").related_model._meta.db_table, "total_points")

# Groups of the data the ranking reads, each with its count, id sums and latest change: an application
# changing status or stage, an assignment recused or added, a scoresheet submitted, reopened or
# re-scored, a rubric swapped moves a row between groups or changes a figure of its group. Drafts are
# left out (applications never ranked — drafts, withdrawn, submitted but not in review — and an expert's
# draft sheet, which counts only as assigned), so saving a draft does not make the next reader recompute.
FINGERPRINT_SQL = f"""
SELECT 'a', status, current_stage_id, COUNT(*), SUM(id), SUM(current_stage_id), MAX(updated_at), MAX(submitted_at), NULL
  FROM {_APPLICATIONS} WHERE cycle_id = %(cycle)s AND category_id = %(category)s
   AND status NOT IN ({", ".join(f"%(unranked{n})s" for n in range(len(UNRANKED)))})
 GROUP BY status, current_stage_id
UNION ALL
SELECT 's', x.status || CASE WHEN s.status = %(submitted)s THEN '/submitted' ELSE '' END, x.stage_id,
       COUNT(*), SUM(x.id), SUM(x.expert_id), MAX(CASE WHEN s.status = %(submitted)s THEN s.updated_at END),
       MAX(CASE WHEN s.status = %(submitted)s THEN s.submitted_at END),
       SUM(CASE WHEN s.status = %(submitted)s THEN s.total * (x.id %% 997 + 1) END)
  FROM {_ASSIGNMENTS} x JOIN {_APPLICATIONS} y ON y.id = x.application_id LEFT JOIN {_SHEETS} s ON s.assignment_id = x.id
 WHERE y.cycle_id = %(cycle)s AND y.category_id = %(category)s AND x.stage_id IN ({{stages}})
 GROUP BY x.stage_id, x.status, CASE WHEN s.status = %(submitted)s THEN '/submitted' ELSE '' END
UNION ALL
SELECT 'r', c.organisation_type, c.rubric_id, 1, c.id, 0, NULL, NULL, r.{_RUBRIC_POINTS[1]}
  FROM {_RUBRICS} c JOIN {_RUBRIC_POINTS[0]} r ON r.id = c.rubric_id WHERE c.category_id = %(category)s
"""  # nosec B608 - table and column names from the models' metadata; every value is a query parameter


def ranking_fingerprint(stage: Stage, category) -> str:
    """A digest of everything category_ranking(stage, category) reads, in one aggregate query: equal
    digests, equal rankings."""
    stages = cycle_stages(stage.cycle)
    reads = ranked_stages(next((s for s in stages if s.pk == stage.pk), stage), stages)
    needed = sorted(reads.needed) or [0]  # the stages whose experts' totals the ranking aggregates
    params = {"cycle": stage.cycle_id, "category": category.pk, "submitted": Scoresheet.Status.SUBMITTED.value,
              **{f"unranked{n}": str(status) for n, status in enumerate(UNRANKED)},
              **{f"stage{n}": pk for n, pk in enumerate(needed)}}
    sql = FINGERPRINT_SQL.format(stages=", ".join(f"%(stage{n})s" for n in range(len(needed))))  # nosec B608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = sorted(repr(tuple(row)) for row in cursor.fetchall())
    setup = [RULE_VERSION, stage.pk, category.pk, sorted(reads.needed), sorted(reads.wanted),
             [(s.pk, s.code, s.order, s.kind, json.dumps(s.params or {}, sort_keys=True, default=str)) for s in stages]]
    return hashlib.sha256(repr((setup, groups)).encode()).hexdigest()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _store(stage: Stage, category, fingerprint: str) -> RankingSnapshot:
    """Rank the category with the rule (ranking_with_scores, category_ranking's own code) and store its rows."""
    rows, assignment_scores = ranking_with_scores(stage=stage, category=category)
    cells = expert_cells(stage, assignment_scores)
    incomplete = [r for r in rows if r.sheets.incomplete]
    snapshot = RankingSnapshot(stage=stage, category=category, fingerprint=fingerprint, rows=len(rows),
                               disagreements=sum(1 for r in rows if r.disagreement), incomplete=len(incomplete),
                               incomplete_first=[[r.application.number or r.application.applicant_name, r.sheets.submitted,
                                                  r.sheets.assigned] for r in incomplete[:INCOMPLETE_SHOWN]])
    entries = [
        RankingEntry(application_id=r.application.pk, position=position, rank=r.rank, score=r.score, expert_count=r.expert_count,
                     spread=r.spread, std_dev=r.std_dev, disagreement=r.disagreement, sheets_submitted=r.sheets.submitted,
                     sheets_assigned=r.sheets.assigned, stage_scores={c: _text(v) for c, v in r.stage_scores.items()},
                     expert_totals={str(e): _text(t) for e, t in cells.get(r.application.pk, {}).items()})
        for position, r in enumerate(rows, start=1)
    ]
    try:
        with transaction.atomic():
            snapshot.save()
            for entry in entries:
                entry.snapshot = snapshot
            RankingEntry.objects.bulk_create(entries, batch_size=2000)
            # Superseded versions go once no request can still be reading them (a page reads its snapshot's
            # entries right after the snapshot).
            (RankingSnapshot.objects.filter(stage=stage, category=category, computed_at__lt=timezone.now() - SUPERSEDED_KEPT)
             .exclude(pk=snapshot.pk).delete())
    except IntegrityError:
        # Another request stored the same version at the same moment: read theirs.
        return RankingSnapshot.objects.get(stage=stage, category=category, fingerprint=fingerprint)
    return snapshot


def stored_ranking(*, stage: Stage, category) -> RankingSnapshot:
    """The snapshot of category_ranking(stage, category) for the data as it is now (computed and stored first
    when anything it reads changed): two queries while nothing changed."""
    fingerprint = ranking_fingerprint(stage, category)
    snapshot = RankingSnapshot.objects.filter(stage=stage, category=category, fingerprint=fingerprint).first()
    return snapshot if snapshot is not None else _store(stage, category, fingerprint)


RANKING_SORTS = ("rank", "spread", "number")


@dataclass(frozen=True)
class RankingFilters:
    """What the ranking page shows of the whole ranking: a search, only the disagreements, an order.
    The ranks are those of the whole category; only the rows shown are filtered and paged."""

    q: str = ""
    disagreement: bool = False
    sort: str = "rank"

    @classmethod
    def from_query(cls, params) -> RankingFilters:
        sort = params.get("sort", "rank")
        return cls(q=params.get("q", "").strip()[:100], disagreement=params.get("disagreement") == "1",
                   sort=sort if sort in RANKING_SORTS else "rank")

    @property
    def active(self) -> bool:
        return bool(self.q or self.disagreement)

    def apply(self, entries: QuerySet[RankingEntry]) -> QuerySet[RankingEntry]:
        if self.q:
            entries = entries.filter(Q(application__number__contains=self.q) | Q(application__organisation__name__contains=self.q)
                                     | Q(application__person__name__contains=self.q))
        if self.disagreement:
            entries = entries.filter(disagreement=True)
        if self.sort == "spread":
            return entries.order_by(F("spread").desc(nulls_last=True), "rank", "position")
        if self.sort == "number":
            return entries.order_by(F("application__number").asc(nulls_first=True), "application_id")
        return entries.order_by("position")


# What a page row reads of an entry and of its application (RANKING_FIELDS).
ENTRY_FIELDS = ("snapshot_id", "application_id", "position", "rank", "score", "expert_count", "spread", "std_dev", "disagreement",
                "sheets_submitted", "sheets_assigned", "stage_scores", "expert_totals",
                *(f"application__{name}" for name in RANKING_FIELDS))


class StoredRows(Sequence):
    """The rows of a stored ranking as ScoreSummaryRow, read from the database a slice at a time (a page
    of the paginator is one query); len() is the snapshot's own count unless a filter narrows it."""

    def __init__(self, snapshot: RankingSnapshot, stage: Stage, category, entries: QuerySet[RankingEntry], count: int | None):
        self.snapshot, self.stage, self.category, self.entries, self._count = snapshot, stage, category, entries, count

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.entries.count()
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._rows(self.entries[index])
        return self._rows(self.entries[index:index + 1])[0]

    def __iter__(self):
        return iter(self._rows(self.entries))

    def _rows(self, entries) -> list[ScoreSummaryRow]:
        entries = list(entries.select_related("application__organisation", "application__person").only(*ENTRY_FIELDS))
        applications = [e.application for e in entries]
        share_cycle_objects(self.stage.cycle, applications, [self.category])
        return [entry_row(e) for e in entries]


def entry_row(entry: RankingEntry) -> ScoreSummaryRow:
    totals = {int(e): _decimal(t) for e, t in entry.expert_totals.items()}
    return ScoreSummaryRow(entry.rank, entry.application, entry.score, entry.expert_count, entry.spread, entry.std_dev,
                           entry.disagreement, totals, {c: _decimal(v) for c, v in entry.stage_scores.items()},
                           SheetCount(entry.sheets_submitted, entry.sheets_assigned), list(totals))


@dataclass
class RankingPage:
    """What the ranking page reads of the stored ranking: the summary (its rows paged in SQL), the
    disagreements of the whole category and the rows whose scoresheets are not all in."""

    snapshot: RankingSnapshot
    summary: ScoreSummary
    disagreements: int
    incomplete: list[tuple[str, int, int]]  # (number or applicant name, submitted, assigned): the first INCOMPLETE_SHOWN
    incomplete_total: int  # rows of the whole category whose scoresheets are not all in



def ranking_page(*, stage: Stage, category, filters: RankingFilters) -> RankingPage:
    """The stored ranking as the page reads it: the summary's rows are `filters` applied in SQL (a page of
    them is one query); the whole category's disagreements and its first incomplete rows come with the snapshot."""
    snapshot = stored_ranking(stage=stage, category=category)
    entries = snapshot.entries.all()
    rows = StoredRows(snapshot, stage, category, filters.apply(entries), None if filters.active else snapshot.rows)
    incomplete = [tuple(item) for item in snapshot.incomplete_first[:INCOMPLETE_SHOWN]]
    return RankingPage(snapshot=snapshot, summary=summary_of(stage, category, [], rows), disagreements=snapshot.disagreements,
                       incomplete=incomplete, incomplete_total=snapshot.incomplete)


@dataclass(frozen=True)
class CutoffCandidate:
    application_id: int
    score: Decimal | None


def cutoff_candidates(snapshot: RankingSnapshot, stage: Stage) -> list[CutoffCandidate]:
    """The stored ranking's rows whose applications are still at `stage` and in review, in rank order: what
    a cut-off is drawn over (reviews.services.cutoff_split), in one query of two columns."""
    from applications.models import ApplicationStatus

    entries = snapshot.entries.filter(application__current_stage_id=stage.pk, application__status=ApplicationStatus.IN_REVIEW)
    return [CutoffCandidate(pk, score) for pk, score in entries.order_by("position").values_list("application_id", "score")]


def experts_by_name(expert_ids) -> list:
    """The experts of these ids as columns: by name, then id (as score_summary orders its columns)."""
    from reviews.models import ExpertProfile

    return list(ExpertProfile.objects.filter(pk__in=list(expert_ids)).order_by("name", "pk")) if expert_ids else []
