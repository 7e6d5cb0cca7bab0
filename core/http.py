"""Request helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
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


def error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def run_action(request, action: Callable[[], Any], success: str | Callable[[Any], str], *, form=None, invalid: str = "",
               errors: tuple[type[Exception], ...] = (ValidationError,)) -> bool:
    """One posted action of a page: when `form` (if any) is valid, call the service through `action()` and
    show `success` (a text, or a function of what the service returned); otherwise show why not: `invalid` or
    the form's errors, or the text of the service's refusal (one of `errors`). True when the service ran."""
    if form is not None and not form.is_valid():
        messages.error(request, invalid or error_text(ValidationError(form.errors)))
        return False
    try:
        result = action()
    except errors as exc:
        messages.error(request, error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
