"""Expert calibration and inter-rater agreement of one scored stage and category (a constant number of queries).

Calibration compares each expert with the panel on the same applications: for every application an expert
scored together with others, their total (and each item score) minus the median of the panel's totals (items)
for it. An expert is flagged as an outlier when the mean of these deviations exceeds the stage's
outlier_percent of the rubric's points (default 5 %) over at least outlier_min_applications (default 3)
applications scored together with others. Agreement (ICC(2,k), Kendall's W) rests on the complete block of
reviews.agreement.complete_block: no missing sheet is ever filled in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from applications.models import Application
from awards.models import CategoryRubric, RubricCriterion, Stage
from awards.rubrics import leaf_criteria
from reviews import agreement, scoring
from reviews.models import Assignment, ExpertProfile, ItemScore, Scoresheet
from reviews.selectors.scoring import ranking_applications, stage_sheet_totals


@dataclass
class ExpertCalibration:
    expert: ExpertProfile
    sheets: int
    mean: Decimal | None  # mean of the expert's totals
    std_dev: Decimal | None  # population σ of the expert's totals
    panel_mean: Decimal | None  # mean of the panel medians of the applications this expert shares with others
    deviation: Decimal | None  # mean of (own total − the panel median) over shared applications
    deviation_percent: Decimal | None  # deviation as % of the rubric's points
    shared: int  # applications scored together with at least one other expert
    outlier: bool
    criteria: list = field(default_factory=list)  # mean item deviation per criterion of the report (None: no shared item)


@dataclass
class ComparisonRow:
    application: Application
    raw_score: Decimal | None
    raw_rank: int
    z_score: Decimal | None
    z_rank: int

    @property
    def change(self) -> int:
        """Places gained (+) or lost (−) when the z-score method ranks instead of the raw one."""
        return self.raw_rank - self.z_rank


@dataclass
class Calibration:
    stage: Stage
    category: object
    method: str  # the stage's aggregation
    raw_method: str  # what the raw ranking uses: the stage's method, or the mean when that is the z-score
    rubric_points: Decimal | None
    outlier_percent: Decimal
    outlier_min_applications: int
    experts: list[ExpertCalibration]
    criteria: list[RubricCriterion]
    panel_mean: Decimal | None
    panel_std_dev: Decimal | None
    sheets: int
    icc: agreement.ICCResult | None
    concordance: agreement.ConcordanceResult | None
    block: agreement.Block | None
    comparison: list[ComparisonRow]

    @property
    def outliers(self) -> list[ExpertCalibration]:
        return [e for e in self.experts if e.outlier]

    @property
    def rank_changes(self) -> int:
        return sum(1 for row in self.comparison if row.change)


def _mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values]
    return scoring.q2(sum(values, Decimal(0)) / len(values)) if values else None


def _against_panel(values_by_expert: dict) -> dict:
    """expert → (own value − the median of every panel value for the application, this expert's included), for a
    group of two or more. The median is not pulled by the one expert who is off, as the others' mean would be
    (with three experts and one harsh, the mean of the others makes the two fair experts look lenient)."""
    if len(values_by_expert) < 2:
        return {}
    values = sorted(values_by_expert.values())
    middle = len(values) // 2
    centre = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {expert: value - centre for expert, value in values_by_expert.items()}


def stage_calibration(*, stage: Stage, category) -> Calibration:
    params = stage.params or {}
    method = params.get("aggregation", "mean")
    raw_method = "mean" if method in scoring.NORMALISED else method
    outlier_percent = Decimal(str(params.get("outlier_percent", scoring.OUTLIER_PERCENT)))
    min_shared = int(params.get("outlier_min_applications", scoring.OUTLIER_MIN_APPLICATIONS))
    choice = CategoryRubric.objects.filter(category=category).select_related("rubric").order_by("organisation_type").first()
    rubric_points = choice.rubric.total_points if choice else None

    sheets = stage_sheet_totals([stage.pk], category_id=category.pk)  # (app, stage, expert, category, total)
    totals: dict[tuple[int, int], Decimal] = {(app, expert): total for app, _s, expert, _c, total in sheets}
    by_app: dict[int, dict[int, Decimal]] = defaultdict(dict)
    by_expert: dict[int, list[Decimal]] = defaultdict(list)
    for (app, expert), total in totals.items():
        by_app[app][expert] = total
        by_expert[expert].append(total)

    items = ItemScore.objects.filter(
        scoresheet__assignment__stage=stage, scoresheet__assignment__status=Assignment.Status.ACTIVE,
        scoresheet__status=Scoresheet.Status.SUBMITTED, scoresheet__assignment__application__category=category,
    ).order_by().values_list("scoresheet__assignment__application_id", "scoresheet__assignment__expert_id", "criterion_id", "score")
    item_groups: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for app, expert, criterion, score in items:
        item_groups[(app, criterion)][expert] = score
    scored = {c for _a, c in item_groups}
    rubrics = {c.rubric for c in RubricCriterion.objects.filter(pk__in=scored).select_related("rubric")}
    # In the rubric's tree order (4.1.1, 4.1.2, … 4.7.6): one query per rubric the category uses (one or a few).
    criteria = [c for rubric in sorted(rubrics, key=lambda r: r.code) for c in leaf_criteria(rubric) if c.pk in scored]

    total_deviations: dict[int, list[Decimal]] = defaultdict(list)
    panel_means: dict[int, list[Decimal]] = defaultdict(list)
    for app, group in by_app.items():
        for expert, deviation in _against_panel(group).items():
            total_deviations[expert].append(deviation)
            panel_means[expert].append(group[expert] - deviation)
    item_deviations: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for (_app, criterion), group in item_groups.items():
        for expert, deviation in _against_panel(group).items():
            item_deviations[(expert, criterion)].append(deviation)

    profiles = {e.pk: e for e in ExpertProfile.objects.filter(pk__in=list(by_expert))}
    experts = []
    for expert_id, own in by_expert.items():
        deviation = _mean(total_deviations.get(expert_id, []))
        shared = len(total_deviations.get(expert_id, []))
        percent = scoring.q2(deviation * 100 / rubric_points) if deviation is not None and rubric_points else None
        experts.append(ExpertCalibration(
            expert=profiles[expert_id], sheets=len(own), mean=_mean(own), std_dev=scoring.std_dev(own),
            panel_mean=_mean(panel_means.get(expert_id, [])), deviation=deviation, deviation_percent=percent, shared=shared,
            outlier=percent is not None and shared >= min_shared and abs(percent) > outlier_percent,
            criteria=[_mean(item_deviations.get((expert_id, c.pk), [])) for c in criteria],
        ))
    experts.sort(key=lambda e: (-(abs(e.deviation) if e.deviation is not None else Decimal(-1)), e.expert.name, e.expert.pk))

    applications = list(ranking_applications(stage=stage, category=category))
    order = [e.expert.pk for e in sorted(experts, key=lambda e: (e.expert.name, e.expert.pk))]
    block = agreement.complete_block(totals, [a.pk for a in applications], order)
    icc = agreement.icc2(block.matrix) if block else None
    concordance = agreement.kendall_w(block.matrix) if block else None
    if block:
        names = {e.expert.pk: e.expert for e in experts}
        block = agreement.Block(block.applications, [names[pk] for pk in block.experts], block.matrix,
                                [names[pk] for pk in block.left_out_experts], block.left_out_applications)

    normalised: dict[int, list[Decimal]] = defaultdict(list)
    for (app, _expert), value in scoring.zscore_normalise((app, expert, total) for (app, expert), total in totals.items()).items():
        normalised[app].append(value)
    raw_inputs, z_inputs = [], []
    for app in applications:
        raw_inputs.append(scoring.RankInput(app, scoring.aggregate(raw_method, list(by_app.get(app.pk, {}).values())), {}, app.submitted_at))
        z_inputs.append(scoring.RankInput(app, scoring.aggregate("zscore", normalised.get(app.pk, [])), {}, app.submitted_at))
    z_by_app = {item.key.pk: (item.score, position) for item, position in scoring.rank(z_inputs, [scoring.SUBMITTED_AT])}
    comparison = [ComparisonRow(item.key, item.score, position, *z_by_app[item.key.pk])
                  for item, position in scoring.rank(raw_inputs, [scoring.SUBMITTED_AT])]

    every_total = list(totals.values())
    return Calibration(
        stage=stage, category=category, method=method, raw_method=raw_method, rubric_points=rubric_points,
        outlier_percent=outlier_percent, outlier_min_applications=min_shared, experts=experts, criteria=criteria,
        panel_mean=_mean(every_total), panel_std_dev=scoring.std_dev(every_total), sheets=len(every_total),
        icc=icc, concordance=concordance, block=block, comparison=comparison,
    )
