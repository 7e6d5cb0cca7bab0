"""Lock-out keyed on the canonical account (django-axes with accounts.backends.axes_username), a
per-network limit against password spraying, and a clear refusal of over-long sign-in names."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import PASSWORD

LOGIN = reverse("accounts:login")


def attempt(client, username, password="wrong-password-1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def account(make_user):
    return make_user("probe-lock1", email="probe-lock1@example.test", password=PASSWORD)


def lock(client):
    statuses = [attempt(client, "probe-lock1").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the failure that reaches the limit locks


@pytest.mark.parametrize("spelling", ["PROBE-LOCK1", "Probe-Lock1", "probe-lock1@example.test", "PROBE-LOCK1@EXAMPLE.TEST",
                                      " probe-lock1", "probe-lock1 ", "\tprobe-lock1"])
def test_locked_account_stays_locked_under_every_spelling(client, account, spelling):
    lock(client)
    response = attempt(client, spelling, PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.parametrize("spelling", ["PROBE-LOCK1", "probe-lock1@example.test", " probe-lock1"])
def test_each_spelling_counts_for_the_same_account(client, account, spelling):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, spelling if n % 2 else "probe-lock1")
    assert attempt(client, "probe-lock1", PASSWORD).status_code == 429


def test_guesses_spread_over_case_variants_lock_after_five(client, account):
    variants = ["probe-lock1", "PROBE-LOCK1", "Probe-lock1", "pRobe-lock1", "probe-LOCK1", "PROBE-lock1@example.test"]
    statuses = [attempt(client, variants[i % len(variants)]).status_code for i in range(40)]
    assert statuses[:4] == [400] * 4
    assert set(statuses[4:]) == {429}
    assert attempt(client, "probe-lock1", PASSWORD).status_code == 429


def test_lock_follows_the_account_to_another_address(client, account):
    lock(client)
    assert attempt(client, "probe-lock1", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_success_before_the_limit_resets_the_count(client, account):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "PROBE-LOCK1")
    assert attempt(client, "probe-lock1@example.test", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "probe-lock1")
    assert attempt(client, "probe-lock1", PASSWORD).status_code == 302


def test_password_spraying_from_one_address_is_stopped(client, make_user):
    make_user("real-user", password=PASSWORD)
    limit, _seconds = settings.PORTAL_THROTTLES["login_failures_ip"]
    for n in range(limit):  # one guess each at many accounts: none of them reaches its own limit
        assert attempt(client, f"sprayed-{n}").status_code == 400
    response = attempt(client, "real-user", PASSWORD)
    assert response.status_code == 429
    assert "该网络地址登录失败次数过多，已暂停登录，请一小时后再试。" in response.content.decode()
    assert attempt(client, "real-user", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302  # other networks are not affected


def test_admin_login_has_the_same_network_limit(client, make_user):
    make_user("root", is_superuser=True, is_staff=True, password=PASSWORD)
    limit, _seconds = settings.PORTAL_THROTTLES["login_failures_ip"]
    for n in range(limit):
        client.post(reverse("admin:login"), {"username": f"sprayed-{n}", "password": "x"})
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 200
    assert "该网络地址登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_is_locked_for_the_canonical_account_too(client, make_user):
    make_user("root", is_superuser=True, is_staff=True, password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "ROOT", "password": "x"})
    assert attempt(client, " root", PASSWORD).status_code == 429


@pytest.mark.parametrize("length", [255, 256, 1000, 10000])
def test_over_long_sign_in_name_is_a_form_error(client, length):
    response = attempt(client, "a" * length)
    assert response.status_code == 400
    assert "用户名或邮箱最长 254 个字符。" in response.content.decode()


def test_over_long_name_at_the_admin_login_is_a_form_error(client):
    response = client.post(reverse("admin:login"), {"username": "x" * 300, "password": "x"})
    assert response.status_code == 200
    assert "用户名或邮箱最长 254 个字符。" in response.content.decode()
