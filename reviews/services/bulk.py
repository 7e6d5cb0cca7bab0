"""Bulk transitions from the staff queue: each application on its own, with a result per item."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from applications.models import Application
from reviews import workflow
from reviews.services.eligibility import request_supplement
from reviews.services.transitions import TransitionError, apply_transition


@dataclass
class BulkOutcome:
    application: Application
    ok: bool
    message: str


BULK_ACTIONS = ("start_review", "advance", "request_supplement", "fail")


def bulk_transition(
    *, applications, name: str, actor, reason: str = "", sections: list[str] | None = None, working_days: int | None = None,
    expected_states: dict[int, str] | None = None,
) -> list[BulkOutcome]:
    """Apply one action to many applications, each in its own transaction, and say how each went.

    expected_states maps an application's pk to the state the queue page showed (state_token): an
    application whose state has moved on since is reported as done by someone else, not acted on twice."""
    expected_states = expected_states or {}
    if name not in BULK_ACTIONS:
        raise TransitionError(_("不支持批量执行此操作。"))
    outcomes = []
    for application in applications:
        try:
            if name == "request_supplement":
                request_supplement(application=application, sections=sections or [], message=reason,
                                   working_days=working_days, actor=actor,
                                   expected_state=expected_states.get(application.pk))
            else:
                apply_transition(application=application, name=name, actor=actor, reason=reason,
                                 expected_state=expected_states.get(application.pk))
        except (TransitionError, ValidationError) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            outcomes.append(BulkOutcome(application, False, message))
        else:
            outcomes.append(BulkOutcome(application, True, str(workflow.BY_NAME[name].label)))
    return outcomes




