"""One-line text typed by people (names of persons and organisations): no invisible tricks.

A name is shown on staff pages, in rankings, exports and the official PDFs. Characters a reader
cannot see change what they read: U+202E (right-to-left override) shows "张三<U+202E>fdp.exe" as "张三exe.pdf",
zero-width characters make two identical-looking names different, line breaks split a name over
rows of a table. `clean_name` is the one rule for every name field:

- Unicode NFC, leading and trailing white space removed, runs of spaces (also the ideographic
  space U+3000 and the no-break space) collapsed to one ordinary space;
- zero-width characters (U+200B–U+200D, U+2060, U+FEFF, the soft hyphen U+00AD) removed silently:
  they arrive by copy and paste and nobody means them;
- refused with a message naming the character: line breaks and other control characters
  (Unicode category Cc, also tab), direction controls (U+061C, U+200E/U+200F, U+202A–U+202E,
  U+2066–U+2069) and any other format, separator, private-use, surrogate or unassigned code point
  (categories Cf, Zl, Zp, Co, Cs, Cn).

Forms call it from `clean_<field>()` or declare the fields on `CleanNamesMixin`; models use
`validate_name` (it refuses what `clean_name` would change or refuse, for the admin's forms).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
_SPACES = re.compile(r"[ \u00a0\u3000\u2000-\u200a\u202f\u205f]+")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def clean_name(value: str | None) -> str:
    """The name as it will be stored, or ValidationError if it holds a character that is refused."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(char for char in text if char not in ZERO_WIDTH)
    text = _SPACES.sub(" ", text).strip()
    for char in text:
        if char in BIDI_CONTROLS:
            raise ValidationError(
                _("名称中不能包含文字方向控制字符（%(char)s），请删除后重新输入。"), code="bidi_control", params={"char": _describe(char)}
            )
        if char in "\n\r\v\f\x85\u2028\u2029":
            raise ValidationError(_("名称须在一行内填写，不能包含换行。"), code="line_break")
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            raise ValidationError(
                _("名称中含有不可见或不允许的字符（%(char)s），请删除后重新输入。"), code="control_character", params={"char": _describe(char)}
            )
    return text


def validate_name(value: str) -> None:
    """Model-field validator: refuse a value that `clean_name` would refuse or change."""
    cleaned = clean_name(value)
    if cleaned != value:
        raise ValidationError(_("名称前后不能有空格，也不能包含不可见字符。"), code="not_clean")


class CleanNamesMixin:
    """Form mixin: the fields named in `name_fields` go through `clean_name` (errors on the field)."""

    name_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for field in self.name_fields:
            if field in data and field not in self.errors:
                try:
                    data[field] = clean_name(data[field])
                except ValidationError as exc:
                    self.add_error(field, exc)
                    continue
                if not data[field] and self.fields[field].required:
                    self.add_error(field, self.fields[field].error_messages["required"])
        return data
