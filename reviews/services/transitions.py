"""apply_transition, the only code that changes an application's status, and bulk transitions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from core.services import log_activity, notify
from reviews import workflow
from reviews.models import (
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
        for request in SupplementRequest.objects.open().select_for_update().filter(application=application):
            request.resolved_at = timezone.now()
            request.save(update_fields=["resolved_at"])
            log_activity(
                actor=actor,
                action="reviews.supplement.resolved" if transition.name == "resubmit" else "reviews.supplement.closed",
                target=application,
                after={"supplement_request": request.pk, "due_on": request.due_on, "resolved_at": request.resolved_at,
                       "overdue": request.resolved_at.date() > request.due_on},
            )
