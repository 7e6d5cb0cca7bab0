"""Request helpers shared by every app."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address. Behind N trusted proxies (PORTAL_TRUSTED_PROXY_COUNT) it is the N-th
    address from the right of X-Forwarded-For; spoofed entries further left are ignored."""
    proxies = getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
