"""Every transition for each role that may and may not take it, and the one writer of status."""

import ast
import pathlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.models import Role
from applications.models import Application, ApplicationStatus as S
from reviews import workflow
from reviews.services import TransitionError, apply_transition

pytestmark = pytest.mark.django_db

ROLES = ("applicant", "nominator", "staff", "other_staff", "expert", "stranger")


@pytest.fixture
def actors(make_user, organisers, cn_staff):
    return {
        "staff": cn_staff,
        "other_staff": make_user("xh-staff-t", roles=[(Role.STAFF, organisers["xuhui"])]),
        "expert": make_user("cn-expert-t", roles=[(Role.EXPERT, organisers["changning"])]),
        "stranger": make_user("stranger", roles=[(Role.APPLICANT, None)]),
        "nominator": make_user("cn-rec-t", roles=[(Role.RECOMMENDER, organisers["changning"])]),
    }


def _draft(cn_cycle, make_application, actors):
    from applications.models import OrganisationProfile
    from tests.reviews.conftest import credit_code

    app = make_application(cn_cycle, stage="eligibility", staff=actors["staff"])  # for a template applicant/profile
    owner = app.applicant
    org = OrganisationProfile.objects.create(owner=owner, name="草稿企业", credit_code=credit_code(99001), org_type="enterprise",
                                             registered_district="长宁区", established_on="2010-01-01", legal_representative="x",
                                             contact_name="x", contact_mobile="13800000000")
    return Application.objects.create(cycle=cn_cycle, category=app.category, applicant=owner, organisation=org,
                                      nominated_by=actors["nominator"])


def _at(status_plan, cn_cycle, make_application, actors):
    """An application in the state each transition starts from."""
    staff = actors["staff"]
    if status_plan == "draft":
        return _draft(cn_cycle, make_application, actors)
    if status_plan == "submitted":
        return make_application(cn_cycle, nominated_by=actors["nominator"])
    app = make_application(cn_cycle, stage="eligibility", staff=staff, nominated_by=actors["nominator"])
    if status_plan == "in_review":
        return app
    if status_plan == "supplement_requested":
        apply_transition(application=app, name="request_supplement", actor=staff, reason="补充")
    elif status_plan == "not_passed":
        apply_transition(application=app, name="fail", actor=staff, reason="不符合")
    return Application.objects.get(pk=app.pk)


ALLOWED = {
    "submit": ("draft", {"applicant", "nominator"}),
    "withdraw": ("submitted", {"applicant", "nominator"}),
    "start_review": ("submitted", {"staff"}),
    "advance": ("in_review", {"staff"}),
    "fail": ("in_review", {"staff"}),
    "request_supplement": ("in_review", {"staff"}),
    "resubmit": ("supplement_requested", {"applicant", "nominator"}),
    "reinstate": ("not_passed", {"staff"}),
}
EXPECTED = {
    "submit": (S.SUBMITTED, None), "withdraw": (S.WITHDRAWN, None), "start_review": (S.IN_REVIEW, "eligibility"),
    "advance": (S.IN_REVIEW, "material-review"), "fail": (S.NOT_PASSED, "eligibility"),
    "request_supplement": (S.SUPPLEMENT_REQUESTED, "eligibility"), "resubmit": (S.IN_REVIEW, "eligibility"),
    "reinstate": (S.IN_REVIEW, "eligibility"),
}


def test_the_table_covers_every_transition():
    assert set(ALLOWED) == set(workflow.BY_NAME)


@pytest.mark.parametrize("name", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_or_may_not_take_each_transition(name, role, cn_cycle, make_application, actors):
    source, allowed_roles = ALLOWED[name]
    app = _at(source, cn_cycle, make_application, actors)
    actor = app.applicant if role == "applicant" else actors[role]
    offered = name in {t.name for t in workflow.available_transitions(app, actor)}
    if role in allowed_roles:
        assert offered
        apply_transition(application=app, name=name, actor=actor, reason="理由")
        app = Application.objects.select_related("current_stage").get(pk=app.pk)
        status, stage = EXPECTED[name]
        assert (app.status, app.current_stage.code if app.current_stage else None) == (status, stage)
    else:
        assert not offered
        with pytest.raises(TransitionError):
            apply_transition(application=app, name=name, actor=actor, reason="理由")
        assert Application.objects.get(pk=app.pk).status == source


def test_a_transition_from_the_wrong_status_is_refused(cn_cycle, make_application, cn_staff):
    app = make_application(cn_cycle)
    with pytest.raises(TransitionError, match="当前状态"):
        apply_transition(application=app, name="advance", actor=cn_staff)


def test_fail_needs_a_reason(cn_cycle, make_application, cn_staff):
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    with pytest.raises(TransitionError, match="理由"):
        apply_transition(application=app, name="fail", actor=cn_staff, reason="  ")


def test_transition_is_logged_with_from_to_and_reason(cn_cycle, make_application, cn_staff):
    from core.models import ActivityLog

    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff)
    apply_transition(application=app, name="fail", actor=cn_staff, reason="注册地不在本区")
    entry = ActivityLog.objects.filter(target_id=str(app.pk), action="application.fail").get()
    assert (entry.actor, entry.before, entry.after, entry.reason) == (
        cn_staff, {"status": "in_review", "stage": "eligibility"}, {"status": "not_passed", "stage": "eligibility"}, "注册地不在本区")


def test_eligibility_cannot_be_passed_while_a_rule_result_is_unconfirmed(cn_cycle, make_application, cn_staff):
    from reviews.services import record_eligibility_finding

    snapshot = {"results": [{"key": "years_operating:1", "label": "正常运行3年以上", "outcome": "needs_review", "reason": "无法确认"}]}
    app = make_application(cn_cycle, stage="eligibility", staff=cn_staff, snapshot=snapshot)
    with pytest.raises(TransitionError, match="未确认"):
        apply_transition(application=app, name="advance", actor=cn_staff)
    record_eligibility_finding(application=app, rule_key="years_operating:1", label="正常运行3年以上", automatic_result="review",
                               result="pass", reason="营业执照显示2010年成立", actor=cn_staff)
    apply_transition(application=app, name="advance", actor=cn_staff)
    assert Application.objects.get(pk=app.pk).current_stage.code == "material-review"


# ---- the one writer of status --------------------------------------------------------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "node_modules", "var", "static", "templates", "locale", "bench"}
WRITER = ROOT / "reviews" / "services" / "transitions.py"


def _python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts[:-1]):
            yield path


def _looks_like_application(expr: ast.AST) -> bool:
    text = ast.unparse(expr).lower()
    return "app" in text or "locked" in text


def _root_name(expr: ast.AST) -> str:
    while isinstance(expr, (ast.Attribute, ast.Call, ast.Subscript)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else ""


def _is_application_queryset(expr: ast.AST) -> bool:
    """Application.objects… or a variable named after applications (not Nomination.objects… etc.)."""
    root = _root_name(expr)
    if ".objects" in ast.unparse(expr):
        return root == "Application"
    return "app" in root.lower()


def status_writes(path: pathlib.Path) -> list[str]:
    """Assignments to <application>.status / .current_stage(_id), and update(status=…/current_stage=…)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in {"status", "current_stage", "current_stage_id"} \
                    and _looks_like_application(target.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(target)} =")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"update", "bulk_update"}:
            keys = {k.arg for k in node.keywords} | {
                e.value for a in node.args for e in getattr(a, "elts", []) if isinstance(e, ast.Constant)}
            if keys & {"status", "current_stage", "current_stage_id"} and _is_application_queryset(node.func.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_only_the_transition_service_writes_application_status():
    offenders = [hit for path in _python_files() if path != WRITER for hit in status_writes(path)]
    assert offenders == []


def test_the_scan_finds_a_status_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("application.status = 'awarded'\nApplication.objects.filter(pk=1).update(status='x')\n", encoding="utf-8")
    global ROOT
    old, ROOT = ROOT, tmp_path
    try:
        assert len(status_writes(sample)) == 2
    finally:
        ROOT = old
    assert status_writes(WRITER)  # the service itself does write it


def test_the_model_refuses_a_status_change_outside_the_service(cn_cycle, make_application):
    app = make_application(cn_cycle)
    app.status = S.AWARDED
    with pytest.raises(ImproperlyConfigured):
        app.save()
    with pytest.raises(ImproperlyConfigured):
        Application.objects.filter(pk=app.pk).update(status=S.AWARDED)
    fresh = Application.objects.get(pk=app.pk)
    fresh.status = S.AWARDED
    with pytest.raises(ImproperlyConfigured), transaction.atomic():
        Application.objects.bulk_update([fresh], ["status"])
    assert Application.objects.get(pk=app.pk).status == S.SUBMITTED
