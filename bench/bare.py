"""Bare comparison views: the same database read and the same rows, with values()/raw SQL and a
minimal template (no base layout, no forms, no model instances).

Each page benchmark divides our page's time by its bare view's time, so the ratio is what our
selectors, model instances, template layout and context processors cost on top of the read.
Mounted only by bench.urls (benchmark settings); they require a signed-in user but check no
roles — they exist only to be timed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from applications.models import Application
from applications.selectors import HISTORY_ACTIONS
from awards.models import Cycle, Stage
from core.models import ActivityLog
from reviews.models import Scoresheet

PAGE_SIZE = 50
CENT = Decimal("0.01")

QUEUE_ROWS_SQL = """
SELECT a.id, a.number, a.status, a.submitted_at, o.name AS organisation, p.name AS person,
       c.level || c.track AS category, r.name AS recommender, s.name AS stage, a.current_stage_id,
       (SELECT sr.due_on FROM reviews_supplementrequest sr
         WHERE sr.application_id = a.id AND sr.resolved_at IS NULL LIMIT 1) AS supplement_due_on
  FROM applications_application a
  JOIN awards_category c ON c.id = a.category_id
  LEFT JOIN applications_organisationprofile o ON o.id = a.organisation_id
  LEFT JOIN applications_personprofile p ON p.id = a.person_id
  LEFT JOIN applications_recommendingunit r ON r.id = a.recommender_id
  LEFT JOIN awards_stage s ON s.id = a.current_stage_id
 WHERE a.cycle_id = %s AND a.status <> 'draft'
 ORDER BY c."order", a.number, a.id
 LIMIT %s OFFSET %s
"""


def _mean(values: list[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values else None


def _trimmed(values: list[Decimal]) -> Decimal | None:
    values = sorted(values)
    return _mean(values[1:-1] if len(values) >= 5 else values)


@login_required
def staff_queue(request, code: str):
    cycle_id = Cycle.objects.filter(code=code).values_list("pk", flat=True).get()
    count = Application.objects.filter(cycle_id=cycle_id).exclude(status="draft").count()
    page = max(1, int(request.GET.get("page", "1")))
    with connection.cursor() as cursor:
        cursor.execute(QUEUE_ROWS_SQL, [cycle_id, PAGE_SIZE, (page - 1) * PAGE_SIZE])
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
    totals = defaultdict(list)
    for app_id, stage_id, total in Scoresheet.objects.filter(
        assignment__application_id__in=[r["id"] for r in rows], status="submitted", assignment__status="active"
    ).values_list("assignment__application_id", "assignment__stage_id", "total"):
        totals[(app_id, stage_id)].append(total)
    today = timezone.localdate()
    for row in rows:
        scores = totals.get((row["id"], row["current_stage_id"]), [])
        row["score"], row["experts"] = _mean(scores), len(scores)
        row["overdue"] = row["supplement_due_on"] is not None and row["supplement_due_on"] < today
    return render(request, "bench/queue.html", {"rows": rows, "count": count, "page": page, "pages": -(-count // PAGE_SIZE)})


@login_required
def ranking(request, code: str, stage_code: str):
    stage = Stage.objects.filter(cycle__code=code, code=stage_code).values("pk", "order", "cycle_id").get()
    apps = list(
        Application.objects.filter(cycle_id=stage["cycle_id"], category__code=request.GET.get("category"),
                                   current_stage__order__gte=stage["order"])
        .exclude(status__in=["draft", "withdrawn", "submitted"])
        .values("pk", "number", "status", "submitted_at", "organisation__name", "person__name")
    )
    sheets = Scoresheet.objects.filter(
        assignment__stage_id=stage["pk"], assignment__application_id__in=[a["pk"] for a in apps], status="submitted",
        assignment__status="active",
    ).values_list("assignment__application_id", "assignment__expert_id", "assignment__expert__name", "total")
    experts, scores = {}, defaultdict(dict)
    for app_id, expert_id, name, total in sheets:
        experts[expert_id] = name
        scores[app_id][expert_id] = total
    columns = sorted(experts, key=lambda e: (experts[e], e))
    for app in apps:
        values = list(scores[app["pk"]].values())
        app["score"], app["experts"] = _trimmed(values), len(values)
        app["spread"] = (max(values) - min(values)) if values else None
        app["cells"] = [scores[app["pk"]].get(e) for e in columns]
    apps.sort(key=lambda a: (a["score"] is None, -(a["score"] or 0), a["submitted_at"]))
    for rank, app in enumerate(apps, 1):
        app["rank"] = rank
    return render(request, "bench/ranking.html", {"rows": apps, "experts": [experts[e] for e in columns]})


@login_required
def dashboard(request):
    apps = list(
        Application.objects.filter(applicant=request.user).order_by("-created_at")
        .values("pk", "number", "status", "version", "updated_at", "cycle__programme__name", "cycle__name",
                "category__level", "category__track", "current_stage__name", "organisation__name", "person__name")
    )
    history = defaultdict(list)
    for entry in ActivityLog.objects.filter(target_type="applications.application", target_id__in=[str(a["pk"]) for a in apps],
                                                      action__in=list(HISTORY_ACTIONS)).order_by(
            "created_at", "id").values("target_id", "action", "created_at"):
        history[int(entry["target_id"])].append(entry)
    for app in apps:
        app["history"] = history[app["pk"]]
    now = timezone.now()
    cycles = list(Cycle.objects.filter(application_closes_at__gte=now, application_opens_at__lte=now)
                  .values("code", "name", "programme__name", "application_closes_at"))
    return render(request, "bench/dashboard.html", {"rows": apps, "cycles": cycles})
