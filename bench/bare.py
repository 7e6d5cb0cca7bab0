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
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils import timezone

from applications.models import Application
from applications.selectors import HISTORY_ACTIONS
from awards.models import Cycle, Stage
from core.models import ActivityLog
from reviews.models import Assignment, ExpertProfile, Scoresheet

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


# ---------------------------------------------------------------------------------------------
# Fair floors of the bounded pages: the same reads (count, one page of ids, the page's rows) and the
# same cells, with values() and a minimal template.

RANKING_PAGE = 100


@login_required
def ranking_page(request, code: str, stage_code: str):
    """The ranking as our page now reads it: the category's ranking stored once per version of its data
    (reviews.selectors.rankings). Like our page, the floor digests the ranking's data (the same fingerprint
    query) to know the stored ranking is current, reads the snapshot (with the first incomplete rows the
    warning names), one page of 100 stored rows and the page's experts, and joins the expert cells in Python."""
    from awards.models import Category
    from reviews.models import RankingEntry, RankingSnapshot
    from reviews.selectors.rankings import ranking_fingerprint, stored_ranking

    stage = Stage.objects.select_related("cycle").get(cycle__code=code, code=stage_code)
    category = Category.objects.get(cycle_id=stage.cycle_id, code=request.GET.get("category"))
    fingerprint = ranking_fingerprint(stage, category)
    snapshot = (RankingSnapshot.objects.filter(stage=stage, category=category, fingerprint=fingerprint)
                .values("pk", "rows", "incomplete", "incomplete_first").first())
    if snapshot is None:  # not current: store it as our page does
        stored = stored_ranking(stage=stage, category=category)
        snapshot = {"pk": stored.pk, "rows": stored.rows, "incomplete": stored.incomplete,
                    "incomplete_first": stored.incomplete_first}
    page = max(1, int(request.GET.get("page", "1")))
    entries = RankingEntry.objects.filter(snapshot_id=snapshot["pk"])
    rows = list(entries.order_by("position").values(
        "application_id", "rank", "score", "spread", "std_dev", "expert_totals", "sheets_submitted", "sheets_assigned",
        "application__number", "application__status", "application__organisation__name",
        "application__person__name")[(page - 1) * RANKING_PAGE: page * RANKING_PAGE])
    incomplete = [f"{label}（{s} / {a}）" for label, s, a in snapshot["incomplete_first"]] + [str(snapshot["incomplete"])]
    expert_ids = sorted({int(e) for r in rows for e in r["expert_totals"]})
    names = dict(ExpertProfile.objects.filter(pk__in=expert_ids).values_list("pk", "name"))
    columns = sorted(expert_ids, key=lambda e: (names.get(e, ""), e))
    for row in rows:
        totals = row["expert_totals"]
        row["cells"] = mark_safe("".join(  # nosec B308 B703 - digits and — only
            f"<td>{'—' if totals.get(str(e)) is None else totals[str(e)]}</td>" for e in columns))
    return render(request, "bench/ranking_page.html", {"rows": rows, "experts": [names.get(e, "") for e in columns],
                                                       "count": snapshot["rows"], "incomplete": "、".join(incomplete)})


@login_required
def stage_page(request, code: str, stage_code: str):
    stage = Stage.objects.filter(cycle__code=code, code=stage_code).values("pk", "cycle__programme__organiser_id").get()
    ids = Application.objects.filter(current_stage_id=stage["pk"], status="in_review").order_by("number", "pk")
    count = ids.count()
    page = max(1, int(request.GET.get("page", "1")))
    page_ids = list(ids.values_list("pk", flat=True)[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    rows = list(Application.objects.filter(pk__in=page_ids).order_by("number", "pk")
                .values("pk", "number", "organisation__name", "person__name", "category__level", "category__track"))
    experts = defaultdict(list)
    for app_id, name, status in (Assignment.objects.filter(stage_id=stage["pk"], application_id__in=page_ids)
                                 .order_by("application_id", "expert__name", "pk")
                                 .values_list("application_id", "expert__name", "status")):
        experts[app_id].append((name, status))
    for row in rows:
        row["experts"] = experts[row["pk"]]
    load = list(ExpertProfile.objects.filter(organiser_id=stage["cycle__programme__organiser_id"], is_active=True)
                .annotate(n=Count("assignments", filter=Q(assignments__stage_id=stage["pk"], assignments__status="active")))
                .order_by("name", "pk").values("name", "employer", "n"))
    return render(request, "bench/stage.html", {"rows": rows, "count": count, "load": load})


@login_required
def expert_home(request):
    mine = Assignment.objects.filter(expert__user=request.user)
    progress = list(mine.filter(status="active").order_by().values("stage_id", "stage__name").annotate(
        total=Count("pk"), done=Count("pk", filter=Q(scoresheet__status="submitted"))))
    fields = ("pk", "application_id", "stage__name", "stage__code", "application__number", "application__organisation__name",
              "application__person__name", "application__category__level", "application__category__track",
              "scoresheet__status", "scoresheet__total")
    todo_ids = (mine.filter(status="active").exclude(scoresheet__status="submitted")
                .order_by(F("stage__planned_end").asc(nulls_last=True), "stage__order", "application__number", "pk"))
    done_ids = (mine.filter(Q(scoresheet__status="submitted") | Q(status="recused"))
                .order_by(F("scoresheet__submitted_at").desc(nulls_last=True), "-pk"))
    lists = {}
    for name, ids in (("todo", todo_ids), ("done", done_ids)):
        count = ids.count()
        page_ids = list(ids.values_list("pk", flat=True)[:PAGE_SIZE])
        by_id = {r["pk"]: r for r in Assignment.objects.filter(pk__in=page_ids).values(*fields)}
        lists[name] = {"count": count, "rows": [by_id[pk] for pk in page_ids]}
    return render(request, "bench/expert_home.html", {"progress": progress, "lists": [lists["todo"], lists["done"]]})


@login_required
def cycle_dashboard(request, code: str):
    cycle_id = Cycle.objects.filter(code=code).values_list("pk", flat=True).get()
    counts = list(Application.objects.filter(cycle_id=cycle_id).values("category__level", "category__track", "status",
                                                                       "current_stage__name").annotate(n=Count("id")).order_by())
    experts = list(Assignment.objects.filter(stage__cycle_id=cycle_id)
                   .values("expert__name", "stage__name", "status", "scoresheet__status").annotate(n=Count("id"))
                   .order_by("stage__order", "expert__name"))
    return render(request, "bench/cycle_dashboard.html", {"counts": counts, "experts": experts})
