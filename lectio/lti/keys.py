"""Keys: the tool's own (made on first need, kept in the database, published at
/lti/jwks) and each platform's (fetched from the platform's registered key set URL,
never from a URL or key a token names)."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from lectio.core import http_guard, jwks
from lectio.core.jwks import KeyUnavailable
from lectio.lti.models import Platform, ToolKey

log = logging.getLogger("lectio.lti")

__all__ = ["KeyUnavailable", "guarded_fetch", "platform_key", "tool_sign"]

# Tests give the guarded client a transport and a resolver of their own.
TRANSPORT: httpx.BaseTransport | None = None
RESOLVE: http_guard.Resolver = http_guard.system_resolve


def guarded_fetch(url: str, **options: Any) -> http_guard.FetchResult:
    """Every outbound LTI request goes through the guarded client."""
    options.setdefault(
        "timeout", float(getattr(settings, "LECTIO_LTI_FETCH_TIMEOUT", 5.0))
    )
    return http_guard.fetch(url, transport=TRANSPORT, resolve=RESOLVE, **options)


# --- the tool's keys ---------------------------------------------------------------


def tool_key_create() -> ToolKey:
    """A new signing key; older keys stay published until retired."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_urlsafe(16)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ToolKey.objects.create(kid=kid, private_pem=pem, public_jwk=jwk)


def tool_key_current() -> ToolKey:
    """The key the tool signs with: the newest active one, made on first need."""
    key = ToolKey.objects.filter(active=True, published=True).first()
    if key is None:
        with transaction.atomic():
            key = ToolKey.objects.filter(active=True, published=True).first()
            if key is None:
                key = tool_key_create()
    return key


def tool_key_rotate() -> ToolKey:
    """Makes a new signing key; the previous ones stop signing but stay published."""
    with transaction.atomic():
        ToolKey.objects.filter(active=True).update(active=False)
        return tool_key_create()


def tool_key_retire(kid: str) -> int:
    """Stops publishing a key that no longer signs."""
    return ToolKey.objects.filter(kid=kid, active=False).update(published=False)


def tool_jwks() -> dict[str, Any]:
    tool_key_current()
    return {
        "keys": [
            key.public_jwk
            for key in ToolKey.objects.filter(published=True).order_by("created_at")
        ]
    }


def tool_sign(claims: dict[str, Any]) -> str:
    key = tool_key_current()
    return jwt.encode(
        claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid}
    )


# --- the platforms' keys -----------------------------------------------------------


def _cache_key(platform: Platform) -> str:
    return f"lti:jwks:{platform.pk}:{platform.jwks_url}"


def platform_key(platform: Platform, kid: str) -> Any | None:
    """The platform's public key `kid`, from its registered key set. A kid not in the
    cached set triggers one fresh fetch (the platform rotated its keys); a kid still
    unknown after it gives None. Fresh fetches for unknown kids are spaced by
    LECTIO_LTI_JWKS_REFETCH_SECONDS per platform, so forged kids cannot make Lectio
    hammer the platform."""
    return jwks.key_for(
        cache_key=_cache_key(platform),
        url=platform.jwks_url,
        kid=kid,
        fetch=guarded_fetch,
        ttl=int(getattr(settings, "LECTIO_LTI_JWKS_CACHE_SECONDS", 3600)),
        refetch_seconds=int(getattr(settings, "LECTIO_LTI_JWKS_REFETCH_SECONDS", 10)),
        owner=f"LTI platform {platform.issuer}",
    )


def forget_platform_keys(platform: Platform) -> None:
    cache.delete(_cache_key(platform))
