"""What the pipeline's writes share: the refusal type, snapshots, private uploads."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application


class DecisionError(Exception):
    """A refused decision; str(error) is the reason shown to the user."""


def who_and_when(user, at) -> dict:
    """The actor and local time of an earlier record, for "already recorded by X at T" refusals."""
    name = (user.get_full_name() or user.username) if user is not None else _("系统")
    return {"who": name, "when": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")}


def check_not_future(day, label: str) -> None:
    """A record of something that happened (a meeting held, a prize paid) cannot be dated after today."""
    today = timezone.localdate()
    if day is None or day > today:
        raise DecisionError(_("%(label)s不能晚于今天（%(today)s）。") % {"label": label, "today": today.isoformat()})


def _application_snapshot(application: Application) -> dict:
    return {"status": application.status, "stage": application.current_stage.code if application.current_stage_id else None}


def _save_private_file(field_file, upload: UploadedFile, prefix: str) -> None:
    """Store an upload under a random name (the original name is kept in a column for downloads)."""
    digest = hashlib.sha256(f"{prefix}{timezone.now().timestamp()}{upload.name}".encode()).hexdigest()[:24]
    extension = ""
    if "." in (upload.name or ""):
        extension = "." + upload.name.rsplit(".", 1)[1].lower()[:8]
    field_file.save(f"{digest}{extension}", upload, save=False)


ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def check_upload(upload: UploadedFile, *, max_bytes: int = ATTACHMENT_MAX_BYTES) -> str:
    """The content type found by the file's content (the applicant portal's detector: magic bytes,
    and a zip only as a real Office package); DecisionError if not an accepted type."""
    from applications.files import content_refusal, detect_type

    if upload.size > max_bytes:
        raise DecisionError(_("文件过大（上限 %(mb)d MB）。") % {"mb": max_bytes // (1024 * 1024)})
    mime = detect_type(upload)
    if mime not in ATTACHMENT_TYPES:
        raise DecisionError(
            _("只接受 %(types)s 文件；所上传文件的内容不是这些格式之一。") % {"types": "、".join(ATTACHMENT_TYPES.values())}
        )
    refusal = content_refusal(upload, mime)
    if refusal:
        raise DecisionError(refusal)
    return mime


def attach_upload(instance, field: str, upload: UploadedFile | None, prefix: str) -> None:
    """Check `upload` and store it as the private file `field` of `instance` (a meeting's minutes, an
    objection's attachment), keeping its content type and original name in `<field>_content_type` and
    `<field>_name`. Nothing when there is no upload."""
    if upload is None:
        return
    setattr(instance, f"{field}_content_type", check_upload(upload))
    setattr(instance, f"{field}_name", (upload.name or "")[:255])
    _save_private_file(getattr(instance, field), upload, prefix)




