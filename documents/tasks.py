"""The rendering task: thin. Takes an id, calls documents.generation, retries with backoff (core.jobs.run_job)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.jobs import run_job
from core.outbox import republish

from . import generation
from .kinds import DocumentDataError
from .models import Document, DocumentStatus

MAX_RETRIES = getattr(settings, "DOCUMENTS_MAX_RETRIES", 3)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES, ignore_result=True)
def render_document(self, document_id: int) -> str:
    """Render one Document row. Idempotent: a document that is done is left alone. Wrong or missing data
    (DocumentDataError) fails at once with the reason: retrying cannot help."""
    return run_job(self, Document, document_id, generation.document_render, permanent=(DocumentDataError,))


@shared_task(ignore_result=True)
def sweep_documents() -> dict:
    """Beat, every minute: recover stale running documents, then publish the queued ones the broker never
    took (core.outbox). Called directly, it runs here and now (`manage.py sweep_jobs`)."""
    requeued, failed = generation.recover_stale(max_attempts=MAX_RETRIES + 1)
    published = republish(render_document, Document.objects.filter(status=DocumentStatus.QUEUED))
    return {"requeued_stale": requeued, "failed_stale": failed, "published": published}
