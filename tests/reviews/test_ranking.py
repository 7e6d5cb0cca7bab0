"""category_ranking and score_summary over real scoresheets, and their query counts."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from reviews.selectors import category_ranking, score_summary

from .conftest import score_application

pytestmark = pytest.mark.django_db


def stage(cycle, code):
    return cycle.stages.get(code=code)


def test_scored_stage_ranking_uses_the_stage_aggregation_and_reports_spread(cn_cycle, cn_staff, make_application, make_expert):
    presentation = stage(cn_cycle, "presentation")  # trimmed_mean in the seed
    a = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    b = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    score_application(a, presentation, [900, 820, 810, 800, 600], staff=cn_staff, make_expert=make_expert)
    score_application(b, presentation, [700, 790, 800], staff=cn_staff, make_expert=make_expert)

    rows = category_ranking(stage=presentation, category=a.category)

    assert [(r.application.pk, r.rank, r.score, r.expert_count, r.spread) for r in rows] == [
        (a.pk, 1, D("810.00"), 5, D("300.00")),
        (b.pk, 2, D("763.33"), 3, D("100.00")),
    ]
    assert rows[0].stage_scores == {"presentation": D("810.00")}
    assert rows[0].disagreement is True  # 300 of 1000 points apart


def test_comprehensive_ranking_combines_weighted_stages_and_breaks_ties_by_site_visit(cn_cycle, cn_staff, make_application, make_expert):
    stages = {code: stage(cn_cycle, code) for code in ("material-review", "presentation", "site-visit", "comprehensive")}
    t0 = timezone.now() - datetime.timedelta(days=5)
    plan = {  # material, presentation, site visit → 0.3/0.3/0.4 = 800 for each
        "A": (800, 800, 800, t0),
        "B": (850, 850, 725, t0),
        "C": (750, 750, 875, t0 + datetime.timedelta(hours=2)),
    }
    apps = {}
    for key, (m, p, s, submitted) in plan.items():
        app = make_application(cn_cycle, stage="material-review", staff=cn_staff, submitted_at=submitted)
        for code, total in (("material-review", m), ("presentation", p), ("site-visit", s)):
            score_application(app, stages[code], [total], staff=cn_staff, make_expert=make_expert)
            from reviews.services import apply_transition
            apply_transition(application=app, name="advance", actor=cn_staff)
        apps[key] = app

    rows = category_ranking(stage=stages["comprehensive"], category=apps["A"].category)

    assert [(r.application.pk, r.score, r.rank) for r in rows] == [
        (apps["C"].pk, D("800.00"), 1), (apps["A"].pk, D("800.00"), 2), (apps["B"].pk, D("800.00"), 3)]
    assert rows[0].stage_scores == {"material-review": D("750.00"), "presentation": D("750.00"), "site-visit": D("875.00")}
    assert rows[0].expert_count == 1


def test_score_summary_lists_each_experts_total(cn_cycle, cn_staff, make_application, make_expert):
    material = stage(cn_cycle, "material-review")
    a = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    experts = score_application(a, material, [700, 710, 720], staff=cn_staff, make_expert=make_expert)

    summary = score_summary(stage=material, category=a.category)

    assert summary.method == "mean"
    assert [e.pk for e in summary.experts] == sorted([e.pk for e in experts], key=lambda pk: next(e.name for e in experts if e.pk == pk))
    assert summary.rows[0].score == D("710.00")
    assert sorted(summary.rows[0].expert_scores) == [D("700.00"), D("710.00"), D("720.00")]


@pytest.mark.parametrize("count", [1, 50])
def test_ranking_query_count_does_not_grow_with_applications(count, cn_cycle, cn_staff, make_application, make_expert,
                                                             django_assert_num_queries):
    material = stage(cn_cycle, "material-review")
    experts = [make_expert() for _ in range(3)]
    from reviews import services
    from tests.reviews.conftest import submit_total
    for i in range(count):
        app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
        for expert in experts:
            assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
            services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
            submit_total(assignment, D(600 + i))
    category = cn_cycle.categories.get(code="district-mode")
    fresh_stage = type(material).objects.select_related("cycle").get(pk=material.pk)
    with django_assert_num_queries(4):
        rows = category_ranking(stage=fresh_stage, category=category)
    assert len(rows) == count
