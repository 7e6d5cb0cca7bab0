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


# ---------------------------------------------------------------------------------------------
# The seed programmes, loaded once per test session.
#
# Loading the seed YAML through the real loader takes seconds, so it happens once, right after
# pytest-django has created the test database: every test then starts from a database holding the
# three seed cycles, their rubrics and the loader's activity log, as a freshly installed portal
# does. A `db` test runs inside a transaction that is rolled back, so whatever it changes in the
# seeds is undone for the next test. A transactional test (`transactional_db`, `live_server`, the
# browser tests) commits and is followed by a flush that empties every table; pytest-django runs
# those after all the `db` tests, and the `seeds` fixture loads the seeds again when it finds them
# gone (one cheap query).

SEED_CYCLE_CODES = ("changning-quality-2023", "changning-hongqiao-2023", "xuhui-quality-5")


def seeds_present() -> bool:
    from awards.models import Cycle

    return Cycle.objects.filter(code__in=SEED_CYCLE_CODES).count() == len(SEED_CYCLE_CODES)


def ensure_seeds() -> None:
    """Load the seed programmes through the real loader unless they are in the database already."""
    if not seeds_present():
        call_command("load_programmes", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus the seed programmes (committed: they outlive each test's rollback)."""
    with django_db_blocker.unblock():
        call_command("load_programmes", verbosity=0)


@pytest.fixture
def seeds(db):
    """The three seed cycles and rubrics, loaded through the real loader (once per session, see above).

    The Cycle objects are fetched afresh for every test: nothing cached on them carries over."""
    ensure_seeds()
    from awards.models import Cycle

    return {c.code: c for c in Cycle.objects.select_related("programme__organiser")}


@pytest.fixture
def no_seeds(db):
    """A database without any programme configuration, for the few tests that need one (a refused
    load must be seen to write nothing at all). The session's seeds and the loader's activity log are
    deleted inside this test's transaction; its rollback brings them back for the next test. Request
    it before any fixture that creates rows referring to an organiser or a cycle."""
    from django.apps import apps
    from django.db import connection

    models = [*apps.get_app_config("awards").get_models(include_auto_created=True), apps.get_model("core", "ActivityLog")]
    with connection.cursor() as cursor:
        for model in models:  # foreign keys are checked at commit (deferred), and this test never commits
            table = connection.ops.quote_name(model._meta.db_table)
            if connection.vendor == "postgresql" and model._meta.label == "core.ActivityLog":
                # The log refuses DELETE on PostgreSQL (a trigger); TRUNCATE is no row change, and it is
                # rolled back with the test's transaction like the rest.
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")
    assert not seeds_present()


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


def force_login_verified(client, user) -> None:
    """Sign the user in as a test client does, with the second factor passed when they have one
    (seed_demo gives its demo staff and experts an authenticator, so they are asked for it)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.twofactor import confirmed_totp

    client.force_login(user)
    device = confirmed_totp(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
