"""GB/T 9704-2012 layout: A4, the text block inside the margins, 22 lines × 28 characters, fonts
embedded with real outlines, rare characters drawn by a fallback face (never missing-glyph boxes)."""

from __future__ import annotations

import io
import re
from pathlib import Path

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


# --- GB/T 9704 typography of the 请示 package ----------------------------------------------------

SEED = Path(__file__).parent / "data" / "changning-2023-award-projects-request.txt"  # copy of shared/seeds


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_request_package_reproduces_the_seed_line_by_line(request_pdf):
    """Every line of the seed 请示 (长人社〔2022〕46号 with its attachments) is in the PDF, word for word."""
    seed_lines = [_squeeze(line) for line in SEED.read_text(encoding="utf-8").splitlines()]
    seed_lines = [line for line in seed_lines if line and not re.fullmatch(r"-\d+-", line)]
    text = _squeeze(re.sub(r"— \d+ —", "", pdf_text(request_pdf)))
    missing = [line for line in seed_lines if line not in text]
    assert len(seed_lines) == 281
    assert missing == [], missing


def _body_lines(words: list[dict]) -> list[tuple[int, float, float, float]]:
    """(page, top, left, right) of every line of 3号 text (16 pt), in reading order."""
    lines = []
    for (page, top), line in sorted(_lines(words).items()):
        if _is_page_number(line):
            continue
        height = max(w["y1"] - w["y0"] for w in line)  # pdftotext's box: ascent + descent, ≈ 1.44 em
        if abs(height - 16 * 1.44) < 1.5:
            lines.append((page, top, min(w["x0"] for w in line), max(w["x1"] for w in line)))
    return lines


def test_justified_body_lines_end_at_the_text_block_edge(request_pdf, tmp_path):
    """A line followed, on the same page and the next grid line, by one that starts at the block's left edge
    (not indented: the same paragraph goes on) is justified: it ends within one character of the right edge."""
    lines = _body_lines(word_boxes(request_pdf, tmp_path))
    left, right, char = 28 * MM, (28 + 156) * MM, 156 / 28 * MM
    wrapped = [
        line for line, following in zip(lines, lines[1:])
        if following[0] == line[0] and abs(following[1] - line[1] - 225 / 22 * MM) < 1 and abs(following[2] - left) < 1
        and line[2] < left + 2.5 * char  # body text, not a table cell or a centred title
    ]
    assert len(wrapped) > 80
    short = [(page, round(top / MM), round((right - end) / MM, 1)) for page, top, _start, end in wrapped if end < right - char]
    assert short == [], short
    assert all(end <= right + 1 * MM for _page, _top, _start, end in wrapped)


def test_the_imprint_is_at_the_foot_of_the_last_page_which_is_even(request_pdf, tmp_path):
    words = word_boxes(request_pdf, tmp_path)
    pages = len(PdfReader(io.BytesIO(request_pdf)).pages)
    imprint = [w for w in words if w["text"].endswith("印发")]
    assert imprint and {w["page"] for w in imprint} == {pages}
    assert pages % 2 == 0
    assert imprint[0]["y1"] > (37 + 225 - 30) * MM  # at the foot of the text block


def test_titles_and_table_headers_break_between_words(request_pdf, tmp_path):
    text = pdf_text(request_pdf)
    assert "关于开展 2023 年长宁区\n评比达标表彰活动申报项目的请示" in text  # not 评 / 比达标
    assert "关于提请长宁区人民政府报送\n评比达标表彰活动项目的请示" in text
    words = [w["text"] for w in word_boxes(request_pdf, tmp_path)]
    # the quota table's headers: 先进质量 / 管理模式 / （项目）, not 先进质量管 / 理模式（项 / 目）
    assert words.count("管理模式") >= 2 and words.count("（项目）") >= 2, words
    assert not [w for w in words if w in ("先进质量管", "理模式（项", "目）", "（项")]


def test_a_signoff_is_never_alone_at_the_top_of_a_page(request_pdf, tmp_path):
    """GB/T 9704: the 署名 and 成文日期 keep at least the last lines of their letter on their page."""
    words = word_boxes(request_pdf, tmp_path)
    for issuer in ("上海市长宁区人力资源和社会保障局", "长宁区人民政府"):
        for word in (w for w in words if w["text"] == issuer and w["x0"] > 60 * MM):
            above = [w for w in words if w["page"] == word["page"] and w["y1"] < word["y0"] - 1]
            assert len({round(w["y0"]) for w in above}) >= 2, word
