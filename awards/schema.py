"""The YAML schema of programme configuration, as one data structure: the table is awards/schema.yaml.

`awards/loader.py` validates every document against it (unknown fields, required fields, value
types), and `tests/awards/test_schema.py` checks that docs/configuration.md names every section
and field of the table, every stage kind with its parameters and every eligibility rule kind with its
parameters — so neither the loader nor the documentation can drift from the table silently.

A field's `type` is one of TYPES; `nullable` means `null` is accepted (for a quota: 待定, not yet
set); `column` says the value is stored in the model field of the same name (otherwise the loader
handles it: a child list, a reference by code, a sub-mapping); `unit` is stated in the docs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

TYPES = ("text", "code", "integer", "decimal", "boolean", "date", "datetime", "list", "mapping")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    doc: str
    required: bool = False
    nullable: bool = False
    column: bool = True
    unit: str = ""
    hint: str = ""  # the problem stated when the value has the wrong type (default: from the type)


@dataclass(frozen=True)
class Section:
    key: str  # where it sits in a document, e.g. "cycle.categories[]"
    title: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields if f.column]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


SCHEMA_FILE = Path(__file__).with_name("schema.yaml")


def _read_sections() -> dict[str, Section]:
    sections = yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))
    result = {key: Section(key, s["title"], tuple(Field(**f) for f in s["fields"])) for key, s in sections.items()}
    unknown = [f"{key}.{f.name}: {f.type}" for key, s in result.items() for f in s.fields if f.type not in TYPES]
    if unknown:
        raise ValueError(f"{SCHEMA_FILE}: unknown field types {unknown}")
    return result


SECTIONS: dict[str, Section] = _read_sections()

KINDS = {"organiser": "organiser-document", "rubric": "rubric-document", "cycle": "cycle-document", "letter": "letter-document"}

# Lists whose items are identified by a code: a repeated code would silently overwrite (or, on an
# existing cycle, delete) a row, so the loader refuses it naming the list and both positions.
CODED_LISTS = ("organisers", "cycle.review_bodies", "cycle.stages", "cycle.categories", "benefits", "criteria")


def section(key: str) -> Section:
    return SECTIONS[key]


def type_problem(spec: Field, value: Any) -> str:
    """Why `value` does not fit `spec`, or "" when it does. None is checked by the caller."""
    kind = spec.type
    ok = True
    if kind in ("text", "code"):
        ok = isinstance(value, str)
        if not ok:
            return _(spec.hint) if spec.hint else _("应为文字，当前为 %(v)r；数字或日期样式的文字请加引号") % {"v": value}
    elif kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            ok = False
        else:
            try:
                ok = Decimal(str(value)).is_finite()
            except InvalidOperation:
                ok = False
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "date":
        ok = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    elif kind == "datetime":
        ok = isinstance(value, datetime.datetime) and value.tzinfo is not None
    elif kind == "list":
        ok = isinstance(value, list)
    elif kind == "mapping":
        ok = isinstance(value, dict)
    if ok:
        return ""
    if spec.hint:
        return _(spec.hint)
    return {
        "integer": lambda: _("应为整数"),
        "decimal": lambda: _("应为数字（%(unit)s）") % {"unit": spec.unit} if spec.unit else _("应为数字"),
        "boolean": lambda: _("应为 true 或 false"),
        "date": lambda: _("应为日期，如 2023-09-01"),
        "datetime": lambda: _("应为带时区的时间，如 2025-12-30T23:59:59+08:00"),
        "list": lambda: _("应为列表"),
        "mapping": lambda: _("应为键值对（mapping）"),
    }[kind]()


# The hints above are looked up in the catalogue when shown; these lines let makemessages find them.
_HINTS = [
    _noop("应为带时区的时间，如 2025-12-30T23:59:59+08:00"), _noop("应为日期，如 2023-09-01"),
    _noop("名额应为不小于0的整数（或留空表示待定）"), _noop("应为数字（元）"), _noop("应为数字"), _noop("应为日期，如 2022-12-05"),
]
