"""The staff pages of a cycle and the expert's pages on a 390 px phone, in English (the longest labels): nothing runs
off the side of the screen (wide tables scroll inside their box), and the expert reads the configured English names
of stages, categories and rubric items."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews import services
from tests.browser.conftest import log_in, open_page
from tests.reviews.conftest import cn_cycle, make_application, make_expert, open_cycles  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-123"  # nosec B105 - test users' password (tests/conftest.py)


def _phone_in_english(browser, live_server):
    return open_page(browser, live_server, width=390, height=844, locale="en-GB")


def _english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _overflow(page, path: str) -> int:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_staff_and_expert_pages_fit_a_390px_phone_in_english(browser, _private_media_for_live_server, live_server,
                                                             cn_cycle, cn_staff, make_application, make_expert):  # noqa: F811
    app = make_application(cn_cycle, stage="material-review", staff=cn_staff, name="手机页面示例有限公司")
    expert = make_expert(username="phone-expert", name="手机专家")
    stage = cn_cycle.stages.get(code="material-review")
    services.assign_expert(stage=stage, application=app, expert=expert, actor=cn_staff)
    services.declare_conflict(expert=expert, application=app, has_conflict=False, reason="", actor=expert.user)
    code = cn_cycle.code

    staff = _phone_in_english(browser, live_server)
    log_in(staff, "cn-staff", PASSWORD)
    _english(staff, live_server)
    paths = [
        reverse("awards:cycle_list"),
        reverse("awards:cycle_overview", args=[code]),
        reverse("reviews:staff_application", args=[code, app.pk]),
        reverse("reviews:stage_detail", args=[code, "material-review"]),
        reverse("reviews:calibration", args=[code, "material-review"]),
        reverse("reviews:recommendations", args=[code]),
        reverse("reviews:approval", args=[code]),
        reverse("reviews:dashboard", args=[code]),
    ]
    overflowing = {path: extra for path in paths if (extra := _overflow(staff, path)) > 0}
    assert overflowing == {}, overflowing
    staff.goto(reverse("awards:cycle_overview", args=[code]))
    assert stage.name_en and staff.locator(".cycle-stages").get_by_text(stage.name_en, exact=True).count() == 1

    phone = _phone_in_english(browser, live_server)
    log_in(phone, "phone-expert", PASSWORD)
    _english(phone, live_server)
    assert _overflow(phone, reverse("reviews:expert_home")) == 0
    todo = phone.locator("#todo + .table-responsive tbody tr").first
    assert stage.name_en in todo.inner_text() and app.category.name_en in todo.inner_text()
    assert todo.locator(".btn").bounding_box()["height"] < 40  # the button's label on one line, not a character a line
    assert _overflow(phone, reverse("reviews:expert_scoresheet", args=[app.pk, "material-review"])) == 0
    assert phone.locator("h1").inner_text().startswith(stage.name_en)
    assert phone.locator(".criterion-name").first.inner_text().strip() == "4.1.1 Role of senior leaders"  # GB/T 19580 name_en
    assert staff.js_errors == [] and phone.js_errors == []
