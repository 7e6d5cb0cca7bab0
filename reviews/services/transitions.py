"""apply_transition, the only code that changes an application's status, and bulk transitions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus
from core.models import ActivityLog
from core.services import log_activity, notify
from reviews import workflow
from reviews.models import (
    SupplementRequest,
)


class TransitionError(Exception):
    """The transition is not allowed now; the message says why, in the user's language."""


class StateMovedOn(TransitionError):
    """The request acted on a state the application has left: someone else did it first."""


def moved_on_message(application: Application) -> str:
    """'Already done by X at T': who last changed the application's state, and when."""
    last = (
        ActivityLog.objects.filter(target_type=Application._meta.label_lower, target_id=str(application.pk),
                                   action__startswith="application.")
        .select_related("actor").order_by("-created_at", "-pk").first()
    )
    state = application.get_status_display()
    if application.current_stage_id:
        state = f"{state}（{application.current_stage.name}）"
    if last is None:
        return _("该申报的状态已变更为“%(state)s”，本次操作未执行，请刷新页面后再操作。") % {"state": state}
    actor = last.actor.get_full_name() or last.actor.username if last.actor else _("系统")
    when = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M:%S")
    return _("该申报已由 %(actor)s 于 %(when)s 处理，当前状态为“%(state)s”；本次操作未执行。") % {
        "actor": actor, "when": when, "state": state}


def apply_transition(
    *, application: Application, name: str, actor, reason: str = "", extra: dict | None = None,
    expected_state: str | None = None,
) -> Application:
    """Check the workflow table, lock the row, change status/stage, log, and notify after commit.

    `expected_state` is the Application.state_token of the page the request came from: under the row lock the
    application is re-read, and when its state has moved on (a double click, two staff at once) the
    request is refused with who did it and when, instead of acting twice."""
    transition = workflow.BY_NAME.get(name)
    if transition is None:
        raise TransitionError(_("未知的操作：%(name)s") % {"name": name})
    with transaction.atomic():
        # Lock the row first, then re-read it with its stage: on PostgreSQL a row locked after waiting
        # for a parallel transaction is the new version, but columns joined in the same statement
        # (current_stage) can still be those of the old one, so the stage is read after the lock.
        Application.objects.select_for_update().filter(pk=application.pk).values_list("pk", flat=True).get()
        locked = (
            Application.objects.select_related("cycle__programme__organiser", "category", "current_stage", "applicant")
            .get(pk=application.pk)
        )
        if expected_state is not None and locked.state_token != expected_state:
            raise StateMovedOn(moved_on_message(locked))
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
