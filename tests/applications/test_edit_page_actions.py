"""Every action on the application page keeps what was typed: upload and delete post the whole form,
which is saved first; a save that changes nothing makes no new version and no log entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import Attachment
from core.models import ActivityLog
from tests.applications.conftest import EXE_BYTES, PDF_BYTES, upload
from tests.applications.test_answers import form_data
from tests.conftest import force_login_verified


@pytest.mark.django_db
def test_upload_from_the_page_saves_the_typed_draft_first(make_org_draft, applicant, client):
    application = make_org_draft()
    force_login_verified(client, applicant)
    data = form_data(application, fig_2021_revenue="7777", upload="", purpose="financial")
    data["file"] = upload("审计报告.pdf", PDF_BYTES)
    response = client.post(reverse("applications:edit", args=[application.pk]), data)
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    application.refresh_from_db()
    assert application.form_data["figures"]["2021"]["revenue"] == "7777"
    assert sorted(application.attachments.values_list("original_name", flat=True)) == ["report.pdf", "审计报告.pdf"]
    logged = ActivityLog.objects.filter(action__in=["application.save", "attachment.add"]).order_by("id")
    # the fixture's upload, then the save, then ours
    assert list(logged.values_list("action", flat=True)) == ["attachment.add", "application.save", "attachment.add"]


@pytest.mark.django_db
def test_a_refused_upload_still_keeps_the_saved_text_and_says_why(make_org_draft, applicant, client):
    application = make_org_draft()
    force_login_verified(client, applicant)
    data = form_data(application, overview="上传失败也不能丢的概述", upload="", purpose="financial")
    data["file"] = upload("setup.pdf", EXE_BYTES)
    response = client.post(reverse("applications:edit", args=[application.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "的内容是可执行程序，不能上传" in page
    assert "上传失败也不能丢的概述" in page
    application.refresh_from_db()
    assert application.form_data["overview"] == "上传失败也不能丢的概述"


@pytest.mark.django_db
def test_delete_from_the_page_saves_first(make_org_draft, applicant, client):
    application = make_org_draft()
    force_login_verified(client, applicant)
    attachment = application.attachments.get()
    data = form_data(application, overview="删除附件前写的概述", delete_attachment=str(attachment.pk))
    assert client.post(reverse("applications:edit", args=[application.pk]), data).status_code == 302
    application.refresh_from_db()
    assert application.form_data["overview"] == "删除附件前写的概述"
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.django_db
def test_the_limits_are_stated_before_upload(make_org_draft, applicant, client, settings):
    settings.ATTACHMENT_MAX_FILE_SIZE = 5 * 1024 * 1024
    settings.ATTACHMENT_MAX_TOTAL_SIZE = 50 * 1024 * 1024
    application = make_org_draft()
    force_login_verified(client, applicant)
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode().replace("\xa0", " ")
    from django.template.defaultfilters import filesizeformat

    used = filesizeformat(sum(a.size for a in application.attachments.all())).replace("\xa0", " ")
    assert f"可上传 PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx）；单个文件不超过 5.0 MB，全部附件合计不超过 50.0 MB（已用 {used}" in page
    assert 'data-max-file-size="5242880"' in page and 'accept=".pdf,.jpg,.png,.docx,.xlsx,.jpeg"' in page


@pytest.mark.django_db
def test_a_save_that_changes_nothing_makes_no_version_and_no_log_entry(make_org_draft, applicant, client):
    application = make_org_draft()
    force_login_verified(client, applicant)
    url = reverse("applications:edit", args=[application.pk])
    assert client.post(url, form_data(application, overview="改一次")).status_code == 302
    application.refresh_from_db()
    assert client.post(url, form_data(application, overview="改一次")).status_code == 302
    application.refresh_from_db()
    assert application.version == 2
    assert ActivityLog.objects.filter(action="application.save").count() == 1
    # Even unchanged, a stale form is told rather than silently accepted.
    stale = client.post(url, form_data(application, overview="改一次", version="1"))
    assert stale.status_code == 409
