"""The rendering task: queued after commit, idempotent, retried with backoff, visibly failed."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings

from core.models import ActivityLog
from core.retry import backoff
from documents import generation, services, tasks
from documents.models import Document, DocumentStatus

pytestmark = pytest.mark.django_db


class BrokenStorage(FileSystemStorage):
    """A storage whose disk is full: every save fails."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device")


BROKEN = {
    "default": {"BACKEND": "tests.documents.test_tasks.BrokenStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_document_is_queued_only_after_commit_and_then_rendered(seeds, cn_staff, django_capture_on_commit_callbacks):
    cycle = seeds["changning-quality-2023"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[cycle])
    assert document.status == DocumentStatus.QUEUED and len(callbacks) == 1
    callbacks[0]()  # the transaction commits: the task runs (eagerly in tests)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
    assert document.attempts == 1 and document.pages == 1
    with default_storage.open(document.file.name, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == document.checksum
    assert document.file.name.startswith("documents/changning/project_form/")
    assert ActivityLog.objects.filter(action="document.generated", target_id=str(document.pk)).exists()


def test_asking_again_while_queued_returns_the_same_document(seeds, cn_staff, django_capture_on_commit_callbacks):
    cycle = seeds["changning-quality-2023"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.request_document(kind="work_plan", requested_by=cn_staff, cycles=[cycle])
        second = services.request_document(kind="work_plan", requested_by=cn_staff, cycles=[cycle])
    assert first.pk == second.pk and len(callbacks) == 1
    assert Document.objects.filter(kind="work_plan").count() == 1


def test_a_second_run_of_a_finished_document_does_nothing(seeds, cn_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[seeds["changning-hongqiao-2023"]])
    document.refresh_from_db()
    before = (document.status, document.attempts, document.file.name, document.checksum, document.updated_at)
    assert tasks.render_document.apply(args=[document.pk]).get() == "skipped"
    document.refresh_from_db()
    assert (document.status, document.attempts, document.file.name, document.checksum, document.updated_at) == before


def test_a_failing_task_is_retried_with_backoff_and_ends_visibly_failed(seeds, cn_staff, django_capture_on_commit_callbacks):
    with override_settings(STORAGES=BROKEN), django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[seeds["changning-quality-2023"]])
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.attempts == tasks.MAX_RETRIES + 1  # the first try and every retry
    assert "No space left on device" in document.error
    assert ActivityLog.objects.filter(action="document.failed", target_id=str(document.pk)).exists()
    assert 4 <= backoff(0) <= 6 and 8 <= backoff(1) <= 12 and backoff(20) <= 360  # core.retry, what run_job waits


def test_retrying_a_failed_document_renders_it(seeds, cn_staff, django_capture_on_commit_callbacks):
    with override_settings(STORAGES=BROKEN), django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[seeds["changning-quality-2023"]])
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(document=document, actor=cn_staff)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE and document.error == ""


def queued_row(kind: str, cycle, user) -> Document:
    """A queued row as request_document writes it, for data that is missing when the task runs (asked for
    while it was there, gone since): request_document itself refuses a kind that is not ready."""
    return Document.objects.create(kind=kind, organiser=cycle.programme.organiser, cycle=cycle, subject_key=f"cycles:{cycle.pk}",
                                   params={"cycles": [cycle.pk]}, title=kind, requested_by=user)


def test_a_kind_whose_data_is_not_ready_is_refused_with_its_reason(seeds, cn_staff):
    from documents.kinds import DocumentDataError

    cycle = seeds["changning-quality-2023"]
    with pytest.raises(DocumentDataError) as exc:
        services.request_document(kind="award_decision", requested_by=cn_staff, cycles=[cycle])
    assert str(exc.value) == f"“{cycle.programme.name}（{cycle.name}）”尚未记录批准表彰，不能生成该文书。"
    assert not Document.objects.exists()


def test_missing_data_fails_at_once_without_retrying(seeds, cn_staff):
    document = queued_row("award_decision", seeds["changning-quality-2023"], cn_staff)
    tasks.render_document.delay(document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and document.attempts == 1
    assert "尚未记录批准表彰" in document.error


def test_a_running_document_is_left_to_its_worker_unless_redelivered(seeds, cn_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[seeds["changning-quality-2023"]])
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.RUNNING, started_at=document.created_at)
    assert generation.document_render(document_id=document.pk) == "skipped"
    # a worker died mid-task: the broker delivers the message again (late acknowledgement)
    assert generation.document_render(document_id=document.pk, redelivered=True) == "done"
