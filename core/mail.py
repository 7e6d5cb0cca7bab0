"""Plain-text e-mail: rendered without HTML escaping, sent under a sender name in the reader's language.

E-mail bodies are text, not HTML: `render_plain` renders a template with the "text" engine
(config/settings/base.py TEMPLATES: autoescape off), so `"虹桥友谊奖"` and `Secretary's` arrive as
typed, never as `&quot;` or `&#x27;`. `sender` puts the reader's-language name of the review office
in front of DEFAULT_FROM_EMAIL's address (评审办公室 for Chinese readers, Review office for English).
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext as _

TEXT_ENGINE = "text"


def render_plain(template_name: str, context: dict) -> str:
    return engines[TEXT_ENGINE].get_template(template_name).render(context)


def sender(language: str | None = None) -> str:
    """DEFAULT_FROM_EMAIL with the office's name in `language` (the active language when None)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if not address:
        return settings.DEFAULT_FROM_EMAIL
    with translation.override(language or translation.get_language()):
        return formataddr((_("评审办公室"), address))
