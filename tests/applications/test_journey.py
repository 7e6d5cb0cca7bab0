"""The whole applicant journey through the Django test client: sign up → verify → profile →
draft → attachment → pre-check → submit → receipt, and the 虹桥 journey in English."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from applications.models import Application, ApplicationStatus, OrganisationProfile, PersonProfile
from core.models import ActivityLog

from .conftest import PDF_BYTES, upload

PASSWORD = "Quality-Journey-2026"


def sign_up_and_verify(client, email, language="zh-hans", name="张华"):
    response = client.post(
        reverse("accounts:signup"),
        {"email": email, "full_name": name, "preferred_language": language, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:verify_pending")
    user = User.objects.get(email=email.lower())
    assert (user.is_active, user.email_verified) == (False, False)
    assert user.role_assignments.filter(role=Role.APPLICANT, organiser=None).exists()
    link = re.search(r"http://testserver(/accounts/verify/\S+/)", mail.outbox[-1].body).group(1)
    # Signing in before verification says what is missing
    response = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 400
    assert ("尚未激活" if language == "zh-hans" else "has not been activated") in response.content.decode()
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("applications:dashboard")
    user.refresh_from_db()
    assert (user.is_active, user.email_verified) == (True, True)
    # The link works once
    assert client.get(link).status_code == 400
    return user


@pytest.mark.django_db(transaction=True)  # e-mails go out after commit, as in production
def test_organisation_journey_from_sign_up_to_receipt(client, open_cycles):
    cycle = open_cycles["changning-quality-2023"]
    user = sign_up_and_verify(client, "Zhang.Hua@Example.test")

    # Profile: a bad credit code is refused saying what is wrong; a typed-with-spaces one is normalised
    org_data = {
        "name": "上海长宁示例服务有限公司", "credit_code": "91310105MA1FL5XQ3X", "org_type": "enterprise",
        "registered_district": "长宁区", "established_on": "2015-04-01", "legal_representative": "李明",
        "contact_name": "张华", "contact_mobile": "138 1234 5678", "has_cqo_system": "on", "chief_quality_officer": "陈质量",
    }
    response = client.post(reverse("applications:organisation_new"), org_data)
    assert response.status_code == 400
    assert "统一社会信用代码校验位错误：最后一位应为“Y”" in response.content.decode()
    response = client.post(reverse("applications:organisation_new"), {**org_data, "credit_code": "9131 0105 ma1f l5xq 3y"})
    assert response.status_code == 302
    organisation = OrganisationProfile.objects.get(owner=user)
    assert (organisation.credit_code, organisation.contact_mobile) == ("91310105MA1FL5XQ3Y", "13812345678")

    # The public call, then a draft
    call = client.get(reverse("applications:call", args=[cycle.code])).content.decode()
    assert "五、申报条件" in call and "正常运行 3 年以上" in call
    category = cycle.categories.get(code="gold-mode")
    response = client.post(reverse("applications:start", args=[cycle.code]), {"category": category.pk})
    application = Application.objects.get(applicant=user)
    assert response["Location"] == reverse("applications:edit", args=[application.pk])

    form = {"version": "1", "overview": "本公司以卓越绩效模式为核心……", "certifications": "ISO 9001:2015 证书号 X 有效期至2027"}
    for year in (2020, 2021, 2022):
        form.update({f"fig_{year}_revenue": "8000", f"fig_{year}_profit": "320.5"})
    for code in ("compliance", "no-accident-3y", "no-negative-complaint", "social-responsibility", "truthful"):
        form[f"decl_{code}"] = "on"
    response = client.post(reverse("applications:edit", args=[application.pk]), form)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.version == 2
    assert application.form_data["figures"]["2021"] == {"revenue": "8000", "profit": "320.5", "policy_loss": False}

    # Pre-check before the self-evaluation report is uploaded: blocked, with the reason
    page = client.get(reverse("applications:check", args=[application.pk])).content.decode()
    assert "未上传自评报告。" in page and 'id="submit-application"' not in page

    response = client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"purpose": "self_evaluation", "file": upload("自评报告.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    page = client.get(reverse("applications:check", args=[application.pk])).content.decode()
    assert 'id="submit-application"' in page

    mail.outbox.clear()
    response = client.post(reverse("applications:check", args=[application.pk]))
    assert response["Location"] == reverse("applications:receipt", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.number == "CHANGNING-QUALITY-2023-0001"
    assert application.eligibility_snapshot["may_submit"] is True
    assert {r["kind"] for r in application.eligibility_snapshot["results"]} >= {"registered_district", "years_operating", "credit_blacklist"}
    receipt = client.get(reverse("applications:receipt", args=[application.pk])).content.decode()
    assert "CHANGNING-QUALITY-2023-0001" in receipt
    assert [m.subject for m in mail.outbox] == ["申报已收到：受理编号 CHANGNING-QUALITY-2023-0001"]
    assert ActivityLog.objects.filter(action="application.submit", target_id=str(application.pk)).count() == 1

    # Locked: the edit page sends the applicant to the read-only view; a second application is refused
    assert client.get(reverse("applications:edit", args=[application.pk]))["Location"] == reverse("applications:detail", args=[application.pk])
    response = client.post(reverse("applications:start", args=[cycle.code]), {"category": cycle.categories.get(code="district-mode").pk})
    assert response.status_code == 400
    assert "最多可提交 1 份申报" in response.content.decode()

    # Dashboard shows it, with history
    dashboard = client.get(reverse("applications:dashboard")).content.decode()
    assert "CHANGNING-QUALITY-2023-0001" in dashboard and "提交申报" in dashboard


@pytest.mark.django_db(transaction=True)
def test_hongqiao_journey_in_english(client, open_cycles, recommending_unit):
    cycle = open_cycles["changning-hongqiao-2023"]
    client.cookies["django_language"] = "en"
    user = sign_up_and_verify(client, "anna@example.test", language="en", name="Anna Schmidt")
    assert client.cookies["django_language"].value == "en"

    response = client.post(
        reverse("applications:person_edit"),
        {"name": "Anna Schmidt", "id_type": "passport", "id_number": "c01x 00t47", "nationality": "Germany",
         "work_district": "长宁区", "district_work_since": "2015-09-01", "mobile": "+49 170 1234567"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PersonProfile.objects.get(owner=user).id_number == "C01X00T47"

    call = client.get(reverse("applications:call", args=[cycle.code])).content.decode()
    assert "Hongqiao Friendship Award" in call
    assert "Transferred advanced technology or management experience" in call
    category = cycle.categories.get()
    client.post(reverse("applications:start", args=[cycle.code]), {"category": category.pk})
    application = Application.objects.get(applicant=user)
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "I am a steadfast, long-standing friend of China" in page

    response = client.post(
        reverse("applications:edit", args=[application.pk]),
        {"version": "1", "crit_3": "on", "crit_3_evidence": "Trained 40 engineers of local suppliers in lean methods.",
         "contribution": "Ten years of technology transfer in Changning.", "decl_friendly": "on", "decl_truthful": "on",
         "recommender": recommending_unit.pk},
    )
    assert response.status_code == 302
    client.post(reverse("applications:attachment_upload", args=[application.pk]), {"purpose": "evidence", "file": upload("evidence.pdf", PDF_BYTES)})
    response = client.post(reverse("applications:check", args=[application.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.number == "CHANGNING-HONGQIAO-2023-0001"
    assert application.recommender == recommending_unit
    assert application.criteria == [{"code": "3", "evidence": "Trained 40 engineers of local suppliers in lean methods."}]
    assert application.eligibility_snapshot["language"] == "en"
