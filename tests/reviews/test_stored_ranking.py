"""The ranking page reads a stored ranking (reviews.selectors.rankings): it must equal category_ranking /
score_summary for every aggregation method and be recomputed whenever anything the rule reads changes."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from awards.models import Stage
from reviews import services
from reviews.models import Assignment, RankingSnapshot
from reviews.selectors import RankingFilters, cutoff_candidates, ranking_page, score_summary, stored_ranking

from .conftest import score_application, submit_total

pytestmark = pytest.mark.django_db

# Five experts per application (the trimmed mean drops the highest and the lowest from five on); the experts
# score alike across applications so that z-score normalisation moves the totals.
PLAN = [[900, 880, 600, 870, 860], [820, 800, 780, 810, 790], [700, 720, 650, 690, 705], [820, 800, 640, 815, 805]]


def _fresh(stage):
    return Stage.objects.select_related("cycle").get(pk=stage.pk)  # a fresh cycle: its pipeline is read again


def _row(r):
    return (r.application.pk, r.rank, r.score, r.expert_count, r.spread, r.std_dev, r.disagreement, r.sheets,
            r.stage_scores, r.expert_totals)


def _assert_stored_equals_rule(stage, category, filters=RankingFilters()):
    expected = score_summary(stage=_fresh(stage), category=category)
    page = ranking_page(stage=_fresh(stage), category=category, filters=filters)
    assert [_row(r) for r in page.summary.rows] == [_row(r) for r in expected.rows]
    assert len(page.summary.rows) == len(expected.rows)
    assert page.disagreements == sum(1 for r in expected.rows if r.disagreement)
    assert services.incomplete_notice(page.incomplete, page.incomplete_total) == services.incomplete_refusal(expected.rows)
    return expected


@pytest.fixture
def scored(cn_cycle, cn_staff, make_application, make_expert):
    stage = cn_cycle.stages.get(code="material-review")
    apps = [make_application(cn_cycle, stage="material-review", staff=cn_staff, person=i == 2,
                             submitted_at=timezone.now() - datetime.timedelta(days=10 - i)) for i in range(len(PLAN) + 1)]
    experts = [make_expert() for _ in range(5)]
    assignments = {}
    for app, totals in zip(apps, PLAN):
        for expert, total in zip(experts, totals):
            assignment = services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
            services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
            submit_total(assignment, D(total))
            assignments[(app.pk, expert.pk)] = assignment
    # The last application: one sheet of two in (incomplete), the other assigned and not submitted.
    last = apps[-1]
    for expert, total in zip(experts[:2], (750, None)):
        assignment = services.assign_expert(stage=stage, application=last, expert=expert, actor=cn_staff)
        services.declare_conflict(expert=expert, application=last, has_conflict=False, reason="", actor=expert.user)
        if total is not None:
            submit_total(assignment, D(total))
        assignments[(last.pk, expert.pk)] = assignment
    return stage, apps, experts, assignments


@pytest.mark.parametrize("method", ["mean", "trimmed_mean", "median", "zscore"])
def test_the_stored_ranking_equals_the_rule_for_every_aggregation(method, scored, cn_staff):
    stage, apps, _experts, _assignments = scored
    if method != stage.params.get("aggregation", "mean"):
        services.set_stage_aggregation(stage=_fresh(stage), method=method, actor=cn_staff, reason="测试")
    expected = _assert_stored_equals_rule(stage, apps[0].category)
    assert {r.sheets.incomplete for r in expected.rows} == {True, False}
    assert len({r.rank for r in expected.rows}) > 1


def test_filters_and_sorts_in_sql_give_the_rows_the_page_gave_in_python(scored):
    stage, apps, _experts, _assignments = scored
    category = apps[0].category
    rows = score_summary(stage=_fresh(stage), category=category).rows

    def read(**filters):
        page = ranking_page(stage=_fresh(stage), category=category, filters=RankingFilters(**filters))
        return [_row(r) for r in page.summary.rows]

    assert read(disagreement=True) == [_row(r) for r in rows if r.disagreement]
    assert read(sort="spread") == [_row(r) for r in sorted(rows, key=lambda r: (r.spread is None, -(r.spread or 0), r.rank))]
    assert read(sort="number") == [_row(r) for r in sorted(rows, key=lambda r: (r.application.number or "", r.application.pk))]
    assert read(q=apps[1].number) == [_row(r) for r in rows if r.application.pk == apps[1].pk]
    person = apps[2].applicant_name
    assert read(q=person) == [_row(r) for r in rows if person in r.application.applicant_name]


def test_the_stored_ranking_is_recomputed_when_what_it_reads_changes(scored, cn_staff, make_application, make_expert):
    stage, apps, experts, assignments = scored
    category = apps[0].category
    _assert_stored_equals_rule(stage, category)
    first = stored_ranking(stage=_fresh(stage), category=category)
    assert stored_ranking(stage=_fresh(stage), category=category).pk == first.pk  # nothing changed: read, not recomputed

    def newest():
        return RankingSnapshot.objects.filter(stage=stage, category=category).order_by("-pk").first()

    def changed():
        before = newest()
        _assert_stored_equals_rule(stage, category)
        assert newest().fingerprint != before.fingerprint

    # A submitted scoresheet reopened, then submitted again with another total.
    sheet = Assignment.objects.get(pk=assignments[(apps[0].pk, experts[0].pk)].pk).scoresheet
    services.reopen_scoresheet(scoresheet=sheet, actor=cn_staff, reason="复核")
    changed()
    submit_total(assignments[(apps[0].pk, experts[0].pk)], D(500))
    changed()
    # The missing sheet of the last application submitted: it is no longer incomplete.
    submit_total(assignments[(apps[-1].pk, experts[1].pk)], D(990))
    changed()
    # An expert recused (a declared conflict), a new application scored, another one advanced.
    services.declare_conflict(expert=experts[2], application=apps[1], has_conflict=True, reason="同一集团", actor=cn_staff)
    changed()
    newcomer = make_application(apps[0].cycle, stage="material-review", staff=cn_staff)
    changed()
    score_application(newcomer, stage, [999], staff=cn_staff, make_expert=make_expert)
    changed()
    services.apply_transition(application=apps[3], name="advance", actor=cn_staff)
    changed()
    # The stage's parameters, through the service and written directly; the rubric's points.
    services.set_stage_aggregation(stage=_fresh(stage), method="median", actor=cn_staff, reason="测试")
    changed()
    Stage.objects.filter(pk=stage.pk).update(params={**_fresh(stage).params, "disagreement_spread_percent": 50})
    changed()
    rubric = category.rubric_choices.select_related("rubric").first().rubric
    type(rubric).objects.filter(pk=rubric.pk).update(total_points=rubric.total_points * 2)
    changed()
    # A total written without the service (no signal, no timestamp): still seen.
    from reviews.models import Scoresheet

    Scoresheet.objects.filter(pk=sheet.pk).update(total=D("123.00"))
    changed()


def test_saving_drafts_does_not_recompute_the_stored_ranking(scored, cn_cycle, make_application):
    stage, apps, experts, assignments = scored
    category = apps[0].category
    first = stored_ranking(stage=_fresh(stage), category=category)
    # An expert's draft of the sheet still missing, and a new application submitted but not in review yet.
    assignment = Assignment.objects.get(pk=assignments[(apps[-1].pk, experts[1].pk)].pk)
    item = next(iter(services.scoresheet_for(assignment).rubric.criteria.filter(children__isnull=True)))
    services.save_scores(assignment=assignment, scores={item.pk: D("1")}, opinion="", actor=assignment.expert.user, submit=False)
    make_application(cn_cycle, category.code)
    assert stored_ranking(stage=_fresh(stage), category=category).pk == first.pk
    _assert_stored_equals_rule(stage, category)


def test_the_incomplete_warning_names_the_first_rows_and_counts_them_all(scored, cn_staff, make_application, make_expert,
                                                                         monkeypatch):
    stage, apps, experts, _assignments = scored
    other = make_application(apps[0].cycle, stage="material-review", staff=cn_staff)
    score_application(other, stage, [100], staff=cn_staff, make_expert=make_expert)  # ranked last of the scored
    services.assign_expert(stage=stage, application=other, expert=experts[0], actor=cn_staff)  # a second sheet, not in
    monkeypatch.setattr("reviews.selectors.rankings.INCOMPLETE_SHOWN", 1)
    page = ranking_page(stage=_fresh(stage), category=apps[0].category, filters=RankingFilters())
    assert page.incomplete_total == 2 and len(page.incomplete) == 1
    first = next(r for r in score_summary(stage=_fresh(stage), category=apps[0].category).rows if r.sheets.incomplete)
    assert services.incomplete_notice(page.incomplete, page.incomplete_total) == (
        f"以下申报的评分表尚未收齐：{first.application.number}"
        f"（已提交 {first.sheets.submitted} / 应提交 {first.sheets.assigned}） 等，共 2 项。"
        "按不完整的评分划线须明确确认并说明理由。")


@pytest.mark.parametrize(("method", "value"), [("top_k", D("2")), ("min_score", D("780")), ("top_k", D("0"))])
def test_the_cut_off_preview_over_the_stored_ranking_equals_the_cut_off(method, value, scored, cn_staff):
    stage, apps, _experts, _assignments = scored
    services.apply_transition(application=apps[1], name="advance", actor=cn_staff)  # no longer at the stage: not cut
    category = apps[0].category
    advance, fail = services.cutoff_plan(stage=_fresh(stage), category=category, method=method, value=value)
    page = ranking_page(stage=_fresh(stage), category=category, filters=RankingFilters())
    shown = services.cutoff_split(cutoff_candidates(page.snapshot, stage), method=method, value=value)
    expected = [[r.application.pk for r in part] for part in (advance, fail)]
    assert [[c.application_id for c in part] for part in shown] == expected
    assert apps[1].pk not in {c.application_id for part in shown for c in part}


def test_a_superseded_snapshot_stays_a_while_for_the_requests_reading_it(scored, cn_staff):
    stage, apps, experts, assignments = scored
    category = apps[0].category
    first = stored_ranking(stage=_fresh(stage), category=category)
    submit_total(assignments[(apps[-1].pk, experts[1].pk)], D(990))
    second = stored_ranking(stage=_fresh(stage), category=category)
    assert second.pk != first.pk and first.entries.exists()  # a request that read `first` still finds its rows
    RankingSnapshot.objects.filter(pk__in=[first.pk, second.pk]).update(computed_at=timezone.now() - datetime.timedelta(hours=1))
    sheet = Assignment.objects.get(pk=assignments[(apps[0].pk, experts[0].pk)].pk).scoresheet
    services.reopen_scoresheet(scoresheet=sheet, actor=cn_staff, reason="复核")
    third = stored_ranking(stage=_fresh(stage), category=category)
    assert list(RankingSnapshot.objects.filter(stage=stage, category=category).values_list("pk", flat=True)) == [third.pk]
