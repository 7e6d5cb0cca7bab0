"""Each kind's PDF, read back as text, shows the figures the portal computed."""

from __future__ import annotations

import pytest

from documents.kinds import DocumentDataError

from .conftest import compact, pdf_text
from .factories import make_publicity, make_winners

pytestmark = pytest.mark.django_db


def test_project_form_of_the_quality_award_shows_computed_ratios_quotas_and_total(seeds, render):
    text = pdf_text(render("project_form", cycles=[seeds["changning-quality-2023"]]))
    for figure in ("0.035%", "0.007%", "集体 7", "个人 7", "159 万元"):
        assert figure in text
    # the previous cycle's figures, computed from its quotas and today's population
    assert "集体 0.02%" in text and "集体 4" in text
    assert "个人 0.003%" in text and "个人 3" in text
    assert "项目名称 长宁区政府质量奖" in text
    assert "√保留项目" in text and "□新设项目" in text
    assert "经费来源 区财政预算" in text
    assert "注：表彰比例 = 名额 ÷ 评选范围" in text and "保留 4 位小数（四舍五入）" in text and "— 2 —" not in text  # the rounding, under the table, on the one page


def test_project_form_of_the_hongqiao_award_shows_its_ratio_quota_and_spiritual_reward(seeds, render):
    text = pdf_text(render("project_form", cycles=[seeds["changning-hongqiao-2023"]]))
    assert "个人 0.02% 个人 10" in text
    assert "奖励标准 精神奖励" in text
    assert "集体 0.0" not in text  # no collective category: the cells stay empty


def test_work_plan_has_numbered_sections_and_the_computed_quota_table(seeds, render):
    text = pdf_text(render("work_plan", cycles=[seeds["changning-quality-2023"]]))
    flat = compact(text)
    assert "长宁区政府质量奖表彰项目工作方案" in flat
    assert "一、项目名称" in text and "十一、经费来源" in text
    assert "数量（个） 2 2 5 5" in text
    assert "50 2 10 1" in text
    assert "14 个/159 万元" in text
    assert "上海市长宁区政府质量奖" in text  # the table's caption


def test_hongqiao_work_plan_lists_the_five_criteria_from_the_category(seeds, render):
    flat = compact(pdf_text(render("work_plan", cycles=[seeds["changning-hongqiao-2023"]])))
    assert "（一）为长宁区开展对外友好交往、建立交流合作和友好城市关系作出突出贡献；" in flat
    assert "（五）在教育、卫生、文化、科研等长宁区经济社会发展其他领域中作出突出贡献的外籍人士。" in flat
    assert "九、经费来源长宁区人才发展专项资金。" in flat


def test_request_package_reproduces_the_seed_letter_field_for_field(seeds, render):
    cycles = [seeds["changning-quality-2023"], seeds["changning-hongqiao-2023"]]
    text = pdf_text(render("request", cycles=cycles))
    flat = compact(text)
    # covering letter
    assert "长人社〔2022〕46号" in text
    assert "签发人：张源" in text
    assert "关于提请长宁区人民政府报送评比达标表彰活动项目的请示" in flat
    assert "长宁区人民政府：" in text
    assert "（沪评组办〔2022〕43 号）的文件精神" in flat
    assert "当否，请批复。" in text
    assert "附件：关于开展 2023 年长宁区评比达标表彰活动申报项目的请示" in flat
    assert "上海市长宁区人力资源和社会保障局2022年12月5日" in flat
    assert "（此件主动公开）" in text
    # the inner letter to the city government
    assert "市政府：" in text and "妥否，请批示。" in text
    assert "1.2023 年度上海市评比达标表彰项目申报表（长宁区政府质量奖）、长宁区政府质量奖表彰项目工作方案" in flat
    assert "长宁区人民政府2022年12月5日" in flat
    # 附件1 and 附件2 in the letter's order, each with its form and work plan
    first, second = flat.index("附件1"), flat.index("附件2")
    assert first < flat.index("长宁区政府质量奖表彰项目工作方案", first) < second
    assert second < flat.index("长宁区“虹桥友谊奖”评选表彰工作方案", second)
    for figure in ("0.035%", "0.007%", "集体 7", "个人 7", "159 万元", "精神奖励"):
        assert figure in text
    # 版记
    assert "上海市长宁区人力资源和社会保障局 2022年12月5日印发" in text


def test_request_without_a_configured_letter_is_a_data_error(seeds, render):
    cycle = seeds["xuhui-quality-5"]
    with pytest.raises(DocumentDataError) as exc:
        render("request", cycles=[cycle])
    # The cycle named by its name, never by its code.
    assert str(exc.value) == f"没有配置包含“{cycle.programme.name}（{cycle.name}）”的请示（公文）。"


def test_certificate_names_the_winner_and_the_award(seeds, render):
    cycle = seeds["changning-hongqiao-2023"]
    _approval, awards = make_winners(cycle, per_category=1, names={("hongqiao-friendship", 1): "Ann Müller"})
    flat = compact(pdf_text(render("certificate", award=awards[0])))
    assert flat.replace(" ", "").startswith("荣誉证书")  # the title is letter-spaced
    assert "Ann Müller：" in flat
    assert "荣获2023年度长宁区“虹桥友谊奖”。" in flat
    # bilingual (虹桥): the issuer in Chinese, then in English from the organiser's name_en, then the dates
    assert "上海市长宁区人民政府Changning District People's Government, Shanghai2023年12月20日20 December 2023" in flat


def test_certificate_batch_has_one_landscape_page_per_winner(seeds, render):
    from pypdf import PdfReader
    import io

    cycle = seeds["changning-quality-2023"]
    _approval, awards = make_winners(cycle, per_category=1)
    reader = PdfReader(io.BytesIO(render("certificate_batch", cycles=[cycle])))
    assert len(reader.pages) == len(awards) == 4
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)


def test_award_decision_lists_winners_by_category_with_prizes_and_total(seeds, render):
    cycle = seeds["changning-quality-2023"]
    make_winners(cycle)
    text = pdf_text(render("award_decision", cycles=[cycle]))
    flat = compact(text)
    assert "长府〔2023〕88号" in text
    assert "关于表彰2023年度长宁区政府质量奖获奖对象的决定" in flat
    assert "区长质量奖先进质量管理模式（项目）2个，每个奖励人民币 50 万元" in flat
    assert "本次表彰奖金合计 159 万元。" in flat
    assert "一、区长质量奖先进质量管理模式（项目）（2个）" in flat
    assert "上海长宁示范企业1有限公司" in flat


def test_award_decision_before_approval_is_a_data_error(seeds, render):
    with pytest.raises(DocumentDataError, match="尚未记录批准表彰"):
        render("award_decision", cycles=[seeds["changning-quality-2023"]])


def test_publicity_notice_lists_the_proposed_winners_and_the_period(seeds, render):
    cycle = seeds["changning-hongqiao-2023"]
    make_winners(cycle, per_category=2)
    make_publicity(cycle)
    flat = compact(pdf_text(render("publicity_notice", cycles=[cycle])))
    assert "长宁区“虹桥友谊奖”（2023年度）拟表彰对象公示" in flat
    assert "John Smith 1" in flat and "John Smith 2" in flat
    assert "公示期为 2023年11月27日至2023年12月1日（5个工作日）" in flat


def test_application_form_shows_the_applicant_sections_and_masked_identity(seeds, render):
    from .factories import make_application

    cycle = seeds["changning-quality-2023"]
    category = cycle.categories.get(code="district-achievement")
    application = make_application(cycle, category, 7, name="王堃")
    flat = compact(pdf_text(render("application", application=application)))
    assert "长宁区政府质量奖申报书" in flat
    assert "王堃" in flat  # 堃 is outside GB 2312: rendered through the fallback face
    identity = application.person.id_number
    assert f"{identity[:4]}**********{identity[-4:]}" in flat and identity not in flat
    assert "一、申报对象概况" in flat and "坚持质量第一。" in flat
