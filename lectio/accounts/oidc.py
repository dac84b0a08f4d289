"""OpenID Connect sign-in against the institution's identity provider: the
authorization code flow with PKCE (OpenID Connect Core 1.0, section 3.1; RFC 7636).

1. `signin_begin` makes a state, a nonce and a PKCE verifier, keeps them in the
   session (so the answer must come back to the browser that asked), and gives the
   provider's authorization URL.
2. `signin_complete` takes the provider's answer: the state must be one this session
   began, unexpired, and is used once; the code is exchanged at the token endpoint
   (with the verifier and the client's credentials) through the guarded client;
   the id_token is checked here (signature by a key from the registered key set
   only, asymmetric algorithms only, `iss`, `aud`, `azp`, `exp`, `iat`, the nonce);
   then the account is found or made (`services.external_identity_account`).

Each refusal raises `SignInRefused` with a code for the log and a sentence for the
person; nothing is written before every check has passed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lectio.accounts.models import IdentityProvider, TokenAuth, User
from lectio.core import http_guard, jwks
from lectio.core.refusals import Refused

log = logging.getLogger("lectio.accounts")

SESSION_KEY = "lectio_oidc"
STATE_SECONDS = 600
PENDING_MAX = 5  # sign-ins begun in several tabs at once
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
JSON_TYPES = ("application/json",)

# Tests give the guarded client a transport and a resolver of their own.
TRANSPORT: httpx.BaseTransport | None = None
RESOLVE: http_guard.Resolver = http_guard.system_resolve


def guarded_fetch(url: str, **options: Any) -> http_guard.FetchResult:
    options.setdefault(
        "timeout", float(getattr(settings, "LECTIO_OIDC_FETCH_TIMEOUT", 10.0))
    )
    return http_guard.fetch(url, transport=TRANSPORT, resolve=RESOLVE, **options)


MESSAGES: dict[str, Any] = {
    "provider": _("Signing in through this login is not available."),
    "denied": _("The university login did not sign you in. Try again."),
    "state": _(
        "This sign-in has expired or was begun in another browser. Start again."
    ),
    "exchange": _("The university login could not be reached. Try again later."),
    "token": _("The university login's answer could not be verified."),
    "no_account": _("You have no Lectio account yet. Ask the library to add you."),
    "disabled": _("Your Lectio account is disabled. Ask the library for help."),
}


class SignInRefused(Refused):
    MESSAGES = MESSAGES
    LOGGER = "lectio.accounts"
    WHAT = "Sign-in refused"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def code_challenge(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


# --- 1. off to the provider --------------------------------------------------------


def signin_begin(
    session: Any, provider: IdentityProvider, *, redirect_uri: str, next_url: str
) -> str:
    """The provider's authorization URL for a new sign-in, remembered in `session`."""
    state = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    now = int(time.time())
    pending = {
        key: value
        for key, value in (session.get(SESSION_KEY) or {}).items()
        if isinstance(value, dict) and value.get("at", 0) > now - STATE_SECONDS
    }
    while len(pending) >= PENDING_MAX:
        pending.pop(min(pending, key=lambda k: pending[k]["at"]))
    pending[state] = {
        "provider": provider.pk,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "at": now,
    }
    session[SESSION_KEY] = pending
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": provider.scopes or "openid",
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return f"{provider.authorization_endpoint}{separator}{query}"


# --- 2. back from the provider -----------------------------------------------------


def _take_state(session: Any, state: str) -> dict[str, Any]:
    pending = session.get(SESSION_KEY) or {}
    begun = pending.pop(state, None) if state else None
    session[SESSION_KEY] = pending
    if not isinstance(begun, dict):
        raise SignInRefused("state", "a state this browser did not begin")
    if begun.get("at", 0) < int(time.time()) - STATE_SECONDS:
        raise SignInRefused("state", "the sign-in took longer than 10 minutes")
    return begun


def _exchange(
    provider: IdentityProvider, code: str, verifier: str, redirect_uri: str
) -> str:
    """The id_token for `code`, from the token endpoint."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": provider.client_id,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if provider.token_auth == TokenAuth.POST:
        form["client_secret"] = provider.client_secret
    elif provider.client_secret:
        # RFC 6749 2.3.1: each part form-encoded before base64.
        pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    try:
        result = guarded_fetch(
            provider.token_endpoint,
            method="POST",
            accept=JSON_TYPES,
            headers=headers,
            content=urlencode(form).encode(),
            max_redirects=0,
        )
    except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
        raise SignInRefused(
            "exchange", f"token endpoint: {exc}", issuer=provider.issuer
        ) from exc
    try:
        answer = json.loads(result.content)
    except ValueError:
        answer = {}
    if result.status != 200:
        error = answer.get("error") if isinstance(answer, dict) else None
        raise SignInRefused(
            "exchange",
            f"the token endpoint answered {result.status} {error or ''}".strip(),
            issuer=provider.issuer,
        )
    token = answer.get("id_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise SignInRefused(
            "token", "the token endpoint sent no id_token", issuer=provider.issuer
        )
    return token


def id_token_validate(
    provider: IdentityProvider, token: str, *, nonce: str
) -> dict[str, Any]:
    """The claims of an id_token that passes every check, or SignInRefused."""
    issuer = provider.issuer

    def refuse(reason: str) -> SignInRefused:
        return SignInRefused("token", reason, issuer=issuer)

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise refuse("the id_token is not a JWT") from exc
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise refuse(f"algorithm {algorithm!r} is not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise refuse("the id_token has no kid")
    try:
        key = jwks.key_for(
            cache_key=f"oidc:jwks:{provider.pk}:{provider.jwks_uri}",
            url=provider.jwks_uri,
            kid=kid,
            fetch=guarded_fetch,
            key_types=("RSA", "EC"),
            owner=f"Identity provider {issuer}",
        )
    except jwks.KeyUnavailable as exc:
        raise SignInRefused("exchange", f"key set: {exc}", issuer=issuer) from exc
    if key is None:
        raise refuse(f"no key {kid!r} in the provider's key set")
    max_age = int(getattr(settings, "LECTIO_OIDC_MAX_TOKEN_AGE", 600))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=provider.client_id,
            issuer=issuer,
            leeway=30,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise refuse("the id_token has expired") from exc
    except jwt.PyJWTError as exc:
        raise refuse(f"the id_token is not valid: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get(
        "azp"
    ) != provider.client_id:
        raise refuse("azp is not our client id")
    iat = claims["iat"]
    now = time.time()
    if not isinstance(iat, int | float) or iat > now + 30 or iat < now - max_age:
        raise refuse("iat is in the future or too old")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise refuse("the nonce is not the one this sign-in sent")
    if not isinstance(claims["sub"], str) or not claims["sub"].strip():
        raise refuse("the id_token has no sub")
    return claims


def signin_complete(
    session: Any, params: Any, *, redirect_uri: str
) -> tuple[User, str]:
    """(the signed-in person's account, where they were going), or SignInRefused."""
    from lectio.accounts.services import external_identity_account

    begun = _take_state(session, params.get("state") or "")
    provider_id = begun.get("provider")
    provider = (
        IdentityProvider.objects.filter(pk=provider_id, active=True).first()
        if isinstance(provider_id, int)
        else None
    )
    if provider is None:
        raise SignInRefused("provider", "the provider is gone or inactive")
    if params.get("error"):
        raise SignInRefused(
            "denied",
            f"the provider answered {str(params.get('error'))[:100]!r}",
            issuer=provider.issuer,
        )
    code = params.get("code") or ""
    if not code:
        raise SignInRefused("denied", "no code in the answer", issuer=provider.issuer)
    token = _exchange(provider, code, begun["verifier"], redirect_uri)
    claims = id_token_validate(provider, token, nonce=begun["nonce"])
    user = external_identity_account(provider=provider, claims=claims)
    return user, str(begun.get("next") or "")


# --- discovery ---------------------------------------------------------------------


class DiscoveryFailed(Exception):
    pass


def provider_discover(issuer: str) -> dict[str, str]:
    """The endpoints in the issuer's discovery document
    (`/.well-known/openid-configuration`), whose `issuer` must be `issuer`."""
    if not issuer.startswith("https://"):
        raise DiscoveryFailed("the issuer must be an https URL")
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        result = guarded_fetch(url, accept=JSON_TYPES)
    except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
        raise DiscoveryFailed(str(exc)) from exc
    if result.status != 200:
        raise DiscoveryFailed(f"the discovery document answered {result.status}")
    try:
        document = json.loads(result.content)
    except ValueError as exc:
        raise DiscoveryFailed("the discovery document is not JSON") from exc
    if not isinstance(document, dict):
        raise DiscoveryFailed("the discovery document is not a JSON object")
    if document.get("issuer") != issuer:
        raise DiscoveryFailed(
            "the discovery document names another issuer: "
            f"{str(document.get('issuer'))[:200]}"
        )
    found: dict[str, str] = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith("https://"):
            raise DiscoveryFailed(f"the discovery document has no https {name}")
        found[name] = value
    methods = document.get("token_endpoint_auth_methods_supported")
    if (
        isinstance(methods, list)
        and "client_secret_basic" not in methods
        and "client_secret_post" in methods
    ):
        found["token_auth"] = TokenAuth.POST
    return found
