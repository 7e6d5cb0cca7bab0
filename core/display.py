"""Values in people's words, in the reader's language: money, yes/no, dates, lists.

The one home of how a stored value reads on a page. applications/answers.py labels an application's
answers from its form definition and formats them with these; reviews/selectors/history.py does the
same for the before → after of the activity log.
"""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

EMPTY = "—"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


def as_decimal(value: Any) -> decimal.Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = decimal.Decimal(str(value).replace(",", "").strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def grouped(number: decimal.Decimal | int | float) -> str:
    """Digits grouped by thousands; whole numbers without decimals, others with two: 12,345 · 1,234.50."""
    number = decimal.Decimal(str(number))
    cents = number.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
    if cents == cents.to_integral_value():
        return f"{int(cents):,}"
    return f"{cents:,.2f}"


def money(value: Any, *, unit: str = "yuan") -> str:
    """An amount of money: unit "wan" for amounts kept in 万元 (the forms' figures), "yuan" for 元."""
    number = as_decimal(value)
    if number is None:
        return EMPTY if value in (None, "") else str(value)
    if unit == "wan":
        return _("%(amount)s 万元") % {"amount": grouped(number)}
    return _("%(amount)s 元") % {"amount": grouped(number)}


def yes_no(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    return _("是") if value else _("否")


def _parse_date(value: Any) -> datetime.date | datetime.datetime | None:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATE.match(text):
                return datetime.date.fromisoformat(text)
            if _ISO_DATETIME.match(text):
                return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def date_text(value: Any) -> str:
    """A date (or the date of a datetime) in the reader's format: 2025年11月3日 · Nov. 3, 2025."""
    parsed = _parse_date(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    if isinstance(parsed, datetime.datetime):
        parsed = timezone.localtime(parsed).date() if timezone.is_aware(parsed) else parsed.date()
    return formats.date_format(parsed, "DATE_FORMAT")


def datetime_text(value: Any) -> str:
    """A moment in Beijing time, to the minute: 2025年11月3日 14:05."""
    parsed = _parse_date(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    if not isinstance(parsed, datetime.datetime):
        return date_text(parsed)
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return f"{formats.date_format(parsed.date(), 'DATE_FORMAT')} {parsed:%H:%M}"


def plain(value: Any) -> str:
    """Any stored value when nothing more is known of it: yes/no, dates, numbers grouped, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int):
        return str(value)  # counts and years: 2023, not 2,023
    if isinstance(value, (float, decimal.Decimal)):
        return grouped(value)
    if isinstance(value, (list, tuple, set)):
        return _("、").join(plain(item) for item in value)
    if isinstance(value, dict):
        return _("；").join(plain(item) for item in value.values())
    if isinstance(value, (datetime.date, datetime.datetime)) or (isinstance(value, str) and _parse_date(value)):
        parsed = _parse_date(value)
        return datetime_text(parsed) if isinstance(parsed, datetime.datetime) else date_text(parsed)
    return str(value)
