"""Read a form off a page as a browser would submit it (no Django imports: the load clients use it)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

SAVED_RE = re.compile(r"第 (\d+) 版")  # "已保存（第 %(v)d 版，…）" — the acknowledgement of a save
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class FormFields(HTMLParser):
    """The fields of <form id=form_id> with the values a browser would send (checked boxes only)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea, self._text = name, []
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._select_value if self._select_value is not None else (self._first_option or "")))
            self._select = None


def form_fields(html: str, form_id: str = "application-form") -> dict[str, str]:
    parser = FormFields(form_id)
    parser.feed(html)
    return dict(parser.fields)


def csrf_token(html: str) -> str | None:
    match = CSRF_RE.search(html)
    return unescape(match.group(1)) if match else None


def saved_version(html: str) -> int | None:
    match = SAVED_RE.search(html)
    return int(match.group(1)) if match else None
