"""The next 届 (clone a cycle) and the past-winners register, through the staff pages."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from awards.models import Cycle, PastWinner
from awards.selectors import cycle_budget
from core.identity import credit_code_check_character, id_check_digit
from core.models import ActivityLog

CLONE = "/staff/cycles/changning-quality-2023/next/"
REGISTER = "/staff/programmes/changning-quality/past-winners/"


def clone_form(**changes) -> dict:
    data = {"code": "changning-quality-2026", "name": "2026年度", "name_en": "2026", "year": "2026",
            "opens_at_0": "2026-03-01", "opens_at_1": "09:00:00", "closes_at_0": "2026-04-30", "closes_at_1": "23:59:59"}
    data.update(changes)
    return data


def credit(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def resident(first17: str) -> str:
    return first17 + id_check_digit(first17)


def workbook(rows, header=("名称", "统一社会信用代码或身份证号码", "奖项", "年度"), name="2020届获奖名单.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ---------------------------------------------------------------- the next 届


def test_staff_create_the_next_cycle_from_the_form(client, cn_staff, seeds):
    source = seeds["changning-quality-2023"]
    client.force_login(cn_staff)
    page = client.get(CLONE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-form="cycle-clone"' in body and 'value="2024"' in body and 'data-note="ratio-rounding"' in body
    response = client.post(CLONE, clone_form())
    assert response.status_code == 302 and response["Location"] == "/staff/cycles/changning-quality-2026/"
    new = Cycle.objects.get(code="changning-quality-2026")
    assert new.previous_cycle == source and new.year == 2026 and new.programme == source.programme
    assert new.application_closes_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S") == "2026-04-30 23:59:59"
    assert [(c.code, c.quota, c.prize_amount) for c in new.categories.order_by("order")] == [
        (c.code, c.quota, c.prize_amount) for c in source.categories.order_by("order")]
    assert list(new.stages.order_by("order").values_list("code", "kind", "params")) == list(
        source.stages.order_by("order").values_list("code", "kind", "params"))
    assert not new.stages.exclude(planned_start=None).exists()
    for old, copy in zip(source.categories.order_by("order"), new.categories.order_by("order")):
        assert list(copy.rules.values_list("kind", "params", "severity")) == list(old.rules.values_list("kind", "params", "severity"))
        assert list(copy.rubric_choices.values_list("organisation_type", "rubric__code")) == list(
            old.rubric_choices.values_list("organisation_type", "rubric__code"))
    assert new.review_bodies.count() == source.review_bodies.count()
    # No winners recorded for 2023: the new cycle's 上届名额 are 2023's quotas (2 + 5 集体, 2 + 5 个人)
    assert (new.previous_quota_collective, new.previous_quota_individual) == (7, 7)
    entry = ActivityLog.objects.get(action="config.create", target_type="awards.cycle", target_id=str(new.pk))
    assert entry.actor == cn_staff and entry.after["previous_cycle"] == source.code and entry.organiser.code == "changning"


def test_the_previous_figures_come_from_the_actual_winners(client, cn_staff, seeds):
    source = seeds["changning-quality-2023"]
    for n in range(3):  # 2023's winners as the register knows them: 3 organisations and 1 person
        PastWinner.objects.create(programme=source.programme, year=2023, name=f"企业{n}", identifier_kind="credit_code",
                                  identifier=credit(f"9131010500000000{n}"), award="质量金奖")
    PastWinner.objects.create(programme=source.programme, year=2023, name="个人", identifier_kind="id_number",
                              identifier=resident("31010519750608123"), award="区长质量奖")
    client.force_login(cn_staff)
    assert "取自本届实际获奖者：集体 3 个，个人 1 名。" in client.get(CLONE).content.decode()
    assert client.post(CLONE, clone_form()).status_code == 302
    new = Cycle.objects.get(code="changning-quality-2026")
    assert (new.previous_quota_collective, new.previous_quota_individual) == (3, 1)
    budget = cycle_budget(new)
    assert (budget.collective.previous_quota, budget.individual.previous_quota) == (3, 1)
    assert budget.collective.previous_ratio == "0.015%"  # 3 ÷ 20000, rounded to 4 decimals of a percent


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"code": "changning-quality-2023"}, "code", "代码“changning-quality-2023”已被使用，请另取一个。"),
    ({"code": "Not a slug!"}, "code", "有效"),
    ({"year": "2023"}, "year", "下一届的年度应晚于本届（2023）。"),
    ({"closes_at_0": "2026-02-01"}, "closes_at", "申报截止时间必须晚于开始时间。"),
    ({"name": ""}, "name", "这个字段是必填项。"),
])
def test_a_bad_next_cycle_is_refused_with_the_reason_and_nothing_is_created(client, cn_staff, seeds, changes, field, message):
    client.force_login(cn_staff)
    cycles, logs = Cycle.objects.count(), ActivityLog.objects.count()
    response = client.post(CLONE, clone_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert (Cycle.objects.count(), ActivityLog.objects.count()) == (cycles, logs)


def test_the_next_cycle_form_speaks_english(client, cn_staff, seeds):
    cn_staff.preferred_language = "en"
    cn_staff.save()
    client.force_login(cn_staff)
    client.cookies["django_language"] = "en"
    response = client.post(CLONE, clone_form(code="changning-quality-2023"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "The code “changning-quality-2023” is taken" in response.content.decode()


def test_another_organisers_staff_cannot_clone(client, xh_staff, seeds):
    client.force_login(xh_staff)
    assert client.get(CLONE).status_code == 404
    assert client.post(CLONE, clone_form()).status_code == 404
    assert not Cycle.objects.filter(code="changning-quality-2026").exists()


# ---------------------------------------------------------------- past winners


def test_past_winners_are_previewed_then_imported_and_listed(client, cn_staff, seeds):
    code = credit("91310105MA1FFFFF6")
    person = resident("31010519800101123")
    client.force_login(cn_staff)
    upload = workbook([("上海往届精密有限公司", code, "质量金奖", 2020), ("往届个人", person, "区长质量奖", "2020年")])
    response = client.post(REGISTER, {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-section="preview"' in body and "共 2 行，全部通过校验。" in body
    assert person not in body and "310***********" in body  # ID numbers masked in the preview too
    assert PastWinner.objects.count() == 0  # nothing written before the confirmation
    token = response.context["preview"].token
    response = client.post(REGISTER, {"confirm": token})
    assert response.status_code == 302
    assert set(PastWinner.objects.values_list("year", "identifier_kind", "identifier", "award")) == {
        (2020, "credit_code", code, "质量金奖"), (2020, "id_number", person, "区长质量奖")}
    listing = client.get(REGISTER).content.decode()
    assert "上海往届精密有限公司" in listing and code not in listing and "往届名单" in listing
    entry = ActivityLog.objects.get(action="config.import", target_type="awards.programme")
    assert entry.after["past_winners"] == 2 and entry.after["by_year"] == {"2020": 2} and entry.actor == cn_staff
    assert client.post(REGISTER, {"confirm": token}).status_code == 409  # the preview is used up


def test_a_list_with_a_wrong_check_character_is_refused_whole(client, cn_staff, seeds):
    good = credit("91310105MA1FFFFF6")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    client.force_login(cn_staff)
    response = client.post(REGISTER, {"file": workbook([("甲", good, "质量金奖", 2020), ("乙", bad, "质量金奖", 2020),
                                                         ("丙", good, "质量金奖", 2020), ("丁", credit("91310105MA1GGGGG7"), "市长质量奖", 1980)])})
    assert response.status_code == 400
    body = response.content.decode()
    assert "有 3 行未通过校验，整份名单未导入。" in body
    assert f"统一社会信用代码校验位错误：最后一位应为“{good[-1]}”" in body
    assert "与第2行重复。" in body
    assert "奖项“市长质量奖”不是本奖项的等级" in body and "年度应为 1990 至" in body
    assert 'name="confirm"' not in body
    assert PastWinner.objects.count() == 0


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("名单.csv", b"a,b,c,d\n", content_type="text/csv"), "请上传 Excel 文件（.xlsx）。"),
    (SimpleUploadedFile("名单.xlsx", b"not a workbook", content_type="application/octet-stream"), "无法读取该文件"),
    (None, "这个字段是必填项。"),
])
def test_a_file_that_is_not_a_list_is_refused(client, cn_staff, seeds, upload, message):
    client.force_login(cn_staff)
    response = client.post(REGISTER, {"file": upload} if upload else {})
    assert response.status_code == 400 and message in response.content.decode()
    assert PastWinner.objects.count() == 0


def test_missing_headings_are_named(client, cn_staff, seeds):
    client.force_login(cn_staff)
    response = client.post(REGISTER, {"file": workbook([("甲", "x", "质量金奖", 2020)], header=("名称", "代码", "年度", "备注"))})
    assert response.status_code == 400 and "缺少：奖项。" in response.content.decode()


def test_another_organisers_staff_do_not_see_the_register(client, xh_staff, seeds):
    client.force_login(xh_staff)
    assert client.get(REGISTER).status_code == 404
    assert client.post(REGISTER, {"file": workbook([("甲", credit("91310105MA1FFFFF6"), "质量金奖", 2020)])}).status_code == 404
