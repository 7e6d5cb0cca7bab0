"""Who may ask for, see and download which document."""

from __future__ import annotations

from accounts import rules

from .kinds import KINDS
from .models import Document

# Kinds an applicant may generate and download for an application of their own.
APPLICANT_KINDS = frozenset({"application"})
# Kinds a winner may download for their own award.
WINNER_KINDS = frozenset({"certificate"})


def _owns_application(user, application) -> bool:
    return application is not None and getattr(user, "is_authenticated", False) and application.applicant_id == user.pk


def _expert_may_read(user, application) -> bool:
    """An expert assigned to the application who has declared no conflict may read its 申报书."""
    if application is None or not rules.is_expert(user, application.cycle.programme.organiser_id):
        return False
    from django.http import Http404

    from reviews.selectors import expert_application

    try:
        _application, _expert, _assignments, declaration = expert_application(user, application.pk)
    except Http404:
        return False
    return declaration is not None and not declaration.has_conflict


def can_request(user, *, kind: str, organiser, application=None) -> bool:
    if kind not in KINDS or not getattr(user, "is_authenticated", False):
        return False
    if rules.is_review_staff(user, organiser):
        return True
    return kind in APPLICANT_KINDS and (_owns_application(user, application) or _expert_may_read(user, application))


def can_view(user, document: Document) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if rules.is_review_staff(user, document.organiser_id):
        return True
    if document.kind in APPLICANT_KINDS and (
        _owns_application(user, document.application) or _expert_may_read(user, document.application)
    ):
        return True
    if document.kind in WINNER_KINDS and document.application_id and _owns_application(user, document.application):
        return True
    return False
