"""Who may ask for, see and download which document."""

from __future__ import annotations

from accounts import rules
from reviews import access

from .kinds import KINDS
from .models import Document

# Kinds an applicant may generate and download for an application of their own.
APPLICANT_KINDS = frozenset({"application"})
# Kinds a winner may download for their own award.
WINNER_KINDS = frozenset({"certificate"})
# The 评价反馈报告: whoever reviews.access lets read the report (its applicant only once it is released).
FEEDBACK_KINDS = frozenset({"feedback_report"})


def _may_read(user, application) -> bool:
    return application is not None and access.may_read_content(user, application)


def feedback_of(document: Document):
    """The report a feedback document was rendered from, if that approved version is still the current one."""
    from reviews.models import FeedbackReport

    report = (FeedbackReport.objects.select_related("application__cycle__programme", "stage__cycle__programme")
              .filter(pk=(document.params or {}).get("feedback")).first())
    if report is None or not report.is_approved or report.version != (document.params or {}).get("version"):
        return None
    return report


def can_request(user, *, kind: str, organiser, application=None, feedback=None) -> bool:
    if kind not in KINDS or not getattr(user, "is_authenticated", False):
        return False
    if kind in FEEDBACK_KINDS:
        return feedback is not None and feedback.is_approved and access.may_read_feedback(user, feedback)
    if rules.is_review_staff(user, organiser):
        return True
    return kind in APPLICANT_KINDS and _may_read(user, application)


def can_view(user, document: Document) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if document.kind in FEEDBACK_KINDS:
        if rules.is_review_staff(user, document.organiser_id):
            return True
        report = feedback_of(document)
        return report is not None and access.may_read_feedback(user, report)
    if rules.is_review_staff(user, document.organiser_id):
        return True
    if document.kind in APPLICANT_KINDS and _may_read(user, document.application):
        return True
    if document.kind in WINNER_KINDS and document.application_id and access.is_own(user, document.application):
        return True
    return False
