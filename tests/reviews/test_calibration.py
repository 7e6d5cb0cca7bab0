"""Expert calibration, inter-rater agreement, the z-score method and the disagreement thresholds of a stage."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.models import ActivityLog
from reviews import agreement, scoring, services
from reviews.selectors import category_ranking, stage_calibration
from reviews.workflow import kind_spec, validate_stage_params
from tests.conftest import force_login_verified

from .conftest import submit_total

# ---------------------------------------------------------------------------------------------
# The measures against published worked examples (not against our own output)

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
# Psychological Bulletin 86(2), 420-428, Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_icc_matches_shrout_and_fleiss_table_2():
    result = agreement.icc2(SHROUT_FLEISS)

    assert round(result.single, 2) == 0.29  # ICC(2,1) as published
    assert round(result.average, 2) == 0.62  # ICC(2,4) as published
    assert (result.applications, result.experts) == (6, 4)


def test_kendall_w_matches_published_examples():
    # ProofWiki, "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1": 3 competitors ranked by
    # 4 judges, W = 1/16.
    proofwiki = [[1, 1, 2, 3], [3, 2, 3, 1], [2, 3, 1, 2]]
    assert agreement.kendall_w(proofwiki).w == pytest.approx(1 / 16)
    # Siegel (1956), Nonparametric Statistics for the Behavioral Sciences, ch. 9: three executives rank six
    # job applicants; rank sums 8, 14, 11, 11, 11, 8 and W = 0.16.
    executives = list(zip([1, 6, 3, 2, 5, 4], [1, 5, 6, 4, 2, 3], [6, 3, 2, 5, 4, 1]))
    assert round(agreement.kendall_w(executives).w, 2) == 0.16


def test_kendall_w_of_identical_rankings_with_ties_is_one():
    assert agreement.kendall_w([[1, 1], [2, 2], [2, 2], [3, 3]]).w == pytest.approx(1.0)


def test_complete_block_keeps_only_sheets_that_exist():
    # e3 scored only a1: dropping e3 leaves a 3 × 2 complete block, never a filled-in cell.
    scores = {("a1", "e1"): 1, ("a1", "e2"): 2, ("a1", "e3"): 3, ("a2", "e1"): 4, ("a2", "e2"): 5, ("a3", "e1"): 6, ("a3", "e2"): 7}
    block = agreement.complete_block(scores, ["a1", "a2", "a3"], ["e1", "e2", "e3"])

    assert (block.applications, block.experts, block.left_out_experts) == (["a1", "a2", "a3"], ["e1", "e2"], ["e3"])
    assert block.matrix == [[1.0, 2.0], [4.0, 5.0], [6.0, 7.0]]
    assert agreement.complete_block({("a1", "e1"): 1, ("a2", "e2"): 2}, ["a1", "a2"], ["e1", "e2"]) is None


def test_complete_block_keeps_dropping_until_a_block_exists():
    # Four experts, each application scored by three (as auto-assignment leaves it): no application has all
    # four; dropping one expert (e4, fewest sheets) leaves a1 and a2 complete with e1-e3.
    scores = {(a, e): 1 + i for i, (a, e) in enumerate([
        ("a1", "e1"), ("a1", "e2"), ("a1", "e3"), ("a2", "e1"), ("a2", "e2"), ("a2", "e3"),
        ("a3", "e1"), ("a3", "e2"), ("a3", "e4"), ("a4", "e2"), ("a4", "e3"), ("a4", "e4")])}
    block = agreement.complete_block(scores, ["a1", "a2", "a3", "a4"], ["e1", "e2", "e3", "e4"])

    assert (block.applications, block.experts, block.left_out_experts, block.left_out_applications) == (
        ["a1", "a2"], ["e1", "e2", "e3"], ["e4"], 2)


def test_zscore_normalise_removes_a_constant_severity():
    # Expert h gives every application 100 less than expert l, with the same spread: after normalising the two
    # experts agree exactly, on the scale of all six totals (mean 800).
    sheets = [("a", "l", D(900)), ("b", "l", D(800)), ("c", "l", D(850)), ("a", "h", D(800)), ("b", "h", D(700)), ("c", "h", D(750))]
    result = scoring.zscore_normalise(sheets)

    assert result[("a", "l")] == result[("a", "h")]
    assert result[("b", "l")] == result[("b", "h")]
    assert scoring.q2(result[("c", "l")]) == D("800.00")  # each expert's own mean maps to the panel's mean
    # An expert with one sheet shows no habit: the total stays as given.
    assert scoring.zscore_normalise([("a", "x", D(640))]) == {("a", "x"): D(640)}


# ---------------------------------------------------------------------------------------------
# Stage parameters


def test_scored_stage_parameters_default_to_todays_thresholds_and_refuse_bad_values():
    cleaned = validate_stage_params("scored_review", {})
    assert (cleaned["disagreement_spread_percent"], cleaned["disagreement_std_percent"]) == (10, 5)
    assert (cleaned["outlier_percent"], cleaned["outlier_min_applications"], cleaned["aggregation"]) == (5, 3, "mean")
    with pytest.raises(Exception, match="outlier_percent"):
        validate_stage_params("scored_review", {"outlier_percent": 0})
    with pytest.raises(Exception, match="aggregation"):
        validate_stage_params("scored_review", {"aggregation": "geometric"})
    labels = dict(kind_spec("scored_review").params["aggregation"].choices)
    assert set(labels) == {"mean", "trimmed_mean", "median", "zscore"}
    assert str(labels["zscore"]) == "标准分（按专家 z 分数归一后平均）"


# ---------------------------------------------------------------------------------------------
# The calibration page over real scoresheets

pytestmark_db = pytest.mark.django_db

# Three experts score four applications; 严 is harsh by 150 points (15 % of 1000), 宽 and 中 agree.
PLAN = {"宽": [900, 820, 760, 700], "中": [880, 800, 780, 690], "严": [600, 780, 640, 550]}


@pytest.fixture
def scored(cn_cycle, cn_staff, make_application, make_expert):
    stage = cn_cycle.stages.get(code="material-review")
    apps = [make_application(cn_cycle, stage="material-review", staff=cn_staff) for _ in range(4)]
    experts = {name: make_expert(name=name) for name in PLAN}
    for name, totals in PLAN.items():
        for app, total in zip(apps, totals):
            assignment = services.assign_expert(stage=stage, application=app, expert=experts[name], actor=cn_staff)
            services.declare_conflict(expert=experts[name], application=app, has_conflict=False, reason="", actor=experts[name].user)
            submit_total(assignment, D(total))
    return stage, apps, experts


@pytest.mark.django_db
def test_calibration_flags_the_harsh_expert_and_reports_agreement_on_the_full_panel(scored):
    stage, apps, experts = scored
    report = stage_calibration(stage=stage, category=apps[0].category)

    by_name = {e.expert.name: e for e in report.experts}
    harsh = by_name["严"]
    # 严's deviations from each application's panel median: 600−880, 780−800, 640−760, 550−690 → mean −140 (−14 %).
    assert (harsh.sheets, harsh.shared, harsh.deviation, harsh.deviation_percent, harsh.outlier) == (4, 4, D("-140.00"), D("-14.00"), True)
    assert harsh.mean == D("642.50")
    assert [(e.deviation, e.outlier) for e in (by_name["宽"], by_name["中"])] == [(D("12.50"), False), (D("5.00"), False)]
    assert report.block is not None and (len(report.block.applications), len(report.block.experts)) == (4, 3)
    matrix = [[PLAN[name][i] for name in sorted(PLAN)] for i in range(4)]  # the same cells, independently
    assert report.icc.average == pytest.approx(agreement.icc2(matrix).average)
    assert report.concordance.w == pytest.approx(agreement.kendall_w(matrix).w)


@pytest.mark.django_db
def test_calibration_page_shows_figures_the_comparison_and_links(client, cn_staff, scored, django_assert_max_num_queries):
    stage, apps, _experts = scored
    force_login_verified(client, cn_staff)
    url = reverse("reviews:calibration", args=[stage.cycle.code, stage.code]) + f"?category={apps[0].category.code}"

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "ICC(2,k)" in html and "Kendall W" in html and "4 × 3" in html
    assert "偏低" in html  # the harsh expert's flag
    assert "原始排名与标准分排名对照" in html
    ranking = client.get(reverse("reviews:ranking", args=[stage.cycle.code, stage.code])).content.decode()
    assert reverse("reviews:calibration", args=[stage.cycle.code, stage.code]) in ranking
    assert "极差超过总分 10% 或标准差超过 5%" in ranking


@pytest.mark.django_db
def test_calibration_query_count_does_not_grow_with_applications(client, cn_cycle, cn_staff, scored, make_application,
                                                                 make_expert, django_assert_num_queries):
    stage, apps, experts = scored
    force_login_verified(client, cn_staff)
    url = reverse("reviews:calibration", args=[stage.cycle.code, stage.code]) + f"?category={apps[0].category.code}"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
        for expert in experts.values():
            assignment = services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
            services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
            submit_total(assignment, D(700))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_changing_the_method_to_zscore_is_logged_and_changes_the_ranking_score(client, cn_staff, scored):
    stage, apps, _experts = scored
    force_login_verified(client, cn_staff)
    url = reverse("reviews:calibration", args=[stage.cycle.code, stage.code])
    before = {r.application.pk: r.score for r in category_ranking(stage=stage, category=apps[0].category)}

    response = client.post(url, {"aggregation": "zscore", "reason": "专家宽严不一", "category": apps[0].category.code})

    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.params["aggregation"] == "zscore"
    entry = ActivityLog.objects.filter(action="reviews.stage.aggregation").get()
    assert entry.before == {"aggregation": "mean", "label": "算术平均"}
    assert entry.after == {"aggregation": "zscore", "label": "标准分（按专家 z 分数归一后平均）"}
    assert entry.reason == "专家宽严不一"
    after = {r.application.pk: r.score for r in category_ranking(stage=stage, category=apps[0].category)}
    assert before[apps[1].pk] == D("800.00")  # (820 + 800 + 780) / 3
    assert after[apps[1].pk] != before[apps[1].pk]
    report = stage_calibration(stage=stage, category=apps[0].category)
    assert {row.application.pk: row.z_score for row in report.comparison} == after


@pytest.mark.django_db
def test_a_bad_method_or_missing_reason_is_refused_with_a_message(client, cn_staff, scored):
    stage, apps, _experts = scored
    force_login_verified(client, cn_staff)
    url = reverse("reviews:calibration", args=[stage.cycle.code, stage.code])

    bad = client.post(url, {"aggregation": "geometric", "reason": "试试"})
    no_reason = client.post(url, {"aggregation": "median", "reason": " "})

    assert bad.status_code == 400 and "汇总方式（aggregation）" in bad.content.decode()
    assert no_reason.status_code == 400 and "请说明更改汇总方式的理由。" in no_reason.content.decode()
    stage.refresh_from_db()
    assert stage.params["aggregation"] == "mean"
    assert not ActivityLog.objects.filter(action="reviews.stage.aggregation").exists()


@pytest.mark.django_db
def test_disagreement_thresholds_are_the_stage_parameters(scored):
    stage, apps, _experts = scored

    def flags(**params):
        if params:
            type(stage).objects.filter(pk=stage.pk).update(params=validate_stage_params("scored_review", {**stage.params, **params}))
        fresh = type(stage).objects.get(pk=stage.pk)  # a fresh cycle: its pipeline is read again
        rows = {r.application.pk: r.disagreement for r in category_ranking(stage=fresh, category=apps[0].category)}
        return rows[apps[0].pk], rows[apps[1].pk]

    # Application 1: 900 / 880 / 600 → range 300 (30 %), σ 137 (13.7 %); application 2: 820 / 800 / 780 → range 40 (4 %), σ 16.3.
    assert flags() == (True, False)
    assert flags(disagreement_spread_percent=40, disagreement_std_percent=20) == (False, False)
    assert flags(disagreement_spread_percent=3) == (True, True)
