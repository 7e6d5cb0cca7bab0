"""Configuration through the admin as a programme admin uses it: the change pages are fetched and posted
back as a browser would (every field the page renders), with one change at a time."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest

from accounts.models import Role
from awards.models import Category, CategoryRubric, Cycle, Rubric, RubricCriterion, Stage
from core.models import ActivityLog


class _FormFields(HTMLParser):
    """The fields a browser sends for the admin's change form (id="…_form")."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None
        self.select_value: list[str] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name and "__prefix__" not in name:
            self.select, self.select_value = name, []
        elif tag == "option" and self.select is not None and "selected" in a:
            self.select_value.append(a.get("value", ""))
        elif tag == "textarea" and name and "__prefix__" not in name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag == "select" and self.select is not None:
            for value in self.select_value or [""]:
                self.fields.append((self.select, value))
            self.select = None
        if tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.lstrip("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data


def page_form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _FormFields()
    parser.feed(response.content.decode())
    data: dict = {}
    for name, value in parser.fields:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data


def inline_index(data: dict, prefix: str, field: str, value) -> int:
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    return next(i for i in range(total) if data.get(f"{prefix}-{i}-{field}") == str(value))


@pytest.fixture
def cq(seeds):
    return seeds["changning-quality-2023"]


# ---------------------------------------------------------------- 11.3 stage order


def test_swapping_two_stages_order_in_the_admin_saves_in_one_go_and_is_logged(client, cn_admin, cq):
    client.force_login(cn_admin)
    url = f"/admin/awards/cycle/{cq.pk}/change/"
    data = page_form(client, url)
    first, second = list(cq.stages.order_by("order")[:2])
    i, j = inline_index(data, "stages", "id", first.pk), inline_index(data, "stages", "id", second.pk)
    data[f"stages-{i}-order"], data[f"stages-{j}-order"] = str(second.order), str(first.order)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (2, 1)
    logged = ActivityLog.objects.filter(action="config.update", target_type="awards.stage", actor=cn_admin).order_by("pk")
    assert {(e.target_id, e.before["order"], e.after["order"]) for e in logged} == {(str(first.pk), 1, 2), (str(second.pk), 2, 1)}
    assert all(e.actor == cn_admin and e.organiser.code == "changning" for e in logged)
    assert list(cq.stages.order_by("order").values_list("order", flat=True)) == list(range(1, cq.stages.count() + 1))


def test_two_stages_on_one_number_are_refused_with_a_message_and_nothing_changes(client, cn_admin, cq):
    client.force_login(cn_admin)
    url = f"/admin/awards/cycle/{cq.pk}/change/"
    data = page_form(client, url)
    first, second = list(cq.stages.order_by("order")[:2])
    data[f"stages-{inline_index(data, 'stages', 'id', second.pk)}-order"] = str(first.order)
    before = list(Stage.objects.filter(cycle=cq).order_by("pk").values_list("order", flat=True))
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"顺序 {first.order} 被“{first.name}”和“{second.name}”同时使用" in response.content.decode()
    assert list(Stage.objects.filter(cycle=cq).order_by("pk").values_list("order", flat=True)) == before
    assert not ActivityLog.objects.filter(target_type="awards.stage", actor=cn_admin).exists()


# ---------------------------------------------------------------- 11.4 rule forms, Chinese / English


def test_eligibility_rules_are_edited_through_named_parameters(client, cn_admin, cq):
    category = cq.categories.get(code="district-mode")
    rule = category.rules.get(kind="years_operating")
    client.force_login(cn_admin)
    url = f"/admin/awards/category/{category.pk}/change/"
    page = client.get(url).content.decode()
    assert "正常运行不少于（年）" in page and "参数：正常运行年限" in page
    assert 'name="rules-0-params"' not in page  # no raw JSON box
    data = page_form(client, url)
    index = inline_index(data, "rules", "id", rule.pk)
    field = f"rules-{index}-param__years_operating__min_years"
    assert data[field] == "3"

    data[field] = ""
    response = client.post(url, data)
    assert response.status_code == 200 and "请填写“正常运行不少于（年）”。" in response.content.decode()
    data[field] = "0"
    response = client.post(url, data)
    assert response.status_code == 200 and "确保该值大于或等于" in response.content.decode()
    data[field] = "5"
    data[f"rules-{index}-param__registered_district__district"] = "长宁区"  # a value under another kind
    response = client.post(url, data)
    assert response.status_code == 200 and "规则类型“正常运行年限”不使用此参数" in response.content.decode()
    rule.refresh_from_db()
    assert rule.params == {"min_years": 3}

    data[f"rules-{index}-param__registered_district__district"] = ""
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"min_years": 5}
    entry = ActivityLog.objects.get(action="config.update", target_type="awards.eligibilityrule", target_id=str(rule.pk))
    assert (entry.before, entry.after) == ({"params": {"min_years": 3}}, {"params": {"min_years": 5}})


def test_declarations_are_one_item_per_line(client, cn_admin, cq):
    category = cq.categories.get(code="district-mode")
    rule = category.rules.get(kind="declarations")
    client.force_login(cn_admin)
    url = f"/admin/awards/category/{category.pk}/change/"
    data = page_form(client, url)
    field = f"rules-{inline_index(data, 'rules', 'id', rule.pk)}-param__declarations__items"
    first_code = rule.params["items"][0]["code"]
    assert data[field].splitlines()[0].startswith(f"{first_code} | ")
    data[field] = data[field] + f"\n{first_code} | 重复的承诺"
    response = client.post(url, data)
    assert response.status_code == 200 and f"承诺事项代码“{first_code}”重复。" in response.content.decode()


def test_the_admin_speaks_english_to_an_english_admin(client, cn_admin, cq):
    client.force_login(cn_admin)
    client.cookies["django_language"] = "en"
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Award configuration" in index and "评奖配置" not in index
    page = client.get(f"/admin/awards/category/{cq.categories.get(code='district-mode').pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Parameters: Years in normal operation" in page and "In operation for at least (years)" in page
    assert "Application window" in client.get(f"/admin/awards/cycle/{cq.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies["django_language"] = "zh-hans"
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "评奖配置" in index and "Award configuration" not in index


# ---------------------------------------------------------------- 11.1 prize after approval


def _approve(cycle, user):
    from reviews.models import Approval

    return Approval.objects.create(cycle=cycle, stage=cycle.stages.get(kind="approval"), approved_on=datetime.date(2025, 10, 21),
                                   approving_body="上海市长宁区人民政府", document_number="长府〔2025〕13号", recorded_by=user)


def test_a_prize_changes_after_approval_only_with_a_recorded_reason(client, cn_admin, cq):
    category = cq.categories.get(code="district-mode")
    _approve(cq, cn_admin)
    client.force_login(cn_admin)
    url = f"/admin/awards/category/{category.pk}/change/"
    data = page_form(client, url)
    data["prize_amount"] = "600000"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "表彰名单已经批准，修改奖金须填写变更理由" in response.content.decode()
    category.refresh_from_db()
    assert category.prize_amount == 500000
    data["change_reason"] = "区政府常务会议决定提高奖金（2025-11-03）"
    assert client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.prize_amount == 600000
    entry = ActivityLog.objects.get(action="config.update", target_type="awards.category", target_id=str(category.pk))
    assert entry.reason == "admin：区政府常务会议决定提高奖金（2025-11-03）"
    assert (entry.before, entry.after) == ({"prize_amount": "500000.00"}, {"prize_amount": "600000.00"}) or entry.after["prize_amount"] in (600000, "600000", "600000.00")


def test_before_approval_a_prize_changes_without_a_reason(client, cn_admin, cq):
    category = cq.categories.get(code="district-mode")
    client.force_login(cn_admin)
    url = f"/admin/awards/category/{category.pk}/change/"
    data = page_form(client, url)
    data["prize_amount"] = "550000"
    assert client.post(url, data).status_code == 302


def test_the_loader_asks_the_same_prize_rule(tmp_path, cq, cn_admin):
    from django.core.management import CommandError, call_command

    from awards.loader import export_cycle_documents
    import yaml

    _approve(cq, cn_admin)
    documents = export_cycle_documents(cq.code)
    cycle_doc = next(d for d in documents if d["kind"] == "cycle")
    cycle_doc["cycle"]["categories"][0]["prize_amount"] = 600000
    path = tmp_path / "cq.yaml"
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_programmes", str(path), verbosity=0)
    assert f"{path}: cycle.categories[0].prize_change_reason" in str(refused.value) and "修改奖金须填写变更理由" in str(refused.value)
    assert Category.objects.get(pk=cq.categories.get(code="district-mode").pk).prize_amount == 500000
    cycle_doc["cycle"]["categories"][0]["prize_change_reason"] = "区政府常务会议决定"
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True), encoding="utf-8")
    call_command("load_programmes", str(path), verbosity=0)
    category = cq.categories.get(code="district-mode")
    assert category.prize_amount == 600000
    entry = ActivityLog.objects.filter(action="config.update", target_type="awards.category", target_id=str(category.pk)).latest("pk")
    assert entry.reason.endswith("区政府常务会议决定")


# ---------------------------------------------------------------- 11.2 rubrics per organiser


def test_a_template_given_to_a_category_is_copied_to_its_organiser(client, cn_admin, cq, django_user_model):
    template = Rubric.objects.create(code="test-template", name="测试模板", standard="T/TEST 1-2026", total_points=100)
    RubricCriterion.objects.create(rubric=template, code="1", name="一", max_points=100)
    category = cq.categories.get(code="district-achievement")
    client.force_login(cn_admin)
    url = f"/admin/awards/category/{category.pk}/change/"
    data = page_form(client, url)
    index = int(data["rubric_choices-TOTAL_FORMS"])
    data["rubric_choices-TOTAL_FORMS"] = str(index + 1)
    data.update({f"rubric_choices-{index}-organisation_type": "small_enterprise", f"rubric_choices-{index}-rubric": str(template.pk),
                 f"rubric_choices-{index}-category": str(category.pk)})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    choice = CategoryRubric.objects.get(category=category, organisation_type="small_enterprise")
    copy = choice.rubric
    assert (copy.code, copy.organiser.code, copy.copied_from) == ("changning-test-template", "changning", template)
    assert list(copy.criteria.values_list("code", "max_points")) == [("1", 100)]
    assert template.organiser is None and template.criteria.count() == 1
    assert ActivityLog.objects.filter(action="config.create", target_type="awards.rubric", target_id=str(copy.pk), organiser__code="changning").exists()


def test_a_programme_admin_sees_but_cannot_change_a_template_nor_another_organisers_rubric(client, cn_admin, seeds):
    template = Rubric.objects.get(code="gbt-19580-2012")
    theirs = Rubric.objects.get(code="xuhui-gbt-19580-2012")
    client.force_login(cn_admin)
    assert client.get(f"/admin/awards/rubric/{template.pk}/change/").status_code == 200  # shown read-only
    response = client.post(f"/admin/awards/rubric/{template.pk}/change/", {"name": "改名", "code": template.code})
    assert response.status_code == 403
    assert client.get(f"/admin/awards/rubric/{theirs.pk}/change/").status_code == 302
    assert client.post(f"/admin/awards/rubric/{theirs.pk}/delete/", {"post": "yes"}).status_code == 302
    assert Rubric.objects.filter(pk=theirs.pk, name=theirs.name).exists()
    listing = client.get("/admin/awards/rubric/").content.decode()
    assert "xuhui-" not in listing and "长宁区" in listing


def test_a_programme_admin_cannot_create_a_rubric_for_another_organiser_or_as_a_template(client, cn_admin, organisers):
    client.force_login(cn_admin)
    data = {"code": "mine", "name": "本区标准", "standard": "X", "total_points": "100", "is_official": "on", "note": "",
            "criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000"}
    response = client.post("/admin/awards/rubric/add/", {**data, "organiser": str(organisers["xuhui"].pk)})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    response = client.post("/admin/awards/rubric/add/", {**data, "organiser": ""})
    assert response.status_code == 200 and "系统模板只能由系统管理员维护" in response.content.decode()
    assert not Rubric.objects.filter(code="mine").exists()
    assert client.post("/admin/awards/rubric/add/", {**data, "organiser": str(organisers["changning"].pk)}).status_code == 302
    assert Rubric.objects.get(code="mine").organiser.code == "changning"


def test_user_dropdowns_in_the_admin_list_only_the_organisers_people(client, cn_admin, make_user, organisers, cq):
    from reviews.models import ExpertProfile

    xh_person = make_user("xh-expert-x", roles=[(Role.EXPERT, organisers["xuhui"])])
    client.force_login(cn_admin)
    page = client.get("/admin/reviews/expertprofile/add/").content.decode()
    assert "xh-expert-x" not in page and "徐汇区" not in page
    response = client.post("/admin/reviews/expertprofile/add/", {"user": str(xh_person.pk), "organiser": str(organisers["changning"].pk),
                                                                   "name": "徐汇人", "is_active": "on"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not ExpertProfile.objects.filter(user=xh_person).exists()


def test_user_admin_datetimes_keep_their_seconds(client, django_user_model, make_user):
    superuser = make_user("root", is_superuser=True, is_staff=True)
    person = make_user("someone")
    django_user_model.objects.filter(pk=person.pk).update(last_login=datetime.datetime(2026, 11, 30, 15, 59, 59, tzinfo=datetime.UTC))
    client.force_login(superuser)
    page = client.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    assert 'value="23:59:59"' in page
