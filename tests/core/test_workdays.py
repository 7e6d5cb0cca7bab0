"""Working days follow China's statutory holidays and make-up working days (chinesecalendar),
overridden and extended by the office's entered 放假安排 (core.models.CalendarEntry / CalendarYear)."""

import datetime

import pytest

from core.models import CalendarEntry, CalendarYear
from core.workdays import (
    CalendarCoverageError,
    add_working_days,
    covered_years,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = datetime.date
HOLIDAY, WORKDAY = CalendarEntry.Kind.HOLIDAY, CalendarEntry.Kind.WORKDAY


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



def test_the_refusal_tells_staff_what_to_do_and_offers_no_calendar_days():
    with pytest.raises(CalendarCoverageError) as info:
        add_working_days(D(2027, 3, 1), 5)
    message = str(info.value)
    assert message == (
        "2027-03-01 所在年份的法定节假日和调休安排尚未收录（节假日日历仅覆盖 2004—2026 年），无法按工作日计算。"
        "请管理员录入该年度国务院办公厅放假安排通知（2027 年全部放假和调休上班日期：管理后台“放假调休日期”，"
        "或 manage.py holidays load），并将 2027 年标记为“已录入完整”，之后即可按工作日计算。"
    )
    assert "自然日" not in message
    assert info.value.year == 2027


def test_an_entry_overrides_the_library_in_a_covered_year():
    assert is_working_day(D(2026, 10, 9)) is True  # Friday after National Day in chinesecalendar 1.11
    CalendarEntry.objects.create(date=D(2026, 10, 9), kind=HOLIDAY, name="国庆节", notice="测试示例〔2026〕0号")
    assert is_working_day(D(2026, 10, 9)) is False
    CalendarEntry.objects.create(date=D(2026, 11, 7), kind=WORKDAY, name="测试", notice="测试示例〔2026〕0号")  # Saturday
    assert is_working_day(D(2026, 11, 7)) is True
    # Fri 9 Oct is now off; Sat 10 Oct is the library's make-up working day
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_a_half_entered_year_is_still_refused_and_says_so():
    CalendarEntry.objects.create(date=D(2027, 1, 1), kind=HOLIDAY, name="元旦", notice="测试示例〔2026〕0号")
    CalendarYear.objects.create(year=2027, notice="测试示例〔2026〕0号", is_complete=False)
    with pytest.raises(CalendarCoverageError) as info:
        is_working_day(D(2027, 1, 1))  # even the entered date itself: the year is not complete
    assert "2027 年的放假安排已开始录入，但尚未标记为“已录入完整”" in str(info.value)


def test_a_complete_entered_year_follows_its_entries_and_the_week():
    CalendarEntry.objects.create(date=D(2027, 1, 1), kind=HOLIDAY, name="元旦", notice="测试示例〔2026〕0号")
    CalendarEntry.objects.create(date=D(2027, 1, 9), kind=WORKDAY, name="测试", notice="测试示例〔2026〕0号")  # Saturday
    CalendarYear.objects.create(year=2027, notice="测试示例〔2026〕0号", is_complete=True)
    assert is_working_day(D(2027, 1, 1)) is False  # Friday, entered holiday
    assert is_working_day(D(2027, 1, 4)) is True  # Monday without an entry
    assert is_working_day(D(2027, 1, 10)) is False  # Sunday without an entry
    assert is_working_day(D(2027, 1, 9)) is True  # entered make-up working day
    # Thu 31 Dec 2026 (1), [Fri 1 Jan holiday, weekend], Mon 4 (2) … Fri 8 (6), Sat 9 make-up (7)
    assert add_working_days(D(2026, 12, 31), 7) == D(2027, 1, 9)
    assert working_days_between(D(2026, 12, 28), D(2027, 1, 10)) == 10
    with pytest.raises(CalendarCoverageError) as info:
        add_working_days(D(2027, 12, 31), 2)  # 2028 is covered by neither
    assert info.value.date == D(2028, 1, 1)
    assert "节假日日历仅覆盖 2004—2027 年" in str(info.value)


def test_one_computation_reads_the_office_calendar_once(django_assert_num_queries):
    with django_assert_num_queries(2):
        assert working_days_between(D(2025, 1, 1), D(2025, 12, 31)) == 248
