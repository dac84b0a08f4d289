"""Public keys of another party (an LMS, the identity provider), read from the key set
URL registered for it, never from a URL or key a token names.

A key set is cached; a key id not in the cached set triggers one fresh fetch (the
party rotated its keys), and such fetches are spaced by `refetch_seconds`, so forged
key ids cannot make Lectio hammer the key set URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import jwt
from django.core.cache import cache

from lectio.core import http_guard

log = logging.getLogger("lectio.core")

JWKS_TYPES = ("application/json", "application/jwk-set+json")

Fetch = Callable[..., http_guard.FetchResult]


class KeyUnavailable(Exception):
    """The key set could not be read."""


def key_set_read(
    url: str, fetch: Fetch, *, key_types: Sequence[str] = ("RSA",)
) -> dict[str, dict[str, Any]]:
    """The signing keys of the key set at `url`, by kid, of the given key types."""
    try:
        result = fetch(url, accept=JWKS_TYPES)
    except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
        raise KeyUnavailable(str(exc)) from exc
    if result.status != 200:
        raise KeyUnavailable(f"the key set URL answered {result.status}")
    try:
        document = json.loads(result.content)
        keys = document["keys"]
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyUnavailable("the key set is not a JSON Web Key Set") from exc
    found: dict[str, dict[str, Any]] = {}
    for jwk in keys if isinstance(keys, list) else []:
        if (
            isinstance(jwk, dict)
            and jwk.get("kty") in key_types
            and isinstance(jwk.get("kid"), str)
            and jwk.get("use", "sig") == "sig"
        ):
            found[jwk["kid"]] = jwk
    return found


def public_key(jwk: dict[str, Any]) -> Any | None:
    """The key object PyJWT verifies with, or None for an unusable key."""
    try:
        if jwk.get("kty") == "EC":
            return jwt.algorithms.ECAlgorithm.from_jwk(jwk)
        return jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
    except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
        return None


def key_for(
    *,
    cache_key: str,
    url: str,
    kid: str,
    fetch: Fetch,
    ttl: int = 3600,
    refetch_seconds: int = 10,
    key_types: Sequence[str] = ("RSA",),
    owner: str = "",
) -> Any | None:
    """Key `kid` of the key set at `url`, from the cache or a fetch; None when the
    key set has no such usable key (after one fresh fetch)."""
    keys: dict[str, dict[str, Any]] | None = cache.get(cache_key)
    if keys is None or kid not in keys:
        if (
            keys is not None
            and refetch_seconds > 0
            and not cache.add(f"{cache_key}:refetch", 1, refetch_seconds)
        ):
            log.warning(
                "%s: unknown key id %r (key set fetched moments ago)", owner or url, kid
            )
            return None
        keys = key_set_read(url, fetch, key_types=key_types)
        cache.set(cache_key, keys, ttl)
    jwk = keys.get(kid)
    if jwk is None:
        return None
    key = public_key(jwk)
    if key is None:
        log.warning("%s: key %r is not a usable key", owner or url, kid)
    return key
