"""The outbox: work committed while the broker cannot take it waits and is sent by the sweep; stale running
documents are queued again or failed visibly, with a working retry. (The same with real processes, a real
Redis server stopped and started, and a worker killed by SIGKILL: tests/integration/test_faults.py.)"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.celery import app
from core.models import ActivityLog, EmailNotification
from core.tasks import sweep_notifications
from core.services import notify
from documents import services
from documents.generation import STALE_AFTER
from documents.models import Document, DocumentStatus
from documents.tasks import MAX_RETRIES, sweep_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """A real broker connection that fails: a Redis URL on a port nothing listens on."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:9/0")
    _reset_pool()
    yield
    app.conf.update(saved)
    _reset_pool()


def _reset_pool():
    """Forget the pools of the previous broker URL, as Celery does after a fork (the app takes the pool of
    the current URL on next use). Nothing is closed: kombu keeps one pool per URL for the whole process."""
    app._pool = None
    app.amqp._producer_pool = None


def test_committed_work_waits_in_the_outbox_while_the_broker_is_down(seeds, cn_staff, broker_down, django_capture_on_commit_callbacks):
    cycle = seeds["changning-quality-2023"]
    with django_capture_on_commit_callbacks(execute=True):
        document = services.request_document(kind="project_form", requested_by=cn_staff, cycles=[cycle])
        mail = notify(recipient=cn_staff, event="email_verification", template="accounts/emails/verify_email.txt",
                      context={"user": cn_staff, "link": "http://127.0.0.1/x/"})
    document.refresh_from_db()
    mail.refresh_from_db()
    assert (document.status, document.enqueued_at) == (DocumentStatus.QUEUED, None)
    assert (mail.status, mail.enqueued_at) == (EmailNotification.Status.QUEUED, None)
    assert sweep_notifications() == 0  # still down: nothing taken, nothing lost
    assert sweep_documents()["published"] == 0


def test_the_sweep_sends_what_the_broker_missed_once_it_is_back(seeds, cn_staff, mailoutbox):
    cycle = seeds["changning-quality-2023"]
    document = Document.objects.create(kind="project_form", organiser=cycle.programme.organiser, cycle=cycle,
                                       subject_key=f"cycles:{cycle.pk}", title="x", requested_by=cn_staff)
    mail = EmailNotification.objects.create(recipient=cn_staff, to_address=cn_staff.email, event="x", subject="主题", body="正文")
    out = io.StringIO()
    call_command("sweep_jobs", stdout=out)  # broker (eager here) is back
    assert "邮件补发 1 封；文书补发 1 件" in out.getvalue()
    document.refresh_from_db()
    mail.refresh_from_db()
    assert document.status == DocumentStatus.DONE and mail.status == EmailNotification.Status.SENT
    call_command("sweep_jobs", stdout=out)
    assert len(mailoutbox) == 1  # sent once, however often the sweep runs


def _running(cycle, staff, *, attempts: int) -> Document:
    started = timezone.now() - STALE_AFTER - datetime.timedelta(seconds=5)
    return Document.objects.create(kind="project_form", organiser=cycle.programme.organiser, cycle=cycle,
                                   subject_key=f"cycles:{cycle.pk}", title="x", requested_by=staff,
                                   status=DocumentStatus.RUNNING, attempts=attempts, started_at=started)


def test_a_stale_running_document_is_queued_again_and_finished(seeds, cn_staff):
    document = _running(seeds["changning-quality-2023"], cn_staff, attempts=1)
    result = sweep_documents()
    assert result["requeued_stale"] == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE and document.attempts == 2
    assert ActivityLog.objects.filter(action="document.stale_requeued", target_id=str(document.pk)).exists()


def test_a_running_document_within_its_time_is_left_alone(seeds, cn_staff):
    cycle = seeds["changning-quality-2023"]
    document = Document.objects.create(kind="project_form", organiser=cycle.programme.organiser, cycle=cycle,
                                       subject_key=f"cycles:{cycle.pk}", title="x", requested_by=cn_staff,
                                       status=DocumentStatus.RUNNING, attempts=1, started_at=timezone.now())
    assert sweep_documents()["requeued_stale"] == 0
    document.refresh_from_db()
    assert document.status == DocumentStatus.RUNNING


def test_a_document_stale_after_every_attempt_fails_visibly_and_can_be_retried(seeds, cn_staff, django_capture_on_commit_callbacks):
    document = _running(seeds["changning-quality-2023"], cn_staff, attempts=MAX_RETRIES + 1)
    assert sweep_documents()["failed_stale"] == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error.startswith(f"生成超时：已尝试 {MAX_RETRIES + 1} 次均未完成")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(document=document, actor=cn_staff)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
