"""Date-times keep their seconds in the admin: a 23:59:59 deadline is shown and saved as 23:59:59."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from awards.models import Cycle
from bench.formparse import form_fields
from core.admin_mixins import SecondsSplitDateTime
from core.models import ActivityLog

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def hongqiao(seeds):
    return seeds["changning-hongqiao-2023"]


def _change(client, cycle: Cycle) -> tuple[str, dict]:
    url = f"/admin/awards/cycle/{cycle.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    return html, form_fields(html, "cycle_form")


def test_the_deadline_is_shown_with_its_seconds(client, cn_admin, hongqiao):
    client.force_login(cn_admin)
    html, fields = _change(client, hongqiao)
    assert (fields["application_closes_at_0"], fields["application_closes_at_1"]) == ("2023/03/31", "23:59:59")
    assert (fields["application_opens_at_0"], fields["application_opens_at_1"]) == ("2023/02/01", "00:00:00")


def test_saving_the_cycle_unchanged_keeps_23_59_59_and_logs_nothing(client, cn_admin, hongqiao):
    client.force_login(cn_admin)
    _html, fields = _change(client, hongqiao)
    logged = ActivityLog.objects.count()
    response = client.post(f"/admin/awards/cycle/{hongqiao.pk}/change/", {**fields, "_save": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    hongqiao.refresh_from_db()
    assert hongqiao.application_closes_at == datetime.datetime(2023, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert ActivityLog.objects.count() == logged  # nothing changed, so nothing to log


def test_a_new_deadline_is_saved_to_the_second_and_logged(client, cn_admin, hongqiao):
    client.force_login(cn_admin)
    _html, fields = _change(client, hongqiao)
    fields.update(application_closes_at_0="2023-04-30", application_closes_at_1="23:59:59", _save="1")
    assert client.post(f"/admin/awards/cycle/{hongqiao.pk}/change/", fields).status_code == 302
    hongqiao.refresh_from_db()
    assert timezone.localtime(hongqiao.application_closes_at).isoformat() == "2023-04-30T23:59:59+08:00"
    entry = ActivityLog.objects.get(action="config.update", target_type="awards.cycle")
    assert (entry.actor, entry.before, entry.after) == (
        cn_admin, {"application_closes_at": "2023-03-31T23:59:59+08:00"}, {"application_closes_at": "2023-04-30T23:59:59+08:00"},
    )
    _html, fields = _change(client, hongqiao)
    assert fields["application_closes_at_1"] == "23:59:59"


def test_the_english_admin_keeps_the_seconds_too(client, cn_admin, hongqiao):
    cn_admin.preferred_language = "en"
    cn_admin.save(update_fields=["preferred_language"])
    client.force_login(cn_admin)
    client.cookies["django_language"] = "en"
    _html, fields = _change(client, hongqiao)
    assert fields["application_closes_at_1"] == "23:59:59"


def test_microseconds_survive_a_round_trip_through_the_widget():
    from django.contrib.admin.widgets import AdminSplitDateTime

    assert AdminSplitDateTime().widgets[1].format_value(datetime.time(23, 59, 59)) == "23:59"  # Django's, under zh-hans
    widget = SecondsSplitDateTime()
    value = datetime.datetime(2025, 12, 30, 9, 15, 7, 250000, tzinfo=SHANGHAI)
    date_part, time_part = widget.decompress(value)
    assert widget.widgets[1].format_value(time_part) == "09:15:07.250000"
    assert widget.widgets[1].format_value(datetime.time(23, 59, 59)) == "23:59:59"
