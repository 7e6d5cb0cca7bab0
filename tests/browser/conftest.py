"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

Fixtures: `browser` (one Chromium per session), `page` (a fresh context per test; on failure a
full-page screenshot goes to test-artifacts/<test name>.png). Other apps' browser tests reuse them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it
# are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}, and CI=true requires it.")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _private_media_for_live_server():
    """MEDIA_URL is None (uploads are private), but the live server's media handler parses it and
    fails on None. A URL on another host makes the handler serve nothing, as in production."""
    from django.conf import settings

    previous = settings.MEDIA_URL
    settings.MEDIA_URL = "http://private-media.invalid/"
    yield
    settings.MEDIA_URL = previous


def open_page(browser, live_server, *, width: int = 1280, height: int = 1000, locale: str = "zh-CN",
              timeout: int = 20000, **options):
    """A page in a browser context of its own; its JavaScript errors are collected in `page.js_errors`.
    A viewport narrower than 500 px is a touch screen (a phone)."""
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": width, "height": height},
                                  has_touch=width < 500, **options)
    context.set_default_timeout(timeout)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


@pytest.fixture
def page(browser, _private_media_for_live_server, live_server, request):
    page = open_page(browser, live_server, timeout=15000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
            pass
    page.context.close()


# ---------------------------------------------------------------------------------------------
# Journeys (tests/browser/test_journey_*.py): several people, each in their own browser context.

JOURNEY_ARTIFACTS = ARTIFACTS / "journeys"


@pytest.fixture
def actors(browser, _private_media_for_live_server, live_server, request):
    """`open_as(name, locale=...)` gives a new page in its own browser context (own cookies: one
    person each — applicant, staff, each expert, the anonymous public). Confirmation dialogs
    (data-confirm) are accepted as a user would. On failure every person's page is saved to
    test-artifacts/<test>-<name>.png, so the screen each of them was looking at is kept."""
    opened: dict[str, object] = {}

    def open_as(name: str, *, locale: str = "zh-CN"):
        page = open_page(browser, live_server, locale=locale, accept_downloads=True)
        page.on("dialog", lambda dialog: dialog.accept())
        opened[name] = page
        return page

    yield open_as
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-120:]
        for name, page in opened.items():
            try:
                page.screenshot(path=str(ARTIFACTS / f"{stem}-{name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
                pass
    for page in opened.values():
        page.context.close()


def snap(page, name: str) -> None:
    """A screenshot of a step that went right, for the report (test-artifacts/journeys/<name>.png)."""
    JOURNEY_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEY_ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def _second_factor_enforced(settings):
    """The browser journeys run as in production: staff, experts and admins pass two-step
    verification on the real pages (log_in below enrols them or types the current code)."""
    settings.PORTAL_REQUIRE_2FA = True


def current_totp_code(device, *, at: float | None = None) -> str:
    """The code the user's authenticator shows, for a time step the device has not accepted yet
    (a code is accepted once; the device allows one step of clock drift either way)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    now = at if at is not None else time.time()
    step = int(now - device.t0) // device.step
    # The current step first: a code of the previous one may expire before a slow page submits it.
    wanted = max(step, device.last_t + 1)
    if wanted > step + 1:  # every acceptable step used already: wait for the next one
        time.sleep((wanted - 1) * device.step + device.t0 - now + 0.5)
        return current_totp_code(device)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + wanted * device.step + 1
    return f"{totp.token():0{device.digits}d}"


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows now for the base32 secret on the enrolment page."""
    import base64

    from django_otp.oath import totp

    secret = secret.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def pass_second_factor(page, username: str) -> None:
    """On the enrolment page: read the secret as a person types it into their app, confirm, keep
    the recovery codes. On the verification page: type the authenticator's current code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if "/accounts/2fa/setup/" in page.url:
        page.fill("#id_token", code_from_secret(page.inner_text("#totp-secret")))
        follow(page, "main input[type=submit]")
        assert "/accounts/2fa/recovery-codes/" in page.url, page.inner_text("main")
        assert page.locator("#recovery-codes li").count() == 10
        follow(page, "#recovery-codes-done")
    elif "/accounts/2fa/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_token", current_totp_code(device))
        follow(page, "main input[type=submit]")
    assert "/accounts/2fa/" not in page.url, page.inner_text("main")


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main input[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.inner_text("main")
    pass_second_factor(page, username)


def follow(page, selector: str, **kwargs) -> None:
    """Click a link or submit button and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        page.click(selector, **kwargs)


# ---------------------------------------------------------------------------------------------
# Accessibility: axe-core (the npm package, installed by scripts/setup.sh into node_modules/).

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__axe-core__/axe.min.js"


def axe_violations(page, *, impacts=("critical", "serious")) -> list[dict]:
    """Run axe-core on the page as it is and return the violations of the given impacts.

    The script is served to the page from its own origin (a Playwright route answers AXE_URL with
    the file), so it loads under the portal's Content Security Policy (script-src 'self'), which
    is left as it is; an inline script would be refused."""
    if not AXE_JS.exists():
        message = f"axe-core not installed at {AXE_JS}: run scripts/setup.sh (npm install)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not getattr(page, "_axe_routed", False):
        page.context.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
        page._axe_routed = True
    page.add_script_tag(url=AXE_URL)
    found = page.evaluate(
        """async (impacts) => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + ((n.any[0] || n.all[0] || {}).message || "")),
            }));
        }""",
        list(impacts),
    )
    return found
