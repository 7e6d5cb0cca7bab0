"""Excel exports open in openpyxl with the exact figures; the dashboard's queries do not grow with rows."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from awards.models import Stage
from reviews import services
from reviews.models import Award, ExportJob

from .test_notifications import _score, experts  # noqa: F401 - fixture

PAST_START = datetime.date(2025, 9, 26)


def _export(client, cycle, kind, capture):
    """Ask for the export through the page (a background job: eager in the tests, run on commit), then
    download the finished file through the permission-checked view."""
    with capture(execute=True):
        response = client.post(reverse("reviews:exports", args=[cycle.code]), {"kind": kind})
    assert response.status_code == 302
    job = ExportJob.objects.filter(cycle=cycle, kind=kind).latest("created_at")
    assert job.status == "done", job.error
    return client.get(reverse("reviews:export_download", args=[cycle.code, job.public_id]))


def _load(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


@pytest.fixture
def awarded_cycle(cn_cycle, make_application, cn_staff, experts):  # noqa: F811
    """2 区长质量奖模式 + 1 区长质量奖成果 winners, one prize paid; a third 模式 application failed."""
    stages = {s.code: s for s in Stage.objects.filter(cycle=cn_cycle)}
    mode = [make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff, name=f"模式企业{i}")
            for i in range(3)]
    for app, total in zip(mode, (820, 760, 640)):
        _score(app, stages["material-review"], experts[:3], total, cn_staff)
    from reviews.services import apply_transition

    apply_transition(application=mode[2], name="fail", actor=cn_staff, reason="资料评审得分未达分数线")
    for app in mode[:2]:
        while app.current_stage.code != "comprehensive":
            apply_transition(application=app, name="advance", actor=cn_staff)
    person = make_application(cn_cycle, "district-achievement", stage="comprehensive", staff=cn_staff, name="个人甲")
    for app in [*mode[:2], person]:
        services.add_recommendation(application=app, actor=cn_staff)
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=PAST_START, today=PAST_START)
    services.submit_for_approval(publicity=publicity, actor=cn_staff)
    services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                             document_number="长府〔2025〕12号")
    services.record_payment(award=Award.objects.get(application=mode[0]), actor=cn_staff, amount=Decimal("500000"),
                            paid_on=datetime.date(2025, 11, 3), reference="财支〔2025〕0301")
    return {"mode": mode, "person": person}


def test_winners_workbook_has_prizes_in_yuan_and_wan_and_the_totals(cn_cycle, awarded_cycle, cn_staff, client, django_capture_on_commit_callbacks):
    client.force_login(cn_staff)
    book = _load(_export(client, cn_cycle, "winners", django_capture_on_commit_callbacks))
    sheet = book["获奖名单与奖金发放"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "奖项类别", "受理编号", "获奖对象", "奖金（元）", "奖金（万元）", "已发放（元）", "已发放（万元）",
                       "发放日期", "凭证号", "精神奖励待遇", "批准文号")
    mode = awarded_cycle["mode"]
    assert rows[1][:10] == (1, "区长质量奖先进质量管理模式（项目）", mode[0].number, "模式企业0", 500000, 50, 500000, 50,
                            "2025-11-03", "财支〔2025〕0301")
    assert rows[2][3:8] == ("模式企业1", 500000, 50, None, None)
    assert rows[3][1:6] == ("区长质量奖先进质量管理成果（个人）", awarded_cycle["person"].number, "个人甲", 20000, 2)
    assert rows[4][:8] == ("合计", "3 个", None, None, 1020000, 102, 500000, 50)
    summary = list(book["分类别汇总"].iter_rows(values_only=True))
    assert summary[1] == ("区长质量奖先进质量管理模式（项目）", 2, 2, 500000, 1000000, 100)
    assert summary[3] == ("质量金奖先进质量管理模式（项目）", 5, 0, 100000, 0, 0)


def test_applications_workbook_has_each_stage_result(cn_cycle, awarded_cycle, cn_staff, client, django_capture_on_commit_callbacks):
    client.force_login(cn_staff)
    book = _load(_export(client, cn_cycle, "applications", django_capture_on_commit_callbacks))
    rows = list(book["申报与环节结果"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:7] == ("受理编号", "申报对象", "奖项类别", "推荐单位", "提交时间", "状态", "当前环节")
    assert header[7:15] == ("资格审查", "资料评审", "陈述答辩", "现场评审", "综合评价", "评审公示", "提请区政府批准", "颁奖表彰")
    by_number = {r[0]: r for r in rows[1:]}
    failed = by_number[awarded_cycle["mode"][2].number]
    assert failed[5:15] == ("未通过", "资料评审", "通过", "未通过", "—", "—", "—", "—", "—", "—")
    winner = by_number[awarded_cycle["mode"][0].number]
    assert winner[5:15] == ("评审中", "颁奖表彰", "通过", "通过", "通过", "通过", "通过", "通过", "通过", "评审中")
    column = header.index("资料评审得分")
    assert (winner[column], failed[column]) == (820, 640)
    assert winner[-3:] == ("是", 500000, 50)


def test_scores_workbook_has_every_expert_item_and_totals(cn_cycle, awarded_cycle, cn_staff, client, django_capture_on_commit_callbacks):
    client.force_login(cn_staff)
    book = _load(_export(client, cn_cycle, "scores", django_capture_on_commit_callbacks))
    items = list(book["专家评分明细"].iter_rows(values_only=True))
    assert items[0] == ("评审环节", "受理编号", "申报对象", "奖项类别", "专家", "评分状态", "条款号", "条款", "分值", "得分", "评语")
    mode0 = awarded_cycle["mode"][0].number
    per_expert: dict[str, Decimal] = {}
    for row in items[1:]:
        if row[1] == mode0:
            per_expert[row[4]] = per_expert.get(row[4], 0) + Decimal(str(row[9]))
            assert row[9] <= row[8]
    assert per_expert == {"评审专家0": 820, "评审专家1": 820, "评审专家2": 820}
    totals = [r for r in book["专家总分"].iter_rows(values_only=True)][1:]
    assert sorted((r[1], r[3], r[5]) for r in totals if r[1] == mode0) == [(mode0, f"评审专家{i}", 820) for i in range(3)]


def test_rankings_workbook_lists_the_material_review_ranking(cn_cycle, awarded_cycle, cn_staff, client, django_capture_on_commit_callbacks):
    client.force_login(cn_staff)
    book = _load(_export(client, cn_cycle, "rankings", django_capture_on_commit_callbacks))
    sheet = book["资料评审-1"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "资料评审 · 区长质量奖先进质量管理模式（项目）"
    assert rows[1][:6] == ("名次", "受理编号", "申报对象", "得分", "评分专家数", "极差")
    mode = awarded_cycle["mode"]
    assert [r[:6] for r in rows[2:5]] == [(1, mode[0].number, "模式企业0", 820, 3, 0), (2, mode[1].number, "模式企业1", 760, 3, 0),
                                          (3, mode[2].number, "模式企业2", 640, 3, 0)]


def test_unknown_export_is_404_and_other_organisers_cannot_export(cn_cycle, cn_staff, xh_staff, client):
    client.force_login(cn_staff)
    assert client.get(reverse("reviews:export", args=[cn_cycle.code, "everything"])).status_code == 404
    assert client.post(reverse("reviews:exports", args=[cn_cycle.code]), {"kind": "everything"}).status_code == 400
    client.force_login(xh_staff)
    assert client.get(reverse("reviews:export", args=[cn_cycle.code, "winners"])).status_code == 404
    assert client.post(reverse("reviews:exports", args=[cn_cycle.code]), {"kind": "winners"}).status_code == 404
    assert not ExportJob.objects.exists()


def test_dashboard_figures(cn_cycle, awarded_cycle, cn_staff, client):
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:dashboard", args=[cn_cycle.code]))
    assert page.status_code == 200
    data = page.context["data"]
    assert (data.money.planned_wan, data.money.proposed_wan, data.money.committed_wan) == ("159", "102", "102")
    assert [(s.stage.code, s.reached, s.current, s.failed_here) for s in data.stages] == [
        ("eligibility", 4, 0, 0), ("material-review", 4, 0, 1), ("presentation", 3, 0, 0), ("site-visit", 3, 0, 0),
        ("comprehensive", 3, 0, 0), ("publicity", 3, 0, 0), ("approval", 3, 0, 0), ("award", 3, 3, 0)]
    mode = next(c for c in data.categories if c.category.code == "district-mode")
    assert (mode.applications, mode.proposed, mode.winners, mode.quota) == (3, 2, 2, 2)
    body = page.content.decode()
    assert '<td class="text-end" data-figure="committed-wan">102 万元</td>' in body
    assert "<svg" in body and "style=" not in body


def _dashboard_queries(client, code) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reviews:dashboard", args=[code])).status_code == 200
    return len(captured.captured_queries)


def test_dashboard_query_count_does_not_grow_with_applications(cn_cycle, make_application, cn_staff, client,
                                                               django_assert_num_queries, experts):  # noqa: F811
    client.force_login(cn_staff)
    first = make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff)
    _score(first, Stage.objects.get(cycle=cn_cycle, code="material-review"), experts[:2], 700, cn_staff)
    services_count = _dashboard_queries(client, cn_cycle.code)
    for i in range(12):
        app = make_application(cn_cycle, ("district-mode", "gold-mode", "gold-achievement")[i % 3],
                               stage=("eligibility", "material-review", "comprehensive")[i % 3], staff=cn_staff)
        if i % 3 == 1:
            _score(app, Stage.objects.get(cycle=cn_cycle, code="material-review"), experts[i % 4: i % 4 + 2], 650, cn_staff)
        if i % 3 == 2 and i < 9:
            services.add_recommendation(application=app, actor=cn_staff)
    client.force_login(cn_staff)
    with django_assert_num_queries(services_count):
        assert client.get(reverse("reviews:dashboard", args=[cn_cycle.code])).status_code == 200
