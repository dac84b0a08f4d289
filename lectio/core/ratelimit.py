"""Token buckets in the cache, for anything that must not happen too often per caller
(API requests, outbound fetches). With the default per-process cache each server
process keeps its own buckets; a shared cache (LECTIO_CACHE_BACKEND) makes a limit
institution-wide. Wall-clock time, so processes sharing a cache agree."""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def take(bucket: str, *, rate: float, burst: float) -> float | None:
    """Takes one token from `bucket` (refilled at `rate` a second, holding at most
    `burst`); None when the action may go ahead, otherwise the seconds until a token
    is free (at least 1, as Retry-After wants whole seconds)."""
    key = f"ratelimit:{bucket}"
    now = time.time()
    tokens, at = cache.get(key, (burst, now))
    tokens = min(burst, tokens + max(0.0, now - at) * rate)
    expires = int(burst / rate) + 60
    if tokens < 1:
        cache.set(key, (tokens, now), timeout=expires)
        return float(max(1, math.ceil((1 - tokens) / rate)))
    cache.set(key, (tokens - 1, now), timeout=expires)
    return None
