"""The generate/download panel appears where users need documents, and experts may read 申报书 they review."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from applications.models import Application
from documents.models import Document
from documents.rules import can_request, can_view
from reviews.models import Assignment, ConflictDeclaration
from tests.conftest import force_login_verified


@pytest.fixture(scope="module")
def _demo_data(django_db_setup, django_db_blocker):
    """seed_demo once for the module, inside a transaction rolled back when the module ends (each
    test runs in a savepoint inside it, so what one test changes is gone for the next)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_data, db):
    """The demo data of `seed_demo`: users of every role, demo cycles with applications at each stage."""


def test_staff_application_page_offers_the_application_pdf(client, demo):
    from accounts.models import User

    application = Application.objects.filter(cycle__code="demo-changning-quality").exclude(number=None).first()
    force_login_verified(client, User.objects.get(username="cn-staff"))
    page = client.get(reverse("reviews:staff_application", args=[application.cycle.code, application.pk])).content.decode()
    assert "data-document-panel" in page
    assert 'data-kind="application"' in page


def test_applicant_and_awards_pages_show_their_panels(client, demo):
    from accounts.models import User

    application = Application.objects.filter(applicant__username="org-applicant").first()
    client.force_login(application.applicant)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-kind="application"' in page
    force_login_verified(client, User.objects.get(username="cn-staff"))
    page = client.get(reverse("reviews:awards", args=["demo-changning-quality"])).content.decode()
    assert 'data-kind="award_decision"' in page and 'data-kind="certificate_batch"' in page


def test_expert_who_declared_no_conflict_may_request_and_read_the_application_pdf(demo):
    assignment = (
        Assignment.objects.filter(status=Assignment.Status.ACTIVE)
        .select_related("expert__user", "application__cycle__programme")
        .first()
    )
    expert, application = assignment.expert, assignment.application
    organiser = application.cycle.programme.organiser
    ConflictDeclaration.objects.filter(expert=expert, application=application).delete()
    assert can_request(expert.user, kind="application", organiser=organiser, application=application) is False
    ConflictDeclaration.objects.create(expert=expert, application=application, has_conflict=False, declared_by=expert.user)
    assert can_request(expert.user, kind="application", organiser=organiser, application=application) is True
    document = Document(kind="application", organiser=organiser, application=application)
    assert can_view(expert.user, document) is True
    ConflictDeclaration.objects.filter(expert=expert, application=application).update(has_conflict=True)
    assert can_view(expert.user, document) is False
    assert can_request(expert.user, kind="certificate", organiser=organiser, application=application) is False
