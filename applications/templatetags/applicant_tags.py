"""Template helpers: configured names in the reader's language, masked identity numbers."""

from django import template
from django.utils import translation

from core.i18n import localized
from core.identity import mask_identity

from ..forms import localised

register = template.Library()


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@register.filter
def category_name(category) -> str:
    return localized(category)


@register.filter
def cycle_title(cycle) -> str:
    programme = cycle.programme
    if _english() and programme.name_en:
        return f"{programme.name_en} ({cycle.name_en or cycle.name})"
    return f"{programme.name}（{cycle.name}）"


@register.filter
def stage_name(stage) -> str:
    return localized(stage)


@register.filter
def money(amount) -> str:
    from awards.selectors import format_money

    return format_money(amount)


@register.filter
def loc(item, key="text") -> str:
    return localised(item, key) if isinstance(item, dict) else str(item)


@register.filter
def masked(value) -> str:
    return mask_identity(value or "")


@register.filter
def credit_code_or_masked(value) -> str:
    """For lists mixing codes: an organisation's credit code is shown, a personal ID number masked."""
    from django.core.exceptions import ValidationError

    from core.identity import validate_credit_code, validate_foreign_permanent_id, validate_resident_id

    value = value or ""
    for personal in (validate_resident_id, validate_foreign_permanent_id):
        try:
            personal(value)
        except ValidationError:
            continue
        return mask_identity(value)
    try:
        validate_credit_code(value)
    except ValidationError:
        return mask_identity(value)
    return value


@register.filter
def outcome_class(outcome: str) -> str:
    return {"pass": "success",  # nosec B105 - CSS class names, not passwords
            "fail": "danger", "needs_review": "warning"}.get(outcome, "secondary")


@register.filter
def applicant_reason(result: dict) -> str:
    """A stored snapshot row in the reader's language when it was stored in it."""
    if _english() and result.get("reason_applicant"):
        return result["reason_applicant"]
    return result.get("reason", "")


@register.filter
def rule_text(rule) -> str:
    from ..eligibility import describe_rule

    return describe_rule(rule)
