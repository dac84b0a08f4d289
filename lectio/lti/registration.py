"""LTI Dynamic Registration 1.0: an LMS registers Lectio by itself.

An administrator makes a one-time registration URL (`invite_create`) and pastes it
into the LMS. The LMS opens it with `openid_configuration` (the URL of its OpenID
configuration) and `registration_token`. Lectio then, through the guarded client:

1. reads the platform's configuration, whose `issuer` must be on the configuration
   URL's own host and whose endpoints must be https;
2. posts its own configuration (login, launch and key set URLs, the messages it
   takes, the claims and the names-and-roles scope it wants) to the platform's
   `registration_endpoint` with the registration token;
3. registers the platform with the client id (and deployment id) the answer gives.

The invitation is used once: a second registration with the same URL is refused,
even when two arrive at once.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.core import http_guard
from lectio.lti import claims as c
from lectio.lti.keys import guarded_fetch
from lectio.lti.models import Platform, RegistrationInvite
from lectio.lti.roster import NRPS_SCOPE
from lectio.lti.services import RegistrationError, deployment_add, platform_create

INVITE_HOURS = 24
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"


class RegistrationRefused(Exception):
    """The registration did not go ahead; the message says why, for the LMS's
    administrator."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_create(*, actor: Any) -> str:
    """A new registration invitation; returns its secret (shown once)."""
    token = secrets.token_urlsafe(32)
    RegistrationInvite.objects.create(
        token_hash=_hash(token),
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(hours=INVITE_HOURS),
    )
    return token


def invite_find(token: str) -> RegistrationInvite | None:
    """The unused, unexpired invitation with this secret."""
    return RegistrationInvite.objects.filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


@dataclass
class ToolUrls:
    login: str
    launch: str
    jwks: str
    logo: str = ""


def tool_configuration(urls: ToolUrls, *, name: str) -> dict[str, Any]:
    """What Lectio asks the platform to register (the client registration request
    of LTI Dynamic Registration, section 3.5.2)."""
    domain = urlsplit(urls.launch).netloc
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],
        "client_name": name,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": NRPS_SCOPE,
        TOOL_CONFIGURATION: {
            "domain": domain,
            "target_link_uri": urls.launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": c.RESOURCE_LINK_REQUEST, "target_link_uri": urls.launch},
                {
                    "type": c.DEEP_LINKING_REQUEST,
                    "target_link_uri": urls.launch,
                    "label": _("Reading list"),
                },
            ],
        },
    }


def _json(result: http_guard.FetchResult, what: str) -> dict[str, Any]:
    try:
        document = json.loads(result.content)
    except ValueError as exc:
        raise RegistrationRefused(
            _("The %(what)s is not JSON.") % {"what": what}
        ) from exc
    if not isinstance(document, dict):
        raise RegistrationRefused(
            _("The %(what)s is not a JSON object.") % {"what": what}
        )
    return document


def platform_configuration_read(url: str, registration_token: str) -> dict[str, Any]:
    """The platform's OpenID configuration, checked."""
    if not url.startswith("https://"):
        raise RegistrationRefused(_("The platform's configuration URL is not https."))
    headers = (
        {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    )
    try:
        result = guarded_fetch(
            url, accept=("application/json",), headers=headers, max_redirects=0
        )
    except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
        raise RegistrationRefused(
            _("The platform's configuration could not be read: %(reason)s")
            % {"reason": exc}
        ) from exc
    if result.status != 200:
        raise RegistrationRefused(
            _("The platform's configuration URL answered %(status)d.")
            % {"status": result.status}
        )
    document = _json(result, _("platform's configuration"))
    issuer = document.get("issuer")
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        raise RegistrationRefused(
            _("The platform's configuration has no https issuer.")
        )
    if urlsplit(issuer).hostname != urlsplit(url).hostname:
        raise RegistrationRefused(
            _("The platform's issuer is not on the host of its configuration URL.")
        )
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "registration_endpoint",
    ):
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith("https://"):
            raise RegistrationRefused(
                _("The platform's configuration has no https %(name)s.")
                % {"name": name}
            )
    return document


def register(
    *,
    invite: RegistrationInvite,
    openid_configuration: str,
    registration_token: str,
    urls: ToolUrls,
) -> Platform:
    """Registers Lectio with the platform and the platform with Lectio. The
    invitation is claimed first, so a second registration with it is refused even
    when two arrive at once, and given back if this one fails."""
    if not RegistrationInvite.objects.filter(pk=invite.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    ):
        raise RegistrationRefused(_("This registration URL was used already."))
    try:
        return _register(invite, openid_configuration, registration_token, urls)
    except BaseException:
        RegistrationInvite.objects.filter(pk=invite.pk).update(used_at=None)
        raise


def _register(
    invite: RegistrationInvite,
    openid_configuration: str,
    registration_token: str,
    urls: ToolUrls,
) -> Platform:
    config = platform_configuration_read(openid_configuration, registration_token)
    family = config.get(PLATFORM_CONFIGURATION)
    product = (
        str(family.get("product_family_code") or "")[:100]
        if isinstance(family, dict)
        else ""
    )
    body = json.dumps(tool_configuration(urls, name="Lectio")).encode()
    headers = {"Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        result = guarded_fetch(
            config["registration_endpoint"],
            method="POST",
            accept=("application/json",),
            headers=headers,
            content=body,
            max_redirects=0,
        )
    except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
        raise RegistrationRefused(
            _("The platform's registration endpoint could not be reached: %(reason)s")
            % {"reason": exc}
        ) from exc
    if result.status not in (200, 201):
        raise RegistrationRefused(
            _("The platform's registration endpoint answered %(status)d.")
            % {"status": result.status}
        )
    answer = _json(result, _("platform's registration answer"))
    client_id = answer.get("client_id")
    if not isinstance(client_id, str) or not client_id.strip():
        raise RegistrationRefused(_("The platform's answer has no client id."))
    tool = answer.get(TOOL_CONFIGURATION)
    deployment = tool.get("deployment_id") if isinstance(tool, dict) else None
    with transaction.atomic():
        existing = Platform.objects.filter(
            issuer=config["issuer"], client_id=client_id.strip()
        ).first()
        try:
            if existing is not None:
                platform = existing
            else:
                platform = platform_create(
                    actor=invite.created_by,
                    name=(f"{product} " if product else "") + config["issuer"],
                    issuer=config["issuer"],
                    client_id=client_id.strip()[:255],
                    auth_login_url=config["authorization_endpoint"],
                    auth_token_url=config["token_endpoint"],
                    jwks_url=config["jwks_uri"],
                )
            if (
                isinstance(deployment, str)
                and deployment.strip()
                and not platform.deployments.filter(
                    deployment_id=deployment.strip()
                ).exists()
            ):
                deployment_add(
                    actor=invite.created_by,
                    platform=platform,
                    deployment_id=deployment.strip()[:255],
                )
        except RegistrationError as exc:
            raise RegistrationRefused(str(exc)) from exc
        RegistrationInvite.objects.filter(pk=invite.pk).update(platform=platform)
    return platform
