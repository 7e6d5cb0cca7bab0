"""Accessibility: axe-core finds no critical or serious violation on the main page of each role.

The pages are those of the demo (`seed_demo`: every role, applications in every state — an
overdue supplement request in the queue, scored sheets, a 公示 open now), as a person sees them in
Chromium; axe-core runs in the page under the portal's Content Security Policy.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from reviews.models import Assignment
from tests.browser.conftest import axe_violations, log_in, snap

PASSWORD = "demo-pass-2026"  # nosec B105 - seed_demo's published local demo password
CYCLE = "demo-changning-quality"


def check(page, path: str, failures: dict) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    found = axe_violations(page)
    if found:
        failures[path] = found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_of_every_role_have_no_serious_accessibility_violation(actors, seeds, settings):
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))
    settings.DEBUG = False
    failures: dict[str, list] = {}

    public = actors("public")
    for path in ("/", f"/calls/{CYCLE}/", "/publicity/demo-changning-hongqiao/", "/accounts/login/", "/admin/login/"):
        check(public, path, failures)
    # The skip link is the first thing a keyboard reaches, and it leads to the page's content.
    public.goto("/")
    public.keyboard.press("Tab")
    assert public.evaluate("document.activeElement.getAttribute('href')") == "#content"
    snap(public, "a11y-skip-link-focused")

    applicant = actors("applicant")
    log_in(applicant, "org-applicant", PASSWORD)
    check(applicant, "/applications/", failures)
    draft = applicant.locator("main a[href^='/applications/'][href$='/edit/']").first.get_attribute("href")
    check(applicant, draft, failures)

    staff = actors("staff")
    log_in(staff, "cn-staff", PASSWORD)
    check(staff, f"/staff/cycles/{CYCLE}/applications/", failures)
    assert staff.locator("tr.table-warning").count() >= 1  # the overdue supplement row was on the page
    snap(staff, "a11y-staff-queue")
    check(staff, f"/staff/cycles/{CYCLE}/stages/material-review/", failures)
    check(staff, f"/staff/cycles/{CYCLE}/stages/material-review/ranking/?category=district-mode", failures)

    expert = actors("expert")
    log_in(expert, "cn-expert1", PASSWORD)
    check(expert, "/reviews/expert/", failures)
    assignment = Assignment.objects.filter(expert__user__username="cn-expert1", stage__code="material-review",
                                           application__cycle__code=CYCLE).select_related("application").first()
    check(expert, f"/reviews/expert/applications/{assignment.application_id}/score/material-review/", failures)

    if failures:
        import json

        from tests.browser.conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "a11y-violations.json").write_text(json.dumps(failures, ensure_ascii=False, indent=1))
    assert failures == {}, failures
    for page in (public, applicant, staff, expert):
        assert page.js_errors == []
