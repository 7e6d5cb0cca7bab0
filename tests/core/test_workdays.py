"""Working days follow China's statutory holidays and make-up working days (chinesecalendar)."""

import datetime

import pytest

from core.workdays import (
    CalendarCoverageError,
    add_working_days,
    covered_years,
    is_working_day,
    working_days_between,
)

D = datetime.date


def test_national_day_2025_holiday_and_make_up_days():
    assert is_working_day(D(2025, 9, 28)) is True  # Sunday, make-up working day (调休)
    assert is_working_day(D(2025, 10, 1)) is False  # National Day
    assert is_working_day(D(2025, 10, 6)) is False  # Monday inside the holiday
    assert is_working_day(D(2025, 10, 11)) is True  # Saturday, make-up working day
    assert is_working_day(D(2025, 10, 12)) is False  # ordinary Sunday


def test_working_days_across_national_day_count_make_up_days_and_skip_the_holiday():
    # Fri 26 Sep, Sun 28 (make-up), Mon 29, Tue 30, [1–8 Oct holiday], Thu 9, Fri 10, Sat 11 (make-up), Mon 13
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 13)) == 8


def test_five_working_days_starting_before_the_holiday_end_after_it():
    # Mon 29 Sep (1), Tue 30 (2), holiday, Thu 9 Oct (3), Fri 10 (4), Sat 11 make-up (5)
    assert add_working_days(D(2025, 9, 29), 5) == D(2025, 10, 11)


def test_plain_week_has_five_working_days():
    assert working_days_between(D(2025, 11, 3), D(2025, 11, 9)) == 5
    assert working_days_between(D(2025, 11, 9), D(2025, 11, 3)) == 0


def test_years_beyond_the_calendar_are_reported_not_guessed():
    first, last = covered_years()
    beyond = D(last + 1, 3, 2)
    with pytest.raises(CalendarCoverageError) as info:
        working_days_between(D(last, 12, 28), beyond)
    # the first day the calendar does not know is named, with the years it does know
    assert info.value.date == D(last + 1, 1, 1)
    assert f"{last + 1}-01-01" in str(info.value)
    assert f"{first}—{last}" in str(info.value)
