"""Fixtures for meetings, the recommendation list, 公示, objections, approval and awards: applications moved through the real workflow service."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role
from applications.models import Application, OrganisationProfile, PersonProfile
from awards.models import Cycle
from core.identity import credit_code_check_character, id_check_digit
from reviews.services import apply_transition

_serial = itertools.count(1)


def credit_code(n: int) -> str:
    first17 = f"91310105{n:09d}"
    return first17 + credit_code_check_character(first17)


def resident_id(n: int) -> str:
    first17 = f"31010519800101{n % 1000:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_cycles(seeds):
    """The seed cycles with their application window open now (so applicants can submit)."""
    now = timezone.now()
    Cycle.objects.filter(code__in=list(seeds)).update(
        application_opens_at=now - datetime.timedelta(days=10), application_closes_at=now + datetime.timedelta(days=10)
    )
    return {c.code: c for c in Cycle.objects.select_related("programme__organiser")}


@pytest.fixture
def cn_cycle(open_cycles):
    return open_cycles["changning-quality-2023"]


@pytest.fixture
def hq_cycle(open_cycles):
    return open_cycles["changning-hongqiao-2023"]


@pytest.fixture
def xh_cycle(open_cycles):
    return open_cycles["xuhui-quality-5"]


@pytest.fixture
def make_application(make_user, db):
    """An application submitted by its applicant and moved by staff to `stage` (a stage code)."""

    def make(cycle, category_code=None, *, stage=None, staff=None, name=None, applicant=None, language="zh-hans"):
        n = next(_serial)
        applicant = applicant or make_user(f"applicant{n}", roles=[(Role.APPLICANT, None)], preferred_language=language,
                                           full_name=name or f"申报人{n}")
        category = cycle.categories.get(code=category_code) if category_code else cycle.categories.order_by("order").first()
        if category.applicant_kind == "organisation":
            profile = OrganisationProfile.objects.create(
                owner=applicant, name=name or f"示例企业{n}有限公司", credit_code=credit_code(n), org_type="enterprise",
                registered_district=cycle.programme.organiser.short_name, established_on=datetime.date(2010, 1, 1),
                legal_representative="法人", contact_name="联系人", contact_mobile="13800000000")
            kwargs = {"organisation": profile}
        elif category.applicant_kind == "foreign_individual":
            profile = PersonProfile.objects.create(
                owner=applicant, name=name or f"Foreigner {n}", id_type="passport", id_number=f"P{n:08d}",
                nationality="德国", employer=f"Employer {n} GmbH", work_district="长宁区",
                district_work_since=datetime.date(2015, 1, 1))
            kwargs = {"person": profile}
        else:
            profile = PersonProfile.objects.create(
                owner=applicant, name=name or f"申报人{n}", id_type="resident_id", id_number=resident_id(n),
                employer=f"单位{n}", quality_work_since=datetime.date(2010, 1, 1))
            kwargs = {"person": profile}
        application = Application.objects.create(cycle=cycle, category=category, applicant=applicant,
                                                 form_data={"summary": {"text": "申报书"}}, **kwargs)
        apply_transition(application=application, name="submit", actor=applicant,
                         extra={"number": f"D{cycle.pk}-{n:05d}", "submitted_at": timezone.now()})
        if stage is not None:
            move_to(application, stage, staff)
        return Application.objects.select_related("current_stage", "category", "cycle").get(pk=application.pk)

    return make


def move_to(application, stage_code: str, staff) -> Application:
    """start_review and advance until the application stands at the stage with this code."""
    if application.status == "submitted":
        apply_transition(application=application, name="start_review", actor=staff)
    while application.current_stage.code != stage_code:
        apply_transition(application=application, name="advance", actor=staff)
    return application


@pytest.fixture
def minimal_png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )


JOINT_UNITS = ["区委组织部", "区委宣传部", "区政府办公室（外事办公室）", "区发展改革委", "区商务委", "区科委",
               "区人力资源社会保障局", "区投促办（金融办）", "区地区办", "临空园区"]


def pass_hongqiao_meetings(cycle, applications, staff, *, held_on=datetime.date(2023, 6, 1)):
    """The joint meeting (all 10 units) approves every candidate, then the secretary meeting does."""
    from awards.models import Stage
    from reviews import services

    selection = Stage.objects.get(cycle=cycle, code="selection")
    joint = services.record_meeting(stage=selection, actor=staff, held_on=held_on, present_units=JOINT_UNITS)
    for application in applications:
        services.record_decision(meeting=joint, application=application, actor=staff, votes_for=9, votes_against=0,
                                 votes_abstain=1)
    services.apply_meeting_outcomes(meeting=joint, actor=staff)
    secretary = services.record_meeting(stage=Stage.objects.get(cycle=cycle, code="secretary-meeting"), actor=staff,
                                        held_on=held_on + datetime.timedelta(days=7), present_units=[],
                                        attendees_text="区委书记专题会")
    for application in applications:
        services.record_decision(meeting=secretary, application=application, actor=staff, outcome="approved",
                                 notes="同意列为获奖建议人选")
    return secretary
