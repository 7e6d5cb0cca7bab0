"""Accounts tests: throttle counters start at zero; helpers for real TOTP codes."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor

PASSWORD = "Str0ng-Pass-2026"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Login failures per network, reset and sign-up mails are counted in the cache; every test
    client comes from 127.0.0.1."""
    cache.clear()
    yield
    cache.clear()


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the device's authenticator app shows now (or `steps_ahead` 30-second steps later),
    computed from the device's own key (RFC 6238, as django_otp.oath.totp does)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """An authenticator confirmed earlier, with its recovery codes (as after the enrolment pages)."""
    device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_NAME, confirmed=True)
    return device, twofactor._new_recovery_codes(user)


@pytest.fixture
def enforced(settings):
    settings.PORTAL_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # tests that want django-otp's back-off turn it on again
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings

