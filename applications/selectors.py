"""Reads of the applicant portal, already limited to what the user may see.

Lists use select_related / prefetch_related and one query for the history of all rows, so the
applicant dashboard's query count does not grow with the number of applications.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.models import Category, Cycle, EligibilityRule
from core.models import ActivityLog
from reviews import access
from reviews.models import SupplementRequest

from .models import Application, ApplicationStatus, Attachment, Nomination, OrganisationProfile, PersonProfile, RecommendingUnit

# What the applicant sees in the history of an application (staff-internal actions stay internal).
HISTORY_ACTIONS = {
    "application.create": gettext_lazy("创建申报草稿"),
    "application.submit": gettext_lazy("提交申报"),
    "application.withdraw": gettext_lazy("撤回申报"),
    "application.start_review": gettext_lazy("受理，进入评审"),
    "application.advance": gettext_lazy("通过评审环节"),
    "application.fail": gettext_lazy("未通过"),
    "application.request_supplement": gettext_lazy("要求补充材料"),
    "application.resubmit": gettext_lazy("提交补充材料"),
    "application.reinstate": gettext_lazy("恢复评审"),
    "attachment.add": gettext_lazy("上传附件"),
    "attachment.delete": gettext_lazy("删除附件"),
}
APPLICATION_TARGET = "applications.application"


def applications_for_applicant(user) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("cycle__programme__organiser", "category", "organisation", "person", "current_stage", "recommender")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at")),
            Prefetch("supplement_requests", queryset=SupplementRequest.objects.open(), to_attr="open_supplements"),
        )
        .order_by("-created_at")
    )


def application_for_applicant(user, pk: int) -> Application:
    """The user's own application, or 404 (never 403: others' applications do not exist for them)."""
    application = (
        applications_for_applicant(user)
        .prefetch_related(Prefetch("category__rules", queryset=EligibilityRule.objects.order_by("order", "id")))
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def history_for(application_ids: list[int], *, limit_actions=True, with_actor=True) -> dict[int, list[ActivityLog]]:
    """ActivityLog entries per application id, oldest first, in one query. with_actor=False: for lists
    that show when, what and why only (no actor, no before/after JSON loaded)."""
    if not application_ids:
        return {}
    entries = ActivityLog.objects.filter(target_type=APPLICATION_TARGET, target_id__in=[str(i) for i in application_ids])
    if limit_actions:
        entries = entries.filter(action__in=HISTORY_ACTIONS)
    if with_actor:
        entries = entries.select_related("actor")
    else:
        entries = entries.only("created_at", "action", "target_type", "target_id", "reason")
    grouped: dict[int, list[ActivityLog]] = defaultdict(list)
    labels: dict[str, str] = {}  # each action's label translated once, not once per entry
    for entry in entries.order_by("created_at", "id"):
        if entry.action not in labels:
            labels[entry.action] = str(HISTORY_ACTIONS.get(entry.action, entry.action))
        entry.label = labels[entry.action]
        grouped[int(entry.target_id)].append(entry)
    return grouped


@dataclass
class DashboardRow:
    application: Application
    history: list[ActivityLog]  # each entry with .label and .when ("YYYY-MM-DD HH:MM", local time)
    next_steps: list[str] = field(default_factory=list)
    supplement: object = None
    status_label: str = ""
    url: str = ""  # the application page
    edit_url: str = ""
    receipt_url: str = ""


def next_steps(application: Application, supplement=None) -> list[str]:
    """What is asked of the applicant next, in plain words."""
    status = application.status
    cycle = application.cycle
    if status == ApplicationStatus.DRAFT:
        if cycle.is_open():
            deadline = timezone.localtime(cycle.application_closes_at).strftime("%Y-%m-%d %H:%M")
            return [_("完成填写，查看资格预审结果并在 %(t)s 前提交。") % {"t": deadline}]
        return [_("申报已截止，草稿仅可查看，不能再提交。")]
    if status == ApplicationStatus.SUPPLEMENT_REQUESTED:
        if supplement is not None:
            return [_("请在 %(d)s 前补充材料：%(m)s") % {"d": supplement.due_on.isoformat(), "m": supplement.message}]
        return [_("请按评审办公室的要求补充材料后重新提交。")]
    if status == ApplicationStatus.SUBMITTED:
        return [_("已提交，等待评审办公室受理；受理前可撤回。")]
    if status == ApplicationStatus.IN_REVIEW:
        stage = application.current_stage
        return [_("评审中（%(stage)s），无需操作。") % {"stage": stage.display_name if stage else "—"}]
    return []


# What a dashboard card shows of an application (and what next_steps reads). Naming the columns also
# keeps the application's JSON, the category's texts and the profiles' other fields out of the query;
# of the cycles, the notice, work plan and 请示 texts and the programme's descriptions stay out.
DASHBOARD_FIELDS = (
    "number", "status", "version", "submitted_at", "cycle_id", "category_id", "applicant_id", "organisation_id", "person_id",
    "current_stage_id", "recommender_id", "category__code", "category__level", "category__track", "category__name_en",
    "organisation__name", "person__name", "current_stage__code", "current_stage__name", "current_stage__name_en",
    "recommender__name",
)
DASHBOARD_CYCLE_DEFERRED = ("notice", "work_plan", "scope_text", "award_setup_text", "reason_and_basis", "reward_standard_text",
                            "programme__description", "programme__description_en")


def _open_now(now) -> Q:
    return Q(application_closes_at__gte=now) & (Q(application_opens_at__isnull=True) | Q(application_opens_at__lte=now))


def dashboard_applications(user) -> tuple[list[Application], list[Cycle]]:
    """(the applicant's applications as the dashboard lists them, the cycles open for applications now).

    The applications are the rows of applications_for_applicant() with DASHBOARD_FIELDS only. Their
    cycles (with the programme) come from the same query as the open cycles, one instance per cycle:
    joining cycle and programme into the applications' query costs PostgreSQL more to plan than the
    whole page's other reads. open_supplements is read only when an application waits for 补充材料:
    a request is open exactly while its application is in that status (reviews closes it on any way out)."""
    applications = list(
        Application.objects.filter(applicant=user)
        .select_related("category", "organisation", "person", "current_stage", "recommender")
        .only(*DASHBOARD_FIELDS)
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at")))
        .order_by("-created_at")
    )
    now = timezone.now()
    open_now = _open_now(now)
    cycles = list(
        Cycle.objects.filter(open_now | Q(pk__in={a.cycle_id for a in applications}))
        .select_related("programme")
        .defer(*DASHBOARD_CYCLE_DEFERRED)
        .annotate(listed=Case(When(open_now, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .order_by("application_closes_at", "pk")
    )
    by_id = {c.pk: c for c in cycles}
    cycle_field = Application._meta.get_field("cycle")
    waiting = [a.pk for a in applications if a.status == ApplicationStatus.SUPPLEMENT_REQUESTED]
    open_requests = defaultdict(list)
    if waiting:
        for request in SupplementRequest.objects.open().filter(application__in=waiting):
            open_requests[request.application_id].append(request)
    for application in applications:
        cycle_field.set_cached_value(application, by_id[application.cycle_id])
        application.open_supplements = open_requests.get(application.pk, [])
    return applications, [c for c in cycles if c.listed]


def _pk_url(name: str):
    """pk → the URL `name` takes a pk for, reversed once (a dashboard of 20 cards would reverse 60 times)."""
    marker = 987654321
    prefix, _sep, suffix = reverse(name, args=[marker]).rpartition(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


def applicant_dashboard(user) -> dict:
    applications, listed_cycles = dashboard_applications(user)
    history = history_for([a.pk for a in applications], with_actor=False)
    detail_url, edit_url, receipt_url = (_pk_url(f"applications:{name}") for name in ("detail", "edit", "receipt"))
    status_labels = {value: str(label) for value, label in ApplicationStatus.choices}
    rows = []
    for application in applications:
        supplements = getattr(application, "open_supplements", None) or []
        supplement = supplements[0] if supplements else None
        entries = history.get(application.pk, [])
        for entry in entries:
            entry.when = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")
        rows.append(
            DashboardRow(
                application=application,
                history=entries,
                next_steps=next_steps(application, supplement),
                supplement=supplement,
                status_label=status_labels.get(application.status, application.status),
                url=detail_url(application.pk), edit_url=edit_url(application.pk), receipt_url=receipt_url(application.pk),
            )
        )
    return {
        "rows": rows,
        "organisations": list(OrganisationProfile.objects.filter(owner=user).only("name", "credit_code").order_by("name")),
        "person": PersonProfile.objects.filter(owner=user).only("name", "id_number").first(),
        "open_cycles": listed_cycles,
        # Usually none: prefetched, so no join is planned for an empty result (2 more queries when there are some).
        "invitations": list(
            Nomination.objects.filter(nominee_email__iexact=user.email, status=Nomination.Status.INVITED, application__isnull=True)
            .prefetch_related("category", "recommending_unit")
        ),
    }


def public_cycle(code: str) -> Cycle:
    cycle = (
        Cycle.objects.select_related("programme__organiser")
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=Category.objects.order_by("order", "id").prefetch_related(
                    Prefetch("rules", queryset=EligibilityRule.objects.order_by("order", "id"))
                ),
            ),
            "stages",
        )
        .filter(code=code)
        .first()
    )
    if cycle is None:
        raise Http404
    return cycle


# ---- attachments: who may download --------------------------------------------------------


def may_download(user, attachment: Attachment) -> bool:
    """The one access rule (reviews.access): owner, nominating unit, the organiser's staff, a cleared expert."""
    return access.may_read_content(user, attachment.application)


def attachment_for_user(user, pk: int) -> Attachment:
    attachment = Attachment.objects.select_related("application__cycle__programme").filter(pk=pk).first()
    if attachment is None or not may_download(user, attachment):
        raise Http404
    return attachment


# ---- recommending units -------------------------------------------------------------------


def units_of(user) -> list[RecommendingUnit]:
    return list(
        RecommendingUnit.objects.filter(members__user=user, members__role="recommender").select_related("organiser").distinct().order_by("name")
    )


def nominations_for(units: list[RecommendingUnit]) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(recommending_unit__in=units)
        .select_related("cycle__programme", "category", "recommending_unit", "application", "nominated_by")
        .order_by("-created_at")
    )


def recommended_applications(units: list[RecommendingUnit]) -> QuerySet[Application]:
    """Applications that name one of the units (direct applicants may choose a unit too)."""
    return (
        Application.objects.filter(recommender__in=units)
        .select_related("cycle__programme", "category", "organisation", "person", "recommender")
        .order_by("-created_at")
    )


def nominable_categories(units: list[RecommendingUnit]) -> QuerySet[Category]:
    now = timezone.now()
    organiser_ids = {u.organiser_id for u in units}
    return (
        Category.objects.filter(cycle__programme__organiser_id__in=organiser_ids, cycle__application_closes_at__gte=now)
        .filter(Q(cycle__application_opens_at__isnull=True) | Q(cycle__application_opens_at__lte=now))
        .select_related("cycle__programme")
        .order_by("cycle__code", "order")
    )
