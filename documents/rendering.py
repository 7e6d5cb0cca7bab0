"""HTML → PDF with WeasyPrint, the one place that does it.

Every kind builds a template name and a context (documents.kinds); this module adds the print
stylesheet's fonts, renders the template and lays it out. The Celery task, the management
command and the benchmark all call ``render_pdf`` so that they measure and produce the same thing.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from .fonts import font_face_css, font_stacks

logger = logging.getLogger(__name__)

_local = threading.local()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    html_seconds: float
    layout_seconds: float
    html: str = ""  # the HTML finally laid out
    layouts: int = 1  # 2 when a letter had to be tightened

    @property
    def seconds(self) -> float:
        return self.html_seconds + self.layout_seconds


def subsetter_in_use() -> str:
    """Which library WeasyPrint subsets fonts with: 'harfbuzz' (fast) or 'fonttools' (slow)."""
    from weasyprint.pdf import fonts as pdf_fonts

    if pdf_fonts.harfbuzz_subset and pdf_fonts.harfbuzz.hb_version_atleast(4, 1, 0):
        return "harfbuzz"
    return "fonttools"


def print_context(*, title: str, author: str = "") -> dict:
    """What every PDF template needs besides its own data: fonts and metadata."""
    faces, missing = font_face_css()
    if missing:
        logger.warning(
            "Pre-subset fonts missing (%s): PDFs fall back to the full system faces and render "
            "slowly. Run scripts/build_fonts.py.",
            ", ".join(missing),
        )
    return {"font_faces": faces, "fonts": font_stacks(), "pdf_title": title, "pdf_author": author}


def _font_config():
    # One FontConfiguration per thread: it registers the @font-face files with fontconfig once
    # and is reused for every document the worker renders.
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = FontConfiguration()
        _local.font_config = config
    return config


def _layout(html: str):
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=_font_config())


def orphaned_signoffs(document) -> set[str]:
    """Letters whose 署名 and 成文日期 were pushed alone to the top of a new page."""
    found: set[str] = set()

    def walk(box, page_top: float) -> None:
        element = getattr(box, "element", None)
        if element is not None and "signoff" in (element.get("class") or "").split():
            if abs(box.position_y - page_top) < 1 and element.get("data-letter"):
                found.add(element.get("data-letter"))
            return
        for child in getattr(box, "children", ()):
            walk(child, page_top)

    for page in document.pages[1:]:
        page_box = page._page_box
        walk(page_box, page_box.content_box_y())
    return found


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """Lay out HTML and return the PDF bytes and the page count."""
    document = _layout(html)
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict, *, title: str, author: str = "") -> RenderedPdf:
    """Render a template to PDF.

    GB/T 9704 does not let the 署名 and 成文日期 stand alone on a page; when that happens the
    letter concerned is laid out again slightly tighter (调整行距、字距), as the standard advises.
    """
    started = time.perf_counter()
    full_context = {**print_context(title=title, author=author), **context}
    html = render_to_string(template_name, full_context)
    html_seconds = time.perf_counter() - started
    document = _layout(html)
    tight = orphaned_signoffs(document)
    if tight:
        retouched = time.perf_counter()
        html = render_to_string(template_name, {**full_context, "tight_letters": tight})
        html_seconds += time.perf_counter() - retouched
        document = _layout(html)
    content = document.write_pdf()
    total = time.perf_counter() - started
    return RenderedPdf(
        content=content, pages=len(document.pages), html_seconds=html_seconds, layout_seconds=total - html_seconds,
        html=html, layouts=2 if tight else 1,
    )


def render_pdf_parts(template_name: str, parts, *, title: str, author: str = "", on_progress=None) -> RenderedPdf:
    """Render a batch: the template once per part ((context, items) pairs), laid out one after the
    other with the same fonts and put together into one PDF (WeasyPrint's Document.copy).
    on_progress(done_items, total_items) is called after each part."""
    started = time.perf_counter()
    total = sum(items for _context, items in parts)
    base = print_context(title=title, author=author)
    html_seconds = 0.0
    documents, done = [], 0
    for context, items in parts:
        begun = time.perf_counter()
        html = render_to_string(template_name, {**base, **context})
        html_seconds += time.perf_counter() - begun
        documents.append(_layout(html))
        done += items
        if on_progress is not None:
            on_progress(done, total)
    pages = [page for document in documents for page in document.pages]
    content = documents[0].copy(pages).write_pdf()
    elapsed = time.perf_counter() - started
    return RenderedPdf(content=content, pages=len(pages), html_seconds=html_seconds, layout_seconds=elapsed - html_seconds,
                       layouts=len(documents))


def render_html(template_name: str, context: dict, *, title: str, author: str = "") -> str:
    return render_to_string(template_name, {**print_context(title=title, author=author), **context})


NO_BREAK_BEFORE = set("，。、；：？！）》」』”’〕】,.;:!?)%")
NO_BREAK_AFTER = set("（《「『“‘〔【(")


def _breakable(text: str, index: int) -> bool:
    """May a title line end before text[index]?"""
    before, after = text[index - 1], text[index]
    prefix = text[:index]
    if prefix.count("（") > prefix.count("）") or prefix.count("《") > prefix.count("》"):
        return False  # keep a bracketed phrase on one line
    if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
        return False  # never split 2023 or a Latin word
    return after not in NO_BREAK_BEFORE and before not in NO_BREAK_AFTER


def title_lines(title: str, *, max_chars: int = 20) -> list[str]:
    """Split a 2号 title into lines of at most ``max_chars`` characters, as even as possible
    with longer lines first (a 梯形 layout), never inside a number or before closing punctuation.
    Explicit line breaks in the configured title win."""
    title = title.strip()
    if "\n" in title:
        return [line.strip() for line in title.splitlines() if line.strip()]
    if len(title) <= max_chars:
        return [title]
    count = math.ceil(len(title) / max_chars)
    lines, start = [], 0
    for index in range(count - 1):
        remaining = len(title) - start
        ideal = start + math.ceil(remaining / (count - index))
        candidates = sorted(range(start + 1, min(start + max_chars, len(title) - 1) + 1), key=lambda i: (abs(i - ideal), -i))
        cut = next((i for i in candidates if _breakable(title, i)), ideal)
        lines.append(title[start:cut])
        start = cut
    lines.append(title[start:])
    return lines
