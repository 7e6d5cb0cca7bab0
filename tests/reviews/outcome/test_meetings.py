"""Meetings: quorum of the 虹桥 joint meeting (more than two thirds of 10 units), votes, exit condition."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import ApplicationStatus
from awards.models import Stage
from core.models import ActivityLog
from reviews import selectors, services
from reviews.models import DecisionOutcome
from reviews.services import DecisionError
from reviews.services import TransitionError, apply_transition

UNITS = ["区委组织部", "区委宣传部", "区政府办公室（外事办公室）", "区发展改革委", "区商务委", "区科委",
         "区人力资源社会保障局", "区投促办（金融办）", "区地区办", "临空园区"]


@pytest.fixture
def selection(hq_cycle):
    return Stage.objects.get(cycle=hq_cycle, code="selection")


@pytest.fixture
def candidate(hq_cycle, make_application, cn_staff):
    return make_application(hq_cycle, stage="selection", staff=cn_staff)


def test_joint_meeting_member_units_and_minimum_come_from_the_seed(selection):
    meeting_body = selectors.body_for_stage(selection)
    assert meeting_body.member_units == UNITS
    assert meeting_body.minimum_present() == 7
    assert services.quorum_rule_text(meeting_body) == "超过三分之二"


def test_six_of_ten_units_cannot_record_a_decision_and_the_page_says_why(selection, candidate, cn_staff, client):
    meeting = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:6])
    assert meeting.quorum_met is False
    with pytest.raises(DecisionError) as refused:
        services.record_decision(meeting=meeting, application=candidate, actor=cn_staff, votes_for=6, votes_against=0, votes_abstain=0)
    expected = ("长宁区对外表彰评审联席会议须有超过三分之二成员单位出席方可举行：本次出席 6 个，全部 10 个成员单位中至少须 7 个出席，"
                "未达法定人数，不能作出决定。")
    assert str(refused.value) == expected
    assert meeting.decisions.count() == 0

    client.force_login(cn_staff)
    page = client.get(reverse("reviews:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert expected in page.content.decode()
    assert 'data-quorum="refused"' in page.content.decode()
    posted = client.post(reverse("reviews:meeting_detail", args=[meeting.pk]),
                         {"application": candidate.pk, "votes_for": 6, "votes_against": 0, "votes_abstain": 0})
    assert posted.status_code == 400
    assert expected in posted.content.decode()
    assert meeting.decisions.count() == 0


def test_seven_of_ten_units_record_votes_and_the_candidate_may_advance(selection, candidate, cn_staff):
    meeting = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:7])
    assert meeting.quorum_met is True
    decision = services.record_decision(meeting=meeting, application=candidate, actor=cn_staff,
                                        votes_for=5, votes_against=1, votes_abstain=1)
    assert decision.outcome == DecisionOutcome.APPROVED
    results = services.apply_meeting_outcomes(meeting=meeting, actor=cn_staff)
    assert [(r.application.pk, r.ok) for r in results] == [(candidate.pk, True)]
    candidate.refresh_from_db()
    assert candidate.current_stage.code == "secretary-meeting"
    entry = ActivityLog.objects.get(action="meeting.decision_recorded", target_id=str(candidate.pk))
    assert entry.after["votes_for"] == 5 and entry.after["outcome"] == "approved"


def test_four_votes_for_of_seven_present_pass_but_three_do_not(selection, make_application, hq_cycle, cn_staff):
    first = make_application(hq_cycle, stage="selection", staff=cn_staff)
    second = make_application(hq_cycle, stage="selection", staff=cn_staff)
    meeting = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:7])
    assert services.record_decision(meeting=meeting, application=first, actor=cn_staff,
                                    votes_for=4, votes_against=3, votes_abstain=0).outcome == "approved"
    assert services.record_decision(meeting=meeting, application=second, actor=cn_staff,
                                    votes_for=3, votes_against=2, votes_abstain=2).outcome == "rejected"


def test_votes_beyond_the_units_present_are_refused(selection, candidate, cn_staff):
    meeting = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:7])
    with pytest.raises(DecisionError, match="票数合计 8 超过出席成员单位数 7"):
        services.record_decision(meeting=meeting, application=candidate, actor=cn_staff, votes_for=6, votes_against=1, votes_abstain=1)


def test_unknown_member_unit_is_refused(selection, cn_staff):
    with pytest.raises(DecisionError, match="不是长宁区对外表彰评审联席会议的成员单位：区财政局"):
        services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1),
                                present_units=UNITS[:6] + ["区财政局"])


def test_application_cannot_leave_a_meeting_stage_without_a_quorate_decision(selection, candidate, cn_staff):
    with pytest.raises(TransitionError, match="尚无达到法定人数的会议对该申报作出决定"):
        apply_transition(application=candidate, name="advance", actor=cn_staff)
    inquorate = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:6])
    assert inquorate.quorum_met is False
    with pytest.raises(TransitionError, match="尚无达到法定人数的会议"):
        apply_transition(application=candidate, name="advance", actor=cn_staff)
    quorate = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 8), present_units=UNITS[:8])
    services.record_decision(meeting=quorate, application=candidate, actor=cn_staff, votes_for=2, votes_against=5, votes_abstain=1)
    with pytest.raises(TransitionError, match="会议决定不通过（2023-06-08）"):
        apply_transition(application=candidate, name="advance", actor=cn_staff)
    services.record_decision(meeting=quorate, application=candidate, actor=cn_staff, votes_for=6, votes_against=1, votes_abstain=1)
    apply_transition(application=candidate, name="advance", actor=cn_staff)
    assert candidate.current_stage.code == "secretary-meeting"
    assert ActivityLog.objects.filter(action="meeting.decision_corrected", target_id=str(candidate.pk)).count() == 1


def test_rejected_candidates_fail_with_the_meeting_as_reason(selection, candidate, cn_staff):
    meeting = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS)
    services.record_decision(meeting=meeting, application=candidate, actor=cn_staff, votes_for=3, votes_against=7, votes_abstain=0)
    services.apply_meeting_outcomes(meeting=meeting, actor=cn_staff)
    candidate.refresh_from_db()
    assert candidate.status == ApplicationStatus.NOT_PASSED
    entry = ActivityLog.objects.get(action="application.fail", target_id=str(candidate.pk))
    assert entry.reason == "长宁区对外表彰评审联席会议 2023-06-01 会议决定不通过。"


def test_recorded_decision_needs_notes_and_body_without_units_has_no_quorum(hq_cycle, make_application, cn_staff):
    stage = Stage.objects.get(cycle=hq_cycle, code="secretary-meeting")
    application = make_application(hq_cycle, stage="selection", staff=cn_staff)
    selection = Stage.objects.get(cycle=hq_cycle, code="selection")
    joint = services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS)
    services.record_decision(meeting=joint, application=application, actor=cn_staff, votes_for=10, votes_against=0, votes_abstain=0)
    services.apply_meeting_outcomes(meeting=joint, actor=cn_staff)
    meeting = services.record_meeting(stage=stage, actor=cn_staff, held_on=datetime.date(2023, 6, 15), present_units=[],
                                      attendees_text="区委书记、区长等")
    assert meeting.quorum_met is True
    with pytest.raises(DecisionError, match="请填写会议决定的说明"):
        services.record_decision(meeting=meeting, application=application, actor=cn_staff, outcome="approved")
    decision = services.record_decision(meeting=meeting, application=application, actor=cn_staff, outcome="approved",
                                        notes="会议研究同意列为获奖建议人选")
    assert (decision.votes_for, decision.outcome) == (None, "approved")


def test_minutes_are_private_and_permission_checked(selection, cn_staff, xh_staff, client, minimal_png):
    meeting = services.record_meeting(
        stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:7],
        minutes=SimpleUploadedFile("纪要.png", minimal_png, content_type="image/png"),
    )
    url = reverse("reviews:meeting_minutes", args=[meeting.pk])
    assert client.get(url).status_code == 302  # login first
    client.force_login(xh_staff)
    assert client.get(url).status_code == 404
    client.force_login(cn_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == minimal_png
    assert "attachment" in response["Content-Disposition"]


def test_minutes_that_are_not_what_they_claim_are_refused(selection, cn_staff):
    fake = SimpleUploadedFile("纪要.pdf", b"just text pretending to be a PDF", content_type="application/pdf")
    with pytest.raises(DecisionError, match="只接受 PDF、JPEG、PNG、DOCX 文件"):
        services.record_meeting(stage=selection, actor=cn_staff, held_on=datetime.date(2023, 6, 1), present_units=UNITS[:7],
                                minutes=fake)
