"""Checks on uploaded attachments: type by content (magic bytes), size limits, safe names."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# detected MIME type → (stored extension, what people call it)
ALLOWED_TYPES = {
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel"),
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXECUTABLE_MIMES = {"application/x-msdownload", "application/x-executable", "application/x-mach-binary", "application/x-sh", "application/x-elf"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str
    stored_name: str


def _office_type(upload) -> str | None:
    """A zip is accepted only as a real .docx (word/) or .xlsx (xl/) package."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def detect_type(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF" or head[:2] == b"#!":
        return "application/x-executable"
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in (DOCX, XLSX, "application/zip"):
        return _office_type(upload) or "application/zip"
    return mime


# ---------------------------------------------------------------------------------------------
# What is inside an accepted type: active content, polyglots, macros, zip bombs.
#
# A file of an accepted type is refused when it could do something when opened rather than be read:
# a PDF with JavaScript, a launch action, an embedded file or XFA; a file that is two formats at once
# (a PDF, JPEG or PNG carrying a zip or a web page, which some programs open as the other format);
# an Office package with macros or ActiveX (a .docm/.xlsm renamed .docx/.xlsx); an Office package
# that unpacks to far more than it weighs (a zip bomb). The reason is said in the user's language.

PDF_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/GoToE"}
PDF_ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
_PDF_RAW_MARKERS = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/embeddedfiles", b"/richmedia", b"/xfa")
EMBEDDED_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"%PDF-", b"<html", b"<script", b"<?php", b"<svg", b"MZ\x90\x00", b"\x7fELF")
WEB_MARKERS = (b"<html", b"<script", b"<?php", b"<!doctype html", b"<iframe", b"<svg")
OFFICE_MACRO_MARKERS = ("vbaproject.bin", "vbadata.xml", "activex/", "macrosheets/")
OFFICE_MAX_ENTRIES = 5000


class ContentRefused(Exception):
    """An accepted type whose content is refused; str() is the reason for the user."""


def _normalised_pdf_names(data: bytes) -> bytes:
    """PDF names may spell letters as #xx (/J#61vaScript): decode them before looking."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data).lower()


def _pdf_refusal(upload) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    # The objects outside streams, names decoded; stream bodies (images, fonts, compressed text) are
    # skipped, since arbitrary bytes there would match by chance. What sits in compressed object
    # streams is found by walking the document's structure below.
    raw = _normalised_pdf_names(re.sub(rb"stream\r?\n.*?endstream", b"stream endstream", data, flags=re.DOTALL))
    for marker in _PDF_RAW_MARKERS:
        # a name token: followed by a delimiter, not by more letters (/JS but not /JSomething)
        start = 0
        while (at := raw.find(marker, start)) != -1:
            after = raw[at + len(marker): at + len(marker) + 1]
            if not after or not after.isalnum():
                return _("PDF 文件含有脚本、自动执行动作、嵌入文件或动态表单，不能上传。请用“打印为 PDF”重新生成后再上传。")
            start = at + 1
    tail = data[-66 * 1024:]
    end = data.rfind(b"%%EOF")
    trailing = data[end + 5:] if end != -1 else b""
    if b"PK\x05\x06" in tail or any(sig.lower() in trailing.lower() for sig in EMBEDDED_SIGNATURES) or len(trailing.strip(b"\r\n\t \x00")) > 1024:
        return _("文件同时是 PDF 和另一种格式（多格式混合文件），不能上传。请用“打印为 PDF”重新生成后再上传。")
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return _("PDF 文件设置了打开密码，系统无法检查其内容。请去除密码后再上传。")
        catalog = reader.trailer["/Root"]
        refusal = _("PDF 文件含有脚本、自动执行动作、嵌入文件或动态表单，不能上传。请用“打印为 PDF”重新生成后再上传。")
        if "/AA" in catalog or "/JavaScript" in (catalog.get("/Names") or {}) or "/EmbeddedFiles" in (catalog.get("/Names") or {}):
            return refusal
        if "/XFA" in (catalog.get("/AcroForm") or {}):
            return refusal
        open_action = catalog.get("/OpenAction")
        if hasattr(open_action, "get") and open_action.get("/S") in PDF_ACTIONS:
            return refusal
        for page in reader.pages:
            if "/AA" in page:
                return refusal
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                action = annotation.get("/A")
                if annotation.get("/Subtype") in PDF_ACTIVE_ANNOTATIONS or "/AA" in annotation or (
                        hasattr(action, "get") and action.get_object().get("/S") in PDF_ACTIONS):
                    return refusal
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, RecursionError, OSError) as exc:
        return _("PDF 文件已损坏或结构无法识别（%(e)s），请重新生成后再上传。") % {"e": type(exc).__name__}
    finally:
        upload.seek(0)
    return None


def _image_refusal(upload, mime: str) -> str | None:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    end = data.rfind(b"IEND") + 8 if mime == "image/png" else data.rfind(b"\xff\xd9") + 2
    trailing = data[end:] if end > 8 else b""
    lowered = trailing.lower()
    if b"PK\x05\x06" in data[-66 * 1024:] or any(sig.lower() in lowered for sig in EMBEDDED_SIGNATURES) \
            or any(m in data[:1024].lower() for m in WEB_MARKERS):
        return _("图片文件同时含有另一种格式（多格式混合文件），不能上传。请另存为普通图片后再上传。")
    return None


def _office_refusal(upload) -> str | None:
    limit = settings.ATTACHMENT_MAX_UNCOMPRESSED_SIZE
    bomb = _("Office 文件解压后超过 %(max)s（或条目过多），疑似压缩炸弹，不能上传。") % {"max": filesizeformat(limit)}
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > OFFICE_MAX_ENTRIES:
                return bomb
            names = [e.filename.lower() for e in entries]
            if any(marker in name for name in names for marker in OFFICE_MACRO_MARKERS):
                return _("Office 文件含有宏或 ActiveX 控件（如 .docm、.xlsm 改名而来），不能上传。请另存为不含宏的 .docx / .xlsx 后再上传。")
            content_types = archive.read("[Content_Types].xml")[:1_000_000].lower() if "[content_types].xml" in names else b""
            if b"macroenabled" in content_types or b"vbaproject" in content_types:
                return _("Office 文件含有宏或 ActiveX 控件（如 .docm、.xlsm 改名而来），不能上传。请另存为不含宏的 .docx / .xlsx 后再上传。")
            if sum(e.file_size for e in entries) > limit:
                return bomb
            unpacked = 0  # the declared sizes can lie: count what really comes out, and stop at the limit
            for entry in entries:
                with archive.open(entry) as member:
                    while chunk := member.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            return bomb
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return _("Office 文件已损坏，无法打开，请重新保存后再上传。")
    finally:
        upload.seek(0)
    return None


def content_refusal(upload, mime: str) -> str | None:
    """Why a file of an accepted type is refused for what it contains, or None. Every upload path
    (applicant attachments, meeting minutes, imports) asks this one function."""
    if mime == "application/pdf":
        return _pdf_refusal(upload)
    if mime in ("image/jpeg", "image/png"):
        return _image_refusal(upload, mime)
    if mime in (DOCX, XLSX):
        return _office_refusal(upload)
    return None


def safe_original_name(name: str) -> str:
    """The name the user knows, for display and download: no path, no control characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    return (name or "file")[:200]


def check_upload(upload, *, existing_total: int) -> CheckedFile:
    """Return what to store, or raise ValidationError saying plainly why the file is refused."""
    max_file = settings.ATTACHMENT_MAX_FILE_SIZE
    max_total = settings.ATTACHMENT_MAX_TOTAL_SIZE
    original = safe_original_name(upload.name)
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件（0字节），请检查后重新选择。") % {"name": original}, code="empty")
    if size > max_file:
        raise ValidationError(
            _("文件“%(name)s”大小为%(size)s，超过单个文件%(max)s的上限。")
            % {"name": original, "size": filesizeformat(size), "max": filesizeformat(max_file)},
            code="too_large",
        )
    if existing_total + size > max_total:
        raise ValidationError(
            _("本申报的附件合计不能超过%(max)s；已上传%(used)s，此文件%(size)s。请删除不需要的附件或压缩文件后再试。")
            % {"max": filesizeformat(max_total), "used": filesizeformat(existing_total), "size": filesizeformat(size)},
            code="total_too_large",
        )
    mime = detect_type(upload)
    if mime in EXECUTABLE_MIMES:
        raise ValidationError(
            _("文件“%(name)s”的内容是可执行程序，不能上传（系统按文件内容识别类型，与扩展名无关）。") % {"name": original},
            code="executable",
        )
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("文件“%(name)s”的内容不是允许的类型（PDF、JPEG、PNG、Word .docx、Excel .xlsx）。系统按文件内容识别类型，改扩展名无效。")
            % {"name": original},
            code="type",
        )
    refusal = content_refusal(upload, mime)
    if refusal:
        raise ValidationError(_("文件“%(name)s”：%(reason)s") % {"name": original, "reason": refusal}, code="content")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension = ALLOWED_TYPES[mime][0]
    return CheckedFile(
        content_type=mime,
        extension=extension,
        size=size,
        sha256=digest.hexdigest(),
        original_name=original,
        stored_name=f"{uuid.uuid4().hex}.{extension}",
    )


@dataclass(frozen=True)
class AttachmentLimits:
    """What may be uploaded to an application, stated on the page before anyone picks a file."""

    max_file: int
    max_total: int
    used: int
    types: str  # for people: "PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx）"
    accept: str  # for the file picker: ".pdf,.jpg,…"

    @property
    def remaining(self) -> int:
        return max(self.max_total - self.used, 0)


def attachment_limits(application) -> AttachmentLimits:
    """The per-file and total limits (settings ATTACHMENT_MAX_FILE_SIZE / ATTACHMENT_MAX_TOTAL_SIZE),
    what this application has used (its prefetched attachments) and the allowed types."""
    names = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG", "docx": _("Word（.docx）"), "xlsx": _("Excel（.xlsx）")}
    extensions = [extension for extension, _label in ALLOWED_TYPES.values()]
    return AttachmentLimits(
        max_file=settings.ATTACHMENT_MAX_FILE_SIZE,
        max_total=settings.ATTACHMENT_MAX_TOTAL_SIZE,
        used=sum(attachment.size for attachment in application.attachments.all()),
        types=_("、").join(str(names[extension]) for extension in extensions),
        accept=",".join(f".{extension}" for extension in [*extensions, "jpeg"]),
    )
