from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts import rules

from . import selectors
from .models import Cycle
from reviews.selectors import stage_counts


def _require_staff(user) -> None:
    if not (rules.is_review_staff(user) or user.is_superuser):
        raise Http404


@login_required
def cycle_list(request):
    _require_staff(request.user)
    return render(request, "awards/cycle_list.html", {"cycles": selectors.cycles_for_staff(request.user)})


@login_required
def cycle_overview(request, code: str):
    """Staff overview of a cycle: categories, quotas, ratios, planned budget, the pipeline."""
    _require_staff(request.user)
    try:
        cycle = selectors.cycle_overview(code, request.user)
    except Cycle.DoesNotExist:
        raise Http404 from None
    budget = selectors.cycle_budget(cycle)
    stages = list(cycle.stages.all())
    counts = stage_counts(cycle, stages)
    return render(
        request,
        "awards/cycle_overview.html",
        {
            "cycle": cycle,
            "budget": budget,
            "stages": [(figures.stage, figures) for figures in counts.stages],
            "counts": counts,
            # 待定: loaded without a quota (load_programmes warned); say so until someone sets it.
            "unset_quotas": [row.category for row in budget.categories if row.quota is None],
            "may_configure": rules.is_programme_admin(request.user, cycle.programme.organiser_id),
            "ratio_rule": selectors.RATIO_ROUNDING_NOTE,
        },
    )
