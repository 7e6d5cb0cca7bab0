"""Production settings refuse public or weak secret keys, the example placeholder included."""

from __future__ import annotations

import re

import pytest

from tests.core.test_settings import ROOT, _manage


def example_secret_key() -> str:
    text = (ROOT / "deploy" / "portal.env.example").read_text(encoding="utf-8")
    return re.search(r"^DJANGO_SECRET_KEY=(.*)$", text, re.M).group(1).strip()


@pytest.mark.parametrize("key", [example_secret_key(), "local-development-only-not-secret", "short-but-random-9f8e7d", "a" * 60,
                                 "django-insecure-" + "k" * 8 + "abcdefghijklmnopqrstuvwxyz0123456789"])
def test_production_refuses_public_or_weak_secret_keys(key):
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY=key,
                     DJANGO_ALLOWED_HOSTS="awards.example.gov.cn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set to a long random value in production" in result.stderr


def test_production_accepts_a_long_random_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production",
                     DJANGO_SECRET_KEY="q3JvX9kL0pT7wZ2mN5bC8dF1gH4jK6lS9aE2rY7uI0oP3sD6fG", DJANGO_ALLOWED_HOSTS="awards.example.gov.cn")
    assert result.returncode == 0, result.stderr
