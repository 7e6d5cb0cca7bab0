"""Exports as background jobs: queued → running → done (or failed, then retried), progress, the
permission-checked download, and openpyxl's write-only mode."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from core.models import ActivityLog
from reviews import exports, services
from reviews.models import ExportJob, ExportStatus
from reviews.tasks import run_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_applications(cn_cycle, cn_staff, make_application):
    return [make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff) for _ in range(2)]


def test_a_job_is_queued_on_commit_then_runs_to_done_with_progress(cn_cycle, cn_staff, two_applications, client,
                                                                   django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    seen = []
    original = exports.ExportJob.objects.filter

    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reviews:exports", args=[cn_cycle.code]), {"kind": "applications"})
        again = services.request_export(cycle=cn_cycle, kind="applications", actor=cn_staff)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.attempts, job.rows_done, again.pk) == (ExportStatus.QUEUED, 0, 0, job.pk)  # asked twice: one job
    assert len(callbacks) == 1
    page = client.get(reverse("reviews:exports", args=[cn_cycle.code]))
    assert '<meta http-equiv="refresh" content="3">' in page.content.decode() and "排队中" in page.content.decode()
    assert client.get(reverse("reviews:export_download", args=[cn_cycle.code, job.public_id])).status_code == 404

    def spy(*args, **kwargs):
        queryset = original(*args, **kwargs)
        seen.append(kwargs)
        return queryset

    monkeypatch.setattr(exports.ExportJob.objects, "filter", spy)
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 1
    assert job.rows_total == job.rows_done == 2 and job.percent == 100
    assert job.size > 0 and job.seconds is not None and job.worker_peak_kib > 0
    assert sum(1 for kw in seen if kw == {"pk": job.pk}) >= 3  # the total, then progress updates while rows were written
    status = client.get(reverse("reviews:export_status", args=[cn_cycle.code, job.public_id])).json()
    assert status["status"] == "done" and status["download_url"].endswith("/download/")
    download = client.get(status["download_url"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    numbers = {row[0] for row in book["申报与环节结果"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {a.number for a in two_applications}
    assert list(ActivityLog.objects.filter(target_type="reviews.exportjob").order_by("id").values_list("action", flat=True)) == [
        "export.requested", "export.done"]
    # A second run of a finished job does nothing.
    assert run_export.apply(args=[job.pk]).get() == "skipped"


def test_a_failing_export_is_retried_then_failed_and_the_retry_button_queues_it_again(
        cn_cycle, cn_staff, two_applications, client, django_capture_on_commit_callbacks, monkeypatch):
    def broken(workbook, cycle, progress=None):
        raise OSError("storage unavailable")

    real = exports.EXPORTS["applications"].build
    monkeypatch.setattr(exports.EXPORTS["applications"], "build", broken)
    client.force_login(cn_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:exports", args=[cn_cycle.code]), {"kind": "applications"})
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED
    assert job.attempts == 1 + run_export.max_retries and "storage unavailable" in job.error
    page = client.get(reverse("reviews:exports", args=[cn_cycle.code])).content.decode()
    assert "失败" in page and "storage unavailable" in page and reverse("reviews:export_retry", args=[cn_cycle.code, job.public_id]) in page

    monkeypatch.setattr(exports.EXPORTS["applications"], "build", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:export_retry", args=[cn_cycle.code, job.public_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.error == ""
    assert ActivityLog.objects.filter(action="export.retried", target_id=str(job.pk)).exists()
    assert ActivityLog.objects.filter(action="export.failed", target_id=str(job.pk)).exists()


def test_downloads_and_status_only_for_the_cycles_staff(cn_cycle, cn_staff, xh_staff, make_user, client,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(cycle=cn_cycle, kind="winners", actor=cn_staff)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    urls = [reverse("reviews:export_download", args=[cn_cycle.code, job.public_id]),
            reverse("reviews:export_status", args=[cn_cycle.code, job.public_id])]
    for user in (xh_staff, make_user("someone")):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404]
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)  # to the login page
    client.force_login(cn_staff)
    assert [client.get(url).status_code for url in urls] == [200, 200]
    # The same job under another cycle's address is not found.
    other = reverse("reviews:export_download", args=["xuhui-quality-5", job.public_id])
    assert client.get(other).status_code == 404


def test_every_export_is_written_in_write_only_mode_with_lxml(cn_cycle, two_applications, monkeypatch):
    assert openpyxl.LXML  # lxml is installed (requirements.txt): openpyxl's fast streaming writer
    made = []
    original = exports.new_workbook

    def recording():
        workbook = original()
        made.append(workbook)
        return workbook

    monkeypatch.setattr(exports, "new_workbook", recording)
    for kind in exports.EXPORTS:
        buffer = io.BytesIO()
        exports.write_export(kind, cn_cycle, buffer)
        assert openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).sheetnames[-1] == "说明"
    assert len(made) == len(exports.EXPORTS) and all(workbook.write_only for workbook in made)
