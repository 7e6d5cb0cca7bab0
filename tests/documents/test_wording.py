"""What the documents say, against the seeds and 公示 / 表彰决定 practice; the 证书编号; the CLI's failures;
the fonts the panel names."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents import fonts
from documents.kinds import folded, paper_notice
from documents.rendering import keep_words, title_lines

from .conftest import compact, pdf_text
from .factories import make_application, make_winners

pytestmark = pytest.mark.django_db


def flat(content: bytes) -> str:
    return re.sub(r"\s+", "", pdf_text(content))


# --- pure rules --------------------------------------------------------------------------------


def test_folded_yaml_spaces_between_chinese_characters_go_and_spaces_around_numbers_stay():
    assert folded("区长质量奖先进质量管理成果（个人）；质量金奖先进质量管理模式（项目）， 质量金奖") == (
        "区长质量奖先进质量管理成果（个人）；质量金奖先进质量管理模式（项目），质量金奖")
    assert folded("合法生产经营 3 年以上，GB/T 19580 标准") == "合法生产经营 3 年以上，GB/T 19580 标准"


def test_the_paper_notice_drops_the_period_sentence_and_web_phrases():
    notice = ("根据评选工作安排，现将拟表彰对象名单予以公示。公示期为 5 个工作日。"
              "公示期间，任何单位和个人对拟表彰对象有异议的，可通过本页面或下列联系方式向评审办公室反映。")
    assert paper_notice(notice) == [
        "根据评选工作安排，现将拟表彰对象名单予以公示。公示期间，任何单位和个人对拟表彰对象有异议的，可通过下列联系方式向评审办公室反映。"
    ]


def test_words_are_kept_whole_in_titles_and_headers():
    assert keep_words("先进质量管理模式（项目）") == ["先进", "质量", "管理", "模式", "（项目）"]
    assert keep_words("统一社会信用代码") == ["统一", "社会", "信用代码"]
    assert title_lines("关于开展 2023 年长宁区评比达标表彰活动申报项目的请示") == [
        "关于开展 2023 年长宁区", "评比达标表彰活动申报项目的请示"]


# --- 表彰决定 -----------------------------------------------------------------------------------


def test_hongqiao_decision_counts_people_lists_only_past_steps_and_addresses_individuals(seeds, render):
    cycle = seeds["changning-hongqiao-2023"]
    make_winners(cycle, per_category=3, names={("hongqiao-friendship", 1): "Ann Müller"})
    text = flat(render("award_decision", cycles=[cycle]))
    assert "评选工作按照受理、审核、资格审查、评选、区委书记专题会、公示等程序进行，评选结果已向社会公示。" in text
    assert "报区委常委会" not in text  # it follows the decision
    assert "决定授予AnnMüller等3人2023年度长宁区“虹桥友谊奖”，给予精神奖励。" in text
    assert "个对象" not in text
    assert "希望受表彰的个人珍惜荣誉" in text and "单位和个人珍惜" not in text
    assert "一、长宁区“虹桥友谊奖”（3人）" in text


def test_quality_decision_counts_units_and_people_apart(seeds, render):
    cycle = seeds["changning-quality-2023"]
    make_winners(cycle)
    text = flat(render("award_decision", cycles=[cycle]))
    assert "等7个单位（项目）和7人2023年度长宁区政府质量奖。其中，" in text
    assert "希望受表彰的单位和个人珍惜荣誉" in text


# --- 证书 ---------------------------------------------------------------------------------------


def test_certificate_numbers_are_prefix_year_number_assigned_once(seeds, render):
    from reviews.models import Award
    from reviews.services import assign_certificate_numbers

    cycle = seeds["changning-quality-2023"]
    _approval, awards = make_winners(cycle, per_category=1)
    numbered = assign_certificate_numbers(cycle=cycle)
    assert [a.certificate_number for a in numbered] == [f"长质奖〔2023〕第{n}号" for n in range(1, 5)]
    assert assign_certificate_numbers(cycle=cycle) == []  # never renumbered
    award = Award.objects.select_related("cycle__programme__organiser", "application").get(pk=awards[0].pk)
    text = flat(render("certificate", award=award))
    assert "证书编号：长质奖〔2023〕第1号" in text
    assert cycle.code not in text
    assert "荣获2023年度长宁区区长质量奖·先进质量管理模式（项目）。" in text  # not 政府质量奖区长质量奖…


def test_hongqiao_certificate_is_bilingual_with_english_names_where_the_data_has_them(seeds, render):
    cycle = seeds["changning-hongqiao-2023"]
    _approval, awards = make_winners(cycle, per_category=1, names={("hongqiao-friendship", 1): "Ann Müller"})
    text = compact(pdf_text(render("certificate", award=awards[0])))
    assert "CERTIFICATEOFHONOUR" in text.replace(" ", "")  # letter-spaced
    assert "荣获2023年度长宁区“虹桥友谊奖”。特发此证，以资鼓励。" in text
    assert 'Ann Müller is hereby awarded the 2023 Changning "Hongqiao Friendship Award"' in re.sub(r"\s+", " ", pdf_text(render("certificate", award=awards[0])))
    assert "20 December 2023" in text
    assert "Certificate No.：虹桥友谊奖〔2023〕第1号" in text


# --- 申报表 and 申报书 ---------------------------------------------------------------------------


def test_project_form_keeps_the_seed_marks_and_units(seeds, render):
    hongqiao = flat(render("project_form", cycles=[seeds["changning-hongqiao-2023"]]))
    assert "■保留项目□新设项目" in hongqiao and "√" not in hongqiao
    assert "个人0.02%个人10人" in hongqiao
    quality = pdf_text(render("project_form", cycles=[seeds["changning-quality-2023"]]))
    assert "√保留项目" in quality
    assert "（项目）， 质量金奖" not in quality and "（项目），质量金奖" in compact(quality)


def test_application_form_ends_with_the_signature_and_seal_block(seeds, render):
    cycle = seeds["changning-quality-2023"]
    organisation = make_application(cycle, cycle.categories.get(code="district-mode"), 41)
    text = flat(render("application", application=organisation))
    assert "申报人声明及签章" in text and "申报单位声明" in text
    assert "法定代表人（签字）：" in text and "（公章）" in text and "年月日" in text
    assert "统一社会信用代码" in text
    person = make_application(cycle, cycle.categories.get(code="district-achievement"), 42)
    text = flat(render("application", application=person))
    assert "申报人（签字）：" in text and "法定代表人" not in text


# --- render_document ----------------------------------------------------------------------------


def test_a_failed_render_leaves_no_file_and_the_command_says_why(seeds, tmp_path):
    out = tmp_path / "decision.pdf"
    with pytest.raises(CommandError, match="尚未记录批准表彰"):
        call_command("render_document", "award_decision", "--cycle", "changning-quality-2023", "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_keeps_the_previous_good_copy(seeds, tmp_path):
    out = tmp_path / "decision.pdf"
    out.write_bytes(b"%PDF- the previous good copy")
    with pytest.raises(CommandError, match="尚未记录批准表彰"):
        call_command("render_document", "award_decision", "--cycle", "changning-quality-2023", "--out", str(out))
    assert out.read_bytes() == b"%PDF- the previous good copy"  # untouched, and no temporary file beside it
    assert [p.name for p in tmp_path.iterdir()] == ["decision.pdf"]


def test_an_unwritable_destination_is_a_clear_error_and_writes_nothing(seeds, tmp_path):
    out = tmp_path / "missing-directory" / "form.pdf"
    with pytest.raises(CommandError, match="cannot write .*form.pdf"):
        call_command("render_document", "project_form", "--cycle", "changning-quality-2023", "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_a_successful_render_leaves_only_the_pdf(seeds, tmp_path):
    out = tmp_path / "form.pdf"
    call_command("render_document", "project_form", "--cycle", "changning-quality-2023", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["form.pdf"]


def test_the_command_exits_non_zero_with_the_reason(seeds, tmp_path, capsys):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "render_document", "award_decision", "--cycle", "changning-hongqiao-2023",
                                   "--out", str(tmp_path / "x.pdf")])
    assert exit_.value.code == 1
    assert "尚未记录批准表彰" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


# --- fonts --------------------------------------------------------------------------------------


@pytest.fixture
def site_fonts(tmp_path, monkeypatch):
    """A fontconfig of its own (FONTCONFIG_FILE) whose only font directory is `tmp_path/fonts`: the test
    decides which faces "the site has installed". install(family) puts a real TrueType file there whose
    family name is `family`."""
    from fontTools.ttLib import TTFont

    directory = tmp_path / "fonts"
    directory.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{directory}</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    fonts._installed_families.cache_clear()

    def install(family: str):
        font = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
        names = font["name"]
        names.removeNames(platformID=1)  # Mac Roman records cannot hold a Chinese name
        for name_id in (1, 4, 16):
            names.removeNames(nameID=name_id)
            names.setName(family, name_id, 3, 1, 0x409)
        path = directory / "site-face.ttf"
        font.save(str(path))
        fonts._installed_families.cache_clear()
        return path

    yield install
    fonts._installed_families.cache_clear()


def test_the_panel_names_the_faces_standing_in(client, cn_staff, seeds, site_fonts):
    client.force_login(cn_staff)
    page = client.get(reverse("awards:cycle_overview", args=["changning-quality-2023"])).content.decode()
    assert 'data-role="font-stand-ins"' in page
    assert "Noto Serif CJK SC 代替仿宋" in page
    assert "Noto Serif CJK SC Bold 代替小标宋" in page


def test_a_real_fangsong_on_the_site_is_detected_and_preferred(site_fonts):
    path = site_fonts("仿宋_GB2312")
    assert fonts.site_face("fangsong") == ("仿宋_GB2312", str(path))
    report = {row["key"]: row for row in fonts.face_report()}
    assert report["fangsong"]["installed"] == "仿宋_GB2312"
    assert fonts.font_stacks()["fangsong"].startswith('"仿宋_GB2312", "Portal FangSong"')
    assert fonts.font_stacks()["xiaobiaosong"].startswith('"Portal XiaoBiaoSong"')  # none installed: the stand-in
    assert fonts.site_face("xiaobiaosong") is None


# --- where the 版记 goes -------------------------------------------------------------------------


def test_the_imprint_goes_on_an_even_page_with_unnumbered_blank_pages_only_when_needed():
    from documents.rendering import ImprintPlacement, place_imprint

    # even last page with room: drawn at its foot
    assert place_imprint(pages=14, free_bottom=True) == ImprintPlacement(overlay=True, blank_pages=0, number=None)
    # odd last page: the 版记 takes the next, even page, numbered as the document goes on
    assert place_imprint(pages=13, free_bottom=True) == ImprintPlacement(overlay=False, blank_pages=0, number=14)
    assert place_imprint(pages=13, free_bottom=False) == ImprintPlacement(overlay=False, blank_pages=0, number=14)
    # even last page without room: a blank page, then the 版记 page, neither numbered (GB/T 9704 7.5)
    assert place_imprint(pages=14, free_bottom=False) == ImprintPlacement(overlay=False, blank_pages=1, number=None)


def test_after_an_odd_last_page_the_imprint_page_is_added_and_numbered(seeds, tmp_path):
    from documents.kinds import project_form_context
    from documents.rendering import render_pdf

    from .conftest import word_boxes

    form = project_form_context(seeds["changning-quality-2023"])
    rendered = render_pdf("documents/pdf/project_form.html", {"form": form}, title="t",
                          imprint={"printed_by": "上海市长宁区人力资源和社会保障局", "date_text": "2022年12月5日"})
    assert rendered.pages == 2
    words = word_boxes(rendered.content, tmp_path)
    assert {w["page"] for w in words if w["text"].endswith("印发")} == {2}
    number = [w for w in words if w["page"] == 2 and w["text"] in ("—2—", "2")]
    assert number and number[0]["x0"] < 60 * 72 / 25.4  # 双页码居左
