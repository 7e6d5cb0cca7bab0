"""Generate, follow, download and retry documents. Downloads only through a permission check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.models import Cycle
from core.files import private_file_response
from core.http import safe_next_url
from reviews.models import Award

from . import rules, selectors, services
from .kinds import KINDS, DocumentDataError
from .models import Document, DocumentStatus


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _get_document(request, public_id) -> Document:
    try:
        return selectors.document_for_user(public_id, request.user)
    except (Document.DoesNotExist, ValueError):
        raise Http404 from None


def document_status_data(document: Document) -> dict:
    return {
        "id": str(document.public_id),
        "kind": document.kind,
        "kind_label": document.get_kind_display(),
        "status": document.status,
        "status_label": document.get_status_display(),
        "attempts": document.attempts,
        "error": document.error if document.status in (DocumentStatus.FAILED, DocumentStatus.QUEUED) else "",
        "title": document.title,
        "progress": {"done": document.progress_done or 0, "total": document.progress_total}
        if document.progress_total else None,
        "created_at_text": timezone.localtime(document.created_at).strftime("%Y-%m-%d %H:%M") if document.created_at else "",
        "pages": document.pages,
        "size": document.size,
        "checksum": document.checksum,
        "created_at": document.created_at.isoformat() if document.created_at else None,
        "finished_at": document.finished_at.isoformat() if document.finished_at else None,
        "status_url": reverse("documents:status", args=[document.public_id]),
        "download_url": reverse("documents:download", args=[document.public_id]) if document.status == DocumentStatus.DONE else None,
        "retry_url": reverse("documents:retry", args=[document.public_id]) if document.status == DocumentStatus.FAILED else None,
    }


def _resolve_subject(request, kind: str):
    """The cycles / application / award named in the request, limited to what exists."""
    spec = KINDS[kind]
    if spec.subject == "feedback":
        from reviews.models import FeedbackReport

        value = request.POST.get("feedback", "")
        report = FeedbackReport.objects.select_related("application__cycle__programme__organiser", "stage__cycle__programme").filter(
            pk=int(value) if value.isascii() and value.isdigit() else None).first()
        if report is None:
            raise Http404
        return {"feedback": report}, report.application.cycle.programme.organiser
    if spec.subject == "application":
        from applications.models import Application

        value = request.POST.get("application", "")
        application = Application.objects.select_related("cycle__programme__organiser").filter(
            **({"pk": int(value)} if value.isascii() and value.isdigit() else {"number": value})
        ).first()
        if application is None:
            raise Http404
        return {"application": application}, application.cycle.programme.organiser
    if spec.subject == "winner":

        value = request.POST.get("award", "")
        award = Award.objects.select_related("cycle__programme__organiser", "application").filter(pk=int(value) if value.isascii() and value.isdigit() else None).first()
        if award is None:
            raise Http404
        return {"award": award}, award.cycle.programme.organiser
    codes = [code for code in request.POST.getlist("cycle") if code]
    cycles = list(Cycle.objects.select_related("programme__organiser").filter(code__in=codes))
    if not cycles or len(cycles) != len(set(codes)):
        raise Http404
    cycles.sort(key=lambda cycle: codes.index(cycle.code))
    return {"cycles": cycles}, cycles[0].programme.organiser


@login_required
@require_POST
def request_view(request):
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        raise Http404
    subject, organiser = _resolve_subject(request, kind)
    if not rules.can_request(request.user, kind=kind, organiser=organiser, application=subject.get("application"),
                             feedback=subject.get("feedback")):
        raise Http404
    try:
        document = services.request_document(kind=kind, requested_by=request.user, **subject)
    except DocumentDataError as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc)}, status=400)
        messages.error(request, str(exc))
        return HttpResponseRedirect(safe_next_url(request, reverse("core:home")))
    if _wants_json(request):
        return JsonResponse(document_status_data(document), status=202)
    return HttpResponseRedirect(safe_next_url(request, reverse("core:home")))


@login_required
@require_GET
def status_view(request, public_id):
    document = _get_document(request, public_id)
    response = JsonResponse(document_status_data(document))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def download_view(request, public_id):
    document = _get_document(request, public_id)
    if document.status != DocumentStatus.DONE or not document.file:
        raise Http404
    response = private_file_response(
        document.file, filename=document.filename or f"{document.public_id}.pdf", content_type="application/pdf",
        inline=request.GET.get("inline") == "1",
    )
    if document.checksum:
        response["ETag"] = f'"{document.checksum}"'
    return response


@login_required
@require_POST
def retry_view(request, public_id):
    document = _get_document(request, public_id)
    if not rules.can_request(request.user, kind=document.kind, organiser=document.organiser, application=document.application,
                             feedback=rules.feedback_of(document)):
        raise Http404
    document = services.document_retry(document=document, actor=request.user)
    if _wants_json(request):
        return JsonResponse(document_status_data(document), status=202)
    messages.info(request, _("已重新排队生成。"))
    return HttpResponseRedirect(safe_next_url(request, reverse("core:home")))
