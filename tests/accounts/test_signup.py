"""Accounts: sign-up with e-mail verification, login throttling (django-axes), password reset, sessions."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User

PASSWORD = "Sign-Up-Works-2026"


def signup(client, email="new@example.test", **extra):
    data = {"email": email, "full_name": "新用户", "preferred_language": "zh-hans", "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(reverse("accounts:signup"), data)


def links(message, pattern):
    return re.findall(pattern, message.body)


@pytest.mark.django_db(transaction=True)
def test_signup_sends_a_single_use_verification_link(client):
    assert signup(client).status_code == 302
    user = User.objects.get(email="new@example.test")
    assert (user.is_active, user.email_verified, user.username) == (False, False, "new@example.test")
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "请验证您的邮箱 · 评比表彰管理平台"
    (link,) = links(mail.outbox[0], r"http://testserver(/accounts/verify/\S+/)")
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 400  # used once
    user.refresh_from_db()
    assert user.email_verified


@pytest.mark.django_db
def test_tampered_verification_link_is_refused(client):
    signup(client)
    user = User.objects.get(email="new@example.test")
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    response = client.get(reverse("accounts:verify", args=[urlsafe_base64_encode(force_bytes(user.pk)), "abc-123"]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.is_active is False


@pytest.mark.django_db
def test_signup_states_and_applies_the_password_rules_in_chinese(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    assert "密码至少 10 个字符。" in page and "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。" in page
    response = signup(client, password1="12345678", password2="12345678")
    assert response.status_code == 400
    page = response.content.decode()
    assert "密码太短：至少需要 10 个字符。" in page
    assert "密码太简单：须包含大写字母、小写字母、数字、符号中的至少 3 类。" in page
    assert "too short" not in page
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_password_rules_in_english_for_the_english_interface(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = signup(client, password1="abcdefgh", password2="abcdefgh")
    page = response.content.decode()
    assert "This password is too short: it must have at least 10 characters." in page
    assert "At least 10 characters." in page


@pytest.mark.django_db
def test_password_change_form_states_the_rules(client, make_user):
    client.force_login(make_user("changer"))
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "密码至少 10 个字符。" in page
    response = client.post(reverse("accounts:password_change"),
                           {"old_password": "pw-for-tests-123", "new_password1": "short", "new_password2": "short"})
    assert "密码太短：至少需要 10 个字符。" in response.content.decode()


@pytest.mark.django_db
def test_login_is_locked_after_five_failures(client, make_user):
    make_user("locked", password=PASSWORD)
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "locked", "password": "wrong-password"})
    response = client.post(reverse("accounts:login"), {"username": "locked", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_login_sets_the_users_language(client, make_user):
    make_user("anna", password=PASSWORD, preferred_language="en")
    response = client.post(reverse("accounts:login"), {"username": "anna@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db(transaction=True)
def test_password_reset_by_email(client, make_user):
    make_user("reset", password="Old-Password-2026")
    response = client.post(reverse("accounts:password_reset"), {"email": "reset@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    (link,) = links(mail.outbox[-1], r"http://testserver(/accounts/password/reset/\S+/)")
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "New-Password-2026", "new_password2": "New-Password-2026"})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(username="reset").check_password("New-Password-2026")


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    # The idle timeout slides through core.middleware.SessionRefreshMiddleware (tests/core/test_session_refresh.py).
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert "core.middleware.SessionRefreshMiddleware" in settings.MIDDLEWARE
