"""The review pipeline as data.

Transitions are rows of a table: name, the statuses it leaves from, where it goes, which roles may
take it, and conditions. Stage-bound transitions ("advance", "fail", "request_supplement") are built
from the cycle's ordered Stage rows, so a programme's pipeline is configuration, not code. Other apps
add conditions for a stage kind through `register_exit_condition` (e.g. 公示 may not be left while an
objection is open). Nothing here writes: reviews.services.apply_transition applies a transition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import rules
from applications.models import Application, ApplicationStatus as S

APPLICANT = "applicant"
NOMINATOR = "nominator"  # the recommender's user who filed a nomination (nominated_by) acts for the nominee
STAFF = "staff"

# A condition returns None when satisfied, or the reason (user-visible text) it is not.
Condition = Callable[[Application], "str | None"]


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[str]
    target: str  # a status, or "next" (the next stage / awarded), or "same"
    roles: frozenset[str]
    conditions: tuple[Condition, ...] = field(default_factory=tuple)
    requires_reason: bool = False
    stage_kinds: frozenset[str] | None = None  # only at stages of these kinds (None: any / no stage)
    notify_event: str | None = None
    bulk: bool = False


def _window_open(application: Application) -> str | None:
    if not application.cycle.is_open():
        return str(_("不在申报时间内，不能提交。"))
    return None


def _review_not_started(application: Application) -> str | None:
    if application.status != S.SUBMITTED:
        return str(_("评审已开始，不能撤回。"))
    return None


# Conditions other apps attach to leaving a stage of a kind (e.g. decisions: objections resolved).
EXIT_CONDITIONS: dict[str, list[Condition]] = {}


def register_exit_condition(stage_kind: str, condition: Condition) -> None:
    if condition not in EXIT_CONDITIONS.setdefault(stage_kind, []):
        EXIT_CONDITIONS[stage_kind].append(condition)


def _stage_exit_allowed(application: Application) -> str | None:
    stage = application.current_stage
    if stage is None:
        return None
    for condition in EXIT_CONDITIONS.get(stage.kind, []):
        reason = condition(application)
        if reason:
            return reason
    return None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _("提交申报"), frozenset({S.DRAFT}), S.SUBMITTED, frozenset({APPLICANT, NOMINATOR}),
               (_window_open,), notify_event="received"),
    Transition("withdraw", _("撤回申报"), frozenset({S.SUBMITTED}), S.WITHDRAWN, frozenset({APPLICANT, NOMINATOR}),
               (_review_not_started,), notify_event="withdrawn"),
    Transition("start_review", _("受理并开始评审"), frozenset({S.SUBMITTED}), "first", frozenset({STAFF}),
               notify_event="accepted", bulk=True),
    Transition("advance", _("通过本环节"), frozenset({S.IN_REVIEW}), "next", frozenset({STAFF}),
               (_stage_exit_allowed,), notify_event="stage_passed", bulk=True),
    Transition("fail", _("不通过"), frozenset({S.IN_REVIEW, S.SUPPLEMENT_REQUESTED}), S.NOT_PASSED, frozenset({STAFF}),
               requires_reason=True, notify_event="stage_failed", bulk=True),
    Transition("request_supplement", _("要求补充材料"), frozenset({S.IN_REVIEW}), S.SUPPLEMENT_REQUESTED,
               frozenset({STAFF}), requires_reason=True, stage_kinds=frozenset({"eligibility", "acceptance"}),
               notify_event="supplement_requested", bulk=True),
    Transition("resubmit", _("提交补充材料"), frozenset({S.SUPPLEMENT_REQUESTED}), S.IN_REVIEW, frozenset({APPLICANT, NOMINATOR}),
               notify_event="supplement_received"),
    Transition("reinstate", _("恢复评审"), frozenset({S.NOT_PASSED}), S.IN_REVIEW, frozenset({STAFF}),
               requires_reason=True, notify_event="reinstated"),  # they were told they failed: tell them it is undone
)

BY_NAME = {t.name: t for t in TRANSITIONS}


def roles_for(application: Application, user) -> set[str]:
    roles: set[str] = set()
    if getattr(user, "is_authenticated", False):
        if application.applicant_id == user.pk:
            roles.add(APPLICANT)
        if application.nominated_by_id and application.nominated_by_id == user.pk:
            roles.add(NOMINATOR)
        if rules.is_review_staff(user, application.cycle.programme.organiser_id):
            roles.add(STAFF)
    return roles


def transition_blockers(application: Application, transition: Transition, user) -> list[str]:
    """Why `user` may not take `transition` now; empty when allowed."""
    if application.status not in transition.sources:
        return [str(_("当前状态（%(s)s）不能执行此操作。") % {"s": application.get_status_display()})]
    if not roles_for(application, user) & transition.roles:
        return [str(_("您无权执行此操作。"))]
    if transition.stage_kinds is not None:
        stage = application.current_stage
        if stage is None or stage.kind not in transition.stage_kinds:
            return [str(_("当前环节不能执行此操作。"))]
    reasons = []
    for condition in transition.conditions:
        reason = condition(application)
        if reason:
            reasons.append(str(reason))
    return reasons


def available_transitions(application: Application, user) -> list[Transition]:
    return [t for t in TRANSITIONS if not transition_blockers(application, t, user)]


def transition_options(application: Application, user, *, roles: frozenset[str] = frozenset({STAFF})) -> list[tuple[Transition, list[str]]]:
    """Transitions a role could take from the current status, each with what blocks it now (for the UI:
    a disabled button with its reason is clearer than a missing one)."""
    options = []
    for transition in TRANSITIONS:
        if not transition.roles & roles or application.status not in transition.sources:
            continue
        options.append((transition, transition_blockers(application, transition, user)))
    return options


def ordered_stages(application: Application) -> list:
    stages = getattr(application.cycle, "_ordered_stages", None)
    if stages is None:
        stages = list(application.cycle.stages.order_by("order"))
        application.cycle._ordered_stages = stages
    return stages


def resolve_target(application: Application, transition: Transition):
    """(status, stage) the application will have after the transition."""
    stages = ordered_stages(application)
    if transition.target == "first":
        return (S.IN_REVIEW, stages[0]) if stages else (S.AWARDED, None)
    if transition.target == "next":
        current = application.current_stage
        later = [s for s in stages if current is None or s.order > current.order]
        if later:
            return S.IN_REVIEW, later[0]
        return S.AWARDED, current
    return transition.target, application.current_stage


def now():
    return timezone.now()
