"""The demo copies of the seed cycles: a window open now that closes at 23:59:59 Beijing time, English names."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from awards.demo import ensure_demo_cycles


def test_demo_windows_close_at_midnight_beijing_time_and_read_in_english(db):
    # 20:30 UTC is already 2 December in Beijing: 60 days on is 31 January, closing at 23:59:59 Beijing time.
    now = datetime.datetime(2026, 12, 1, 20, 30, tzinfo=datetime.UTC)
    cycles = ensure_demo_cycles(now=now)
    assert len(cycles) == 3
    for cycle in cycles:
        closes = timezone.localtime(cycle.application_closes_at, ZoneInfo("Asia/Shanghai"))
        assert (closes.date(), closes.time()) == (datetime.date(2027, 1, 31), datetime.time(23, 59, 59))
        assert cycle.name_en.startswith("demo cycle, ") and "(" not in cycle.name_en
