"""Ratios and budgets computed from the seed figures: exact values as printed in the seeds."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from awards.selectors import cycle_budget, format_ratio, format_wan


@pytest.mark.parametrize(
    ("quota", "population", "expected"),
    [(7, 20000, "0.035%"), (7, 100000, "0.007%"), (4, 20000, "0.02%"), (3, 100000, "0.003%"), (10, 50000, "0.02%"), (0, 100, "0%")],
)
def test_ratio_is_quota_over_population_as_the_seeds_print_it(quota, population, expected):
    assert format_ratio(quota, population) == expected


def test_ratio_is_empty_without_population():
    assert format_ratio(7, None) == ""


@pytest.mark.parametrize(("yuan", "wan"), [(Decimal("500000"), "50"), (Decimal("15000"), "1.5"), (Decimal("1590000.00"), "159")])
def test_yuan_shown_in_wan(yuan, wan):
    assert format_wan(yuan) == wan


def test_changning_quality_budget_matches_the_seed(seeds):
    budget = cycle_budget(seeds["changning-quality-2023"])
    rows = {row.category.code: row for row in budget.categories}
    assert [(r.quota, r.prize_wan, r.subtotal_wan) for r in budget.categories] == [
        (2, "50", "100"),
        (2, "2", "4"),
        (5, "10", "50"),
        (5, "1", "5"),
    ]
    assert rows["district-mode"].ratio == "0.01%"
    assert budget.total_quota == 14
    assert budget.total_amount == Decimal("1590000")
    assert budget.total_label == "14 个/159 万元"
    assert (budget.collective.quota, budget.collective.ratio) == (7, "0.035%")
    assert (budget.individual.quota, budget.individual.ratio) == (7, "0.007%")
    assert (budget.collective.previous_quota, budget.collective.previous_ratio) == (4, "0.02%")
    assert (budget.individual.previous_quota, budget.individual.previous_ratio) == (3, "0.003%")


def test_hongqiao_budget_is_honour_only(seeds):
    budget = cycle_budget(seeds["changning-hongqiao-2023"])
    assert budget.total_quota == 10
    assert budget.money_prizes is False
    assert budget.total_amount == 0
    assert budget.total_label == "10 名/精神奖励"
    assert (budget.individual.quota, budget.individual.ratio) == (10, "0.02%")
    assert (budget.individual.previous_quota, budget.individual.previous_ratio) == (10, "0.02%")
    assert budget.collective.quota == 0 and budget.collective.ratio == ""


def test_xuhui_quotas_stay_unset_because_the_notice_states_none(seeds):
    budget = cycle_budget(seeds["xuhui-quality-5"])
    assert [row.quota for row in budget.categories] == [None, None, None, None]
    assert budget.total_label == "0 名（奖金待定）"


def test_budget_command_json(seeds, capsys):
    call_command("budget", "changning-quality-2023", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == "14 个/159 万元"
    assert data["total_wan"] == "159"
    assert data["classes"]["集体"] == {"population": 20000, "quota": 7, "ratio": "0.035%", "previous_quota": 4, "previous_ratio": "0.02%"}
    assert data["classes"]["个人"]["ratio"] == "0.007%"
    assert [c["prize_wan"] for c in data["categories"]] == ["50", "2", "10", "1"]


def test_budget_command_text_for_hongqiao(seeds, capsys):
    call_command("budget", "changning-hongqiao-2023")
    out = capsys.readouterr().out
    assert "合计 10 名/精神奖励" in out
    assert "个人：本届 10 名，表彰比例 0.02%；上届 10 名，表彰比例 0.02%" in out
