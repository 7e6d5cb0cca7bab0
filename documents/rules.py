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


def _may_read(user, application) -> bool:
    return application is not None and access.may_read_content(user, application)


def can_request(user, *, kind: str, organiser, application=None) -> bool:
    if kind not in KINDS or not getattr(user, "is_authenticated", False):
        return False
    if rules.is_review_staff(user, organiser):
        return True
    return kind in APPLICANT_KINDS and _may_read(user, application)


def can_view(user, document: Document) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if rules.is_review_staff(user, document.organiser_id):
        return True
    if document.kind in APPLICANT_KINDS and _may_read(user, document.application):
        return True
    if document.kind in WINNER_KINDS and document.application_id and access.is_own(user, document.application):
        return True
    return False
