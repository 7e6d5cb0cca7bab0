"""Answers in people's words: labels from the form definition, formatted values, and the per-field
diff every draft save records (applications/answers.py, application_save_draft, the history pages)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from applications.answers import AnswerSheet, answer_groups
from applications.models import Application
from core.display import date_text, grouped, money, plain
from core.models import ActivityLog
from reviews import services as review_services
from reviews.selectors import application_history, described_history
from tests.conftest import force_login_verified

# What must never reach a page: the stored keys of form_data and Python's reprs.
RAW = re.compile(r"\b(overview|figures|revenue|profit|policy_loss|certifications|declarations|compliance|truthful|"
                 r"fig_\d{4}_\w+|decl_\w+|crit_\w+|None|True|False)\b|›|\{'|'\}")


def form_data(application, **changes) -> dict:
    """What the browser posts for the draft as it is, with `changes`."""
    data = {"version": str(application.version), "overview": "本公司导入卓越绩效模式。", "certifications": "ISO 9001"}
    for year in (2020, 2021, 2022):
        data.update({f"fig_{year}_revenue": "5000", f"fig_{year}_profit": "120.50"})
    data.update({f"decl_{code}": "on" for code in application.declarations})
    data.update(changes)
    return data


def visible_text(html: str) -> str:
    """The text a reader sees: no tags, no attributes, no script or style."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_money_is_grouped_in_wan_or_yuan():
    assert money("12345", unit="wan") == "12,345 万元"
    assert money("-1234.5", unit="wan") == "-1,234.50 万元"
    assert money(500000) == "500,000 元"
    assert grouped(1000000) == "1,000,000"
    with translation.override("en"):
        assert money("12345", unit="wan") == "12,345 × 10,000 yuan"
        assert money(500000) == "CNY 500,000"


def test_dates_and_yes_no_read_as_words_in_the_readers_language():
    assert date_text("2025-11-03") == "2025年11月3日"
    assert plain(True) == "是" and plain(False) == "否" and plain(None) == "—"
    with translation.override("en"):
        assert date_text(datetime.date(2025, 11, 3)) == "Nov. 3, 2025"
        assert plain(True) == "Yes"


@pytest.mark.django_db
def test_answers_are_labelled_from_the_form_definition_and_formatted(make_org_draft):
    application = make_org_draft()
    application.form_data["figures"]["2020"] = {"revenue": "12345.5", "profit": "-20", "policy_loss": True}
    application.save()
    groups = {group.title: {a.label: a.text for a in group.answers} for group in answer_groups(application)}
    assert groups["近三年主要经营指标"]["2020年营业收入（万元）"] == "12,345.50 万元"
    assert groups["近三年主要经营指标"]["2020年利润总额（万元）"] == "-20 万元"
    assert groups["近三年主要经营指标"]["2020年如亏损，属政策性亏损"] == "是"
    assert groups["近三年主要经营指标"]["2021年如亏损，属政策性亏损"] == "否"
    assert groups["组织概述"]["组织概述"] == "本公司导入卓越绩效模式。"
    declarations = groups["申报承诺"]
    assert declarations and set(declarations.values()) == {"已承诺"}
    assert all(not RAW.search(label) for label in declarations)
    assert groups["推荐单位"]["推荐单位"] == "（直接申报，无推荐单位）"


@pytest.mark.django_db
def test_a_draft_save_records_what_changed_field_by_field(make_org_draft, applicant, client):
    application = make_org_draft()
    force_login_verified(client, applicant)
    url = reverse("applications:edit", args=[application.pk])
    assert client.post(url, form_data(application, fig_2020_revenue="8000", fig_2022_policy_loss="on")).status_code == 302
    entry = ActivityLog.objects.get(action="application.save")
    assert entry.before == {"version": 1, "answers": {"fig_2020_revenue": "5000", "fig_2022_policy_loss": False}}
    assert entry.after == {"version": 2, "answers": {"fig_2020_revenue": "8000", "fig_2022_policy_loss": True}, "sections": ["figures"]}

    fresh_app = Application.objects.get(pk=application.pk)
    history = described_history(fresh_app, application_history(fresh_app))
    changes = {c.label: (c.before, c.after) for c in history[0].changes}
    assert history[0].action_label == "保存草稿"
    assert changes == {"版本": ("第 1 版", "第 2 版"), "2020年营业收入（万元）": ("5,000 万元", "8,000 万元"),
                       "2022年如亏损，属政策性亏损": ("否", "是")}


@pytest.mark.django_db
def test_an_autosave_is_logged_as_such_and_answers_json(make_org_draft, applicant, client):
    application = make_org_draft()
    force_login_verified(client, applicant)
    url = reverse("applications:edit", args=[application.pk])
    response = client.post(url, form_data(application, overview="自动保存的概述", autosave="1"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["version"] == 2
    assert re.fullmatch(r"已自动保存 \d\d:\d\d:\d\d", body["message"])
    entry = ActivityLog.objects.get(action="application.autosave")
    assert entry.before["answers"] == {"overview": "本公司导入卓越绩效模式。"}
    assert entry.after["answers"] == {"overview": "自动保存的概述"}
    # A stale autosave (the form still at version 1) gets the conflict message, and nothing is overwritten.
    stale = client.post(url, form_data(application, overview="另一个窗口的旧内容", autosave="1"))
    assert stale.status_code == 409
    assert stale.json()["conflict"] is True
    assert "保存未成功" in stale.json()["message"]
    application.refresh_from_db()
    assert (application.version, application.form_data["overview"]) == (2, "自动保存的概述")


@pytest.mark.django_db
def test_staff_page_and_history_show_labels_and_words_not_keys(make_org_draft, applicant, client, cn_staff):
    application = make_org_draft()
    force_login_verified(client, applicant)
    client.post(reverse("applications:edit", args=[application.pk]), form_data(application, overview="修改后的概述", fig_2020_revenue="123456"))
    client.post(reverse("applications:check", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "submitted"
    review_services.apply_transition(application=application, name="start_review", actor=cn_staff)
    force_login_verified(client, cn_staff)
    cycle = application.cycle.code
    page = visible_text(client.get(reverse("reviews:staff_application", args=[cycle, application.pk])).content.decode())
    assert "2020年营业收入（万元）" in page and "123,456 万元" in page
    assert "5,000 万元 → 123,456 万元" in re.sub(r"\s+", " ", page)
    assert "已提交" in page and "受理，进入评审" in page
    assert "已承诺" in page
    assert not RAW.search(page), RAW.search(page)
    history = visible_text(client.get(reverse("reviews:application_notifications", args=[cycle, application.pk])).content.decode())
    assert "保存草稿" in history and "123,456 万元" in history
    assert not RAW.search(history), RAW.search(history)


@pytest.mark.django_db
def test_history_reads_in_english_for_an_english_reader(make_org_draft, applicant):
    application = make_org_draft()
    from applications.services import application_save_draft

    application_save_draft(application=application, actor=applicant, version=1,
                           changes={"form_data": {**application.form_data, "overview": "New overview"}})
    with translation.override("en"):
        fresh_app = Application.objects.get(pk=application.pk)
        entry = described_history(fresh_app, application_history(fresh_app))[0]
        labels = [c.label for c in entry.changes]
        assert entry.action_label == "Draft saved"
        assert labels == ["Version", "Organisation overview"]
        assert entry.changes[0].after == "version 2"


@pytest.mark.django_db
def test_the_answer_sheet_has_a_label_for_every_field_it_records(make_org_draft):
    sheet = AnswerSheet(make_org_draft())
    for name in sheet.values():
        assert sheet.label(name) and not RAW.search(sheet.label(name)), name


@pytest.mark.django_db
def test_the_admin_shows_a_log_entry_in_words_too(make_org_draft, applicant, admin_client):
    application = make_org_draft()
    from applications.services import application_save_draft

    figures = {**application.form_data["figures"], "2021": {"revenue": "66000", "profit": "1", "policy_loss": False}}
    application_save_draft(application=application, actor=applicant, version=1,
                           changes={"form_data": {**application.form_data, "figures": figures}})
    entry = ActivityLog.objects.get(action="application.save")
    page = admin_client.get(reverse("admin:core_activitylog_change", args=[entry.pk])).content.decode()
    assert "2021年营业收入（万元）：5,000 万元 → 66,000 万元" in page
    assert "2021年利润总额（万元）：120.50 万元 → 1 万元" in page


@pytest.mark.django_db
def test_the_history_reads_in_a_constant_number_of_queries(make_org_draft, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.services import application_save_draft

    application = make_org_draft()

    def save(text):
        nonlocal application
        application = application_save_draft(application=application, actor=applicant, version=application.version,
                                             changes={"form_data": {**application.form_data, "overview": text}})

    def queries() -> int:
        fresh = Application.objects.select_related("cycle__programme", "category").get(pk=application.pk)
        with CaptureQueriesContext(connection) as captured:
            entries = described_history(fresh, application_history(fresh))
            [change.after for entry in entries for change in entry.changes]
        return len(captured)

    save("第一次")
    few = queries()
    for n in range(8):
        save(f"第 {n} 次修改")
    assert queries() == few
