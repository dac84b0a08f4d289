"""The OIDC login and the launch: every check a launch must pass, then who the user
is and which course they came from.

The id_token is validated here with PyJWT rather than by pylti1p3's message launch,
which leaves the audience, `azp`, the age of `iat`, nonce replay, browser binding of
`state` and key rotation unchecked (see docs/lti.md). Each refusal raises
`LaunchRefused` with a code for the log and a sentence for the person.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lectio.core.refusals import Refused
from lectio.lti import claims as c
from lectio.lti.keys import KeyUnavailable, platform_key
from lectio.lti.models import Deployment, LoginState, Platform, UsedNonce

log = logging.getLogger("lectio.lti")

BROWSER_COOKIE = "lectio_lti_browser"
STATE_SECONDS = 600
NONCE_SECONDS = 3600
# Expired states and nonces are swept on about one request in this many: a write
# on every launch would queue launches behind SQLite's one writer for nothing.
CLEAN_EVERY = 20

MESSAGES: dict[str, Any] = {
    "platform": _("This learning platform is not registered with Lectio."),
    "deployment": _(
        "This deployment of Lectio in your learning platform is not registered."
    ),
    "request": _("The learning platform sent an incomplete request."),
    "platform_error": _("The learning platform did not let the launch go ahead."),
    "state": _(
        "This launch has expired or was already used. Open Lectio again from your course."
    ),
    "browser": _(
        "This launch began in another browser. Open Lectio again from your course, "
        "in this browser. If it keeps happening, allow cookies for this site."
    ),
    "keys": _("Lectio could not read the learning platform's keys. Try again later."),
    "token": _("The learning platform's message could not be verified."),
    "expired": _("The launch took too long. Open Lectio again from your course."),
    "replay": _("This launch was already used. Open Lectio again from your course."),
    "claims": _("The learning platform's message is missing information Lectio needs."),
    "account": _("Your Lectio account is disabled. Ask the library for help."),
}


class LaunchRefused(Refused):
    MESSAGES = MESSAGES
    LOGGER = "lectio.lti"
    WHAT = "LTI launch refused"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- login -------------------------------------------------------------------------


@dataclass
class LoginStart:
    redirect_url: str
    browser_token: str


def login_begin(
    params: Any, *, redirect_uri: str, browser_token: str | None
) -> LoginStart:
    """The answer to a third-party-initiated login: a state bound to this browser
    and a nonce, then off to the platform's authentication endpoint."""
    issuer = (params.get("iss") or "").strip()
    login_hint = params.get("login_hint") or ""
    target = params.get("target_link_uri") or ""
    if not issuer or not login_hint or not target:
        raise LaunchRefused(
            "request", "login without iss, login_hint or target_link_uri", issuer=issuer
        )
    platforms = Platform.objects.filter(issuer=issuer, active=True)
    client_id = params.get("client_id")
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise LaunchRefused("platform", "no active registration", issuer=issuer)
    if len(found) > 1:
        raise LaunchRefused(
            "request", "several registrations and no client_id", issuer=issuer
        )
    platform = found[0]
    deployment_id = params.get("lti_deployment_id")
    if (
        deployment_id
        and not Deployment.objects.filter(
            platform=platform, deployment_id=deployment_id
        ).exists()
    ):
        raise LaunchRefused(
            "deployment", f"unknown deployment {deployment_id!r}", issuer=issuer
        )
    token = browser_token if browser_token and len(browser_token) <= 64 else None
    token = token or secrets.token_urlsafe(32)
    now = timezone.now()
    if secrets.randbelow(CLEAN_EVERY) == 0:
        LoginState.objects.filter(expires_at__lt=now).delete()
    state = LoginState.objects.create(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        browser_hash=_hash(token),
        platform=platform,
        target_link_uri=target[:1000],
        expires_at=now + datetime.timedelta(seconds=STATE_SECONDS),
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": state.state,
        "nonce": state.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginStart(
        redirect_url=platform.auth_login_url + separator + urlencode(query),
        browser_token=token,
    )


# --- launch ------------------------------------------------------------------------


@dataclass
class Launch:
    platform: Platform
    deployment: Deployment
    claims: dict[str, Any]
    message_type: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])


def _take_state(params: Any, browser_token: str | None) -> LoginState:
    if params.get("error"):
        raise LaunchRefused(
            "platform_error",
            f"platform answered {params.get('error')!r}: "
            f"{(params.get('error_description') or '')[:200]}",
        )
    state_value = params.get("state") or ""
    if not state_value or not params.get("id_token"):
        raise LaunchRefused("request", "launch without state or id_token")
    row = (
        LoginState.objects.select_related("platform")
        .filter(state=state_value, expires_at__gte=timezone.now())
        .first()
    )
    if row is None:
        raise LaunchRefused("state", "unknown, used or expired state")
    issuer = row.platform.issuer
    if not browser_token or not hmac.compare_digest(
        _hash(browser_token), row.browser_hash
    ):
        raise LaunchRefused(
            "browser",
            "state presented by another browser (cookie missing or different)",
            issuer=issuer,
        )
    # Whoever deletes the row owns the state: two posts of one state, one wins.
    if LoginState.objects.filter(pk=row.pk).delete()[0] != 1:
        raise LaunchRefused(
            "replay", "state used by a concurrent launch", issuer=issuer
        )
    return row


def _decode(token: str, platform: Platform) -> dict[str, Any]:
    issuer = platform.issuer
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise LaunchRefused("token", f"not a JWT ({exc})", issuer=issuer) from None
    if header.get("alg") != "RS256":
        raise LaunchRefused("token", f"algorithm {header.get('alg')!r}", issuer=issuer)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LaunchRefused("token", "no kid in the header", issuer=issuer)
    # jku, x5u and jwk in the header are ignored: keys come only from the
    # platform's registered key set URL.
    try:
        key = platform_key(platform, kid)
    except KeyUnavailable as exc:
        raise LaunchRefused("keys", f"key set: {exc}", issuer=issuer) from None
    if key is None:
        raise LaunchRefused("token", f"unknown kid {kid!r}", issuer=issuer)
    leeway = int(getattr(settings, "LECTIO_LTI_LEEWAY_SECONDS", 30))
    try:
        decoded: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=leeway,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRefused("expired", "exp in the past", issuer=issuer) from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused(
            "token", "aud is not our client id", issuer=issuer
        ) from None
    except jwt.InvalidIssuerError:
        raise LaunchRefused(
            "token", "iss is not the platform's", issuer=issuer
        ) from None
    except jwt.MissingRequiredClaimError as exc:
        raise LaunchRefused("token", f"no {exc.claim}", issuer=issuer) from None
    except jwt.InvalidSignatureError:
        raise LaunchRefused("token", "bad signature", issuer=issuer) from None
    except jwt.InvalidTokenError as exc:
        raise LaunchRefused("token", f"invalid token ({exc})", issuer=issuer) from None
    max_age = int(getattr(settings, "LECTIO_LTI_MAX_TOKEN_AGE", 300))
    if decoded["iat"] < timezone.now().timestamp() - max_age - leeway:
        raise LaunchRefused("expired", f"iat older than {max_age} s", issuer=issuer)
    audiences = decoded["aud"] if isinstance(decoded["aud"], list) else [decoded["aud"]]
    if (len(audiences) > 1 or "azp" in decoded) and decoded.get(
        "azp"
    ) != platform.client_id:
        raise LaunchRefused("token", "azp is not our client id", issuer=issuer)
    if not isinstance(decoded["sub"], str) or not decoded["sub"].strip():
        raise LaunchRefused("token", "empty sub", issuer=issuer)
    return decoded


def _check_lti(decoded: dict[str, Any], platform: Platform) -> tuple[str, Deployment]:
    issuer = platform.issuer
    if decoded.get(c.VERSION) != "1.3.0":
        raise LaunchRefused(
            "claims", f"LTI version {decoded.get(c.VERSION)!r}", issuer=issuer
        )
    message_type = decoded.get(c.MESSAGE_TYPE)
    if message_type not in c.MESSAGE_TYPES:
        raise LaunchRefused("claims", f"message type {message_type!r}", issuer=issuer)
    deployment_id = decoded.get(c.DEPLOYMENT_ID)
    deployment = (
        Deployment.objects.filter(
            platform=platform, deployment_id=deployment_id
        ).first()
        if isinstance(deployment_id, str) and deployment_id
        else None
    )
    if deployment is None:
        raise LaunchRefused(
            "deployment", f"unregistered deployment {deployment_id!r}", issuer=issuer
        )
    if not isinstance(decoded.get(c.ROLES), list):
        raise LaunchRefused("claims", "no roles claim", issuer=issuer)
    if message_type == c.RESOURCE_LINK_REQUEST:
        link = decoded.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchRefused("claims", "no resource_link id", issuer=issuer)
    else:
        dl = decoded.get(c.DEEP_LINKING_SETTINGS)
        if not isinstance(dl, dict) or not dl.get("deep_link_return_url"):
            raise LaunchRefused("claims", "no deep_link_return_url", issuer=issuer)
    return message_type, deployment


def _use_nonce(decoded: dict[str, Any], state: LoginState) -> None:
    issuer = state.platform.issuer
    nonce = decoded["nonce"]
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce, state.nonce):
        raise LaunchRefused(
            "replay", "nonce is not the one sent at login", issuer=issuer
        )
    now = timezone.now()
    if secrets.randbelow(CLEAN_EVERY) == 0:
        UsedNonce.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(
                issuer=issuer,
                nonce=nonce,
                expires_at=now + datetime.timedelta(seconds=NONCE_SECONDS),
            )
    except IntegrityError:
        raise LaunchRefused("replay", "nonce already used", issuer=issuer) from None


def launch_validate(params: Any, *, browser_token: str | None) -> Launch:
    """Every check of a launch POST (id_token + state), in this order: the state
    exists, is unexpired and was begun by this browser (then it is consumed); the
    token is RS256, signed by a key from the platform's registered key set, for our
    client id (and azp when several audiences), from the platform's issuer, unexpired
    and recent; its nonce is the login's and was never used; the LTI claims are
    there and the deployment is registered."""
    state = _take_state(params, browser_token)
    platform = state.platform
    if not platform.active:
        raise LaunchRefused("platform", "platform deactivated", issuer=platform.issuer)
    decoded = _decode(params["id_token"], platform)
    _use_nonce(decoded, state)
    message_type, deployment = _check_lti(decoded, platform)
    return Launch(
        platform=platform,
        deployment=deployment,
        claims=decoded,
        message_type=message_type,
    )
