"""Server-rendered SVG charts: no JavaScript library, no CDN, nothing the strict CSP would block.

Colours come from CSS classes in static/css/decisions.css; every chart has a <title> and the numbers
are also printed as text, so the chart reads without colour and in a screen reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass
class Bar:
    label: str
    value: Decimal | int
    text: str = ""  # printed at the end of the bar; defaults to the value
    css: str = "bar-primary"
    target: Decimal | int | None = None  # a marker (e.g. the quota) drawn as a line


def _num(value) -> float:
    return float(value or 0)


def _text_width(text: str) -> float:
    """Roughly how wide a text is in the charts' 12px font: Chinese characters are square, Latin ones about half."""
    return sum(12 if ord(ch) >= 0x2E80 else 6.6 for ch in text)


def _fitted(label: str, room: float) -> str:
    """The label, cut to end in "…" when it is wider than the room (the bar's <title> keeps it whole)."""
    if _text_width(label) <= room:
        return label
    while label and _text_width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def hbar_chart(bars: list[Bar], *, title: str, label_width: int = 180, width: int = 640, row: int = 28,
               value_width: int = 90) -> SafeString:
    """Horizontal bars with labels on the left, value text on the right, optional target markers. The label and
    value columns widen for longer (English) texts, the labels up to two fifths of the chart, then end in "…"."""
    top = max([_num(b.value) for b in bars] + [_num(b.target) for b in bars if b.target is not None] + [1])
    label_width = max(label_width, min(round(max([_text_width(b.label) for b in bars] + [0])) + 12, width * 2 // 5))
    value_width = max(value_width, round(max([_text_width(str(b.text or b.value)) for b in bars] + [0])) + 10)
    plot = width - label_width - value_width
    height = row * len(bars) + 10
    parts = [
        format_html(
            '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" xmlns="http://www.w3.org/2000/svg" aria-label="{}"><title>{}</title>',
            width, height, title, title,
        )
    ]
    for i, bar in enumerate(bars):
        y = 5 + i * row
        length = round(plot * _num(bar.value) / top, 1)
        parts.append(format_html('<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
                                 label_width - 8, y + row * 0.6, _fitted(str(bar.label), label_width - 12)))
        parts.append(format_html('<rect class="chart-track" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>',
                                 label_width, y + 4, plot, row - 10))
        parts.append(format_html('<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="3"><title>{}: {}</title></rect>',
                                 bar.css, label_width, y + 4, length, row - 10, bar.label, bar.text or bar.value))
        if bar.target is not None:
            x = round(label_width + plot * _num(bar.target) / top, 1)
            parts.append(format_html('<line class="chart-target" x1="{}" x2="{}" y1="{}" y2="{}"></line>', x, x, y + 1, y + row - 3))
        parts.append(format_html('<text class="chart-value" x="{}" y="{}">{}</text>',
                                 label_width + plot + 6, y + row * 0.6, bar.text or bar.value))
    parts.append(SafeString("</svg>"))  # a constant: nothing to escape
    return format_html_join("", "{}", ((part,) for part in parts))


def stacked_progress(done: int, total: int, *, title: str, width: int = 160) -> SafeString:
    """A small progress bar (e.g. scoresheets submitted of assigned)."""
    fraction = (done / total) if total else 0
    return format_html(
        '<svg class="chart chart-inline" role="img" viewBox="0 0 {} 12" width="{}" height="12" xmlns="http://www.w3.org/2000/svg" aria-label="{}">'
        '<title>{}</title><rect class="chart-track" x="0" y="1" width="{}" height="10" rx="3"></rect>'
        '<rect class="{}" x="0" y="1" width="{}" height="10" rx="3"></rect></svg>',
        width, width, title, title, width, "bar-success" if done >= total and total else "bar-primary",
        round(width * fraction, 1),
    )


def legend(items: list[tuple[str, str]]) -> SafeString:
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join("", '<li><span class="chart-swatch {}"></span>{}</li>', items),
    )
