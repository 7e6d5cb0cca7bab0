"""Helpers the staff and expert views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from accounts import rules
from applications.models import Application
from awards.models import Cycle, Stage
from reviews import access, selectors, workflow

PAGE_SIZE = 50


def found_or_404(select: Callable[..., Any], *args):
    """What the selector `select(*args)` returns; a 404 when it finds nothing (it raises DoesNotExist)."""
    try:
        return select(*args)
    except ObjectDoesNotExist:
        raise Http404 from None


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


def staff_stage_or_404(request, code: str, stage_code: str, *, where: str = "") -> tuple[Cycle, Stage]:
    """The staff member's cycle `code` and its stage `stage_code`; with `where` (a flag of the stage kinds, e.g.
    "ranked"), only a stage of a kind that has it."""
    cycle = selectors.staff_cycle(request.user, code)
    stage = stage_or_404(cycle, stage_code)
    if where and not getattr(workflow.kind_spec(stage.kind), where):
        raise Http404
    return cycle, stage


def cycle_stage_or_404(request, code: str, find_stage: Callable[[Cycle], Stage | None]) -> tuple[Cycle, Stage]:
    """The staff member's cycle `code` and the stage `find_stage` picks in it (e.g. selectors.approval_stage)."""
    cycle = selectors.staff_cycle(request.user, code)
    stage = find_stage(cycle)
    if stage is None:
        raise Http404
    return cycle, stage


def category_or_404(cycle: Cycle, wanted: str | None) -> tuple[list, Any]:
    """The cycle's categories in order, and the one coded `wanted` (the first when none is asked for)."""
    categories = list(cycle.categories.order_by("order"))
    category = next((c for c in categories if c.code == wanted), categories[0] if categories else None)
    if category is None:
        raise Http404
    return categories, category


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


def render_cycle_page(request, template: str, cycle: Cycle, section: str, *, status: int = 200, **extra):
    """A page of the cycle's decisions hub (its `section` marked in the navigation)."""
    return render(request, template, cycle_context(cycle, section, **extra), status=status)


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
