"""The reader's language for configured data: one rule for names, one table for Shanghai's districts.

Configuration keeps every name in Chinese (`name`, `office`, `standard` …) and, where the office has
given one, in English in the field of the same name with `_en`. `localized` picks the one for the
reader's language; templates use it as `{{ organiser|localized:"short_name" }}` (core/templatetags/names.py).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _


def is_english() -> bool:
    return (translation.get_language() or "").startswith("en")


# Full-width punctuation belongs to Chinese text: after a name or a figure it follows the reader's language.
def parenthesised(text) -> str:
    """（text） for Chinese readers, (text) for English ones."""
    return f"({text})" if is_english() else f"（{text}）"


def colon(text) -> str:
    """text： for Chinese readers, "text: " for English ones (a label before its value)."""
    return f"{text}: " if is_english() else f"{text}："


def localized(obj, field: str = "name") -> str:
    """`<field>_en` for readers of the English interface when it is filled in, else `<field>`."""
    if obj is None:
        return ""
    if is_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return str(english)
    value = getattr(obj, field, "")
    return "" if value is None else str(value)


SHANGHAI_DISTRICTS = [
    "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
    "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区",
]
OUTSIDE_SHANGHAI = "上海市外"
# The stored value stays the Chinese name (rules compare it); the label follows the reader's language.
DISTRICT_LABELS = {
    "黄浦区": _("黄浦区"), "徐汇区": _("徐汇区"), "长宁区": _("长宁区"), "静安区": _("静安区"),
    "普陀区": _("普陀区"), "虹口区": _("虹口区"), "杨浦区": _("杨浦区"), "闵行区": _("闵行区"),
    "宝山区": _("宝山区"), "嘉定区": _("嘉定区"), "浦东新区": _("浦东新区"), "金山区": _("金山区"),
    "松江区": _("松江区"), "青浦区": _("青浦区"), "奉贤区": _("奉贤区"), "崇明区": _("崇明区"),
    OUTSIDE_SHANGHAI: _("上海市外"),
}


def district_name(value: str) -> str:
    """A stored district (长宁区) in the reader's language (Changning District); other text unchanged."""
    if not value:
        return ""
    label = DISTRICT_LABELS.get(value)
    if label is None and not value.endswith("区"):
        label = DISTRICT_LABELS.get(f"{value}区")
    return str(label) if label is not None else value
