"""Demo cycles: copies of the seed cycles with an application window open now.

The seed cycles keep their real (past) dates; the demo copies let a person try the whole journey
today. They go through the same loader as the seeds, so they are valid configuration.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .loader import load_cycle_copy
from .models import Cycle

DEMO_CYCLES = {  # seed cycle → (code, name, English name, quotas)
    "changning-quality-2023": ("demo-changning-quality", "演示周期（长宁）", "demo cycle, Changning", ()),
    "changning-hongqiao-2023": ("demo-changning-hongqiao", "演示周期（虹桥）", "demo cycle, Hongqiao", ()),
    "xuhui-quality-5": ("demo-xuhui-quality", "演示周期（徐汇）", "demo cycle, Xuhui", [2, 3, 5, 5]),
}


def ensure_demo_cycles(*, actor=None, now: datetime.datetime | None = None) -> list[Cycle]:
    now = timezone.localtime(now or timezone.now())  # the window closes at 23:59:59 Beijing time, not UTC
    opens = (now - datetime.timedelta(days=30)).replace(microsecond=0)
    closes = (now + datetime.timedelta(days=60)).replace(hour=23, minute=59, second=59, microsecond=0)
    cycles = []
    for seed_code, (code, name, name_en, quotas) in DEMO_CYCLES.items():
        existing = Cycle.objects.filter(code=code).first()
        cycles.append(load_cycle_copy(
            seed_code, source=f"demo:{seed_code}", actor=actor, quotas=quotas,
            code=code, name=name, name_en=name_en, year=now.year,
            application_opens_at=existing.application_opens_at if existing else opens,
            application_closes_at=existing.application_closes_at if existing else closes,
        ))
    return cycles
