"""An application's answers in people's words: the one home of "label and format an answer value".

Labels come from the form definition — ApplicationForm, which builds the fields of the sections in
applications/sections.py from the category's configuration — in the reader's language. Values are
formatted by their field: money in 万元 with digit grouping, dates in the reader's format, yes/no in
words (承诺 as 已承诺 / 未承诺), choices by their label, the recommending unit by its name.

Every page that shows answers reads them here: the staff application page, the expert's view and
the activity log (what an applicant changed in each save, recorded by application_save_draft as
the per-field diff of `values()` before and after).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from core.display import EMPTY, as_decimal, date_text, grouped, money, plain, yes_no

from .models import Application


@dataclass(frozen=True)
class Answer:
    name: str  # the form field's name: the key of the recorded diff
    label: str
    value: Any  # JSON-safe, comparable (what values() gives)
    text: str  # for the reader


@dataclass(frozen=True)
class AnswerGroup:
    code: str
    title: str
    answers: list[Answer]


def _normalised(field: forms.Field, value: Any) -> Any:
    """The field's value as JSON-safe data that compares equal when the answer is the same."""
    if isinstance(field, forms.BooleanField):
        return bool(value)
    if isinstance(field, forms.ModelChoiceField):
        # Recorded by name: the log must read the same after the unit is renamed or removed.
        if value in (None, ""):
            return None
        unit = value if hasattr(value, "pk") else field.queryset.filter(pk=value).first()
        return str(unit) if unit is not None else str(value)
    if value in (None, ""):
        return None
    if isinstance(field, forms.DecimalField):
        number = as_decimal(value)
        return None if number is None else format(number.normalize(), "f")
    if isinstance(field, forms.IntegerField):
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


class AnswerSheet:
    """The answer fields of one application's form: label and format by field name."""

    def __init__(self, application: Application):
        from .forms import ApplicationForm

        self.application = application
        self.form = ApplicationForm(application=application, editable=set())
        self._section_of = {name: code for code, names in self.form.section_fields.items() for name in names}
        criteria = {str(item.get("code")): item for item in application.category.criteria or []}
        self._criterion_labels = {f"crit_{code}_evidence": item.get("label", "") for code, item in criteria.items()}

    # -- the form definition --
    def names(self) -> list[str]:
        return [name for names in self.form.section_fields.values() for name in names]

    def label(self, name: str) -> str:
        field = self.form.fields.get(name)
        if field is None or name == "version":
            return _("（已不在申报表中的栏目）")
        label = str(field.label)
        if name in self._criterion_labels:
            return f"{self._criterion_labels[name]}{label}"
        return label

    def format(self, name: str, value: Any) -> str:
        """A recorded or current value of the field `name`, for the reader."""
        field = self.form.fields.get(name)
        if field is None:
            return plain(value)
        if isinstance(field, forms.BooleanField):
            if self._section_of.get(name) == "declarations":
                return _("已承诺") if value else _("未承诺")
            return yes_no(bool(value))
        if isinstance(field, forms.ModelChoiceField):
            return str(value) if value not in (None, "") else str(field.empty_label or EMPTY)
        if value in (None, ""):
            return EMPTY
        if isinstance(field, forms.DecimalField):
            unit = getattr(field, "money_unit", None)
            return money(value, unit=unit) if unit else grouped(as_decimal(value) or 0)
        if isinstance(field, forms.DateField):
            return date_text(value)
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        return str(value)

    # -- the application's current answers --
    def values(self) -> dict[str, Any]:
        """Every answer as comparable data, by field name (what a save's diff is made of)."""
        return {name: _normalised(self.form.fields[name], self.form.fields[name].initial) for name in self.names()}

    def groups(self) -> list[AnswerGroup]:
        """The answers by section, labelled and formatted; a criterion not chosen shows no empty evidence."""
        values = self.values()
        groups = []
        for section in self.form.sections:
            answers = []
            for name in self.form.section_fields[section.code]:
                value = values[name]
                if name.endswith("_evidence") and not value and not values.get(name.removesuffix("_evidence")):
                    continue
                answers.append(Answer(name=name, label=self.label(name), value=value, text=self.format(name, value)))
            if answers:
                groups.append(AnswerGroup(code=section.code, title=str(section.title), answers=answers))
        return groups


def answer_values(application: Application) -> dict[str, Any]:
    return AnswerSheet(application).values()


def answer_diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the answers that differ, keyed by field name, in form order."""
    names = list(dict.fromkeys([*after, *before]))
    changed = [name for name in names if before.get(name) != after.get(name)]
    return {name: before.get(name) for name in changed}, {name: after.get(name) for name in changed}


def answer_groups(application: Application) -> list[AnswerGroup]:
    return AnswerSheet(application).groups()
