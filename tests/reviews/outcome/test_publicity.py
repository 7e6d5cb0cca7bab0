"""公示: end date from China's calendar (调休 included), coverage limits, the public page, objections."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.models import ApplicationStatus
from awards.models import Stage
from core.models import ActivityLog, EmailNotification
from reviews import services
from reviews.models import SHANGHAI, Objection, Recommendation
from reviews.services import DecisionError


def test_five_working_days_from_2025_09_26_cross_national_day_with_the_sunday_make_up_day(db):
    # 09-26 Fri (1), 09-27 Sat off, 09-28 Sun make-up working day (2), 09-29 (3), 09-30 (4),
    # 10-01..10-08 National Day and Mid-Autumn holiday, 10-09 Thu (5).
    assert services.publicity_end_date(start=datetime.date(2025, 9, 26), span=5, unit="working_days") == datetime.date(2025, 10, 9)
    assert services.publicity_end_date(start=datetime.date(2025, 9, 26), span=5, unit="calendar_days") == datetime.date(2025, 9, 30)


def test_beyond_the_calendar_coverage_the_portal_says_so_and_does_not_guess(cn_cycle, make_application, cn_staff, client):
    application = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    services.add_recommendation(application=application, actor=cn_staff)
    with pytest.raises(DecisionError) as refused:
        services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=datetime.date(2027, 3, 1))
    message = str(refused.value)
    assert message.startswith("2027-03-01 所在年份的法定节假日和调休安排尚未收录（节假日日历仅覆盖 2004—")
    assert "无法按工作日计算" in message
    client.force_login(cn_staff)
    page = client.post(reverse("reviews:publicity_manage", args=[cn_cycle.code]),
                       {"start_date": "2027-03-01", "title": "公示", "notice": "说明", "contact": "", "publish": "1"})
    assert page.status_code == 400
    body = page.content.decode()
    assert 'data-coverage="error"' in body and "2027-03-01 所在年份的法定节假日和调休安排尚未收录" in body
    assert application.recommendations.get().status == "proposed"
    assert not application.cycle.publicities.exists()


@pytest.fixture
def listed(cn_cycle, make_application, cn_staff):
    apps = [make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff, name=f"上海甲乙{i}有限公司")
            for i in range(2)]
    for app in apps:
        services.add_recommendation(application=app, actor=cn_staff)
    return apps


def publish(cycle, staff, start, today=None):
    return services.publish_publicity(cycle=cycle, actor=staff, start_date=start, today=today or start)


def test_publishing_moves_the_list_into_the_publicity_stage_and_tells_each_applicant(cn_cycle, listed, cn_staff):
    publicity = publish(cn_cycle, cn_staff, datetime.date(2025, 9, 26), today=datetime.date(2025, 9, 20))
    assert (publicity.start_date, publicity.end_date, publicity.span, publicity.unit) == (
        datetime.date(2025, 9, 26), datetime.date(2025, 10, 9), 5, "working_days")
    assert publicity.opens_at == datetime.datetime(2025, 9, 26, 0, 0, tzinfo=SHANGHAI)
    assert publicity.closes_at == datetime.datetime(2025, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    for app in listed:
        app.refresh_from_db()
        assert app.current_stage.code == "publicity"
        mail = EmailNotification.objects.filter(application=app).order_by("-id").first()
        assert mail.subject == f"{app.number}：已列入拟表彰名单，进入公示"
        assert "公示期：2025-09-26 00:00 至 2025-10-09 23:59:59（北京时间）。" in mail.body
        assert f"/publicity/{publicity.pk}/" in mail.body
    with pytest.raises(DecisionError, match="已发布，不能重复发布"):
        publish(cn_cycle, cn_staff, datetime.date(2025, 9, 26), today=datetime.date(2025, 9, 20))


def test_start_date_in_the_past_is_refused(cn_cycle, listed, cn_staff):
    with pytest.raises(DecisionError, match="公示开始日期不能早于今天（2025-09-20）"):
        publish(cn_cycle, cn_staff, datetime.date(2025, 9, 19), today=datetime.date(2025, 9, 20))


def test_objection_at_the_last_second_is_accepted_and_one_second_later_refused(cn_cycle, listed, cn_staff):
    publicity = publish(cn_cycle, cn_staff, datetime.date(2025, 9, 26), today=datetime.date(2025, 9, 20))
    last_second = datetime.datetime(2025, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    accepted = services.file_objection(publicity=publicity, application=listed[0], name="张三", contact="13900000000",
                                       content="该企业近三年发生过质量事故。", now=last_second)
    assert accepted.status == "open"
    with pytest.raises(DecisionError) as refused:
        services.file_objection(publicity=publicity, application=listed[0], name="张三", contact="13900000000",
                                content="补充材料", now=last_second + datetime.timedelta(seconds=1))
    assert str(refused.value) == "公示已于 2025-10-09 23:59:59 结束，不再受理异议。"
    before_start = datetime.datetime(2025, 9, 25, 23, 59, 59, tzinfo=SHANGHAI)
    with pytest.raises(DecisionError, match="公示尚未开始（2025-09-26 起）"):
        services.file_objection(publicity=publicity, application=listed[0], name="李四", contact="x", content="y",
                                now=before_start)
    assert Objection.objects.count() == 1
    entry = ActivityLog.objects.get(action="objection.filed")
    assert (entry.actor_id, entry.target_id, entry.reason) == (None, str(listed[0].pk), "该企业近三年发生过质量事故。")


def test_public_page_without_login_shows_the_list_and_takes_objections(cn_cycle, listed, cn_staff, client, minimal_png):
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    for key in (str(publicity.pk), cn_cycle.code):
        page = client.get(reverse("reviews:public_publicity", args=[key]))
        assert page.status_code == 200
        body = page.content.decode()
        assert "长宁区政府质量奖（2023年度）拟表彰对象公示" in body
        assert "上海甲乙0有限公司" in body and "上海甲乙1有限公司" in body
        assert "公示已结束" not in body
    response = client.post(reverse("reviews:public_publicity", args=[publicity.pk]), {
        "application": listed[1].pk, "name": "王五", "contact": "wang@example.test", "content": "申报材料中的获奖情况与事实不符。",
        "attachment": SimpleUploadedFile("证明.png", minimal_png, content_type="image/png"),
    })
    assert response.status_code == 200
    assert "异议已收到" in response.content.decode()
    objection = Objection.objects.get()
    assert (objection.application_id, objection.attachment_content_type, objection.ip_address) == (listed[1].pk, "image/png", "127.0.0.1")


def test_fake_attachment_is_refused_by_its_content_and_the_text_is_kept(cn_cycle, listed, cn_staff, client):
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    response = client.post(reverse("reviews:public_publicity", args=[publicity.pk]), {
        "application": listed[0].pk, "name": "王五", "contact": "13800000000", "content": "我保留的异议文字",
        "attachment": SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"),
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "只接受 PDF、JPEG、PNG、DOCX 文件；所上传文件的内容不是这些格式之一。" in body
    assert "我保留的异议文字" in body
    assert Objection.objects.count() == 0


def test_objections_are_throttled_per_address_with_a_429(cn_cycle, listed, cn_staff, client, settings):
    settings.OBJECTION_LIMIT_PER_HOUR = 3
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    url = reverse("reviews:public_publicity", args=[publicity.pk])
    data = {"application": listed[0].pk, "name": "某人", "contact": "1", "content": "异议"}
    assert [client.post(url, data).status_code for _ in range(3)] == [200, 200, 200]
    throttled = client.post(url, data)
    assert throttled.status_code == 429
    assert "提交过于频繁：同一网络每小时最多提交 3 份异议" in throttled.content.decode()
    other = client.post(url, data, REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 200
    assert Objection.objects.count() == 4


def test_after_the_window_the_page_says_it_has_ended_and_refuses_objections(cn_cycle, listed, cn_staff, client):
    publicity = publish(cn_cycle, cn_staff, datetime.date(2025, 9, 26), today=datetime.date(2025, 9, 20))
    page = client.get(reverse("reviews:public_publicity", args=[publicity.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "公示已结束" in body and "上海甲乙0有限公司" not in body
    refused = client.post(reverse("reviews:public_publicity", args=[publicity.pk]),
                          {"application": listed[0].pk, "name": "某人", "contact": "1", "content": "异议"})
    assert refused.status_code == 403
    assert "公示已于 2025-10-09 23:59:59 结束，不再受理异议。" in refused.content.decode()
    assert Objection.objects.count() == 0


def test_upheld_objection_withdraws_the_candidate_and_fails_the_application(cn_cycle, listed, cn_staff):
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    objection = services.file_objection(publicity=publicity, application=listed[0], name="张三", contact="1", content="有事故")
    services.investigate_objection(objection=objection, actor=cn_staff, notes="已调取应急管理局记录")
    with pytest.raises(DecisionError, match="请填写处理意见"):
        services.resolve_objection(objection=objection, actor=cn_staff, upheld=True, reason="")
    services.resolve_objection(objection=objection, actor=cn_staff, upheld=True, reason="2022年发生一般生产安全事故，属实。")
    listed[0].refresh_from_db()
    assert listed[0].status == ApplicationStatus.NOT_PASSED
    rec = Recommendation.objects.get(application=listed[0])
    assert (rec.status, rec.withdrawn_reason) == ("withdrawn", "异议成立：2022年发生一般生产安全事故，属实。")
    mail = EmailNotification.objects.filter(application=listed[0]).order_by("-id").first()
    assert mail.subject == f"{listed[0].number}：公示异议处理结果"
    assert "理由：经核实，公示期间的异议成立：2022年发生一般生产安全事故，属实。" in mail.body
    actions = list(ActivityLog.objects.filter(target_id=str(listed[0].pk), target_type="applications.application")
                   .order_by("id").values_list("action", flat=True))
    assert actions[-5:] == ["objection.filed", "objection.investigating", "objection.upheld",
                            "recommendation.withdrawn_by_objection", "application.fail"]
    with pytest.raises(DecisionError, match="该异议已处理完毕"):
        services.resolve_objection(objection=objection, actor=cn_staff, upheld=False, reason="x")


def test_dismissed_objection_keeps_the_candidate(cn_cycle, listed, cn_staff):
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    objection = services.file_objection(publicity=publicity, application=listed[1], name="张三", contact="1", content="有投诉")
    services.resolve_objection(objection=objection, actor=cn_staff, upheld=False, reason="经核实，投诉已于2022年依法处理完毕，不属重大投诉。")
    listed[1].refresh_from_db()
    assert listed[1].status == ApplicationStatus.IN_REVIEW and listed[1].current_stage.code == "publicity"
    assert Recommendation.objects.get(application=listed[1]).status == "proposed"
    entry = ActivityLog.objects.get(action="objection.dismissed")
    assert entry.reason == "经核实，投诉已于2022年依法处理完毕，不属重大投诉。"


def test_staff_of_another_organiser_cannot_see_objections(cn_cycle, listed, cn_staff, xh_staff, client):
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    objection = services.file_objection(publicity=publicity, application=listed[1], name="张三", contact="1", content="x")
    client.force_login(xh_staff)
    assert client.get(reverse("reviews:objection_detail", args=[objection.pk])).status_code == 404
    assert client.get(reverse("reviews:publicity_manage", args=[cn_cycle.code])).status_code == 404
    client.force_login(cn_staff)
    assert client.get(reverse("reviews:objection_detail", args=[objection.pk])).status_code == 200


def test_publicity_stage_days_come_from_the_stage_configuration(cn_cycle, listed, cn_staff):
    Stage.objects.filter(cycle=cn_cycle, code="publicity").update(params={"span": 7, "unit": "calendar_days"})
    publicity = publish(cn_cycle, cn_staff, datetime.date(2025, 9, 26), today=datetime.date(2025, 9, 20))
    assert (publicity.end_date, publicity.unit) == (datetime.date(2025, 10, 2), "calendar_days")


def test_the_public_page_of_a_cycle_without_a_publicity_says_it_is_not_published_yet(cn_cycle, client):
    """The staff pages link to the public page from the start; before the 公示 it explains, it is no 404."""
    page = client.get(reverse("reviews:public_publicity", args=[cn_cycle.code]))
    assert page.status_code == 200
    assert "本周期尚未发布评审公示" in page.content.decode()
    english = client.get(reverse("reviews:public_publicity", args=[cn_cycle.code]), HTTP_ACCEPT_LANGUAGE="en")
    assert "has not been published yet" in english.content.decode()
    assert client.get(reverse("reviews:public_publicity", args=["no-such-cycle"])).status_code == 404
    assert client.get(reverse("reviews:public_publicity", args=["999999"])).status_code == 404


def test_the_objection_form_names_the_category_in_the_readers_language(cn_cycle, listed, cn_staff, client, settings):
    publicity = publish(cn_cycle, cn_staff, timezone.localdate())
    category = listed[0].category
    category.name_en = "Advanced model (project)"
    category.save(update_fields=["name_en"])
    url = reverse("reviews:public_publicity", args=[publicity.pk])
    assert f"{category.name} · {listed[0].applicant_name}</option>" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f"Advanced model (project) · {listed[0].applicant_name}</option>" in client.get(url).content.decode()
