"""Serving private files: uploads and generated documents never have a public URL."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404


def private_file_response(field_file, *, filename: str = "", content_type: str = "", inline: bool = False) -> FileResponse:
    """Stream a stored file to a user the caller has already authorised; 404 if it is missing.

    Always `Cache-Control: private, no-store` and `nosniff`, so no shared cache keeps a copy and the
    browser never second-guesses the type.
    """
    if not field_file:
        raise Http404
    name = filename or field_file.name.rsplit("/", 1)[-1]
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
