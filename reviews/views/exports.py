"""A cycle's Excel exports: ask for one (a background job), follow its progress, download it, retry it.
Downloads only through the staff check of the cycle (staff_cycle), never by a public URL."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.files import private_file_response
from reviews import selectors, services
from reviews.models import ExportJob, ExportKind, ExportStatus
from reviews.services import DecisionError
from reviews.views.common import cycle_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_or_404(cycle, public_id) -> ExportJob:
    try:
        return selectors.export_job_of_cycle(cycle, public_id)
    except ExportJob.DoesNotExist:
        raise Http404 from None


def job_data(job: ExportJob) -> dict:
    code = job.cycle.code
    return {
        "id": str(job.public_id), "kind": job.kind, "kind_label": job.get_kind_display(), "status": job.status,
        "status_label": job.get_status_display(), "attempts": job.attempts, "rows_done": job.rows_done,
        "rows_total": job.rows_total, "percent": job.percent, "size": job.size, "seconds": job.seconds,
        "error": job.error if job.status in (ExportStatus.FAILED, ExportStatus.QUEUED) else "",
        "status_url": reverse("reviews:export_status", args=[code, job.public_id]),
        "download_url": reverse("reviews:export_download", args=[code, job.public_id]) if job.status == ExportStatus.DONE else None,
        "retry_url": reverse("reviews:export_retry", args=[code, job.public_id]) if job.status == ExportStatus.FAILED else None,
    }


def _request(request, cycle, kind: str):
    try:
        job = services.request_export(cycle=cycle, kind=kind, actor=request.user)
    except DecisionError as exc:
        messages.error(request, str(exc))
        return redirect("reviews:exports", code=cycle.code)
    messages.info(request, _("已排队导出“%(kind)s”，完成后可在本页下载。") % {"kind": job.get_kind_display()})
    return redirect("reviews:exports", code=cycle.code)


@login_required
def exports(request, code: str):
    cycle = selectors.staff_cycle(request.user, code)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in ExportKind.values:
            messages.error(request, _("请选择要导出的内容。"))
            return render(request, "reviews/exports.html", _context(cycle), status=400)
        return _request(request, cycle, kind)
    return render(request, "reviews/exports.html", _context(cycle))


def _context(cycle) -> dict:
    jobs = selectors.export_jobs_for_cycle(cycle)
    return cycle_context(cycle, "exports", jobs=jobs, kinds=ExportKind.choices, active=any(j.is_active for j in jobs))


@login_required
def export(request, code: str, kind: str):
    """The address of the exports before they were jobs: POST asks for that export, GET opens the exports page."""
    cycle = selectors.staff_cycle(request.user, code)
    if kind not in ExportKind.values:
        raise Http404
    if request.method == "POST":
        return _request(request, cycle, kind)
    return redirect("reviews:exports", code=cycle.code)


@login_required
@require_GET
def export_status(request, code: str, public_id):
    cycle = selectors.staff_cycle(request.user, code)
    response = JsonResponse(job_data(_job_or_404(cycle, public_id)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_download(request, code: str, public_id):
    cycle = selectors.staff_cycle(request.user, code)
    job = _job_or_404(cycle, public_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    return private_file_response(job.file, filename=job.filename or f"{job.public_id}.xlsx", content_type=XLSX)


@login_required
@require_POST
def export_retry(request, code: str, public_id):
    cycle = selectors.staff_cycle(request.user, code)
    job = services.export_retry(job=_job_or_404(cycle, public_id), actor=request.user)
    messages.info(request, _("已重新排队导出。") if job.is_active else _("该导出无需重试。"))
    return redirect("reviews:exports", code=cycle.code)
