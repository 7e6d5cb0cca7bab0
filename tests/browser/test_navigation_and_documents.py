"""Navigation and documents in a real browser: the 公示 found from the home page, the applicant's stage
stepper, each role's own home after signing in; a document asked for returns at once and its row goes
to 已完成 without a reload, and a kind whose data is not ready is disabled with its reason."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from accounts.models import Role
from reviews.models import Publicity
from tests.browser.conftest import JOURNEY_ARTIFACTS, log_in
from tests.documents.factories import make_winners
from tests.reviews.conftest import cn_cycle, make_application, open_cycles  # noqa: F401 - fixtures

PASSWORD = "pw-for-tests-123"
SHOTS = JOURNEY_ARTIFACTS.parent / "h13b"


def shoot(page, name: str) -> None:
    """Desktop and 390 px screenshots of the page as it is (test-artifacts/h13b/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(size)


@pytest.mark.django_db(transaction=True)
def test_the_public_finds_the_publicity_from_the_home_page(page, cn_cycle, make_user):  # noqa: F811
    staff = make_user("publisher", roles=[(Role.STAFF, cn_cycle.programme.organiser)])
    today = timezone.localdate()
    Publicity.objects.create(cycle=cn_cycle, stage=cn_cycle.stages.get(kind="publicity"), title="长宁区政府质量奖拟表彰对象公示",
                             notice="现将拟表彰对象予以公示。", start_date=today, end_date=today + datetime.timedelta(days=6),
                             span=5, unit="working_days", published_by=staff)
    page.goto("/")
    link = page.locator("[data-role=publicity-link]", has_text="长宁区政府质量奖拟表彰对象公示")
    assert link.is_visible()
    shoot(page, "home")
    link.click()
    page.wait_for_url(f"**/publicity/{cn_cycle.code}/")
    assert "长宁区政府质量奖拟表彰对象公示" in page.inner_text("main")
    page.goto(f"/calls/{cn_cycle.code}/")
    assert page.locator("[data-role=call-publicity] a", has_text="查看公示").is_visible()
    shoot(page, "call")
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_applicant_sees_where_the_application_is(page, cn_cycle, make_application, make_user, organisers):  # noqa: F811
    staff = make_user("office", roles=[(Role.STAFF, organisers["changning"])])
    application = make_application(cn_cycle, stage="presentation", staff=staff)
    log_in(page, application.applicant.username, PASSWORD)
    assert page.url.endswith("/applications/")  # an applicant lands on their dashboard
    page.goto(f"/applications/{application.pk}/")
    stepper = page.locator("[data-role=stepper]")
    assert stepper.is_visible()
    current = stepper.locator("[aria-current=step]")
    assert current.count() == 1 and "陈述答辩" in current.inner_text()
    assert stepper.locator(".stage-step-done").count() == 1 + [s.code for s in cn_cycle.stages.order_by("order")].index("presentation")
    shoot(page, "applicant-stepper")
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role, home", [(Role.RECOMMENDER, "/applications/nominations/"), (Role.EXPERT, "/reviews/expert/"),
                                        (Role.STAFF, "/staff/cycles/")])
def test_each_role_lands_on_its_own_home(page, make_user, organisers, role, home):
    user = make_user(f"{role}-user", roles=[(role, organisers["changning"])])
    log_in(page, user.username, PASSWORD)  # staff and experts pass their second factor on the way
    assert page.url.endswith(home), page.url


@pytest.mark.django_db(transaction=True)
def test_generating_a_document_returns_at_once_and_the_panel_follows_it(page, cn_cycle, make_user, organisers):  # noqa: F811
    staff = make_user("office", roles=[(Role.STAFF, organisers["changning"])])
    log_in(page, staff.username, PASSWORD)
    page.goto(f"/staff/cycles/{cn_cycle.code}/")
    panel = page.locator("[data-document-panel]").first
    # Not ready yet: offered disabled, with the reason the service would refuse with.
    blocked = panel.locator("button[data-kind=award_decision]")
    assert blocked.is_disabled()
    reason = panel.locator(".document-not-ready[data-kind=award_decision] [data-role=not-ready]").inner_text()
    assert reason == f"“{cn_cycle.programme.name}（{cn_cycle.name}）”尚未记录批准表彰，不能生成该文书。"
    url = page.url
    started = time.monotonic()
    with page.expect_response(lambda r: r.url.endswith("/documents/request/")) as answer:
        panel.locator("button[data-kind=work_plan]").click()
    returned = time.monotonic() - started
    assert answer.value.status == 202
    assert returned < 2.0, f"the request took {returned:.1f} s"
    row = panel.locator("tr[data-document]").first
    row.locator("[data-role=status]").wait_for()
    assert row.get_attribute("data-status") in ("queued", "running")  # still rendering: the page did not wait
    shoot(page, "documents-panel-queued")
    row.locator("[data-role=status]:has-text('已完成')").wait_for(timeout=90000)
    assert page.url == url  # no reload, no navigation
    assert row.locator("a:has-text('下载')").get_attribute("href").endswith("/download/")
    assert "工作方案" in row.locator("[data-role=title]").inner_text()
    shoot(page, "documents-panel-done")
    assert page.js_errors == []


@pytest.mark.django_db(transaction=True)
def test_a_certificate_batch_shows_its_progress_then_done(page, cn_cycle, make_user, organisers):  # noqa: F811
    make_winners(cn_cycle, per_category=2)
    staff = make_user("office", roles=[(Role.STAFF, organisers["changning"])])
    log_in(page, staff.username, PASSWORD)
    page.goto(f"/staff/cycles/{cn_cycle.code}/awards/")
    panel = page.locator("[data-document-panel]").first
    panel.locator("button[data-kind=certificate_batch]").click()
    row = panel.locator("tr[data-document]").first
    progress = row.locator("[data-role=progress]")
    figures = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and row.get_attribute("data-status") != "done":
        text = progress.inner_text().strip()
        if text:
            figures.add(text)
        page.wait_for_timeout(50)
    assert row.get_attribute("data-status") == "done"
    # The batch recorded its progress part by part (the status endpoint serves it); a fast machine may
    # finish between two polls, so the figures seen on the page are checked only for what they say.
    from documents.models import Document

    document = Document.objects.get(kind="certificate_batch", cycle=cn_cycle)
    assert (document.progress_done, document.progress_total) == (8, 8)
    assert all(f.endswith(" / 8") for f in figures), figures
    assert progress.inner_text() == ""
    assert page.js_errors == []
