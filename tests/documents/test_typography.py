"""Positions measured on the PDF: the 署名 inside the text block, repeated table headers, and a score
summary of 9 experts per stage whose text boxes never overlap. Each document is rendered once for the
module, in a transaction rolled back at once."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation
from pypdf import PdfReader

from tests.conftest import ensure_seeds

from .conftest import pdf_text, render_kind, word_boxes
from .factories import make_publicity, make_scores, make_winners

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
LEFT, RIGHT, CHAR = 28 * MM, (28 + 156) * MM, 156 / 28 * MM


def _once(django_db_blocker, build):
    from awards.models import Cycle

    with django_db_blocker.unblock(), transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        ensure_seeds()
        cycles = {cycle.code: cycle for cycle in Cycle.objects.select_related("programme__organiser")}
        result = build(cycles)
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def publicity_pdfs(django_db_setup, django_db_blocker):
    """The 虹桥 公示 with 30 candidates (its table runs onto a second page) and the quality award's."""

    def build(cycles):
        hongqiao, quality = cycles["changning-hongqiao-2023"], cycles["changning-quality-2023"]
        make_winners(hongqiao, per_category=30)
        make_winners(quality)
        pdfs = {}
        for cycle in (hongqiao, quality):
            publicity = make_publicity(cycle)
            publicity.notice = ("根据评选工作安排，经评审，现将拟表彰对象名单予以公示。公示期为 5 个工作日。"
                                "公示期间，任何单位和个人对拟表彰对象有异议的，可通过本页面或下列联系方式向评审办公室反映。")
            publicity.save()
            pdfs[cycle.code] = render_kind("publicity_notice", cycles=[cycle])
        return pdfs

    return _once(django_db_blocker, build)


@pytest.fixture(scope="module")
def score_pdf(django_db_setup, django_db_blocker):
    """资料评审 scored by 9 experts (a column each), 陈述答辩 by 11 (a block per application)."""

    def build(cycles):
        quality = cycles["changning-quality-2023"]
        make_scores(quality, "material-review", experts=9, per_category=3)
        make_scores(quality, "presentation", experts=11, per_category=2, base=700)
        return render_kind("score_summary", cycles=[quality])

    return _once(django_db_blocker, build)


def _signoff(words, issuer_start: str, date: str):
    date_words = [w for w in words if w["text"] == date]
    assert date_words, date
    date_word = date_words[-1]
    above = [w for w in words if w["page"] == date_word["page"] and date_word["y0"] - 25 * MM < w["y0"] < date_word["y0"] - 1]
    start = next(w for w in above if w["text"].startswith(issuer_start))
    issuer = [w for w in above if w["y0"] >= start["y0"] - 1]
    return issuer, date_word


@pytest.mark.parametrize("code, issuer_start, lines", [
    ("changning-hongqiao-2023", "长宁区对外表彰评审联席会议办公室", 2),  # 29 characters: wraps inside the block
    ("changning-quality-2023", "区长质量奖评审联席会议办公室", 1),
])
def test_the_signoff_stays_inside_the_text_block(publicity_pdfs, tmp_path, code, issuer_start, lines):
    words = word_boxes(publicity_pdfs[code], tmp_path)
    issuer, date = _signoff(words, issuer_start, "2023年11月27日")
    assert len({round(w["y0"]) for w in issuer}) == lines, issuer
    for word in [*issuer, date]:
        assert LEFT - 1 * MM <= word["x0"] and word["x1"] <= RIGHT + 1 * MM, word
    # 成文日期右空四字 at least, and the 署名 centred over it (within one character)
    assert date["x1"] <= RIGHT - 4 * CHAR + 1 * MM, date
    issuer_centre = (min(w["x0"] for w in issuer) + max(w["x1"] for w in issuer)) / 2
    assert abs(issuer_centre - (date["x0"] + date["x1"]) / 2) < CHAR


def test_the_publicity_table_header_repeats_on_every_page(publicity_pdfs, tmp_path):
    words = word_boxes(publicity_pdfs["changning-hongqiao-2023"], tmp_path)
    row_pages = {w["page"] for w in words if re.fullmatch(r"John", w["text"])}
    header_pages = {w["page"] for w in words if w["text"] == "序号"}
    assert len(row_pages) >= 2
    assert row_pages <= header_pages
    for page in row_pages:  # the header is above the page's first row
        header = min(w["y0"] for w in words if w["page"] == page and w["text"] == "序号")
        first_row = min(w["y0"] for w in words if w["page"] == page and w["text"] == "John")
        assert header < first_row


def test_the_printed_notice_has_no_web_phrases_and_states_the_period_once(publicity_pdfs):
    text = re.sub(r"\s+", "", pdf_text(publicity_pdfs["changning-hongqiao-2023"]))
    assert "本页面" not in text
    assert text.count("公示期为") == 1
    assert "公示期为2023年11月27日至2023年12月1日（5个工作日）。" in text
    assert "可通过下列联系方式向评审办公室反映" in text
    assert "长宁区“虹桥友谊奖”（30人）" in text  # individuals are counted in 人


def _overlaps(a, b, slack=0.3) -> bool:
    return (a["page"] == b["page"] and a["x0"] < b["x1"] - slack and b["x0"] < a["x1"] - slack
            and a["y0"] < b["y1"] - slack and b["y0"] < a["y1"] - slack)


def test_score_summary_is_landscape_and_no_two_text_boxes_overlap(score_pdf, tmp_path):
    reader = PdfReader(io.BytesIO(score_pdf))
    width, height = float(reader.pages[0].mediabox.width) / MM, float(reader.pages[0].mediabox.height) / MM
    assert (round(width), round(height)) == (297, 210)
    words = word_boxes(score_pdf, tmp_path)
    for page in {w["page"] for w in words}:
        on_page = [w for w in words if w["page"] == page]
        for index, word in enumerate(on_page):
            for other in on_page[index + 1:]:
                assert not _overlaps(word, other), (word["text"], word["y0"], word["y1"], other["text"], other["y0"], other["y1"])
        assert all(w["x1"] <= (297 - 20) * MM + 1 and w["x0"] >= 20 * MM - 1 for w in on_page)


def test_score_summary_has_a_right_aligned_column_per_expert(score_pdf, tmp_path):
    words = word_boxes(score_pdf, tmp_path)
    text = pdf_text(score_pdf)
    assert "专家I" in text and "专家J" not in text.split("二、")[0]  # 9 columns in 资料评审
    # each expert's total is a word of its own (never run together as 837.25867.25…)
    scores = [w for w in words if re.fullmatch(r"\d{3,4}\.\d{2}", w["text"])]
    assert scores and not [w for w in words if re.search(r"\d\.\d{2}\d", w["text"])]
    first_page = sorted((w for w in scores if w["page"] == 1), key=lambda w: (round(w["y0"]), w["x0"]))
    rows: dict[int, list[dict]] = {}
    for word in first_page:
        rows.setdefault(round(word["y0"]), []).append(word)
    full = [row for row in rows.values() if len(row) == 10]  # 9 experts + the score
    assert len(full) >= 3
    for column in range(10):  # right-aligned: the right edges of a column agree, row after row
        ends = [row[column]["x1"] for row in full]
        assert max(ends) - min(ends) < 0.6, ends
    gaps = [b["x0"] - a["x1"] for row in full for a, b in zip(row, row[1:])]
    assert min(gaps) > 1.5 * MM  # numbers never touch


def test_a_panel_wider_than_nine_gets_a_block_per_application(score_pdf):
    text = pdf_text(score_pdf)
    presentation = text[text.index("二、陈述答辩"):]
    assert "各位专家评分" in presentation
    assert "专家K" in presentation


def test_score_summary_states_the_rule_in_the_words_of_the_stage_parameter(score_pdf):
    from reviews.workflow import AGGREGATION_CHOICES, param_choice_label

    flat = re.sub(r"\s+", "", pdf_text(score_pdf))
    assert param_choice_label("scored_review", "aggregation", "trimmed_mean") == str(dict(AGGREGATION_CHOICES)["trimmed_mean"])
    assert f"计分方法：得分为各位专家所评总分的{dict(AGGREGATION_CHOICES)['mean']}" in flat
    assert f"计分方法：得分为各位专家所评总分的{dict(AGGREGATION_CHOICES)['trimmed_mean']}" in flat
    assert "计分方法：综合得分=资料评审×0.3+陈述答辩×0.3+现场评审×0.4" in flat
    assert "同分时依次比较现场评审得分、陈述答辩得分、资料评审得分、提交时间。" in flat


def test_an_application_without_a_score_gets_no_rank_in_the_summary(score_pdf, tmp_path):
    """Unscored rows stand last with a dash, not with a shared position that reads like a real rank."""
    words = [w for w in word_boxes(score_pdf, tmp_path) if w["page"] == 1]
    names = sorted((w for w in words if w["text"].startswith("上海长宁示范企业")), key=lambda w: w["y0"])
    ranks = sorted((w for w in words if w["x1"] <= names[0]["x0"] and w["y0"] > names[0]["y0"] - 10 * MM), key=lambda w: w["y0"])
    by_name = {name["text"][:len("上海长宁示范企业301")]: rank["text"] for name, rank in zip(names, ranks)}
    assert by_name["上海长宁示范企业203"] == "1"
    assert by_name["上海长宁示范企业301"] == by_name["上海长宁示范企业302"] == "—"
