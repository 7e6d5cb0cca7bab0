"""Attachments: type by content, size limits, safe names, private storage, permission-checked downloads."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from applications import services
from applications.models import Attachment

from .conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, office_bytes, upload


@pytest.fixture
def draft(make_org_draft):
    return make_org_draft(complete=False)


def refused(draft, applicant, name, content):
    with pytest.raises(services.ApplicationError) as info:
        services.attachment_add(application=draft, actor=applicant, upload=upload(name, content), purpose="evidence")
    return str(info.value)


@pytest.mark.django_db
def test_renamed_executable_is_refused_by_content(draft, applicant):
    assert refused(draft, applicant, "年度报告.pdf", EXE_BYTES) == (
        "文件“年度报告.pdf”的内容是可执行程序，不能上传（系统按文件内容识别类型，与扩展名无关）。"
    )
    assert draft.attachments.count() == 0


@pytest.mark.django_db
def test_empty_file_is_refused(draft, applicant):
    assert refused(draft, applicant, "空.pdf", b"") == "文件“空.pdf”是空文件（0字节），请检查后重新选择。"


@pytest.mark.django_db
def test_oversize_file_is_refused_with_both_sizes(draft, applicant, settings):
    settings.ATTACHMENT_MAX_FILE_SIZE = 1024
    message = refused(draft, applicant, "big.pdf", b"%PDF-1.4\n".ljust(2048, b"0"))
    assert message == "文件“big.pdf”大小为2.0\xa0KB，超过单个文件1.0\xa0KB的上限。"


@pytest.mark.django_db
def test_total_size_per_application_is_limited(draft, applicant, settings):
    settings.ATTACHMENT_MAX_TOTAL_SIZE = len(PDF_BYTES) + 10
    services.attachment_add(application=draft, actor=applicant, upload=upload("a.pdf", PDF_BYTES), purpose="evidence")
    message = refused(draft, applicant, "b.pdf", PDF_BYTES)
    assert message.startswith(f"本申报的附件合计不能超过{len(PDF_BYTES) + 10}\xa0字节；已上传{len(PDF_BYTES)}\xa0字节")


@pytest.mark.django_db
def test_zip_that_is_not_an_office_document_is_refused(draft, applicant):
    assert "不是允许的类型" in refused(draft, applicant, "report.docx", office_bytes("other"))
    assert "不是允许的类型" in refused(draft, applicant, "notes.txt", "纯文本".encode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content,mime,ext",
    [
        ("报告.PDF", PDF_BYTES, "application/pdf", "pdf"),
        ("photo.png", PNG_BYTES, "image/png", "png"),
        ("自评报告.docx", office_bytes("word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ("指标.xlsx", office_bytes("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("misnamed.jpg", PDF_BYTES, "application/pdf", "pdf"),
    ],
)
def test_allowed_types_are_stored_under_a_safe_generated_name(draft, applicant, name, content, mime, ext):
    attachment = services.attachment_add(application=draft, actor=applicant, upload=upload(name, content), purpose="evidence")
    assert attachment.content_type == mime
    assert attachment.original_name == name
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert stored.endswith("." + ext) and len(stored) == 32 + 1 + len(ext)
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_path_in_the_uploaded_name_is_dropped(draft, applicant):
    attachment = services.attachment_add(application=draft, actor=applicant, upload=upload("..\\..\\etc/passwd.pdf", PDF_BYTES), purpose="evidence")
    assert attachment.original_name == "passwd.pdf"


@pytest.mark.django_db
def test_refused_upload_through_the_page_says_why(draft, applicant, client):
    client.force_login(applicant)
    response = client.post(reverse("applications:attachment_upload", args=[draft.pk]), {"purpose": "evidence", "file": upload("setup.pdf", EXE_BYTES)})
    assert response.status_code == 400
    assert "内容是可执行程序" in response.content.decode()


@pytest.mark.django_db
def test_download_goes_through_the_permission_checked_view(draft, applicant, client):
    attachment = services.attachment_add(application=draft, actor=applicant, upload=upload("自评报告.pdf", PDF_BYTES), purpose="self_evaluation")
    client.force_login(applicant)
    response = client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert settings.MEDIA_URL is None  # never a public media URL


@pytest.mark.django_db
def test_applicant_b_gets_404_for_applicant_a_application_and_files(draft, applicant, other_applicant, client):
    attachment = services.attachment_add(application=draft, actor=applicant, upload=upload("a.pdf", PDF_BYTES), purpose="evidence")
    client.force_login(other_applicant)
    for name, args in [
        ("applications:detail", [draft.pk]),
        ("applications:edit", [draft.pk]),
        ("applications:check", [draft.pk]),
        ("applications:receipt", [draft.pk]),
        ("applications:attachment_download", [attachment.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    for name, args in [
        ("applications:edit", [draft.pk]),
        ("applications:withdraw", [draft.pk]),
        ("applications:attachment_delete", [draft.pk, attachment.pk]),
        ("applications:attachment_upload", [draft.pk]),
    ]:
        assert client.post(reverse(name, args=args), {"version": "1"}).status_code == 404, name
    assert Attachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.django_db
def test_staff_of_the_organiser_may_download_once_submitted_and_other_staff_may_not(make_org_draft, applicant, cn_staff, xh_staff, client):
    application = make_org_draft()
    attachment = services.attachment_add(application=application, actor=applicant, upload=upload("a.pdf", PDF_BYTES), purpose="evidence")
    url = reverse("applications:attachment_download", args=[attachment.pk])
    client.force_login(cn_staff)
    assert client.get(url).status_code == 404  # a draft is the applicant's own (reviews.access)
    services.application_submit(application=application, actor=applicant)
    assert client.get(url).status_code == 200
    client.force_login(xh_staff)
    assert client.get(url).status_code == 404
