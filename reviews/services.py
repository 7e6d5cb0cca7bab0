"""Writes of the review workflow. apply_transition is the only code that changes an application's status.

Every other write of the reviews app lives here too: 资格审查 findings and supplement requests, the
expert pool, panels and assignments, conflict declarations (回避), scoresheets, schedules (陈述答辩 /
现场评审) and cut-offs. Each is keyword-only, runs in one transaction and writes the activity log.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, ApplicationStatus
from awards.models import Organiser, Stage
from awards.rubrics import leaf_criteria
from core.services import log_activity, model_snapshot, notify
from core.workdays import CalendarCoverageError, add_working_days

from . import workflow
from .conflicts import conflict_reasons
from .models import (
    Assignment,
    ConflictDeclaration,
    CutoffDecision,
    EligibilityFinding,
    ExpertPanel,
    ExpertProfile,
    ItemScore,
    ScheduleEntry,
    Scoresheet,
    SupplementRequest,
)


class TransitionError(Exception):
    """The transition is not allowed now; the message says why, in the user's language."""


def apply_transition(*, application: Application, name: str, actor, reason: str = "", extra: dict | None = None) -> Application:
    """Check the workflow table, lock the row, change status/stage, log, and notify after commit."""
    transition = workflow.BY_NAME.get(name)
    if transition is None:
        raise TransitionError(_("未知的操作：%(name)s") % {"name": name})
    with transaction.atomic():
        locked = (
            # of=("self",): lock only the application row; PostgreSQL refuses FOR UPDATE on the
            # nullable side of the outer join to current_stage.
            Application.objects.select_for_update(of=("self",))
            .select_related("cycle__programme__organiser", "category", "current_stage", "applicant")
            .get(pk=application.pk)
        )
        blockers = workflow.transition_blockers(locked, transition, actor)
        if blockers:
            raise TransitionError("；".join(blockers))
        if transition.requires_reason and not reason.strip():
            raise TransitionError(_("请填写理由。"))
        before = {"status": locked.status, "stage": locked.current_stage.code if locked.current_stage else None}
        from_stage = locked.current_stage
        status, stage = workflow.resolve_target(locked, transition)
        locked.status = status
        locked.current_stage = stage
        for key, value in (extra or {}).items():
            setattr(locked, key, value)
        locked._transition_in_progress = True
        try:
            locked.save()
        finally:
            locked._transition_in_progress = False
        after = {"status": locked.status, "stage": stage.code if stage else None}
        _after_transition(locked, transition, before["status"], actor)
        log_activity(
            actor=actor,
            action=f"application.{transition.name}",
            target=locked,
            before=before,
            after=after,
            reason=reason,
            organiser=locked.cycle.programme.organiser,
        )
        silent_stage = transition.name == "advance" and from_stage is not None and from_stage.params.get("notify_applicant") is False
        if transition.notify_event and not silent_stage:
            notify(
                recipient=locked.applicant,
                event=transition.notify_event,
                template=f"emails/application_{transition.notify_event}.txt",
                context={"application": locked, "reason": reason, "from_stage": from_stage, "stage": stage},
                application=locked,
            )
    application.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_state")})
    application.current_stage = locked.current_stage  # the cached relation too, not only current_stage_id
    application._saved_state = (locked.status, locked.current_stage_id)
    return locked


def _after_transition(application: Application, transition, from_status: str, actor) -> None:
    """Side effects of a transition on review data, inside the same transaction."""
    if from_status == ApplicationStatus.SUPPLEMENT_REQUESTED and application.status != ApplicationStatus.SUPPLEMENT_REQUESTED:
        for request in SupplementRequest.objects.select_for_update().filter(application=application, resolved_at__isnull=True):
            request.resolved_at = timezone.now()
            request.save(update_fields=["resolved_at"])
            log_activity(
                actor=actor,
                action="reviews.supplement.resolved" if transition.name == "resubmit" else "reviews.supplement.closed",
                target=application,
                after={"supplement_request": request.pk, "due_on": request.due_on, "resolved_at": request.resolved_at,
                       "overdue": request.resolved_at.date() > request.due_on},
            )


# ---------------------------------------------------------------------------------------------
# Bulk transitions from the staff queue


@dataclass
class BulkOutcome:
    application: Application
    ok: bool
    message: str


BULK_ACTIONS = ("start_review", "advance", "request_supplement", "fail")


def bulk_transition(
    *, applications, name: str, actor, reason: str = "", sections: list[str] | None = None, working_days: int | None = None
) -> list[BulkOutcome]:
    """Apply one action to many applications, each in its own transaction, and say how each went."""
    if name not in BULK_ACTIONS:
        raise TransitionError(_("不支持批量执行此操作。"))
    outcomes = []
    for application in applications:
        try:
            if name == "request_supplement":
                request_supplement(application=application, sections=sections or [], message=reason,
                                   working_days=working_days, actor=actor)
            else:
                apply_transition(application=application, name=name, actor=actor, reason=reason)
        except (TransitionError, ValidationError) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            outcomes.append(BulkOutcome(application, False, message))
        else:
            outcomes.append(BulkOutcome(application, True, str(workflow.BY_NAME[name].label)))
    return outcomes


# ---------------------------------------------------------------------------------------------
# 资格审查: findings, re-run, supplements


def record_eligibility_finding(
    *, application: Application, rule_key: str, label: str, automatic_result: str, result: str, reason: str, actor
) -> EligibilityFinding:
    """Staff confirm an automatic result or override it. A changed result, or a result for a rule the
    engine could not decide, needs a reason. Logged with before and after."""
    if result not in (EligibilityFinding.Result.PASS, EligibilityFinding.Result.FAIL):
        raise ValidationError(_("请选择“符合”或“不符合”。"))
    overridden = result != automatic_result
    if overridden and not reason.strip():
        raise ValidationError(_("改判或人工认定须填写理由。"))
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        finding = EligibilityFinding.objects.filter(application=application, rule_key=rule_key).first()
        before = model_snapshot(finding, ["result", "overridden", "reason"]) if finding else None
        if finding is None:
            finding = EligibilityFinding(application=application, rule_key=rule_key)
        finding.label = label[:300]
        finding.automatic_result = automatic_result
        finding.result = result
        finding.overridden = overridden
        finding.reason = reason.strip()
        finding.decided_by = actor
        finding.decided_at = timezone.now()
        finding.save()
        log_activity(
            actor=actor,
            action="reviews.eligibility.override" if overridden else "reviews.eligibility.confirm",
            target=application,
            before=before,
            after={"rule": rule_key, "label": label, "automatic": automatic_result, "result": result},
            reason=reason.strip(),
        )
    return finding


def rerun_eligibility(*, application: Application, actor) -> Application:
    """Run the applicant side's rule engine again (e.g. after the credit list changed) and keep the new snapshot."""
    from .eligibility import rerun_function

    engine = rerun_function()
    if engine is None:
        raise ValidationError(_("资格规则引擎尚未安装，无法重新检查。"))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = locked.eligibility_snapshot
        snapshot = engine(locked)
        if hasattr(snapshot, "as_json"):
            snapshot = snapshot.as_json()
        locked.eligibility_snapshot = snapshot
        locked.save(update_fields=["eligibility_snapshot", "updated_at"])
        log_activity(actor=actor, action="reviews.eligibility.rerun", target=locked, before={"snapshot": before},
                     after={"snapshot": snapshot})
    application.eligibility_snapshot = locked.eligibility_snapshot
    return locked


MAX_SUPPLEMENT_WORKING_DAYS = 60


def supplement_due_on(working_days: int, today: datetime.date | None = None) -> datetime.date:
    """The deadline N working days after today (today itself not counted)."""
    today = today or timezone.localdate()
    return add_working_days(today + datetime.timedelta(days=1), working_days)


def request_supplement(
    *, application: Application, sections: list[str], message: str, working_days: int | None, actor
) -> SupplementRequest:
    """Ask the applicant to fix named sections within N working days (default: the stage's
    supplement_working_days). The status changes through apply_transition; the request is kept."""
    sections = [s for s in dict.fromkeys(sections or []) if s]
    if not sections:
        raise ValidationError(_("请至少选择一个需要补充的部分。"))
    if not (message or "").strip():
        raise ValidationError(_("请说明需要补充的内容。"))
    stage = application.current_stage
    if working_days is None:
        working_days = int((stage.params or {}).get("supplement_working_days", 10)) if stage else 10
    if not 1 <= int(working_days) <= MAX_SUPPLEMENT_WORKING_DAYS:
        raise ValidationError(_("补充期限应为 1 至 %(n)d 个工作日。") % {"n": MAX_SUPPLEMENT_WORKING_DAYS})
    try:
        due_on = supplement_due_on(int(working_days))
    except CalendarCoverageError as exc:
        raise ValidationError(str(exc)) from exc
    labels = dict(section_choices(application))
    reason = "\n".join([
        message.strip(),
        _("需补充的部分：%(s)s") % {"s": "、".join(str(labels.get(s, s)) for s in sections)},
        _("请于 %(d)s 前（%(n)d 个工作日内）提交。") % {"d": due_on.isoformat(), "n": int(working_days)},
    ])
    with transaction.atomic():
        locked = apply_transition(application=application, name="request_supplement", actor=actor, reason=reason)
        request = SupplementRequest.objects.create(
            application=locked, stage=locked.current_stage, sections=sections, message=message.strip(),
            working_days=int(working_days), due_on=due_on, created_by=actor,
        )
        log_activity(actor=actor, action="reviews.supplement.requested", target=locked,
                     after={"sections": sections, "due_on": due_on, "working_days": int(working_days)}, reason=message.strip())
    return request


FIXED_SECTIONS = (
    ("overview", gettext_lazy("概述")),
    ("figures", gettext_lazy("近三年主要经营指标")),
    ("certifications", gettext_lazy("管理体系认证情况")),
    ("achievements", gettext_lazy("主要成果")),
    ("criteria", gettext_lazy("符合的参评条件")),
    ("contribution", gettext_lazy("贡献陈述")),
    ("declarations", gettext_lazy("申报承诺")),
    ("publicity", gettext_lazy("申报前内部公示")),
    ("questions", gettext_lazy("其他申报信息")),
    ("recommender", gettext_lazy("推荐单位")),
    ("attachments", gettext_lazy("附件")),
)


def section_choices(application: Application) -> list[tuple[str, str]]:
    """The parts of an application a supplement request can name: the applicant form's own sections
    for the category (applications.forms.sections_for), or the standard list when it is absent."""
    try:
        from applications.forms import sections_for
    except ImportError:
        return [(k, str(v)) for k, v in FIXED_SECTIONS]
    return [(section.code, str(section.title)) for section in sections_for(application.category)]


# ---------------------------------------------------------------------------------------------
# Expert pool and panels

EXPERT_FIELDS = ["name", "id_number", "title", "employer", "employer_credit_code", "group", "group_credit_code",
                 "specialties", "phone", "email", "is_active"]


def save_expert_profile(*, organiser: Organiser, user, data: dict, actor, profile: ExpertProfile | None = None) -> ExpertProfile:
    with transaction.atomic():
        before = model_snapshot(profile, EXPERT_FIELDS) if profile else None
        if profile is None:
            profile = ExpertProfile(organiser=organiser, user=user)
        for key in EXPERT_FIELDS:
            if key in data:
                setattr(profile, key, data[key])
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            raise ValidationError(_("该账号已在本机构专家库中。")) from None
        after = model_snapshot(profile, EXPERT_FIELDS)
        if before != after:
            log_activity(actor=actor, action="reviews.expert.create" if before is None else "reviews.expert.update",
                         target=profile, before=before, after=after)
    return profile


def save_panel(*, stage: Stage, name: str, members, categories, leader, actor, panel: ExpertPanel | None = None) -> ExpertPanel:
    organiser_id = stage.cycle.programme.organiser_id
    members = list(members)
    if any(m.organiser_id != organiser_id for m in members):
        raise ValidationError(_("专家组成员须来自本机构专家库。"))
    if leader is not None and leader not in members:
        raise ValidationError(_("组长须为专家组成员。"))
    if any(c.cycle_id != stage.cycle_id for c in categories):
        raise ValidationError(_("类别不属于本周期。"))
    with transaction.atomic():
        before = None
        if panel is not None:
            before = {"name": panel.name, "members": sorted(m.pk for m in panel.members.all()),
                      "categories": sorted(c.pk for c in panel.categories.all())}
        else:
            panel = ExpertPanel(stage=stage)
        panel.name = name
        panel.leader = leader
        try:
            with transaction.atomic():
                panel.save()
        except IntegrityError:
            raise ValidationError(_("本环节已有同名专家组。")) from None
        panel.members.set(members)
        panel.categories.set(categories)
        log_activity(actor=actor, action="reviews.panel.save", target=panel, before=before,
                     after={"name": name, "members": sorted(m.pk for m in members), "categories": sorted(c.pk for c in categories)})
    return panel


# ---------------------------------------------------------------------------------------------
# Conflicts and assignments


class AssignmentError(ValidationError):
    pass


def _declarations_for(application_ids, expert_ids=None) -> dict:
    qs = ConflictDeclaration.objects.filter(application_id__in=list(application_ids))
    if expert_ids is not None:
        qs = qs.filter(expert_id__in=list(expert_ids))
    return {(d.expert_id, d.application_id): d for d in qs}


def _scorable(application: Application, stage: Stage) -> str | None:
    if application.cycle_id != stage.cycle_id:
        return _("申报不属于本周期。")
    if stage.kind != "scored_review":
        return _("“%(s)s”不是评分环节。") % {"s": stage.name}
    if application.status not in (ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED):
        return _("申报当前状态（%(s)s）不能分配专家。") % {"s": application.get_status_display()}
    if application.current_stage is None or application.current_stage.order > stage.order:
        return _("申报已不在本环节或之前的环节。")
    return None


def assign_expert(*, stage: Stage, application: Application, expert: ExpertProfile, actor, panel: ExpertPanel | None = None,
                  method: str = Assignment.Method.MANUAL) -> Assignment:
    """Assign by hand: never a conflicted expert, never twice, only from the organiser's pool."""
    problem = _scorable(application, stage)
    if problem:
        raise AssignmentError(problem)
    if expert.organiser_id != stage.cycle.programme.organiser_id or not expert.is_active:
        raise AssignmentError(_("专家不在本机构在库专家中。"))
    reasons = conflict_reasons(expert, application, _declarations_for([application.pk], [expert.pk]))
    if reasons:
        raise AssignmentError(_("%(e)s 须回避：%(r)s") % {"e": expert.name, "r": "；".join(reasons)})
    with transaction.atomic():
        if Assignment.objects.filter(stage=stage, application=application, expert=expert).exists():
            raise AssignmentError(_("%(e)s 已分配评审此申报。") % {"e": expert.name})
        assignment = Assignment.objects.create(stage=stage, application=application, expert=expert, panel=panel,
                                               method=method, assigned_by=actor)
        log_activity(actor=actor, action="reviews.assignment.create", target=application,
                     after={"stage": stage.code, "expert": expert.name, "expert_id": expert.pk, "method": method})
    return assignment


def remove_assignment(*, assignment: Assignment, actor, reason: str = "") -> None:
    sheet = getattr(assignment, "scoresheet", None) if hasattr(assignment, "scoresheet") else None
    if sheet is not None and sheet.status == Scoresheet.Status.SUBMITTED:
        raise AssignmentError(_("该专家已提交评分，不能取消分配；如需更正请先重新开放评分表。"))
    with transaction.atomic():
        application = assignment.application
        log_activity(actor=actor, action="reviews.assignment.delete", target=application,
                     before={"stage": assignment.stage.code, "expert": assignment.expert.name, "expert_id": assignment.expert_id},
                     reason=reason)
        assignment.delete()


@dataclass
class AutoAssignResult:
    application: Application
    assigned: list[ExpertProfile] = field(default_factory=list)
    shortfall: int = 0
    excluded: dict = field(default_factory=dict)  # expert name → conflict reasons


def auto_assign(*, stage: Stage, actor, category=None, applications=None) -> list[AutoAssignResult]:
    """Give each application at `stage` its configured number of experts (experts_per_application),
    choosing the least-loaded eligible expert each time, never a conflicted one. Candidates are the
    stage's panels (those for the application's category) or, without panels, the organiser's pool."""
    from .selectors import applications_at_stage

    per_application = int((stage.params or {}).get("experts_per_application", 5))
    organiser_id = stage.cycle.programme.organiser_id
    apps = list(applications if applications is not None else applications_at_stage(stage=stage, category=category))
    panels = list(stage.panels.prefetch_related("members", "categories"))
    pool = list(ExpertProfile.objects.filter(organiser_id=organiser_id, is_active=True).order_by("name", "pk"))
    existing = list(Assignment.objects.filter(stage=stage).values_list("application_id", "expert_id", "status"))
    load: dict[int, int] = {}
    taken: set[tuple[int, int]] = set()
    active_count: dict[int, int] = {}
    for app_id, expert_id, status in existing:
        taken.add((app_id, expert_id))
        if status == Assignment.Status.ACTIVE:
            load[expert_id] = load.get(expert_id, 0) + 1
            active_count[app_id] = active_count.get(app_id, 0) + 1
    declarations = _declarations_for([a.pk for a in apps])

    def candidates_for(app) -> list[tuple[ExpertProfile, ExpertPanel | None]]:
        if not panels:
            return [(e, None) for e in pool]
        found: dict[int, tuple[ExpertProfile, ExpertPanel]] = {}
        for panel in panels:
            cats = {c.pk for c in panel.categories.all()}
            if cats and app.category_id not in cats:
                continue
            for member in panel.members.all():
                if member.is_active:
                    found.setdefault(member.pk, (member, panel))
        return sorted(found.values(), key=lambda pair: (pair[0].name, pair[0].pk))

    plans = []
    for app in apps:
        result = AutoAssignResult(app)
        eligible = []
        for expert, panel in candidates_for(app):
            if (app.pk, expert.pk) in taken:
                continue
            reasons = conflict_reasons(expert, app, declarations)
            if reasons:
                result.excluded[expert.name] = reasons
                continue
            eligible.append((expert, panel))
        plans.append((result, eligible))
    # Most constrained applications first, so scarce experts go where they are needed.
    plans.sort(key=lambda plan: (len(plan[1]), plan[0].application.pk))
    with transaction.atomic():
        for result, eligible in plans:
            app = result.application
            need = per_application - active_count.get(app.pk, 0)
            if _scorable(app, stage) or need <= 0:
                continue
            chosen = sorted(eligible, key=lambda pair: (load.get(pair[0].pk, 0), pair[0].name, pair[0].pk))[:need]
            for expert, panel in chosen:
                Assignment.objects.create(stage=stage, application=app, expert=expert, panel=panel,
                                          method=Assignment.Method.AUTOMATIC, assigned_by=actor)
                load[expert.pk] = load.get(expert.pk, 0) + 1
                result.assigned.append(expert)
            result.shortfall = need - len(chosen)
            if chosen:
                log_activity(actor=actor, action="reviews.assignment.auto", target=app,
                             after={"stage": stage.code, "experts": [e.name for e, _p in chosen], "shortfall": result.shortfall})
    return [plan[0] for plan in plans]


def declare_conflict(*, expert: ExpertProfile, application: Application, has_conflict: bool, reason: str, actor) -> ConflictDeclaration:
    """The expert's 回避 statement before seeing the application (or staff recording a conflict).
    A declared conflict recuses every assignment of the expert to the application and cannot be
    withdrawn by the expert."""
    if has_conflict and not reason.strip():
        raise ValidationError(_("请说明回避理由。"))
    with transaction.atomic():
        declaration = ConflictDeclaration.objects.select_for_update().filter(expert=expert, application=application).first()
        if declaration is not None and declaration.has_conflict and not has_conflict:
            raise ValidationError(_("已声明回避，不能撤销；如有误请联系评审办公室。"))
        before = model_snapshot(declaration, ["has_conflict", "reason"]) if declaration else None
        if declaration is None:
            declaration = ConflictDeclaration(expert=expert, application=application, declared_by=actor, has_conflict=has_conflict)
        declaration.has_conflict = has_conflict
        declaration.reason = reason.strip()[:300]
        declaration.declared_by = actor
        declaration.save()
        recused = []
        if has_conflict:
            for assignment in Assignment.objects.select_for_update().filter(expert=expert, application=application,
                                                                             status=Assignment.Status.ACTIVE):
                assignment.status = Assignment.Status.RECUSED  # an Assignment, not the application
                assignment.save(update_fields=["status"])
                recused.append(assignment.stage.code)
        log_activity(actor=actor, action="reviews.conflict.declared" if has_conflict else "reviews.conflict.none",
                     target=application, before=before,
                     after={"expert": expert.name, "expert_id": expert.pk, "has_conflict": has_conflict, "recused_stages": recused},
                     reason=reason.strip())
    return declaration


# ---------------------------------------------------------------------------------------------
# Scoring


def points(value: Decimal) -> str:
    """50.00 → "50", 7.50 → "7.5"."""
    return format(Decimal(value).normalize(), "f")


class ScoreError(ValidationError):
    """Field errors keyed by criterion id (or "opinion"/"__all__")."""


def _parse_score(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(_("请输入数字。")) from None
    if not value.is_finite():
        raise ValueError(_("请输入数字。"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("最多保留两位小数。"))
    return value


def scoresheet_for(assignment: Assignment) -> Scoresheet:
    """The assignment's scoresheet, created on first use with the category's rubric."""
    from .selectors import rubric_for

    sheet = Scoresheet.objects.filter(assignment=assignment).first()
    if sheet is not None:
        return sheet
    rubric = rubric_for(assignment.application)
    if rubric is None:
        raise ScoreError({"__all__": [_("本类别尚未配置评分标准，请联系评审办公室。")]})
    sheet, _created = Scoresheet.objects.get_or_create(assignment=assignment, defaults={"rubric": rubric})
    return sheet


def _expert_may_score(assignment: Assignment) -> None:
    if assignment.status != Assignment.Status.ACTIVE:
        raise ScoreError({"__all__": [_("您已回避此申报。")]})
    declarations = _declarations_for([assignment.application_id], [assignment.expert_id])
    if conflict_reasons(assignment.expert, assignment.application, declarations):
        raise ScoreError({"__all__": [_("您须回避此申报，不能评分。")]})
    if (assignment.expert_id, assignment.application_id) not in declarations:
        raise ScoreError({"__all__": [_("请先作回避声明。")]})
    application = assignment.application
    if application.status != ApplicationStatus.IN_REVIEW or application.current_stage_id != assignment.stage_id:
        raise ScoreError({"__all__": [_("申报当前不在“%(s)s”环节，不能评分。") % {"s": assignment.stage.name}]})


def save_scores(*, assignment: Assignment, scores: dict, opinion: str, actor, submit: bool = False,
                comments: dict | None = None) -> Scoresheet:
    """Save an expert's item scores (draft), or submit them (then locked). An item score is never
    above the item's maximum; submitting needs every item and an opinion. Every change is logged."""
    _expert_may_score(assignment)
    with transaction.atomic():
        sheet = scoresheet_for(assignment)
        sheet = Scoresheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.is_locked:
            raise ScoreError({"__all__": [_("评分表已提交锁定；如需修改请联系评审办公室重新开放。")]})
        criteria = leaf_criteria(sheet.rubric)
        errors: dict[str, list[str]] = {}
        parsed: dict[int, Decimal | None] = {}
        for criterion in criteria:
            raw = scores.get(criterion.pk, scores.get(str(criterion.pk)))
            try:
                value = _parse_score(raw)
            except ValueError as exc:
                errors[str(criterion.pk)] = [str(exc)]
                continue
            if value is not None and value < 0:
                errors[str(criterion.pk)] = [_("得分不能为负数。")]
            elif value is not None and value > criterion.max_points:
                errors[str(criterion.pk)] = [_("%(code)s %(name)s 的得分不能超过该项满分 %(max)s 分。") % {
                    "code": criterion.code, "name": criterion.name, "max": points(criterion.max_points)}]
            elif value is None and submit:
                errors[str(criterion.pk)] = [_("提交前请为每一项评分。")]
            parsed[criterion.pk] = value
        if submit and not (opinion or "").strip():
            errors["opinion"] = [_("提交前请填写评审意见。")]
        if errors:
            raise ScoreError(errors)
        existing = {item.criterion_id: item for item in sheet.items.all()}
        codes = {c.pk: c.code for c in criteria}
        before, after = {}, {}
        comments = comments or {}
        for criterion_id, value in parsed.items():
            item = existing.get(criterion_id)
            comment = str(comments.get(criterion_id, comments.get(str(criterion_id), item.comment if item else "")) or "")[:500]
            old = item.score if item else None
            if value is None:
                if item is not None:
                    item.delete()
                    before[codes[criterion_id]] = old
                    after[codes[criterion_id]] = None
                continue
            if item is None:
                ItemScore.objects.create(scoresheet=sheet, criterion_id=criterion_id, score=value, comment=comment)
            elif item.score != value or item.comment != comment:
                item.score = value
                item.comment = comment
                item.save(update_fields=["score", "comment"])
            if old != value:
                before[codes[criterion_id]] = old
                after[codes[criterion_id]] = value
        old_total, old_opinion = sheet.total, sheet.opinion
        sheet.total = sum((v for v in parsed.values() if v is not None), Decimal(0))
        sheet.opinion = (opinion or "").strip()
        if submit:
            sheet.status = Scoresheet.Status.SUBMITTED  # a Scoresheet, not the application
            sheet.submitted_at = timezone.now()
        sheet.save()
        if before or submit or old_opinion != sheet.opinion:
            log_activity(
                actor=actor,
                action="reviews.scores.submit" if submit else "reviews.scores.save",
                target=assignment.application,
                before={"expert": assignment.expert.name, "stage": assignment.stage.code, "items": before, "total": old_total},
                after={"expert": assignment.expert.name, "stage": assignment.stage.code, "items": after, "total": sheet.total,
                       "opinion_changed": old_opinion != sheet.opinion},
            )
    return sheet


def reopen_scoresheet(*, scoresheet: Scoresheet, actor, reason: str) -> Scoresheet:
    """Staff unlock a submitted scoresheet so the expert may correct it; the reason is logged."""
    if not reason.strip():
        raise ValidationError(_("请填写重新开放的理由。"))
    with transaction.atomic():
        sheet = Scoresheet.objects.select_for_update().select_related("assignment__application", "assignment__expert",
                                                                      "assignment__stage").get(pk=scoresheet.pk)
        if not sheet.is_locked:
            raise ValidationError(_("评分表尚未提交，无需重新开放。"))
        sheet.status = Scoresheet.Status.DRAFT  # a Scoresheet, not the application
        sheet.submitted_at = None
        sheet.reopened_count += 1
        sheet.save(update_fields=["status", "submitted_at", "reopened_count", "updated_at"])
        log_activity(actor=actor, action="reviews.scores.reopen", target=sheet.assignment.application,
                     before={"expert": sheet.assignment.expert.name, "stage": sheet.assignment.stage.code, "sheet": "submitted"},
                     after={"sheet": "draft", "reopened_count": sheet.reopened_count}, reason=reason.strip())
    return sheet


# ---------------------------------------------------------------------------------------------
# 陈述答辩 / 现场评审 schedules


class ScheduleClash(ValidationError):
    pass


def _entry_user_ids(entry: ScheduleEntry) -> dict[int, str]:
    people = {}
    if entry.panel_id:
        people.update({m.user_id: m.name for m in entry.panel.members.all()})
    people.update({m.user_id: m.name for m in entry.team.all()})
    return people


def _norm_place(text: str) -> str:
    return "".join((text or "").split()).lower()


def save_schedule_entry(
    *, stage: Stage, application: Application, starts_at: datetime.datetime, ends_at: datetime.datetime, location: str,
    actor, panel: ExpertPanel | None = None, team=(), note: str = "", entry: ScheduleEntry | None = None,
) -> ScheduleEntry:
    """Schedule a presentation slot or a site visit. Refused, with a message naming the clash, when an
    expert would be in two places at once, a room is double-booked, or the applicant has two
    appointments at the same time. The applicant is notified after commit."""
    scheduling = (stage.params or {}).get("scheduling", "none")
    if scheduling not in (ScheduleEntry.Kind.PRESENTATION, ScheduleEntry.Kind.SITE_VISIT):
        raise ValidationError(_("“%(s)s”环节不安排陈述答辩或现场评审。") % {"s": stage.name})
    if application.cycle_id != stage.cycle_id:
        raise ValidationError(_("申报不属于本周期。"))
    if application.status not in (ApplicationStatus.IN_REVIEW, ApplicationStatus.SUPPLEMENT_REQUESTED) or (
        application.current_stage is None or application.current_stage.order > stage.order
    ):
        raise ValidationError(_("申报当前不在评审中或已过本环节，不能安排。"))
    if ends_at <= starts_at:
        raise ValidationError(_("结束时间须晚于开始时间。"))
    if not location.strip():
        raise ValidationError(_("请填写地点。"))
    team = list(team)
    if scheduling == ScheduleEntry.Kind.PRESENTATION and panel is None:
        raise ValidationError(_("陈述答辩须指定专家组。"))
    if scheduling == ScheduleEntry.Kind.SITE_VISIT and not team and panel is None:
        raise ValidationError(_("现场评审须指定评审组成员。"))
    if panel is not None and panel.stage_id != stage.pk:
        raise ValidationError(_("专家组不属于本环节。"))
    organiser = stage.cycle.programme.organiser
    if any(m.organiser_id != organiser.pk for m in team):
        raise ValidationError(_("评审组成员须来自本机构专家库。"))
    with transaction.atomic():
        Organiser.objects.select_for_update().get(pk=organiser.pk)  # one scheduler at a time per organiser
        people: dict[int, str] = {}
        if panel is not None:
            people.update({m.user_id: m.name for m in panel.members.all()})
        people.update({m.user_id: m.name for m in team})
        overlapping = (
            ScheduleEntry.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
            .exclude(pk=getattr(entry, "pk", None))
            .select_related("application__organisation", "application__person", "stage__cycle__programme", "panel")
            .prefetch_related("panel__members", "team")
        )
        clashes = []
        for other in overlapping:
            when = f"{timezone.localtime(other.starts_at):%Y-%m-%d %H:%M}—{timezone.localtime(other.ends_at):%H:%M}"
            both = set(people) & set(_entry_user_ids(other))
            for user_id in sorted(both):
                clashes.append(_("专家 %(e)s 在 %(t)s 已安排 %(a)s 的%(k)s（%(p)s）。") % {
                    "e": people[user_id], "t": when, "a": other.application.applicant_name, "k": other.get_kind_display(),
                    "p": other.location})
            if other.stage.cycle.programme.organiser_id == organiser.pk and _norm_place(other.location) == _norm_place(location):
                clashes.append(_("%(p)s 在 %(t)s 已安排 %(a)s 的%(k)s。") % {
                    "p": other.location, "t": when, "a": other.application.applicant_name, "k": other.get_kind_display()})
            if other.application_id == application.pk:
                clashes.append(_("该申报人在 %(t)s 已有%(k)s安排。") % {"t": when, "k": other.get_kind_display()})
        if clashes:
            raise ScheduleClash(clashes)
        before = None
        if entry is None:
            entry = ScheduleEntry.objects.filter(stage=stage, application=application).first()
        if entry is not None:
            before = {**model_snapshot(entry, ["starts_at", "ends_at", "location", "panel"]),
                      "team": sorted(m.pk for m in entry.team.all())}
        else:
            entry = ScheduleEntry(stage=stage, application=application, created_by=actor)
        entry.kind = scheduling
        entry.starts_at, entry.ends_at = starts_at, ends_at
        entry.location = location.strip()
        entry.panel = panel
        entry.note = note.strip()
        entry.save()
        entry.team.set(team)
        after = {**model_snapshot(entry, ["starts_at", "ends_at", "location", "panel"]), "team": sorted(m.pk for m in team)}
        log_activity(actor=actor, action="reviews.schedule.update" if before else "reviews.schedule.create",
                     target=application, before=before, after={"stage": stage.code, **after})
        # The experts who sit on the panel or visit the site score this application in this stage.
        skipped = []
        declarations = _declarations_for([application.pk])
        members = {m.pk: (m, panel) for m in (panel.members.all() if panel else [])}
        members.update({m.pk: (m, None) for m in team})
        for expert, expert_panel in members.values():
            if conflict_reasons(expert, application, declarations):
                skipped.append(expert.name)
                continue
            Assignment.objects.get_or_create(stage=stage, application=application, expert=expert,
                                             defaults={"panel": expert_panel, "method": Assignment.Method.SCHEDULE,
                                                       "assigned_by": actor})
        entry.skipped_conflicted = skipped
        notify(recipient=application.applicant, event=f"schedule_{scheduling}",
               template=f"emails/schedule_{scheduling}.txt",
               context={"application": application, "entry": entry, "stage": stage, "changed": before is not None},
               application=application)
    return entry


def cancel_schedule_entry(*, entry: ScheduleEntry, actor, reason: str = "") -> None:
    with transaction.atomic():
        application = entry.application
        before = model_snapshot(entry, ["starts_at", "ends_at", "location", "kind"])
        notify(recipient=application.applicant, event="schedule_cancelled", template="emails/schedule_cancelled.txt",
               context={"application": application, "entry": entry, "stage": entry.stage, "reason": reason},
               application=application)
        log_activity(actor=actor, action="reviews.schedule.cancel", target=application, before=before, reason=reason)
        entry.delete()


# ---------------------------------------------------------------------------------------------
# Cut-off: who advances from a scored or comprehensive stage


class CutoffError(ValidationError):
    pass


def cutoff_plan(*, stage: Stage, category, method: str, value: Decimal):
    """(ranking rows to advance, rows to fail) among applications now at `stage` in `category`."""
    from .selectors import category_ranking

    rows = [r for r in category_ranking(stage=stage, category=category)
            if r.application.current_stage_id == stage.pk and r.application.status == ApplicationStatus.IN_REVIEW]
    if method == CutoffDecision.Method.TOP_K:
        if value != value.to_integral_value() or value < 0:
            raise CutoffError(_("名次须为非负整数。"))
        advance = rows[: int(value)]
    elif method == CutoffDecision.Method.MIN_SCORE:
        advance = [r for r in rows if r.score is not None and r.score >= value]
    else:
        raise CutoffError(_("未知的分数线方式。"))
    chosen = {r.application.pk for r in advance}
    return advance, [r for r in rows if r.application.pk not in chosen]


def apply_cutoff(*, stage: Stage, category, method: str, value: Decimal, actor, reason: str = "") -> CutoffDecision:
    """Advance those above the cut-off and fail the rest, all or nothing, through apply_transition."""
    if stage.kind not in ("scored_review", "comprehensive"):
        raise CutoffError(_("只有评分环节和综合评价环节可以划定晋级线。"))
    advance, fail = cutoff_plan(stage=stage, category=category, method=method, value=value)
    unscored = [r.application.number or str(r.application.pk) for r in advance + fail if r.score is None]
    if unscored:
        raise CutoffError(_("以下申报尚无本环节得分，不能划线：%(l)s") % {"l": "、".join(unscored)})
    if not advance and not fail:
        raise CutoffError(_("本类别没有处于本环节的申报。"))
    label = (_("前 %(k)s 名") % {"k": int(value)}) if method == CutoffDecision.Method.TOP_K else (_("不低于 %(v)s 分") % {"v": value})
    problems = []
    with transaction.atomic():
        decision = CutoffDecision.objects.create(
            stage=stage, category=category, method=method, value=value, reason=reason.strip(), decided_by=actor,
            advanced=[r.application.pk for r in advance], failed=[r.application.pk for r in fail])
        for row in advance:
            try:
                apply_transition(application=row.application, name="advance", actor=actor,
                                 reason=_("晋级（%(l)s）：第 %(r)d 名，%(s)s 分。") % {"l": label, "r": row.rank, "s": row.score})
            except TransitionError as exc:
                problems.append(f"{row.application.number}：{exc}")
        for row in fail:
            try:
                apply_transition(application=row.application, name="fail", actor=actor,
                                 reason=_("未达到晋级线（%(l)s）：第 %(r)d 名，%(s)s 分。") % {"l": label, "r": row.rank, "s": row.score}
                                 + (f" {reason.strip()}" if reason.strip() else ""))
            except TransitionError as exc:
                problems.append(f"{row.application.number}：{exc}")
        if problems:
            transaction.set_rollback(True)
            raise CutoffError(problems)
        log_activity(actor=actor, action="reviews.cutoff", target=decision,
                     after={"stage": stage.code, "category": category.code, "method": method, "value": value,
                            "advanced": [r.application.number for r in advance], "failed": [r.application.number for r in fail]},
                     reason=reason.strip())
    return decision
