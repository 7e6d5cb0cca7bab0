"""Reads for the 评价反馈报告: what the experts wrote (never who), the panel's band per criterion, and when a
report reaches the applicant (the release rule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from awards.models import FeedbackRelease, RubricCriterion, Stage
from awards.rubrics import leaf_criteria
from reviews import scoring
from reviews.models import Assignment, FeedbackReport, ItemScore, Scoresheet
from reviews.selectors.awards import approval_for_cycle


def feedback_criteria(rubric) -> list[RubricCriterion]:
    """The leaf criteria that collect 优势 / 改进机会: none when the rubric does not, else those enabled."""
    if rubric is None or not rubric.feedback_enabled:
        return []
    return [c for c in leaf_criteria(rubric) if c.feedback_enabled]


def expert_label(index: int) -> str:
    """Experts are shown as 专家A, 专家B … in the order their scoresheets were created: never by name."""
    return chr(65 + index) if index < 26 else f"{chr(65 + index // 26 - 1)}{chr(65 + index % 26)}"


@dataclass
class CriterionSources:
    criterion: RubricCriterion
    scores: list[Decimal] = field(default_factory=list)
    strengths: list[tuple[str, str]] = field(default_factory=list)  # (expert label, text)
    improvements: list[tuple[str, str]] = field(default_factory=list)

    @property
    def percent(self) -> Decimal | None:
        mean = scoring.mean(self.scores)
        if mean is None or not self.criterion.max_points:
            return None
        return scoring.q2(mean * 100 / self.criterion.max_points)


@dataclass
class FeedbackSources:
    rubric: object
    sheet_count: int
    criteria: list[CriterionSources]


def submitted_sheets(*, application, stage: Stage) -> list[Scoresheet]:
    return list(Scoresheet.objects.filter(assignment__application=application, assignment__stage=stage,
                                          assignment__status=Assignment.Status.ACTIVE, status=Scoresheet.Status.SUBMITTED)
                .select_related("rubric").order_by("pk"))


def feedback_sources(*, application, stage: Stage) -> FeedbackSources:
    """Per feedback criterion: the submitted item scores and the experts' texts, labelled 专家A, B … (3 queries)."""
    sheets = submitted_sheets(application=application, stage=stage)
    rubric = sheets[0].rubric if sheets else None
    criteria = feedback_criteria(rubric)
    by_criterion = {c.pk: CriterionSources(criterion=c) for c in criteria}
    labels = {sheet.pk: expert_label(index) for index, sheet in enumerate(sheets)}
    items = ItemScore.objects.filter(scoresheet__in=[s.pk for s in sheets], criterion_id__in=list(by_criterion)).order_by(
        "scoresheet_id")
    for item in items:
        row = by_criterion[item.criterion_id]
        row.scores.append(item.score)
        if item.strengths.strip():
            row.strengths.append((labels[item.scoresheet_id], item.strengths.strip()))
        if item.improvements.strip():
            row.improvements.append((labels[item.scoresheet_id], item.improvements.strip()))
    return FeedbackSources(rubric=rubric, sheet_count=len(sheets), criteria=[by_criterion[c.pk] for c in criteria])


def band_of(percent: Decimal | None, kind: str) -> tuple[int, int, str] | None:
    """The 5 % band of the scoring guide that holds the panel's percentage (rounded to the nearest 5 %)."""
    if percent is None:
        return None
    step = max(0, min(100, int((Decimal(percent) / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 5))
    return next((low, high, text) for low, high, text in scoring.band_for(kind) if low <= step <= high)


def feedback_report(*, application, stage: Stage) -> FeedbackReport | None:
    return (FeedbackReport.objects.filter(application=application, stage=stage)
            .select_related("stage__cycle__programme__organiser", "approved_by").first())


def report_items(report: FeedbackReport) -> list:
    """The report's items in rubric order, with criterion."""
    items = list(report.items.select_related("criterion__rubric", "criterion__parent"))
    order = {}
    if items:
        rubric = items[0].criterion.rubric
        order = {c.pk: index for index, c in enumerate(leaf_criteria(rubric))}
    return sorted(items, key=lambda item: order.get(item.criterion_id, 0))


def _release_allows(cycle) -> bool:
    mode = cycle.feedback_release
    if mode == FeedbackRelease.ON_APPROVAL:
        return True
    if mode == FeedbackRelease.AFTER_DECISION:
        return approval_for_cycle(cycle) is not None
    return False


def feedback_released(report: FeedbackReport) -> bool:
    """The release rule: an approved report reaches the applicant as its cycle says (at once, after the cycle's
    approval of winners, or never)."""
    return report is not None and report.is_approved and _release_allows(report.stage.cycle)


def released_feedback_reports(application) -> list[FeedbackReport]:
    """The reports of an application that its applicant may read now, in stage order."""
    reports = list(FeedbackReport.objects.filter(application=application, status=FeedbackReport.Status.APPROVED)
                   .select_related("stage__cycle__programme__organiser").order_by("stage__order"))
    if not reports or not _release_allows(reports[0].stage.cycle):  # one cycle: the rule is asked once
        return []
    return reports
