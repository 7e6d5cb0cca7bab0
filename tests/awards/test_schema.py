"""docs/configuration.md cannot drift from the schema the loader validates against (awards/schema.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import models

from awards import models as award_models
from awards.loader import SEED_DIR, load_programmes
from awards.rule_kinds import RULE_KINDS
from awards.schema import SECTIONS, TYPES
from awards.selectors import RATIO_ROUNDING_NOTE
from reviews.workflow import COMMON_PARAMS, STAGE_KINDS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")


def doc_section(heading_start: str) -> str:
    """The text under the ### heading that starts with `heading_start`, up to the next heading."""
    match = re.search(rf"^### {re.escape(heading_start)}.*?$(.*?)(?=^#{{2,3}} |\Z)", DOC, re.M | re.S)
    assert match, f"docs/configuration.md has no section “### {heading_start}…”"
    return match.group(1)


@pytest.mark.parametrize("key", list(SECTIONS))
def test_every_schema_field_is_documented_in_its_section(key):
    body = doc_section(f"`{key}`")
    missing = [f.name for f in SECTIONS[key].fields if f"| `{f.name}` |" not in body]
    assert missing == [], f"docs/configuration.md, section `{key}`, does not describe: {missing}"


def test_the_doc_describes_no_field_the_schema_does_not_know():
    for key, spec in SECTIONS.items():
        documented = re.findall(r"^\| `([^`]+)` \|", doc_section(f"`{key}`"), re.M)
        assert sorted(documented) == sorted(spec.names), key


def test_every_stage_kind_and_parameter_is_documented():
    body = doc_section("Stage kinds")
    for kind, spec in STAGE_KINDS.items():
        row = next((line for line in body.splitlines() if line.startswith(f"| `{kind}` |")), None)
        assert row, f"stage kind {kind} is not in docs/configuration.md"
        for name in spec.params:
            assert f"`{name}`" in row, f"{kind}.{name}"
    for common in COMMON_PARAMS:
        assert f"`{common}`" in body


def test_every_rule_kind_and_parameter_is_documented():
    body = doc_section("Eligibility rule kinds")
    for kind, spec in RULE_KINDS.items():
        row = next((line for line in body.splitlines() if line.startswith(f"| `{kind}` |")), None)
        assert row, f"rule kind {kind} is not in docs/configuration.md"
        for param in spec.params:
            assert f"`{param.name}`" in row, f"{kind}.{param.name}"


MODELS = {
    "organisers[]": award_models.Organiser,
    "programme": award_models.Programme,
    "cycle": award_models.Cycle,
    "cycle.review_bodies[]": award_models.ReviewBody,
    "cycle.stages[]": award_models.Stage,
    "cycle.categories[]": award_models.Category,
    "cycle.categories[].rules[]": award_models.EligibilityRule,
    "rubric-document": award_models.Rubric,
    "criteria[]": award_models.RubricCriterion,
    "letter-document": award_models.OfficialLetter,
}
FIELD_TYPES = {
    models.SlugField: "code", models.CharField: ("text", "code"), models.TextField: "text",
    models.PositiveSmallIntegerField: "integer", models.PositiveIntegerField: "integer", models.DecimalField: "decimal",
    models.BooleanField: "boolean", models.DateTimeField: "datetime", models.DateField: "date", models.JSONField: ("list", "mapping"),
}


@pytest.mark.parametrize("key", list(MODELS))
def test_the_schema_agrees_with_the_model(key):
    model = MODELS[key]
    for spec in SECTIONS[key].fields:
        assert spec.type in TYPES
        if not spec.column:
            continue
        column = model._meta.get_field(spec.name)
        expected = next(v for k, v in FIELD_TYPES.items() if type(column) is k)
        assert spec.type in (expected if isinstance(expected, tuple) else (expected,)), f"{key}.{spec.name}"
        assert spec.nullable == column.null, f"{key}.{spec.name}: nullable"
        if spec.required:
            assert not column.blank, f"{key}.{spec.name}: required in the schema, optional in the model"


def _example_documents() -> list[str]:
    example = DOC[DOC.index("## Example"):DOC.index("## The schema, field by field")]
    return re.findall(r"```yaml\n(.*?)```", example, re.S)


def test_the_documented_example_loads_and_gives_the_documented_figures(db, tmp_path):
    blocks = _example_documents()
    assert len(blocks) == 2
    paths = []
    for index, block in enumerate(blocks):
        path = tmp_path / f"example-{index}.yaml"
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    report = load_programmes([*sorted((SEED_DIR / "rubrics").glob("*.yaml")), *paths])
    assert len(report.warnings) == 1 and "cycle.categories[1].quota" in report.warnings[0]
    out = io.StringIO()
    call_command("budget", "example-quality-2027", stdout=out)
    text = out.getvalue()
    assert "集体：本届 5 名，表彰比例 0.025%" in text
    assert "名额待定的类别：gold-achievement" in text
    assert "5 个/50 万元" in text


def test_the_documented_rounding_examples_are_what_the_portal_computes():
    from awards.selectors import format_ratio

    section = DOC[DOC.index("## 表彰比例"):DOC.index("## How to add a programme")]
    assert "rounded to 4 decimals of a percent, half-up" in section
    for quota, population, shown in [(7, 20000, "0.035%"), (7, 100000, "0.007%"), (1, 3, "33.3333%"), (1, 30000, "0.0033%"), (1, 16000, "0.0063%")]:
        assert format_ratio(quota, population) == shown
        assert f"`{shown}`" in section


def test_the_rounding_rule_is_stated_beside_every_ratio_on_the_cycle_page_and_in_budget(client, cn_staff, seeds):
    client.force_login(cn_staff)
    page = client.get("/staff/cycles/changning-quality-2023/").content.decode()
    assert f'<span data-note="ratio-rounding">{RATIO_ROUNDING_NOTE}</span>' in page
    assert str(RATIO_ROUNDING_NOTE) == "表彰比例 = 名额 ÷ 评选范围，由系统计算，以百分数表示，保留 4 位小数（四舍五入），末尾的 0 不显示，如 7 ÷ 20000 = 0.035%。"
    out = io.StringIO()
    call_command("budget", "changning-quality-2023", stdout=out)
    assert out.getvalue().splitlines()[-1] == str(RATIO_ROUNDING_NOTE)
    out = io.StringIO()
    call_command("budget", "changning-quality-2023", "--json", stdout=out)
    assert f'"ratio_rounding": "{RATIO_ROUNDING_NOTE}"' in out.getvalue()
