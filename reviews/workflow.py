"""The review pipeline as data: two tables, and nothing here writes.

STAGE_KINDS says, for each kind of stage a programme's pipeline may contain, which parameters it takes (with
their defaults and validation), whose work it waits for, what it allows (expert assignment, scoring, supplement
requests) and the conditions for leaving it. A programme's pipeline is its ordered Stage rows, each of a kind
here: a new kind of stage is one entry in STAGE_KINDS (and its label in awards.models.StageKind).

TRANSITIONS are the moves of an application: name, the statuses it leaves from, where it goes, which roles may
take it, and conditions. "advance" leaves the current stage only when that stage kind's exit conditions hold.
reviews.services.transitions.apply_transition is the one code that applies a transition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import rules
from applications.models import Application
from applications.models import ApplicationStatus as S
from awards.models import StageKind
from reviews import conditions, scoring
from reviews.selectors.cycles import cycle_stages

APPLICANT = "applicant"
NOMINATOR = "nominator"  # the recommender's user who filed a nomination (nominated_by) acts for the nominee
STAFF = "staff"
EXPERT = "expert"
REVIEW_BODY = "review_body"  # a meeting of a review body; staff record what it decided
PUBLIC = "public"  # anyone may object during a 公示

# A condition returns None when satisfied, or the reason (user-visible text) it is not.
Condition = Callable[[Application], "str | None"]


# ---------------------------------------------------------------------------------------------
# Stage kinds


@dataclass(frozen=True)
class Param:
    """One parameter of a stage kind: its default and a check that returns the problem, or None."""

    label: str
    default: Any
    check: Callable[[Any], str | None] | None = None
    choices: tuple[tuple[str, Any], ...] = ()  # (value, label) for a parameter that is one of a list

    def choice_label(self, value) -> str:
        """The label of one of this parameter's choices (the value itself when it is not one of them)."""
        return str(dict(self.choices).get(value, value))


def _positive_int(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return _("应为正整数。")
    return None


def _one_of(*options: str) -> Callable[[Any], str | None]:
    def check(value) -> str | None:
        return None if value in options else _("应为 %(opts)s 之一。") % {"opts": ", ".join(options)}

    return check


def _percent(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100:
        return _("应为大于0且不超过100的百分数。")
    return None


def _flag(value) -> str | None:
    return None if isinstance(value, bool) else _("应为 true 或 false。")


def _text(value) -> str | None:
    return None if isinstance(value, str) else _("应为文字。")


def _list(value) -> str | None:
    return None if isinstance(value, list) else _("应为列表。")


def _weights(weights) -> str | None:
    if not isinstance(weights, dict) or not weights:
        return _("综合评价须给出各环节权重 weights。")
    total = Decimal(0)
    for stage_code, weight in weights.items():
        try:
            value = Decimal(str(weight))
        except InvalidOperation:
            return _("环节 %(s)s 的权重不是数字。") % {"s": stage_code}
        if value <= 0:
            return _("环节 %(s)s 的权重必须大于0。") % {"s": stage_code}
        total += value
    if total != 1:
        return _("各环节权重之和应为1，当前为 %(t)s。") % {"t": total}
    return None


def _required_text(value) -> str | None:
    return None if isinstance(value, str) and value.strip() else _("必填。")


# The aggregation methods of a scored stage, with the labels pages and documents state them by: one table,
# next to their arithmetic in reviews.scoring; here they are the choices of the "aggregation" parameter.
AGGREGATION_CHOICES = scoring.AGGREGATION_CHOICES
AGGREGATIONS = tuple(value for value, _label in AGGREGATION_CHOICES)
SCHEDULING = ("none", "presentation", "site_visit")
SPAN_UNITS = ("working_days", "calendar_days")
MEETING_DECISIONS = ("votes", "recorded")

# Every kind accepts these: texts shown to applicants and whether they are told when the stage is passed.
COMMON_PARAMS: dict[str, Param] = {
    "description": Param(gettext_lazy("说明"), "", _text),
    "description_en": Param(gettext_lazy("英文说明"), "", _text),
    "notify_applicant": Param(gettext_lazy("通知申报人"), True, _flag),
}


@dataclass(frozen=True)
class StageKindSpec:
    kind: str
    params: dict[str, Param]
    acted_on_by: frozenset[str]  # whose work the stage waits for
    exit_conditions: tuple[Condition, ...] = ()
    assigns_experts: bool = False  # experts are assigned and score here
    ranked: bool = False  # has a score per application, a ranking and a cut-off
    supplements: bool = False  # staff may ask the applicant for supplementary material (补正) here

    def defaults(self) -> dict[str, Any]:
        return {name: param.default for name, param in self.params.items()}


STAGE_KINDS: dict[str, StageKindSpec] = {
    spec.kind: spec
    for spec in (
        StageKindSpec(
            StageKind.ACCEPTANCE, {}, acted_on_by=frozenset({STAFF}), supplements=True,
        ),
        StageKindSpec(
            StageKind.ELIGIBILITY,
            {"supplement_working_days": Param(gettext_lazy("补正期限（工作日）"), 10, _positive_int)},
            acted_on_by=frozenset({STAFF}),
            exit_conditions=(conditions.eligibility_decided,),
            supplements=True,
        ),
        StageKindSpec(
            StageKind.SCORED_REVIEW,
            {
                "aggregation": Param(gettext_lazy("汇总方式"), "mean", _one_of(*AGGREGATIONS), AGGREGATION_CHOICES),
                "experts_per_application": Param(gettext_lazy("每份申报的评审专家人数"), 5, _positive_int),
                "scheduling": Param(gettext_lazy("安排方式"), "none", _one_of(*SCHEDULING)),
                # A wide spread (意见分歧): range above this % of the rubric's points, or σ above the next.
                "disagreement_spread_percent": Param(gettext_lazy("意见分歧：极差超过总分的百分比"), scoring.DISAGREEMENT_SPREAD_PERCENT, _percent),
                "disagreement_std_percent": Param(gettext_lazy("意见分歧：标准差超过总分的百分比"), scoring.DISAGREEMENT_STD_PERCENT, _percent),
                # An outlier expert: mean deviation from the rest of the panel above this % of the rubric's
                # points, over at least outlier_min_applications applications scored with others.
                "outlier_percent": Param(gettext_lazy("专家偏离：平均偏差超过总分的百分比"), scoring.OUTLIER_PERCENT, _percent),
                "outlier_min_applications": Param(gettext_lazy("专家偏离：至少共同评审的申报数"), scoring.OUTLIER_MIN_APPLICATIONS, _positive_int),
                # Experts are reminded this many working days before planned_end with sheets not submitted.
                "reminder_working_days": Param(gettext_lazy("评分截止提醒（提前工作日）"), 3, _positive_int),
            },
            acted_on_by=frozenset({EXPERT, STAFF}),
            exit_conditions=(conditions.scores_complete,),
            assigns_experts=True,
            ranked=True,
        ),
        StageKindSpec(
            StageKind.COMPREHENSIVE,
            {
                "weights": Param(gettext_lazy("各环节权重"), {}, _weights),
                "tie_breaks": Param(gettext_lazy("同分排序依据"), [], _list),
            },
            acted_on_by=frozenset({STAFF}),
            ranked=True,
        ),
        StageKindSpec(
            StageKind.MEETING,
            {
                "body": Param(gettext_lazy("评审机构"), "", _required_text),
                "decision": Param(gettext_lazy("决定方式"), "votes", _one_of(*MEETING_DECISIONS)),
            },
            acted_on_by=frozenset({REVIEW_BODY, STAFF}),
            exit_conditions=(conditions.meeting_decided,),
        ),
        StageKindSpec(
            StageKind.PUBLICITY,
            {
                "span": Param(gettext_lazy("公示期"), 5, _positive_int),
                "unit": Param(gettext_lazy("公示期单位"), "working_days", _one_of(*SPAN_UNITS)),
            },
            acted_on_by=frozenset({STAFF, PUBLIC}),
            exit_conditions=(conditions.publicity_passed,),
        ),
        StageKindSpec(
            StageKind.APPROVAL,
            {"approving_body": Param(gettext_lazy("批准机关"), "", _text)},
            acted_on_by=frozenset({STAFF}),
            exit_conditions=(conditions.approval_recorded,),
        ),
        StageKindSpec(
            StageKind.AWARD, {}, acted_on_by=frozenset({STAFF}), exit_conditions=(conditions.award_completed,),
        ),
    )
}


def kind_spec(kind: str) -> StageKindSpec:
    return STAGE_KINDS[kind]


def param_choice_label(kind: str, name: str, value) -> str:
    """The words for a parameter's value (e.g. aggregation "trimmed_mean" → 去掉一个最高分…), or the value."""
    param = STAGE_KINDS[kind].params.get(name) if kind in STAGE_KINDS else None
    return param.choice_label(value) if param is not None else str(value)


def kinds_where(trait: str) -> frozenset[str]:
    """The stage kinds with a trait of StageKindSpec, e.g. kinds_where("ranked")."""
    return frozenset(kind for kind, spec in STAGE_KINDS.items() if getattr(spec, trait))


def validate_stage_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a stage of `kind` with the defaults filled in; ValidationError naming the problem.
    The loader, the admin and every other entry point that saves a stage call this."""
    spec = STAGE_KINDS.get(kind)
    if spec is None:
        raise ValidationError(_("未知的环节类型“%(kind)s”。") % {"kind": kind})
    if not isinstance(params, dict):
        raise ValidationError(_("环节参数必须是键值对。"))
    accepted = {**spec.params, **COMMON_PARAMS}
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValidationError(_("“%(kind)s”环节不接受参数：%(names)s") % {"kind": kind, "names": ", ".join(unknown)})
    cleaned = {**spec.defaults(), **params}
    for name, value in cleaned.items():
        param = accepted[name]
        problem = param.check(value) if param.check else None
        if problem:
            raise ValidationError(_("%(label)s（%(key)s）：%(problem)s") % {"label": param.label, "key": name, "problem": problem})
    return cleaned


def _stage_exit_allowed(application: Application) -> str | None:
    stage = application.current_stage
    if stage is None:
        return None
    for condition in STAGE_KINDS[stage.kind].exit_conditions:
        reason = condition(application)
        if reason:
            return reason
    return None


def _enters_publicity_only_by_publishing(application: Application) -> str | None:
    """An application enters a 公示 stage only when the office publishes the 公示 with it on the list.

    publish_publicity creates the Publicity row first and then advances the listed candidates, so this holds
    exactly on that path. Without it, "通过本环节", a meeting outcome or a cut-off would put a candidate into
    公示 where it can never be listed, published or moved back.
    """
    status, next_stage = resolve_target(application, BY_NAME["advance"])
    if status != S.IN_REVIEW or next_stage is None or next_stage.kind != StageKind.PUBLICITY:
        return None
    return conditions.listed_and_published(application, next_stage)


# ---------------------------------------------------------------------------------------------
# Transitions


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset[str]
    target: str  # a status, or "first" / "next" (the first / next stage, or awarded after the last)
    roles: frozenset[str]
    conditions: tuple[Condition, ...] = field(default_factory=tuple)
    requires_reason: bool = False
    stage_trait: str | None = None  # only at stages whose kind has this StageKindSpec trait
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


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", gettext_lazy("提交申报"), frozenset({S.DRAFT}), S.SUBMITTED, frozenset({APPLICANT, NOMINATOR}),
               (_window_open,), notify_event="received"),
    Transition("withdraw", gettext_lazy("撤回申报"), frozenset({S.SUBMITTED}), S.WITHDRAWN, frozenset({APPLICANT, NOMINATOR}),
               (_review_not_started,), notify_event="withdrawn"),
    Transition("start_review", gettext_lazy("受理并开始评审"), frozenset({S.SUBMITTED}), "first", frozenset({STAFF}),
               notify_event="accepted", bulk=True),
    # The stage's own exit conditions come first, so its refusal (e.g. a meeting's decision) is the one shown first.
    Transition("advance", gettext_lazy("通过本环节"), frozenset({S.IN_REVIEW}), "next", frozenset({STAFF}),
               (_stage_exit_allowed, _enters_publicity_only_by_publishing), notify_event="stage_passed", bulk=True),
    Transition("fail", gettext_lazy("不通过"), frozenset({S.IN_REVIEW, S.SUPPLEMENT_REQUESTED}), S.NOT_PASSED, frozenset({STAFF}),
               requires_reason=True, notify_event="stage_failed", bulk=True),
    Transition("request_supplement", gettext_lazy("要求补充材料"), frozenset({S.IN_REVIEW}), S.SUPPLEMENT_REQUESTED,
               frozenset({STAFF}), requires_reason=True, stage_trait="supplements", notify_event="supplement_requested", bulk=True),
    Transition("resubmit", gettext_lazy("提交补充材料"), frozenset({S.SUPPLEMENT_REQUESTED}), S.IN_REVIEW, frozenset({APPLICANT, NOMINATOR}),
               notify_event="supplement_received"),
    Transition("reinstate", gettext_lazy("恢复评审"), frozenset({S.NOT_PASSED}), S.IN_REVIEW, frozenset({STAFF}),
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
    if transition.stage_trait is not None:
        stage = application.current_stage
        if stage is None or not getattr(STAGE_KINDS[stage.kind], transition.stage_trait):
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


def resolve_target(application: Application, transition: Transition):
    """(status, stage) the application will have after the transition."""
    stages = cycle_stages(application.cycle)
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
