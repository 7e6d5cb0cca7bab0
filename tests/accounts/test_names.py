"""Names: control, direction and zero-width characters never reach the database (core/text.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from core.text import clean_name, validate_name

from .conftest import PASSWORD


@pytest.mark.parametrize(("typed", "stored"), [
    ("  张三  ", "张三"),
    ("张\u200b三", "张三"),                     # zero-width space
    ("\ufeffAnna\u200d Schmidt\u00ad", "Anna Schmidt"),  # BOM, zero-width joiner, soft hyphen
    ("Anna\u3000\u3000Schmidt", "Anna Schmidt"),  # ideographic spaces
    ("上海  示例\u00a0公司", "上海 示例 公司"),
    ("Jose\u0301", "Jos\u00e9"),                # NFC
])
def test_clean_name_strips_what_nobody_means(typed, stored):
    assert clean_name(typed) == stored


@pytest.mark.parametrize(("typed", "code"), [
    ("张三\u202efdp.exe", "bidi_control"),       # right-to-left override
    ("\u2067王五\u2069", "bidi_control"),
    ("\u200f李四", "bidi_control"),
    ("张三\n李四", "line_break"),
    ("张三\r李四", "line_break"),
    ("张三\u2028李四", "line_break"),
    ("张三\t李四", "control_character"),
    ("张三\x07", "control_character"),
    ("张三\ue000", "control_character"),        # private use
])
def test_clean_name_refuses_invisible_tricks(typed, code):
    with pytest.raises(ValidationError) as caught:
        clean_name(typed)
    assert caught.value.code == code


def test_refusal_names_the_character_in_chinese():
    with pytest.raises(ValidationError) as caught:
        clean_name("张三\u202e")
    assert caught.value.messages == ["名称中不能包含文字方向控制字符（U+202E RIGHT-TO-LEFT OVERRIDE），请删除后重新输入。"]


def test_model_validator_refuses_unclean_values():
    validate_name("张三")
    with pytest.raises(ValidationError):
        validate_name(" 张三")
    with pytest.raises(ValidationError):
        validate_name("张\u200b三")


def _signup(client, full_name):
    return client.post(reverse("accounts:signup"), {"email": "name@example.test", "full_name": full_name, "preferred_language": "zh-hans",
                                                     "password1": PASSWORD, "password2": PASSWORD})


@pytest.mark.django_db
def test_signup_refuses_a_right_to_left_override_in_the_name(client):
    response = _signup(client, "张三\u202egpj.exe")
    assert response.status_code == 400
    assert "名称中不能包含文字方向控制字符（U+202E RIGHT-TO-LEFT OVERRIDE）" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_a_line_break_and_strips_zero_width(client):
    assert "名称须在一行内填写，不能包含换行。" in _signup(client, "张三\n管理员").content.decode()
    assert _signup(client, "\u200b张\u200c三 ").status_code == 302
    assert User.objects.get().full_name == "张三"


@pytest.mark.django_db
def test_name_of_only_invisible_characters_is_required(client):
    response = _signup(client, "\u200b\u200b")
    assert response.status_code == 400 and "这个字段是必填项。" in response.content.decode()


@pytest.mark.django_db
def test_admin_user_form_refuses_control_characters(client, make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    target = make_user("target")
    client.force_login(root)
    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), {
        "username": "target", "email": "target@example.test", "full_name": "王\u202e五", "first_name": "", "last_name": "",
        "preferred_language": "zh-hans", "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.full_name == ""
