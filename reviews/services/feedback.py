"""The 评价反馈报告: consolidate the experts' 优势 / 改进机会 into a draft, edit it, approve it (and reopen it).

Experts are never named: the draft joins their texts without attribution and the activity log records the
report's text, not who wrote which line. Every edit and approval is logged with before/after."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import Stage, StageKind
from core.services import log_activity
from reviews.models import FeedbackItem, FeedbackReport
from reviews.selectors.feedback import feedback_sources

MAX_TEXT = 5000


class FeedbackError(ValidationError):
    pass


def _joined(texts: list[tuple[str, str]]) -> str:
    """The experts' texts, one per line, without labels; the same sentence twice is kept once."""
    seen: list[str] = []
    for _label, text in texts:
        if text not in seen:
            seen.append(text)
    return "\n".join(seen)


def _log_state(report: FeedbackReport, items) -> dict:
    return {"summary": report.summary, "items": {i.criterion.code: {"strengths": i.strengths, "improvements": i.improvements}
                                                 for i in items}}


def feedback_start(*, application, stage: Stage, actor) -> FeedbackReport:
    """The report of an application in a scored stage; on first use a draft consolidated from the submitted
    scoresheets (band per criterion from the panel's mean, the experts' texts joined)."""
    if stage.kind != StageKind.SCORED_REVIEW or stage.cycle_id != application.cycle_id:
        raise FeedbackError(_("只有本周期的评分环节可以形成评价反馈报告。"))
    with transaction.atomic():
        report = FeedbackReport.objects.select_for_update().filter(application=application, stage=stage).first()
        if report is not None:
            return report
        sources = feedback_sources(application=application, stage=stage)
        if not sources.sheet_count:
            raise FeedbackError(_("本环节尚无已提交的评分表，不能形成评价反馈报告。"))
        if not sources.criteria:
            raise FeedbackError(_("本评分标准未启用优势、改进机会（评价反馈报告）。"))
        report = FeedbackReport.objects.create(application=application, stage=stage)
        items = FeedbackItem.objects.bulk_create([
            FeedbackItem(report=report, criterion=row.criterion, percent=row.percent,
                         strengths=_joined(row.strengths)[:MAX_TEXT], improvements=_joined(row.improvements)[:MAX_TEXT])
            for row in sources.criteria])
        log_activity(actor=actor, action="reviews.feedback.consolidate", target=application,
                     after={"stage": stage.code, "experts": sources.sheet_count, **_log_state(report, items)})
    return report


def _locked_report(report: FeedbackReport) -> FeedbackReport:
    return FeedbackReport.objects.select_for_update().select_related("stage__cycle__programme__organiser", "application").get(
        pk=report.pk)


def feedback_save(*, report: FeedbackReport, summary: str, texts: dict, actor) -> FeedbackReport:
    """Save the consolidated text. `texts` maps criterion id → {"strengths": …, "improvements": …}; criteria not
    named keep their text. The bands follow the current submitted scoresheets. Refused once approved."""
    errors: dict[str, list[str]] = {}
    if len(summary or "") > MAX_TEXT:
        errors["summary"] = [_("总体评价不能超过 %(n)d 字。") % {"n": MAX_TEXT}]
    for criterion_id, values in texts.items():
        for key in ("strengths", "improvements"):
            if len(values.get(key) or "") > MAX_TEXT:
                errors[f"{key}_{criterion_id}"] = [_("不能超过 %(n)d 字。") % {"n": MAX_TEXT}]
    if errors:
        raise FeedbackError(errors)
    with transaction.atomic():
        report = _locked_report(report)
        if report.is_approved:
            raise FeedbackError(_("报告已审定；如需修改，请先撤回审定。"))
        items = list(report.items.select_related("criterion"))
        before = _log_state(report, items)
        percents = {row.criterion.pk: row.percent for row in feedback_sources(application=report.application, stage=report.stage).criteria}
        changed = []
        for item in items:
            values = texts.get(item.criterion_id, texts.get(str(item.criterion_id)))
            new = {"percent": percents.get(item.criterion_id, item.percent)}
            if values is not None:
                new["strengths"] = (values.get("strengths") or "").strip()
                new["improvements"] = (values.get("improvements") or "").strip()
            if any(getattr(item, k) != v for k, v in new.items()):
                for k, v in new.items():
                    setattr(item, k, v)
                changed.append(item)
        FeedbackItem.objects.bulk_update(changed, ["percent", "strengths", "improvements"])
        report.summary = (summary or "").strip()
        report.save(update_fields=["summary", "updated_at"])
        after = _log_state(report, items)
        if after != before:
            changed_codes = [code for code in after["items"] if after["items"][code] != before["items"].get(code)]
            log_activity(actor=actor, action="reviews.feedback.edit", target=report.application,
                         before={"stage": report.stage.code, "summary": before["summary"],
                                 "items": {c: before["items"][c] for c in changed_codes}},
                         after={"stage": report.stage.code, "summary": after["summary"],
                                "items": {c: after["items"][c] for c in changed_codes}})
    return report


def feedback_approve(*, report: FeedbackReport, actor) -> FeedbackReport:
    """Approve the consolidated report (a new version); the cycle's release rule decides when the applicant sees it."""
    with transaction.atomic():
        report = _locked_report(report)
        if report.is_approved:
            raise FeedbackError(_("报告已审定。"))
        items = list(report.items.select_related("criterion"))
        if not report.summary.strip() and not any(i.strengths.strip() or i.improvements.strip() for i in items):
            raise FeedbackError(_("报告尚无任何优势或改进机会，不能审定。"))
        report.status = FeedbackReport.Status.APPROVED
        report.version += 1
        report.approved_by = actor
        report.approved_at = timezone.now()
        report.save(update_fields=["status", "version", "approved_by", "approved_at", "updated_at"])
        log_activity(actor=actor, action="reviews.feedback.approve", target=report.application,
                     before={"stage": report.stage.code, "status": str(FeedbackReport.Status.DRAFT.label)},
                     after={"stage": report.stage.code, "status": report.get_status_display(), "version": report.version,
                            **_log_state(report, items)})
    return report


def feedback_reopen(*, report: FeedbackReport, actor, reason: str) -> FeedbackReport:
    """Withdraw the approval so that the text can be corrected; the applicant no longer sees the report."""
    if not (reason or "").strip():
        raise FeedbackError(_("请填写撤回审定的理由。"))
    with transaction.atomic():
        report = _locked_report(report)
        if not report.is_approved:
            raise FeedbackError(_("报告尚未审定。"))
        report.status = FeedbackReport.Status.DRAFT
        report.save(update_fields=["status", "updated_at"])
        log_activity(actor=actor, action="reviews.feedback.reopen", target=report.application,
                     before={"stage": report.stage.code, "status": str(FeedbackReport.Status.APPROVED.label), "version": report.version},
                     after={"stage": report.stage.code, "status": report.get_status_display()}, reason=reason.strip())
    return report
