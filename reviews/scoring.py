"""Aggregation and ranking as pure functions over Decimals: no database, no Django.

Every figure is rounded to 2 decimal places (ROUND_HALF_UP) only at the end, so the same inputs give
the same published score whichever way the office looks at them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy

# The aggregation methods a scored stage may use and the words pages and documents state them by (the one
# home of these labels; reviews.workflow offers them as the "aggregation" parameter's choices).
AGGREGATION_CHOICES = (
    ("mean", gettext_lazy("算术平均")),
    ("trimmed_mean", gettext_lazy("去掉一个最高分和一个最低分后平均（不少于5位专家时）")),
    ("median", gettext_lazy("中位数")),
    ("zscore", gettext_lazy("标准分（按专家 z 分数归一后平均）")),
)

CENT = Decimal("0.01")
TRIM_MINIMUM = 5  # trimmed mean drops the single highest and lowest only from this many experts on

# Defaults of a scored stage's parameters (reviews.workflow STAGE_KINDS reads them from here, so a stage
# saved before a parameter existed behaves as the default says).
DISAGREEMENT_SPREAD_PERCENT = 10  # 意见分歧: range of the experts' totals above 10 % of the rubric's points …
DISAGREEMENT_STD_PERCENT = 5  # … or their standard deviation above 5 %
OUTLIER_PERCENT = 5  # an expert whose mean deviation from the rest of the panel exceeds 5 % of the points …
OUTLIER_MIN_APPLICATIONS = 3  # … over at least 3 applications scored together with others


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _clean(scores: Iterable[Decimal]) -> list[Decimal]:
    return [Decimal(s) for s in scores if s is not None]


def mean(scores: Iterable[Decimal]) -> Decimal | None:
    values = _clean(scores)
    if not values:
        return None
    return q2(sum(values, Decimal(0)) / len(values))


def trimmed_mean(scores: Iterable[Decimal]) -> Decimal | None:
    """Mean without the single highest and the single lowest score when at least 5 experts scored."""
    values = sorted(_clean(scores))
    if len(values) >= TRIM_MINIMUM:
        values = values[1:-1]
    return mean(values)


def median(scores: Iterable[Decimal]) -> Decimal | None:
    values = sorted(_clean(scores))
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return q2(values[middle])
    return q2((values[middle - 1] + values[middle]) / 2)


AGGREGATORS: dict[str, Callable[[Iterable[Decimal]], Decimal | None]] = {
    "mean": mean,
    "trimmed_mean": trimmed_mean,
    "median": median,
    # z-score: the scores handed in are already normalised by zscore_normalise (it needs every expert's
    # other sheets, which one application's scores do not have); what is left is their mean.
    "zscore": mean,
}
NORMALISED = frozenset({"zscore"})  # methods whose scores are normalised across the stage before aggregating


def aggregate(method: str, scores: Iterable[Decimal]) -> Decimal | None:
    try:
        return AGGREGATORS[method](scores)
    except KeyError:
        raise ValueError(f"unknown aggregation {method!r}") from None


def _population_sd(values: Sequence[Decimal]) -> Decimal:
    centre = sum(values, Decimal(0)) / len(values)
    return (sum(((v - centre) ** 2 for v in values), Decimal(0)) / len(values)).sqrt()


def zscore_normalise(sheets: Iterable[tuple[object, object, Decimal]]) -> dict[tuple[object, object], Decimal]:
    """Each expert's totals standardised against their own mean and spread, put back on the panel's scale.

    sheets: (application, expert, total) of one stage and category. For expert e with mean μe and population
    standard deviation σe over the applications they scored, a total x becomes μ + σ · (x − μe) / σe, where
    μ and σ are the mean and standard deviation of every total in the group. A harsh expert's 700 and a
    lenient one's 850 thus count the same when each is that expert's usual mark. An expert with fewer than
    two sheets, or who gave every application the same total, shows no habit to correct: their total is
    left as it is. Returns (application, expert) → normalised total (not rounded; aggregate() rounds)."""
    rows = [(app, expert, Decimal(total)) for app, expert, total in sheets if total is not None]
    if not rows:
        return {}
    everything = [total for _a, _e, total in rows]
    centre = sum(everything, Decimal(0)) / len(everything)
    scale = _population_sd(everything)
    by_expert: dict[object, list[Decimal]] = {}
    for _app, expert, total in rows:
        by_expert.setdefault(expert, []).append(total)
    habits = {}
    for expert, totals in by_expert.items():
        sd = _population_sd(totals) if len(totals) >= 2 else Decimal(0)
        habits[expert] = (sum(totals, Decimal(0)) / len(totals), sd)
    result = {}
    for app, expert, total in rows:
        own_mean, own_sd = habits[expert]
        result[(app, expert)] = total if own_sd == 0 else centre + scale * (total - own_mean) / own_sd
    return result


def disagrees(spread_value: Decimal | None, std_value: Decimal | None, rubric_points: Decimal | None, *,
              spread_percent=DISAGREEMENT_SPREAD_PERCENT, std_percent=DISAGREEMENT_STD_PERCENT) -> bool:
    """意见分歧: the experts' range above spread_percent % of the rubric's points, or σ above std_percent %."""
    if rubric_points is None or spread_value is None:
        return False
    points = Decimal(rubric_points)
    if spread_value > points * Decimal(str(spread_percent)) / 100:
        return True
    return std_value is not None and std_value > points * Decimal(str(std_percent)) / 100


def spread(scores: Iterable[Decimal]) -> Decimal | None:
    """Range (max − min) of the experts' totals."""
    values = _clean(scores)
    if not values:
        return None
    return q2(max(values) - min(values))


def std_dev(scores: Iterable[Decimal]) -> Decimal | None:
    """Population standard deviation of the experts' totals (the panel is the whole population)."""
    values = _clean(scores)
    if not values:
        return None
    centre = sum(values, Decimal(0)) / len(values)
    variance = sum(((v - centre) ** 2 for v in values), Decimal(0)) / len(values)
    return q2(variance.sqrt())


@dataclass(frozen=True)
class StageAggregate:
    score: Decimal | None
    expert_count: int
    spread: Decimal | None
    std_dev: Decimal | None
    scores: tuple[Decimal, ...]


def summarise(method: str, scores: Sequence[Decimal]) -> StageAggregate:
    values = tuple(sorted(_clean(scores), reverse=True))
    return StageAggregate(aggregate(method, values), len(values), spread(values), std_dev(values), values)


def weighted_score(stage_scores: Mapping[str, Decimal | None], weights: Mapping[str, Decimal | float | str]) -> Decimal | None:
    """Σ weight × stage score over the configured stages; None while any weighted stage has no score."""
    total = Decimal(0)
    for code, weight in weights.items():
        score = stage_scores.get(code)
        if score is None:
            return None
        total += Decimal(str(weight)) * Decimal(score)
    return q2(total)


SUBMITTED_AT = "submitted_at"


@dataclass(frozen=True)
class RankInput:
    key: object  # the application (or its id)
    score: Decimal | None
    stage_scores: Mapping[str, Decimal | None]
    submitted_at: object  # datetime or None


def rank(items: Sequence[RankInput], tie_breaks: Sequence[str] = ()) -> list[tuple[RankInput, int]]:
    """Order by score (highest first, unscored last), then each tie-break stage score (highest first),
    then the earlier submission. Equal on every key share a rank (1, 2, 2, 4)."""
    tie_breaks = [t for t in tie_breaks if t != SUBMITTED_AT]

    def sort_key(item: RankInput):
        key: list = [item.score is None, -(item.score or 0)]
        for code in tie_breaks:
            value = item.stage_scores.get(code)
            key += [value is None, -(value or 0)]
        submitted = item.submitted_at
        key += [submitted is None, submitted.timestamp() if submitted is not None else 0]
        return tuple(key)

    ordered = sorted(items, key=sort_key)
    ranked: list[tuple[RankInput, int]] = []
    previous_key = None
    for position, item in enumerate(ordered, start=1):
        key = sort_key(item)
        if ranked and key == previous_key:
            ranked.append((item, ranked[-1][1]))
        else:
            ranked.append((item, position))
        previous_key = key
    return ranked


# The 5 % bands of the GB/T 19580 scoring guide (GB/Z 19579): a score is a percentage of the item's
# maximum, in steps of 5. These are summaries to help an expert place an item, not the standard's text.
PROCESS_BANDS = (
    (0, 5, "没有系统的方法；信息是零散、孤立的。"),
    (10, 25, "开始有系统的方法应对条款的基本要求；方法的展开处于初始阶段；开始从被动应对转向通过改进评价解决问题。"),
    (30, 45, "有应对条款基本要求的系统、有效的方法；方法在多数部门展开；开始对关键过程进行系统评价和改进；方法与组织基本需要协调一致。"),
    (50, 65, "有应对条款总体要求的系统、有效的方法；方法得到很好展开，个别部门或工作单元可能有差异；有基于事实的系统评价和改进，有学习和创新的迹象；方法与组织需要协调一致。"),
    (70, 85, "有应对条款详细要求的系统、有效的方法；方法得到很好展开、无明显差距；基于事实的系统评价、改进、学习和创新已成为关键的管理工具；方法与组织需要整合。"),
    (90, 100, "有应对条款详细要求的系统、有效的方法；方法全面展开、无薄弱环节；改进、学习和创新成为全组织的关键工具，有充分的分享和标杆；方法与组织需要全面整合。"),
)
RESULT_BANDS = (
    (0, 5, "没有结果，或结果很差；没有趋势和对比数据。"),
    (10, 25, "少数结果有改进或处于初期的良好水平；少量趋势数据；少量对比数据。"),
    (30, 45, "多数重要方面有改进或良好水平；处于取得良好趋势的初期；开始获得对比数据。"),
    (50, 65, "多数重要方面有改进趋势且无不利趋势；多数结果达到良好水平；部分趋势或水平与竞争对手或标杆对比良好；结果涉及多数关键顾客、市场和过程要求。"),
    (70, 85, "多数重要方面的当前水平良好至优秀；多数改进趋势持续；多数趋势和水平与对手和标杆对比领先；结果涉及大多数关键要求。"),
    (90, 100, "大多数重要方面的当前水平优秀；大多数改进趋势长期持续；在多数方面处于行业领先并成为标杆；结果全面涉及关键要求。"),
)


def subtotals(items: Iterable[tuple[object, Decimal | None]]) -> dict[object, Decimal]:
    """Σ score per category key (e.g. the 4.x parent of GB/T 19580 items); unscored items count 0."""
    totals: dict[object, Decimal] = {}
    for key, score in items:
        totals[key] = totals.get(key, Decimal(0)) + (Decimal(score) if score is not None else Decimal(0))
    return {key: q2(value) for key, value in totals.items()}


def band_for(kind: str) -> tuple:
    return RESULT_BANDS if kind == "result" else PROCESS_BANDS


def score_from_percent(max_points: Decimal, percent: int) -> Decimal:
    """A 5 % band step turned into points: 50 points at 65 % → 32.50."""
    if percent % 5 or not 0 <= percent <= 100:
        raise ValueError("percent must be a multiple of 5 between 0 and 100")
    return q2(Decimal(max_points) * percent / 100)
