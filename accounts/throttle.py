"""Fixed-window counters in the shared cache: failed logins per network, reset and sign-up e-mails.

The cache is shared by every web process when Redis is configured (DJANGO_CACHE_URL or the broker);
keys hold a SHA-256 of the address or e-mail, never the value itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.http import client_ip


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int


def _limit(name: str) -> Limit:
    count, seconds = settings.PORTAL_THROTTLES[name]
    return Limit(name, int(count), int(seconds))


def _key(limit: Limit, value: str) -> str:
    digest = hashlib.sha256(f"{limit.scope}:{value}".encode()).hexdigest()[:32]
    return f"throttle:{limit.scope}:{digest}"


def used(name: str, value: str | None) -> int:
    if not value:
        return 0
    return int(cache.get(_key(_limit(name), value), 0))


def exceeded(name: str, value: str | None) -> bool:
    """True once `value` has used up its allowance in the current window (does not count)."""
    return bool(value) and used(name, value) >= _limit(name).count


def hit(name: str, value: str | None) -> bool:
    """Count one use; True if this use is over the allowance (the caller refuses it)."""
    if not value:
        return False
    limit = _limit(name)
    key = _key(limit, value)
    if cache.add(key, 1, timeout=limit.seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.seconds)
            count = 1
    return count > limit.count


def network(request) -> str | None:
    return client_ip(request) if request is not None else None
