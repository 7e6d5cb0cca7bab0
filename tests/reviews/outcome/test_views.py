"""The staff pages drive the services: publish through the form, record the approval through the form."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Approval, Publicity

from .conftest import JOINT_UNITS


def test_publish_form_previews_the_end_date_then_publishes(cn_cycle, make_application, cn_staff, client):
    app = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    services.add_recommendation(application=app, actor=cn_staff)
    client.force_login(cn_staff)
    url = reverse("reviews:publicity_manage", args=[cn_cycle.code])
    today = timezone.localdate()
    data = {"start_date": today.isoformat(), "title": "拟表彰对象公示", "notice": "现予公示。", "contact": "电话 123"}
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    expected_end = services.publicity_end_date(start=today, span=5, unit="working_days")
    assert f"公示结束日期：{expected_end.isoformat()}" in preview.content.decode()
    assert not Publicity.objects.exists()
    published = client.post(url, {**data, "publish": "1"})
    assert published.status_code == 302
    publicity = Publicity.objects.get()
    assert (publicity.title, publicity.end_date, publicity.contact) == ("拟表彰对象公示", expected_end, "电话 123")


def test_approval_form_keeps_what_was_typed_when_refused(cn_cycle, make_application, cn_staff, client):
    app = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    services.add_recommendation(application=app, actor=cn_staff)
    services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=timezone.localdate())
    client.force_login(cn_staff)
    response = client.post(reverse("reviews:approval", args=[cn_cycle.code]), {
        "approved_on": timezone.localdate().isoformat(), "approving_body": "上海市长宁区人民政府",
        "document_number": "长府〔2025〕99号", "notes": "我写的说明"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "公示期内不能录入批准" in body and "长府〔2025〕99号" in body and "我写的说明" in body
    assert not Approval.objects.exists()


def test_meeting_form_records_attendance_by_checkbox(hq_cycle, cn_staff, client):
    client.force_login(cn_staff)
    url = reverse("reviews:meeting_new", args=[hq_cycle.code, "selection"])
    page = client.get(url).content.decode()
    assert "共 10 个成员单位，须至少 7 个出席方可作出决定。" in page
    response = client.post(url, {"held_on": "2023-06-01", "present_units": JOINT_UNITS[:7], "location": "会议室"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "出席 7 / 10 个成员单位" in detail and 'data-quorum="met"' in detail


def test_pages_of_a_cycle_load_for_its_staff(cn_cycle, hq_cycle, cn_staff, client):
    client.force_login(cn_staff)
    for cycle in (cn_cycle, hq_cycle):
        for name in ("cycle_home", "recommendations", "publicity_manage", "approval", "awards", "dashboard"):
            assert client.get(reverse(f"reviews:{name}", args=[cycle.code])).status_code == 200, name
    overview = client.get(reverse("awards:cycle_overview", args=[cn_cycle.code])).content.decode()
    assert reverse("reviews:dashboard", args=[cn_cycle.code]) in overview


def test_public_page_for_an_unknown_key_is_404(client, db):
    assert client.get(reverse("reviews:public_publicity", args=["no-such-cycle"])).status_code == 404
    assert client.get(reverse("reviews:public_publicity", args=["999"])).status_code == 404
