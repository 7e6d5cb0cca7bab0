"""The loader refuses what would silently lose or overwrite configuration, and never loads half a set.

Repeated codes in a list keyed by code, repeated keys in a YAML mapping (PyYAML keeps the last),
one code defined by two documents; a missing quota loads as 待定 with a warning.
"""

from __future__ import annotations

import datetime
import io
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from awards.loader import SeedError, default_seed_paths, load_programmes
from awards.models import Category, Cycle, Programme, Rubric, Stage
from core.models import ActivityLog

SEEDS = Path(default_seed_paths()[0]).parent
QUALITY = (SEEDS / "changning-quality-2023.yaml").read_text(encoding="utf-8")
BASE = [SEEDS / "organisers.yaml", *sorted((SEEDS / "rubrics").glob("*.yaml"))]


def quality_with(*replacements: tuple[str, str]) -> str:
    text = QUALITY
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def write(tmp_path: Path, text: str, name: str = "cycle.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def state():
    return (
        sorted(Category.objects.values_list("cycle__code", "code", "quota", "prize_amount")),
        sorted(Stage.objects.values_list("cycle__code", "code", "order")),
        Cycle.objects.count(),
        ActivityLog.objects.count(),
    )


def refused(paths, field: str, contains: str) -> SeedError:
    with pytest.raises(SeedError) as excinfo:
        load_programmes(paths)
    assert excinfo.value.field_path == field, excinfo.value
    assert contains in excinfo.value.problem, excinfo.value
    return excinfo.value


# ---------------------------------------------------------------- repeated codes


def test_a_repeated_category_code_is_refused_and_the_existing_cycle_keeps_every_category(seeds, tmp_path):
    path = write(tmp_path, quality_with(("    - code: gold-mode\n", "    - code: district-mode\n")))
    before = state()
    error = refused([path], "cycle.categories[2].code", "代码“district-mode”重复（cycle.categories[0] 已使用）")
    assert error.source == str(path)
    assert state() == before
    assert set(seeds["changning-quality-2023"].categories.values_list("code", flat=True)) == {
        "district-mode", "district-achievement", "gold-mode", "gold-achievement",
    }


def test_the_command_exits_non_zero_on_a_repeated_code(seeds, tmp_path):
    path = write(tmp_path, quality_with(("    - code: gold-mode\n", "    - code: district-mode\n")))
    with pytest.raises(CommandError, match=r"未导入任何内容。.*cycle.yaml: cycle\.categories\[2\]\.code: 代码“district-mode”重复") as excinfo:
        call_command("load_programmes", str(path))
    assert excinfo.value.returncode == 1


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("{code: presentation, name: 陈述答辩", "{code: material-review, name: 陈述答辩", "cycle.stages[2].code",
         "代码“material-review”重复（cycle.stages[1] 已使用）"),
        ("    - code: joint-meeting\n", "    - code: joint-meeting\n      name: 甲\n    - code: joint-meeting\n", "cycle.review_bodies[1].code",
         "代码“joint-meeting”重复（cycle.review_bodies[0] 已使用）"),
        ("{code: no-accident-3y, text: 近 3 年", "{code: compliance, text: 近 3 年", "cycle.categories[0].rules[4].params",
         "承诺事项代码“compliance”重复"),
    ],
)
def test_repeated_codes_in_other_lists_are_refused(seeds, tmp_path, old, new, field, message):
    path = write(tmp_path, quality_with((old, new)))
    before = state()
    refused([path], field, message)
    assert state() == before


def test_a_repeated_benefit_code_is_refused(seeds, tmp_path):
    text = (SEEDS / "changning-hongqiao-2023.yaml").read_text(encoding="utf-8").replace(
        "{code: talent-database,", "{code: magnolia-pool,", 1)
    path = write(tmp_path, text)
    refused([path], "cycle.categories[0].benefits[1].code", "代码“magnolia-pool”重复（cycle.categories[0].benefits[0] 已使用）")


def test_a_repeated_criterion_code_anywhere_in_the_rubric_tree_is_refused(db, tmp_path):
    path = write(tmp_path, """
        kind: rubric
        code: twice
        name: 测试
        standard: T/1
        total_points: 100
        criteria:
          - {code: "1", name: 一, max_points: 60, children: [{code: "1.1", name: 甲, max_points: 60}]}
          - {code: "2", name: 二, max_points: 40, children: [{code: "1.1", name: 乙, max_points: 40}]}
        """)
    refused([path], "criteria[1].children[0].code", "条款号“1.1”重复（criteria[0].children[0] 已使用）")
    assert not Rubric.objects.filter(code="twice").exists()


def test_a_repeated_organiser_code_is_refused(db, tmp_path):
    text = (SEEDS / "organisers.yaml").read_text(encoding="utf-8").replace("  - code: xuhui\n", "  - code: changning\n", 1)
    refused([write(tmp_path, text, "organisers.yaml")], "organisers[1].code", "代码“changning”重复（organisers[0] 已使用）")


# ---------------------------------------------------------------- repeated keys (PyYAML keeps the last)


def test_a_repeated_key_in_a_mapping_is_refused_naming_the_field_and_both_lines(seeds, tmp_path):
    text = quality_with(("      quota: 2\n", "      quota: 2\n      quota: 9\n"))
    line = text[: text.index("      quota: 2\n")].count("\n") + 1  # the seed's own line, wherever edits put it
    path = write(tmp_path, text)
    before = state()
    error = refused([path], "cycle.categories[0].quota", f"键“quota”重复（第 {line} 行和第 {line + 1} 行）")
    assert "后者会覆盖前者" in error.problem
    assert state() == before


def test_a_repeated_top_level_key_is_refused(db, tmp_path):
    path = write(tmp_path, "kind: organiser\norganisers: []\norganisers: [{code: a, name: A, short_name: A}]\n")
    refused([path], "organisers", "键“organisers”重复（第 2 行和第 3 行）")


def test_anchors_and_aliases_still_load(seeds):
    # the 徐汇 seed shares rules between categories with &anchors / *aliases
    mode, gold = (seeds["xuhui-quality-5"].categories.get(code=c) for c in ("district-mode", "gold-mode"))
    assert list(mode.rules.values_list("kind", flat=True)) == list(gold.rules.values_list("kind", flat=True))


# ---------------------------------------------------------------- one code, two documents


def test_the_same_cycle_in_two_files_is_refused(seeds, tmp_path):
    first, second = write(tmp_path, QUALITY, "a.yaml"), write(tmp_path, quality_with(("      quota: 2\n", "      quota: 3\n")), "b.yaml")
    before = state()
    error = refused([*BASE, first, second], "cycle.code", f"代码“changning-quality-2023”已在 {first} 中定义")
    assert error.source == str(second)
    assert state() == before


def test_a_programme_written_differently_in_two_cycle_files_is_refused(seeds, tmp_path):
    first = write(tmp_path, QUALITY, "a.yaml")
    second = write(tmp_path, quality_with(
        ("  code: changning-quality-2023\n", "  code: changning-quality-2026\n"),
        ("  host: 上海市长宁区人民政府\n", "  host: 长宁区政府\n"),
    ), "b.yaml")
    refused([first, second], "programme.host", f"奖项“changning-quality”在 {first} 中的定义与此处不同")
    assert Programme.objects.get(code="changning-quality").host == "上海市长宁区人民政府"


# ---------------------------------------------------------------- all or nothing


def test_a_file_whose_second_cycle_is_bad_loads_neither(no_seeds, tmp_path):
    good = quality_with(("  code: changning-quality-2023\n", "  code: changning-quality-2026\n"))
    bad = quality_with(("  code: changning-quality-2023\n", "  code: changning-quality-2029\n"), ("      quota: 2\n", "      quota: many\n"))
    path = write(tmp_path, good + "\n---\n" + bad)
    refused([*BASE, path], "cycle.categories[0].quota", "名额应为不小于0的整数")
    assert (Cycle.objects.count(), Category.objects.count(), Rubric.objects.count(), ActivityLog.objects.count()) == (0, 0, 0, 0)


def test_on_an_existing_database_a_bad_second_cycle_leaves_the_first_unchanged(seeds, tmp_path):
    first = quality_with(("      quota: 2\n", "      quota: 3\n"))  # would change the real cycle…
    bad = quality_with(("  code: changning-quality-2023\n", "  code: changning-quality-2029\n"), ("kind: eligibility,", "kind: lottery,"))
    path = write(tmp_path, first + "\n---\n" + bad)
    before = state()
    refused([path], "cycle.stages[0].params", "未知的环节类型“lottery”")
    assert state() == before  # … but the file is refused as a whole
    assert seeds["changning-quality-2023"].categories.get(code="district-mode").quota == 2


# ---------------------------------------------------------------- missing quota: 待定, with a warning


def test_a_missing_quota_loads_as_pending_with_a_warning(no_seeds, tmp_path):
    path = write(tmp_path, quality_with(("      quota: 2\n", "")))
    report = load_programmes([*BASE, path])
    assert Category.objects.get(cycle__code="changning-quality-2023", code="district-mode").quota is None
    assert report.warnings == [
        f"{path}: cycle.categories[0].quota: “区长质量奖先进质量管理模式（项目）”未设定名额，按待定导入；确定后请在配置文件或管理后台填写。"
    ]


def test_an_explicit_null_quota_on_an_existing_category_warns_too(seeds, tmp_path):
    path = write(tmp_path, quality_with(("      quota: 2\n", "      quota: null\n")))
    report = load_programmes([path])
    assert seeds["changning-quality-2023"].categories.get(code="district-mode").quota is None
    assert len(report.warnings) == 1 and "cycle.categories[0].quota" in report.warnings[0]


def test_load_programmes_prints_the_warnings(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_programmes", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 4  # the 徐汇 notice states no quotas
    assert lines[0].endswith("xuhui-quality-5.yaml: cycle.categories[0].quota: “徐汇区区长质量奖先进质量管理模式”未设定名额，按待定导入；确定后请在配置文件或管理后台填写。")
    assert lines[0].startswith("注意：")


def test_the_cycle_page_shows_the_pending_quotas(client, xh_staff, xh_admin, seeds):
    client.force_login(xh_staff)
    page = client.get("/staff/cycles/xuhui-quality-5/").content.decode()
    assert 'data-warning="unset-quota"' in page
    assert "以下 4 个类别尚未设定表彰名额：徐汇区区长质量奖先进质量管理模式、徐汇区区长质量奖先进质量管理成果、徐汇区质量金奖先进质量管理模式、徐汇区质量金奖先进质量管理成果。" in page
    assert "请项目管理员在管理后台或配置文件中填写名额。" in page
    client.force_login(xh_admin)
    page = client.get("/staff/cycles/xuhui-quality-5/").content.decode()
    assert f'/admin/awards/category/?cycle__id__exact={seeds["xuhui-quality-5"].pk}' in page


def test_a_cycle_with_every_quota_set_shows_no_warning(client, cn_staff, seeds):
    client.force_login(cn_staff)
    assert 'data-warning="unset-quota"' not in client.get("/staff/cycles/changning-quality-2023/").content.decode()


def test_a_declaration_code_that_is_not_text_is_a_seed_error_not_a_crash(seeds, tmp_path):
    path = write(tmp_path, quality_with(("{code: truthful, text: 所填报内容", "{code: [truthful], text: 所填报内容")))
    refused([path], "cycle.categories[0].rules[4].params", "承诺事项第5项须有 code 和 text。")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("{code: award, name: 颁奖表彰", "{code: [], name: 颁奖表彰", "cycle.stages[7].code"),  # was a TypeError
        ('rubrics: {"": gbt-19580-2012}', 'rubrics: {"": [gbt-19580-2012]}', "cycle.categories[0].rubrics."),
    ],
)
def test_codes_that_are_not_text_are_seed_errors_not_crashes(seeds, tmp_path, old, new, field):
    path = write(tmp_path, quality_with((old, new)))
    before = state()
    with pytest.raises(SeedError) as excinfo:
        load_programmes([path])
    assert excinfo.value.field_path == field
    assert state() == before


def test_renaming_a_stage_code_on_an_existing_cycle_replaces_it_without_an_integrity_error(seeds, tmp_path):
    path = write(tmp_path, quality_with(("{code: eligibility, name: 资格审查", "{code: qualification, name: 资格审查")))
    load_programmes([path])
    stages = list(seeds["changning-quality-2023"].stages.order_by("order").values_list("order", "code"))
    assert stages[:2] == [(1, "qualification"), (2, "material-review")]
    assert len(stages) == 8


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    title: 长宁区政府质量奖表彰项目工作方案\n", "    title: .nan\n", "cycle.work_plan", "不能是 NaN 或无穷大"),
        ("      standard: GB/T 19580《卓越绩效评价准则》\n", "      standard: GB/T 19580《卓越绩效评价准则》\n      benefits: [{code: b, text: 奖, since: 2024-01-01}]\n",
         "cycle.categories[0].benefits", "应为文字、数字、true/false、列表或键值对，当前为 datetime.date(2024, 1, 1)（日期样式的文字请加引号）"),
    ],
)
def test_values_json_cannot_store_are_refused(seeds, tmp_path, old, new, field, message):
    path = write(tmp_path, quality_with((old, new)))
    before = state()
    refused([path], field, message)
    assert state() == before


# ---------------------------------------------------------------- the one quota rule


def test_a_file_cannot_lower_a_quota_below_the_candidates_already_listed(seeds, tmp_path, cn_staff):
    """The loader asks the pipeline's quota rule (reviews.selectors.minimum_quota), as the admin does."""
    from applications.models import Application, OrganisationProfile
    from reviews.models import Recommendation

    cycle = seeds["changning-quality-2023"]
    category = cycle.categories.get(code="district-mode")
    for n in range(2):
        owner = cn_staff.__class__.objects.create_user(username=f"quota-owner{n}", email=f"quota-owner{n}@example.test", password="x-pass-12345678")
        org = OrganisationProfile.objects.create(owner=owner, name=f"名单企业{n}", credit_code=f"91310105MA1FL{n:04d}X",
                                                 org_type="enterprise", registered_district="长宁区",
                                                 established_on=datetime.date(2010, 1, 1), legal_representative="法人",
                                                 contact_name="联系人", contact_mobile="13800000000")
        app = Application.objects.create(cycle=cycle, category=category, applicant=owner, organisation=org)
        Recommendation.objects.create(cycle=cycle, category=category, application=app, source_stage=cycle.stages.first(),
                                      added_by=cn_staff)
    path = write(tmp_path, quality_with(("      quota: 2\n", "      quota: 1\n")))
    before = state()
    refused([*BASE, path], "cycle.categories[0].quota", "已有 2 个对象列入推荐名单或获奖，名额不能少于 2")
    assert state() == before


# ---------------------------------------------------------------- rubrics per organiser


def test_a_cycle_given_another_organisers_rubric_is_refused_and_nothing_loads(no_seeds, tmp_path):
    xuhui_rubric = write(tmp_path, """
        kind: rubric
        organiser: xuhui
        code: xuhui-own
        name: 徐汇自定标准
        standard: T/XH 1
        total_points: 1000
        criteria:
          - {code: "1", name: 一, max_points: 1000}
        """, "xuhui-own.yaml")
    cycle = write(tmp_path, quality_with(('      rubrics: {"": gbt-19580-2012}\n', '      rubrics: {"": xuhui-own}\n')))
    refused([*BASE, xuhui_rubric, cycle], "cycle.categories[0].rubrics.默认", "评分标准“xuhui-own”属于徐汇区，不能用于长宁区的类别。")
    assert (Cycle.objects.count(), Category.objects.count(), Rubric.objects.count(), ActivityLog.objects.count()) == (0, 0, 0, 0)


def test_a_template_is_copied_once_per_organiser_and_the_copy_round_trips(seeds, tmp_path):
    from awards.loader import export_cycle_documents
    import yaml

    copies = Rubric.objects.filter(copied_from__code="gbt-19580-2012")
    assert sorted(copies.values_list("code", "organiser__code")) == [("changning-gbt-19580-2012", "changning"), ("xuhui-gbt-19580-2012", "xuhui")]
    documents = export_cycle_documents("changning-quality-2023")
    owned = [d for d in documents if d["kind"] == "rubric"]
    assert all(d["organiser"] == "changning" and d["code"].startswith("changning-") for d in owned)
    path = tmp_path / "export.yaml"
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True), encoding="utf-8")
    report = load_programmes([path])
    assert report.created == [] and report.updated == []


def test_a_rubric_cannot_change_hands_through_a_file(seeds, tmp_path):
    path = write(tmp_path, (SEEDS / "rubrics" / "gbt-19580-2012.yaml").read_text(encoding="utf-8").replace(
        "kind: rubric\n", "kind: rubric\norganiser: changning\n", 1), "gbt.yaml")
    refused([path], "organiser", "评分标准“gbt-19580-2012”已属于系统模板，文件写的是长宁区")
    assert Rubric.objects.get(code="gbt-19580-2012").organiser is None
