"""The 评价反馈报告 screen: the panel leader or the review office consolidates the experts' 优势 / 改进机会 per
applicant and stage, edits the text and approves it. Experts appear as 专家A, 专家B …, never by name."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from applications.models import Application
from documents import selectors as document_selectors
from documents import services as document_services
from documents.kinds import DocumentDataError
from core.http import error_text
from reviews import access, forms, selectors, services
from reviews.selectors.cycles import APPLICATION_RELATED
from reviews.views.common import stage_or_404


def _application_and_stage(request, code: str, pk: int, stage_code: str):
    application = Application.objects.select_related(*APPLICATION_RELATED).filter(pk=pk, cycle__code=code).first()
    if application is None:
        raise Http404
    stage = stage_or_404(application.cycle, stage_code)
    if stage.kind != "scored_review" or not access.may_consolidate_feedback(request.user, application, stage):
        raise Http404
    return application, stage


@login_required
def feedback_edit(request, code: str, pk: int, stage_code: str):
    application, stage = _application_and_stage(request, code, pk, stage_code)
    report = selectors.feedback_report(application=application, stage=stage)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                services.feedback_start(application=application, stage=stage, actor=request.user)
                messages.success(request, _("已汇总专家意见，形成报告草稿。"))
                return redirect(request.path)
            if report is None:
                raise Http404
            if action == "reopen":
                services.feedback_reopen(report=report, actor=request.user, reason=request.POST.get("reason", ""))
                messages.info(request, _("已撤回审定，可以修改报告。"))
                return redirect(request.path)
            if action in ("save", "approve"):
                form = forms.FeedbackReportForm(request.POST, report=report, items=selectors.report_items(report))
                if not form.is_valid():
                    raise ValidationError(form.errors)
                services.feedback_save(report=report, summary=form.cleaned_data["summary"], texts=form.texts(), actor=request.user)
                if action == "approve":
                    report = services.feedback_approve(report=report, actor=request.user)
                    try:
                        document_services.request_document(kind="feedback_report", requested_by=request.user, feedback=report)
                    except DocumentDataError as exc:
                        messages.error(request, str(exc))
                    messages.success(request, _("报告已审定。") + (_("已按本周期设置向申报人发布。") if selectors.feedback_released(report)
                                                              else _("按本周期设置，暂不向申报人发布。")))
                else:
                    messages.success(request, _("报告已保存。"))
                return redirect(request.path)
            raise Http404
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            status = 400
            report = selectors.feedback_report(application=application, stage=stage)
    sources = selectors.feedback_sources(application=application, stage=stage)
    items = selectors.report_items(report) if report else []
    form = forms.FeedbackReportForm(request.POST if status == 400 and request.POST.get("action") in ("save", "approve") else None,
                                    report=report, items=items) if report else None
    sources_by_criterion = {row.criterion.pk: row for row in sources.criteria}
    rows = [{"item": item, "sources": sources_by_criterion.get(item.criterion_id),
             "band": selectors.band_of(item.percent, item.criterion.kind),
             "strengths": form[f"strengths_{item.criterion_id}"], "improvements": form[f"improvements_{item.criterion_id}"]}
            for item in items]
    document = document_selectors.feedback_documents([report]).get(report.pk) if report and report.is_approved else None
    return render(request, "reviews/feedback_edit.html", {
        "application": application, "cycle": application.cycle, "stage": stage, "report": report, "form": form, "rows": rows,
        "sources": sources, "released": selectors.feedback_released(report) if report else False, "document": document,
        "is_staff": access.is_staff_for(request.user, application),
    }, status=status)
