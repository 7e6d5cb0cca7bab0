"""Checks on uploaded attachments: type by content (magic bytes), size limits, safe names."""

from __future__ import annotations

import hashlib
import os
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
