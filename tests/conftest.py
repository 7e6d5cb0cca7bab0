"""Shared fixtures: the seed programmes, users of every role, and helpers for services."""

from __future__ import annotations

import os
import socket

import pytest
from django.core.management import call_command

from accounts.models import Role, RoleAssignment, User


def service_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a real service is missing on a laptop; fail loudly under CI."""
    if service_reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI=true requires it.")
    pytest.skip(f"{message}: integration test skipped (start {name} to run it).")


@pytest.fixture
def seeds(db):
    """The three seed cycles and rubrics, loaded through the real loader."""
    call_command("load_programmes", verbosity=0)
    from awards.models import Cycle

    return {c.code: c for c in Cycle.objects.select_related("programme__organiser")}


@pytest.fixture
def organisers(seeds):
    from awards.models import Organiser

    return {o.code: o for o in Organiser.objects.all()}


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(username: str | None = None, *, roles=(), password: str = "pw-for-tests-123", **extra) -> User:
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        user = User.objects.create_user(
            username=username, email=extra.pop("email", f"{username}@example.test"), password=password, email_verified=True, **extra
        )
        for role, organiser in roles:
            RoleAssignment.objects.create(user=user, role=role, organiser=organiser)
        return user

    return make


@pytest.fixture
def cn_admin(make_user, organisers):
    return make_user("cn-admin", roles=[(Role.ADMIN, organisers["changning"])], is_staff=True)


@pytest.fixture
def xh_admin(make_user, organisers):
    return make_user("xh-admin", roles=[(Role.ADMIN, organisers["xuhui"])], is_staff=True)


@pytest.fixture
def cn_staff(make_user, organisers):
    return make_user("cn-staff", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)


@pytest.fixture
def xh_staff(make_user, organisers):
    return make_user("xh-staff", roles=[(Role.STAFF, organisers["xuhui"])], is_staff=True)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in English (LocaleMiddleware activates
    it for the thread) must not leak into the next test's service calls."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
