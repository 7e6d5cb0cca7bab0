"""The scale cycle builder (bench/scale.py) and `seed_demo --applications N`."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Sum

from accounts.models import User
from applications.models import Application, ApplicationStatus, OrganisationProfile, PersonProfile
from awards.models import Cycle
from bench.scale import (
    PANEL_SIZE,
    RANKING_CATEGORY,
    RANKING_STAGE,
    ScaleCycleExists,
    build_scale_cycle,
    credit_code,
    organisation_code_check,
    resident_id,
)
from core.identity import validate_credit_code, validate_resident_id
from core.management.commands.seed_demo import DEMO_PASSWORD
from core.models import ActivityLog
from reviews.models import Assignment, ConflictDeclaration, ItemScore, ScheduleEntry, Scoresheet, SupplementRequest
from reviews.selectors import category_ranking
from tests.conftest import ensure_seeds

N = 120


def test_seed_demo_builds_once_and_then_says_so(seeds, settings):
    # First in the module: it needs a database without the module-wide build below.
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", applications=40, stdout=out)
    assert "scale cycle scale-demo: 40 applications" in out.getvalue()
    assert Application.objects.filter(cycle__code="scale-demo").count() == 40
    assert User.objects.get(username="scale-demo-group").check_password(DEMO_PASSWORD)
    out = io.StringIO()
    call_command("seed_demo", applications=40, stdout=out)
    assert "already built with 40 applications; nothing to do" in out.getvalue()
    with pytest.raises(CommandError, match="exists already with 40 applications"):
        call_command("seed_demo", applications=60, stdout=io.StringIO())
    with pytest.raises(CommandError, match="positive"):
        call_command("seed_demo", applications=-5, stdout=io.StringIO())
    assert Application.objects.filter(cycle__code="scale-demo").count() == 40


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One build for the module, inside a transaction rolled back at the end (tests run in savepoints)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeds()
        staff = User.objects.create_user(username="scale-test-staff", email="scale-test-staff@example.test", password="x-pass-12345")
        yield build_scale_cycle(applications=N, password=DEMO_PASSWORD, actor=staff, ranking_size=15)
        transaction.set_rollback(True)


@pytest.fixture
def scale(built, db):
    return built


def test_credit_codes_pass_the_gb32100_and_gb11714_checks_and_are_unique():
    codes = [credit_code(i) for i in range(0, 50000, 7)]
    assert len(set(codes)) == len(codes)
    for code in codes[:2000]:
        assert validate_credit_code(code) == code
        assert organisation_code_check(code[8:16]) == code[16]
    # The published example of GB 11714: D2143569 → check character X.
    assert organisation_code_check("D2143569") == "X"


def test_resident_ids_are_valid_unique_and_carry_birth_date_and_sex():
    seen = set()
    for i in range(0, 30000, 3):
        number, birth, sex = resident_id(i)
        info = validate_resident_id(number)
        assert (info.birth_date, info.sex) == (birth, sex)
        seen.add(number)
    assert len(seen) == 10000


def test_build_creates_the_planned_counts(scale):
    cycle = Cycle.objects.get(code="scale-demo")
    apps = Application.objects.filter(cycle=cycle)
    assert scale.applications == N == apps.count()
    assert sum(scale.by_category.values()) == N
    assert dict(Counter(apps.values_list("category__code", flat=True))) == scale.by_category
    assert dict(Counter(apps.values_list("status", flat=True))) == scale.by_status
    # The fixed seed spreads the applications over every status the pipeline has before 综合评价.
    assert set(scale.by_status) == {"draft", "submitted", "withdrawn", "in_review", "supplement_requested", "not_passed"}
    assert set(scale.by_category) == {"district-mode", "district-achievement", "gold-mode", "gold-achievement"}
    # Every submitted application is numbered, drafts are not; numbers continue from the sequence.
    assert apps.filter(number__isnull=True).count() == scale.by_status["draft"]
    assert apps.exclude(status=ApplicationStatus.DRAFT).filter(submitted_at__isnull=True).count() == 0


def test_applicants_have_valid_identities(scale):
    orgs = OrganisationProfile.objects.filter(applications__cycle__code="scale-demo").distinct()
    persons = PersonProfile.objects.filter(applications__cycle__code="scale-demo").distinct()
    assert orgs.count() + persons.count() == N
    for org in orgs:
        assert validate_credit_code(org.credit_code) == org.credit_code
    for person in persons:
        info = validate_resident_id(person.id_number)
        assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
        assert validate_credit_code(person.employer_credit_code)
    # Each application's applicant matches its category's kind.
    for app in Application.objects.filter(cycle__code="scale-demo").select_related("category"):
        assert (app.organisation_id is not None) == (app.category.applicant_kind == "organisation")


def test_scores_stay_within_item_maxima_and_totals_add_up(scale):
    items = ItemScore.objects.filter(scoresheet__assignment__application__cycle__code="scale-demo")
    assert items.count() == scale.item_scores
    assert not items.filter(score__gt=F("criterion__max_points")).exists()
    assert not items.filter(score__lt=0).exists()
    sheets = Scoresheet.objects.filter(assignment__application__cycle__code="scale-demo").annotate(sum=Sum("items__score"))
    assert sheets.count() == scale.scoresheets
    for sheet in sheets:
        assert sheet.total == sheet.sum
    # A submitted sheet has every leaf item of its rubric (23 for GB/T 19580) and an opinion.
    submitted = sheets.filter(status=Scoresheet.Status.SUBMITTED, rubric__code__endswith="gbt-19580-2012").annotate(n=Count("items"))  # the template or an organiser's copy
    assert set(submitted.values_list("n", flat=True)) == {23}
    assert not submitted.filter(opinion="").exists()


def test_ranking_set_is_fully_scored_by_the_panel(scale):
    cycle = Cycle.objects.get(code="scale-demo")
    stage = cycle.stages.get(code=RANKING_STAGE)
    category = cycle.categories.get(code=RANKING_CATEGORY)
    assert scale.ranking_applications == 15
    sheets = Scoresheet.objects.filter(assignment__stage=stage, status=Scoresheet.Status.SUBMITTED)
    assert sheets.count() == 15 * PANEL_SIZE
    assert ItemScore.objects.filter(scoresheet__in=sheets).count() == 15 * PANEL_SIZE * 23
    assert ScheduleEntry.objects.filter(stage=stage).count() == 15
    rows = category_ranking(stage=stage, category=category)
    assert len(rows) == 15
    assert all(row.expert_count == PANEL_SIZE and row.score is not None for row in rows)
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)
    # Experts declared (no conflict) before scoring; recused assignments carry a declared conflict.
    for assignment in Assignment.objects.filter(stage__cycle=cycle, scoresheet__isnull=False):
        assert ConflictDeclaration.objects.filter(expert=assignment.expert, application=assignment.application, has_conflict=False).exists()
    for assignment in Assignment.objects.filter(stage__cycle=cycle, status=Assignment.Status.RECUSED):
        assert ConflictDeclaration.objects.get(expert=assignment.expert, application=assignment.application).has_conflict


def test_history_matches_each_state(scale):
    apps = {str(a.pk): a for a in Application.objects.filter(cycle__code="scale-demo")}
    log = ActivityLog.objects.filter(target_type="applications.application", target_id__in=list(apps))
    assert log.count() == scale.log_entries
    by_app = Counter((e.target_id, e.action) for e in log.only("target_id", "action"))
    for pk, app in apps.items():
        assert by_app[(pk, "application.create")] == 1
        assert by_app[(pk, "application.submit")] == (0 if app.status == ApplicationStatus.DRAFT else 1)
        assert by_app[(pk, "application.fail")] == (1 if app.status == ApplicationStatus.NOT_PASSED else 0)
        assert by_app[(pk, "reviews.scores.submit")] == Scoresheet.objects.filter(
            assignment__application_id=pk, status=Scoresheet.Status.SUBMITTED).count()
    assert SupplementRequest.objects.filter(application__cycle__code="scale-demo", resolved_at__isnull=True).count() == scale.by_status[
        "supplement_requested"]


def test_scale_accounts_sign_in_with_the_demo_password(scale, client):
    user = User.objects.get(username=scale.group_username)
    assert user.check_password(DEMO_PASSWORD)
    # A holding group's account that registered some of its subsidiaries: a busy dashboard.
    assert Application.objects.filter(applicant=user).count() == min(20, scale.organisations // 20) >= 2
    client.force_login(user)
    assert client.get("/applications/").status_code == 200


def test_building_twice_is_refused_without_changes(scale):
    before = Application.objects.count()
    with pytest.raises(ScaleCycleExists) as caught:
        build_scale_cycle(applications=N, password=DEMO_PASSWORD)
    assert caught.value.existing == N
    assert Application.objects.count() == before


def test_scores_are_decimal_multiples_of_five_percent(scale):
    for score, max_points in ItemScore.objects.filter(scoresheet__assignment__application__cycle__code="scale-demo").values_list(
            "score", "criterion__max_points")[:2000]:
        assert (score * 20) % max_points == 0, (score, max_points)
