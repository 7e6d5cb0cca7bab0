"""Writes shared by every app: the activity log and e-mail notifications."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models
from django.utils import timezone, translation

from .mail import render_plain
from .models import ActivityLog, EmailNotification


# Keys whose values are personal identity numbers: the log keeps them masked (PIPL), as does any
# string that is a valid 18-character resident identity number wherever it appears.
IDENTITY_KEYS = {"id_number", "identity", "passport", "passport_number", "foreign_id"}


def _is_resident_id(value: str) -> bool:
    from core.identity import id_check_digit

    return len(value) == 18 and value[:17].isascii() and value[:17].isdigit() and value[17].upper() == id_check_digit(value[:17])


def masked_for_log(value: Any, key: str | None = None) -> Any:
    """before/after with identity numbers masked (core.identity.mask_identity), the rest unchanged."""
    from core.identity import mask_identity

    if isinstance(value, dict):
        return {k: masked_for_log(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_for_log(v, key) for v in value]
    if isinstance(value, str) and value and (key in IDENTITY_KEYS or _is_resident_id(value.strip())):
        return mask_identity(value.strip())
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value else str(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def model_snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, as JSON-safe data for before/after."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = _jsonable(field.value_from_object(instance))
    return data


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict, dict]:
    """Only the keys whose values differ, for a compact log entry."""
    before = before or {}
    after = after or {}
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def log_activity(
    *,
    actor,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    organiser=None,
) -> ActivityLog:
    """Append one entry to the activity log. Call inside the transaction that makes the change."""
    if organiser is None:
        organiser = getattr(target, "activity_organiser", None)
    return ActivityLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        organiser=organiser,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        before=masked_for_log(_jsonable(before)),
        after=masked_for_log(_jsonable(after)),
        reason=reason,
    )


def notify(
    *,
    recipient,
    event: str,
    template: str,
    context: dict[str, Any],
    application=None,
    language: str | None = None,
) -> EmailNotification | None:
    """Record an e-mail for `recipient` and send it by Celery once the transaction commits.

    The subject is the first line of the rendered template, the body the rest. It is rendered in
    the recipient's own language (or `language`, when the caller knows better, e.g. English for a
    foreign national).
    """
    if recipient is None or not recipient.email:
        return None
    language = language or getattr(recipient, "preferred_language", None) or "zh-hans"
    with translation.override(language):
        rendered = render_plain(template, {**context, "recipient": recipient}).strip()
    subject, _sep, body = rendered.partition("\n")
    notification = EmailNotification.objects.create(
        recipient=recipient,
        to_address=recipient.email,
        event=event,
        subject=subject.strip()[:200],
        body=body.strip(),
        application=application,
    )
    from .outbox import publish_on_commit
    from .tasks import send_notification

    publish_on_commit(send_notification, EmailNotification, notification.pk)
    return notification
