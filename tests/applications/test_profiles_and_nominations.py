"""Profiles with identity validators; recommending units nominate; staff import the credit list."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, RoleAssignment
from applications.models import Application, CreditBlacklistEntry, Nomination, PersonProfile
from core.models import ActivityLog

from .conftest import RESIDENT_ID

PERSON = {"name": "王质量", "id_type": "resident_id", "employer": "示例公司", "work_district": "长宁区", "quality_work_since": "2008-07-01"}


@pytest.mark.django_db
def test_resident_id_is_validated_normalised_and_derives_birth_date_and_sex(applicant, client):
    client.force_login(applicant)
    response = client.post(reverse("applications:person_edit"), {**PERSON, "id_number": "310105198003150011"})
    assert response.status_code == 400
    assert "居民身份证号码校验位错误：最后一位应为“X”" in response.content.decode()
    response = client.post(reverse("applications:person_edit"), {**PERSON, "id_number": "310105 19800315 001x"})
    assert response.status_code == 302
    person = PersonProfile.objects.get(owner=applicant)
    assert (person.id_number, person.birth_date.isoformat(), person.sex, person.nationality) == (RESIDENT_ID, "1980-03-15", "M", "中国")


@pytest.mark.django_db
@pytest.mark.parametrize(("target", "expected"), [("/applications/start/x/", "/applications/start/x/"), ("/\\evil.example/", "/applications/")])
def test_saved_profile_follows_next_only_to_a_path_on_this_site(applicant, client, target, expected):
    client.force_login(applicant)
    response = client.post(reverse("applications:person_edit") + "?next=" + target, {**PERSON, "id_number": RESIDENT_ID})
    assert (response.status_code, response["Location"]) == (302, expected)


@pytest.mark.django_db
def test_foreign_permanent_id_needs_nationality(applicant, client):
    client.force_login(applicant)
    data = {"name": "Anna Schmidt", "id_type": "foreign_permanent_id", "id_number": "933156198501010018"}
    response = client.post(reverse("applications:person_edit"), data)
    assert "请填写国籍。" in response.content.decode()
    response = client.post(reverse("applications:person_edit"), {**data, "nationality": "Germany"})
    assert response.status_code == 302
    assert PersonProfile.objects.get(owner=applicant).sex == "M"


@pytest.mark.django_db
def test_one_profile_per_credit_code(organisation, other_applicant, client):
    client.force_login(other_applicant)
    response = client.post(
        reverse("applications:organisation_new"),
        {"name": "冒名", "credit_code": organisation.credit_code, "org_type": "enterprise", "registered_district": "长宁区",
         "established_on": "2015-01-01", "legal_representative": "x", "contact_name": "x", "contact_mobile": "13800000000"},
    )
    assert response.status_code == 400
    assert "该统一社会信用代码已由其他账号登记" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_recommender_nominates_and_the_nominee_applies(open_cycles, make_user, recommending_unit, client, person, applicant):
    recommender = make_user("cn-rec")
    RoleAssignment.objects.create(user=recommender, role=Role.RECOMMENDER, organiser=recommending_unit.organiser, recommending_unit=recommending_unit)
    category = open_cycles["changning-quality-2023"].categories.get(code="gold-achievement")
    client.force_login(recommender)
    response = client.post(
        reverse("applications:nominations"),
        {"category": category.pk, "nominee_name": "王质量", "nominee_email": "ALICE@example.test", "reason": "长期从事一线质量工作"},
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.nominee_email, nomination.recommending_unit) == ("alice@example.test", recommending_unit)
    (link,) = re.findall(r"http://testserver(/applications/invitation/\S+/)", mail.outbox[-1].body)

    # Someone else who got the link cannot take the nomination
    client.force_login(make_user("mallory"))
    response = client.post(link)
    assert "此邀请发给 alice@example.test" in response.content.decode()

    client.force_login(applicant)
    response = client.post(link)
    application = Application.objects.get(applicant=applicant)
    assert response["Location"] == reverse("applications:edit", args=[application.pk])
    assert (application.recommender, application.nominated_by, application.category) == (recommending_unit, recommender, category)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.application) == (Nomination.Status.ACCEPTED, application)

    client.force_login(recommender)
    page = client.get(reverse("applications:nominations")).content.decode()
    assert "被推荐人已接受" in page


@pytest.mark.django_db
def test_nominations_page_is_404_for_non_recommenders(applicant, client):
    client.force_login(applicant)
    assert client.get(reverse("applications:nominations")).status_code == 404


@pytest.mark.django_db
def test_staff_import_the_credit_list_and_it_is_logged(cn_staff, organisers, client, applicant):
    client.force_login(cn_staff)
    text = "代码,名称,原因\n9131 0105 ma1f l5xq 3y,示例公司,严重失信\n31010519800315001x\nnot a code!\n"
    response = client.post(reverse("applications:blacklist"), {"organiser": organisers["changning"].pk, "text": text, "source": "信用平台 2025-11-20"})
    assert response.status_code == 400  # one line was refused and is listed
    page = response.content.decode()
    assert "第 4 行" in page and "not a code!" in page
    codes = sorted(CreditBlacklistEntry.objects.values_list("code", flat=True))
    assert codes == ["31010519800315001X", "91310105MA1FL5XQ3Y"]
    log = ActivityLog.objects.get(action="blacklist.import")
    assert log.after == {"created": 2, "updated": 0, "rejected": 1, "source": "信用平台 2025-11-20"}
    # Xuhui staff cannot pick the Changning list; applicants cannot open the page
    client.force_login(applicant)
    assert client.get(reverse("applications:blacklist")).status_code == 404
