"""Configuration through the admin: organiser scoping, validation and the activity log."""

import pytest

from awards.admin import _list_text, _param_field_name
from awards.rule_kinds import RULE_KINDS

from awards.models import Category
from core.models import ActivityLog


def rule_param_fields(kind: str, params: dict) -> dict:
    """The admin form's fields of a rule's parameters, as a person fills them."""
    fields = {}
    for param in RULE_KINDS[kind].params:
        value = params.get(param.name)
        if value is None or value is False:
            continue
        fields[_param_field_name(kind, param)] = _list_text(param, value) if param.type is list else ("on" if value is True else value)
    return fields


def _category_form(category: Category, **changes) -> dict:
    data = {
        "cycle": category.cycle_id,
        "code": category.code,
        "order": category.order,
        "level": category.level,
        "track": category.track,
        "name_en": category.name_en,
        "applicant_kind": category.applicant_kind,
        "quota": category.quota if category.quota is not None else "",
        "prize_amount": category.prize_amount if category.prize_amount is not None else "",
        "reward_text": category.reward_text,
        "benefits": "[]",
        "standard": category.standard,
        "standard_en": category.standard_en,
        "criteria": "[]",
        "description": "",
    }
    for prefix, related in (("rubric_choices", category.rubric_choices.all()), ("rules", category.rules.all())):
        items = list(related)
        data.update({f"{prefix}-TOTAL_FORMS": len(items), f"{prefix}-INITIAL_FORMS": len(items), f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-id"] = item.pk
            data[f"{prefix}-{index}-category"] = category.pk
            if prefix == "rubric_choices":
                data[f"{prefix}-{index}-organisation_type"] = item.organisation_type
                data[f"{prefix}-{index}-rubric"] = item.rubric_id
            else:
                data.update({
                    f"{prefix}-{index}-order": item.order,
                    f"{prefix}-{index}-kind": item.kind,
                    f"{prefix}-{index}-severity": item.severity,
                    f"{prefix}-{index}-description": item.description,
                    **({f"{prefix}-{index}-enabled": "on"} if item.enabled else {}),
                })
                data.update({f"{prefix}-{index}-{name}": value for name, value in rule_param_fields(item.kind, item.params).items()})
    data.update(changes)
    return data


@pytest.fixture
def district_mode(seeds):
    return seeds["changning-quality-2023"].categories.get(code="district-mode")


def test_programme_admin_changes_quota_and_the_log_keeps_before_and_after(client, cn_admin, district_mode):
    client.force_login(cn_admin)
    url = f"/admin/awards/category/{district_mode.pk}/change/"
    response = client.post(url, _category_form(district_mode, quota=3))
    assert response.status_code == 302, response.content.decode()[:2000]
    district_mode.refresh_from_db()
    assert district_mode.quota == 3
    entry = ActivityLog.objects.filter(action="config.update", target_type="awards.category", target_id=str(district_mode.pk)).get()
    assert entry.actor == cn_admin
    assert entry.before == {"quota": 2}
    assert entry.after == {"quota": 3}
    assert entry.organiser.code == "changning"


def test_negative_quota_is_refused_with_a_message(client, cn_admin, district_mode):
    client.force_login(cn_admin)
    response = client.post(f"/admin/awards/category/{district_mode.pk}/change/", _category_form(district_mode, quota=-1))
    assert response.status_code == 200
    assert "确保该值大于或等于0" in response.content.decode() or "名额不能为负数" in response.content.decode()
    district_mode.refresh_from_db()
    assert district_mode.quota == 2


def test_admin_of_another_organiser_cannot_see_or_change_the_quota(client, xh_admin, district_mode):
    client.force_login(xh_admin)
    url = f"/admin/awards/category/{district_mode.pk}/change/"
    assert client.get(url).status_code in (302, 404)
    response = client.post(url, _category_form(district_mode, quota=9))
    assert response.status_code in (302, 403, 404)
    district_mode.refresh_from_db()
    assert district_mode.quota == 2
    listing = client.get("/admin/awards/category/").content.decode()
    assert "区长质量奖先进质量管理模式（项目）" not in listing


def test_review_staff_cannot_change_configuration(client, cn_staff, district_mode):
    client.force_login(cn_staff)
    response = client.post(f"/admin/awards/category/{district_mode.pk}/change/", _category_form(district_mode, quota=9))
    assert response.status_code in (302, 403, 404)
    district_mode.refresh_from_db()
    assert district_mode.quota == 2


def test_admin_category_list_shows_only_own_organiser(client, xh_admin, seeds):
    client.force_login(xh_admin)
    page = client.get("/admin/awards/category/").content.decode()
    assert "徐汇区区长质量奖先进质量管理模式" in page
    assert "长宁" not in page


def test_rubric_children_must_sum_in_the_admin(client, cn_admin, seeds):
    from awards.models import Rubric

    rubric = Rubric.objects.get(code="changning-db31t-598-default")  # 长宁's copy of the template
    client.force_login(cn_admin)
    criteria = list(rubric.criteria.order_by("order", "id"))
    data = {
        "organiser": rubric.organiser_id,
        "code": rubric.code, "name": rubric.name, "standard": rubric.standard, "total_points": "1000", "note": rubric.note,
        "criteria-TOTAL_FORMS": len(criteria), "criteria-INITIAL_FORMS": len(criteria), "criteria-MIN_NUM_FORMS": 0, "criteria-MAX_NUM_FORMS": 1000,
    }
    for index, c in enumerate(criteria):
        data.update({
            f"criteria-{index}-id": c.pk, f"criteria-{index}-rubric": rubric.pk, f"criteria-{index}-order": c.order,
            f"criteria-{index}-code": c.code, f"criteria-{index}-name": c.name, f"criteria-{index}-parent": c.parent_id or "",
            f"criteria-{index}-max_points": str(c.max_points + (5 if c.code == "1.1" else 0)), f"criteria-{index}-kind": c.kind,
            f"criteria-{index}-guidance": "",
        })
    response = client.post(f"/admin/awards/rubric/{rubric.pk}/change/", data)
    assert response.status_code == 200
    assert "条款 1 的下级分值之和为 155，应等于其分值 150" in response.content.decode()
    assert rubric.criteria.get(code="1.1").max_points == 50
