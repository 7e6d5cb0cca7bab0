"""Who may see an application, its review and its files: the one access rule of the portal.

Every page, download, PDF and export that shows an application's content asks here. Each party sees only its
own organiser's applications:
- review staff (and programme admins) of the organiser: every application past the draft stage;
- the applicant, and the recommending unit's user who filed a nomination for it: their own application;
- an expert: only an application they are actively assigned to, with no conflict found in the data, and — for
  its content (the 申报书, attachments, PDFs) — only after declaring that they have no conflict (回避声明).
  Before that declaration an expert sees the declaration form and nothing else.
Nothing that a party may not see is acknowledged to exist: callers answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from accounts import rules
from applications.models import Application, ApplicationStatus
from reviews.conflicts import conflict_reasons
from reviews.models import Assignment, ConflictDeclaration, ExpertProfile
from reviews.selectors.cycles import APPLICATION_RELATED
from reviews.selectors.feedback import feedback_released


@dataclass(frozen=True)
class ExpertClearance:
    """An expert's standing on an application: assigned (active), no conflict found in the data."""

    expert: ExpertProfile
    assignments: list[Assignment]  # the active ones, in stage order
    declaration: ConflictDeclaration | None

    @property
    def declared_no_conflict(self) -> bool:
        return self.declaration is not None and not self.declaration.has_conflict


def organiser_id(application: Application) -> int:
    return application.cycle.programme.organiser_id


def is_staff_for(user, application: Application) -> bool:
    """Review staff (or a programme admin) of the application's organiser, once it is submitted."""
    return application.status != ApplicationStatus.DRAFT and rules.is_review_staff(user, organiser_id(application))


def is_own(user, application: Application) -> bool:
    """The applicant, or the recommending unit's user who filed the nomination for it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return application.applicant_id == user.pk or (application.nominated_by_id is not None and application.nominated_by_id == user.pk)


def is_recommending_unit_for(user, application: Application) -> bool:
    """A member of the recommending unit that nominated the application."""
    if not (getattr(user, "is_authenticated", False) and application.recommender_id and application.nominated_by_id):
        return False
    return user.role_assignments.filter(recommending_unit_id=application.recommender_id).exists()


def expert_clearance(user, application: Application) -> ExpertClearance | None:
    """The expert's clearance on the application, or None when they are not assigned, only recused, or conflicted."""
    if not rules.is_expert(user, organiser_id(application)):
        return None
    assignments = list(
        Assignment.objects.filter(application=application, expert__user=user, expert__organiser_id=organiser_id(application))
        .select_related("expert", "stage", "scoresheet")
        .order_by("stage__order")
    )
    active = [a for a in assignments if a.status == Assignment.Status.ACTIVE]
    if not active:
        return None
    expert = active[0].expert
    declarations = {(d.expert_id, d.application_id): d for d in ConflictDeclaration.objects.filter(expert=expert, application=application)}
    if conflict_reasons(expert, application, declarations):
        return None
    return ExpertClearance(expert=expert, assignments=active, declaration=declarations.get((expert.pk, application.pk)))


def may_read_content(user, application: Application) -> bool:
    """Whether the user may read the application's content: its form, attachments and PDFs."""
    if is_own(user, application) or is_staff_for(user, application) or is_recommending_unit_for(user, application):
        return True
    clearance = expert_clearance(user, application)
    return clearance is not None and clearance.declared_no_conflict


def expert_application(user, pk: int) -> tuple[Application, ExpertClearance]:
    """The application an expert works on, with their clearance; Http404 when they may not see it at all."""
    application = Application.objects.select_related(*APPLICATION_RELATED, "nominated_by").filter(pk=pk).first()
    clearance = expert_clearance(user, application) if application is not None else None
    if clearance is None:
        raise Http404
    return application, clearance


def staff_application(user, pk: int) -> Application:
    """An application for review staff of its organiser; Http404 for drafts and for anyone else."""
    application = Application.objects.select_related(*APPLICATION_RELATED, "nominated_by").filter(pk=pk).first()
    if application is None or not is_staff_for(user, application):
        raise Http404
    return application


def is_panel_leader_for(user, application: Application, stage) -> bool:
    """The leader (组长) of the panel that the application's assignments in `stage` belong to, cleared on it."""
    clearance = expert_clearance(user, application)
    if clearance is None or not clearance.declared_no_conflict:
        return False
    return Assignment.objects.filter(application=application, stage=stage, status=Assignment.Status.ACTIVE,
                                     panel__leader=clearance.expert).exists()


def may_consolidate_feedback(user, application: Application, stage) -> bool:
    """Who edits and approves an application's 评价反馈报告: its review staff, or the panel leader of the stage."""
    return is_staff_for(user, application) or is_panel_leader_for(user, application, stage)


def may_read_feedback(user, report) -> bool:
    """A 评价反馈报告 (and its PDF): review staff and the panel leader always; the applicant (or the unit that
    nominated them) only once the report is released; nobody else, and no other applicant, ever."""
    application = report.application
    if may_consolidate_feedback(user, application, report.stage):
        return True
    return is_own(user, application) and feedback_released(report)
