"""Fixtures of the documents tests: PDF text, layout boxes, fonts."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from documents import generation


def render_kind(kind: str, **subject) -> bytes:
    """Render a kind for a subject through the same path as the task and return the PDF bytes."""
    built = generation.build_subject(kind=kind, **subject)
    _spec, rendered = generation.render_subject(kind=kind, subject=built)
    return rendered.content


@pytest.fixture
def render():
    """Render a kind for a subject through the same path as the task and return the PDF bytes."""
    return render_kind


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def compact(text: str) -> str:
    """Text with the line breaks pypdf puts inside table cells and wrapped lines removed."""
    return re.sub(r"\s*\n\s*", "", text)


def word_boxes(content: bytes, tmp_path) -> list[dict]:
    """Every word with its box in points (origin top-left) and page number, from pdftotext -bbox."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(content)
    html = subprocess.run(["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True, text=True).stdout
    words = []
    for page_number, page in enumerate(re.findall(r"<page .*?</page>", html, re.S), start=1):
        width, height = map(float, re.search(r'width="([\d.]+)" height="([\d.]+)"', page).groups())
        for x_min, y_min, x_max, y_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page
        ):
            words.append({"page": page_number, "width": width, "height": height, "x0": float(x_min), "y0": float(y_min),
                          "x1": float(x_max), "y1": float(y_max), "text": word})
    return words
