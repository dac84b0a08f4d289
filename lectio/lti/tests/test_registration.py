"""LTI Dynamic Registration: an LMS of the test suite (its OpenID configuration and
registration endpoint served to the guarded client through a fake transport) opens
the one-time URL an administrator made, as Moodle or Canvas do."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from lectio.lti import keys
from lectio.lti.models import Platform, RegistrationInvite
from lectio.lti.registration import invite_create

LMS = "https://moodle.example.edu"
CONFIG_URL = f"{LMS}/mod/lti/openid-configuration.php"


class TestLms:
    __test__ = False

    def __init__(self) -> None:
        self.config: dict[str, Any] = {
            "issuer": LMS,
            "authorization_endpoint": f"{LMS}/mod/lti/auth.php",
            "token_endpoint": f"{LMS}/mod/lti/token.php",
            "jwks_uri": f"{LMS}/mod/lti/certs.php",
            "registration_endpoint": f"{LMS}/mod/lti/openid-registration.php",
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle",
                "version": "4.5",
            },
        }
        self.answer: httpx.Response | None = None
        self.registrations: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("openid-configuration.php"):
            return httpx.Response(200, json=self.config)
        if request.url.path.endswith("openid-registration.php"):
            assert request.headers["authorization"] == "Bearer reg-token-1"
            body = json.loads(request.content)
            self.registrations.append(body)
            if self.answer is not None:
                return self.answer
            return httpx.Response(
                200,
                json={
                    "client_id": "moodle-client-7",
                    **body,
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **body[
                            "https://purl.imsglobal.org/spec/lti-tool-configuration"
                        ],
                        "deployment_id": "3",
                    },
                },
            )
        return httpx.Response(404)


@pytest.fixture
def lms(db: None, monkeypatch: pytest.MonkeyPatch) -> TestLms:
    test = TestLms()
    monkeypatch.setattr(keys, "TRANSPORT", httpx.MockTransport(test.handle))
    monkeypatch.setattr(keys, "RESOLVE", lambda host, port: ["93.184.216.34"])
    return test


def opened(token: str, **params: str) -> Any:
    query = {
        "openid_configuration": CONFIG_URL,
        "registration_token": "reg-token-1",
        **params,
    }
    return Client().get(f"/lti/register/{token}", query)


def test_admin_makes_a_url_and_the_lms_registers_with_it(
    lms: TestLms, client_for: Any, admin: Any
) -> None:
    page = client_for(admin).post("/lti/admin/registration/")
    assert page.status_code == 200
    url = re.search(
        r'value="(http://testserver/lti/register/[^"]+)"', page.content.decode()
    )
    assert url is not None
    token = url.group(1).rsplit("/", 1)[1]

    response = opened(token)

    assert response.status_code == 200, response.content.decode()
    assert "Lectio is registered with moodle" in response.content.decode()
    platform = Platform.objects.get(issuer=LMS)
    assert (
        platform.client_id,
        platform.auth_login_url,
        platform.auth_token_url,
        platform.jwks_url,
    ) == (
        "moodle-client-7",
        f"{LMS}/mod/lti/auth.php",
        f"{LMS}/mod/lti/token.php",
        f"{LMS}/mod/lti/certs.php",
    )
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == ["3"]
    assert response["Content-Security-Policy"] == f"frame-ancestors {LMS}"
    # What Lectio asked the LMS to register.
    sent = lms.registrations[0]
    assert sent["initiate_login_uri"] == "http://testserver/lti/login"
    assert sent["redirect_uris"] == ["http://testserver/lti/launch"]
    assert sent["jwks_uri"] == "http://testserver/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "contextmembership.readonly" in sent["scope"]
    messages = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"][
        "messages"
    ]
    assert {m["type"] for m in messages} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    invite = RegistrationInvite.objects.get()
    assert invite.used_at is not None and invite.platform == platform

    # Once only.
    again = opened(token)
    assert again.status_code == 400
    assert Platform.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"issuer": "https://evil.example.org"}, "not on the host"),
        ({"issuer": "http://moodle.example.edu"}, "no https issuer"),
        ({"registration_endpoint": None}, "no https registration_endpoint"),
        ({"jwks_uri": "http://moodle.example.edu/certs"}, "no https jwks_uri"),
    ],
)
def test_a_bad_platform_configuration_is_refused_and_the_url_still_works(
    lms: TestLms, admin: Any, change: dict[str, Any], reason: str
) -> None:
    token = invite_create(actor=admin)
    good = dict(lms.config)
    lms.config.update(change)

    response = opened(token)

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Platform.objects.exists()
    assert not lms.registrations
    lms.config = good
    assert opened(token).status_code == 200


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(500), "answered 500"),
        (httpx.Response(200, json={"client_name": "Lectio"}), "has no client id"),
        (
            httpx.Response(
                200, content=b"{oops", headers={"content-type": "application/json"}
            ),
            "not JSON",
        ),
        (httpx.Response(200, text="<html>"), "not a kind of content Lectio reads"),
        (
            httpx.Response(302, headers={"location": "https://evil.example.org/"}),
            "could not be reached",
        ),
    ],
)
def test_a_refused_registration_creates_nothing(
    lms: TestLms, admin: Any, answer: httpx.Response, reason: str
) -> None:
    token = invite_create(actor=admin)
    lms.answer = answer

    response = opened(token)

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Platform.objects.exists()
    assert RegistrationInvite.objects.get().used_at is None


def test_unknown_expired_or_missing_parameters_are_refused(
    lms: TestLms, admin: Any
) -> None:
    assert opened("nope").status_code == 400
    token = invite_create(actor=admin)
    assert Client().get(f"/lti/register/{token}").status_code == 400
    assert "Paste this URL" in Client().get(f"/lti/register/{token}").content.decode()
    RegistrationInvite.objects.update(expires_at=timezone.now() - datetime.timedelta(1))
    assert opened(token).status_code == 400
    assert not lms.requests
    assert not Platform.objects.exists()


def test_a_configuration_url_on_a_private_address_is_never_fetched(
    lms: TestLms, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "RESOLVE", lambda host, port: ["10.0.0.5"])
    token = invite_create(actor=admin)

    response = opened(token)

    assert response.status_code == 400
    assert not lms.requests
    assert not Platform.objects.exists()


def test_a_plain_http_configuration_url_is_refused(lms: TestLms, admin: Any) -> None:
    token = invite_create(actor=admin)
    response = opened(token, openid_configuration="http://moodle.example.edu/c")
    assert response.status_code == 400
    assert "not https" in response.content.decode()
