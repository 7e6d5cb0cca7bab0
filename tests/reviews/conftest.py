"""Fixtures for the review workflow: applications moved through the real services, experts, scores."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from applications.models import Application, OrganisationProfile, PersonProfile
from awards.models import Cycle
from awards.rubrics import leaf_criteria
from core.identity import credit_code_check_character, id_check_digit
from reviews import services
from reviews.models import Assignment, ExpertProfile
from reviews.selectors import rubric_for

_serial = itertools.count(1)


def credit_code(n: int) -> str:
    first17 = f"91310105{n:09d}"
    return first17 + credit_code_check_character(first17)


def resident_id(n: int) -> str:
    first17 = f"31010519800101{n % 1000:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture
def open_cycles(seeds):
    """The seed cycles with their application window open now (so submit is allowed)."""
    now = timezone.now()
    Cycle.objects.filter(code__in=list(seeds)).update(
        application_opens_at=now - datetime.timedelta(days=10), application_closes_at=now + datetime.timedelta(days=10)
    )
    return {c.code: c for c in Cycle.objects.select_related("programme__organiser")}


@pytest.fixture
def cn_cycle(open_cycles):
    return open_cycles["changning-quality-2023"]


@pytest.fixture
def xh_cycle(open_cycles):
    return open_cycles["xuhui-quality-5"]


@pytest.fixture
def make_application(make_user, db):
    """An application submitted through apply_transition and moved to `stage` (a stage code) by staff."""

    def make(cycle, category_code="district-mode", *, stage=None, staff=None, org_type="enterprise", name=None,
             applicant=None, person=False, submitted_at=None, recommender=None, snapshot=None, form_data=None,
             nominated_by=None):
        n = next(_serial)
        applicant = applicant or make_user(f"applicant{n}", roles=[(Role.APPLICANT, None)])
        category = cycle.categories.get(code=category_code)
        if person or category.applicant_kind != "organisation":
            profile = PersonProfile.objects.create(
                owner=applicant, name=name or f"申报人{n}", id_type="resident_id", id_number=resident_id(n),
                employer=f"单位{n}", employer_credit_code=credit_code(5000 + n), quality_work_since=datetime.date(2010, 1, 1))
            kwargs = {"person": profile}
        else:
            profile = OrganisationProfile.objects.create(
                owner=applicant, name=name or f"示例企业{n}有限公司", credit_code=credit_code(n), org_type=org_type,
                registered_district=cycle.programme.organiser.short_name, established_on=datetime.date(2010, 1, 1),
                legal_representative="法人", contact_name="联系人", contact_mobile="13800000000")
            kwargs = {"organisation": profile}
        application = Application.objects.create(cycle=cycle, category=category, applicant=applicant, recommender=recommender,
                                                 nominated_by=nominated_by,
                                                 form_data=form_data or {"summary": {"text": "申报书"}}, **kwargs)
        services.apply_transition(application=application, name="submit", actor=applicant, extra={
            "number": f"T{cycle.pk}-{n:05d}", "submitted_at": submitted_at or timezone.now(),
            "eligibility_snapshot": snapshot})
        if stage is not None:
            services.apply_transition(application=application, name="start_review", actor=staff)
            while application.current_stage.code != stage:
                services.apply_transition(application=application, name="advance", actor=staff)
        return Application.objects.get(pk=application.pk)

    return make


@pytest.fixture
def make_expert(make_user, organisers):
    def make(organiser="changning", *, name=None, username=None, **fields):
        n = next(_serial)
        org = organisers[organiser]
        user = make_user(username or f"expert{n}", roles=[(Role.EXPERT, org)])
        return ExpertProfile.objects.create(user=user, organiser=org, name=name or f"专家{n}",
                                            employer=fields.pop("employer", f"专家单位{n}"), **fields)

    return make


def score_application(application, stage, totals, *, staff, make_expert, organiser="changning"):
    """Have one new expert per total submit a scoresheet whose items add up to that total."""
    experts = []
    for total in totals:
        expert = make_expert(organiser)
        assignment = services.assign_expert(stage=stage, application=application, expert=expert, actor=staff)
        services.declare_conflict(expert=expert, application=application, has_conflict=False, reason="", actor=expert.user)
        submit_total(assignment, Decimal(str(total)))
        experts.append(expert)
    return experts


def submit_total(assignment: Assignment, total: Decimal, opinion: str = "同意") -> None:
    """Spread `total` over the rubric's items, filling each up to its maximum, and submit."""
    criteria = leaf_criteria(rubric_for(assignment.application))
    remaining = total
    scores = {}
    for criterion in criteria:
        part = min(criterion.max_points, remaining)
        scores[criterion.pk] = part
        remaining -= part
    assert remaining == 0
    services.save_scores(assignment=Assignment.objects.get(pk=assignment.pk), scores=scores, opinion=opinion,
                         actor=assignment.expert.user, submit=True)
