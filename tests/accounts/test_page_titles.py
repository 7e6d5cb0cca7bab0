"""The sign-in pages state their title once (the view's `title`): the <title> and the heading agree, in both languages."""

import re

import pytest


@pytest.mark.parametrize("language, title", [("zh-hans", "登录"), ("en", "Sign in")])
def test_the_login_page_title_and_heading_agree(client, db, language, title):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert re.search(r"<title>(.*?) · ", html).group(1) == title
    assert re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1) == title
