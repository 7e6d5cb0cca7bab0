"""Winners, a 公示 and an approval built straight in the database, for document tests and the bench.

These write other apps' tables directly (not through their services): the documents app only
reads them, and the tests here are about what the documents show.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import User
from applications.models import Application, ApplicationStatus, OrganisationProfile, PersonProfile
from awards.models import ApplicantKind, Cycle, StageKind


def _user(username: str) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.test"})
    return user


def make_application(cycle: Cycle, category, index: int, *, name: str | None = None, status=ApplicationStatus.AWARDED,
                     current_stage=None) -> Application:
    owner = _user(f"applicant-{cycle.pk}-{category.pk}-{index}")
    common = dict(
        number=f"{cycle.code.upper()}-{category.order:02d}-{index:04d}",
        cycle=cycle,
        category=category,
        applicant=owner,
        status=status,
        current_stage=current_stage,
        form_data={"overview": f"第{index}号申报对象的概况。\n坚持质量第一。", "figures": {"2022": {"revenue": "1200", "profit": "80", "policy_loss": False}}},
        submitted_at=datetime.datetime(2023, 3, 1, 10, 0, tzinfo=datetime.timezone.utc),
    )
    if category.applicant_kind == ApplicantKind.ORGANISATION:
        organisation = OrganisationProfile.objects.create(
            owner=owner,
            name=name or f"上海长宁示范企业{index}有限公司",
            credit_code=f"9131{category.pk % 1000:03d}{index:011d}",  # 18 characters whatever the pk
            org_type="enterprise",
            registered_district="长宁区",
            established_on=datetime.date(2010, 1, 1),
            legal_representative="王某",
            contact_name="李某",
            contact_mobile="13800000000",
        )
        return Application.objects.create(organisation=organisation, **common)
    foreign = category.applicant_kind == ApplicantKind.FOREIGN_INDIVIDUAL
    person = PersonProfile.objects.create(
        owner=owner,
        name=name or (f"John Smith {index}" if foreign else f"张{index}"),
        id_type="passport" if foreign else "resident_id",
        id_number=f"E{category.pk:03d}{index:05d}" if foreign else f"310105198001{category.pk % 100:02d}{index:04d}",
        nationality="英国" if foreign else "中国",
        employer="上海某某有限公司",
        position="质量总监",
    )
    return Application.objects.create(person=person, **common)


def make_winners(cycle: Cycle, *, per_category: int | None = None, names: dict | None = None, approved_on=datetime.date(2023, 12, 20)):
    """Awards for the cycle: `per_category` winners per category (default: its quota)."""
    from reviews.models import Approval, Award, Recommendation

    staff = _user("documents-staff")
    stages = {stage.kind: stage for stage in cycle.stages.all()}
    source = stages.get(StageKind.COMPREHENSIVE) or stages.get(StageKind.MEETING) or cycle.stages.first()
    approval = Approval.objects.create(
        cycle=cycle,
        stage=stages[StageKind.APPROVAL],
        approved_on=approved_on,
        approving_body="上海市长宁区人民政府",
        document_number="长府〔2023〕88号",
        recorded_by=staff,
    )
    awards = []
    for category in cycle.categories.all():
        count = per_category if per_category is not None else (category.quota or 0)
        for index in range(1, count + 1):
            name = (names or {}).get((category.code, index))
            application = make_application(cycle, category, index, name=name)
            recommendation = Recommendation.objects.create(
                cycle=cycle, category=category, application=application, source_stage=source,
                source="ranking", rank=index, added_by=staff,
            )
            awards.append(Award.objects.create(
                cycle=cycle, category=category, application=application, approval=approval,
                recommendation=recommendation, prize_amount=category.prize_amount,
            ))
    return approval, awards


def make_publicity(cycle: Cycle, *, start=datetime.date(2023, 11, 27), end=datetime.date(2023, 12, 1)):
    from reviews.models import Publicity

    stage = cycle.stages.get(kind=StageKind.PUBLICITY)
    return Publicity.objects.create(
        cycle=cycle, stage=stage, title=f"{cycle.programme.name}（{cycle.name}）拟表彰对象公示",
        notice="经评审，现将拟表彰对象名单予以公示。", start_date=start, end_date=end, span=5, unit="working_days",
        contact="021-22051448", published_by=_user("documents-staff"),
    )


def prize_total(cycle: Cycle) -> Decimal:
    return sum(((c.prize_amount or 0) * (c.quota or 0) for c in cycle.categories.all()), Decimal(0))


def make_scores(cycle: Cycle, stage_code: str, *, experts: int = 9, per_category: int = 3, base: int = 800):
    """Submitted scoresheets of `experts` experts for `per_category` applications of every category at a
    scored stage: totals differ per expert and application (e.g. 812.25, 867.50), so that columns can be told apart."""
    from reviews.models import Assignment, ExpertProfile, Scoresheet

    staff = _user("documents-staff")
    stage = cycle.stages.get(code=stage_code)
    panel = [
        ExpertProfile.objects.get_or_create(user=_user(f"expert-{cycle.pk}-{number}"), organiser=cycle.programme.organiser,
                                            defaults={"name": f"评审专家{number}", "employer": "某某大学"})[0]
        for number in range(1, experts + 1)
    ]
    first = 100 * stage.order
    applications = []
    for category in cycle.categories.all():
        rubric = _rubric(category)
        for index in range(1, per_category + 1):
            application = make_application(cycle, category, first + index, status=ApplicationStatus.IN_REVIEW, current_stage=stage)
            applications.append(application)
            for number, expert in enumerate(panel, start=1):
                assignment = Assignment.objects.create(stage=stage, application=application, expert=expert, assigned_by=staff)
                total = Decimal(base + 37 * index + 11 * number) + Decimal("0.25") * (number % 4)
                Scoresheet.objects.create(assignment=assignment, rubric=rubric, status=Scoresheet.Status.SUBMITTED,
                                          total=total, submitted_at=datetime.datetime(2023, 6, 1, 9, number, tzinfo=datetime.timezone.utc))
    return stage, panel, applications


def _rubric(category):
    from awards.models import CategoryRubric

    return CategoryRubric.objects.filter(category=category).select_related("rubric").first().rubric
