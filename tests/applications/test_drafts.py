"""Drafts never lose work: optimistic locking refuses a stale save and keeps what the user typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import Application


@pytest.mark.django_db
def test_stale_save_is_refused_and_the_typed_text_is_shown_again(make_org_draft, applicant, client):
    application = make_org_draft()
    client.force_login(applicant)
    url = reverse("applications:edit", args=[application.pk])
    # Tab 1 and tab 2 both opened the form at version 1; tab 2 saves first.
    assert client.post(url, {"version": "1", "overview": "第二个窗口保存的概述"}).status_code == 302
    mine = "第一个窗口里花了一小时写的概述，不能丢。"
    response = client.post(url, {"version": "1", "overview": mine})
    page = response.content.decode()
    assert response.status_code == 409
    assert "保存未成功：此申报已在其他窗口或由其他人于" in page
    assert mine in page  # the user's text is back in the form
    assert "第二个窗口保存的概述" in page  # and the other save is shown for comparison
    application.refresh_from_db()
    assert (application.version, application.form_data["overview"]) == (2, "第二个窗口保存的概述")
    # The re-displayed form carries the current version: saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in page
    assert client.post(url, {"version": "2", "overview": mine}).status_code == 302
    application.refresh_from_db()
    assert (application.version, application.form_data["overview"]) == (3, mine)


@pytest.mark.django_db
def test_overlong_overview_is_refused_with_the_count_and_kept(make_org_draft, applicant, client):
    application = make_org_draft()
    client.force_login(applicant)
    text = "质" * 3001
    response = client.post(reverse("applications:edit", args=[application.pk]), {"version": "1", "overview": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "当前 3001 字，超过 3000 字上限，请删减 1 字。" in page
    assert text in page
    assert Application.objects.get(pk=application.pk).version == 1


@pytest.mark.django_db
def test_3000_characters_with_line_breaks_are_accepted(make_org_draft, applicant, client):
    application = make_org_draft()
    client.force_login(applicant)
    text = "\r\n".join(["质" * 299 + "。"] * 10)  # 3000 characters + 9 line breaks sent as \r\n
    text = text[: -9]  # 2991 characters + 9 line breaks = 3000 as people count them
    response = client.post(reverse("applications:edit", args=[application.pk]), {"version": "1", "overview": text})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).form_data["overview"] == text.replace("\r\n", "\n")
