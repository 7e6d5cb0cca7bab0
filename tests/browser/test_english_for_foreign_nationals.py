"""English end to end for a foreign national (虹桥友谊奖): the names of the recommending unit, the
organiser, its office, the district and the standard are English on the nominee's pages, and the
e-mails they get are correct plain text (no HTML entities) from a sender named in English.

Built by ORM/services (preconditions): the seed programmes and the demo 虹桥 cycle, a recommending
unit with its English name, the foreign applicant's account, profile and submitted application.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from applications.models import Application, PersonProfile, RecommendingUnit
from awards.demo import ensure_demo_cycles
from reviews.services import apply_transition
from tests.browser.conftest import log_in, snap

CYCLE = "demo-changning-hongqiao"
PASSWORD = "Foreign-Journey-2026"
CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\u3001\u3002]")
CHINESE_NAMES = ["长宁区商务委员会", "上海市长宁区人民政府", "长宁区", "长宁区政府", "评选表彰实施办法", "外事办公室", "评审办公室"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_foreign_nationals_pages_and_mails_are_english(actors, seeds, make_user, organisers):
    cycle = next(c for c in ensure_demo_cycles() if c.code == CYCLE)
    unit = RecommendingUnit.objects.create(organiser=organisers["changning"], name="长宁区商务委员会", kind="industry_department",
                                           name_en="Changning District Commission of Commerce")
    user = make_user("jean", roles=[(Role.APPLICANT, None)], password=PASSWORD, full_name="Jean Dupont",
                     email="jean@example.test", preferred_language="en")
    staff = make_user("hq-office", roles=[(Role.STAFF, organisers["changning"])], is_staff=True)
    person = PersonProfile.objects.create(owner=user, name="Jean Dupont", id_type="passport", id_number="C7K29X41", nationality="France",
                                          employer="Hongqiao Sino-French Cultural Centre", work_district="长宁区",
                                          district_work_since=datetime.date(2014, 3, 1))
    application = Application.objects.create(cycle=cycle, category=cycle.categories.first(), applicant=user, person=person, recommender=unit,
                                             criteria=[{"code": "1", "evidence": "Ten years of cultural exchange."}],
                                             form_data={"contribution": "Ten years of cultural exchange between Changning and Lyon."})
    apply_transition(application=application, name="submit", actor=user, extra={"number": "HQ-EN-1", "submitted_at": timezone.now()})
    apply_transition(application=application, name="start_review", actor=staff)

    page = actors("nominee", locale="en-US")
    log_in(page, "jean", PASSWORD)
    visited = {}
    for path in ("/", "/applications/", f"/applications/{application.pk}/", f"/applications/{application.pk}/receipt/",
                 f"/calls/{CYCLE}/", "/applications/profile/person/"):
        page.goto(path)
        text = page.inner_text("main")
        visited[path] = text
        assert not [name for name in CHINESE_NAMES if name in text], (path, [n for n in CHINESE_NAMES if n in text])
    assert "Changning District Commission of Commerce" in visited["/applications/"]
    assert "Changning District People's Government, Shanghai" in visited[f"/calls/{CYCLE}/"]
    assert "Implementing Measures of the Changning" in visited[f"/calls/{CYCLE}/"]  # the standard
    assert "Office of the Changning Joint Review Meeting" in visited[f"/calls/{CYCLE}/"]
    assert "Changning District" in visited["/"]
    snap(page, "english-profile")
    page.goto(f"/calls/{CYCLE}/")
    snap(page, "english-call-page")
    page.goto(f"/applications/{application.pk}/")
    snap(page, "english-application")
    # The language switch names each language in its own language.
    assert page.locator("select[name=language] option").all_inner_texts() == ["简体中文", "English"]
    assert page.js_errors == []

    to_jean = [m for m in mail.outbox if m.to == ["jean@example.test"]]
    assert len(to_jean) == 2  # received, accepted for review
    for message in to_jean:
        assert not re.search(r"&(quot|#x27|#39|amp|lt|gt);", message.body + message.subject), message.body
        assert message.from_email.startswith("Review office <"), message.from_email
        assert not CJK.search(message.subject + message.body), message.body
    assert 'Changning "Hongqiao Friendship Award"' in to_jean[-1].body
