"""The expert pool, panels, conflicts (回避) and assignments, balanced auto-assignment."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from awards.models import Organiser, Stage
from core.services import log_activity, model_snapshot
from reviews import workflow
from reviews.conflicts import conflict_reasons
from reviews.models import (
    Assignment,
    ConflictDeclaration,
    ExpertPanel,
    ExpertProfile,
    ScheduleEntry,
    Scoresheet,
)

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


def declarations_for(application_ids, expert_ids=None) -> dict:
    qs = ConflictDeclaration.objects.filter(application_id__in=list(application_ids))
    if expert_ids is not None:
        qs = qs.filter(expert_id__in=list(expert_ids))
    return {(d.expert_id, d.application_id): d for d in qs}


def _scorable(application: Application, stage: Stage) -> str | None:
    if application.cycle_id != stage.cycle_id:
        return _("申报不属于本周期。")
    if not workflow.kind_spec(stage.kind).assigns_experts:
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
    reasons = conflict_reasons(expert, application, declarations_for([application.pk], [expert.pk]))
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
    stage's panels (those for the application's category) or, without panels, the organiser's pool.

    Least loaded, in this order: fewest active assignments across every stage of the cycle (so the experts
    who carried the 资料评审 are spared in the 陈述答辩), then fewest in this stage, then fewest across every
    cycle of the organiser, then by name."""
    from reviews.selectors import applications_at_stage

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
    cycle_load: dict[int, int] = {}  # every stage of this cycle, this one included
    organiser_load: dict[int, int] = {}  # every cycle of the organiser
    for expert_id, cycle_id in Assignment.objects.filter(expert__organiser_id=organiser_id, status=Assignment.Status.ACTIVE) \
            .order_by().values_list("expert_id", "stage__cycle_id"):
        organiser_load[expert_id] = organiser_load.get(expert_id, 0) + 1
        if cycle_id == stage.cycle_id:
            cycle_load[expert_id] = cycle_load.get(expert_id, 0) + 1
    declarations = declarations_for([a.pk for a in apps])

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
            chosen = sorted(eligible, key=lambda pair: (cycle_load.get(pair[0].pk, 0), load.get(pair[0].pk, 0),
                                                        organiser_load.get(pair[0].pk, 0), pair[0].name, pair[0].pk))[:need]
            for expert, panel in chosen:
                Assignment.objects.create(stage=stage, application=app, expert=expert, panel=panel,
                                          method=Assignment.Method.AUTOMATIC, assigned_by=actor)
                for counter in (load, cycle_load, organiser_load):
                    counter[expert.pk] = counter.get(expert.pk, 0) + 1
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
        # The slots the expert no longer sits on (reviews.selectors.slot_experts leaves a recused expert out).
        left_slots = [] if not has_conflict else [
            f"{entry.stage.name} {timezone.localtime(entry.starts_at):%Y-%m-%d %H:%M}"
            for entry in ScheduleEntry.objects.filter(application=application).filter(
                Q(panel__members=expert) | Q(team=expert)).select_related("stage").distinct().order_by("starts_at")]
        log_activity(actor=actor, action="reviews.conflict.declared" if has_conflict else "reviews.conflict.none",
                     target=application, before=before,
                     after={"expert": expert.name, "expert_id": expert.pk, "has_conflict": has_conflict, "recused_stages": recused,
                            **({"left_slots": left_slots} if left_slots else {})},
                     reason=reason.strip())
    return declaration




