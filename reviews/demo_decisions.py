"""Demo data of the pipeline after scoring (idempotent), built through the real services.

On the demo 虹桥友谊奖 cycle: four foreign candidates pass 受理/审核/资格审查; the 评审联席会议 first
sits with 6 of its 10 member units (below quorum: no decision possible), then with 8 and votes;
the 区委书记专题会 records its decision; three candidates are put on the list (quota 10: staying below
is allowed) and a 公示 opens today — the public page is /publicity/demo-changning-hongqiao/ — with
one objection waiting for the office.

Two more copies of the cycle are parked at later states, so every screen can be seen today:
`demo-hongqiao-ended` (the 公示 ended yesterday; its objection still to resolve, then 提请批准) and
`demo-hongqiao-awarded` (公示 passed, the district government's approval recorded, awards made).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from applications.models import Application, ApplicationStatus, PersonProfile
from awards.models import Cycle, Stage
from reviews import services
from reviews.models import Meeting, Publicity
from reviews.services import TransitionError, apply_transition

CYCLE = "demo-changning-hongqiao"

UNITS = ["区委组织部", "区委宣传部", "区政府办公室（外事办公室）", "区发展改革委", "区商务委", "区科委",
         "区人力资源社会保障局", "区投促办（金融办）", "区地区办", "临空园区"]

# username, name, nationality, employer, language, votes (for, against, abstain) at the joint meeting, criteria
CANDIDATES = [
    ("hq-demo-1", "Jean Dupont", "法国", "Hongqiao Sino-French Cultural Centre", "en", (8, 0, 0), ["1", "5"]),
    ("hq-demo-2", "Maria Rossi", "意大利", "Changning International School", "en", (7, 0, 1), ["5"]),
    ("hq-demo-3", "佐藤健", "日本", "上海虹桥日系企业商会", "zh-hans", (6, 1, 1), ["2"]),
    ("hq-demo-4", "Peter Novak", "捷克", "Linkong Aviation Services", "en", (3, 4, 1), ["3"]),
]


# Copies of the 虹桥 cycle parked at later states, so every screen after the 公示 can be seen today.
PARKED = {  # code → (name, English name, state)
    "demo-hongqiao-ended": ("演示周期（公示已结束，异议待处理）", "demo cycle, public notice ended, an objection to resolve", "ended"),
    "demo-hongqiao-awarded": ("演示周期（已批准表彰）", "demo cycle, approved and awarded", "awarded"),
}


def seed_demo_data(context: dict) -> None:
    cycle = context["cycles"].get(CYCLE)
    staff = context["users"].get("cn-staff")
    out = context.get("stdout")
    if cycle is None or staff is None:
        return
    _run(cycle, staff, context, out, park="open")
    from awards.loader import load_cycle_copy

    for code, (name, name_en, park) in PARKED.items():
        parked = load_cycle_copy("changning-hongqiao-2023", source=f"demo:{code}", actor=context["users"].get("admin"),
                                 code=code, name=name, name_en=name_en, year=cycle.year,
                                 application_opens_at=cycle.application_opens_at, application_closes_at=cycle.application_closes_at)
        _run(parked, staff, context, out, park=park)
        # Demo data, not an office action: a cycle whose 公示 has ended took its applications months ago, so
        # it is not listed among the calls open now.
        closes = timezone.localtime().replace(hour=23, minute=59, second=59, microsecond=0) - datetime.timedelta(days=90)
        Cycle.objects.filter(pk=parked.pk).update(application_opens_at=closes - datetime.timedelta(days=30),
                                                  application_closes_at=closes)


def _run(cycle, staff, context, out, *, park: str) -> None:
    """The pipeline up to the 公示 (as it happens in the office), then parked at `park`: "open" (the
    公示 runs now, one objection waiting), "ended" (the 公示 ended yesterday with the objection still
    to resolve), "awarded" (公示 passed, approved by the district government, awards recorded)."""
    if Publicity.objects.filter(cycle=cycle).exists():
        if out:
            out.write(f"reviews: demo 公示 of {cycle.code} already present")
        return
    with transaction.atomic():
        applications = [_candidate(cycle, staff, row, context["password"]) for row in CANDIDATES]
        stages = {s.code: s for s in Stage.objects.filter(cycle=cycle)}
        for application in applications:
            _advance_to(application, "selection", staff)
        held = timezone.localdate() - datetime.timedelta(days=14)
        if not Meeting.objects.filter(stage=stages["selection"]).exists():
            services.record_meeting(stage=stages["selection"], actor=staff, held_on=held - datetime.timedelta(days=7),
                                    present_units=UNITS[:6], location="长宁区政府 3 号楼会议室",
                                    notes="出席成员单位不足三分之二，会议改期。")
            joint = services.record_meeting(stage=stages["selection"], actor=staff, held_on=held, present_units=UNITS[:8],
                                            location="长宁区政府 3 号楼会议室", chair="区政府办公室（外事办公室）主任")
            for application, row in zip(applications, CANDIDATES):
                votes_for, against, abstain = row[5]
                services.record_decision(meeting=joint, application=application, actor=staff, votes_for=votes_for,
                                         votes_against=against, votes_abstain=abstain)
            services.apply_meeting_outcomes(meeting=joint, actor=staff)
            secretary = services.record_meeting(stage=stages["secretary-meeting"], actor=staff,
                                                held_on=held + datetime.timedelta(days=7), present_units=[],
                                                attendees_text="区委书记专题会")
            for application in applications:
                application.refresh_from_db()
                if application.current_stage_id == stages["secretary-meeting"].pk and application.status == ApplicationStatus.IN_REVIEW:
                    services.record_decision(meeting=secretary, application=application, actor=staff, outcome="approved",
                                             notes="会议研究同意列为获奖建议人选")
        listed = []
        for application in applications:
            application.refresh_from_db()
            if application.current_stage_id == stages["secretary-meeting"].pk and application.status == ApplicationStatus.IN_REVIEW:
                services.add_recommendation(application=application, actor=staff)
                listed.append(application)
        publicity = services.publish_publicity(cycle=cycle, actor=staff, start_date=timezone.localdate())
        if park in ("open", "ended"):
            services.file_objection(publicity=publicity, application=listed[-1], name="某商会会员", contact="13800001234",
                                    content="据了解，该人选在本区工作未满一年，请核实其参评资格。")
        if park != "open":
            # Demo data, not an office action: the 公示 ran its course and ended yesterday.
            shift = publicity.end_date - timezone.localdate() + datetime.timedelta(days=1)
            Publicity.objects.filter(pk=publicity.pk).update(start_date=publicity.start_date - shift, end_date=publicity.end_date - shift)
            publicity.refresh_from_db()
        if park == "awarded":
            services.submit_for_approval(publicity=publicity, actor=staff)
            services.record_approval(cycle=cycle, actor=staff, approved_on=timezone.localdate(), document_number="长府〔2026〕20号",
                                     notes="演示数据：区政府常务会议研究同意。")
    if out:
        where = {"open": f"open until {publicity.end_date}", "ended": f"ended on {publicity.end_date}, 1 objection to resolve",
                 "awarded": "passed, approved and awarded"}[park]
        out.write(f"reviews: demo 公示 of {cycle.code} {where}: /publicity/{cycle.code}/ ({len(listed)} candidates)")


def _candidate(cycle, staff, row, password: str) -> Application:
    username, name, nationality, employer, language, _votes, criteria = row
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@demo.local", "full_name": name, "preferred_language": language, "email_verified": True},
    )
    if created:
        user.set_password(password)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.APPLICANT, organiser=None)
    profile, _ = PersonProfile.objects.get_or_create(
        owner=user,
        defaults={"name": name, "id_type": "passport", "id_number": f"DEMO{username[-1]}2023", "nationality": nationality,
                  "employer": employer, "work_district": "长宁区", "district_work_since": datetime.date(2016, 3, 1)},
    )
    application = Application.objects.filter(cycle=cycle, applicant=user).first()
    if application is None:
        category = cycle.categories.order_by("order").first()
        application = Application.objects.create(
            cycle=cycle, category=category, applicant=user, person=profile, criteria=criteria,
            form_data={"contribution": f"{name} 长期在长宁区工作，积极促进对外交流与合作。"},
            declarations={"friendly": True, "truthful": True},
        )
    if application.status == ApplicationStatus.DRAFT:
        prefix = {"demo-hongqiao-ended": "HQ-END", "demo-hongqiao-awarded": "HQ-AWD"}.get(cycle.code, "HQ-DEMO")
        number = f"{prefix}-{username[-1]}"
        apply_transition(application=application, name="submit", actor=user,
                         extra={"number": number, "submitted_at": timezone.now()})
    return application


def _advance_to(application: Application, stage_code: str, staff) -> None:
    application.refresh_from_db()
    try:
        if application.status == ApplicationStatus.SUBMITTED:
            apply_transition(application=application, name="start_review", actor=staff)
        while application.status == ApplicationStatus.IN_REVIEW and application.current_stage.code != stage_code:
            apply_transition(application=application, name="advance", actor=staff)
    except TransitionError:
        # e.g. 资格审查 needs a staff finding for a rule that needs review: leave it there for the office.
        return
