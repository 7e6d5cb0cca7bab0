"""GB/T 9704-2012 layout: A4, the text block inside the margins, 22 lines × 28 characters, fonts
embedded with real outlines, rare characters drawn by a fallback face (never missing-glyph boxes)."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from tests.conftest import ensure_seeds

from .conftest import pdf_text, render_kind, word_boxes

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


@pytest.fixture(scope="module")
def request_pdf(django_db_setup, django_db_blocker):
    """Rendered once for the module (the checks only read the bytes), in a transaction rolled back at once."""
    from awards.models import Cycle

    with django_db_blocker.unblock(), transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        ensure_seeds()
        cycles = [Cycle.objects.get(code=code) for code in ("changning-quality-2023", "changning-hongqiao-2023")]
        content = render_kind("request", cycles=cycles)
        transaction.set_rollback(True)
    return content


def test_every_page_is_a4(request_pdf):
    reader = PdfReader(io.BytesIO(request_pdf))
    assert len(reader.pages) >= 10
    for page in reader.pages:
        size = (float(page.mediabox.width) / MM, float(page.mediabox.height) / MM)
        assert size == pytest.approx((210, 297), abs=0.1)


def _lines(words: list[dict]) -> dict[tuple[int, float], list[dict]]:
    lines: dict[tuple[int, float], list[dict]] = {}
    for word in words:
        lines.setdefault((word["page"], round(word["y0"], 1)), []).append(word)
    return lines


def _is_page_number(line: list[dict]) -> bool:
    return re.fullmatch(r"—\d+—", "".join(w["text"] for w in line)) is not None


def test_text_stays_inside_the_gbt9704_text_block(request_pdf, tmp_path):
    lines = _lines(word_boxes(request_pdf, tmp_path))
    body = [w for line in lines.values() if not _is_page_number(line) for w in line]
    numbers = [w for line in lines.values() if _is_page_number(line) for w in line]
    assert body and numbers
    tolerance = 1 * MM  # GB/T 9704 allows ±1 mm on the margins
    for word in body:
        assert word["x0"] >= 28 * MM - tolerance, word  # 订口 28 mm
        assert word["x1"] <= (28 + 156) * MM + tolerance, word  # 版心宽 156 mm
        assert word["y0"] >= 37 * MM - tolerance, word  # 天头 37 mm
        assert word["y1"] <= (37 + 225) * MM + tolerance, word  # 版心高 225 mm
    for word in numbers:  # "— N —" sits just below the text block
        assert (37 + 225) * MM < word["y0"] < word["y1"] < (37 + 225 + 15) * MM, word


def test_body_runs_on_a_22_line_grid_of_28_characters(request_pdf, tmp_path):
    lines = _lines([w for w in word_boxes(request_pdf, tmp_path) if w["page"] == 1])
    texts = {y: "".join(w["text"] for w in line) for (_page, y), line in sorted(lines.items()) if not _is_page_number(line)}
    addressee = next(y for y, text in texts.items() if text == "长宁区人民政府：")
    tops = [y for y in texts if y >= addressee]
    assert len(tops) == 7  # 主送机关 + the 6 lines of the first paragraph, as on the seed's first page
    pitches = [b - a for a, b in zip(tops, tops[1:])]
    assert all(abs(pitch - 225 / 22 * MM) < 0.3 for pitch in pitches), pitches  # 22 lines in 225 mm
    full_lines = [text for text in texts.values() if not re.search(r"[0-9A-Za-z]", text)]
    assert max(len(text) for text in full_lines) == 28
    assert "区委书记会审议同意，申报长宁区政府质量奖、长宁区“虹桥友" in full_lines


def _fonts(content: bytes) -> dict[str, dict]:
    """Every embedded font: its name, font program and ToUnicode map (CID → text)."""
    reader = PdfReader(io.BytesIO(content))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            if name in fonts:
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            to_unicode = {}
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for cid, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    to_unicode[int(cid, 16)] = bytes.fromhex(text).decode("utf-16-be")
            fonts[name] = {"program": program.get_object().get_data() if program else None, "to_unicode": to_unicode}
    return fonts


def test_every_font_is_embedded_and_the_prepared_faces_are_used(request_pdf):
    fonts = _fonts(request_pdf)
    assert all(font["program"] for font in fonts.values()), [name for name, f in fonts.items() if not f["program"]]
    families = {name.split("+", 1)[1] for name in fonts}
    assert {"Portal-FangSong", "Portal-XiaoBiaoSong-Bold", "Portal-HeiTi", "Portal-KaiTi"} <= families, families


def test_pdf_has_a_copyable_chinese_text_layer(request_pdf):
    text = pdf_text(request_pdf)
    assert "关于提请长宁区人民政府报送" in text
    assert "\ufffd" not in text


@pytest.mark.parametrize("kind", ["application", "certificate"])
def test_rare_characters_are_drawn_by_a_fallback_face_with_real_outlines(seeds, render, kind):
    from .factories import make_application, make_winners

    rare = "䶮堃㛃"
    cycle = seeds["changning-quality-2023"]
    if kind == "application":
        category = cycle.categories.get(code="gold-achievement")
        content = render("application", application=make_application(cycle, category, 3, name=f"李{rare}"))
    else:
        _approval, awards = make_winners(cycle, per_category=1, names={("gold-achievement", 1): f"李{rare}"})
        award = next(a for a in awards if a.category.code == "gold-achievement")
        content = render("certificate", award=award)
    assert f"李{rare}" in pdf_text(content)
    drawn = {}
    for name, font in _fonts(content).items():
        if not font["program"]:
            continue
        ttfont = TTFont(io.BytesIO(font["program"]))
        glyph_order = ttfont.getGlyphOrder()
        glyph_set = ttfont.getGlyphSet()
        for cid, text in font["to_unicode"].items():
            if text in rare:
                pen = BoundsPen(glyph_set)
                if cid < len(glyph_order):
                    glyph_set[glyph_order[cid]].draw(pen)
                drawn[text] = (name, pen.bounds is not None)  # a missing glyph has no outline
    assert set(drawn) == set(rare), drawn
    assert all(has_outline for _name, has_outline in drawn.values()), drawn
    # none of them comes from the GB 2312 subsets, which do not hold them
    assert not any("Portal-" in name for name, _ in drawn.values()), drawn
