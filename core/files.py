"""Private files: uploads and generated documents never have a public URL.

They live in the configured storage (settings.PORTAL_STORAGE: the local disk, or an S3-compatible object
store shared by every machine) and reach a user only through `private_file_response`, which a view
calls after its own permission check, and which streams the file from storage.
"""

from __future__ import annotations

import logging
import mimetypes
import socket
import time
import uuid
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)

STREAM_BLOCK_SIZE = 64 * 1024


def open_stream(storage: Storage, name: str) -> tuple[BinaryIO, int | None]:
    """A stored file opened for reading, and its size when the storage tells it with the same request.

    The object store hands over the body as it arrives (no local copy first); the local disk opens the file.
    FileNotFoundError when there is no such file.
    """
    if hasattr(storage, "open_stream"):
        return storage.open_stream(name)
    return storage.open(name, "rb"), None


def private_file_response(field_file, *, filename: str = "", content_type: str = "", inline: bool = False) -> FileResponse:
    """Stream a stored file to a user the caller has already authorised; 404 if it is missing.

    Always `Cache-Control: private, no-store` and `nosniff`, so no shared cache keeps a copy and the
    browser never second-guesses the type. A storage that cannot be reached raises (a 500, logged):
    that is an outage to see, not a missing file.
    """
    if not field_file:
        raise Http404
    name = filename or field_file.name.rsplit("/", 1)[-1]
    try:
        handle, size = open_stream(field_file.storage, field_file.name)
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    response.block_size = STREAM_BLOCK_SIZE
    if size is not None:
        response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- which storage, and does it work (for /health/ and `manage.py check --deploy`) -----------------


def describe_storage(storage: Storage | None = None) -> str:
    """Which storage is in use, without endpoint or credentials (/health/ answers unauthenticated)."""
    storage = storage or default_storage
    if hasattr(storage, "describe"):
        return storage.describe()
    if isinstance(storage, FileSystemStorage):
        return f"local disk {storage.location}"
    return storage.__class__.__name__


def probe_storage(storage: Storage | None = None) -> tuple[bool, str]:
    """Write a small object, read it back and delete it: is the storage reachable and writable?"""
    storage = storage or default_storage
    payload = f"portal storage probe {uuid.uuid4().hex}".encode()
    name = f"_health/{socket.gethostname()}-{uuid.uuid4().hex}.txt"
    started = time.monotonic()
    saved = None
    try:
        saved = storage.save(name, ContentFile(payload))
        handle, _size = open_stream(storage, saved)
        try:
            content = handle.read()
        finally:
            handle.close()
        if content != payload:
            return False, f"{describe_storage(storage)}: read back {len(content)} bytes that differ from the {len(payload)} written"
        storage.delete(saved)
        saved = None
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return False, f"{describe_storage(storage)}: {type(exc).__name__}: {exc}"
    finally:
        if saved is not None:
            try:
                storage.delete(saved)
            except Exception:  # noqa: BLE001
                logger.warning("storage probe %s could not be removed", saved)
    return True, f"{describe_storage(storage)}: write, read, delete ok in {(time.monotonic() - started) * 1000:.0f} ms"


def storage_machines_problem() -> str:
    """Why the configured storage cannot serve the configured number of machines; "" when it can."""
    machines = getattr(settings, "PORTAL_MACHINES", 1)
    if machines > 1 and local_disk_storage() and not getattr(settings, "PORTAL_SHARED_MEDIA_ROOT", False):
        return f"PORTAL_MACHINES={machines} but files are on the local disk: each machine would keep its own files."
    return ""


def local_disk_storage() -> bool:
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
