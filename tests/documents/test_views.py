"""Generate, follow and download through the web: permission-checked, never a public URL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents import services
from documents.models import Document, DocumentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_document(seeds, cn_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[seeds["changning-quality-2023"]])
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
    return document


def test_staff_of_the_organiser_download_the_pdf(client, cn_staff, done_document):
    client.force_login(cn_staff)
    response = client.get(reverse("documents:download", args=[done_document.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_staff_of_another_organiser_get_404_on_download_and_status(client, xh_staff, done_document):
    client.force_login(xh_staff)
    assert client.get(reverse("documents:download", args=[done_document.public_id])).status_code == 404
    assert client.get(reverse("documents:status", args=[done_document.public_id])).status_code == 404


def test_an_applicant_gets_404_on_a_cycle_document(client, make_user, done_document):
    from accounts.models import Role

    client.force_login(make_user("someone", roles=[(Role.APPLICANT, None)]))
    assert client.get(reverse("documents:download", args=[done_document.public_id])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, done_document):
    response = client.get(reverse("documents:download", args=[done_document.public_id]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_media_files_have_no_public_url(settings, done_document):
    assert settings.MEDIA_URL in (None, "")


def test_status_endpoint_reports_the_download_link(client, cn_staff, done_document):
    client.force_login(cn_staff)
    data = client.get(reverse("documents:status", args=[done_document.public_id])).json()
    assert data["status"] == "done" and data["pages"] == 1
    assert data["download_url"] == reverse("documents:download", args=[done_document.public_id])
    assert data["retry_url"] is None


def test_generate_button_queues_and_redirects_back(client, cn_staff, seeds, django_capture_on_commit_callbacks):
    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:request"),
            {"kind": "request", "cycle": ["changning-quality-2023", "changning-hongqiao-2023"], "next": "/staff/cycles/changning-quality-2023/"},
        )
    assert response.status_code == 302 and response["Location"] == "/staff/cycles/changning-quality-2023/"
    document = Document.objects.get(kind="request")
    assert document.status == DocumentStatus.DONE and document.pages >= 10
    assert document.letter.document_number == "长人社〔2022〕46号"


def test_staff_of_another_organiser_cannot_generate(client, xh_staff, seeds):
    client.force_login(xh_staff)
    response = client.post(reverse("documents:request"), {"kind": "project_form", "cycle": ["changning-quality-2023"]})
    assert response.status_code == 404
    assert not Document.objects.exists()


def test_cycle_overview_shows_the_panel_with_the_package_button(client, cn_staff, done_document):
    client.force_login(cn_staff)
    page = client.get(reverse("awards:cycle_overview", args=["changning-quality-2023"])).content.decode()
    assert 'data-document-panel' in page
    assert 'value="request"' in page and 'value="changning-hongqiao-2023"' in page
    assert reverse("documents:download", args=[done_document.public_id]) in page
    assert "documents/panel.js" in page


def test_failed_document_shows_error_and_retry(client, cn_staff, seeds, django_capture_on_commit_callbacks):
    from documents import tasks

    from .test_tasks import queued_row

    client.force_login(cn_staff)
    document = queued_row("award_decision", seeds["changning-quality-2023"], cn_staff)
    tasks.render_document.delay(document.pk)
    data = client.get(reverse("documents:status", args=[document.public_id])).json()
    assert data["status"] == "failed" and "尚未记录批准表彰" in data["error"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(data["retry_url"], {"next": "/"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and document.attempts == 2  # tried again, still no approval


def test_malformed_requests_are_404_not_500(client, cn_staff, seeds):
    client.force_login(cn_staff)
    assert client.post(reverse("documents:request"), {"kind": "nope"}).status_code == 404
    assert client.post(reverse("documents:request"), {"kind": "project_form", "cycle": ["no-such-cycle"]}).status_code == 404
    assert client.post(reverse("documents:request"), {"kind": "application", "application": "x"}).status_code == 404
    assert client.post(reverse("documents:request"), {"kind": "certificate", "award": "abc"}).status_code == 404
    assert client.get("/documents/not-a-uuid/").status_code == 404
