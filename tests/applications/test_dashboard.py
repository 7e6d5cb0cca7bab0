"""The applicant dashboard: status, history, next step, documents; constant query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, OrganisationProfile

from .conftest import add_attachment


def make_many(open_cycles, applicant, organisation, n):
    for cycle in list(open_cycles.values()):
        cycle.applications_per_applicant = 50
        cycle.save()
    cycle = open_cycles["changning-quality-2023"]
    categories = list(cycle.categories.filter(applicant_kind="organisation"))
    for i in range(n):
        application = Application.objects.create(cycle=cycle, category=categories[i % 2], applicant=applicant, organisation=organisation)
        add_attachment(application, "evidence", applicant)


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_applications(open_cycles, applicant, organisation, client, django_assert_num_queries):
    client.force_login(applicant)
    make_many(open_cycles, applicant, organisation, 1)
    client.get(reverse("applications:dashboard"))  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("applications:dashboard")).status_code == 200
    make_many(open_cycles, applicant, organisation, 9)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("applications:dashboard"))
    assert response.content.decode().count('class="card mb-3 application-card"') == 10


@pytest.mark.django_db
def test_dashboard_shows_status_history_next_step_and_documents(make_org_draft, applicant, client):
    application = make_org_draft()
    services.application_submit(application=application, actor=applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert "已提交" in page
    assert "已提交，等待评审办公室受理；受理前可撤回。" in page
    assert "提交申报" in page and "上传附件" in page  # history from the activity log
    assert "report.pdf" in page  # my documents
    assert "CHANGNING-QUALITY-2023-0001" in page


@pytest.mark.django_db
def test_dashboard_names_the_open_supplement_request_with_its_deadline(make_org_draft, applicant, cn_staff, client,
                                                                        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews import services as review_services

    waiting = make_org_draft()
    services.application_submit(application=waiting, actor=applicant)
    review_services.apply_transition(application=waiting, name="start_review", actor=cn_staff)
    client.force_login(applicant)
    client.get(reverse("applications:dashboard"))
    with CaptureQueriesContext(connection) as in_review:
        client.get(reverse("applications:dashboard"))
    request = review_services.request_supplement(application=waiting, sections=["overview"], message="请补充近三年审计报告",
                                                 working_days=5, actor=cn_staff)
    # Open requests are read only when an application waits for 补充材料: one query for all of them.
    with django_assert_num_queries(len(in_review.captured_queries) + 1):
        page = client.get(reverse("applications:dashboard")).content.decode()
    assert f"请在 {request.due_on.isoformat()} 前补充材料：请补充近三年审计报告" in page
    assert f'href="{reverse("applications:edit", args=[waiting.pk])}">补充材料</a>' in page


@pytest.mark.django_db
def test_dashboard_lists_open_invitations_by_unit_and_category(open_cycles, applicant, recommending_unit, make_user, client):
    from applications.models import Nomination

    cycle = open_cycles["changning-quality-2023"]
    recommender = make_user("unit-member")
    categories = list(cycle.categories.order_by("order")[:2])
    for category, email in ((categories[0], applicant.email.upper()), (categories[1], "someone-else@example.com")):
        Nomination.objects.create(cycle=cycle, category=category, recommending_unit=recommending_unit, nominated_by=recommender,
                                  nominee_name="被推荐单位", nominee_email=email)
    client.force_login(applicant)
    page = client.get(reverse("applications:dashboard")).content.decode()
    assert f"长宁区商务委员会 推荐您申报 {categories[0].name}。" in page
    assert f"推荐您申报 {categories[1].name}" not in page
