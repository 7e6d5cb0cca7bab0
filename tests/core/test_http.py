import pytest
from django.test import RequestFactory, override_settings

from core.http import client_ip, safe_next_url


def test_remote_addr_without_trusted_proxies():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.5"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_forwarded_address_from_one_trusted_proxy_ignores_spoofed_entries():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


@pytest.mark.parametrize("target", ["/applications/", "/reviews/staff/x/?page=2#rows"])
def test_next_that_is_a_path_on_this_site_is_followed(target):
    assert safe_next_url(RequestFactory().get("/", {"next": target}), "/home/") == target


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example/", "https://evil.example/", "http://testserver/", "applications:dashboard", "dashboard", ""],
)
def test_next_to_another_host_a_scheme_or_a_url_name_falls_back(target):
    assert safe_next_url(RequestFactory().get("/", {"next": target}), "/home/") == "/home/"


def test_posted_next_wins_over_the_query_string():
    request = RequestFactory().post("/?next=/from-query/", {"next": "/from-form/"})
    assert safe_next_url(request) == "/from-form/"
