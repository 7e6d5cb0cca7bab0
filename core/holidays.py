"""The office's holiday calendar: reading a 放假安排 file and writing its entries.

A file is YAML or CSV (by extension). Everything is read and checked first; then every entry is
written in one transaction, each create or change in the activity log with before and after.
Loading the same file twice changes nothing. Errors name the file, the line and the field.

YAML: one document per notice (several documents may be separated by ``---``)::

    year: 2027                      # the year the notice arranges
    notice: 国办发明电〔2026〕N号     # the notice every entry below comes from (unless it says otherwise)
    notice_title: 国务院办公厅关于2027年部分节假日安排的通知
    published_on: 2026-11-10
    complete: true                  # every holiday and make-up working day of the notice is below
    entries:
      - {date: 2027-01-01, kind: holiday, name: 元旦}
      - {from: 2027-02-06, to: 2027-02-12, kind: holiday, name: 春节}
      - {date: 2027-02-14, kind: workday, name: 春节}

CSV: a header ``date,kind,name,notice`` (and optionally ``to`` for a range ending on that date);
one row per date or range. A CSV carries no year record: mark a year complete with
``manage.py holidays load FILE --complete 2027``.

``kind`` is ``holiday`` (放假) or ``workday`` (调休上班, always a Saturday or Sunday).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarEntry, CalendarYear
from .services import changed_fields, log_activity, model_snapshot
from .workdays import STATUTORY_FESTIVALS
from .yaml_loading import DuplicateKeyError, LoadReport, load_all

KIND_ALIASES = {
    "holiday": CalendarEntry.Kind.HOLIDAY,
    "放假": CalendarEntry.Kind.HOLIDAY,
    "休": CalendarEntry.Kind.HOLIDAY,
    "workday": CalendarEntry.Kind.WORKDAY,
    "上班": CalendarEntry.Kind.WORKDAY,
    "调休上班": CalendarEntry.Kind.WORKDAY,
    "班": CalendarEntry.Kind.WORKDAY,
}
DOCUMENT_FIELDS = ("year", "notice", "notice_title", "published_on", "complete", "note", "entries")
ENTRY_FIELDS = ("date", "from", "to", "kind", "name", "notice")
CSV_FIELDS = ("date", "to", "kind", "name", "notice")
MAX_RANGE_DAYS = 15
YEAR_RANGE = (2000, 2100)


class HolidayFileError(Exception):
    """A problem in a holiday file: the file, the line (0 when not tied to one), the field, what is wrong."""

    def __init__(self, source: str, line: int, field_name: str, problem: str):
        self.source, self.line, self.field_name, self.problem = source, line, field_name, problem
        where = _("第 %(n)d 行") % {"n": line} if line else ""
        parts = [p for p in (source, where, field_name) if p]
        super().__init__(f"{'：'.join(parts)}：{problem}")


@dataclass(frozen=True)
class ParsedEntry:
    line: int
    date: datetime.date
    kind: str
    name: str
    notice: str


@dataclass(frozen=True)
class ParsedYear:
    line: int
    year: int
    notice: str
    notice_title: str = ""
    published_on: datetime.date | None = None
    complete: bool | None = None  # None: not stated (keep what is recorded)
    note: str = ""


@dataclass
class HolidayFile:
    source: str
    entries: list[ParsedEntry] = field(default_factory=list)
    years: list[ParsedYear] = field(default_factory=list)


# ---------------------------------------------------------------- checks shared with the admin


def completeness_problems(year: int, entries: list[tuple[datetime.date, str, str]] | None = None) -> list[str]:
    """Why `year` cannot be marked complete yet: statutory festivals without an entered holiday.

    `entries` are (date, kind, name); default: what is recorded for that year.
    """
    if entries is None:
        entries = list(CalendarEntry.objects.filter(date__year=year).values_list("date", "kind", "name"))
    names = [name for date, kind, name in entries if date.year == year and kind == CalendarEntry.Kind.HOLIDAY]
    missing = [festival for festival in STATUTORY_FESTIVALS if not any(festival in name for name in names)]
    if not missing:
        return []
    return [
        _("%(year)d 年尚未录入以下节日的放假日期：%(names)s。全部录入并核对后才能标记为已录入完整。")
        % {"year": year, "names": "、".join(missing)}
    ]


def workday_problem(date: datetime.date, kind: str) -> str:
    return CalendarEntry.make_up_day_problem(date) if kind == CalendarEntry.Kind.WORKDAY else ""


# ---------------------------------------------------------------- reading


def _as_date(value, source: str, line: int, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise HolidayFileError(source, line, name, _("应为日期，如 2027-01-01，当前为“%(v)s”") % {"v": value}) from None
    if not isinstance(value, datetime.date):
        raise HolidayFileError(source, line, name, _("应为日期，如 2027-01-01，当前为“%(v)s”") % {"v": value})
    if not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
        raise HolidayFileError(source, line, name, _("年份应在 %(a)d 至 %(b)d 之间") % {"a": YEAR_RANGE[0], "b": YEAR_RANGE[1]})
    return value


def _as_text(value, source: str, line: int, name: str, *, max_length: int, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise HolidayFileError(source, line, name, _("必填"))
        return ""
    if not isinstance(value, str):
        raise HolidayFileError(source, line, name, _("应为文字，当前为 %(v)r") % {"v": value})
    value = value.strip()
    if len(value) > max_length:
        raise HolidayFileError(source, line, name, _("不能超过 %(n)d 个字") % {"n": max_length})
    return value


def _as_kind(value, source: str, line: int) -> str:
    kind = KIND_ALIASES.get(str(value).strip() if value is not None else "")
    if kind is None:
        raise HolidayFileError(
            source, line, "kind", _("应为 holiday（放假）或 workday（调休上班），当前为“%(v)s”") % {"v": value if value is not None else ""}
        )
    return kind


def _expand(source: str, line: int, raw: dict, default_notice: str) -> list[ParsedEntry]:
    kind = _as_kind(raw.get("kind"), source, line)
    name = _as_text(raw.get("name"), source, line, "name", max_length=40)
    notice = _as_text(raw.get("notice") or default_notice, source, line, "notice", max_length=80)
    has_date = raw.get("date") not in (None, "")
    has_range = raw.get("from") not in (None, "") or raw.get("to") not in (None, "")
    if has_date and raw.get("from") not in (None, ""):
        raise HolidayFileError(source, line, "date", _("date 与 from/to 只能填一种"))
    if has_date:
        first = _as_date(raw["date"], source, line, "date")
        last = _as_date(raw["to"], source, line, "to") if raw.get("to") not in (None, "") else first
    elif has_range:
        if raw.get("from") in (None, "") or raw.get("to") in (None, ""):
            raise HolidayFileError(source, line, "from", _("日期范围须同时填写 from 和 to"))
        first = _as_date(raw["from"], source, line, "from")
        last = _as_date(raw["to"], source, line, "to")
    else:
        raise HolidayFileError(source, line, "date", _("必填"))
    if last < first:
        raise HolidayFileError(source, line, "to", _("结束日期 %(b)s 早于开始日期 %(a)s") % {"a": first.isoformat(), "b": last.isoformat()})
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise HolidayFileError(source, line, "to", _("一个日期范围不能超过 %(n)d 天，请核对") % {"n": MAX_RANGE_DAYS})
    entries = []
    day = first
    while day <= last:
        problem = workday_problem(day, kind)
        if problem:
            raise HolidayFileError(source, line, "kind", problem)
        entries.append(ParsedEntry(line=line, date=day, kind=kind, name=name, notice=notice))
        day += datetime.timedelta(days=1)
    return entries


def _read_yaml(source: str, text: str) -> HolidayFile:
    try:
        documents = load_all(text)
    except DuplicateKeyError as exc:
        raise HolidayFileError(source, exc.line, exc.path, _("键“%(k)s”重复（第 %(a)d 行已出现）") % {"k": exc.key, "a": exc.first_line}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise HolidayFileError(source, mark.line + 1 if mark else 0, "(YAML)", _("格式错误：%(e)s") % {"e": exc}) from None
    parsed = HolidayFile(source=source)
    for document in documents:
        if document is None:
            continue
        if not isinstance(document, dict):
            raise HolidayFileError(source, 0, "(文档)", _("顶层应为键值对：year、notice、complete、entries"))
        line = getattr(document, "line", 0)
        unknown = sorted(set(map(str, document)) - set(DOCUMENT_FIELDS))
        if unknown:
            raise HolidayFileError(source, line, unknown[0], _("未知字段；允许的字段：%(f)s") % {"f": ", ".join(DOCUMENT_FIELDS)})
        year = document.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise HolidayFileError(source, line, "year", _("应为年份（整数），如 2027"))
        notice = _as_text(document.get("notice"), source, line, "notice", max_length=80)
        complete = document.get("complete")
        if complete is not None and not isinstance(complete, bool):
            raise HolidayFileError(source, line, "complete", _("应为 true 或 false"))
        published_on = document.get("published_on")
        parsed.years.append(
            ParsedYear(
                line=line,
                year=year,
                notice=notice,
                notice_title=_as_text(document.get("notice_title"), source, line, "notice_title", max_length=200, required=False),
                published_on=_as_date(published_on, source, line, "published_on") if published_on not in (None, "") else None,
                complete=complete,
                note=_as_text(document.get("note"), source, line, "note", max_length=2000, required=False),
            )
        )
        items = document.get("entries")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise HolidayFileError(source, line, "entries", _("应为列表"))
        for item in items:
            item_line = getattr(item, "line", line)
            if not isinstance(item, dict):
                raise HolidayFileError(source, item_line, "entries", _("每一项应为键值对：date（或 from/to）、kind、name"))
            unknown = sorted(set(map(str, item)) - set(ENTRY_FIELDS))
            if unknown:
                raise HolidayFileError(source, item_line, unknown[0], _("未知字段；允许的字段：%(f)s") % {"f": ", ".join(ENTRY_FIELDS)})
            expanded = _expand(source, item_line, item, notice)
            for entry in expanded:
                if entry.date.year not in (year - 1, year):
                    raise HolidayFileError(
                        source, item_line, "date",
                        _("%(d)s 不属于 %(y)d 年的放假安排（只能是 %(y)d 年或上一年年末的日期）") % {"d": entry.date.isoformat(), "y": year},
                    )
            parsed.entries.extend(expanded)
    return parsed


def _read_csv(source: str, text: str) -> HolidayFile:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise HolidayFileError(source, 1, "(表头)", _("文件为空；第一行应为表头 date,kind,name,notice"))
    unknown = [h for h in header if h not in CSV_FIELDS]
    missing = [h for h in ("date", "kind", "name", "notice") if h not in header]
    if unknown or missing:
        raise HolidayFileError(
            source, 1, "(表头)",
            _("表头应为 date,kind,name,notice（可加 to 表示日期范围）；%(p)s")
            % {"p": _("未知列：%(c)s") % {"c": ", ".join(unknown)} if unknown else _("缺少列：%(c)s") % {"c": ", ".join(missing)}},
        )
    parsed = HolidayFile(source=source)
    for row in reader:
        line = reader.line_num
        values = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            raise HolidayFileError(source, line, "(列)", _("列数多于表头"))
        if not any(values.values()) or values.get("date", "").startswith("#"):
            continue
        raw = {"date": values.get("date"), "to": values.get("to") or None, "kind": values.get("kind"),
               "name": values.get("name"), "notice": values.get("notice")}
        parsed.entries.extend(_expand(source, line, raw, ""))
    return parsed


def read_holiday_file(path: Path) -> HolidayFile:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HolidayFileError(source, 0, "", _("文件不存在")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HolidayFileError(source, 0, "", _("无法读取（应为 UTF-8 编码）：%(e)s") % {"e": exc}) from None
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        parsed = _read_yaml(source, text)
    elif suffix == ".csv":
        parsed = _read_csv(source, text)
    else:
        raise HolidayFileError(source, 0, "", _("文件应为 .yaml、.yml 或 .csv"))
    _check_duplicates(parsed)
    return parsed


def _check_duplicates(parsed: HolidayFile) -> None:
    first_line: dict[datetime.date, int] = {}
    for entry in parsed.entries:
        if entry.date in first_line:
            raise HolidayFileError(
                parsed.source, entry.line, "date",
                _("日期 %(d)s 重复（第 %(a)d 行已有该日期）") % {"d": entry.date.isoformat(), "a": first_line[entry.date]},
            )
        first_line[entry.date] = entry.line
    seen_years: dict[int, int] = {}
    for year in parsed.years:
        if year.year in seen_years:
            raise HolidayFileError(
                parsed.source, year.line, "year", _("%(y)d 年重复（第 %(a)d 行已有）") % {"y": year.year, "a": seen_years[year.year]}
            )
        seen_years[year.year] = year.line
    if not parsed.entries and not parsed.years:
        raise HolidayFileError(parsed.source, 0, "", _("文件中没有任何日期"))


# ---------------------------------------------------------------- writing


def _reason(source: str) -> str:
    return f"holidays load {source}"


def load_holiday_file(
    path: Path, *, actor=None, complete_years: list[int] | tuple[int, ...] = (), notice: str = ""
) -> LoadReport:
    """Read, check and write a holiday file all-or-nothing; raises HolidayFileError.

    `complete_years` marks those years complete (for CSV files, which carry no year record);
    `notice` is then the year's notice (default: the one notice the file's rows of that year name).
    """
    parsed = read_holiday_file(path)
    source = parsed.source
    years = {y.year: y for y in parsed.years}
    for year in complete_years:
        if not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
            raise HolidayFileError(source, 0, "--complete", _("应为年份（整数），如 2027"))
        stated = years.get(int(year))
        if stated is not None:
            years[int(year)] = ParsedYear(**{**stated.__dict__, "complete": True})
            continue
        notices = Counter(e.notice for e in parsed.entries if e.date.year == int(year))
        year_notice = notice or next(iter(CalendarYear.objects.filter(year=year).values_list("notice", flat=True)), "")
        if not year_notice:
            if len(notices) != 1:
                raise HolidayFileError(
                    source, 0, "--complete",
                    _("%(y)d 年的日期来自 %(n)d 个通知，请用 --notice 指明该年度放假安排的通知文号") % {"y": year, "n": len(notices)},
                )
            year_notice = next(iter(notices))
        years[int(year)] = ParsedYear(line=0, year=int(year), notice=year_notice, complete=True)

    report = LoadReport()
    with transaction.atomic():
        existing = {e.date: e for e in CalendarEntry.objects.select_for_update().filter(date__in=[p.date for p in parsed.entries])}
        for item in parsed.entries:
            values = {"kind": item.kind, "name": item.name, "notice": item.notice}
            entry = existing.get(item.date)
            if entry is None:
                entry = CalendarEntry.objects.create(date=item.date, entered_by=actor if _authenticated(actor) else None, **values)
                report.created.append(str(entry))
                log_activity(actor=actor, action="calendar.entry.create", target=entry, after=model_snapshot(entry, _LOGGED_ENTRY), reason=_reason(source))
                continue
            before = model_snapshot(entry, _LOGGED_ENTRY)
            for name, value in values.items():
                setattr(entry, name, value)
            old, new = changed_fields(before, model_snapshot(entry, _LOGGED_ENTRY))
            if not old and not new:
                report.unchanged += 1
                continue
            if _authenticated(actor):
                entry.entered_by = actor
            entry.save()
            report.updated.append(str(entry))
            log_activity(actor=actor, action="calendar.entry.update", target=entry, before=old, after=new, reason=_reason(source))

        for year in sorted(years.values(), key=lambda y: y.year):
            record = CalendarYear.objects.select_for_update().filter(year=year.year).first()
            creating = record is None
            if creating:
                record = CalendarYear(year=year.year, entered_by=actor if _authenticated(actor) else None)
            before = None if creating else model_snapshot(record, _LOGGED_YEAR)
            record.notice = year.notice
            if year.notice_title:
                record.notice_title = year.notice_title
            if year.published_on:
                record.published_on = year.published_on
            if year.note:
                record.note = year.note
            if year.complete is not None:
                record.is_complete = year.complete
            if record.is_complete:
                problems = completeness_problems(year.year)
                if problems:
                    raise HolidayFileError(source, year.line, "complete", problems[0])
            after = model_snapshot(record, _LOGGED_YEAR)
            if creating:
                record.save()
                report.created.append(str(record))
                log_activity(actor=actor, action="calendar.year.create", target=record, after=model_snapshot(record, _LOGGED_YEAR), reason=_reason(source))
                continue
            old, new = changed_fields(before, after)
            if not old and not new:
                report.unchanged += 1
                continue
            record.save()
            report.updated.append(str(record))
            log_activity(actor=actor, action="calendar.year.update", target=record, before=old, after=new, reason=_reason(source))

        listed = {p.date for p in parsed.entries}
        for year in sorted(years):
            extra = CalendarEntry.objects.filter(date__year=year).exclude(date__in=listed).order_by("date")
            for entry in extra:
                report.warnings.append(
                    _("已录入的 %(e)s 不在本文件中，未删除；如有误请在管理后台删除。") % {"e": entry}
                )
    return report


_LOGGED_ENTRY = ["date", "kind", "name", "notice", "entered_by"]
_LOGGED_YEAR = ["year", "notice", "notice_title", "published_on", "is_complete", "note", "entered_by"]


def _authenticated(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))
