"""Every Chinese msgid of the templates has its English entry, looked up the way Django looks it up.

The templates' {% translate %} and {% blocktranslate %} are read with Django's own `templatize` (what makemessages
uses), so a msgid the catalogue spells differently — a literal "%" in a blocktranslate is "%%" there — is caught:
such a string stays Chinese on an English page without any error."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

HAN = re.compile(r"[\u4e00-\u9fff]")
CALLS = {"gettext": 1, "pgettext": 2, "ngettext": 2, "npgettext": 3}
_LITERAL = r"u?'(?:[^'\\\n]|\\.)*'" + "|" + r'u?"(?:[^"\\\n]|\\.)*"'  # a Python string literal as templatize writes it
STRING = re.compile(_LITERAL)
CALL = re.compile(rf"\b(n?p?gettext)\(((?:\s*(?:{_LITERAL})\s*,?)+)")


def _calls(source: str):
    """(function, string arguments) of each gettext-family call in templatize's output (arguments are repr()s)."""
    for match in CALL.finditer(source):
        function = match.group(1)
        args = [ast.literal_eval(literal) for literal in STRING.findall(match.group(2))]
        if len(args) >= CALLS[function]:
            yield function, args[:CALLS[function]]


def _untranslated(function: str, args: list[str]) -> bool:
    if function == "gettext":
        return translation.gettext(args[0]) == args[0]
    if function == "pgettext":
        return translation.pgettext(*args) == args[1]
    if function == "ngettext":
        return translation.ngettext(args[0], args[1], 1) == args[0]
    return translation.npgettext(args[0], args[1], args[2], 1) == args[1]


def test_every_chinese_string_of_the_templates_has_an_english_translation():
    root = Path(settings.BASE_DIR)
    templates = [p for p in root.glob("**/templates/**/*.html") if ".venv" not in p.parts and "node_modules" not in p.parts]
    assert len(templates) > 50
    missing = []
    with translation.override("en"):
        for path in templates:
            for function, args in _calls(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
                if HAN.search(args[-2] if function in ("ngettext", "npgettext") else args[-1]) and _untranslated(function, args):
                    missing.append(f"{path.relative_to(root)}: {args}")
    assert missing == []
