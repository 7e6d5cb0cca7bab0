"""China's working days, from the maintained `chinesecalendar` library.

Statutory holidays and the make-up working days (调休) come from the library's data, never from a
table of ours. Dates in years the library does not cover raise CalendarCoverageError, so callers
can tell the user plainly instead of guessing.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar
from django.utils.translation import gettext as _


class CalendarCoverageError(ValueError):
    """A date lies outside the years for which the holiday calendar has official data."""

    def __init__(self, date: datetime.date):
        first, last = covered_years()
        self.date = date
        super().__init__(
            _(
                "%(date)s 所在年份的法定节假日和调休安排尚未收录（节假日日历仅覆盖 %(first)d—%(last)d 年），"
                "无法按工作日计算，请在国务院办公厅公布安排并更新日历后再试，或改用自然日。"
            )
            % {"date": date.isoformat(), "first": first, "last": last}
        )


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return min(years), max(years)


def is_covered(date: datetime.date) -> bool:
    first, last = covered_years()
    return first <= date.year <= last


def is_working_day(date: datetime.date) -> bool:
    if not is_covered(date):
        raise CalendarCoverageError(date)
    return chinese_calendar.is_workday(date)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date of the `days`-th working day counting `start` as day 1 when it is a working day.

    A 公示 of 5 working days starting on Monday 2025-09-29 ends on the 5th working day counted
    from the start date inclusive.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    current = start
    counted = 0
    while True:
        if is_working_day(current):
            counted += 1
            if counted == days:
                return current
        current += datetime.timedelta(days=1)


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    """Number of working days from `first` to `last`, both inclusive (0 if last < first)."""
    if last < first:
        return 0
    count = 0
    current = first
    while current <= last:
        if is_working_day(current):
            count += 1
        current += datetime.timedelta(days=1)
    return count


def add_calendar_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a span of `days` calendar days starting on `start` (inclusive)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return start + datetime.timedelta(days=days - 1)
