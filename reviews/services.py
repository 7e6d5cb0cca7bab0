"""Writes of the review workflow. apply_transition is the only code that changes an application's status."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from core.services import log_activity, notify

from . import workflow


class TransitionError(Exception):
    """The transition is not allowed now; the message says why, in the user's language."""


def apply_transition(*, application: Application, name: str, actor, reason: str = "", extra: dict | None = None) -> Application:
    """Check the workflow table, lock the row, change status/stage, log, and notify after commit."""
    transition = workflow.BY_NAME.get(name)
    if transition is None:
        raise TransitionError(_("未知的操作：%(name)s") % {"name": name})
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
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
        log_activity(
            actor=actor,
            action=f"application.{transition.name}",
            target=locked,
            before=before,
            after=after,
            reason=reason,
            organiser=locked.cycle.programme.organiser,
        )
        if transition.notify_event:
            notify(
                recipient=locked.applicant,
                event=transition.notify_event,
                template=f"emails/application_{transition.notify_event}.txt",
                context={"application": locked, "reason": reason, "from_stage": from_stage, "stage": stage},
                application=locked,
            )
    application.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_state")})
    application._saved_state = (locked.status, locked.current_stage_id)
    return locked
