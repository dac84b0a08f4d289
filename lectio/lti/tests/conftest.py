"""A test platform: an LMS inside the test suite with its own RSA keys, its key set
served to Lectio's guarded client through a fake transport, and real id_tokens signed
with PyJWT. It launches Lectio the way an LMS does: POST /lti/login, follow the
redirect's state and nonce, POST /lti/launch."""

from __future__ import annotations

import functools
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from lectio.accounts.models import User
from lectio.courses.models import Enrolment
from lectio.lti import claims as c
from lectio.lti import keys
from lectio.lti.models import Platform, PlatformUser
from lectio.lti.services import platform_create

ISSUER = "https://lms.example.edu"
CLIENT_ID = "lectio-client-1"
DEPLOYMENT_ID = "deployment-1"
PUBLIC_ADDRESS = "93.184.216.34"

INSTRUCTOR_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TA_ROLE = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
)
NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ADMIN_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


@functools.cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """Keys are slow to make: one per name per test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


@dataclass
class LoginAnswer:
    response: Any
    state: str = ""
    nonce: str = ""
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class TestPlatform:
    platform: Platform
    kid: str = "platform-key-1"
    key_name: str = "platform-1"
    # Keys published at the key set URL, by kid.
    published: dict[str, str] = field(default_factory=dict)
    jwks_requests: list[httpx.Request] = field(default_factory=list)
    jwks_error: Exception | None = None
    # The course's members its names-and-roles service gives, a page at a time.
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 50
    token_requests: list[httpx.Request] = field(default_factory=list)
    nrps_requests: list[httpx.Request] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    # Overrides for a test: the status of the token URL / memberships URL, or a
    # function giving the whole answer.
    token_answer: Callable[[httpx.Request], httpx.Response] | None = None
    nrps_answer: Callable[[httpx.Request], httpx.Response] | None = None

    __test__ = False  # not a test class for pytest

    # --- the key set the platform serves ------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return self.handle_token(request)
        if request.url.path.startswith("/nrps/"):
            return self.handle_memberships(request)
        self.jwks_requests.append(request)
        if self.jwks_error is not None:
            raise self.jwks_error
        body = {
            "keys": [
                public_jwk(rsa_key(name), kid) for kid, name in self.published.items()
            ]
        }
        return httpx.Response(
            200, json=body, headers={"content-type": "application/json"}
        )

    # --- the token URL and the names-and-roles service -----------------------------

    def handle_token(self, request: httpx.Request) -> httpx.Response:
        """OAuth 2 client credentials with a JWT assertion, checked as a platform
        checks it: signed by a key at the tool's /lti/jwks, issued by and for our
        client id, addressed to this token URL."""
        self.token_requests.append(request)
        if self.token_answer is not None:
            return self.token_answer(request)
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        assert form["grant_type"] == "client_credentials"
        assert form["client_assertion_type"] == (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        )
        assertion = form["client_assertion"]
        kid = jwt.get_unverified_header(assertion)["kid"]
        published = {k["kid"]: k for k in keys.tool_jwks()["keys"]}
        public = jwt.algorithms.RSAAlgorithm.from_jwk(published[kid])
        claims = jwt.decode(
            assertion,
            public,  # type: ignore[arg-type]
            algorithms=["RS256"],
            audience=f"{ISSUER}/token",
        )
        assert claims["iss"] == claims["sub"] == CLIENT_ID
        assert claims["jti"]
        token = secrets.token_urlsafe(12)
        self.tokens.append(token)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": form["scope"],
            },
        )

    def handle_memberships(self, request: httpx.Request) -> httpx.Response:
        self.nrps_requests.append(request)
        if self.nrps_answer is not None:
            return self.nrps_answer(request)
        bearer = request.headers.get("authorization", "")
        if bearer.removeprefix("Bearer ") not in self.tokens:
            return httpx.Response(401, json={"error": "invalid_token"})
        offset = int(request.url.params.get("offset", "0"))
        page = self.members[offset : offset + self.page_size]
        headers = {"content-type": NRPS_TYPE}
        if offset + self.page_size < len(self.members):
            after = offset + self.page_size
            headers["link"] = f'<{ISSUER}{request.url.path}?offset={after}>; rel="next"'
        body = {
            "id": str(request.url),
            "context": {"id": "context-1", "label": "LIT101", "title": "Canon"},
            "members": page,
        }
        return httpx.Response(200, json=body, headers=headers)

    def nrps_claim(self) -> dict[str, Any]:
        return {
            c.NAMES_ROLES: {
                "context_memberships_url": f"{ISSUER}/nrps/context-1",
                "service_versions": ["2.0"],
            }
        }

    def rotate(self, kid: str, key_name: str, *, keep_old: bool = False) -> None:
        if not keep_old:
            self.published.clear()
        self.published[kid] = key_name
        self.kid, self.key_name = kid, key_name

    # --- what an LMS sends ----------------------------------------------------------

    def claims(
        self,
        *,
        roles: list[str] | None = None,
        sub: str = "lms-user-1",
        nonce: str = "",
        context_label: str | None = "LIT101",
        message_type: str = c.RESOURCE_LINK_REQUEST,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Lena",
            "family_name": "Learner",
            "name": "Lena Learner",
            "email": "lena@example.edu",
            c.VERSION: "1.3.0",
            c.MESSAGE_TYPE: message_type,
            c.DEPLOYMENT_ID: DEPLOYMENT_ID,
            c.TARGET_LINK_URI: "http://testserver/lti/launch",
            c.ROLES: [LEARNER_ROLE] if roles is None else roles,
        }
        if message_type == c.RESOURCE_LINK_REQUEST:
            claims[c.RESOURCE_LINK] = {"id": "resource-link-1", "title": "Readings"}
        else:
            claims[c.DEEP_LINKING_SETTINGS] = {
                "deep_link_return_url": f"{ISSUER}/deep_links/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        if context_label is not None:
            claims[c.CONTEXT] = {
                "id": "context-1",
                "label": context_label,
                "title": "Reading the Canon",
            }
        claims.update(extra)
        return claims

    def sign(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = None,
        key_name: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        header = {"kid": kid if kid is not None else self.kid, **(headers or {})}
        if not header["kid"]:  # kid="": a token without one
            del header["kid"]
        return jwt.encode(
            claims,
            pem(rsa_key(key_name or self.key_name)),
            algorithm="RS256",
            headers=header,
        )

    def login(self, client: Client, **params: str) -> LoginAnswer:
        data = {
            "iss": ISSUER,
            "login_hint": "hint-1",
            "target_link_uri": "http://testserver/lti/launch",
            "lti_message_hint": "message-hint-1",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            **params,
        }
        response = client.post("/lti/login", data)
        if response.status_code != 302:
            return LoginAnswer(response)
        query = {
            k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()
        }
        return LoginAnswer(response, query["state"], query["nonce"], query)

    def launch(
        self,
        client: Client,
        *,
        mutate: Callable[[dict[str, Any]], None] | None = None,
        token: str | None = None,
        sign: dict[str, Any] | None = None,
        **claim_options: Any,
    ) -> Any:
        """Login, then launch with a token made from `claims(**claim_options)`,
        changed by `mutate`, signed with `sign` options (or `token` as is)."""
        answer = self.login(client)
        assert answer.response.status_code == 302, answer.response.content
        if token is None:
            claims = self.claims(nonce=answer.nonce, **claim_options)
            if mutate is not None:
                mutate(claims)
            token = self.sign(claims, **(sign or {}))
        return client.post("/lti/launch", {"id_token": token, "state": answer.state})


@pytest.fixture
def test_platform(db: None, monkeypatch: pytest.MonkeyPatch) -> TestPlatform:
    platform = platform_create(
        actor=None,
        deployment_ids=[DEPLOYMENT_ID],
        name="Test LMS",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url=f"{ISSUER}/auth",
        auth_token_url=f"{ISSUER}/token",
        jwks_url=f"{ISSUER}/jwks",
    )
    lms = TestPlatform(platform=platform)
    lms.published[lms.kid] = lms.key_name
    monkeypatch.setattr(keys, "TRANSPORT", httpx.MockTransport(lms.handle))
    monkeypatch.setattr(keys, "RESOLVE", lambda host, port: [PUBLIC_ADDRESS])
    return lms


def account_state() -> tuple[int, int, int, list[int]]:
    """What a refused launch must not change: users, links, enrolments."""
    return (
        User.objects.count(),
        PlatformUser.objects.count(),
        Enrolment.objects.count(),
        sorted(Enrolment.objects.values_list("pk", flat=True)),
    )


def new_sub() -> str:
    return "sub-" + uuid.uuid4().hex


def random_nonce() -> str:
    return secrets.token_urlsafe(16)


def member(
    sub: str,
    *,
    roles: list[str] | None = None,
    status: str = "Active",
    **extra: Any,
) -> dict[str, Any]:
    """One member of a names-and-roles container, as platforms send them."""
    return {
        "status": status,
        "user_id": sub,
        "name": f"Person {sub}",
        "given_name": "Person",
        "family_name": sub,
        "email": f"{sub}@example.edu",
        "roles": [LEARNER_ROLE] if roles is None else roles,
        **extra,
    }
