"""Password rules, stated and enforced in the user's language (Chinese first).

Django's own MinimumLengthValidator message has no Chinese translation in Django 5.2 (its
catalogue still has the old msgid), so the error came out in English; this one has our own text.
"""

from __future__ import annotations

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext("密码太短：至少需要 %(min_length)d 个字符。", "密码太短：至少需要 %(min_length)d 个字符。",
                        self.min_length) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext("密码至少 %(min_length)d 个字符。", "密码至少 %(min_length)d 个字符。", self.min_length) % {"min_length": self.min_length}


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, other characters
    (GB/T 22239-2019: 口令应有复杂度要求)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum((
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        ))

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_error_message(), code="password_too_simple")

    def get_error_message(self):
        return _("密码太简单：须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。") % {"count": self.min_classes}

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(count)d 类。") % {"count": self.min_classes}
