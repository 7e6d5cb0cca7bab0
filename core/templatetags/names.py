"""Configured names in the reader's language: `{{ unit|localized }}`, `{{ programme|localized:"office" }}`,
`{{ person.work_district|district }}` (the rule: core/i18n.py)."""

from django import template

from core.i18n import district_name, localized as _localized

register = template.Library()


@register.filter
def localized(obj, field: str = "name") -> str:
    return _localized(obj, field)


@register.filter
def district(value) -> str:
    return district_name(value or "")


@register.filter
def parenthesised(text) -> str:
    """（text） for Chinese readers, (text) for English ones: full-width brackets belong to Chinese text."""
    from core.i18n import is_english

    return f"({text})" if is_english() else f"（{text}）"
