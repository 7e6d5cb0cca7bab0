"""How long a failed background job waits before its next attempt (documents, exports)."""

from __future__ import annotations

import random

from django.conf import settings

RETRY_BACKOFF_SECONDS = getattr(settings, "DOCUMENTS_RETRY_BACKOFF_SECONDS", 5)
RETRY_BACKOFF_MAX_SECONDS = 300


def backoff(retries: int) -> float:
    """5 s, 10 s, 20 s … (capped), with jitter so that failed batches do not retry in step."""
    delay = min(RETRY_BACKOFF_SECONDS * 2**retries, RETRY_BACKOFF_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2)  # nosec B311 - retry jitter, not security
