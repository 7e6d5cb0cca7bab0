"""Second factor (TOTP, django-otp): who must use it, enrolment, verification, recovery codes, reset.

GB/T 22239-2019 (等保 2.0) level 3 asks for two or more authentication factors for administrators:
review staff, experts, programme admins, superusers and every account that can open the Django
admin (is_staff) must enrol an authenticator app (RFC 6238 TOTP) and enter a code after their
password. Applicants and recommending units may enrol; once they have, they are asked too.

Every change of a user's second factor (enrolment, recovery codes regenerated, a recovery code
used, a reset by an administrator) is written to the activity log.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.services import log_activity

from . import rules
from .models import Role

PRIVILEGED_ROLES = frozenset({Role.STAFF, Role.EXPERT, Role.ADMIN})
SESSION_HAS_DEVICE = "accounts_2fa_enrolled"
SESSION_RECOVERY_CODES = "accounts_2fa_new_recovery_codes"
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery-codes"


# ---------------------------------------------------------------------------------------------
# Who


def is_privileged(user) -> bool:
    """Accounts that must use a second factor: staff, experts, programme admins, admin users."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(rules.roles_of(user) & PRIVILEGED_ROLES)


def must_use_second_factor(user) -> bool:
    """True if the user may not go on without a second factor (enrolled or not yet)."""
    return bool(getattr(settings, "PORTAL_REQUIRE_2FA", True)) and is_privileged(user)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remember_enrolment(request, user) -> None:
    """Keep in the session whether the user has enrolled (read on every request without a query)."""
    request.session[SESSION_HAS_DEVICE] = has_second_factor(user)


def is_verified(user) -> bool:
    """True if this session passed the second factor (django-otp marks request.user; a user object
    fresh from login() carries no mark yet)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def pending_step(request) -> str | None:
    """The two-factor page the signed-in user has to pass first: "setup", "verify" or None.

    Read on every request: no query for a user who needs nothing (the enrolment flag is kept in the
    session at login) and none beyond django-otp's device lookup for a verified one.
    """
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return None
    enrolled = request.session.get(SESSION_HAS_DEVICE)
    if must_use_second_factor(user):
        if enrolled is None:
            enrolled = has_second_factor(user)
        return "verify" if enrolled else "setup"
    return "verify" if enrolled else None


def _organiser_of(user):
    """The organiser whose activity log shows this user's security changes (their first role's)."""
    assignment = user.role_assignments.exclude(organiser=None).select_related("organiser").order_by("pk").first()
    return assignment.organiser if assignment else None


# ---------------------------------------------------------------------------------------------
# Enrolment


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (the same secret on every reload of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI (otpauth://…) as an inline SVG QR code, drawn here: no outside service."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    return image.to_string(encoding="unicode")


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    device.throttle_reset(commit=True)
    codes = [StaticToken.random_token() for _ in range(settings.PORTAL_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_enrolment(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows; returns the new recovery codes (or None)."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(_digits(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        log_activity(actor=user, action="account.2fa_enrol", target=user, organiser=_organiser_of(user),
                     after={"device": "totp", "recovery_codes": len(codes)})
    request.session.cycle_key()  # a new session id for the now fully signed-in session
    otp_login(request, device)
    request.session[SESSION_HAS_DEVICE] = True
    return codes


def regenerate_recovery_codes(*, request) -> list[str]:
    """New recovery codes for a verified user; the old ones stop working."""
    user = request.user
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        log_activity(actor=user, action="account.2fa_recovery_codes_regenerated", target=user, organiser=_organiser_of(user),
                     after={"recovery_codes": len(codes)})
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


# ---------------------------------------------------------------------------------------------
# Verification


@dataclass
class Outcome:
    ok: bool
    throttled_until: object = None  # an aware datetime while django-otp's back-off lasts
    used_recovery_code: bool = False


def _digits(token: str) -> str:
    return "".join(str(token or "").split())


def normalise_recovery_code(token: str) -> str:
    return "".join(ch for ch in str(token or "").lower() if ch.isalnum())


def verify(*, request, token: str) -> Outcome:
    """Check a code from the authenticator or one recovery code; on success the session is verified."""
    user = request.user
    code = normalise_recovery_code(token)
    if len(code) == 6 and code.isdigit():  # an authenticator code; recovery codes are 8 letters and digits
        device = confirmed_totp(user)
    else:
        device = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME, confirmed=True).first()
    candidates = [(device, code)] if device is not None else []
    throttled_until = None
    for device, value in candidates:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            throttled_until = (details or {}).get("locked_until")
            continue
        with transaction.atomic():
            matched = otp_verify_token(user, device.persistent_id, value)
            if matched is not None and isinstance(matched, StaticDevice):
                log_activity(actor=user, action="account.2fa_recovery_code_used", target=user, organiser=_organiser_of(user),
                             after={"recovery_codes_left": recovery_codes_left(user)})
        if matched is not None:
            request.session.cycle_key()  # a new session id for the now fully signed-in session
            otp_login(request, matched)
            return Outcome(ok=True, used_recovery_code=isinstance(matched, StaticDevice))
    return Outcome(ok=False, throttled_until=throttled_until)


# ---------------------------------------------------------------------------------------------
# Reset by an administrator


def reset_second_factor(*, user, actor, organiser=None) -> int:
    """Remove every authenticator and recovery code of `user`; they enrol again at their next sign-in.

    Sessions the user had verified stop being verified at once (django-otp finds no device).
    """
    with transaction.atomic():
        had = {"authenticator": has_second_factor(user), "recovery_codes": recovery_codes_left(user)}
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        log_activity(actor=actor, action="account.2fa_reset", target=user, organiser=organiser or _organiser_of(user),
                     before=had, after={"authenticator": False, "recovery_codes": 0}, reason="admin")
    return int(had["authenticator"])
