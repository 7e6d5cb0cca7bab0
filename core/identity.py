"""Check characters of Chinese identity numbers.

- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-symbol
  alphabet; the last is a check character computed modulo 31.
- 居民身份证号码 (resident identity number), GB 11643-1999: 17 digits + a check digit (0-9 or X)
  computed by ISO 7064 MOD 11-2; birth date in positions 7-14, sex from position 17.
- 外国人永久居留身份证 (2023 edition): 18 characters, first digit 9, the same check digit as the
  resident ID.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


ASCII_DIGITS = frozenset("0123456789")


def normalise_code(value: str) -> str:
    """Upper case, half-width, without spaces or hyphens (as people type them).

    NFKC folds the full-width characters a Chinese input method produces (３１０…Ｘ) into ASCII,
    so they are neither refused as "wrong characters" nor stored in a second spelling.
    """
    folded = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-‐‑–—－]", "", folded).upper()


def _all_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts "²", "٣" …; int() then fails or silently converts them.
    return bool(text) and all(c in ASCII_DIGITS for c in text)


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised code or raise ValidationError saying what is wrong."""
    code = normalise_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(code)}, code="credit_code_length"
        )
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符“%(c)s”（不使用 I、O、Z、S、V）。") % {"c": bad[0]},
            code="credit_code_charset",
        )
    if not _all_ascii_digits(code[2:8]):
        raise ValidationError(_("统一社会信用代码第3至8位应为行政区划码（数字）。"), code="credit_code_region")
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：最后一位应为“%(e)s”，请核对是否输错。") % {"e": expected},
            code="credit_code_check",
        )
    return code


def id_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK[total % 11]


@dataclass(frozen=True)
class IdentityInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def _check_18_digit_id(code: str, label: str) -> IdentityInfo:
    if len(code) != 18:
        raise ValidationError(
            _("%(label)s应为18位，当前为%(n)d位。") % {"label": label, "n": len(code)}, code="id_length"
        )
    if not _all_ascii_digits(code[:17]) or not (code[17] in ASCII_DIGITS or code[17] == "X"):
        raise ValidationError(
            _("%(label)s前17位应为数字，最后一位为数字或X。") % {"label": label}, code="id_charset"
        )
    try:
        birth = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise ValidationError(_("%(label)s中的出生日期无效。") % {"label": label}, code="id_birth_date") from None
    if birth > datetime.date.today() or birth.year < 1900:
        raise ValidationError(_("%(label)s中的出生日期无效。") % {"label": label}, code="id_birth_date")
    expected = id_check_digit(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("%(label)s校验位错误：最后一位应为“%(e)s”，请核对是否输错。") % {"label": label, "e": expected},
            code="id_check",
        )
    return IdentityInfo(number=code, birth_date=birth, sex="M" if int(code[16]) % 2 else "F")


def validate_resident_id(value: str) -> IdentityInfo:
    code = normalise_code(value)
    info = _check_18_digit_id(code, _("居民身份证号码"))
    if code[0] == "9":
        raise ValidationError(
            _("以9开头的是外国人永久居留身份证号码，请选择相应的证件类型。"), code="id_is_foreign"
        )
    return info


def validate_foreign_permanent_id(value: str) -> IdentityInfo:
    code = normalise_code(value)
    if code and code[0] != "9":
        raise ValidationError(
            _("外国人永久居留身份证号码（2023版）应以9开头。"), code="foreign_id_prefix"
        )
    return _check_18_digit_id(code, _("外国人永久居留身份证号码"))


def listed_code_problem(value: str) -> str:
    """For codes on the credit list (credit codes or identity numbers): why an 18-character code
    is neither a valid 统一社会信用代码 (GB 32100) nor a valid resident / foreign permanent ID
    (GB 11643), or "" when it is one of them. Codes of other lengths (old 15-digit IDs, other
    registers) are not checked here.

    A code with a wrong check character never matches an applicant, so the list would silently
    miss the person or organisation it was meant to catch.
    """
    code = normalise_code(value)
    if len(code) != 18:
        return ""
    try:
        validate_credit_code(code)
        return ""
    except ValidationError as exc:
        credit_problem = exc.messages[0]
    if not (_all_ascii_digits(code[:17]) and (code[17] in ASCII_DIGITS or code[17] == "X")):
        return credit_problem  # cannot be an identity number: say what is wrong with the credit code
    try:
        _check_18_digit_id(code, _("身份证号码"))
        return ""
    except ValidationError as exc:
        if exc.code != "id_check":
            return credit_problem  # no valid birth date: not an identity number, so a mistyped credit code
    # 17 digits: either kind, and the check character fits neither
    return _(
        "校验位错误：作为统一社会信用代码最后一位应为“%(credit)s”，作为身份证号码最后一位应为“%(id)s”，请核对是否输错。"
    ) % {"credit": credit_code_check_character(code[:17]), "id": id_check_digit(code[:17])}


def mask_identity(value: str) -> str:
    """Show the first 3 and last 4 characters only: 310***********123X."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[0] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
