"""The applicant is told about every change that concerns them, and about nothing internal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from awards.models import Stage
from awards.rubrics import leaf_criteria
from core.models import EmailNotification
from core.workdays import add_working_days
from reviews import services
from reviews.models import Award, Publicity
from reviews import services as review_services
from reviews.models import Assignment, ExpertProfile
from reviews.selectors import rubric_for
from reviews.services import apply_transition

from .conftest import move_to


@pytest.fixture
def experts(make_user, organisers):
    org = organisers["changning"]
    result = []
    for i in range(5):
        user = make_user(f"expert-n{i}", roles=[(Role.EXPERT, org)])
        result.append(ExpertProfile.objects.create(user=user, organiser=org, name=f"评审专家{i}", employer=f"高校{i}"))
    return result


def _score(application, stage, experts, total, staff):
    """Each expert declares no conflict and submits a scoresheet adding up to `total`."""
    for expert in experts:
        assignment = Assignment.objects.filter(stage=stage, application=application, expert=expert).first()
        if assignment is None:
            assignment = review_services.assign_expert(stage=stage, application=application, expert=expert, actor=staff)
        review_services.declare_conflict(expert=expert, application=application, has_conflict=False, reason="", actor=expert.user)
        remaining = Decimal(total)
        scores = {}
        for criterion in leaf_criteria(rubric_for(application)):
            part = min(criterion.max_points, remaining)
            scores[criterion.pk] = part
            remaining -= part
        review_services.save_scores(assignment=Assignment.objects.get(pk=assignment.pk), scores=scores, opinion="同意",
                                    actor=expert.user, submit=True)


def test_an_applicant_receives_exactly_the_emails_meant_for_them_from_submit_to_award(
    cn_cycle, make_application, cn_staff, experts, django_capture_on_commit_callbacks
):
    # Every service runs in its own transaction; the e-mails go out by Celery (eager here) after each commit.
    with django_capture_on_commit_callbacks(execute=True):
        stages = {s.code: s for s in Stage.objects.filter(cycle=cn_cycle)}
        app = make_application(cn_cycle, "district-mode", name="上海全程示例有限公司")
        other = make_application(cn_cycle, "district-mode", name="上海对照企业有限公司")
        n = app.number

        # 资格审查 with a supplement request and the applicant's resubmission.
        apply_transition(application=app, name="start_review", actor=cn_staff)
        review_services.request_supplement(application=app, sections=["overview"], message="请补充近三年获奖证明。",
                                           working_days=5, actor=cn_staff)
        apply_transition(application=app, name="resubmit", actor=app.applicant)
        apply_transition(application=app, name="advance", actor=cn_staff)
        move_to(other, "material-review", cn_staff)

        # 资料评审: experts assigned and scoring are internal steps.
        _score(app, stages["material-review"], experts[:3], 820, cn_staff)
        _score(other, stages["material-review"], experts[:3], 700, cn_staff)
        apply_transition(application=app, name="advance", actor=cn_staff)
        apply_transition(application=other, name="advance", actor=cn_staff)

        # 陈述答辩 with a slot (the applicant is told when and where), then 现场评审 with a visit.
        panel = review_services.save_panel(stage=stages["presentation"], name="第一组", members=experts[:5], categories=[],
                                           leader=experts[0], actor=cn_staff)
        day = add_working_days(timezone.localdate() + datetime.timedelta(days=3), 1)  # slots only on working days
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        review_services.save_schedule_entry(stage=stages["presentation"], application=app, starts_at=start,
                                            ends_at=start + datetime.timedelta(minutes=40), location="区市场监管局 301 会议室",
                                            actor=cn_staff, panel=panel)
        _score(app, stages["presentation"], experts[:5], 850, cn_staff)
        apply_transition(application=app, name="advance", actor=cn_staff)
        visit = timezone.make_aware(datetime.datetime.combine(add_working_days(day + datetime.timedelta(days=7), 1), datetime.time(9, 30)))
        review_services.save_schedule_entry(stage=stages["site-visit"], application=app, starts_at=visit,
                                            ends_at=visit + datetime.timedelta(hours=3), location="长宁区示例路 1 号",
                                            actor=cn_staff, team=experts[:3])
        _score(app, stages["site-visit"], experts[:3], 880, cn_staff)
        apply_transition(application=app, name="advance", actor=cn_staff)
        assert app.current_stage.code == "comprehensive"

        # Recommendation (internal), 公示 (told), an objection filed and dismissed (internal), approval (told).
        services.add_recommendation(application=app, actor=cn_staff)
        publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=datetime.date(2025, 9, 26),
                                               today=datetime.date(2025, 9, 20))
        objection = services.file_objection(publicity=publicity, application=app, name="匿名群众", contact="13900000000",
                                            content="怀疑业绩数据不实。",
                                            now=datetime.datetime(2025, 9, 29, 9, 0, tzinfo=datetime.timezone.utc))
        services.investigate_objection(objection=objection, actor=cn_staff, notes="调取审计报告核对")
        services.resolve_objection(objection=objection, actor=cn_staff, upheld=False, reason="经核对审计报告，数据属实。")
        services.submit_for_approval(publicity=Publicity.objects.get(pk=publicity.pk), actor=cn_staff)
        services.record_approval(cycle=cn_cycle, actor=cn_staff, approved_on=datetime.date(2025, 10, 20),
                                 document_number="长府〔2025〕12号")
        award = Award.objects.get(application=app)
        services.record_payment(award=award, actor=cn_staff, amount=Decimal("500000"), paid_on=datetime.date(2025, 11, 3),
                                reference="财支〔2025〕0301")
        services.complete_award(award=award, actor=cn_staff)

    subjects = list(EmailNotification.objects.filter(recipient=app.applicant).order_by("id").values_list("subject", flat=True))
    assert subjects == [
        f"申报已收到：受理编号 {n}",
        f"申报已受理，进入评审：{n}",
        f"{n}：请补充材料",
        f"{n}：补充材料已收到",
        f"{n}：已通过“资格审查”",
        f"{n}：已通过“资料评审”",
        f"{n}：陈述答辩安排",
        f"{n}：已通过“陈述答辩”",
        f"{n}：现场评审安排",
        f"{n}：已通过“现场评审”",
        f"{n}：已列入拟表彰名单，进入公示",
        f"{n}：公示期满，已提请批准",
        "获奖通知：长宁区政府质量奖",
        f"{n}：颁奖表彰已完成",
    ]
    # Every one of them really went out (Celery eager in tests), to the applicant only.
    assert set(EmailNotification.objects.filter(recipient=app.applicant).values_list("status", flat=True)) == {"sent"}
    to_applicant = [m for m in mail.outbox if m.to == [app.applicant.email]]
    assert [m.subject for m in to_applicant] == subjects
    approval_mail = EmailNotification.objects.get(recipient=app.applicant, subject="获奖通知：长宁区政府质量奖")
    assert "上海市长宁区人民政府已于 2025-10-20 批准表彰（长府〔2025〕12号）。" in approval_mail.body
    assert "奖金：50 万元" in approval_mail.body
    # The other applicant heard nothing of this one's steps.
    assert not EmailNotification.objects.filter(recipient=other.applicant, application=app).exists()


def test_staff_see_what_was_sent_for_an_application(cn_cycle, make_application, cn_staff, xh_staff, client):
    app = make_application(cn_cycle, "district-mode", stage="eligibility", staff=cn_staff)
    url = reverse("reviews:application_notifications", args=[app.cycle.code, app.pk])
    client.force_login(xh_staff)
    assert client.get(url).status_code == 404
    client.force_login(cn_staff)
    page = client.get(url).content.decode()
    assert f"申报已收到：受理编号 {app.number}" in page and f"申报已受理，进入评审：{app.number}" in page
    assert "受理，进入评审" in page and "application.start_review" not in page  # the action in words, not its code


def test_a_failed_email_is_retried_recorded_and_can_be_sent_again(
    cn_cycle, make_application, cn_staff, client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.reviews.outcome.failing_backend.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        app = make_application(cn_cycle, "district-mode")
    notification = EmailNotification.objects.get(application=app)
    # The task retried (max_retries=5: six attempts in all) and recorded the failure.
    assert (notification.status, notification.attempts) == ("failed", 6)
    assert "SMTP server unavailable" in notification.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(cn_staff)
    url = reverse("reviews:application_notifications", args=[app.cycle.code, app.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"notification": notification.pk})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.error) == ("sent", 7, "")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"notification": notification.pk}).status_code == 302
    notification.refresh_from_db()
    assert notification.attempts == 7  # a sent e-mail is never sent twice


def test_reinstating_a_failed_application_tells_the_applicant(cn_cycle, make_application, cn_staff):
    app = make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff)
    apply_transition(application=app, name="fail", actor=cn_staff, reason="资料不全")
    apply_transition(application=app, name="reinstate", actor=cn_staff, reason="复核后确认资料齐全")
    last = EmailNotification.objects.filter(recipient=app.applicant).order_by("-id")[:2]
    assert [m.subject for m in reversed(last)] == [f"{app.number}：未通过“资料评审”", f"{app.number}：已恢复评审"]
    assert "复核后确认资料齐全" in last[0].body and "当前环节：资料评审" in last[0].body


def test_publicity_mail_carries_the_window_whatever_the_language(hq_cycle, make_application, cn_staff):
    from .conftest import pass_hongqiao_meetings

    app = make_application(hq_cycle, stage="selection", staff=cn_staff, language="en", name="Anna Example")
    pass_hongqiao_meetings(hq_cycle, [app], cn_staff)
    services.add_recommendation(application=app, actor=cn_staff)
    services.publish_publicity(cycle=hq_cycle, actor=cn_staff, start_date=datetime.date(2025, 9, 26),
                               today=datetime.date(2025, 9, 20))
    mail = EmailNotification.objects.filter(recipient=app.applicant).order_by("-id").first()
    assert mail.event == "stage_passed" and app.number in mail.subject
    assert "2025-09-26" in mail.body and "2025-10-09" in mail.body
