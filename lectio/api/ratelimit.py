"""Request rate limits for the APIs: a token bucket per caller (API key or session
user) in the cache. Over the limit, `hit` says how many seconds to wait, which the
API answers as 429 with `Retry-After`.

The default matches Alma's governance (25 requests a second per institution, here per
caller) with a burst of twice that. `LECTIO_API_RATE` (requests per second) and
`LECTIO_API_BURST` set them; a rate of 0 turns limiting off. With the default
per-process cache each server process keeps its own buckets; a shared cache
(LECTIO_CACHE_BACKEND) makes the limit institution-wide."""

from __future__ import annotations

from django.conf import settings

from lectio.core.ratelimit import take


def _limits() -> tuple[float, float]:
    rate = float(getattr(settings, "LECTIO_API_RATE", 25.0))
    burst = float(getattr(settings, "LECTIO_API_BURST", rate * 2))
    return rate, burst


def hit(bucket: str) -> float | None:
    """Takes one token from the caller's bucket; None when the request may go ahead,
    otherwise the seconds to wait."""
    rate, burst = _limits()
    if rate <= 0:
        return None
    return take(bucket, rate=rate, burst=burst)


def bucket_for(request: object) -> str:
    """The caller a request counts against: its API key, else its user, else its
    address."""
    api_key = getattr(request, "api_key", None)
    if api_key is not None:
        return f"key:{api_key.pk}"
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    meta = getattr(request, "META", {})
    return f"ip:{meta.get('REMOTE_ADDR', '')}"
