"""Loading the seed YAML: idempotent, all-or-nothing, round-trips, and refuses bad files clearly."""

import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from awards.loader import SeedError, default_seed_paths, export_cycle_yaml, load_programmes
from awards.models import Category, Cycle, EligibilityRule, OfficialLetter, Rubric, Stage
from core.models import ActivityLog

CYCLE_CODES = ["changning-quality-2023", "changning-hongqiao-2023", "xuhui-quality-5"]


def test_seed_files_load_every_fact(seeds):
    quality = seeds["changning-quality-2023"]
    assert quality.programme.host == "上海市长宁区人民政府"
    assert quality.programme.undertaker == "上海市长宁区市场监督管理局"
    assert (quality.population_collective, quality.population_individual) == (20000, 100000)
    assert quality.previous_held_on_text == "2020 年 9 月"
    assert quality.funding_source == "区财政预算"
    assert [s.name for s in quality.stages.order_by("order")] == [
        "资格审查", "资料评审", "陈述答辩", "现场评审", "综合评价", "评审公示", "提请区政府批准", "颁奖表彰",
    ]
    hongqiao = seeds["changning-hongqiao-2023"]
    assert hongqiao.funding_source == "区财政预算"
    assert hongqiao.work_plan_funding_source == "长宁区人才发展专项资金。"
    body = hongqiao.review_bodies.get(code="joint-meeting")
    assert len(body.member_units) == 10
    assert body.member_units[0] == "区委组织部" and body.member_units[-1] == "临空园区"
    assert body.quorum_met(6) is False and body.quorum_met(7) is True and body.minimum_present() == 7
    assert [s.name for s in hongqiao.stages.order_by("order")] == [
        "受理", "审核", "资格审查", "评选", "区委书记专题会", "公示", "区政府批准（决定）", "报区委常委会", "颁奖表彰",
    ]
    category = hongqiao.categories.get()
    assert len(category.criteria) == 5 and category.criteria[0]["label"] == "（一）"
    assert category.prize_amount is None and category.reward_text == "精神奖励"
    assert [b["code"] for b in category.benefits] == ["magnolia-pool", "talent-database", "friendship-alliance"]
    xuhui = seeds["xuhui-quality-5"]
    assert xuhui.application_closes_at.isoformat() == "2025-12-30T15:59:59+00:00"
    assert xuhui.contact_address == "上海市徐汇区南宁路969号1110室"
    mode = xuhui.categories.get(code="district-mode")
    # The shipped standards are templates: the category scores with 徐汇's own copy of each.
    assert {c.organisation_type: (c.rubric.code, c.rubric.copied_from.code, c.rubric.organiser.code) for c in mode.rubric_choices.all()} == {
        "": ("xuhui-gbt-19580-2012", "gbt-19580-2012", "xuhui"),
        "small_enterprise": ("xuhui-db31t-1009-default", "db31t-1009-default", "xuhui"),
        "medical_institution": ("xuhui-db31t-1153-default", "db31t-1153-default", "xuhui"),
    }
    assert Rubric.objects.get(code="gbt-19580-2012").organiser is None
    assert set(mode.rules.values_list("kind", flat=True)) >= {"no_losses", "chief_quality_officer", "internal_publicity"}
    letter = OfficialLetter.objects.get(code="changning-2022-46")
    assert letter.document_number == "长人社〔2022〕46号"
    assert (letter.signer, letter.addressee, letter.issued_on.isoformat()) == ("张源", "长宁区人民政府", "2022-12-05")
    assert [c.code for c in letter.cycles.order_by("lettercycle__order")] == ["changning-quality-2023", "changning-hongqiao-2023"]


def test_gbt_19580_rubric_is_the_1000_point_tree(seeds):
    rubric = Rubric.objects.get(code="gbt-19580-2012")
    assert rubric.is_official and rubric.total_points == 1000
    assert rubric.clean_tree() == []
    tops = {c.code: c.max_points for c in rubric.criteria.filter(parent=None)}
    assert tops == {"4.1": 110, "4.2": 90, "4.3": 90, "4.4": 130, "4.5": 100, "4.6": 80, "4.7": 400}
    assert rubric.criteria.get(code="4.4.2").max_points == 15
    assert rubric.criteria.filter(children__isnull=True).distinct().count() == 23
    for code in ["db31t-598-default", "db31t-1009-default", "db31t-1153-default"]:
        default = Rubric.objects.get(code=code)
        assert default.is_official is False and "默认" in default.name and default.clean_tree() == []


def test_loading_twice_changes_nothing(seeds):
    counts = (Cycle.objects.count(), Category.objects.count(), Stage.objects.count(), EligibilityRule.objects.count())
    log_entries = ActivityLog.objects.count()
    report = load_programmes()
    assert report.created == [] and report.updated == []
    assert (Cycle.objects.count(), Category.objects.count(), Stage.objects.count(), EligibilityRule.objects.count()) == counts
    assert ActivityLog.objects.count() == log_entries


@pytest.mark.parametrize("code", CYCLE_CODES)
def test_export_reads_back_to_the_identical_configuration(seeds, code, tmp_path):
    exported = export_cycle_yaml(code)
    path = tmp_path / f"{code}.yaml"
    path.write_text(exported, encoding="utf-8")
    report = load_programmes([path])
    assert report.created == [] and report.updated == []
    assert export_cycle_yaml(code) == exported


def test_export_command_prints_yaml(seeds, capsys):
    call_command("export_programme", "changning-quality-2023")
    out = capsys.readouterr().out
    assert "code: changning-quality-2023" in out and "prize_amount: 500000" in out


def test_export_unknown_cycle_is_a_clear_error(seeds):
    with pytest.raises(CommandError, match="未找到评选周期“nope”"):
        call_command("export_programme", "nope")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _quality_yaml_with(replace: tuple[str, str]) -> str:
    source = (Path(default_seed_paths()[0]).parent / "changning-quality-2023.yaml").read_text(encoding="utf-8")
    assert replace[0] in source
    return source.replace(replace[0], replace[1], 1)


@pytest.mark.parametrize(
    ("replace", "field", "message"),
    [
        (("      quota: 2\n", "      quota: -2\n"), "cycle.categories[0].quota", "名额应为不小于0的整数"),
        (("      prize_amount: 500000\n", "      prize_amount: -1\n"), "cycle.categories[0].prize_amount", "奖金不能为负数"),
        (("      prize_amount: 500000\n", "      prize_amount: lots\n"), "cycle.categories[0].prize_amount", "应为数字"),
        (("  population_collective: 20000\n", "  population_collective: 0\n"), "cycle.population_collective", ""),
        (("kind: registered_district", "kind: favourite_colour"), "cycle.categories[0].rules[0].kind", "未知的规则类型"),
        (("{min_years: 3}, description: 正常运行", "{min_years: three}, description: 正常运行"), "cycle.categories[0].rules[1].params", "应为整数"),
        (("aggregation: mean, experts_per_application: 5", "aggregation: average, experts_per_application: 5"), "cycle.stages[1].params", "汇总方式"),
        (("material-review: 0.3, presentation: 0.3", "material-review: 0.5, presentation: 0.3"), "cycle.stages[4].params", "权重之和应为1"),
        (("{\"\": gbt-19580-2012}", "{\"\": no-such-rubric}"), "cycle.categories[0].rubrics.默认", "未找到评分标准"),
        (("  year: 2023\n", "  year: 2023\n  colour: red\n"), "cycle.colour", "未知字段"),
        (("organiser: changning\n", "organiser: pudong\n"), "organiser", "未找到主办机构"),
    ],
)
def test_malformed_yaml_is_refused_naming_file_field_and_problem(seeds, tmp_path, replace, field, message):
    path = _write(tmp_path, _quality_yaml_with(replace))
    before = (Category.objects.count(), ActivityLog.objects.count(), list(Category.objects.values_list("quota", flat=True)))
    with pytest.raises(SeedError) as excinfo:
        load_programmes([path])
    assert excinfo.value.source == str(path)
    assert excinfo.value.field_path == field
    assert message in excinfo.value.problem
    assert (Category.objects.count(), ActivityLog.objects.count(), list(Category.objects.values_list("quota", flat=True))) == before


def test_rubric_children_must_sum_to_their_parent(db, tmp_path):
    path = _write(
        tmp_path,
        """
        kind: rubric
        code: broken
        name: 测试
        standard: T/1
        total_points: 100
        criteria:
          - {code: "1", name: 一, max_points: 60, children: [{code: "1.1", name: 甲, max_points: 50}]}
          - {code: "2", name: 二, max_points: 40}
        """,
    )
    with pytest.raises(SeedError) as excinfo:
        load_programmes([path])
    assert excinfo.value.field_path == "criteria"
    assert "条款 1 的下级分值之和为 50，应等于其分值 60" in excinfo.value.problem
    assert not Rubric.objects.filter(code="broken").exists()


def test_rubric_roots_must_sum_to_the_total(db, tmp_path):
    path = _write(
        tmp_path,
        """
        kind: rubric
        code: broken
        name: 测试
        standard: T/1
        total_points: 1000
        criteria: [{code: "1", name: 一, max_points: 60}]
        """,
    )
    with pytest.raises(SeedError, match="一级条款分值之和为 60，应等于总分 1000"):
        load_programmes([path])


def test_a_bad_file_among_good_ones_loads_nothing(no_seeds, tmp_path):
    bad = _write(tmp_path, "kind: cycle\norganiser: changning\nprogramme: {code: x, name: X, host: H}\ncycle: {code: x-1}\n")
    with pytest.raises(SeedError):
        load_programmes([*default_seed_paths(), bad])
    assert Cycle.objects.count() == 0 and Rubric.objects.count() == 0


def test_yaml_syntax_error_names_the_file(db, tmp_path):
    path = _write(tmp_path, "kind: rubric\ncriteria: [unclosed\n")
    with pytest.raises(SeedError) as excinfo:
        load_programmes([path])
    assert excinfo.value.field_path == "(YAML)" and "格式错误" in excinfo.value.problem


def test_command_reports_errors_and_loads_nothing(db, tmp_path):
    path = _write(tmp_path, "kind: spaceship\n")
    with pytest.raises(CommandError, match=r"未导入任何内容。.*bad.yaml: kind: 应为 organiser, rubric, cycle, letter 之一"):
        call_command("load_programmes", str(path))


def test_text_fields_written_as_numbers_are_refused(seeds, tmp_path):
    path = _write(tmp_path, _quality_yaml_with(("  held_on_text: 2023 年 9 月（拟定）\n", "  held_on_text: 2023.10\n")))
    with pytest.raises(SeedError) as excinfo:
        load_programmes([path])
    assert excinfo.value.field_path == "cycle.held_on_text"
    assert "请加引号" in excinfo.value.problem


def test_hongqiao_dates_keep_the_seed_text(seeds):
    cycle = seeds["changning-hongqiao-2023"]
    assert (cycle.held_on_text, cycle.previous_held_on_text) == ("2023.10", "2020.10")
