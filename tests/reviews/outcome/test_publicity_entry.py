"""An application enters the 公示 stage only by being listed and published — never stranded there.

"通过本环节", a meeting's outcomes or a cut-off at the stage right before the 公示 would otherwise put a
candidate into 公示 where it could never be listed, published or moved back.
"""

from __future__ import annotations

import dataclasses

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import ApplicationStatus
from awards.models import Stage
from core.models import ActivityLog, EmailNotification
from reviews import services
from reviews.models import Publicity, Recommendation
from reviews import workflow
from reviews.models import CutoffDecision
from reviews.services import CutoffError, TransitionError, apply_cutoff, apply_transition

from .conftest import pass_hongqiao_meetings
from .test_notifications import _score, experts  # noqa: F401 - fixture

REFUSAL = "进入公示须先列入推荐名单，并由评审办公室发布公示；未列入名单的申报请作“不通过”处理。"
START = datetime.date(2025, 9, 26)
TODAY = datetime.date(2025, 9, 20)


def test_advance_out_of_the_stage_before_publicity_is_refused_until_listed_and_published(cn_cycle, make_application, cn_staff):
    application = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    with pytest.raises(TransitionError) as refused:
        apply_transition(application=application, name="advance", actor=cn_staff)
    assert str(refused.value) == REFUSAL
    # Listed is not enough: the 公示 must be published.
    services.add_recommendation(application=application, actor=cn_staff)
    with pytest.raises(TransitionError) as refused:
        apply_transition(application=application, name="advance", actor=cn_staff)
    assert str(refused.value) == REFUSAL
    application.refresh_from_db()
    assert (application.status, application.current_stage.code) == (ApplicationStatus.IN_REVIEW, "comprehensive")
    assert not ActivityLog.objects.filter(action="application.advance", target_id=str(application.pk),
                                          after__stage="publicity").exists()


def test_fail_stays_allowed_at_the_stage_before_publicity(cn_cycle, make_application, cn_staff):
    application = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    apply_transition(application=application, name="fail", actor=cn_staff, reason="综合评价未列入推荐")
    application.refresh_from_db()
    assert (application.status, application.current_stage.code) == (ApplicationStatus.NOT_PASSED, "comprehensive")


def test_other_stages_still_advance_with_a_bare_advance(cn_cycle, make_application, cn_staff):
    application = make_application(cn_cycle, "district-mode", stage="site-visit", staff=cn_staff)
    apply_transition(application=application, name="advance", actor=cn_staff)
    assert application.current_stage.code == "comprehensive"


def test_staff_application_page_disables_advance_with_the_reason(cn_cycle, make_application, cn_staff, client):
    application = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:staff_application", args=[cn_cycle.code, application.pk])).content.decode()
    assert f'<div class="small text-muted" id="why-advance">{REFUSAL}</div>' in page


def test_publishing_moves_the_listed_candidates_into_publicity_and_leaves_the_others(cn_cycle, make_application, cn_staff):
    listed = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    unlisted = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    services.add_recommendation(application=listed, actor=cn_staff)
    services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=START, today=TODAY)
    listed.refresh_from_db()
    unlisted.refresh_from_db()
    assert (listed.status, listed.current_stage.code) == (ApplicationStatus.IN_REVIEW, "publicity")
    assert (unlisted.status, unlisted.current_stage.code) == (ApplicationStatus.IN_REVIEW, "comprehensive")
    # Published, but not on the list: still no way into 公示; the office fails it.
    with pytest.raises(TransitionError) as refused:
        apply_transition(application=unlisted, name="advance", actor=cn_staff)
    assert str(refused.value) == REFUSAL
    apply_transition(application=unlisted, name="fail", actor=cn_staff, reason="未列入拟表彰名单")
    assert unlisted.status == ApplicationStatus.NOT_PASSED


def test_secretary_meeting_leaves_approved_candidates_at_the_stage_ready_to_be_listed(hq_cycle, make_application, cn_staff,
                                                                                      client):
    approved = make_application(hq_cycle, stage="selection", staff=cn_staff)
    rejected = make_application(hq_cycle, stage="selection", staff=cn_staff)
    secretary = pass_hongqiao_meetings(hq_cycle, [approved, rejected], cn_staff)
    services.record_decision(meeting=secretary, application=rejected, actor=cn_staff, outcome="rejected",
                             notes="会议研究不同意")
    results = services.apply_meeting_outcomes(meeting=secretary, actor=cn_staff)
    assert sorted((r.application.pk, r.ok, r.message) for r in results) == sorted([
        (approved.pk, True, "会议通过，可列入推荐名单"), (rejected.pk, True, "已作不通过处理")])
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert (approved.status, approved.current_stage.code) == (ApplicationStatus.IN_REVIEW, "secretary-meeting")
    assert (rejected.status, rejected.current_stage.code) == (ApplicationStatus.NOT_PASSED, "secretary-meeting")
    # Applying again changes nothing and still says where the approved candidate stands.
    again = services.apply_meeting_outcomes(meeting=secretary, actor=cn_staff)
    assert [(r.application.pk, r.message) for r in again] == [(approved.pk, "会议通过，可列入推荐名单")]

    recommendation = services.add_recommendation(application=approved, actor=cn_staff)
    assert (recommendation.source, recommendation.source_stage.code) == ("meeting", "secretary-meeting")
    services.publish_publicity(cycle=hq_cycle, actor=cn_staff, start_date=START, today=TODAY)
    approved.refresh_from_db()
    assert approved.current_stage.code == "publicity"
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:meeting_detail", args=[secretary.pk])).content.decode()
    assert 'data-next-step="published"' in page and 'data-next-step="recommendations"' not in page


def test_meetings_before_the_source_stage_still_advance_approved_candidates(hq_cycle, make_application, cn_staff):
    candidate = make_application(hq_cycle, stage="selection", staff=cn_staff)
    pass_hongqiao_meetings(hq_cycle, [candidate], cn_staff)  # applies the joint meeting's outcomes
    candidate.refresh_from_db()
    assert candidate.current_stage.code == "secretary-meeting"


def test_secretary_meeting_page_points_to_the_recommendation_list(hq_cycle, make_application, cn_staff, client):
    approved = make_application(hq_cycle, stage="selection", staff=cn_staff)
    rejected = make_application(hq_cycle, stage="selection", staff=cn_staff)
    secretary = pass_hongqiao_meetings(hq_cycle, [approved, rejected], cn_staff)
    client.force_login(cn_staff)
    page = client.get(reverse("reviews:meeting_detail", args=[secretary.pk])).content.decode()
    assert 'data-next-step="recommendations"' in page
    assert "会议通过 2 个，可列入推荐名单。" in page
    assert reverse("reviews:recommendations", args=[hq_cycle.code]) in page
    apply_url = reverse("reviews:meeting_apply", args=[secretary.pk])
    assert apply_url not in page  # nothing to carry out: the approved stay for the list
    services.record_decision(meeting=secretary, application=rejected, actor=cn_staff, outcome="rejected", notes="不同意")
    page = client.get(reverse("reviews:meeting_detail", args=[secretary.pk])).content.decode()
    assert apply_url in page
    assert "按会议决定作不通过处理（1 个）</button>" in page and "会议通过 1 个，可列入推荐名单。" in page
    assert "按会议决定办理" not in page

    joint = Stage.objects.get(cycle=hq_cycle, code="selection").meetings.get()
    page = client.get(reverse("reviews:meeting_detail", args=[joint.pk])).content.decode()
    assert 'data-next-step="recommendations"' not in page


def test_cutoff_at_the_stage_before_publicity_is_refused_as_a_whole(cn_cycle, make_application, cn_staff, experts, client):  # noqa: F811
    stages = {s.code: s for s in Stage.objects.filter(cycle=cn_cycle)}
    apps = [make_application(cn_cycle, "district-mode", stage="material-review", staff=cn_staff, name=f"划线企业{i}")
            for i in range(2)]
    for app, total in zip(apps, (820, 700)):
        for code, team in (("material-review", experts[:3]), ("presentation", experts[:5]), ("site-visit", experts[:3])):
            _score(app, stages[code], team, total, cn_staff)
            apply_transition(application=app, name="advance", actor=cn_staff)
    assert [a.current_stage.code for a in apps] == ["comprehensive", "comprehensive"]

    with pytest.raises(CutoffError) as refused:
        apply_cutoff(stage=stages["comprehensive"], category=apps[0].category, method="top_k", value=Decimal(1),
                     actor=cn_staff)
    assert refused.value.messages == [f"{apps[0].number}：{REFUSAL}"]
    # All or nothing: the one below the line was not failed either.
    for app in apps:
        app.refresh_from_db()
        assert (app.status, app.current_stage.code) == (ApplicationStatus.IN_REVIEW, "comprehensive")
    assert not CutoffDecision.objects.exists()

    client.force_login(cn_staff)
    url = reverse("reviews:ranking", args=[cn_cycle.code, "comprehensive"]) + "?category=district-mode"
    response = client.post(url, {"method": "top_k", "value": "1", "reason": "", "confirm": "1"})
    assert response.status_code == 400
    assert f"{apps[0].number}：{REFUSAL}" in response.content.decode()


def test_a_candidate_stranded_in_publicity_before_the_fix_can_still_be_listed_and_published(
    cn_cycle, make_application, cn_staff, monkeypatch, client
):
    """Data from before entering 公示 was tied to publishing: the candidate is listed from where it stands."""
    stranded = make_application(cn_cycle, "district-mode", stage="comprehensive", staff=cn_staff)
    # The old rules: nothing but the stage's own conditions stood between 综合评价 and 公示.
    old_advance = dataclasses.replace(workflow.BY_NAME["advance"], conditions=(workflow._stage_exit_allowed,))
    monkeypatch.setitem(workflow.BY_NAME, "advance", old_advance)
    apply_transition(application=stranded, name="advance", actor=cn_staff)
    monkeypatch.undo()
    assert stranded.current_stage.code == "publicity"

    client.force_login(cn_staff)
    page = client.get(reverse("reviews:recommendations", args=[cn_cycle.code])).content.decode()
    assert "已在“评审公示”环节，尚未列入名单" in page
    assert f'<input type="hidden" name="application" value="{stranded.pk}">' in page
    assert client.post(reverse("reviews:recommendations", args=[cn_cycle.code]),
                       {"action": "add", "application": stranded.pk, "note": ""}).status_code == 302
    assert Recommendation.objects.filter(application=stranded, status="proposed").count() == 1
    publicity = services.publish_publicity(cycle=cn_cycle, actor=cn_staff, start_date=START, today=TODAY)
    stranded.refresh_from_db()
    assert (stranded.status, stranded.current_stage.code) == (ApplicationStatus.IN_REVIEW, "publicity")
    told = EmailNotification.objects.filter(recipient=stranded.applicant, event="publicity").get()
    assert f"/publicity/{publicity.pk}/" in told.body
    assert Recommendation.objects.filter(application=stranded, status="proposed").count() == 1
    assert Publicity.objects.count() == 1
