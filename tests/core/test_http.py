from django.test import RequestFactory, override_settings

from core.http import client_ip


def test_remote_addr_without_trusted_proxies():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.5"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_forwarded_address_from_one_trusted_proxy_ignores_spoofed_entries():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
