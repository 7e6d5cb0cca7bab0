"""What is inside an accepted file type: PDFs with scripts or launch actions, polyglots, Office macros and
zip bombs are refused with the reason, through the applicant's upload page and the staff upload paths."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, TextStringObject

from applications import services
from applications.files import content_refusal

from .conftest import PDF_BYTES, PNG_BYTES, office_bytes, upload

SCRIPT = "PDF 文件含有脚本、自动执行动作、嵌入文件或动态表单，不能上传。请用“打印为 PDF”重新生成后再上传。"
POLYGLOT_PDF = "文件同时是 PDF 和另一种格式（多格式混合文件），不能上传。请用“打印为 PDF”重新生成后再上传。"
POLYGLOT_IMAGE = "图片文件同时含有另一种格式（多格式混合文件），不能上传。请另存为普通图片后再上传。"
MACROS = "Office 文件含有宏或 ActiveX 控件（如 .docm、.xlsm 改名而来），不能上传。请另存为不含宏的 .docx / .xlsx 后再上传。"


def pdf(build=None, *, compress: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if build:
        build(writer)
    if compress:
        writer.compress_identical_objects()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def with_javascript(writer):
    script = writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                  NameObject("/JS"): TextStringObject("app.alert('hi');")}))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def with_launch(writer):
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def with_attachment(writer):
    writer.add_attachment("payload.exe", b"MZ\x90\x00")


def docx(extra: dict[str, bytes] | None = None, content_types: str = "<Types/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.bat", "echo hi")
    return buffer.getvalue()


@pytest.fixture
def draft(make_org_draft):
    return make_org_draft(complete=False)


def refusal_of(draft, applicant, name, content) -> str:
    with pytest.raises(services.ApplicationError) as info:
        services.attachment_add(application=draft, actor=applicant, upload=upload(name, content), purpose="evidence")
    assert draft.attachments.count() == 0  # nothing half-saved
    return str(info.value)


@pytest.mark.django_db
@pytest.mark.parametrize("name,content,reason", [
    ("年报.pdf", pdf(with_javascript), SCRIPT),
    ("年报.pdf", pdf(with_launch), SCRIPT),
    ("年报.pdf", pdf(with_attachment), SCRIPT),
    # the name spelt with #xx escapes, as malware does to dodge naive scanners
    ("年报.pdf", PDF_BYTES.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >>"), SCRIPT),
    ("年报.pdf", PDF_BYTES + zip_bytes(), POLYGLOT_PDF),
    ("年报.pdf", PDF_BYTES + b"<html><script>alert(1)</script></html>", POLYGLOT_PDF),
    ("照片.png", PNG_BYTES + b"IEND\xaeB`\x82" + zip_bytes(), POLYGLOT_IMAGE),
    ("自评报告.docx", docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), MACROS),
    ("自评报告.docx", docx(content_types='<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'), MACROS),
    ("指标.docx", docx({"word/activeX/activeX1.xml": b"<ax/>"}), MACROS),
])
def test_active_or_mixed_content_is_refused_with_the_reason(draft, applicant, name, content, reason):
    assert refusal_of(draft, applicant, name, content) == f"文件“{name}”：{reason}"


@pytest.mark.django_db
def test_an_office_file_that_unpacks_past_the_limit_is_refused(draft, applicant, settings):
    settings.ATTACHMENT_MAX_UNCOMPRESSED_SIZE = 1024 * 1024
    bomb = docx({"word/media/zeros.bin": b"\x00" * (3 * 1024 * 1024)})  # ~3 KiB packed, 3 MiB unpacked
    assert len(bomb) < 20_000
    assert "解压后超过" in refusal_of(draft, applicant, "自评报告.docx", bomb)


@pytest.mark.django_db
def test_an_unreadable_pdf_is_refused_not_waved_through(draft, applicant):
    assert "PDF 文件已损坏或结构无法识别" in refusal_of(draft, applicant, "坏.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")


@pytest.mark.django_db
@pytest.mark.parametrize("name,content", [
    ("报告.pdf", PDF_BYTES),
    ("报告.pdf", pdf(compress=True)),
    ("照片.png", PNG_BYTES),
    ("自评报告.docx", office_bytes("word")),
    ("指标.xlsx", office_bytes("xl")),
])
def test_ordinary_files_pass(draft, applicant, name, content):
    attachment = services.attachment_add(application=draft, actor=applicant, upload=upload(name, content), purpose="evidence")
    assert attachment.pk


def test_bytes_inside_streams_do_not_trip_the_scan():
    """A real PDF's streams hold arbitrary bytes (images, fonts, text); "/JS" there is not a script."""

    def with_content(writer):
        stream = StreamObject()
        stream.set_data(b"BT /JS 12 Tf (/Launch /JavaScript) Tj ET " * 50)
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)

    assert content_refusal(upload("x.pdf", pdf(with_content)), "application/pdf") is None


@pytest.mark.django_db
def test_the_upload_page_says_why_and_keeps_nothing(draft, applicant, client):
    client.force_login(applicant)
    response = client.post(reverse("applications:attachment_upload", args=[draft.pk]),
                           {"purpose": "evidence", "file": upload("年报.pdf", pdf(with_javascript))})
    assert response.status_code == 400
    assert "含有脚本" in response.content.decode()
    assert draft.attachments.count() == 0


def test_staff_uploads_ask_the_same_rule():
    from reviews.services.common import DecisionError, check_upload

    with pytest.raises(DecisionError, match="含有脚本"):
        check_upload(upload("纪要.pdf", pdf(with_javascript)))
