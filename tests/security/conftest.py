"""Role fixtures for the security tests.

`world` is built once per test module, inside a transaction that is rolled back when the module
ends (pytest-django wraps each test in a savepoint inside it, so every test starts from the same
world and nothing leaks into other test modules). `client_for(role)` returns a Django test client
signed in as that role ("anonymous" is signed out).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from .world import ROLES, World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # objection throttling and axes counters must not carry over between tests
    yield
    cache.clear()


@pytest.fixture
def client_for(world, db):
    clients: dict[str, Client] = {}

    def get(role: str) -> Client:
        assert role in ROLES, role
        if role not in clients:
            client = Client()
            if role != "anonymous":
                client.force_login(world.user(role))
            clients[role] = client
        return clients[role]

    return get
