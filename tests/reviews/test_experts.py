"""Conflicts (回避), assignment, scoring limits and schedules."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import RecommendingUnit
from awards.rubrics import leaf_criteria
from core.workdays import add_working_days
from reviews import services
from reviews.conflicts import detect_conflicts
from reviews.models import Assignment, ExpertPanel, ItemScore, Scoresheet
from reviews.selectors import rubric_for

from .conftest import credit_code, submit_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(cn_cycle):
    return cn_cycle.stages.get(code="material-review")


def test_conflicts_are_detected_for_employer_group_recommender_and_self(cn_cycle, cn_staff, make_application, make_expert, organisers):
    unit = RecommendingUnit.objects.create(organiser=organisers["changning"], name="长宁区商务委员会", kind="industry_department",
                                           credit_code=credit_code(7777))
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, recommender=unit,
                           form_data={"overview": "x", "group": "上海示例控股（集团）有限公司"})
    org = app.organisation
    same_code = make_expert(employer="别名", employer_credit_code=org.credit_code)
    same_name = make_expert(employer=org.name)
    same_group = make_expert(group="上海示例控股(集团)有限公司")
    recommender = make_expert(employer="长宁区商务委员会")
    self_expert = make_expert(username="selfexp")
    app.applicant = self_expert.user
    clean = make_expert(employer="无关单位")

    assert detect_conflicts(same_code, app) == ["专家工作单位即申报组织（统一社会信用代码相同）"]
    assert detect_conflicts(same_name, app) == ["专家工作单位即申报组织（名称相同）"]
    assert detect_conflicts(same_group, app) == ["专家与申报人属同一集团"]
    assert detect_conflicts(recommender, app) == ["专家工作单位为本申报的推荐单位"]
    assert detect_conflicts(self_expert, app) == ["专家本人即申报人或推荐人"]
    assert detect_conflicts(clean, app) == []


def test_person_applicant_conflicts_by_id_number_and_employer(cn_cycle, cn_staff, make_application, make_expert):
    app = make_application(cn_cycle, "district-achievement", stage="material-review", staff=cn_staff)
    person = app.person
    assert detect_conflicts(make_expert(id_number=person.id_number), app) == ["专家本人即申报人（证件号码相同）"]
    assert detect_conflicts(make_expert(employer_credit_code=person.employer_credit_code), app) == [
        "专家与申报人同一工作单位（统一社会信用代码相同）"]


def test_a_conflicted_expert_is_never_assigned_by_hand_or_automatically(cn_cycle, cn_staff, make_application, make_expert, material):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    conflicted = make_expert(employer=app.organisation.name, name="冲突专家")
    with pytest.raises(ValidationError, match="冲突专家 须回避"):
        services.assign_expert(stage=material, application=app, expert=conflicted, actor=cn_staff)
    others = [make_expert() for _ in range(5)]
    results = services.auto_assign(stage=material, actor=cn_staff)
    assigned = set(Assignment.objects.filter(application=app, stage=material).values_list("expert_id", flat=True))
    assert assigned == {e.pk for e in others}
    assert results[0].excluded == {"冲突专家": ["专家工作单位即申报组织（名称相同）"]}


def test_automatic_assignment_balances_load_and_reports_shortfall(cn_cycle, cn_staff, make_application, make_expert, material):
    apps = [make_application(cn_cycle, stage="material-review", staff=cn_staff) for _ in range(4)]
    experts = [make_expert() for _ in range(6)]  # 4 × 5 = 20 places over 6 experts → loads of 3 or 4
    results = services.auto_assign(stage=material, actor=cn_staff)
    loads = sorted(Assignment.objects.filter(stage=material, expert__in=experts).values_list("expert_id", flat=True))
    counts = sorted(loads.count(e.pk) for e in experts)
    assert counts == [3, 3, 3, 3, 4, 4]
    assert all(r.shortfall == 0 for r in results)
    assert Assignment.objects.filter(application=apps[0], stage=material).count() == 5
    # Nothing to do the second time.
    assert sum(len(r.assigned) for r in services.auto_assign(stage=material, actor=cn_staff)) == 0


@pytest.fixture
def conflicted_setup(cn_cycle, cn_staff, make_application, make_expert, material, client):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    expert = make_expert()
    assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    submit_total(assignment, D("700"))
    client.force_login(expert.user)
    return app, expert, assignment


def _expert_urls(app):
    return [reverse("reviews:expert_application", args=[app.pk]),
            reverse("reviews:expert_scoresheet", args=[app.pk, "material-review"]),
            reverse("reviews:expert_scores", args=[app.pk, "material-review"])]


def test_assigned_expert_sees_page_scoresheet_and_scores(conflicted_setup, client):
    app, _expert, _a = conflicted_setup
    assert [client.get(url).status_code for url in _expert_urls(app)] == [200, 200, 200]


def test_a_declared_conflict_gives_404_on_page_scoresheet_and_scores(conflicted_setup, client, cn_staff):
    app, expert, assignment = conflicted_setup
    services.declare_conflict(expert=expert, application=app, has_conflict=True, reason="曾任该公司顾问", actor=cn_staff)
    assert [client.get(url).status_code for url in _expert_urls(app)] == [404, 404, 404]
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.RECUSED


def test_a_detected_conflict_gives_404_even_with_an_assignment(conflicted_setup, client):
    app, expert, _a = conflicted_setup
    expert.employer_credit_code = app.organisation.credit_code  # the expert moved to the applicant
    expert.save()
    assert [client.get(url).status_code for url in _expert_urls(app)] == [404, 404, 404]


def test_staff_see_why_an_expert_must_recuse(conflicted_setup, cn_staff, client, make_expert):
    app, _expert, _a = conflicted_setup
    make_expert(name="同单位专家", employer=app.organisation.name)
    client.force_login(cn_staff)
    response = client.get(reverse("reviews:staff_application", args=[app.cycle.code, app.pk]))
    assert response.status_code == 200
    assert "同单位专家" in response.content.decode() and "专家工作单位即申报组织（名称相同）" in response.content.decode()


def test_expert_must_declare_before_seeing_the_application(cn_cycle, cn_staff, make_application, make_expert, material, client):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, form_data={"overview": "机密的申报书正文"})
    expert = make_expert()
    services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    client.force_login(expert.user)
    page = client.get(reverse("reviews:expert_application", args=[app.pk]))
    assert "回避声明" in page.content.decode() and "机密的申报书正文" not in page.content.decode()
    response = client.post(reverse("reviews:expert_application", args=[app.pk]), {"has_conflict": "yes", "reason": "近亲属任职"})
    assert response.status_code == 302
    assert client.get(reverse("reviews:expert_application", args=[app.pk])).status_code == 404


def test_an_item_score_above_its_maximum_is_refused(conflicted_setup, cn_staff, make_expert, material):
    app, _e, _a = conflicted_setup
    expert = make_expert()
    assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    first = leaf_criteria(rubric_for(app))[0]  # 4.1.1 高层领导的作用, 50 points
    with pytest.raises(services.ScoreError) as exc:
        services.save_scores(assignment=assignment, scores={first.pk: "50.01"}, opinion="", actor=expert.user)
    assert exc.value.message_dict == {str(first.pk): ["4.1.1 高层领导的作用 的得分不能超过该项满分 50 分。"]}
    assert not ItemScore.objects.filter(scoresheet__assignment=assignment).exists()
    services.save_scores(assignment=assignment, scores={first.pk: "50"}, opinion="", actor=expert.user)
    assert ItemScore.objects.get(scoresheet__assignment=assignment).score == D("50.00")


def test_scoresheet_form_refuses_an_item_above_maximum_with_400(conflicted_setup, cn_staff, make_expert, material, client):
    app, _e, _a = conflicted_setup
    expert = make_expert()
    services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    client.force_login(expert.user)
    first = leaf_criteria(rubric_for(app))[0]
    response = client.post(reverse("reviews:expert_scoresheet", args=[app.pk, "material-review"]),
                           {f"item_{first.pk}": "51", "opinion": "意见", "save": "1"})
    assert response.status_code == 400
    assert "不能超过该项满分 50 分" in response.content.decode()
    assert 'value="51"' in response.content.decode()  # what the expert typed is kept


def test_submitted_scoresheet_is_locked_until_staff_reopen_it_with_a_reason(conflicted_setup, cn_staff):
    app, expert, assignment = conflicted_setup
    sheet = Scoresheet.objects.get(assignment=assignment)
    assert (sheet.status, sheet.total) == ("submitted", D("700.00"))
    first = leaf_criteria(sheet.rubric)[0]
    with pytest.raises(services.ScoreError, match="已提交锁定"):
        services.save_scores(assignment=Assignment.objects.get(pk=assignment.pk), scores={first.pk: "1"}, opinion="x", actor=expert.user)
    with pytest.raises(ValidationError):
        services.reopen_scoresheet(scoresheet=sheet, actor=cn_staff, reason="")
    services.reopen_scoresheet(scoresheet=sheet, actor=cn_staff, reason="4.7 结果项计算有误")
    from core.models import ActivityLog
    assert ActivityLog.objects.filter(action="reviews.scores.reopen", reason="4.7 结果项计算有误").count() == 1
    assert Scoresheet.objects.get(pk=sheet.pk).status == "draft"


def test_every_score_change_is_logged_with_before_and_after(conflicted_setup, cn_staff, make_expert, material):
    from core.models import ActivityLog

    app, _e, _a = conflicted_setup
    expert = make_expert()
    assignment = services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    first = leaf_criteria(rubric_for(app))[0]
    services.save_scores(assignment=assignment, scores={first.pk: "30"}, opinion="", actor=expert.user)
    services.save_scores(assignment=Assignment.objects.get(pk=assignment.pk), scores={first.pk: "32.5"}, opinion="", actor=expert.user)
    entries = list(ActivityLog.objects.filter(action="reviews.scores.save", actor=expert.user).order_by("id"))
    assert [(e.before["items"], e.after["items"]) for e in entries] == [({"4.1.1": None}, {"4.1.1": "30"}), ({"4.1.1": "30"}, {"4.1.1": "32.5"})]


# ---- schedules ------------------------------------------------------------------------------

def _at(hour, minute=0):
    day = add_working_days(timezone.localdate() + datetime.timedelta(days=7), 1)  # slots only on working days
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def presentation_setup(cn_cycle, cn_staff, make_application, make_expert):
    presentation = cn_cycle.stages.get(code="presentation")
    a = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    b = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    shared = make_expert(name="共享专家")
    panel1 = ExpertPanel.objects.create(stage=presentation, name="一组")
    panel1.members.set([shared, make_expert()])
    panel2 = ExpertPanel.objects.create(stage=presentation, name="二组")
    panel2.members.set([shared, make_expert()])
    return presentation, a, b, panel1, panel2


def test_a_slot_clash_of_an_expert_is_refused(presentation_setup, cn_staff):
    presentation, a, b, panel1, panel2 = presentation_setup
    services.save_schedule_entry(stage=presentation, application=a, starts_at=_at(9), ends_at=_at(10), location="301会议室",
                                 panel=panel1, actor=cn_staff)
    with pytest.raises(services.ScheduleClash) as exc:
        services.save_schedule_entry(stage=presentation, application=b, starts_at=_at(9, 30), ends_at=_at(10, 30),
                                     location="302会议室", panel=panel2, actor=cn_staff)
    assert exc.value.messages == [f"专家 共享专家 在 {_at(9):%Y-%m-%d} 09:00—10:00 已安排 {a.applicant_name} 的陈述答辩（301会议室）。"]
    # Back to back is fine.
    services.save_schedule_entry(stage=presentation, application=b, starts_at=_at(10), ends_at=_at(11), location="302会议室",
                                 panel=panel2, actor=cn_staff)


def test_a_room_booked_twice_is_refused(presentation_setup, cn_staff, make_expert):
    presentation, a, b, panel1, _panel2 = presentation_setup
    panel3 = ExpertPanel.objects.create(stage=presentation, name="三组")
    panel3.members.set([make_expert()])
    services.save_schedule_entry(stage=presentation, application=a, starts_at=_at(14), ends_at=_at(15), location="301 会议室",
                                 panel=panel1, actor=cn_staff)
    with pytest.raises(services.ScheduleClash, match="301 会议室 在 .* 14:00—15:00 已安排"):
        services.save_schedule_entry(stage=presentation, application=b, starts_at=_at(14, 30), ends_at=_at(15, 30),
                                     location="301会议室", panel=panel3, actor=cn_staff)


def test_scheduling_notifies_the_applicant_and_assigns_the_panel(presentation_setup, cn_staff):
    from core.models import EmailNotification
    from reviews.selectors import schedule_for_application

    presentation, a, _b, panel1, _p2 = presentation_setup
    entry = services.save_schedule_entry(stage=presentation, application=a, starts_at=_at(9), ends_at=_at(10),
                                         location="301会议室", panel=panel1, actor=cn_staff)
    note = EmailNotification.objects.get(event="schedule_presentation", application=a)
    assert note.subject == f"{a.number}：陈述答辩安排"
    assert "301会议室" in note.body
    assert schedule_for_application(a) == [entry]
    assert set(Assignment.objects.filter(stage=presentation, application=a).values_list("expert_id", flat=True)) == {
        m.pk for m in panel1.members.all()}


def test_expert_reads_the_answers_labelled_and_formatted(cn_cycle, cn_staff, make_application, make_expert, material, client):
    figures = {"2020": {"revenue": "12000", "profit": "-35.5", "policy_loss": True}}
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, form_data={"overview": "申报书正文", "figures": figures})
    expert = make_expert()
    services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    client.force_login(expert.user)
    page = client.get(reverse("reviews:expert_application", args=[app.pk])).content.decode()
    assert '<dt class="col-sm-4">2020年营业收入（万元）</dt><dd class="col-sm-8 text-pre">12,000 万元</dd>' in page
    assert ">-35.50 万元<" in page and '2020年如亏损，属政策性亏损</dt><dd class="col-sm-8 text-pre">是<' in page
    assert "figures" not in page and "policy_loss" not in page and "revenue" not in page
