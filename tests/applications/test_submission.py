"""Submission: the window to the second (Asia/Shanghai), receipt numbers, withdrawal, supplements."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, ApplicationStatus, Attachment

from .conftest import add_attachment

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = datetime.datetime(2025, 12, 30, 23, 59, 59, tzinfo=SHANGHAI)  # 徐汇 notice: 即日起至2025年12月30日


@pytest.fixture
def xuhui_draft(make_org_draft, applicant, organisation, open_cycles, monkeypatch):
    at(monkeypatch, DEADLINE - datetime.timedelta(days=10))  # drafted ten days before the deadline
    organisation.registered_district = "徐汇区"
    organisation.save()
    cycle = open_cycles["xuhui-quality-5"]
    cycle.application_opens_at = datetime.datetime(2025, 10, 1, tzinfo=SHANGHAI)
    cycle.application_closes_at = DEADLINE
    cycle.save()
    application = make_org_draft("xuhui-quality-5", "gold-mode")
    Application.objects.filter(pk=application.pk).update(
        internal_publicity_start=datetime.date(2025, 12, 1), internal_publicity_end=datetime.date(2025, 12, 5)
    )
    add_attachment(application, Attachment.Purpose.PUBLICITY_PROOF, applicant)
    application.refresh_from_db()
    return application


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_submission_one_second_before_the_deadline_is_accepted(xuhui_draft, applicant, monkeypatch):
    at(monkeypatch, DEADLINE - datetime.timedelta(seconds=1))
    submitted = services.application_submit(application=xuhui_draft, actor=applicant)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.number == "XUHUI-QUALITY-5-2025-0001"
    assert timezone.localtime(submitted.submitted_at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") == "2025-12-30 23:59:58"


@pytest.mark.django_db
def test_submission_one_second_after_the_deadline_is_refused_and_the_draft_is_read_only(xuhui_draft, applicant, client, monkeypatch):
    at(monkeypatch, DEADLINE + datetime.timedelta(seconds=1))
    with pytest.raises(services.ApplicationError) as info:
        services.application_submit(application=xuhui_draft, actor=applicant)
    assert str(info.value) == "不在申报时间内，不能提交。申报截止时间为 2025-12-30 23:59:59（北京时间）。"
    xuhui_draft.refresh_from_db()
    assert (xuhui_draft.status, xuhui_draft.number) == (ApplicationStatus.DRAFT, None)
    client.force_login(applicant)
    response = client.get(reverse("applications:edit", args=[xuhui_draft.pk]))
    assert response["Location"] == reverse("applications:detail", args=[xuhui_draft.pk])
    response = client.post(reverse("applications:edit", args=[xuhui_draft.pk]), {"version": "1", "overview": "迟到的修改"})
    assert response.status_code == 302
    xuhui_draft.refresh_from_db()
    assert xuhui_draft.form_data["overview"] == "本公司导入卓越绩效模式。"
    page = client.get(reverse("applications:detail", args=[xuhui_draft.pk])).content.decode()
    assert "申报已截止，此草稿只能查看" in page


@pytest.mark.django_db
def test_receipt_numbers_count_up_per_cycle(make_org_draft, applicant, make_user, open_cycles):
    from applications.models import OrganisationProfile

    first = make_org_draft()
    services.application_submit(application=first, actor=applicant)
    other = make_user("carol")
    organisation = OrganisationProfile.objects.create(
        owner=other, name="第二家公司", credit_code="91310104MA1K4B2N68", org_type="enterprise", registered_district="长宁区",
        established_on=datetime.date(2010, 1, 1), legal_representative="王", contact_name="王", contact_mobile="13900000000",
    )
    cycle = open_cycles["changning-quality-2023"]
    category = cycle.categories.get(code="district-mode")
    second = Application.objects.create(cycle=cycle, category=category, applicant=other, organisation=organisation,
                                        form_data=first.form_data, declarations=first.declarations)
    add_attachment(second, Attachment.Purpose.SELF_EVALUATION, other)
    services.application_submit(application=second, actor=other)
    assert [first.number, Application.objects.get(pk=second.pk).number] == ["CHANGNING-QUALITY-2023-0001", "CHANGNING-QUALITY-2023-0002"]


@pytest.mark.django_db
def test_blocked_submission_uses_no_receipt_number(make_org_draft, applicant):
    application = make_org_draft()
    Application.objects.filter(pk=application.pk).update(declarations={})
    application.refresh_from_db()
    with pytest.raises(services.SubmissionBlocked) as info:
        services.application_submit(application=application, actor=applicant)
    assert "申报承诺：尚有 5 项承诺未确认。" in str(info.value)
    application.refresh_from_db()
    assert (application.status, application.number, application.eligibility_snapshot) == (ApplicationStatus.DRAFT, None, None)


@pytest.mark.django_db
def test_withdraw_before_review_and_apply_again(make_org_draft, applicant, client):
    application = make_org_draft()
    services.application_submit(application=application, actor=applicant)
    client.force_login(applicant)
    response = client.post(reverse("applications:withdraw", args=[application.pk]), {"reason": "材料需重新准备"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    again = services.application_create(actor=applicant, category=application.category, organisation=application.organisation)
    assert again.status == ApplicationStatus.DRAFT


@pytest.mark.django_db
def test_withdraw_after_review_started_is_refused(make_org_draft, applicant, cn_staff):
    from reviews.services import apply_transition

    application = make_org_draft()
    services.application_submit(application=application, actor=applicant)
    apply_transition(application=application, name="start_review", actor=cn_staff)
    with pytest.raises(services.ApplicationError) as info:
        services.application_withdraw(application=application, actor=applicant)
    assert "当前状态（评审中）不能执行此操作。" in str(info.value)


@pytest.mark.django_db
def test_supplement_edits_only_named_sections_and_resubmits(make_org_draft, applicant, cn_staff, client):
    from reviews.models import SupplementRequest
    from reviews.services import apply_transition

    application = make_org_draft()
    services.application_submit(application=application, actor=applicant)
    apply_transition(application=application, name="start_review", actor=cn_staff)
    apply_transition(application=application, name="request_supplement", actor=cn_staff, reason="请补充近三年财务数据说明")
    application.refresh_from_db()
    SupplementRequest.objects.create(
        application=application, stage=application.current_stage, sections=["figures", "attachments"], message="请补充财务数据",
        working_days=10, due_on=datetime.date(2030, 1, 10), created_by=cn_staff,
    )
    client.force_login(applicant)
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "请补充财务数据" in page
    form = {"version": str(application.version), "overview": "试图修改概述", "fig_2022_revenue": "9000", "fig_2022_profit": "400",
            "fig_2021_revenue": "8000", "fig_2021_profit": "300", "fig_2020_revenue": "7000", "fig_2020_profit": "200"}
    response = client.post(reverse("applications:edit", args=[application.pk]), form)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.form_data["overview"] == "本公司导入卓越绩效模式。"  # not a named section: unchanged
    assert application.form_data["figures"]["2022"]["revenue"] == "9000"
    response = client.post(reverse("applications:check", args=[application.pk]), {"reason": "已补充"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.number == "CHANGNING-QUALITY-2023-0001"
