"""Reminders before deadlines, sent by the scheduled sweep (Celery beat → reviews.tasks.send_reminders).

Who is reminded of what (N = settings.PORTAL_REMINDER_WORKING_DAYS unless said otherwise; "within N working
days" means the deadline is today or later and at most N working days away, both days counted, by core.workdays):
- applicants: the application window closes within N working days and their draft is not submitted;
  a supplement request (补正) is due within N working days and not answered;
- experts: a scored stage's planned_end is within its reminder_working_days (a stage parameter) and they have
  assigned sheets not submitted;
- staff of the organiser: a 公示 ends within N working days; a 公示 that ends within N working days or has
  ended has unresolved objections; a scored stage's planned_end has passed with sheets not submitted.

Each reminder is one Reminder row per (kind, recipient, event); the event key carries the deadline, so a moved
deadline is a new event. The row's unique constraint makes a second sweep (a restarted or a second beat) a
no-op: the insert fails inside a savepoint, nothing is sent. A deadline in a year the holiday calendar does not
cover is not guessed: that reminder waits (and the sweep reports it) until the office enters the year.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from applications.models import Application, ApplicationStatus
from awards.models import Cycle, Stage
from core import workdays
from core.services import log_activity, notify
from reviews.models import (
    Assignment,
    Objection,
    Publicity,
    Reminder,
    ReminderKind,
    Scoresheet,
    SupplementRequest,
)
from reviews.models.publicity import UNRESOLVED_OBJECTION

logger = logging.getLogger(__name__)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

APPLICANT_KINDS = frozenset({ReminderKind.APPLICATION_WINDOW, ReminderKind.SUPPLEMENT_DUE})
OPEN_FOR_SCORING = (ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED)


@dataclass
class Due:
    """One reminder the sweep would send."""

    kind: str
    recipient: User
    event_key: str
    cycle: Cycle
    due_on: datetime.date
    applications: list = field(default_factory=list)
    stage: Stage | None = None
    foreign: bool = False  # an applicant who is a foreign national: English whatever the account says


@dataclass
class SweepResult:
    sent: list[Reminder] = field(default_factory=list)
    already: int = 0  # reminders found already sent (the unique constraint refused the second row)
    uncovered: list[str] = field(default_factory=list)  # deadlines the holiday calendar cannot count to


def reminder_language(recipient, *, foreign: bool = False) -> str:
    """English for a foreign national applicant; otherwise the account's own language."""
    return "en" if foreign else (getattr(recipient, "preferred_language", None) or "zh-hans")


def _staff_of(organiser_id: int) -> list[User]:
    return list(User.objects.filter(role_assignments__role=Role.STAFF, role_assignments__organiser_id=organiser_id,
                                    is_active=True).distinct().order_by("pk"))


class _Window:
    """'Within N working days' by one office calendar read once per sweep."""

    def __init__(self, today: datetime.date, result: SweepResult):
        self.today = today
        self.calendar = workdays.office_calendar()
        self.result = result

    def within(self, due: datetime.date, days: int, what: str) -> bool:
        if due < self.today:
            return False
        try:
            return workdays.working_days_between(self.today, due, calendar=self.calendar) <= days
        except workdays.CalendarCoverageError as exc:
            self.result.uncovered.append(f"{what}: {exc}")
            return False


def _applicant_reminders(window: _Window, days: int) -> list[Due]:
    due: list[Due] = []
    start_of_today = datetime.datetime.combine(window.today, datetime.time.min, tzinfo=SHANGHAI)
    for cycle in Cycle.objects.filter(application_closes_at__gte=start_of_today).select_related("programme"):
        closes = timezone.localdate(cycle.application_closes_at)
        if not window.within(closes, days, cycle.code):
            continue
        drafts = Application.objects.filter(cycle=cycle, status=ApplicationStatus.DRAFT).select_related("applicant", "person")
        for application in drafts:
            due.append(Due(ReminderKind.APPLICATION_WINDOW, application.applicant, f"window:{cycle.pk}:{application.pk}:{closes}",
                           cycle, closes, [application], foreign=bool(application.person_id and application.person.is_foreign)))
    requests = (SupplementRequest.objects.open().filter(due_on__gte=window.today, application__status=ApplicationStatus.SUPPLEMENT_REQUESTED)
                .select_related("application__applicant", "application__person", "application__cycle", "stage"))
    for request in requests:
        application = request.application
        if window.within(request.due_on, days, application.number or str(application.pk)):
            due.append(Due(ReminderKind.SUPPLEMENT_DUE, application.applicant, f"supplement:{request.pk}:{request.due_on}",
                           application.cycle, request.due_on, [application], stage=request.stage,
                           foreign=bool(application.person_id and application.person.is_foreign)))
    return due


def _open_sheets(stage_ids) -> dict[int, dict[int, list]]:
    """stage → expert user → [applications] of active assignments whose sheet is not submitted, for applications
    still at that stage."""
    rows = (Assignment.objects.filter(stage_id__in=list(stage_ids), status=Assignment.Status.ACTIVE,
                                      application__status__in=OPEN_FOR_SCORING, application__current_stage_id__in=list(stage_ids))
            .exclude(scoresheet__status=Scoresheet.Status.SUBMITTED)
            .select_related("expert__user", "application").order_by("stage_id", "expert_id", "application_id"))
    result: dict[int, dict[int, list]] = {}
    for assignment in rows:
        if assignment.application.current_stage_id != assignment.stage_id:
            continue
        per_stage = result.setdefault(assignment.stage_id, {})
        per_stage.setdefault(assignment.expert.user_id, [assignment.expert.user, []])[1].append(assignment.application)
    return result


def _expert_and_staff_reminders(window: _Window, days: int) -> list[Due]:
    due: list[Due] = []
    stages = list(Stage.objects.filter(kind="scored_review", planned_end__isnull=False).select_related("cycle__programme"))
    open_sheets = _open_sheets([s.pk for s in stages]) if stages else {}
    staff_cache: dict[int, list[User]] = {}

    def staff(organiser_id: int) -> list[User]:
        if organiser_id not in staff_cache:
            staff_cache[organiser_id] = _staff_of(organiser_id)
        return staff_cache[organiser_id]

    for stage in stages:
        experts = open_sheets.get(stage.pk, {})
        if not experts:
            continue
        lead = int((stage.params or {}).get("reminder_working_days", days))
        if window.within(stage.planned_end, lead, f"{stage.cycle.code}/{stage.code}"):
            for user, applications in experts.values():
                due.append(Due(ReminderKind.SCORING_DUE, user, f"scoring:{stage.pk}:{stage.planned_end}", stage.cycle,
                               stage.planned_end, applications, stage=stage))
        elif stage.planned_end < window.today:
            applications = sorted({a.pk: a for _u, apps in experts.values() for a in apps}.values(), key=lambda a: a.pk)
            for user in staff(stage.cycle.programme.organiser_id):
                due.append(Due(ReminderKind.SCORESHEETS_OVERDUE, user, f"overdue:{stage.pk}:{stage.planned_end}", stage.cycle,
                               stage.planned_end, applications, stage=stage))

    publicities = list(Publicity.objects.filter(start_date__lte=window.today).select_related("cycle__programme", "stage"))
    objections: dict[int, list] = {}
    for objection in Objection.objects.filter(publicity__in=publicities, status__in=UNRESOLVED_OBJECTION).select_related("application"):
        objections.setdefault(objection.publicity_id, []).append(objection.application)
    for publicity in publicities:
        organiser_id = publicity.cycle.programme.organiser_id
        ending = window.within(publicity.end_date, days, publicity.title)
        if ending:
            listed = list(Application.objects.filter(current_stage=publicity.stage, status=ApplicationStatus.IN_REVIEW).order_by("pk"))
            for user in staff(organiser_id):
                due.append(Due(ReminderKind.PUBLICITY_ENDING, user, f"publicity:{publicity.pk}:{publicity.end_date}", publicity.cycle,
                               publicity.end_date, listed, stage=publicity.stage))
        if publicity.pk in objections and (ending or publicity.end_date < window.today):
            applications = sorted({a.pk: a for a in objections[publicity.pk]}.values(), key=lambda a: a.pk)
            for user in staff(organiser_id):
                due.append(Due(ReminderKind.OBJECTIONS_OPEN, user, f"objections:{publicity.pk}:{publicity.end_date}", publicity.cycle,
                               publicity.end_date, applications, stage=publicity.stage))
    return due


def due_reminders(*, today: datetime.date | None = None, result: SweepResult | None = None) -> list[Due]:
    """Every reminder due today (sent or not: the unique constraint decides)."""
    window = _Window(today or timezone.localdate(), result if result is not None else SweepResult())
    days = int(settings.PORTAL_REMINDER_WORKING_DAYS)
    return _applicant_reminders(window, days) + _expert_and_staff_reminders(window, days)


def _send(item: Due) -> Reminder | None:
    language = reminder_language(item.recipient, foreign=item.foreign)
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(kind=item.kind, recipient=item.recipient, event_key=item.event_key, cycle=item.cycle,
                                                   stage=item.stage, due_on=item.due_on, language=language)
        except IntegrityError:
            return None  # sent before: by an earlier sweep, or by another beat a moment ago
        reminder.applications.set(item.applications)
        single = item.applications[0] if len(item.applications) == 1 else None
        reminder.notification = notify(
            recipient=item.recipient, event=f"reminder.{item.kind}", template="emails/reminder.txt", language=language,
            context={"kind": item.kind, "cycle": item.cycle, "stage": item.stage, "due_on": item.due_on,
                     "applications": item.applications, "application": single,
                     "base_url": getattr(settings, "PORTAL_BASE_URL", "")},
            application=single if item.kind in APPLICANT_KINDS else None,
        )
        reminder.save(update_fields=["notification"])
        log_activity(actor=None, action="reviews.reminder.sent", target=reminder,
                     after={"kind": item.kind, "recipient": item.recipient.username, "event": item.event_key,
                            "due_on": item.due_on.isoformat(), "applications": [a.number or a.pk for a in item.applications],
                            "language": language})
    return reminder


def send_due_reminders(*, today: datetime.date | None = None) -> SweepResult:
    """Send every reminder due today that was not sent before; safe to run any number of times, at once too."""
    result = SweepResult()
    for item in due_reminders(today=today, result=result):
        reminder = _send(item)
        if reminder is None:
            result.already += 1
        else:
            result.sent.append(reminder)
    for problem in result.uncovered:
        logger.warning("reminder not computed: %s", problem)
    return result
