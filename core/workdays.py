"""China's working days: the maintained `chinesecalendar` library, plus the office's entries.

Statutory holidays and the make-up working days (调休) come from the library's data, never from a
table of ours. The State Council publishes next year's 放假安排 each November and the library
release follows weeks or months later, so the office can enter a year's notice itself
(core.models.CalendarEntry / CalendarYear, in the admin or `manage.py holidays load FILE`):

- an entered date overrides the library for that date (holiday → not a working day, 调休上班 →
  a working day);
- a year counts as covered only when the library covers it, or when its CalendarYear is marked
  complete; in such a year, days without an entry follow the week (Monday–Friday working);
- a date in a year covered by neither raises CalendarCoverageError, whose message tells staff
  what to do. Nothing is guessed.

Every working-day computation of the portal goes through `is_working_day`, `add_working_days`
or `working_days_between` here. Each call reads the office's entries once (two queries).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.utils.translation import gettext as _

# The statutory festivals (全体公民放假的节日) every annual notice arranges; a year is complete only
# when each has at least one entered holiday. Matched as a part of the entry's name.
STATUTORY_FESTIVALS = ("元旦", "春节", "清明", "劳动", "端午", "中秋", "国庆")


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, int]:
    """First and last year of the `chinesecalendar` library's data."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return min(years), max(years)


library_years = covered_years


@dataclass(frozen=True)
class OfficeCalendar:
    """The office's entries as read at the start of one computation."""

    working: dict[datetime.date, bool]  # date → is a working day
    complete_years: frozenset[int]
    partial_years: frozenset[int]  # dates entered or a CalendarYear recorded, but not marked complete

    def covers_year(self, year: int) -> bool:
        first, last = covered_years()
        return first <= year <= last or year in self.complete_years

    def is_working_day(self, date: datetime.date) -> bool:
        if not self.covers_year(date.year):
            raise CalendarCoverageError(date, calendar=self)
        entered = self.working.get(date)
        if entered is not None:
            return entered
        first, last = covered_years()
        if first <= date.year <= last:
            return chinese_calendar.is_workday(date)
        return date.weekday() < 5

    def year_ranges(self) -> list[tuple[int, int]]:
        """The covered years as merged ranges, e.g. [(2004, 2027), (2029, 2029)]."""
        first, last = covered_years()
        years = sorted(set(range(first, last + 1)) | set(self.complete_years))
        ranges: list[tuple[int, int]] = []
        for year in years:
            if ranges and ranges[-1][1] == year - 1:
                ranges[-1] = (ranges[-1][0], year)
            else:
                ranges.append((year, year))
        return ranges


def office_calendar() -> OfficeCalendar:
    from .models import CalendarEntry, CalendarYear

    working = {
        date: kind == CalendarEntry.Kind.WORKDAY for date, kind in CalendarEntry.objects.values_list("date", "kind")
    }
    complete, partial = set(), {date.year for date in working}
    for year, is_complete in CalendarYear.objects.values_list("year", "is_complete"):
        (complete if is_complete else partial).add(year)
    partial -= complete
    return OfficeCalendar(working=working, complete_years=frozenset(complete), partial_years=frozenset(partial))


def _ranges_text(ranges: list[tuple[int, int]]) -> str:
    return "、".join(f"{a}—{b}" if a != b else f"{a}" for a, b in ranges)


class CalendarCoverageError(ValueError):
    """A date lies in a year for which neither the library nor a complete entered year has data."""

    def __init__(self, date: datetime.date, *, calendar: OfficeCalendar | None = None):
        calendar = calendar or office_calendar()
        self.date = date
        self.year = date.year
        message = _(
            "%(date)s 所在年份的法定节假日和调休安排尚未收录（节假日日历仅覆盖 %(years)s 年），无法按工作日计算。"
        ) % {"date": date.isoformat(), "years": _ranges_text(calendar.year_ranges())}
        if date.year in calendar.partial_years:
            message += _(
                "%(year)d 年的放假安排已开始录入，但尚未标记为“已录入完整”。请管理员核对该年度国务院办公厅放假安排通知的"
                "全部放假和调休上班日期后，在“年度放假安排”中将 %(year)d 年标记为“已录入完整”。"
            ) % {"year": date.year}
        else:
            message += _(
                "请管理员录入该年度国务院办公厅放假安排通知（%(year)d 年全部放假和调休上班日期：管理后台“放假调休日期”，"
                "或 manage.py holidays load），并将 %(year)d 年标记为“已录入完整”，之后即可按工作日计算。"
            ) % {"year": date.year}
        super().__init__(message)


def is_covered(date: datetime.date, *, calendar: OfficeCalendar | None = None) -> bool:
    return (calendar or office_calendar()).covers_year(date.year)


def is_working_day(date: datetime.date, *, calendar: OfficeCalendar | None = None) -> bool:
    return (calendar or office_calendar()).is_working_day(date)


def add_working_days(start: datetime.date, days: int, *, calendar: OfficeCalendar | None = None) -> datetime.date:
    """The date of the `days`-th working day counting `start` as day 1 when it is a working day.

    A 公示 of 5 working days starting on Monday 2025-09-29 ends on the 5th working day counted
    from the start date inclusive. When `start` is not a working day, counting begins at the
    next working day.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    calendar = calendar or office_calendar()
    current = start
    counted = 0
    while True:
        if calendar.is_working_day(current):
            counted += 1
            if counted == days:
                return current
        current += datetime.timedelta(days=1)


def working_days_between(first: datetime.date, last: datetime.date, *, calendar: OfficeCalendar | None = None) -> int:
    """Number of working days from `first` to `last`, both inclusive (0 if last < first)."""
    if last < first:
        return 0
    calendar = calendar or office_calendar()
    count = 0
    current = first
    while current <= last:
        if calendar.is_working_day(current):
            count += 1
        current += datetime.timedelta(days=1)
    return count


def weekday_name(date: datetime.date) -> str:
    return [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")][date.weekday()]


def add_calendar_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a span of `days` calendar days starting on `start` (inclusive)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return start + datetime.timedelta(days=days - 1)
