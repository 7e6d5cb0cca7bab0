"""Two-step verification (TOTP, django-otp): enrolment, verification, recovery codes, admin reset,
enforcement on every page and the admin. Codes are computed from the device key as an authenticator
app would (RFC 6238), never mocked."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from accounts.models import Role
from core.models import ActivityLog
from tests.core.test_settings import _manage

from .conftest import PASSWORD, code_for, enrol

VERIFY = reverse("accounts:2fa_verify")
SETUP = reverse("accounts:2fa_setup")
STAFF_PAGE = "/staff/cycles/"


def log_in(client, username, password=PASSWORD, next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password})


@pytest.fixture
def staff(make_user, organisers):
    return make_user("cn-office", roles=[(Role.STAFF, organisers["changning"])], is_staff=True, password=PASSWORD)


@pytest.fixture
def expert(make_user, organisers):
    return make_user("cn-expert", roles=[(Role.EXPERT, organisers["changning"])], password=PASSWORD)


def actions(user) -> list[str]:
    return list(ActivityLog.objects.filter(target_type="accounts.user", target_id=str(user.pk)).order_by("pk").values_list("action", flat=True))


# --- who must use it -------------------------------------------------------------------------


def test_roles_that_must_use_a_second_factor(enforced, make_user, organisers, staff, expert):
    cn = organisers["changning"]
    admin = make_user("cn-admin", roles=[(Role.ADMIN, cn)], is_staff=True)
    superuser = make_user("root", is_superuser=True, is_staff=True)
    applicant = make_user("applicant", roles=[(Role.APPLICANT, None)])
    recommender = make_user("unit", roles=[(Role.RECOMMENDER, cn)])
    assert [twofactor.must_use_second_factor(u) for u in (staff, expert, admin, superuser, applicant, recommender)] == [
        True, True, True, True, False, False]
    enforced.PORTAL_REQUIRE_2FA = False
    assert twofactor.must_use_second_factor(staff) is False


def test_staff_page_redirects_to_enrolment_before_the_second_factor(enforced, client, staff):
    client.force_login(staff)
    response = client.get(STAFF_PAGE)
    assert (response.status_code, response["Location"]) == (302, f"{SETUP}?next=%2Fstaff%2Fcycles%2F")


def test_staff_page_redirects_to_verification_when_enrolled(enforced, client, staff):
    enrol(staff)
    client.force_login(staff)
    for url in (STAFF_PAGE, "/reviews/expert/", reverse("accounts:password_change"), reverse("accounts:security"), "/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(f"{VERIFY}?next="), url
    response = client.post(STAFF_PAGE, {})
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200  # the two-factor pages, logout and static files stay open
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_enforcement_off_in_the_test_settings_lets_force_login_through(client, staff):
    client.force_login(staff)
    assert client.get(STAFF_PAGE).status_code == 200


def test_applicant_is_not_asked_unless_enrolled(enforced, client, make_user):
    applicant = make_user("applicant", roles=[(Role.APPLICANT, None)], password=PASSWORD)
    response = log_in(client, "applicant")
    assert response["Location"] == "/applications/"  # the applicant's own home
    client.post(reverse("accounts:logout"))
    device, _codes = enrol(applicant)  # an applicant who chose to enrol is asked too
    response = log_in(client, "applicant")
    assert response["Location"] == f"{VERIFY}?next=%2Fapplications%2F"
    response = client.post(VERIFY, {"token": code_for(device), "next": "/applications/"})
    assert response["Location"] == "/applications/"


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_with_a_real_code_then_recovery_codes_shown_once(enforced, client, staff):
    response = log_in(client, "cn-office", next_url=STAFF_PAGE)
    assert response["Location"] == f"{SETUP}?next=%2Fstaff%2Fcycles%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "按照网络安全等级保护（等保 2.0 三级）要求" in html
    assert '<svg' in html and "otpauth" not in html  # the QR code is drawn here, inline; no outside service
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert client.get(SETUP).content.decode().count(page.context["secret"]) == 1  # the same secret on reload

    wrong = client.post(SETUP, {"token": "000000" if code_for(device) != "000000" else "111111", "next": STAFF_PAGE})
    assert wrong.status_code == 400
    assert "验证码不正确或已过期。请输入认证器应用当前显示的 6 位数字（手机时间须准确）。" in wrong.content.decode()

    code = f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"  # what the phone shows
    response = client.post(SETUP, {"token": code, "next": STAFF_PAGE})
    assert response["Location"] == reverse("accounts:2fa_recovery_codes") + "?next=%2Fstaff%2Fcycles%2F"
    device.refresh_from_db()
    assert device.confirmed is True
    shown = client.get(response["Location"])
    codes = re.findall(r'<li class="list-group-item">([a-z2-7]{8})</li>', shown.content.decode())
    assert len(codes) == 10 and sorted(codes) == sorted(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert shown["Cache-Control"] == "no-store"
    again = client.get(reverse("accounts:2fa_recovery_codes"))
    assert again["Location"] == reverse("accounts:security")  # shown once
    assert client.get(STAFF_PAGE).status_code == 200  # the enrolling session is verified
    assert actions(staff) == ["account.2fa_enrol"]
    log = ActivityLog.objects.get(action="account.2fa_enrol")
    assert (log.actor, log.organiser.code, log.after) == (staff, "changning", {"device": "totp", "recovery_codes": 10})


def test_enrolled_user_cannot_enrol_a_second_authenticator_without_verifying(enforced, client, staff):
    enrol(staff)
    client.force_login(staff)
    response = client.get(SETUP)
    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert TOTPDevice.objects.filter(user=staff).count() == 1


# --- verification ----------------------------------------------------------------------------


def test_verify_with_a_real_code_and_wrong_code_refused_in_chinese(enforced, client, staff):
    device, _codes = enrol(staff)
    response = log_in(client, "cn-office", next_url=STAFF_PAGE)
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2Fcycles%2F"
    wrong = client.post(VERIFY, {"token": "12345" if code_for(device) != "12345" else "54321", "next": STAFF_PAGE})
    assert wrong.status_code == 400
    assert "验证码不正确或已过期。请输入认证器应用当前显示的 6 位数字，或一个未使用过的恢复码。" in wrong.content.decode()
    assert client.get(STAFF_PAGE).status_code == 302
    before = client.session.session_key
    response = client.post(VERIFY, {"token": code_for(device), "next": STAFF_PAGE})
    assert response["Location"] == STAFF_PAGE
    assert client.session.session_key != before  # a new session id once fully signed in
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_code_is_accepted_once(enforced, client, staff):
    device, _codes = enrol(staff)
    code = code_for(device)
    log_in(client, "cn-office")
    assert client.post(VERIFY, {"token": code})["Location"] == "/"
    other = client.__class__()
    log_in(other, "cn-office")
    replay = other.post(VERIFY, {"token": code})
    assert replay.status_code == 400  # replayed: refused


def test_wrong_codes_slow_down_further_tries(enforced, client, staff):
    enforced.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _codes = enrol(staff)
    log_in(client, "cn-office")
    client.post(VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"})
    response = client.post(VERIFY, {"token": code_for(device)})  # right, but too soon after a wrong one
    assert response.status_code == 400
    assert re.search(r"尝试过于频繁，请 \d+ 秒后再试。", response.content.decode())


def test_english_interface_messages(enforced, client, staff):
    enrol(staff)
    staff.preferred_language = "en"
    staff.save()
    log_in(client, "cn-office")
    response = client.post(VERIFY, {"token": "abc"})
    assert "The code is wrong or has expired." in response.content.decode()


def test_next_must_stay_on_this_site(enforced, client, staff):
    device, _codes = enrol(staff)
    log_in(client, "cn-office")
    response = client.post(VERIFY, {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get(VERIFY, {"next": "'' OR '1'='1"})["Location"] == "/"  # not a path: not taken for a view name either


# --- recovery codes --------------------------------------------------------------------------


def test_recovery_code_works_once(enforced, client, staff):
    _device, codes = enrol(staff)
    log_in(client, "cn-office")
    response = client.post(VERIFY, {"token": codes[0].upper()[:4] + "-" + codes[0].upper()[4:]}, follow=True)
    assert response.redirect_chain[0][0] == "/"
    assert "您使用了一个恢复码，还剩 9 个。" in response.content.decode()
    assert client.get(STAFF_PAGE).status_code == 200
    other = client.__class__()
    log_in(other, "cn-office")
    assert other.post(VERIFY, {"token": codes[0]}).status_code == 400  # used up
    assert other.post(VERIFY, {"token": codes[1]})["Location"] == "/"
    assert twofactor.recovery_codes_left(staff) == 8
    assert actions(staff) == ["account.2fa_recovery_code_used", "account.2fa_recovery_code_used"]


def test_recovery_codes_regenerated_on_the_security_page(enforced, client, staff):
    device, old = enrol(staff)
    log_in(client, "cn-office")
    client.post(VERIFY, {"token": code_for(device)})
    assert "剩余恢复码：10 个。" in client.get(reverse("accounts:security")).content.decode()
    response = client.post(reverse("accounts:security"), {"action": "regenerate"})
    assert response["Location"].startswith(reverse("accounts:2fa_recovery_codes"))
    new = re.findall(r'<li class="list-group-item">([a-z2-7]{8})</li>', client.get(response["Location"]).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    other = client.__class__()
    log_in(other, "cn-office")
    assert other.post(VERIFY, {"token": old[0]}).status_code == 400
    assert other.post(VERIFY, {"token": new[0]})["Location"] == "/"
    assert actions(staff)[0] == "account.2fa_recovery_codes_regenerated"


def test_unverified_session_cannot_regenerate_recovery_codes(enforced, client, staff):
    enrol(staff)
    log_in(client, "cn-office")
    response = client.post(reverse("accounts:security"), {"action": "regenerate"})
    assert response["Location"].startswith(VERIFY)
    assert actions(staff) == []


# --- the Django admin ------------------------------------------------------------------------


def test_admin_login_requires_the_second_factor(enforced, client, make_user):
    make_user("root", is_superuser=True, is_staff=True, password=PASSWORD)
    response = client.post(reverse("admin:login") + "?next=/admin/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    assert client.get("/admin/accounts/user/")["Location"].startswith(SETUP)
    assert client.get(reverse("admin:login"))["Location"].startswith(SETUP)


def test_admin_after_verification(enforced, client, make_user):
    root = make_user("root", is_superuser=True, is_staff=True, password=PASSWORD)
    device, _codes = enrol(root)
    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.post(VERIFY, {"token": code_for(device), "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def _reset(client, users):
    return client.post(reverse("admin:accounts_user_changelist"),
                       {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]})


def test_superuser_resets_a_second_factor_from_the_admin(enforced, client, make_user, staff):
    root = make_user("root", is_superuser=True, is_staff=True, password=PASSWORD)
    root_device, _codes = enrol(root)
    enrol(staff)
    log_in(client, "root")
    client.post(VERIFY, {"token": code_for(root_device)})
    assert _reset(client, [staff]).status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists() and twofactor.recovery_codes_left(staff) == 0
    log = ActivityLog.objects.get(action="account.2fa_reset")
    assert (log.actor, log.target_id, log.before, log.after) == (root, str(staff.pk), {"authenticator": True, "recovery_codes": 10},
                                                                  {"authenticator": False, "recovery_codes": 0})
    staff_client = client.__class__()
    assert log_in(staff_client, "cn-office")["Location"] == f"{SETUP}?next=%2Fstaff%2Fcycles%2F"  # enrols again, then the cycles


def test_reset_ends_verification_of_open_sessions(enforced, client, make_user, staff):
    device, _codes = enrol(staff)
    log_in(client, "cn-office")
    client.post(VERIFY, {"token": code_for(device)})
    assert client.get(STAFF_PAGE).status_code == 200
    twofactor.reset_second_factor(user=staff, actor=None)
    response = client.get(STAFF_PAGE, follow=True)
    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2Fstaff%2Fcycles%2F"


def test_programme_admin_resets_own_district_only(client, make_user, organisers, staff):
    cn_admin = make_user("cn-admin", roles=[(Role.ADMIN, organisers["changning"])], is_staff=True)
    xh_staff = make_user("xh-office", roles=[(Role.STAFF, organisers["xuhui"])], is_staff=True)
    enrol(staff)
    enrol(xh_staff)
    client.force_login(cn_admin)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert listing.status_code == 200
    assert "cn-office" in listing.content.decode() and "xh-office" not in listing.content.decode()
    _reset(client, [staff, xh_staff])
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert TOTPDevice.objects.filter(user=xh_staff).exists()
    log = ActivityLog.objects.get(action="account.2fa_reset")
    assert (log.actor, log.organiser) == (cn_admin, organisers["changning"])
    assert client.get(reverse("admin:accounts_user_change", args=[xh_staff.pk])).status_code in (302, 403, 404)


def test_staff_and_applicants_cannot_reset(client, make_user, staff):
    applicant = make_user("applicant", roles=[(Role.APPLICANT, None)])
    enrol(applicant)
    client.force_login(staff)
    response = _reset(client, [applicant])
    assert response.status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=applicant).exists()


# --- deployment and demo ---------------------------------------------------------------------


def test_check_deploy_fails_when_the_second_factor_is_off_in_production():
    result = _manage("check", "--deploy", DJANGO_SETTINGS_MODULE="config.settings.production", PORTAL_REQUIRE_2FA="false",
                     DJANGO_SECRET_KEY="q3JvX9kL0pT7wZ2mN5bC8dF1gH4jK6lS9aE2rY7uI0oP3sD6fG", DJANGO_ALLOWED_HOSTS="awards.example.gov.cn")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr + result.stdout


def test_demo_totp_prints_the_current_code_and_refuses_without_debug(settings, make_user, capsys):
    from accounts.demo import ensure_demo_authenticator

    user = make_user("cn-staff")
    device = ensure_demo_authenticator(user)
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("demo_totp", "cn-staff")
    settings.DEBUG = True
    call_command("demo_totp", "CN-STAFF")
    printed = capsys.readouterr().out.strip()
    assert printed in {code_for(device, steps_ahead=-1), code_for(device), code_for(device, steps_ahead=1)}
    assert device.bin_key == b"demo-award-portal-26"
