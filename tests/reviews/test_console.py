"""The staff console: scope, queue (filters, query count), bulk actions, 资格审查, supplements, ranking and cut-off."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from core.models import ActivityLog, EmailNotification
from reviews import services
from reviews.models import CutoffDecision, SupplementRequest

from .conftest import score_application

pytestmark = pytest.mark.django_db


def queue_url(cycle, **params):
    from urllib.parse import urlencode

    return reverse("reviews:staff_queue", args=[cycle.code]) + (f"?{urlencode(params)}" if params else "")


def test_staff_of_another_organiser_get_404(cn_cycle, cn_staff, xh_staff, make_application, client):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    client.force_login(xh_staff)
    assert client.get(queue_url(cn_cycle)).status_code == 404
    assert client.get(reverse("reviews:staff_application", args=[cn_cycle.code, app.pk])).status_code == 404
    assert client.post(reverse("reviews:staff_transition", args=[cn_cycle.code, app.pk]), {"name": "advance"}).status_code == 404
    assert Application.objects.get(pk=app.pk).current_stage.code == "eligibility"


def test_queue_filters_and_search(cn_cycle, cn_staff, make_application, client):
    a = make_application(cn_cycle, stage="eligibility", staff=cn_staff, name="长宁精工有限公司")
    b = make_application(cn_cycle, "gold-mode", stage="material-review", staff=cn_staff, name="虹桥物流有限公司")
    c = make_application(cn_cycle)
    client.force_login(cn_staff)

    def numbers(**params):
        response = client.get(queue_url(cn_cycle, **params))
        assert response.status_code == 200
        return sorted(app.number for app, _agg in response.context["rows"])

    assert numbers() == sorted([a.number, b.number, c.number])
    assert numbers(stage="material-review") == [b.number]
    assert numbers(status="submitted") == [c.number]
    assert numbers(category="gold-mode") == [b.number]
    assert numbers(q="精工") == [a.number]
    assert numbers(q=b.organisation.credit_code) == [b.number]
    assert numbers(recommender="none") == sorted([a.number, b.number, c.number])


def test_queue_score_filter_uses_the_stage_aggregation(cn_cycle, cn_staff, make_application, make_expert, client):
    material = cn_cycle.stages.get(code="material-review")
    high = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    low = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    score_application(high, material, [800, 820], staff=cn_staff, make_expert=make_expert)
    score_application(low, material, [600, 640], staff=cn_staff, make_expert=make_expert)
    client.force_login(cn_staff)
    response = client.get(queue_url(cn_cycle, score_min="700"))
    assert [(app.number, agg.score) for app, agg in response.context["rows"]] == [(high.number, D("810.00"))]
    response = client.get(queue_url(cn_cycle, score_max="700", score_min="not-a-number"))
    assert [app.number for app, _agg in response.context["rows"]] == [low.number]


@pytest.mark.parametrize("count", [1, 50])
def test_queue_query_count_is_the_same_for_1_and_50_applications(count, cn_cycle, cn_staff, make_application, make_expert,
                                                                   client, django_assert_num_queries):
    material = cn_cycle.stages.get(code="material-review")
    for i in range(count):
        app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
        if i % 10 == 0:
            score_application(app, material, [700], staff=cn_staff, make_expert=make_expert)
    client.force_login(cn_staff)
    client.get(queue_url(cn_cycle))  # warm the session
    with django_assert_num_queries(11):  # the user's saved filters; the session is no longer rewritten per request
        response = client.get(queue_url(cn_cycle))
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_ranking_page_query_count_is_the_same_for_1_and_50_applications(count, cn_cycle, cn_staff, make_application, make_expert,
                                                                          client, django_assert_num_queries):
    material = cn_cycle.stages.get(code="material-review")
    experts = [make_expert() for _ in range(3)]
    from tests.reviews.conftest import submit_total
    for i in range(count):
        app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
        for expert in experts:
            assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
            services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
            submit_total(assignment, D(500 + i))
    client.force_login(cn_staff)
    url = reverse("reviews:ranking", args=[cn_cycle.code, "material-review"]) + "?category=district-mode"
    client.get(url)
    with django_assert_num_queries(12):  # 11 + the document panel (score summary) + its readiness - session writes
        response = client.get(url)
    assert len(response.context["summary"].rows) == count


def test_queue_pages_follow_the_queue_order_and_annotate_each_page(cn_cycle, cn_staff, make_application, client, monkeypatch):
    """The queue paginates its ordered ids and loads only the page's rows: every page holds the right
    applications in order (category order, then number), with their own supplement deadline."""
    from reviews.views import staff

    monkeypatch.setattr(staff, "PAGE_SIZE", 2)
    gold = make_application(cn_cycle, "gold-mode", stage="eligibility", staff=cn_staff)
    district = [make_application(cn_cycle, stage="eligibility", staff=cn_staff) for _ in range(3)]
    request = services.request_supplement(application=district[2], sections=["overview"], message="补充", working_days=3,
                                          actor=cn_staff)
    expected = sorted([gold, *district], key=lambda a: (a.category.order, a.number))
    client.force_login(cn_staff)
    pages = [client.get(queue_url(cn_cycle, page=n)).context for n in (1, 2)]
    assert [[a.pk for a, _agg in page["rows"]] for page in pages] == [[a.pk for a in expected[:2]], [a.pk for a in expected[2:]]]
    assert [page["page"].paginator.count for page in pages] == [4, 4]
    due = {a.pk: (a.supplement_due_on, a.supplement_overdue) for page in pages for a, _agg in page["rows"]}
    assert due[district[2].pk] == (request.due_on, False)
    assert [v for pk, v in due.items() if pk != district[2].pk] == [(None, False)] * 3
    for n, chunk in ((1, expected[:2]), (2, expected[2:])):
        html = client.get(queue_url(cn_cycle, page=n)).content.decode()
        for application in Application.objects.filter(pk__in=[a.pk for a in chunk]):
            assert f'href="{reverse("reviews:staff_application", args=[cn_cycle.code, application.pk])}">{application.number}</a>' in html
            assert f'<span class="badge status-{application.status}">{application.get_status_display()}</span>' in html


def test_ranking_page_shows_each_experts_total_the_spread_flag_and_the_cut_off_preview(cn_cycle, cn_staff, make_application,
                                                                                      make_expert, client):
    from tests.reviews.conftest import submit_total

    material = cn_cycle.stages.get(code="material-review")
    experts = [make_expert(name=f"专家{letter}") for letter in "ABC"]
    wide = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    close = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    for application, totals in ((wide, (600, 800, None)), (close, (700, 710, 720))):
        for expert, total in zip(experts, totals):
            assignment = services.assign_expert(stage=material, application=application, expert=expert, actor=cn_staff)
            services.declare_conflict(expert=expert, application=application, has_conflict=False, reason="", actor=expert.user)
            if total is not None:
                submit_total(assignment, D(total))
    services.apply_transition(application=close, name="advance", actor=cn_staff)  # on to 陈述答辩, still ranked here
    client.force_login(cn_staff)
    url = reverse("reviews:ranking", args=[cn_cycle.code, "material-review"]) + "?category=district-mode"

    page = client.get(url).content.decode()

    def row(application):
        link = reverse("reviews:staff_application", args=[cn_cycle.code, application.pk])
        start = page.index(f'href="{link}#scores">{application.number}</a>')
        return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]

    assert '<th class="text-end small">专家A</th><th class="text-end small">专家B</th><th class="text-end small">专家C</th>' in page
    assert "<td>1</td>" in row(close) and "<td>2</td>" in row(wide)
    cells = '<td class="text-end small">{}</td><td class="text-end small">{}</td><td class="text-end small">{}</td>'
    assert cells.format("700.00", "710.00", "720.00") in row(close)
    assert cells.format("600.00", "800.00", "—") in row(wide)  # 专家C has not submitted
    # Scoresheets submitted of assigned: 专家C has not submitted for `wide`, so the page says 2 / 3 and warns.
    assert '<td class="text-end fw-semibold">710.00</td><td class="text-end" data-role="sheets">3 / 3</td>' in row(close)
    assert '<td class="text-end fw-semibold">700.00</td><td class="text-end text-warning-emphasis fw-semibold" data-role="sheets">2 / 3 <i' in row(wide)
    assert f"以下申报的评分表尚未收齐：{wide.number}（已提交 2 / 应提交 3）。" in page
    # 200 points apart: more than 10 % of the rubric's 1000, flagged.
    assert '<td class="text-end text-danger fw-semibold">200.00 <i class="bi bi-exclamation-triangle"' in row(wide)
    assert '<td class="text-end">20.00</td>' in row(close) and '<td class="text-end">8.16</td>' in row(close)  # spread, σ
    assert '<span class="badge status-in_review">评审中</span> <span class="small text-muted">陈述答辩</span></td>' in row(close)
    assert '<span class="badge status-in_review">评审中</span></td>' in row(wide)

    page = client.get(url + "&method=top_k&value=1").content.decode()  # only what is still at this stage is cut
    assert '<tr class="table-success">' in row(wide) and "<td>晋级</td>" in row(wide)
    assert '<tr class="">' in row(close) and "<td>—</td>" in row(close)


def test_comprehensive_ranking_page_shows_each_weighted_stage_score(cn_cycle, cn_staff, make_application, make_expert, client):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    for code, total in (("material-review", 800), ("presentation", 700), ("site-visit", 900)):
        score_application(app, cn_cycle.stages.get(code=code), [total], staff=cn_staff, make_expert=make_expert)
        services.apply_transition(application=app, name="advance", actor=cn_staff)
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:ranking", args=[cn_cycle.code, "comprehensive"]) + "?category=district-mode").content.decode()
    names = [s.name for s in cn_cycle.stages.filter(code__in=["material-review", "presentation", "site-visit"]).order_by("order")]
    assert "".join(f'<th class="text-end">{name}</th>' for name in names) in page
    # 资料评审 × 0.3 + 陈述答辩 × 0.3 + 现场评审 × 0.4 = 240 + 210 + 360
    assert '<td class="text-end">800.00</td><td class="text-end">700.00</td><td class="text-end">900.00</td>' in page
    assert '<td class="text-end fw-semibold">810.00</td>' in page
    # The tie-breaks by the stages' names (in the reader's language), not by their codes.
    assert "同分时依次比较：现场评审 → 陈述答辩 → 资料评审 → 提交时间（早者在前）" in page
    assert "site-visit" not in page.split("同分时依次比较")[1].split("</p>")[0]


def test_ranking_rows_carry_what_their_readers_use_without_further_queries(cn_cycle, cn_staff, make_application, make_expert,
                                                                             django_assert_num_queries):
    """category_ranking loads only the displayed columns; decisions, documents and the cut-off read
    these attributes of each row's application, which must not cost a query per row."""
    from reviews.selectors import category_ranking

    material = cn_cycle.stages.get(code="material-review")
    apps = [make_application(cn_cycle, stage="material-review", staff=cn_staff, person=i == 1) for i in range(2)]
    for app in apps:
        score_application(app, material, [700], staff=cn_staff, make_expert=make_expert)
    rows = category_ranking(stage=material, category=apps[0].category)
    with django_assert_num_queries(0):
        seen = sorted((a.pk, a.number, a.applicant_name, str(a), a.status, a.current_stage.code, a.current_stage_id,
                       a.category.code, a.cycle.code, a.submitted_at) for a in (r.application for r in rows))
    assert seen == sorted((a.pk, a.number, a.applicant_name, str(a), a.status, "material-review", a.current_stage_id,
                           "district-mode", cn_cycle.code, a.submitted_at) for a in apps)


def test_bulk_action_reports_each_application(cn_cycle, cn_staff, make_application, client):
    ready = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    blocked = make_application(cn_cycle, stage="eligibility", staff=cn_staff, snapshot={
        "results": [{"key": "credit_blacklist:1", "label": "无严重失信记录", "outcome": "fail", "reason": "在信用名单中"}]})
    waiting = make_application(cn_cycle)
    client.force_login(cn_staff)
    response = client.post(reverse("reviews:staff_bulk", args=[cn_cycle.code]), {
        "action": "advance", "applications": [ready.pk, blocked.pk, waiting.pk]})
    assert response.status_code == 200
    outcomes = {o.application.pk: (o.ok, o.message) for o in response.context["outcomes"]}
    assert outcomes[ready.pk] == (True, "通过本环节")
    assert outcomes[blocked.pk] == (False, "资格审查尚有未确认的条件：无严重失信记录")
    assert outcomes[waiting.pk] == (False, "当前状态（已提交）不能执行此操作。")
    assert Application.objects.get(pk=ready.pk).current_stage.code == "material-review"
    assert Application.objects.get(pk=blocked.pk).current_stage.code == "eligibility"


def test_bulk_reject_needs_a_reason_and_notifies(cn_cycle, cn_staff, make_application, client):
    a = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    client.force_login(cn_staff)
    client.post(reverse("reviews:staff_bulk", args=[cn_cycle.code]), {"action": "fail", "applications": [a.pk]})
    assert Application.objects.get(pk=a.pk).status == "in_review"
    client.post(reverse("reviews:staff_bulk", args=[cn_cycle.code]), {"action": "fail", "applications": [a.pk], "reason": "注册地不符"})
    assert Application.objects.get(pk=a.pk).status == "not_passed"
    assert "注册地不符" in EmailNotification.objects.get(event="stage_failed", application=a).body


def test_supplement_request_names_sections_and_a_working_day_deadline(cn_cycle, cn_staff, make_application):
    import datetime

    from core.workdays import add_working_days
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    request = services.request_supplement(application=app, sections=["figures", "attachments"], message="请补充审计报告",
                                          working_days=None, actor=cn_staff)
    today = timezone.localdate()
    assert request.working_days == 10  # the stage's supplement_working_days
    assert request.due_on == add_working_days(today + datetime.timedelta(days=1), 10)
    assert Application.objects.get(pk=app.pk).status == "supplement_requested"
    body = EmailNotification.objects.get(event="supplement_requested", application=app).body
    assert "近三年主要经营指标、附件" in body and request.due_on.isoformat() in body
    # The applicant resubmits: the request is resolved.
    services.apply_transition(application=app, name="resubmit", actor=app.applicant)
    assert SupplementRequest.objects.get(pk=request.pk).resolved_at is not None


def test_overdue_supplements_are_flagged_in_the_queue(cn_cycle, cn_staff, make_application, client):
    import datetime

    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    request = services.request_supplement(application=app, sections=["overview"], message="补充", working_days=3, actor=cn_staff)
    client.force_login(cn_staff)
    assert client.get(queue_url(cn_cycle, overdue="1")).context["rows"] == []
    SupplementRequest.objects.filter(pk=request.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    rows = client.get(queue_url(cn_cycle, overdue="1")).context["rows"]
    assert [(a.pk, a.supplement_overdue) for a, _agg in rows] == [(app.pk, True)]


def test_eligibility_override_needs_a_reason_and_is_logged(cn_cycle, cn_staff, make_application, client):
    snapshot = {"results": [{"key": "years_operating:3", "label": "正常运行3年以上", "outcome": "fail", "reason": "成立不满3年"}]}
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff, snapshot=snapshot)
    client.force_login(cn_staff)
    url = reverse("reviews:staff_eligibility", args=[cn_cycle.code, app.pk])
    client.post(url, {"rule_key": "years_operating:3", "result": "pass", "reason": ""})
    assert not app.eligibility_findings.exists()
    client.post(url, {"rule_key": "years_operating:3", "result": "pass", "reason": "前身企业自2015年起连续经营"})
    finding = app.eligibility_findings.get()
    assert (finding.result, finding.overridden, finding.automatic_result) == ("pass", True, "fail")
    entry = ActivityLog.objects.get(action="reviews.eligibility.override", target_id=str(app.pk))
    assert entry.reason == "前身企业自2015年起连续经营"
    services.apply_transition(application=app, name="advance", actor=cn_staff)


def test_cut_off_advances_the_top_k_and_fails_the_rest(cn_cycle, cn_staff, make_application, make_expert):
    material = cn_cycle.stages.get(code="material-review")
    apps = []
    for total in (900, 700, 800):
        app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
        score_application(app, material, [total], staff=cn_staff, make_expert=make_expert)
        apps.append(app)
    decision = services.apply_cutoff(stage=material, category=apps[0].category, method="top_k", value=D("2"), actor=cn_staff,
                                     reason="按评审委员会意见取前2名")
    assert (decision.advanced, decision.failed) == ([apps[0].pk, apps[2].pk], [apps[1].pk])
    states = {a.pk: (a.status, a.current_stage.code) for a in Application.objects.filter(pk__in=[a.pk for a in apps])}
    assert states == {apps[0].pk: ("in_review", "presentation"), apps[2].pk: ("in_review", "presentation"),
                      apps[1].pk: ("not_passed", "material-review")}
    assert ActivityLog.objects.filter(action="reviews.cutoff").count() == 1
    assert CutoffDecision.objects.count() == 1


def test_cut_off_by_minimum_score_is_all_or_nothing(cn_cycle, cn_staff, make_application, make_expert):
    material = cn_cycle.stages.get(code="material-review")
    scored = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    score_application(scored, material, [750], staff=cn_staff, make_expert=make_expert)
    make_application(cn_cycle, stage="material-review", staff=cn_staff)  # not scored yet
    with pytest.raises(services.CutoffError, match="尚无本环节得分"):
        services.apply_cutoff(stage=material, category=scored.category, method="min_score", value=D("700"), actor=cn_staff)
    assert Application.objects.get(pk=scored.pk).current_stage.code == "material-review"
    assert CutoffDecision.objects.count() == 0
