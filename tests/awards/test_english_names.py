"""English names: the loader reads them (recommending units too), export writes them back, and the
one rule (core.i18n.localized) shows them to English readers only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from applications.models import RecommendingUnit
from awards.loader import SeedError, export_cycle_yaml, load_programmes
from awards.models import Organiser
from awards.selectors import format_money
from core.i18n import district_name, localized

UNITS = """kind: organiser
organisers:
  - code: changning
    name: 上海市长宁区人民政府
    name_en: Changning District People's Government, Shanghai
    short_name: 长宁区
    short_name_en: Changning District
    recommending_units:
      - {name: 长宁区商务委员会, name_en: Changning District Commission of Commerce, kind: industry_department}
      - {name: 长宁区虹桥街道办事处, kind: subdistrict}
"""


def test_the_seeds_carry_english_names(seeds):
    organiser = Organiser.objects.get(code="changning")
    programme = seeds["changning-hongqiao-2023"].programme
    category = seeds["changning-quality-2023"].categories.get(code="district-mode")
    with translation.override("en"):
        assert localized(organiser, "short_name") == "Changning District"
        assert organiser.display_name == "Changning District People's Government, Shanghai"
        assert localized(programme, "office").startswith("Office of the Changning Joint Review Meeting")
        assert localized(category, "standard") == "GB/T 19580 Criteria for Performance Excellence"
        assert district_name("长宁区") == "Changning District"
    with translation.override("zh-hans"):
        assert localized(organiser, "short_name") == "长宁区" and district_name("长宁区") == "长宁区"
        assert localized(category, "standard") == "GB/T 19580《卓越绩效评价准则》"


def test_recommending_units_load_by_name_and_export_back(seeds, tmp_path):
    path = tmp_path / "organisers.yaml"
    path.write_text(UNITS, encoding="utf-8")
    load_programmes([path])
    unit = RecommendingUnit.objects.get(name="长宁区商务委员会")
    assert (unit.name_en, unit.kind, unit.organiser.code) == ("Changning District Commission of Commerce", "industry_department", "changning")
    with translation.override("en"):
        assert unit.display_name == "Changning District Commission of Commerce"
        assert RecommendingUnit.objects.get(name="长宁区虹桥街道办事处").display_name == "长宁区虹桥街道办事处"  # no English name: the Chinese
    exported = export_cycle_yaml("changning-hongqiao-2023")
    assert "name_en: Changning District Commission of Commerce" in exported
    again = tmp_path / "again.yaml"
    again.write_text(exported, encoding="utf-8")
    report = load_programmes([again])
    assert report.created == [] and report.updated == []


def test_a_repeated_unit_name_is_refused(seeds, tmp_path):
    path = tmp_path / "organisers.yaml"
    path.write_text(UNITS.replace("长宁区虹桥街道办事处", "长宁区商务委员会"), encoding="utf-8")
    with pytest.raises(SeedError) as refused:
        load_programmes([path])
    assert refused.value.field_path == "organisers[0].recommending_units[1].name"
    assert not RecommendingUnit.objects.filter(name="长宁区商务委员会").exists()  # all or nothing


@pytest.mark.parametrize("amount, chinese, english", [
    (Decimal("500000"), "50 万元", "CNY 500,000"),
    (Decimal("20000"), "2 万元", "CNY 20,000"),
    (Decimal("1500"), "1,500 元", "CNY 1,500"),
    (Decimal("12345.5"), "12,345.50 元", "CNY 12,345.50"),
])
def test_money_is_written_as_the_notices_write_it(amount, chinese, english):
    with translation.override("zh-hans"):
        assert format_money(amount) == chinese
    with translation.override("en"):
        assert format_money(amount) == english
