"""`manage.py holidays load FILE` and `manage.py holidays list [YEAR]`: the office's holiday calendar."""

from __future__ import annotations

import datetime
from pathlib import Path

import chinese_calendar
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.holidays import HolidayFileError, load_holiday_file
from core.models import CalendarEntry, CalendarYear
from core.workdays import covered_years, office_calendar, weekday_name

LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class Command(BaseCommand):
    help = (
        "The office's holiday calendar (放假安排) on top of chinesecalendar. "
        "`holidays load FILE` reads a YAML or CSV file all-or-nothing; `holidays list [YEAR]` shows coverage and dates."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a YAML or CSV file of dated entries (all or nothing; idempotent)")
        load.add_argument("file", type=Path)
        load.add_argument("--complete", type=int, action="append", default=[], metavar="YEAR",
                          help="mark YEAR as completely entered (for CSV files, which carry no year record)")
        load.add_argument("--notice", default="", help="the year's notice number for --complete, e.g. 国办发明电〔2026〕12号")
        load.add_argument("--user", default="", help="username recorded as the person entering the data")
        listing = sub.add_parser("list", help="years covered, and the holidays / make-up working days of YEAR")
        listing.add_argument("year", nargs="?", type=int)

    def handle(self, *args, action, **options):
        if action == "load":
            return self.load(options)
        return self.list(options.get("year"))

    # ------------------------------------------------------------------ load
    def load(self, options):
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("未找到用户“%(u)s”。") % {"u": options["user"]})
        try:
            report = load_holiday_file(options["file"], actor=actor, complete_years=options["complete"], notice=options["notice"])
        except HolidayFileError as exc:
            raise CommandError(_("未导入任何内容。%(e)s") % {"e": exc}) from exc
        verbosity = options.get("verbosity", 1)
        if verbosity >= 1:
            for line in report.created:
                self.stdout.write(_("新增 %(x)s") % {"x": line})
            for line in report.updated:
                self.stdout.write(_("更新 %(x)s") % {"x": line})
            for line in report.warnings:
                self.stderr.write(self.style.WARNING(_("注意：%(x)s") % {"x": line}))
            self.stdout.write(self.style.SUCCESS(
                _("新增 %(c)d，更新 %(u)d，未变 %(n)d") % {"c": len(report.created), "u": len(report.updated), "n": report.unchanged}
            ))

    # ------------------------------------------------------------------ list
    def list(self, year: int | None):
        calendar = office_calendar()
        first, last = covered_years()
        if year is None:
            self.stdout.write(_("chinesecalendar %(v)s 收录 %(a)d—%(b)d 年。") % {"v": chinese_calendar.__version__, "a": first, "b": last})
            years = sorted(set(CalendarYear.objects.values_list("year", flat=True))
                           | {d.year for d in CalendarEntry.objects.values_list("date", flat=True)})
            if not years:
                self.stdout.write(_("尚未录入任何放假安排。"))
            for y in years:
                self.stdout.write(self._year_line(y, calendar))
            ranges = "、".join(f"{a}—{b}" if a != b else str(a) for a, b in calendar.year_ranges())
            self.stdout.write(_("可按工作日计算的年份：%(r)s。") % {"r": ranges})
            return
        self.stdout.write(self._year_line(year, calendar))
        entries = {e.date: e for e in CalendarEntry.objects.filter(date__year=year)}
        days: dict[datetime.date, tuple[str, str, str]] = {}
        if first <= year <= last:
            for date, name in chinese_calendar.holidays.items():
                if date.year == year:
                    days[date] = (_("放假"), LIBRARY_NAMES.get(name, name), "chinesecalendar")
            for date, name in chinese_calendar.workdays.items():
                if date.year == year:
                    days[date] = (_("调休上班"), LIBRARY_NAMES.get(name, name), "chinesecalendar")
        for date, entry in entries.items():
            days[date] = (entry.get_kind_display(), entry.name, _("录入：%(n)s") % {"n": entry.notice})
        if not days:
            self.stdout.write(_("（无放假或调休上班日期）"))
        for date in sorted(days):
            kind, name, source = days[date]
            self.stdout.write(f"{date.isoformat()}  {weekday_name(date)}  {kind}  {name}  [{source}]")

    def _year_line(self, year: int, calendar) -> str:
        first, last = covered_years()
        record = CalendarYear.objects.filter(year=year).first()
        count = CalendarEntry.objects.filter(date__year=year).count()
        if first <= year <= last:
            status = _("chinesecalendar 已收录")
            if count:
                status += _("；另有 %(n)d 条录入日期优先") % {"n": count}
        elif record and record.is_complete:
            status = _("按录入的放假安排计算（已录入完整，%(n)d 条）") % {"n": count}
        elif record or count:
            status = _("已录入 %(n)d 条，但尚未标记为已录入完整：按工作日计算仍会被拒绝") % {"n": count}
        else:
            status = _("未收录：按工作日计算会被拒绝")
        notice = f"（{record.notice}）" if record else ""
        return _("%(y)d 年%(notice)s：%(status)s") % {"y": year, "notice": notice, "status": status}
