"""Request helpers shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request) -> str | None:
    """The client's address. Behind N trusted proxies (PORTAL_TRUSTED_PROXY_COUNT) it is the N-th
    address from the right of X-Forwarded-For; spoofed entries further left are ignored."""
    proxies = getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def safe_next_url(request, fallback: str = "") -> str:
    """The request's `next` (posted, else in the query string) when it is a path on this site;
    otherwise `fallback`. Never another host (//evil, /\\evil), a scheme, a relative path or a URL
    name that redirect() would reverse."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
