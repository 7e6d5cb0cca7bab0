"""`manage.py workdays add START N` and `manage.py workdays between FIRST LAST`: the portal's own rule."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.workdays import CalendarCoverageError, add_working_days, office_calendar, weekday_name, working_days_between


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期应为 YYYY-MM-DD，如 2027-01-04，当前为“%(v)s”。") % {"v": value}) from None


class Command(BaseCommand):
    help = (
        "Working days as the portal counts them (China's statutory holidays and 调休, chinesecalendar plus the office's "
        "entries). `add START N`: the last day of N working days starting on START, START counted as day 1 when it is a "
        "working day. `between FIRST LAST`: working days from FIRST to LAST, both included."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="last day of N working days starting on START (START counted if a working day)")
        add.add_argument("start")
        add.add_argument("days", type=int)
        between = sub.add_parser("between", help="number of working days from FIRST to LAST, both included")
        between.add_argument("first")
        between.add_argument("last")

    def handle(self, *args, action, **options):
        calendar = office_calendar()
        try:
            if action == "add":
                self.add(_date(options["start"]), options["days"], calendar)
            else:
                self.between(_date(options["first"]), _date(options["last"]), calendar)
        except CalendarCoverageError as exc:
            raise CommandError(str(exc)) from exc

    def add(self, start: datetime.date, days: int, calendar) -> None:
        if days < 1:
            raise CommandError(_("工作日数应为正整数，当前为 %(n)d。") % {"n": days})
        end = add_working_days(start, days, calendar=calendar)
        self.stdout.write(_("规则：自开始日期起计，开始日期为工作日时计为第 1 个工作日；法定节假日不计，调休上班日计入。"))
        first_day = _("（开始日期为工作日，计为第 1 天）") if calendar.is_working_day(start) else _("（开始日期不是工作日，从其后第一个工作日起计）")
        self.stdout.write(
            _("%(start)s（%(sw)s）起第 %(n)d 个工作日：%(end)s（%(ew)s）%(note)s")
            % {"start": start.isoformat(), "sw": weekday_name(start), "n": days, "end": end.isoformat(), "ew": weekday_name(end),
               "note": first_day}
        )

    def between(self, first: datetime.date, last: datetime.date, calendar) -> None:
        if last < first:
            raise CommandError(_("结束日期 %(b)s 早于开始日期 %(a)s。") % {"a": first.isoformat(), "b": last.isoformat()})
        count = working_days_between(first, last, calendar=calendar)
        self.stdout.write(
            _("%(a)s 至 %(b)s（含首尾）共 %(n)d 个工作日。") % {"a": first.isoformat(), "b": last.isoformat(), "n": count}
        )
