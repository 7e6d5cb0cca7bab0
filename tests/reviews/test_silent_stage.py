"""A stage configured with notify_applicant: false (an internal step) sends the applicant nothing when passed."""

from core.models import EmailNotification
from reviews import services


def test_passing_an_internal_stage_sends_no_email(open_cycles, make_application, cn_staff):
    cycle = open_cycles["changning-hongqiao-2023"]
    acceptance = cycle.stages.get(code="acceptance")
    acceptance.params = {**acceptance.params, "notify_applicant": False}
    acceptance.save()
    application = make_application(cycle, "hongqiao-friendship", stage="acceptance", staff=cn_staff)
    before = EmailNotification.objects.filter(application=application).count()
    services.apply_transition(application=application, name="advance", actor=cn_staff)
    assert application.current_stage.code == "check"
    assert EmailNotification.objects.filter(application=application).count() == before


def test_passing_a_normal_stage_tells_the_applicant(open_cycles, make_application, cn_staff):
    cycle = open_cycles["changning-hongqiao-2023"]
    application = make_application(cycle, "hongqiao-friendship", stage="acceptance", staff=cn_staff)
    before = EmailNotification.objects.filter(application=application).count()
    services.apply_transition(application=application, name="advance", actor=cn_staff)
    assert EmailNotification.objects.filter(application=application, event="stage_passed").count() == 1
    assert EmailNotification.objects.filter(application=application).count() == before + 1
