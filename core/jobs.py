"""Background jobs with a status row: the one home of their state machine.

A job is a row that a request writes `queued` (documents.Document renders a PDF, reviews.ExportJob
writes a workbook). After commit its Celery task is queued (`enqueue`); the task claims the row
(`running`, one more attempt) and ends it `done` with the stored file, or — after retries with backoff
(core.retry) — `failed`, with the error the page shows beside a retry button. A job stays the only
active one of its subject (the `one_active_per` constraint): asking again while it is queued or running
returns it, and so does the retry button while another one is active.

    queued ──claim──▶ running ──mark_done──▶ done
      ▲                  │
      └──mark_retrying───┤ (a failure worth another try; the broker redelivers after backoff)
      └──retry (button)──── failed ◀──mark_failed── (retries exhausted, or the data is wrong)

Each job model says what is particular to it: the prefix of its activity log actions, how long a
running attempt may take before its worker is taken to have died, which progress counters a new
attempt starts from, and what its subject is. The task is `run_job` (thin, idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .background import run_detached
from .fields import optional_fk
from .models import OrganiserScopedMixin
from .outbox import publish
from .retry import backoff
from .services import log_activity

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


def one_active_per(*fields: str, name: str) -> models.UniqueConstraint:
    """At most one queued or running job of the same subject at a time."""
    return models.UniqueConstraint(fields=list(fields), condition=models.Q(status__in=["queued", "running"]), name=name)


class BackgroundJob(OrganiserScopedMixin, models.Model):
    """The fields and transitions every background job shares. Subclasses add their subject, the file
    field (each with its own private path) and the class attributes below; their Meta extends this one."""

    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    filename = models.CharField(_("下载文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    requested_by = optional_fk(settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", verbose_name=_("申请人"))
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    # What each job model sets.
    activity_prefix: ClassVar[str]  # its activity log actions: "<prefix>.requested", ".failed", ".retried" …
    done_action: ClassVar[str] = "done"  # the action logged when a job is done
    stale_after: ClassVar[timedelta]  # a job running this long belongs to a worker that died
    error_limit: ClassVar[int] = 4000  # the stored error is cut to this many characters
    subject_fields: ClassVar[tuple[str, ...]]  # what a job is about: one active job per subject
    progress_reset: ClassVar[dict[str, Any]] = {}  # the progress counters a new attempt starts from

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]  # the latest first, as the pages list them

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def can_retry(self) -> bool:
        return self.status == JobStatus.FAILED

    def is_stale(self, now=None) -> bool:
        return self.started_at is None or (now or timezone.now()) - self.started_at > self.stale_after

    def done_summary(self) -> dict:
        """What the activity log records of a job that is done."""
        return {}

    @classmethod
    def active_for(cls, **subject) -> models.QuerySet:
        return cls.objects.filter(**subject, status__in=ACTIVE_STATUSES)

    # --- asked for (services) ------------------------------------------------------------------

    @classmethod
    def request(cls, *, actor, subject: dict, enqueue: Callable[[int], None], log_after: dict, **values):
        """A new queued job of `subject`, queued for its task once the transaction commits; while one of the
        same subject is queued or running, that one instead (asking twice makes one job)."""
        with transaction.atomic():
            existing = cls.active_for(**subject).select_for_update().first()
            if existing is not None:
                return existing
            try:
                with transaction.atomic():
                    job = cls.objects.create(**subject, **values,
                                             requested_by=actor if getattr(actor, "is_authenticated", False) else None)
            except IntegrityError:  # another request won the race for the same subject: use its row
                return cls.active_for(**subject).get()
            log_activity(actor=actor, action=f"{cls.activity_prefix}.requested", target=job, after=log_after)
            transaction.on_commit(lambda: enqueue(job.pk))
        return job

    def retry(self, *, actor, enqueue: Callable[[int], None]):
        """The retry button: a failed job queued again, its error cleared. A job that is not failed is
        returned as it is, and so is another job of the same subject that is already active."""
        cls = type(self)
        with transaction.atomic():
            job = cls.objects.select_for_update().get(pk=self.pk)
            if not job.can_retry:
                return job
            active = cls.active_for(**{name: getattr(job, name) for name in cls.subject_fields}).exclude(pk=job.pk).first()
            if active is not None:
                return active
            before = {"status": job.status, "error": job.error}
            job.status, job.error, job.finished_at = JobStatus.QUEUED, "", None
            job._set(cls.progress_reset)
            job.save(update_fields=["status", "error", "finished_at", *cls.progress_reset, "updated_at"])
            log_activity(actor=actor, action=f"{cls.activity_prefix}.retried", target=job, before=before,
                         after={"status": job.status})
            transaction.on_commit(lambda: enqueue(job.pk))
        return job

    # --- run (tasks) ---------------------------------------------------------------------------

    @classmethod
    def claim(cls, pk: int, *, redelivered: bool, queryset: models.QuerySet | None = None):
        """Mark the job running for one more attempt, or return None when there is nothing to do: it is
        gone, done, failed (only the retry button queues it again), or running on another worker that is
        neither stale nor the one whose message the broker delivered again."""
        with transaction.atomic():
            job = (cls.objects.all() if queryset is None else queryset).select_for_update().filter(pk=pk).first()
            if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
                return None
            if job.status == JobStatus.RUNNING and not (redelivered or job.is_stale()):
                return None  # another worker is on it
            job.status = JobStatus.RUNNING
            job.attempts += 1
            job.started_at = timezone.now()
            job._set(cls.progress_reset)
            job.save(update_fields=["status", "attempts", "started_at", *cls.progress_reset, "updated_at"])
            return job

    @classmethod
    def mark_progress(cls, pk: int, **counters) -> None:
        # Outside any transaction: the page polling the status sees each step at once.
        cls.objects.filter(pk=pk).update(**counters, updated_at=timezone.now())

    def mark_done(self, *, stored_name: str, **values) -> bool:
        """Record the stored file and `values` on the job's row (locked and read again): done, its error
        cleared, logged. False when a duplicate delivery finished first or the row has gone (with its
        deleted subject): the file just stored belongs to nobody and is deleted."""
        cls = type(self)
        with transaction.atomic():
            job = cls.objects.select_for_update().filter(pk=self.pk).first()
            if job is None or job.status == JobStatus.DONE:
                default_storage.delete(stored_name)
                return False
            job.file.name = stored_name
            job._set(values)
            job.status, job.error, job.finished_at = JobStatus.DONE, "", timezone.now()
            job.save()
            log_activity(actor=None, action=f"{cls.activity_prefix}.{cls.done_action}", target=job, after=job.done_summary())
        return True

    @classmethod
    def mark_retrying(cls, pk: int, *, error: str) -> None:
        """A failed attempt that will be retried: back to queued, the error kept for the page."""
        cls.objects.filter(pk=pk).exclude(status=JobStatus.DONE).update(
            status=JobStatus.QUEUED, error=error[:cls.error_limit], updated_at=timezone.now())

    @classmethod
    def mark_failed(cls, pk: int, *, error: str) -> None:
        """Retries exhausted or the data is wrong: failed, visibly, with the error."""
        with transaction.atomic():
            job = cls.objects.select_for_update().filter(pk=pk).first()
            if job is None or job.status == JobStatus.DONE:
                return
            before = {"status": job.status}
            job.status, job.error, job.finished_at = JobStatus.FAILED, error[:cls.error_limit], timezone.now()
            job.save(update_fields=["status", "error", "finished_at", "updated_at"])
            log_activity(actor=None, action=f"{cls.activity_prefix}.failed", target=job, before=before,
                         after={"status": job.status, "error": job.error})

    def _set(self, values: dict) -> None:
        for name, value in values.items():
            setattr(self, name, value)


def enqueue(task, pk: int, *, stamp: models.QuerySet | None = None) -> None:
    """Queue a job's task. Without a broker (eager mode) Celery would run it right here, holding the page:
    it then runs detached (core.background) and the page follows its status. With a broker, one that is
    down leaves the row queued (logged, core.outbox); `stamp` (the job's row) gets its enqueued_at once the
    broker has taken the task, so the sweep knows what never went out."""
    if task.app.conf.task_always_eager:
        run_detached(lambda: task.delay(pk))
    elif publish(task, pk) and stamp is not None:
        stamp.update(enqueued_at=timezone.now())


def run_job(task, model: type[BackgroundJob], pk: int, run: Callable[..., str], *,
            permanent: tuple[type[Exception], ...] = ()) -> str:
    """The body of a job's task (bound, acks_late): `run(pk, redelivered=…)`, retried with backoff.
    `permanent` errors (the data is wrong) fail at once with their message; any other exception is worth
    another try until the task's max_retries, then the job is failed with it."""
    redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
    try:
        return run(pk, redelivered=redelivered)
    except permanent as exc:
        model.mark_failed(pk, error=str(exc))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - storage, database, layout: worth another try
        error = f"{type(exc).__name__}: {exc}"
        if task.request.retries >= task.max_retries:
            logger.exception("%s %s failed after %s attempts", model.activity_prefix, pk, task.request.retries + 1)
            model.mark_failed(pk, error=error)
            return "failed"
        model.mark_retrying(pk, error=error)
        raise task.retry(exc=exc, countdown=backoff(task.request.retries)) from exc
