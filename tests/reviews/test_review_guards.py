"""Review guards and truthful counts: submitted vs assigned scoresheets, a cut-off over incomplete
scoresheets, 陈述答辩 / 现场评审 slots only on working days and only at their stage, and a declared
conflict taking the expert off the slot."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from core.models import ActivityLog, EmailNotification
from reviews import selectors, services
from reviews.models import Assignment, CutoffDecision, ExpertPanel, ScheduleEntry

from .conftest import submit_total

MONDAY = datetime.date(2026, 12, 7)
SATURDAY = datetime.date(2026, 12, 5)
NATIONAL_DAY = datetime.date(2026, 10, 1)  # a Thursday, statutory holiday
MAKE_UP_SATURDAY = datetime.date(2026, 10, 10)  # 调休上班


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _assign(app, stage, experts, staff):
    assignments = []
    for expert in experts:
        assignment = services.assign_expert(stage=stage, application=app, expert=expert, actor=staff)
        services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
        assignments.append(assignment)
    return assignments


@pytest.fixture
def material(cn_cycle):
    return cn_cycle.stages.get(code="material-review")


@pytest.fixture
def three_of_five(cn_cycle, cn_staff, make_application, make_expert, material):
    """Two applications in 资料评审: one with 5 of 5 scoresheets in, one with 3 of 5."""
    complete = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    partial = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    experts = [make_expert() for _ in range(5)]
    for assignment in _assign(complete, material, experts, cn_staff):
        submit_total(assignment, D("800"))
    for index, assignment in enumerate(_assign(partial, material, experts, cn_staff)):
        if index < 3:
            submit_total(assignment, D("700"))
    return complete, partial


# ---- counts ---------------------------------------------------------------------------------------


def test_stage_page_shows_submitted_of_assigned_scoresheets(three_of_five, cn_staff, cn_cycle, client):
    complete, partial = three_of_five
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:stage_detail", args=[cn_cycle.code, "material-review"])).content.decode()
    assert "评分表（已提交/已分配）" in page
    assert f'data-role="sheets">5 / 5</td>' in page
    assert f'data-role="sheets">3 / 5</td>' in page


def test_a_recused_expert_leaves_the_assigned_count(cn_cycle, cn_staff, make_application, make_expert, material):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    experts = [make_expert() for _ in range(3)]
    for expert in experts:
        services.assign_expert(stage=material, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=experts[0], application=app, has_conflict=True, reason="曾任该企业顾问", actor=experts[0].user)
    assignments = list(Assignment.objects.filter(application=app, stage=material).select_related("scoresheet"))
    assert str(selectors.sheet_count(assignments)) == "0/2"


def test_ranking_rows_carry_submitted_and_assigned(three_of_five, material):
    complete, partial = three_of_five
    rows = {r.application.pk: r for r in selectors.category_ranking(stage=material, category=complete.category)}
    assert (rows[complete.pk].sheets.submitted, rows[complete.pk].sheets.assigned, rows[complete.pk].sheets.incomplete) == (5, 5, False)
    assert (rows[partial.pk].sheets.submitted, rows[partial.pk].sheets.assigned, rows[partial.pk].sheets.incomplete) == (3, 5, True)
    assert rows[partial.pk].expert_count == 3


def test_ranking_page_warns_about_incomplete_scoresheets(three_of_five, cn_staff, cn_cycle, client):
    _complete, partial = three_of_five
    client.force_login(cn_staff)
    url = reverse("reviews:ranking", args=[cn_cycle.code, "material-review"]) + "?category=district-mode"
    page = client.get(url).content.decode()
    assert f"以下申报的评分表尚未收齐：{partial.number}（已提交 3 / 应提交 5）。" in page
    assert 'name="allow_incomplete"' in page


# ---- cut-off over incomplete scoresheets ------------------------------------------------------------


def test_cutoff_with_three_of_five_scoresheets_is_refused_without_override(three_of_five, cn_staff, material):
    complete, partial = three_of_five
    with pytest.raises(services.CutoffError) as exc:
        services.apply_cutoff(stage=material, category=complete.category, method="top_k", value=D("1"), actor=cn_staff)
    assert exc.value.messages == [
        f"以下申报的评分表尚未收齐：{partial.number}（已提交 3 / 应提交 5）。按不完整的评分划线须明确确认并说明理由。"]
    assert CutoffDecision.objects.count() == 0
    assert Application.objects.get(pk=partial.pk).status == "in_review"


def test_override_needs_a_reason(three_of_five, cn_staff, material):
    complete, _partial = three_of_five
    with pytest.raises(services.CutoffError, match="须在“说明”中写明理由"):
        services.apply_cutoff(stage=material, category=complete.category, method="top_k", value=D("1"), actor=cn_staff,
                              allow_incomplete=True, reason="  ")
    assert CutoffDecision.objects.count() == 0


def test_override_with_a_reason_applies_and_is_logged(three_of_five, cn_staff, material):
    complete, partial = three_of_five
    decision = services.apply_cutoff(stage=material, category=complete.category, method="top_k", value=D("1"), actor=cn_staff,
                                     allow_incomplete=True, reason="两位专家因病无法评审，评审委员会同意按已收评分表划线")
    assert (decision.advanced, decision.failed) == ([complete.pk], [partial.pk])
    log = ActivityLog.objects.get(action="reviews.cutoff")
    assert log.after["incomplete_override"] is True
    assert log.after["incomplete_sheets"] == {partial.number: "3/5"}
    assert log.reason == "两位专家因病无法评审，评审委员会同意按已收评分表划线"


def test_ranking_page_cutoff_without_the_box_is_refused_with_400(three_of_five, cn_staff, cn_cycle, client):
    client.force_login(cn_staff)
    url = reverse("reviews:ranking", args=[cn_cycle.code, "material-review"]) + "?category=district-mode"
    response = client.post(url, {"method": "top_k", "value": "1", "reason": "", "confirm": "1"})
    assert response.status_code == 400
    assert "按不完整的评分划线须明确确认并说明理由" in response.content.decode()
    response = client.post(url, {"method": "top_k", "value": "1", "reason": "委员会同意", "allow_incomplete": "on", "confirm": "1"})
    assert response.status_code == 302
    assert CutoffDecision.objects.get().reason == "委员会同意"


# ---- slots ----------------------------------------------------------------------------------------------


@pytest.fixture
def presentation(cn_cycle):
    return cn_cycle.stages.get(code="presentation")


@pytest.fixture
def panel(presentation, make_expert):
    panel = ExpertPanel.objects.create(stage=presentation, name="一组")
    panel.members.set([make_expert(name="甲专家"), make_expert(name="乙专家")])
    return panel


@pytest.mark.parametrize("day, why", [(SATURDAY, "2026-12-05（星期六）不是工作日"), (NATIONAL_DAY, "2026-10-01（星期四）不是工作日")])
def test_a_slot_on_a_weekend_or_holiday_is_refused_and_nobody_notified(cn_cycle, cn_staff, make_application, presentation, panel,
                                                                       day, why):
    app = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    with pytest.raises(ValidationError, match=why):
        services.save_schedule_entry(stage=presentation, application=app, starts_at=_at(day, 9), ends_at=_at(day, 10),
                                     location="301会议室", panel=panel, actor=cn_staff)
    assert ScheduleEntry.objects.count() == 0
    assert not EmailNotification.objects.filter(application=app, event="schedule_presentation").exists()


def test_a_make_up_working_saturday_takes_a_slot(cn_cycle, cn_staff, make_application, presentation, panel):
    app = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    entry = services.save_schedule_entry(stage=presentation, application=app, starts_at=_at(MAKE_UP_SATURDAY, 9),
                                         ends_at=_at(MAKE_UP_SATURDAY, 10), location="301会议室", panel=panel, actor=cn_staff)
    assert entry.pk is not None


def test_a_slot_for_an_application_still_in_material_review_is_refused(cn_cycle, cn_staff, make_application, presentation, panel):
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    with pytest.raises(ValidationError) as exc:
        services.save_schedule_entry(stage=presentation, application=app, starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 10),
                                     location="301会议室", panel=panel, actor=cn_staff)
    assert exc.value.messages == [f"{app.number} 当前处于“资料评审”环节，尚未进入或已经离开“陈述答辩”，不能安排。"]
    assert not EmailNotification.objects.filter(application=app, event="schedule_presentation").exists()


def test_the_schedule_page_offers_only_applications_at_the_stage(cn_cycle, cn_staff, make_application, presentation, panel,
                                                                 client):
    here = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    earlier = make_application(cn_cycle, stage="material-review", staff=cn_staff)
    client.force_login(cn_staff)
    url = reverse("reviews:schedule", args=[cn_cycle.code, "presentation"])
    page = client.get(url).content.decode()
    assert f'value="{here.pk}"' in page and f'value="{earlier.pk}"' not in page
    response = client.post(url, {"application": earlier.pk, "date": MONDAY.isoformat(), "start": "09:00", "end": "10:00",
                                 "location": "301会议室", "panel": panel.pk})
    assert response.status_code == 400
    response = client.post(url, {"application": here.pk, "date": SATURDAY.isoformat(), "start": "09:00", "end": "10:00",
                                 "location": "301会议室", "panel": panel.pk})
    assert response.status_code == 400
    assert "2026-12-05（星期六）不是工作日" in response.content.decode()
    assert ScheduleEntry.objects.count() == 0


def test_a_declared_conflict_takes_the_expert_off_the_slot(cn_cycle, cn_staff, make_application, presentation, panel,
                                                           client):
    app = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    services.save_schedule_entry(stage=presentation, application=app, starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 10),
                                 location="301会议室", panel=panel, actor=cn_staff)
    jia = panel.members.get(name="甲专家")
    services.declare_conflict(expert=jia, application=app, has_conflict=True, reason="曾为该企业提供咨询", actor=jia.user)
    [entry] = selectors.stage_schedule(presentation)
    assert [e.name for e in entry.sitting] == ["乙专家"]
    assert [(e.name, reasons) for e, reasons in entry.recused] == [("甲专家", ["已声明回避：曾为该企业提供咨询"])]
    log = ActivityLog.objects.get(action="reviews.conflict.declared")
    assert log.after["left_slots"] == ["陈述答辩 2026-12-07 09:00"]
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:schedule", args=[cn_cycle.code, "presentation"])).content.decode()
    assert '一组：乙专家' in page
    assert '回避：<s>甲专家</s>' in page


def test_a_recused_expert_is_free_for_another_slot_at_the_same_time(cn_cycle, cn_staff, make_application, presentation, panel,
                                                                    make_expert):
    a = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    b = make_application(cn_cycle, stage="presentation", staff=cn_staff)
    services.save_schedule_entry(stage=presentation, application=a, starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 10),
                                 location="301会议室", panel=panel, actor=cn_staff)
    jia = panel.members.get(name="甲专家")
    other = ExpertPanel.objects.create(stage=presentation, name="二组")
    other.members.set([jia, make_expert(name="丙专家")])
    with pytest.raises(services.ScheduleClash, match="专家 甲专家"):
        services.save_schedule_entry(stage=presentation, application=b, starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 10),
                                     location="302会议室", panel=other, actor=cn_staff)
    services.declare_conflict(expert=jia, application=a, has_conflict=True, reason="亲属在该企业任职", actor=jia.user)
    entry = services.save_schedule_entry(stage=presentation, application=b, starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 10),
                                         location="302会议室", panel=other, actor=cn_staff)
    assert entry.pk is not None


def test_stage_schedule_query_count_is_constant(cn_cycle, cn_staff, make_application, presentation, panel,
                                                django_assert_num_queries):
    for hour in (9, 10, 11):
        app = make_application(cn_cycle, stage="presentation", staff=cn_staff)
        services.save_schedule_entry(stage=presentation, application=app, starts_at=_at(MONDAY, hour),
                                     ends_at=_at(MONDAY, hour, 50), location="301会议室", panel=panel, actor=cn_staff)
    with django_assert_num_queries(4):
        entries = selectors.stage_schedule(presentation)
        assert len(entries) == 3


def test_the_score_summary_pdf_states_submitted_of_assigned(three_of_five, cn_cycle):
    from tests.documents.conftest import compact, pdf_text, render_kind

    _complete, partial = three_of_five
    text = compact(pdf_text(render_kind("score_summary", cycles=[cn_cycle])))
    assert "已交/应交" in text.replace(" ", "")
    assert f"评分表尚未收齐：{partial.number}（3/5）。" in text
