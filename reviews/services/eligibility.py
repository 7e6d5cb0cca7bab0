"""资格审查: findings, re-run, supplement requests (补正) in working days."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import eligibility as eligibility_engine
from applications.models import Application
from applications.sections import section_choices
from core.services import log_activity, model_snapshot
from core.workdays import CalendarCoverageError, add_working_days
from reviews.models import (
    EligibilityFinding,
    SupplementRequest,
)
from reviews.services.transitions import apply_transition

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
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = locked.eligibility_snapshot
        snapshot = eligibility_engine.snapshot(locked)
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
    *, application: Application, sections: list[str], message: str, working_days: int | None, actor,
    expected_state: str | None = None,
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
        locked = apply_transition(application=application, name="request_supplement", actor=actor, reason=reason,
                                  expected_state=expected_state)
        request = SupplementRequest.objects.create(
            application=locked, stage=locked.current_stage, sections=sections, message=message.strip(),
            working_days=int(working_days), due_on=due_on, created_by=actor,
        )
        log_activity(actor=actor, action="reviews.supplement.requested", target=locked,
                     after={"sections": sections, "due_on": due_on, "working_days": int(working_days)}, reason=message.strip())
    return request




