"""E-mails are plain text (no HTML entities) and the sender is named in the reader's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from core.mail import render_plain, sender
from core.services import notify


def test_sender_is_named_in_the_readers_language(settings):
    settings.DEFAULT_FROM_EMAIL = "评审办公室 <awards@example.test>"
    assert sender("en") == "Review office <awards@example.test>"
    assert "awards@example.test" in sender("zh-hans") and "Review office" not in sender("zh-hans")


def test_plain_text_templates_keep_quotes_and_apostrophes():
    with translation.override("en"):
        body = render_plain("emails/application_withdrawn.txt", {
            "recipient": type("R", (), {"display_name": "O'Brien"})(),
            "application": type("A", (), {"number": "HQ-1", "cycle": type("C", (), {"programme": type("P", (), {"display_name": 'Changning "Hongqiao Friendship Award"'})()})()})(),
        })
    assert 'Changning "Hongqiao Friendship Award"' in body and "O'Brien" in body
    assert "&quot;" not in body and "&#x27;" not in body


@pytest.mark.django_db
def test_a_notification_to_an_english_reader_is_plain_text_from_an_english_sender(make_user):
    user = make_user("anna", preferred_language="en", full_name="Anna O'Neil")
    notify(recipient=user, event="test", template="accounts/emails/verify_email.txt", context={"user": user, "link": "http://x/?a=1&b=2"})
    from django.db import connection

    for callback in list(connection.run_on_commit):
        callback[1]()
    message = mail.outbox[-1]
    assert "O'Neil" in message.body and "a=1&b=2" in message.body and "&amp;" not in message.body
    assert message.from_email.startswith("Review office <")


@pytest.mark.django_db
def test_the_password_reset_mail_is_plain_text(client, make_user):
    make_user("obrien", full_name="Seán O'Brien", email="obrien@example.test")
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/password/reset/", {"email": "obrien@example.test"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert "O'Brien" in message.body and "&#x27;" not in message.body
    assert message.from_email.startswith("Review office <")
