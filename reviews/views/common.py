"""Helpers the staff and expert views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from accounts import rules
from applications.models import Application
from awards.models import Cycle, Stage
from reviews import access, selectors

PAGE_SIZE = 50


def error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def staff_application_or_404(request, code: str, pk: int) -> Application:
    application = access.staff_application(request.user, pk)
    if application.cycle.code != code:
        raise Http404
    return application


def stage_or_404(cycle, stage_code: str) -> Stage:
    stage = next((s for s in selectors.cycle_stages(cycle) if s.code == stage_code), None)
    if stage is None:
        raise Http404
    stage.cycle = cycle
    return stage



def staff_application_url(application) -> str:
    return reverse("reviews:staff_application", args=[application.cycle.code, application.pk])



def require_staff_of(request, organiser) -> None:
    if not rules.is_review_staff(request.user, organiser):
        raise Http404


def posted_id(value) -> int:
    """A posted id: ASCII digits only ("²".isdigit() is True too), anything else matches nothing."""
    value = value or ""
    return int(value) if value.isascii() and value.isdigit() else 0


def cycle_context(cycle: Cycle, section: str, **extra) -> dict:
    return {"cycle": cycle, "section": section, **extra}



def url_prefix(name: str, *args) -> tuple[str, str]:
    """(prefix, suffix) of a URL whose last argument is a pk: reversed once per page, not once per row."""
    marker = 987654321
    url = reverse(name, args=[*args, marker])
    prefix, _sep, suffix = url.rpartition(str(marker))
    return prefix, suffix


def history_page(request, application, *, newest_first: bool = True):
    """The page of the application's activity log that `?history=` asks for, each entry described
    (selectors.described_history): only that page's entries are read and put into words."""
    from core.pagination import paginate

    pages = paginate(request, selectors.application_history(application, newest_first=newest_first), param="history",
                     anchor="history")
    pages.page.object_list = selectors.described_history(application, pages.page.object_list)
    return pages
