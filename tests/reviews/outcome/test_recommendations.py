"""The recommendation list: never above the quota (also under concurrent additions), below is fine."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from awards.models import Category
from core.models import ActivityLog
from reviews import services
from reviews.models import Assignment, Recommendation, RecommendationStatus
from reviews.services import DecisionError

from .conftest import pass_hongqiao_meetings


def test_third_recommendation_in_a_quota_of_two_is_refused(cn_cycle, make_application, cn_staff):
    apps = [make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff) for _ in range(3)]
    services.add_recommendation(application=apps[0], actor=cn_staff)
    services.add_recommendation(application=apps[1], actor=cn_staff)
    with pytest.raises(DecisionError) as refused:
        services.add_recommendation(application=apps[2], actor=cn_staff)
    assert str(refused.value) == "“区长质量奖先进质量管理模式（项目）”表彰名额为 2 个，推荐名单已满，不能超出名额。"
    assert Recommendation.objects.filter(category__code="district-mode", cycle=cn_cycle, status="proposed").count() == 2
    entry = ActivityLog.objects.filter(action="recommendation.added", target_id=str(apps[1].pk)).get()
    assert entry.after == {"category": "district-mode", "rank": 2, "score": None, "source": "ranking", "proposed": 2, "quota": 2}


def test_a_removed_recommendation_frees_its_place(cn_cycle, make_application, cn_staff):
    apps = [make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff) for _ in range(3)]
    first = services.add_recommendation(application=apps[0], actor=cn_staff)
    services.add_recommendation(application=apps[1], actor=cn_staff)
    with pytest.raises(DecisionError, match="请填写理由"):
        services.remove_recommendation(recommendation=first, actor=cn_staff, reason=" ")
    services.remove_recommendation(recommendation=first, actor=cn_staff, reason="综合评价得分复核后调整")
    services.add_recommendation(application=apps[2], actor=cn_staff)
    assert set(Recommendation.objects.filter(status="proposed").values_list("application_id", flat=True)) == {apps[1].pk, apps[2].pk}


def test_quota_not_set_refuses_with_a_plain_message(xh_cycle, make_application, xh_staff):
    application = make_application(xh_cycle, "district-mode", stage="comprehensive", staff=xh_staff)
    assert application.category.quota is None
    with pytest.raises(DecisionError, match="名额未设定"):
        services.add_recommendation(application=application, actor=xh_staff)


def test_staying_below_quota_is_allowed(cn_cycle, make_application, cn_staff):
    application = make_application(cn_cycle, "gold-mode", stage="comprehensive", staff=cn_staff)
    services.add_recommendation(application=application, actor=cn_staff)
    assert application.category.quota == 5
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=__import__("datetime").date.today())
    assert publicity.pk


def test_only_candidates_at_the_stage_before_publicity_can_be_listed(cn_cycle, make_application, cn_staff):
    early = make_application(cn_cycle, "district-mode", stage="site-visit", staff=cn_staff)
    with pytest.raises(DecisionError, match="不在“综合评价”环节的评审中"):
        services.add_recommendation(application=early, actor=cn_staff)


def test_meeting_based_list_needs_an_approving_decision(hq_cycle, make_application, cn_staff):
    approved = make_application(hq_cycle, stage="selection", staff=cn_staff)
    pass_hongqiao_meetings(hq_cycle, [approved], cn_staff)
    rec = services.add_recommendation(application=approved, actor=cn_staff)
    assert rec.source == "meeting"


def test_recommendation_page_shows_quota_and_budget_in_wan(cn_cycle, make_application, cn_staff, client):
    apps = [make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff) for _ in range(2)]
    services.add_recommendation(application=apps[0], actor=cn_staff)
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:recommendations", args=[cn_cycle.code])).content.decode()
    assert '<div class="figure-big" data-figure="planned-wan">159 万元</div>' in page
    assert '<div class="figure-big" data-figure="proposed-wan">50 万元</div>' in page
    assert "已推荐 1 / 名额 2" in page
    posted = client.post(reverse("reviews:recommendations", args=[cn_cycle.code]),
                         {"action": "add", "application": apps[1].pk})
    assert posted.status_code == 302
    page = client.get(reverse("reviews:recommendations", args=[cn_cycle.code])).content.decode()
    assert '<div class="figure-big" data-figure="proposed-wan">100 万元</div>' in page


def test_other_organisers_staff_get_404(cn_cycle, xh_staff, client):
    client.force_login(xh_staff)
    assert client.get(reverse("reviews:recommendations", args=[cn_cycle.code])).status_code == 404


def _postgres_or_skip():
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true runs against PostgreSQL (DATABASE_URL); this test needs it.")
    pytest.skip("SQLite serialises whole-database writes and ignores SELECT … FOR UPDATE: the row-lock race is only "
                "meaningful on PostgreSQL (set DATABASE_URL=postgres://… to run it).")


@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_never_exceed_the_quota(cn_cycle, make_application, cn_staff):
    _postgres_or_skip()
    apps = [make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff) for _ in range(8)]
    barrier = threading.Barrier(len(apps))
    outcomes: list[str] = []
    lock = threading.Lock()

    def add(application):
        try:
            barrier.wait()
            services.add_recommendation(application=application, actor=cn_staff)
            result = "ok"
        except DecisionError:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=add, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    category = Category.objects.get(cycle=cn_cycle, code="district-mode")
    assert sorted(outcomes) == ["ok", "ok"] + ["refused"] * 6
    assert Recommendation.objects.filter(category=category, status=RecommendationStatus.PROPOSED).count() == category.quota == 2


def test_a_candidate_with_scoresheets_missing_needs_an_explicit_override_with_a_reason(
        cn_cycle, make_application, make_expert, cn_staff, client):
    application = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    expert = make_expert(name="缺表专家")
    # Assigned in 资料评审, the scoresheet never submitted: the 综合评价 score rests on an incomplete stage.
    Assignment.objects.create(stage=cn_cycle.stages.get(code="material-review"), application=application, expert=expert,
                              assigned_by=cn_staff)
    url = reverse("reviews:recommendations", args=[cn_cycle.code])
    client.force_login(cn_staff)
    page = client.get(url).content.decode()
    assert "已交 0/1" in page and 'name="allow_incomplete"' in page

    refused = client.post(url, {"action": "add", "application": application.pk, "note": ""})
    assert refused.status_code == 400
    assert "评分表尚未收齐（已提交 0 / 应提交 1）" in refused.content.decode()
    no_reason = client.post(url, {"action": "add", "application": application.pk, "note": " ", "allow_incomplete": "on"})
    assert no_reason.status_code == 400 and "须在“备注”中写明理由" in no_reason.content.decode()
    assert not Recommendation.objects.filter(application=application).exists()

    listed = client.post(url, {"action": "add", "application": application.pk, "note": "专家因病无法评审，经办公室同意",
                               "allow_incomplete": "on"})
    assert listed.status_code == 302
    assert Recommendation.objects.filter(application=application, status="proposed").count() == 1
    entry = ActivityLog.objects.get(action="recommendation.added", target_id=str(application.pk))
    assert entry.after["incomplete_override"] is True and entry.after["incomplete_sheets"] == "0/1"
    assert entry.reason == "专家因病无法评审，经办公室同意"
