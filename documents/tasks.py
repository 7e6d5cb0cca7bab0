"""The rendering task: thin. Takes an id, calls documents.generation, retries with backoff."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core.outbox import republish
from core.retry import backoff

from . import generation
from .kinds import DocumentDataError
from .models import Document, DocumentStatus

logger = logging.getLogger(__name__)

MAX_RETRIES = getattr(settings, "DOCUMENTS_MAX_RETRIES", 3)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES, ignore_result=True)
def render_document(self, document_id: int) -> str:
    """Render one Document row. Idempotent: a document that is done is left alone."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        return generation.document_render(document_id=document_id, redelivered=redelivered)
    except DocumentDataError as exc:
        # The data is wrong or missing: retrying cannot help. Fail at once, with the reason.
        generation.document_mark_failed(document_id=document_id, error=str(exc))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - storage, WeasyPrint, database: worth another try
        error = f"{type(exc).__name__}: {exc}"
        if self.request.retries >= self.max_retries:
            logger.exception("document %s failed after %s attempts", document_id, self.request.retries + 1)
            generation.document_mark_failed(document_id=document_id, error=error)
            return "failed"
        generation.document_mark_retrying(document_id=document_id, error=error)
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(ignore_result=True)
def sweep_documents() -> dict:
    """Beat, every minute: recover stale running documents, then publish the queued ones the broker never
    took (core.outbox). Called directly, it runs here and now (`manage.py sweep_jobs`)."""
    requeued, failed = generation.recover_stale(max_attempts=MAX_RETRIES + 1)
    published = republish(render_document, Document.objects.filter(status=DocumentStatus.QUEUED))
    return {"requeued_stale": requeued, "failed_stale": failed, "published": published}
