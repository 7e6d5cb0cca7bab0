"""Two-step verification in Chromium: a review-office account enrols at its first sign-in, signs in
again with the authenticator's code, then with a recovery code, through the real pages."""

from __future__ import annotations

import re

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.browser.conftest import code_from_secret, current_totp_code, follow, snap

PASSWORD = "Office-Pass-2026"


def sign_in(page, username):
    page.goto("/accounts/login/?next=/staff/cycles/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    follow(page, "main input[type=submit]")


def sign_out(page):
    follow(page, "nav form[action='/accounts/logout/'] button")


def test_staff_enrols_then_signs_in_with_a_code_and_with_a_recovery_code(page, make_user, organisers):
    make_user("cn-2fa", roles=[(Role.STAFF, organisers["changning"])], is_staff=True, password=PASSWORD, full_name="长宁评审办公室")

    sign_in(page, "cn-2fa")
    assert "/accounts/2fa/setup/" in page.url
    assert page.locator("#totp-qr svg").count() == 1
    snap(page, "2fa-setup")
    page.fill("#id_token", "000000" if code_from_secret(page.inner_text("#totp-secret")) != "000000" else "111111")
    follow(page, "main input[type=submit]")
    assert "验证码不正确或已过期" in page.inner_text("main")
    page.fill("#id_token", code_from_secret(page.inner_text("#totp-secret")))
    follow(page, "main input[type=submit]")  # at once: django-otp makes the next try wait 1 s, doubling each time
    assert re.search(r"尝试过于频繁，请 \d 秒后再试。", page.inner_text("main"))
    page.wait_for_timeout(1100)
    page.fill("#id_token", code_from_secret(page.inner_text("#totp-secret")))
    follow(page, "main input[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    snap(page, "2fa-recovery-codes")
    follow(page, "#recovery-codes-done")
    assert page.url.endswith("/staff/cycles/")
    sign_out(page)

    sign_in(page, "cn-2fa")
    assert "/accounts/2fa/verify/" in page.url
    page.goto("/staff/cycles/")  # no way around the second step
    assert "/accounts/2fa/verify/" in page.url
    page.fill("#id_token", current_totp_code(TOTPDevice.objects.get(user__username="cn-2fa")))
    follow(page, "main input[type=submit]")
    assert page.url.endswith("/staff/cycles/")
    sign_out(page)

    sign_in(page, "cn-2fa")
    page.fill("#id_token", codes[0])
    follow(page, "main input[type=submit]")
    assert page.url.endswith("/staff/cycles/")
    assert "您使用了一个恢复码，还剩 9 个。" in page.inner_text("main")
    assert page.js_errors == []
