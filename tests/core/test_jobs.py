"""The background-job state machine (core.jobs), the same for a document and an export: claimed once,
failed for good until the retry button, never taken back from done, a new attempt starts its progress
afresh, and a job is the only active one of its subject."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.jobs import ACTIVE_STATUSES, JobStatus
from core.models import ActivityLog
from documents.models import Document
from reviews.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(seeds):
    return seeds["changning-quality-2023"]


@pytest.fixture(params=["document", "export"])
def make_job(request, cycle):
    """make(status=…, progress=(done, total)): a document or an export of the cycle (each test runs with both)."""
    def make(*, progress=None, **values):
        if request.param == "document":
            if values.get("status") == JobStatus.DONE:
                values["checksum"] = "0" * 64
            if progress:
                values.update(progress_done=progress[0], progress_total=progress[1])
            return Document.objects.create(kind="project_form", organiser=cycle.programme.organiser, cycle=cycle,
                                           subject_key=f"cycles:{cycle.pk}", **values)
        if progress:
            values.update(rows_done=progress[0], rows_total=progress[1])
        return ExportJob.objects.create(cycle=cycle, kind="winners", **values)

    return make


def test_a_queued_job_is_claimed_for_one_attempt_and_then_left_to_its_worker(make_job):
    job = make_job()
    claimed = type(job).claim(job.pk, redelivered=False)
    assert (claimed.status, claimed.attempts, claimed.is_active, claimed.can_retry) == (JobStatus.RUNNING, 1, True, False)
    assert type(job).claim(job.pk, redelivered=False) is None  # another worker is on it
    assert type(job).claim(job.pk, redelivered=True).attempts == 2  # its message delivered again: the worker died


def test_a_running_job_past_its_stale_time_is_claimed_again(make_job):
    job = make_job(status=JobStatus.RUNNING, attempts=1)
    type(job).objects.filter(pk=job.pk).update(started_at=timezone.now() - job.stale_after - datetime.timedelta(seconds=1))
    assert type(job).claim(job.pk, redelivered=False).attempts == 2


@pytest.mark.parametrize("status", [JobStatus.DONE, JobStatus.FAILED])
def test_a_done_or_failed_job_is_not_claimed(make_job, status):
    job = make_job(status=status)
    assert type(job).claim(job.pk, redelivered=True) is None


def test_a_failure_to_retry_keeps_the_error_but_never_undoes_a_done_job(make_job):
    job = make_job(status=JobStatus.RUNNING)
    type(job).mark_retrying(job.pk, error="x" * 5000)
    job.refresh_from_db()
    assert (job.status, len(job.error)) == (JobStatus.QUEUED, job.error_limit)
    done = make_job(status=JobStatus.DONE)
    type(done).mark_retrying(done.pk, error="late")
    type(done).mark_failed(done.pk, error="late")
    done.refresh_from_db()
    assert (done.status, done.error) == (JobStatus.DONE, "")


def test_a_failed_job_is_logged_and_the_retry_button_queues_it_with_its_progress_reset(
        make_job, cn_staff, django_capture_on_commit_callbacks):
    job = make_job(status=JobStatus.RUNNING, progress=(3, 8))
    type(job).mark_failed(job.pk, error="disk full")
    job.refresh_from_db()
    assert (job.status, job.error, job.can_retry) == (JobStatus.FAILED, "disk full", True)
    entry = ActivityLog.objects.get(action=f"{job.activity_prefix}.failed", target_id=str(job.pk))
    assert (entry.before, entry.after) == ({"status": "running"}, {"status": "failed", "error": "disk full"})
    queued = []
    with django_capture_on_commit_callbacks(execute=True):
        again = job.retry(actor=cn_staff, enqueue=queued.append)
    assert (again.pk, again.status, again.error, again.finished_at) == (job.pk, JobStatus.QUEUED, "", None)
    assert {name: getattr(again, name) for name in job.progress_reset} == job.progress_reset and queued == [job.pk]
    assert ActivityLog.objects.filter(action=f"{job.activity_prefix}.retried", target_id=str(job.pk)).exists()


def test_one_active_job_per_subject(make_job):
    job = make_job()
    assert job.status in ACTIVE_STATUSES
    with pytest.raises(IntegrityError), transaction.atomic():
        make_job()
