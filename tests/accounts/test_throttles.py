"""Password reset and sign-up: throttled per network and per address, and never telling whether an
address has an account; parallel sign-ups with one address never fail with a 500."""

from __future__ import annotations

import os
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import EmailNotification

from .conftest import PASSWORD

RESET = reverse("accounts:password_reset")
SIGNUP = reverse("accounts:signup")


def signup_data(email, **extra):
    return {"email": email, "full_name": "新用户", "preferred_language": "zh-hans", "password1": PASSWORD, "password2": PASSWORD, **extra}


# --- password reset --------------------------------------------------------------------------


@pytest.mark.django_db
def test_reset_mails_per_address_are_limited_and_the_page_stays_the_same(client, make_user):
    make_user("owner", email="owner@example.test")
    per_address, _seconds = settings.PORTAL_THROTTLES["password_reset_email"]
    responses = [client.post(RESET, {"email": "Owner@Example.test"}) for _ in range(per_address + 3)]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("accounts:password_reset_done"))}
    assert len(mail.outbox) == per_address == 3


@pytest.mark.django_db
def test_reset_requests_per_network_are_limited(client, make_user):
    per_network, _seconds = settings.PORTAL_THROTTLES["password_reset_ip"]
    for n in range(per_network):
        assert client.post(RESET, {"email": f"someone{n}@example.test"}).status_code == 302
    response = client.post(RESET, {"email": "another@example.test"})
    assert response.status_code == 429
    assert "重设密码的请求过于频繁，请一小时后再试。" in response.content.decode()
    assert client.post(RESET, {"email": "another@example.test"}, REMOTE_ADDR="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_reset_answers_the_same_for_unknown_addresses(client, make_user):
    make_user("owner", email="owner@example.test")
    known = client.post(RESET, {"email": "owner@example.test"})
    unknown = client.post(RESET, {"email": "nobody@example.test"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["owner@example.test"]]


# --- sign-up ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_signup_with_a_taken_address_looks_the_same_and_tells_the_owner(client, make_user):
    owner = make_user("owner", email="taken@example.test")
    new = Client().post(SIGNUP, signup_data("fresh@example.test"))
    taken = client.post(SIGNUP, signup_data("TAKEN@example.test"))
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"]) == (302, reverse("accounts:verify_pending"))
    page = client.get(taken["Location"]).content.decode()
    assert "邮件已发送到 <strong>taken@example.test</strong>" in page
    assert "该邮箱已注册" not in page
    assert User.objects.filter(email__iexact="taken@example.test").count() == 1
    to_owner = [m for m in mail.outbox if m.to == ["taken@example.test"]]
    assert len(to_owner) == 1 and to_owner[0].subject == "有人尝试用您的邮箱注册 · 评比表彰管理平台"
    assert "http://testserver/accounts/password/reset/" in to_owner[0].body
    assert EmailNotification.objects.filter(recipient=owner, event="signup_existing_email").count() == 1


@pytest.mark.django_db(transaction=True)
def test_signup_again_while_pending_resends_the_verification_link(client):
    client.post(SIGNUP, signup_data("pending@example.test"))
    Client().post(SIGNUP, signup_data("pending@example.test"))
    assert [m.subject for m in mail.outbox] == ["请验证您的邮箱 · 评比表彰管理平台"] * 2
    assert User.objects.filter(email="pending@example.test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_signup_mails_per_address_are_limited(client):
    per_address, _seconds = settings.PORTAL_THROTTLES["signup_email"]
    for _ in range(per_address + 2):
        assert Client().post(SIGNUP, signup_data("again@example.test"))["Location"] == reverse("accounts:verify_pending")
    assert len(mail.outbox) == per_address


@pytest.mark.django_db
def test_signups_per_network_are_limited(client):
    per_network, _seconds = settings.PORTAL_THROTTLES["signup_ip"]
    for n in range(per_network):
        assert Client().post(SIGNUP, signup_data(f"user{n}@example.test")).status_code == 302
    response = Client().post(SIGNUP, signup_data("one-more@example.test"))
    assert response.status_code == 429
    assert "注册请求过于频繁，请一小时后再试。" in response.content.decode()
    assert not User.objects.filter(email="one-more@example.test").exists()


def _parallel_signups(count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def run(n):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")  # one person each, from their own network
        barrier.wait()
        try:
            statuses.append(client.post(SIGNUP, signup_data("race@example.test")).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_signup_losing_a_race_on_the_database_constraint_answers_as_usual(client, make_user):
    """The check for a taken address passed, then the insert violated a unique constraint (here the
    username, which sign-up sets to the address): the same page, no 500, no second account."""
    make_user("race@example.test", email="someone-else@example.test")
    response = client.post(SIGNUP, signup_data("race@example.test"))
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:verify_pending"))
    assert User.objects.filter(username="race@example.test").count() == 1


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="parallel writers need PostgreSQL (set DATABASE_URL); SQLite's in-memory test database locks whole tables")
@pytest.mark.django_db(transaction=True)
def test_parallel_signups_on_postgresql_hit_the_unique_constraint_without_a_500():
    statuses = _parallel_signups(12)
    assert statuses == [302] * 12
    assert User.objects.filter(email__iexact="race@example.test").count() == 1
