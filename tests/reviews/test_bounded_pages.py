"""Every list page shows one page of rows: the query count and the response stay the same when the
cycle grows (pages of 2 rows here, so that a handful of applications spans several pages)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.services import log_activity
from reviews import services
from reviews.models import Assignment

from .conftest import score_application, submit_total

pytestmark = pytest.mark.django_db

MAX_HTML = 300 * 1024


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr("core.pagination.PAGE_SIZE", 2)
    monkeypatch.setattr("reviews.views.stages.RANKING_PAGE_SIZE", 2)


def _get(client, url, **params):
    """(queries, html) of a GET, after one warm-up request (the first of a session reads what later ones cache)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    assert len(response.content) < MAX_HTML
    return len(queries), response.content.decode()


def _at_material_review(cn_cycle, cn_staff, make_application, n, **kwargs):
    return [make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff, **kwargs) for _ in range(n)]


def test_stage_page_pages_in_sql_and_its_queries_do_not_grow(cn_cycle, cn_staff, make_application, make_expert, client):
    stage = cn_cycle.stages.get(code="material-review")
    expert = make_expert()
    apps = _at_material_review(cn_cycle, cn_staff, make_application, 3)
    services.assign_expert(stage=stage, application=apps[0], expert=expert, actor=cn_staff)
    client.force_login(cn_staff)
    url = reverse("reviews:stage_detail", args=[cn_cycle.code, stage.code])

    small, html = _get(client, url)
    assert html.count('#experts">') == 2 and "1 / 2" in html
    apps += _at_material_review(cn_cycle, cn_staff, make_application, 4)
    for app in apps[3:]:
        services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
    large, html = _get(client, url)
    assert large == small
    assert html.count('#experts">') == 2 and "1 / 4" in html

    # The last page, a search and the "no expert yet" filter are pages of the same query.
    _n, html = _get(client, url, page=4)
    assert apps[-1].number in html and html.count('#experts">') == 1
    _n, html = _get(client, url, q=apps[2].number)
    assert apps[2].number in html and html.count('#experts">') == 1
    _n, html = _get(client, url, assigned="none")
    assert "共 2 项申报" in html and apps[1].number in html and apps[2].number in html
    # The workload is counted in SQL: 5 active assignments for the expert.
    assert f"{expert.name} <span class=\"text-muted\">{expert.employer}</span> — 5" in html


def test_ranking_is_paged_filtered_and_sorted_without_more_queries(cn_cycle, cn_staff, make_application, make_expert, client):
    stage = cn_cycle.stages.get(code="material-review")
    apps = _at_material_review(cn_cycle, cn_staff, make_application, 3)
    for app, totals in zip(apps, ([800, 790], [700, 400], [600, 610])):
        score_application(app, stage, totals, staff=cn_staff, make_expert=make_expert)
    client.force_login(cn_staff)
    url = reverse("reviews:ranking", args=[cn_cycle.code, stage.code])

    small, html = _get(client, url, category="district-mode")
    assert apps[0].number in html and apps[2].number in html and apps[1].number not in html and "1 / 2" in html
    more = _at_material_review(cn_cycle, cn_staff, make_application, 3)
    for app in more:
        score_application(app, stage, [500, 505], staff=cn_staff, make_expert=make_expert)
    large, html = _get(client, url, category="district-mode")
    assert large == small
    assert "1 / 3" in html
    # Expert columns: only the experts who scored an application of this page (2 × 2 here, not 12).
    assert html.count('<th class="text-end small">') == 4

    _n, html = _get(client, url, category="district-mode", disagreement="1")
    assert "共 1 项申报" in html and apps[1].number in html  # 300 of 1000 points apart
    _n, html = _get(client, url, category="district-mode", sort="spread")
    assert html.index(apps[1].number) < html.index(apps[0].number)  # the widest spread first
    _n, html = _get(client, url, category="district-mode", page=3)
    assert html.count('#scores">') == 2  # the 5th and 6th, ranked over the whole category


def test_expert_home_shows_due_work_first_and_pages_the_rest(cn_cycle, cn_staff, make_application, make_expert, client):
    stage = cn_cycle.stages.get(code="material-review")
    expert = make_expert()

    def assign(apps):
        result = []
        for app in apps:
            assignment = services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
            services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
            result.append(assignment)
        return result

    first = assign(_at_material_review(cn_cycle, cn_staff, make_application, 3))
    submit_total(first[0], 700)
    client.force_login(expert.user)
    url = reverse("reviews:expert_home")
    small, html = _get(client, url)
    assert "已提交 1 / 3" in html and "还剩 2 项" in html
    todo_part, done_part = html.split('id="done"')
    assert first[1].application.number in todo_part and first[0].application.number in done_part

    more = assign(_at_material_review(cn_cycle, cn_staff, make_application, 4))
    for assignment in more[:3]:
        submit_total(assignment, 650)
    large, html = _get(client, url)
    assert large == small
    # Progress (2), each list's count and page of ids (4), one read of both lists' rows, their stages and
    # categories (3; it was 3 per list: 15 queries in all before), and the request's own reads.
    assert large == 12
    assert "已提交 4 / 7" in html and "还剩 3 项" in html
    todo_part, done_part = html.split('id="done"')
    assert todo_part.count("开始评审") == 2 and done_part.count("查看专家组评分") == 2
    # The latest submission first among the finished; the other pages by their own parameter.
    assert more[2].application.number in done_part
    _n, html = _get(client, url, todo=2, done=2)
    todo_part, done_part = html.split('id="done"')
    assert todo_part.count("开始评审") == 1 and more[3].application.number in todo_part
    assert Assignment.objects.filter(expert=expert).count() == 7


def test_notifications_page_pages_emails_and_history(cn_cycle, cn_staff, make_application, client):
    (app,) = _at_material_review(cn_cycle, cn_staff, make_application, 1)
    client.force_login(cn_staff)
    url = reverse("reviews:application_notifications", args=[cn_cycle.code, app.pk])
    small, html = _get(client, url)
    for n in range(5):
        log_activity(actor=cn_staff, action=f"test.note{n}", target=app, after={"n": n})
    large, html = _get(client, url)
    assert large == small
    assert html.count("<tr><td>") <= 2 + 2  # two e-mails and two history entries at most per page
    _n, html = _get(client, url, history=99)
    assert html.count('<li class="border-bottom py-2">') <= 50 and "其他操作" in html  # the last page: the entries just logged


def test_recommendation_candidates_are_paged_per_category(cn_cycle, cn_staff, make_application, client):
    apps = [make_application(cn_cycle, "gold-mode", stage="comprehensive", staff=cn_staff) for _ in range(3)]
    client.force_login(cn_staff)
    url = reverse("reviews:recommendations", args=[cn_cycle.code])
    _n, html = _get(client, url)
    section = html.split('id="category-gold-mode"')[1].split("</section>")[0]
    assert section.count('name="action" value="add"') == 2 and "1 / 2" in section
    assert 'href="?gold-mode-page=2#category-gold-mode"' in section
    _n, html = _get(client, url, **{"gold-mode-page": 2})
    section = html.split('id="category-gold-mode"')[1].split("</section>")[0]
    assert section.count('name="action" value="add"') == 1
    assert sum(a.number in section for a in apps) == 1
