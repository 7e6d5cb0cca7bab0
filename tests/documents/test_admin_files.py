"""The admin shows private files by their stored name: they have no URL, and asking for one was a 500 on
every finished document's admin page (and on a meeting with minutes)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from awards.models import Stage
from documents import services
from reviews import services as review_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user):
    return make_user("root-admin", is_superuser=True, is_staff=True)


def test_a_finished_documents_admin_page_opens(seeds, cn_staff, superuser, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[seeds["changning-quality-2023"]])
    document.refresh_from_db()
    assert document.status == "done" and document.file
    client.force_login(superuser)
    for url in ("/admin/documents/document/", f"/admin/documents/document/{document.pk}/change/",
                f"/admin/documents/document/{document.pk}/history/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/documents/document/{document.pk}/change/").content.decode()
    assert document.file.name in page and f'href="{document.file.name}' not in page


def test_a_meeting_with_minutes_opens_in_the_admin(seeds, cn_staff, superuser, client):
    from tests.reviews.outcome.test_meetings import UNITS

    hq = seeds["changning-hongqiao-2023"]
    stage = Stage.objects.get(cycle=hq, code="selection")
    meeting = review_services.record_meeting(stage=stage, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:8])
    meeting.minutes.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    client.force_login(superuser)
    response = client.get(f"/admin/reviews/meeting/{meeting.pk}/change/")
    assert response.status_code == 200
    assert meeting.minutes.name in response.content.decode()
