"""OpenID Connect sign-in: a test identity provider in the suite, with its own keys,
a discovery document, a key set and a token endpoint that checks the code, the PKCE
verifier and the client's credentials, served to Lectio's guarded client through a
fake transport. The browser side goes through the real views."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.cache import cache
from django.test import Client

from lectio.accounts import oidc
from lectio.accounts.models import ExternalIdentity, IdentityProvider, Role, User
from lectio.accounts.services import identity_provider_save
from lectio.core.factories import UserFactory
from lectio.core.testing import assert_status

ISSUER = "https://idp.example.edu/realms/uni"
CLIENT_ID = "lectio"
SECRET = "s3cret:with/odd chars"
PUBLIC_ADDRESS = "93.184.216.34"
CALLBACK = "http://testserver/login/oidc/callback/"


@functools.cache
def key(name: str) -> Any:
    if name.startswith("ec"):
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk_of(name: str, kid: str) -> dict[str, Any]:
    private = key(name)
    if name.startswith("ec"):
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
        jwk["alg"] = "ES256"
    else:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        jwk["alg"] = "RS256"
    jwk.update({"kid": kid, "use": "sig"})
    return jwk


@dataclass
class TestProvider:
    provider: IdentityProvider
    published: dict[str, str] = field(default_factory=lambda: {"k1": "rsa-1"})
    # code -> (claims to sign, code_challenge, redirect_uri)
    codes: dict[str, tuple[dict[str, Any], str, str]] = field(default_factory=dict)
    token_requests: list[httpx.Request] = field(default_factory=list)
    jwks_requests: list[httpx.Request] = field(default_factory=list)
    discovery: dict[str, Any] | None = None
    sign_with: dict[str, Any] = field(default_factory=dict)

    __test__ = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            body = self.discovery or {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/certs",
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
            return httpx.Response(200, json=body)
        if path.endswith("/certs"):
            self.jwks_requests.append(request)
            keys = [jwk_of(name, kid) for kid, name in self.published.items()]
            return httpx.Response(200, json={"keys": keys})
        if path.endswith("/token"):
            return self.token(request)
        return httpx.Response(404)

    def token(self, request: httpx.Request) -> httpx.Response:
        self.token_requests.append(request)
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode()
            client_id, _sep, secret = (unquote(p) for p in pair.partition(":"))
        if client_id != CLIENT_ID or secret != SECRET:
            return httpx.Response(401, json={"error": "invalid_client"})
        found = self.codes.pop(form.get("code", ""), None)
        if found is None or form.get("grant_type") != "authorization_code":
            return httpx.Response(400, json={"error": "invalid_grant"})
        claims, challenge, redirect_uri = found
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if digest.rstrip(b"=").decode() != challenge or form["redirect_uri"] != (
            redirect_uri
        ):
            return httpx.Response(400, json={"error": "invalid_grant"})
        return httpx.Response(
            200,
            json={
                "access_token": "at",
                "token_type": "Bearer",
                "id_token": self.sign(claims),
            },
        )

    def sign(self, claims: dict[str, Any]) -> str:
        options = {"kid": "k1", "key": "rsa-1", "alg": "RS256", **self.sign_with}
        if options["alg"] == "HS256":
            return jwt.encode(
                claims,
                "shared-secret-of-at-least-32-bytes!!",
                algorithm="HS256",
                headers={"kid": options["kid"]},
            )
        headers = {"kid": options["kid"]} if options["kid"] else {}
        return jwt.encode(
            claims, key(options["key"]), algorithm=options["alg"], headers=headers
        )

    def claims(self, nonce: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "person-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada@example.edu",
            "email_verified": True,
            "preferred_username": "alovelace",
            "employee_id": "E-1",
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def sign_in(
        self,
        client: Client,
        *,
        next_url: str = "",
        mutate: Any = None,
        **changes: Any,
    ) -> Any:
        """The browser's round trip: Lectio -> the provider (which authenticates
        the person and issues a code for these claims) -> Lectio's callback."""
        begin = client.get(
            f"/login/oidc/{self.provider.pk}/",
            {"next": next_url} if next_url else {},
        )
        assert begin.status_code == 302, begin
        query = {
            k: v[0] for k, v in parse_qs(urlsplit(begin["Location"]).query).items()
        }
        claims = self.claims(query["nonce"], **changes)
        if mutate is not None:
            mutate(claims)
        code = secrets.token_urlsafe(8)
        self.codes[code] = (claims, query["code_challenge"], query["redirect_uri"])
        return client.get(
            "/login/oidc/callback/", {"code": code, "state": query["state"]}
        )


def make_provider(monkeypatch: pytest.MonkeyPatch, **values: Any) -> TestProvider:
    """A registered provider whose endpoints the guarded client reaches through the
    test provider's fake transport."""
    cache.clear()
    provider = identity_provider_save(
        actor=None,
        name="University login",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        authorization_endpoint=f"{ISSUER}/auth",
        token_endpoint=f"{ISSUER}/token",
        jwks_uri=f"{ISSUER}/certs",
        **values,
    )
    test = TestProvider(provider=provider)
    monkeypatch.setattr(oidc, "TRANSPORT", httpx.MockTransport(test.handle))
    monkeypatch.setattr(oidc, "RESOLVE", lambda host, port: [PUBLIC_ADDRESS])
    return test


@pytest.fixture
def idp(db: None, monkeypatch: pytest.MonkeyPatch) -> TestProvider:
    return make_provider(monkeypatch, primary_id_claim="employee_id")


def accounts() -> tuple[int, int, list[Any]]:
    return (
        User.objects.count(),
        ExternalIdentity.objects.count(),
        sorted(User.objects.values_list("pk", "pending", "first_name")),
    )


def signed_in_as(client: Client) -> int | None:
    session = client.session
    value = session.get("_auth_user_id")
    return int(value) if value else None


# --- the flow ----------------------------------------------------------------------


def test_login_page_offers_each_active_provider(idp: TestProvider) -> None:
    body = Client().get("/login/?next=/lists/").content.decode()
    assert "Sign in with University login" in body
    assert f'href="/login/oidc/{idp.provider.pk}/?next=/lists/"' in body

    idp.provider.active = False
    idp.provider.save()
    assert "Sign in with" not in Client().get("/login/").content.decode()
    assert Client().get(f"/login/oidc/{idp.provider.pk}/").status_code == 404


def test_begin_sends_the_browser_to_the_provider_with_pkce(idp: TestProvider) -> None:
    response = Client().get(f"/login/oidc/{idp.provider.pk}/")

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ISSUER}/auth"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert response["Cache-Control"].startswith("max-age=0")


def test_first_sign_in_makes_a_student_account_and_signs_in(idp: TestProvider) -> None:
    client = Client()

    response = idp.sign_in(client, next_url="/catalog/")

    assert response.status_code == 302
    assert response["Location"] == "/catalog/"
    user = User.objects.get(username="alovelace")
    assert (user.role, user.first_name, user.email, user.primary_id) == (
        Role.STUDENT,
        "Ada",
        "ada@example.edu",
        "E-1",
    )
    assert not user.has_usable_password()
    assert signed_in_as(client) == user.pk
    link = ExternalIdentity.objects.get(provider=idp.provider, sub="person-1")
    assert link.user == user and link.last_login_at is not None
    # The token request carried the verifier and the client's credentials.
    assert idp.token_requests[0].headers["authorization"].startswith("Basic ")


def test_next_sign_in_is_the_same_account_with_names_updated(
    idp: TestProvider,
) -> None:
    idp.sign_in(Client())
    count = User.objects.count()

    idp.sign_in(Client(), family_name="King", preferred_username="someone-else")

    assert User.objects.count() == count
    assert User.objects.get(username="alovelace").last_name == "King"


def test_a_person_the_user_loader_made_is_linked_by_primary_id(
    idp: TestProvider,
) -> None:
    pending = UserFactory(
        username="E-1", primary_id="E-1", pending=True, role=Role.INSTRUCTOR
    )
    count = User.objects.count()

    idp.sign_in(Client())

    pending.refresh_from_db()
    assert User.objects.count() == count
    assert (pending.pending, pending.role, pending.first_name) == (
        False,
        Role.INSTRUCTOR,
        "Ada",
    )


@pytest.mark.parametrize(
    ("link_by_email", "verified", "linked"),
    [(True, True, True), (True, False, False), (False, True, False)],
)
def test_linking_by_e_mail_only_when_allowed_and_verified(
    idp: TestProvider, link_by_email: bool, verified: bool, linked: bool
) -> None:
    existing = UserFactory(email="ADA@example.edu")
    idp.provider.link_by_email = link_by_email
    idp.provider.save()

    idp.sign_in(Client(), employee_id=None, email_verified=verified)

    user = ExternalIdentity.objects.get(sub="person-1").user
    assert (user == existing) is linked


def test_client_secret_in_the_body_when_the_provider_wants_it(
    idp: TestProvider,
) -> None:
    idp.provider.token_auth = "client_secret_post"
    idp.provider.save()

    response = idp.sign_in(Client())

    assert response.status_code == 302
    assert "authorization" not in idp.token_requests[0].headers
    assert "client_secret=" in idp.token_requests[0].content.decode()


def test_an_elliptic_curve_key_signs_too(idp: TestProvider) -> None:
    idp.published = {"k1": "rsa-1", "e1": "ec-1"}
    idp.sign_with = {"kid": "e1", "key": "ec-1", "alg": "ES256"}

    assert idp.sign_in(Client()).status_code == 302


def test_a_rotated_key_is_fetched_once(idp: TestProvider) -> None:
    idp.sign_in(Client())
    idp.published = {"k2": "rsa-2"}
    idp.sign_with = {"kid": "k2", "key": "rsa-2"}

    assert (
        idp.sign_in(Client(), sub="person-2", preferred_username="p2").status_code
        == 302
    )
    assert len(idp.jwks_requests) == 2


def test_an_offsite_next_goes_home(idp: TestProvider) -> None:
    response = idp.sign_in(Client(), next_url="https://evil.example.org/")
    assert response["Location"] == "/"


# --- refusals: a page saying why, nothing written ----------------------------------


BAD_TOKENS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # name: (claim changes, signing options)
    "wrong iss": ({"iss": "https://other.example.edu"}, {}),
    "wrong aud": ({"aud": "someone-else"}, {}),
    "several aud, no azp": ({"aud": [CLIENT_ID, "other"]}, {}),
    "azp not us": ({"aud": [CLIENT_ID, "other"], "azp": "other"}, {}),
    "expired": ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, {}),
    "iat too old": ({"iat": int(time.time()) - 3600}, {}),
    "iat in the future": ({"iat": int(time.time()) + 3600}, {}),
    "no sub": ({"sub": None}, {}),
    "empty sub": ({"sub": " "}, {}),
    "unknown kid": ({}, {"kid": "nope"}),
    "no kid": ({}, {"kid": ""}),
    "signed by another key": ({}, {"key": "rsa-other"}),
    "HS256": ({}, {"alg": "HS256"}),
}


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_a_bad_id_token_is_refused(
    idp: TestProvider, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    changes, signing = BAD_TOKENS[name]
    idp.sign_with = signing
    before = accounts()
    client = Client()

    response = idp.sign_in(client, **changes)

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert accounts() == before
    assert signed_in_as(client) is None
    assert any("Sign-in refused (token)" in r.getMessage() for r in caplog.records)


def test_a_wrong_nonce_is_refused(idp: TestProvider) -> None:
    before = accounts()

    def swap(claims: dict[str, Any]) -> None:
        claims["nonce"] = "not-the-one"

    assert idp.sign_in(Client(), mutate=swap).status_code == 400
    assert accounts() == before


def test_the_answer_is_used_once_and_only_in_the_browser_that_began(
    idp: TestProvider,
) -> None:
    client = Client()
    begin = client.get(f"/login/oidc/{idp.provider.pk}/")
    query = {k: v[0] for k, v in parse_qs(urlsplit(begin["Location"]).query).items()}
    code = "c1"
    idp.codes[code] = (
        idp.claims(query["nonce"]),
        query["code_challenge"],
        query["redirect_uri"],
    )
    answer = {"code": code, "state": query["state"]}

    other = Client().get("/login/oidc/callback/", answer)
    assert other.status_code == 400
    assert "another browser" in other.content.decode()
    assert client.get("/login/oidc/callback/", answer).status_code == 302
    # Again: the state is gone.
    assert client.get("/login/oidc/callback/", answer).status_code == 400


def test_an_expired_sign_in_is_refused(
    idp: TestProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    begin = client.get(f"/login/oidc/{idp.provider.pk}/")
    query = {k: v[0] for k, v in parse_qs(urlsplit(begin["Location"]).query).items()}
    later = time.time() + oidc.STATE_SECONDS + 1
    monkeypatch.setattr(oidc.time, "time", lambda: later)

    response = client.get(
        "/login/oidc/callback/", {"code": "x", "state": query["state"]}
    )

    assert response.status_code == 400
    assert not idp.token_requests


def test_the_provider_saying_no_is_shown(idp: TestProvider) -> None:
    client = Client()
    begin = client.get(f"/login/oidc/{idp.provider.pk}/")
    state = parse_qs(urlsplit(begin["Location"]).query)["state"][0]

    response = client.get(
        "/login/oidc/callback/",
        {"error": "access_denied", "state": state, "error_description": "<script>"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "did not sign you in" in body
    assert "<script>" not in body


def test_a_refused_code_exchange_is_refused(idp: TestProvider) -> None:
    idp.provider.client_secret = "wrong"
    idp.provider.save()
    before = accounts()

    response = idp.sign_in(Client())

    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()
    assert accounts() == before


def test_unknown_people_are_refused_when_accounts_are_not_made(
    idp: TestProvider,
) -> None:
    idp.provider.create_accounts = False
    idp.provider.save()
    before = accounts()

    response = idp.sign_in(Client())

    assert response.status_code == 400
    assert "no Lectio account" in response.content.decode()
    assert accounts() == before


def test_a_disabled_account_is_refused(idp: TestProvider) -> None:
    UserFactory(primary_id="E-1", is_active=False)
    before = accounts()
    client = Client()

    assert idp.sign_in(client).status_code == 400
    assert accounts() == before
    assert signed_in_as(client) is None


def test_a_callback_without_state_is_refused(db: None) -> None:
    response = Client().get("/login/oidc/callback/?code=x")
    assert response.status_code == 400


# --- administrators register the provider ------------------------------------------


def test_admin_registers_a_provider_from_its_discovery_document(
    idp: TestProvider, client_for: Any, admin: Any
) -> None:
    IdentityProvider.objects.all().delete()
    client = client_for(admin)

    response = client.post(
        "/institution/sign-in/new/",
        {
            "name": "Uni",
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "token_auth": "client_secret_basic",
            "scopes": "openid email",
            "create_accounts": "on",
            "active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()
    provider = IdentityProvider.objects.get()
    assert (
        provider.authorization_endpoint,
        provider.token_endpoint,
        provider.jwks_uri,
    ) == (
        f"{ISSUER}/auth",
        f"{ISSUER}/token",
        f"{ISSUER}/certs",
    )
    page = client.get(f"/institution/sign-in/{provider.pk}/").content.decode()
    assert SECRET not in page  # never shown again

    # A change with a blank secret keeps it.
    client.post(
        f"/institution/sign-in/{provider.pk}/",
        {
            "name": "Uni login",
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "client_secret": "",
            "token_auth": "client_secret_basic",
            "authorization_endpoint": f"{ISSUER}/auth",
            "token_endpoint": f"{ISSUER}/token",
            "jwks_uri": f"{ISSUER}/certs",
            "scopes": "openid",
            "active": "on",
        },
    )
    provider.refresh_from_db()
    assert (provider.name, provider.client_secret) == ("Uni login", SECRET)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"issuer": "http://idp.example.edu"}, "must be an https URL"),
        ({"scopes": "email"}, "must include openid"),
        ({"discovery": {"issuer": "https://evil.example"}}, "names another issuer"),
        (
            {"discovery": {"issuer": ISSUER, "authorization_endpoint": "http://x"}},
            "no https authorization_endpoint",
        ),
    ],
)
def test_a_bad_registration_is_refused_and_nothing_saved(
    idp: TestProvider, client_for: Any, admin: Any, values: dict[str, Any], error: str
) -> None:
    IdentityProvider.objects.all().delete()
    idp.discovery = values.pop("discovery", None)
    data = {
        "name": "Uni",
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "token_auth": "client_secret_basic",
        "scopes": "openid",
        **values,
    }

    response = client_for(admin).post("/institution/sign-in/new/", data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_admin_removes_a_provider_and_the_accounts_stay(
    idp: TestProvider, client_for: Any, admin: Any
) -> None:
    idp.sign_in(Client())

    response = client_for(admin).post(f"/institution/sign-in/{idp.provider.pk}/delete/")

    assert response.status_code == 302
    assert not IdentityProvider.objects.exists()
    assert not ExternalIdentity.objects.exists()
    assert User.objects.filter(username="alovelace").exists()


# --- every route x every role ------------------------------------------------------

ROLES = ("guest", "student", "instructor", "librarian", "admin")
ADMIN_ONLY_GET = {
    "guest": "login",
    "student": 403,
    "instructor": 403,
    "librarian": 403,
    "admin": 200,
}
ADMIN_ONLY_POST = {**ADMIN_ONLY_GET, "admin": 302}
MATRIX: dict[str, tuple[Any, str, dict[str, Any]]] = {
    "begin": (lambda p: [p.pk], "get", dict.fromkeys(ROLES, 302)),
    "callback": (lambda p: [], "get", dict.fromkeys(ROLES, 400)),
    "providers": (lambda p: [], "get", ADMIN_ONLY_GET),
    "provider_add": (lambda p: [], "get", ADMIN_ONLY_GET),
    "provider": (lambda p: [p.pk], "get", ADMIN_ONLY_GET),
    "provider_delete": (lambda p: [p.pk], "post", ADMIN_ONLY_POST),
}


def test_every_sign_in_route_has_an_expectation() -> None:
    from lectio.accounts.urls_oidc import urlpatterns

    assert {p.name for p in urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_matrix(
    idp: TestProvider,
    client_for: Any,
    name: str,
    role: str,
    request: pytest.FixtureRequest,
) -> None:
    from django.urls import reverse

    args_of, method, expected = MATRIX[name]
    client = Client() if role == "guest" else client_for(request.getfixturevalue(role))
    url = reverse(f"oidc:{name}", args=args_of(idp.provider))
    response = getattr(client, method)(url)
    assert_status(response, expected[role])
    if name == "provider_delete" and role != "admin":
        assert IdentityProvider.objects.filter(pk=idp.provider.pk).exists()
