"""Demo data of the accounts app (run by `manage.py seed_demo`): an authenticator for every demo
user who must use two-step verification, with one published demo secret.

The secret is public (README), like the demo password: `manage.py demo_totp USERNAME` prints the
current code, and the same secret can be typed into a phone's authenticator app. Local use only:
seed_demo and demo_totp refuse to run with DEBUG off.
"""

from __future__ import annotations

import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor

# 20 bytes; base32 MRSW23ZNMF3WC4TEFVYG64TUMFWC2MRW (shown in README's demo-users section).
DEMO_TOTP_KEY = b"demo-award-portal-26"
DEMO_TOTP_BASE32 = base64.b32encode(DEMO_TOTP_KEY).decode("ascii").rstrip("=")


def ensure_demo_authenticator(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=twofactor.TOTP_NAME, confirmed=True, key=DEMO_TOTP_KEY.hex())
    return device


def seed_demo_data(context: dict) -> None:
    enrolled = [user for user in context["users"].values() if twofactor.is_privileged(user)]
    for user in enrolled:
        ensure_demo_authenticator(user)
    context["stdout"].write(
        f"Two-step verification: {len(enrolled)} demo users have an authenticator with the demo secret {DEMO_TOTP_BASE32}; "
        "`python manage.py demo_totp USERNAME` prints the current code.\n"
    )
