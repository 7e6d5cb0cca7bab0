"""Reminders before deadlines: who gets which, once per person per event, in their language, on the page."""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from applications.models import Application, PersonProfile
from core.models import ActivityLog, EmailNotification
from reviews import services
from reviews.models import Objection, Reminder
from reviews.tasks import send_reminders
from tests.conftest import force_login_verified
from tests.documents.factories import make_publicity

from .conftest import resident_id, submit_total

pytestmark = pytest.mark.django_db

# Monday 21 September 2026: three working days are Mon 21, Tue 22, Wed 23 (chinesecalendar covers 2026).
TODAY = datetime.date(2026, 9, 21)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def sweep(today=TODAY) -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", "--date", today.isoformat(), stdout=out)
    return out.getvalue()


def _draft(cycle, applicant, *, foreign=False, category_code="district-achievement"):
    person = PersonProfile.objects.create(
        owner=applicant, name="Anna Schmidt" if foreign else "草稿人", id_type="passport" if foreign else "resident_id",
        id_number="C01X00T47" if foreign else resident_id(777), nationality="德国" if foreign else "中国", employer="单位",
        quality_work_since=datetime.date(2010, 1, 1))
    return Application.objects.create(cycle=cycle, category=cycle.categories.get(code=category_code), applicant=applicant,
                                      person=person, form_data={})


@pytest.fixture
def closing_cycle(cn_cycle):
    """The 长宁 cycle's window closing on Wednesday 23 September 2026, 17:00 Beijing time."""
    cn_cycle.application_closes_at = datetime.datetime(2026, 9, 23, 17, 0, tzinfo=SHANGHAI)
    cn_cycle.application_opens_at = datetime.datetime(2026, 8, 1, tzinfo=SHANGHAI)
    cn_cycle.save(update_fields=["application_closes_at", "application_opens_at"])
    return cn_cycle


def test_a_draft_is_reminded_once_before_the_window_closes_however_often_the_sweep_runs(closing_cycle, make_user):
    applicant = make_user("drafter", roles=[(Role.APPLICANT, None)])
    draft = _draft(closing_cycle, applicant)

    first = sweep()
    second = sweep()
    send_reminders.apply()  # the beat task, eager, on the real today: not within the window any more

    assert "1 sent, 0 already" in first and "0 sent, 1 already" in second
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.recipient, reminder.due_on, reminder.language) == ("application_window", applicant, datetime.date(2026, 9, 23), "zh-hans")
    assert list(reminder.applications.all()) == [draft]
    mail = EmailNotification.objects.get(event="reminder.application_window")
    assert mail.application == draft and mail.subject.startswith("提醒：") and "2026-09-23" in mail.subject
    assert ActivityLog.objects.filter(action="reviews.reminder.sent").count() == 1


def test_no_reminder_while_the_deadline_is_further_than_n_working_days(closing_cycle, make_user):
    _draft(closing_cycle, make_user("early", roles=[(Role.APPLICANT, None)]))
    # Thursday 17 September: 17, 18, 21, 22, 23 are five working days to the deadline (weekend skipped).
    assert "0 sent" in sweep(datetime.date(2026, 9, 17))
    assert "0 sent" in sweep(datetime.date(2026, 9, 18))  # Friday: 18, 21, 22, 23 are four
    assert "1 sent" in sweep(datetime.date(2026, 9, 21))  # Monday: 21, 22, 23 are three

def test_the_unique_constraint_refuses_a_second_row_for_the_same_event(closing_cycle, make_user):
    applicant = make_user("twice", roles=[(Role.APPLICANT, None)])
    row = dict(kind="application_window", recipient=applicant, event_key="window:1:1:2026-09-23", cycle=closing_cycle,
               due_on=TODAY, language="zh-hans")
    Reminder.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**row)


def test_a_foreign_national_is_reminded_in_english(closing_cycle, make_user):
    applicant = make_user("anna", roles=[(Role.APPLICANT, None)])  # the account's language is still Chinese
    _draft(closing_cycle, applicant, foreign=True)

    sweep()

    mail = EmailNotification.objects.get(recipient=applicant)
    assert Reminder.objects.get(recipient=applicant).language == "en"
    assert mail.subject.startswith("Reminder:") and "2026-09-23" in mail.subject


def test_a_supplement_due_soon_is_reminded_and_shown_on_the_notification_page(cn_cycle, cn_staff, make_application, client):
    application = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    request = services.request_supplement(application=application, sections=["overview"], message="请补充", working_days=3, actor=cn_staff)
    type(request).objects.filter(pk=request.pk).update(due_on=datetime.date(2026, 9, 22))

    assert "1 sent" in sweep()

    reminder = Reminder.objects.get(kind="supplement_due")
    assert reminder.recipient == application.applicant and reminder.event_key == f"supplement:{request.pk}:2026-09-22"
    force_login_verified(client, cn_staff)
    page = client.get(reverse("reviews:application_notifications", args=[cn_cycle.code, application.pk])).content.decode()
    assert "补正期限将至" in page and "2026-09-22" in page


@pytest.fixture
def scoring_stage(cn_cycle, cn_staff, make_application, make_expert):
    stage = cn_cycle.stages.get(code="material-review")
    stage.planned_end = datetime.date(2026, 9, 23)
    stage.save(update_fields=["planned_end"])
    application = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    late, done = make_expert(name="迟交"), make_expert(name="已交")
    for expert in (late, done):
        services.assign_expert(stage=stage, application=application, expert=expert, actor=cn_staff)
        services.declare_conflict(expert=expert, application=application, has_conflict=False, reason="", actor=expert.user)
    submit_total(done.assignments.get(), 800)
    return stage, application, late, done


def test_experts_with_sheets_not_submitted_are_reminded_before_scoring_closes(scoring_stage):
    stage, application, late, done = scoring_stage

    sweep()
    sweep()

    reminders = list(Reminder.objects.filter(kind="scoring_due"))
    assert [(r.recipient, r.event_key) for r in reminders] == [(late.user, f"scoring:{stage.pk}:2026-09-23")]
    assert list(reminders[0].applications.all()) == [application]
    assert not Reminder.objects.filter(recipient=done.user).exists()


def test_staff_are_told_of_overdue_scoresheets_once(scoring_stage, cn_staff, client):
    stage, application, late, _done = scoring_stage

    sweep(datetime.date(2026, 9, 24))
    sweep(datetime.date(2026, 9, 25))  # still overdue, same event: nothing new

    reminder = Reminder.objects.get(kind="scoresheets_overdue")
    assert reminder.recipient == cn_staff and list(reminder.applications.all()) == [application]
    force_login_verified(client, cn_staff)
    page = client.get(reverse("reviews:application_notifications", args=[stage.cycle.code, application.pk])).content.decode()
    assert "评分表逾期未交" in page


def test_staff_are_reminded_of_a_publicity_ending_and_of_open_objections(cn_cycle, cn_staff, make_application):
    publicity = make_publicity(cn_cycle, start=datetime.date(2026, 9, 17), end=datetime.date(2026, 9, 23))
    application = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    Objection.objects.create(publicity=publicity, application=application, name="群众", contact="13900000001", content="有异议")

    sweep()
    sweep()

    kinds = sorted((r.kind, r.recipient.username) for r in Reminder.objects.all())
    assert kinds == [("objections_open", "cn-staff"), ("publicity_ending", "cn-staff")]
    objections = Reminder.objects.get(kind="objections_open")
    assert list(objections.applications.all()) == [application]
