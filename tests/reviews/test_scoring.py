"""Aggregation, spread and ranking: exact expected values, computed by hand."""

import datetime
from decimal import Decimal as D

import pytest

from reviews import scoring

THREE = [D("80"), D("70"), D("72.5")]
FIVE = [D("900"), D("820"), D("810"), D("800"), D("600")]
SEVEN = [D("700"), D("710"), D("720"), D("730"), D("740"), D("750"), D("990")]


@pytest.mark.parametrize(
    ("scores", "method", "expected"),
    [
        # 3 experts: 222.5 / 3 = 74.1666… ; fewer than 5 experts, so the trimmed mean is the plain mean
        (THREE, "mean", D("74.17")),
        (THREE, "trimmed_mean", D("74.17")),
        (THREE, "median", D("72.50")),
        # 5 experts: 3930 / 5 ; without 900 and 600: 2430 / 3 ; middle value 810
        (FIVE, "mean", D("786.00")),
        (FIVE, "trimmed_mean", D("810.00")),
        (FIVE, "median", D("810.00")),
        # 7 experts: 5340 / 7 = 762.857… ; without 990 and 700: 3650 / 5 ; middle value 730
        (SEVEN, "mean", D("762.86")),
        (SEVEN, "trimmed_mean", D("730.00")),
        (SEVEN, "median", D("730.00")),
    ],
)
def test_aggregation_gives_the_exact_value_for_3_5_and_7_experts(scores, method, expected):
    assert scoring.aggregate(method, scores) == expected


def test_median_of_an_even_number_of_scores_is_the_mean_of_the_middle_two():
    assert scoring.median([D("10"), D("45"), D("20"), D("30")]) == D("25.00")


def test_trimmed_mean_drops_only_one_highest_and_one_lowest_even_when_repeated():
    # 5 experts, two share the top score: only one 90 goes, and only one 50.
    assert scoring.trimmed_mean([D("90"), D("90"), D("70"), D("50"), D("50")]) == D("70.00")


def test_spread_and_standard_deviation_flag_disagreement():
    assert scoring.spread(FIVE) == D("300.00")
    # deviations from 786: 114, 34, 24, 14, −186 → Σd² = 49520, /5 = 9904, √ = 99.5188…
    assert scoring.std_dev(FIVE) == D("99.52")
    # deviations from 74.1666…: Σd² = 54.1666…, /3 = 18.0555…, √ = 4.2492…
    assert scoring.std_dev(THREE) == D("4.25")
    assert scoring.spread(SEVEN) == D("290.00")


def test_no_scores_give_no_score_rather_than_zero():
    assert scoring.aggregate("mean", []) is None
    assert scoring.summarise("median", []).expert_count == 0


def test_combined_weighted_score():
    weights = {"material-review": 0.3, "presentation": 0.3, "site-visit": 0.4}
    assert scoring.weighted_score({"material-review": D("800"), "presentation": D("750"), "site-visit": D("900")}, weights) == D("825.00")
    # 812.33×0.3 + 790.50×0.3 + 801.25×0.4 = 243.699 + 237.15 + 320.5 = 801.349
    assert scoring.weighted_score({"material-review": D("812.33"), "presentation": D("790.50"), "site-visit": D("801.25")}, weights) == D("801.35")


def test_combined_score_waits_for_every_weighted_stage():
    weights = {"material-review": "0.5", "presentation": "0.5"}
    assert scoring.weighted_score({"material-review": D("800"), "presentation": None}, weights) is None


def test_ranking_breaks_ties_by_the_stated_stages_then_the_earlier_submission():
    t0 = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)
    later = t0 + datetime.timedelta(hours=1)
    items = [
        scoring.RankInput("A", D("800.00"), {"site-visit": D("800"), "presentation": D("800")}, t0),
        scoring.RankInput("B", D("800.00"), {"site-visit": D("725"), "presentation": D("850")}, t0),
        scoring.RankInput("C", D("800.00"), {"site-visit": D("875"), "presentation": D("750")}, t0),
        scoring.RankInput("D", D("810.00"), {"site-visit": D("700"), "presentation": D("700")}, later),
        scoring.RankInput("E", D("800.00"), {"site-visit": D("800"), "presentation": D("800")}, later),
        scoring.RankInput("F", None, {}, t0),
    ]
    ranked = scoring.rank(items, ["site-visit", "presentation", "submitted_at"])
    assert [(item.key, position) for item, position in ranked] == [
        ("D", 1), ("C", 2), ("A", 3), ("E", 4), ("B", 5), ("F", 6)]


def test_ranking_gives_a_shared_rank_only_when_every_key_is_equal():
    t0 = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)
    items = [scoring.RankInput(k, D("90"), {}, t0) for k in "XY"] + [scoring.RankInput("Z", D("80"), {}, t0)]
    assert [p for _i, p in scoring.rank(items)] == [1, 1, 3]


def test_band_helper_turns_a_percentage_into_points():
    assert scoring.score_from_percent(D("50"), 65) == D("32.50")
    assert scoring.score_from_percent(D("15"), 35) == D("5.25")
    with pytest.raises(ValueError):
        scoring.score_from_percent(D("50"), 62)
