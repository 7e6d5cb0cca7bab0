"""Reads of the documents app, already filtered to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import rules as account_rules

from . import rules
from .models import Document


def document_for_user(public_id, user) -> Document:
    """One document the user may see, or Document.DoesNotExist (the views turn it into 404)."""
    document = Document.objects.select_related("organiser", "application", "cycle").get(public_id=public_id)
    if not rules.can_view(user, document):
        raise Document.DoesNotExist
    return document


def documents_for_subject(*, user, cycle=None, application=None, kinds=None, limit: int = 20) -> list[Document]:
    """The latest documents about a cycle or an application that the user may see."""
    queryset: QuerySet[Document] = Document.objects.select_related("organiser", "application")
    if application is not None:
        queryset = queryset.filter(application=application)
    elif cycle is not None:
        queryset = queryset.filter(cycle=cycle)
    else:
        return []
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    subject_cycle = application.cycle if application is not None else cycle
    if account_rules.is_review_staff(user, subject_cycle.programme.organiser_id):
        pass
    elif application is not None and application.applicant_id == getattr(user, "pk", None):
        queryset = queryset.filter(kind__in=rules.APPLICANT_KINDS | rules.WINNER_KINDS)
    else:
        return []
    return list(queryset.order_by("-created_at", "-id")[:limit])



def feedback_documents(reports) -> dict:
    """For each 评价反馈报告 (by id): the newest document of its current approved version, or None (one query)."""
    keys = {f"feedback:{report.pk}:v{report.version}": report.pk for report in reports if report.is_approved}
    found: dict = {pk: None for pk in (r.pk for r in reports)}
    for document in Document.objects.filter(kind="feedback_report", subject_key__in=list(keys)).order_by("-created_at", "-id"):
        pk = keys[document.subject_key]
        if found.get(pk) is None:
            found[pk] = document
    return found
