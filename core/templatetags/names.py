"""Configured names in the reader's language: `{{ unit|localized }}`, `{{ programme|localized:"office" }}`,
`{{ person.work_district|district }}`; `|parenthesised` and `|colon` put full-width punctuation only
after Chinese (the rules: core/i18n.py)."""

from django import template

from core import i18n
from core.i18n import district_name, localized as _localized

register = template.Library()


@register.filter
def localized(obj, field: str = "name") -> str:
    return _localized(obj, field)


@register.filter
def district(value) -> str:
    return district_name(value or "")


@register.filter(is_safe=True)
def parenthesised(text) -> str:
    """（text） for Chinese readers, (text) for English ones: full-width brackets belong to Chinese text."""
    return i18n.parenthesised(text)


@register.filter(is_safe=True)
def colon(text) -> str:
    """`{{ criterion|localized|colon }}{{ score }}`: "name：" in Chinese, "name: " in English."""
    return i18n.colon(text)
