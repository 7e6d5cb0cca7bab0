"""Single sign-on with OpenID Connect against a real OpenID provider the test starts: panva's
node-oidc-provider (npm `oidc-provider`, tests/accounts/oidc_provider/). The portal runs the code
flow with PKCE, state and nonce, checks the ID token's signature against the provider's JWKS and
reads the userinfo endpoint; the browser's part (the provider's login form) is played by requests.
Skipped with a reason when node or the package cannot be had; under CI=true that is a failure."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.urls import reverse

from accounts.models import Role, User

from .conftest import code_for, enrol

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_SECRET = "test-client-secret-for-the-local-provider"  # nosec B105 - a throwaway provider on loopback
CALLBACK = "http://testserver/accounts/oidc/callback/"
ACCOUNTS = {
    "zhang.office": {"email": "cn-sso@example.test", "email_verified": True, "name": "张办公"},
    "li.applicant": {"email": "li@example.test", "email_verified": True, "name": "李申报"},
    "unverified": {"email": "cn-sso@example.test", "email_verified": False, "name": "冒名"},
    "stranger": {"email": "nobody@example.test", "email_verified": True, "name": "陌生人"},
}


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}, and CI=true requires the OpenID Connect test to run.")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node/npm not found: the OpenID provider (npm oidc-provider) cannot run")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, capture_output=True, text=True, timeout=300)
        if installed.returncode != 0:
            _unavailable(f"npm ci of oidc-provider failed: {installed.stderr.strip()[-300:]}")
    port = _free_port()
    env = {**os.environ, "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS), "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET}
    process = subprocess.Popen([node, "provider.mjs", str(port), CALLBACK], cwd=PROVIDER_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).json()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.poll() is not None else ""
                    pytest.fail(f"the OpenID provider did not start: {output[-500:]}")
                time.sleep(0.2)
        yield discovery
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def oidc(settings, provider):
    settings.PORTAL_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "award-portal"
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
    return settings


def sign_in_at_provider(client, login: str, next_url: str | None = None):
    """The portal sends the browser to the provider; the person signs in there; the provider sends
    the browser back to the portal's callback, which answers (returned)."""
    start = client.get(reverse("accounts:oidc_login") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize = start["Location"]
    params = parse_qs(urlparse(authorize).query)
    assert params["code_challenge_method"] == ["S256"] and params["redirect_uri"] == [CALLBACK]
    assert set(params) >= {"state", "nonce", "code_challenge"}
    browser = requests.Session()
    response = browser.get(authorize, allow_redirects=False, timeout=10)
    for _ in range(10):
        location = response.headers.get("Location", "")
        if location.startswith(CALLBACK):
            return client.get(location.removeprefix("http://testserver"))
        if response.is_redirect:
            response = browser.get(urljoin(response.url, location), allow_redirects=False, timeout=10)
            continue
        assert 'name="login"' in response.text, response.text[:500]  # the provider's login form
        form_action = response.url  # the form posts back to the interaction URL
        response = browser.post(form_action, data={"prompt": "login", "login": login, "password": "any"}, allow_redirects=False, timeout=10)
    pytest.fail("the provider never sent the browser back to the portal")


@pytest.mark.django_db
def test_staff_signs_in_through_the_provider_then_passes_the_second_factor(oidc, client, make_user, organisers):
    oidc.PORTAL_REQUIRE_2FA = True
    oidc.OTP_TOTP_THROTTLE_FACTOR = 0
    staff = make_user("cn-sso", email="cn-sso@example.test", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)
    device, _codes = enrol(staff)
    response = sign_in_at_provider(client, "zhang.office", next_url="/staff/cycles/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:2fa_verify") + "?next=%2Fstaff%2Fcycles%2F"  # the provider replaces the password only
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.get("/staff/cycles/").status_code == 302
    assert client.post(reverse("accounts:2fa_verify"), {"token": code_for(device), "next": "/staff/cycles/"})["Location"] == "/staff/cycles/"
    assert client.get("/staff/cycles/").status_code == 200


@pytest.mark.django_db
def test_applicant_signs_in_through_the_provider(oidc, client, make_user):
    applicant = make_user("li", email="LI@example.test", roles=[(Role.APPLICANT, None)])
    response = sign_in_at_provider(client, "li.applicant")
    assert response["Location"] == "/applications/"  # the applicant's own home, as after a password
    assert int(client.session["_auth_user_id"]) == applicant.pk


@pytest.mark.django_db
def test_unverified_email_at_the_provider_signs_in_nobody(oidc, client, make_user, organisers):
    make_user("cn-sso", email="cn-sso@example.test", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)
    response = sign_in_at_provider(client, "unverified")
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "统一身份认证登录未成功" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_unknown_identity_creates_no_account_by_default(oidc, client):
    response = sign_in_at_provider(client, "stranger")
    assert response["Location"] == "/accounts/login/"
    assert not User.objects.filter(email="nobody@example.test").exists()


@pytest.mark.django_db
def test_unknown_identity_gets_an_applicant_account_when_configured(oidc, client):
    oidc.OIDC_CREATE_USER = True
    response = sign_in_at_provider(client, "stranger")
    assert response["Location"] == "/applications/"
    user = User.objects.get(email="nobody@example.test")
    assert (user.full_name, user.email_verified, user.has_usable_password()) == ("陌生人", True, False)
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.APPLICANT]


@pytest.mark.django_db
def test_a_forged_callback_signs_in_nobody(oidc, client, make_user):
    make_user("li", email="li@example.test")
    client.get(reverse("accounts:oidc_login"))
    response = client.get(reverse("accounts:oidc_callback"), {"code": "forged", "state": "not-ours"})
    assert response.status_code == 400  # SuspiciousOperation: the state is not this session's
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_on_pages_do_not_exist_when_off(client):
    assert client.get(reverse("accounts:oidc_login")).status_code == 404
    assert client.get(reverse("accounts:oidc_callback")).status_code == 404
    assert "统一身份认证登录" not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_login_page_offers_the_provider_when_on(oidc, client):
    page = client.get(reverse("accounts:login") + "?next=/staff/cycles/").content.decode()
    assert 'href="/accounts/oidc/login/?next=/staff/cycles/"' in page and "统一身份认证登录" in page
