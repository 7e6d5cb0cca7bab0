"""Navigation: the 公示 found from the home page and the call, per-stage counts on the cycle overview,
sortable queue columns and saved filters, the applicant's stage stepper, each role's own home."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.models import ActivityLog
from reviews import selectors, services
from reviews.models import Publicity, SavedQueueFilter

PASSWORD = "pw-for-tests-123"


# ---- 公示 links ---------------------------------------------------------------------------------------


@pytest.fixture
def open_publicity(cn_cycle, cn_staff):
    stage = cn_cycle.stages.get(kind="publicity")
    today = timezone.localdate()
    return Publicity.objects.create(cycle=cn_cycle, stage=stage, title="长宁区政府质量奖拟表彰对象公示", notice="公示如下。",
                                    start_date=today - datetime.timedelta(days=1), end_date=today + datetime.timedelta(days=5),
                                    span=5, unit="working_days", published_by=cn_staff)


def test_home_page_links_the_publicity_in_force(client, open_publicity, cn_cycle):
    page = client.get("/").content.decode()
    link = reverse("reviews:public_publicity", args=[cn_cycle.code])
    assert f'<a href="{link}" data-role="publicity-link">长宁区政府质量奖拟表彰对象公示</a>' in page
    assert "公示中" in page


def test_call_page_links_its_publicity(client, open_publicity, cn_cycle):
    page = client.get(reverse("applications:call", args=[cn_cycle.code])).content.decode()
    assert f'href="{reverse("reviews:public_publicity", args=[cn_cycle.code])}" data-role="publicity-link">查看公示，提出异议</a>' in page


def test_without_a_publicity_neither_page_shows_a_link(client, cn_cycle):
    assert 'data-role="publicity-link"' not in client.get("/").content.decode()
    assert 'data-role="publicity-link"' not in client.get(reverse("applications:call", args=[cn_cycle.code])).content.decode()


# ---- cycle overview counts ----------------------------------------------------------------------------------


def test_cycle_overview_counts_applications_per_stage(client, cn_cycle, cn_staff, make_application):
    make_application(cn_cycle, stage="material-review", staff=cn_staff)
    make_application(cn_cycle, stage="material-review", staff=cn_staff)
    make_application(cn_cycle, stage="presentation", staff=cn_staff)
    make_application(cn_cycle)  # submitted, not yet taken into review
    client.force_login(cn_staff)
    page = client.get(reverse("awards:cycle_overview", args=[cn_cycle.code])).content.decode()
    assert 'data-counts="window">已提交 4 · 草稿 0 · 待受理 1' in page
    queue = reverse("reviews:staff_queue", args=[cn_cycle.code])
    assert f'data-counts="material-review"><a href="{queue}?stage=material-review">本环节在审 2</a> · 已进入 3' in page
    assert f'data-counts="presentation"><a href="{queue}?stage=presentation">本环节在审 1</a> · 已进入 1' in page


# ---- queue: sorting and saved filters ------------------------------------------------------------------------


def _numbers(response) -> list[str]:
    return [a.number for a, _agg in response.context["rows"]]


def test_queue_sorts_by_a_whitelisted_column_both_ways(client, cn_cycle, cn_staff, make_application):
    apps = [make_application(cn_cycle, name=name) for name in ("乙公司", "甲公司", "丙公司")]
    client.force_login(cn_staff)
    url = reverse("reviews:staff_queue", args=[cn_cycle.code])
    by_name = sorted(apps, key=lambda a: a.applicant_name)
    assert _numbers(client.get(url, {"sort": "applicant"})) == [a.number for a in by_name]
    assert _numbers(client.get(url, {"sort": "-applicant"})) == [a.number for a in reversed(by_name)]
    assert _numbers(client.get(url, {"sort": "-number"})) == sorted((a.number for a in apps), reverse=True)
    # Anything outside the whitelist is the default order, never a database error.
    for tampered in ("organisation__credit_code", "--number", "pk);drop", "-"):
        response = client.get(url, {"sort": tampered})
        assert response.status_code == 200 and _numbers(response) == sorted(a.number for a in apps)
    page = client.get(url, {"sort": "applicant"}).content.decode()
    assert '<th aria-sort="ascending"><a class="sort-link text-reset" href="?sort=-applicant" data-sort-key>申报人 <span aria-hidden="true">▲</span>' in page


def test_queue_sort_keeps_the_filters_and_query_count_is_constant(client, cn_cycle, cn_staff, make_application,
                                                                 django_assert_max_num_queries):
    for _ in range(3):
        make_application(cn_cycle, stage="material-review", staff=cn_staff)
    client.force_login(cn_staff)
    url = reverse("reviews:staff_queue", args=[cn_cycle.code])
    page = client.get(url, {"stage": "material-review", "sort": "-submitted"}).content.decode()
    assert 'href="?stage=material-review&amp;sort=submitted"' in page
    with django_assert_max_num_queries(30) as few:
        client.get(url, {"sort": "recommender"})
    for _ in range(5):
        make_application(cn_cycle, stage="material-review", staff=cn_staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"sort": "recommender"})


def test_a_staff_user_saves_names_and_deletes_their_own_filters(client, cn_cycle, cn_staff, make_user, organisers):
    client.force_login(cn_staff)
    save = reverse("reviews:staff_queue_filter_save", args=[cn_cycle.code])
    response = client.post(save, {"name": " 资料评审 在审 ", "query": "stage=material-review&status=in_review&sort=-submitted&junk=1"})
    saved = SavedQueueFilter.objects.get()
    assert (saved.user, saved.name, saved.query) == (cn_staff, "资料评审 在审", "stage=material-review&status=in_review&sort=-submitted")
    assert response.status_code == 302 and response["Location"].endswith("?" + saved.query)
    assert ActivityLog.objects.filter(action="reviews.queue_filter.save").count() == 1
    page = client.get(reverse("reviews:staff_queue", args=[cn_cycle.code]), {"stage": "material-review", "status": "in_review",
                                                                              "sort": "-submitted"}).content.decode()
    assert f'<a class="btn btn-outline-secondary active" href="?{saved.query.replace("&", "&amp;")}" aria-current="true">资料评审 在审</a>' in page
    # Another staff user of the same office sees none of it and cannot delete it.
    colleague = make_user("cn-staff-2", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)
    client.force_login(colleague)
    assert "资料评审 在审" not in client.get(reverse("reviews:staff_queue", args=[cn_cycle.code])).content.decode()
    delete = reverse("reviews:staff_queue_filter_delete", args=[cn_cycle.code, saved.pk])
    assert client.post(delete).status_code == 404
    client.force_login(cn_staff)
    assert client.post(delete).status_code == 302
    assert not SavedQueueFilter.objects.exists()


def test_saving_a_filter_without_a_name_or_filters_is_refused_with_400(client, cn_cycle, cn_staff):
    client.force_login(cn_staff)
    save = reverse("reviews:staff_queue_filter_save", args=[cn_cycle.code])
    response = client.post(save, {"name": "", "query": "status=submitted"})
    assert response.status_code == 400 and "请为筛选条件命名。" in response.content.decode()
    response = client.post(save, {"name": "全部", "query": "junk=1"})
    assert response.status_code == 400 and "当前没有筛选条件或排序，无需保存。" in response.content.decode()
    assert not SavedQueueFilter.objects.exists()


# ---- the applicant's stepper --------------------------------------------------------------------------------


def _steps(application):
    return [(s.name, s.state) for s in selectors.applicant_progress(application, selectors.cycle_stages(application.cycle))]


def test_stepper_shows_the_stages_and_where_the_application_is(cn_cycle, cn_staff, make_application, client):
    application = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    steps = _steps(application)
    names = [s.name for s in selectors.cycle_stages(cn_cycle)]
    assert steps[0] == ("已提交", "done")
    at = names.index("陈述答辩")
    assert steps[1:] == [(n, "done" if i < at else "current" if i == at else "upcoming") for i, n in enumerate(names)]
    client.force_login(application.applicant)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert '<li class="stage-step stage-step-current" aria-current="step">' in page
    assert '<span class="stage-step-name">陈述答辩</span>' in page


def test_stepper_does_not_tell_a_pass_of_an_internal_step(open_cycles, cn_staff, make_application):
    cycle = open_cycles["changning-hongqiao-2023"]
    acceptance = cycle.stages.get(code="acceptance")
    acceptance.params = {**acceptance.params, "notify_applicant": False}
    acceptance.save()
    application = make_application(cycle, "hongqiao-friendship", stage="check", staff=cn_staff)
    states = dict(_steps(application))
    assert (states[acceptance.name], states[cycle.stages.get(code="check").name]) == ("current", "upcoming")


def test_stepper_shows_a_failed_stage_and_a_fresh_submission(cn_cycle, cn_staff, make_application):
    submitted = make_application(cn_cycle)
    assert _steps(submitted)[0] == ("已提交", "current") and {s for _n, s in _steps(submitted)[1:]} == {"upcoming"}
    failed = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    services.apply_transition(application=failed, name="fail", actor=cn_staff, reason="材料不全")
    assert ("资料评审", "failed") in _steps(failed)


# ---- each role's home after login ----------------------------------------------------------------------------


@pytest.mark.parametrize("roles, superuser, home", [
    ([(Role.STAFF, "changning")], False, "/staff/cycles/"),
    ([(Role.EXPERT, "changning")], False, "/reviews/expert/"),
    ([(Role.ADMIN, "changning")], False, "/admin/"),
    ([(Role.RECOMMENDER, "changning")], False, "/applications/nominations/"),
    ([(Role.APPLICANT, None)], False, "/applications/"),
    ([], True, "/admin/"),
])
def test_each_role_lands_on_its_own_home(client, make_user, organisers, roles, superuser, home):
    user = make_user("someone", roles=[(role, organisers[org] if org else None) for role, org in roles], is_superuser=superuser)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == home


def test_a_safe_next_wins_and_an_unsafe_one_is_ignored(client, make_user, organisers):
    make_user("unit", roles=[(Role.RECOMMENDER, organisers["changning"])])
    login = reverse("accounts:login")
    response = client.post(login + "?next=/calls/changning-quality-2023/", {"username": "unit", "password": PASSWORD})
    assert response["Location"] == "/calls/changning-quality-2023/"
    client.logout()
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(login, {"username": "unit", "password": PASSWORD, "next": evil})
        assert response["Location"] == "/applications/nominations/", evil
        client.logout()
