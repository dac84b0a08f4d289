"""Signing in through the university login (OpenID Connect) in a real browser: the
login page's button, the identity provider's authorization page (answered by the
test through Playwright's routing, as the provider would after the person logged
in there), the callback, and the person signed in at their home page; the
administrators' pages for the provider; axe-core's WCAG 2.2 AA rules on each."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from lectio.accounts.models import ExternalIdentity, User
from lectio.accounts.tests.test_oidc import ISSUER, TestProvider, make_provider

from .conftest import describe_violations

pytestmark = pytest.mark.browser

AxeRun = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def idp(monkeypatch: pytest.MonkeyPatch) -> TestProvider:
    return make_provider(monkeypatch)


def provider_page(idp: TestProvider) -> Callable[[Route], None]:
    """The provider's authorization endpoint after the person has logged in there:
    a code for their claims, and back to Lectio's redirect URI."""

    def answer(route: Route) -> None:
        query = {
            k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()
        }
        code = secrets.token_urlsafe(8)
        idp.codes[code] = (
            idp.claims(query["nonce"]),
            query["code_challenge"],
            query["redirect_uri"],
        )
        target = (
            query["redirect_uri"]
            + "?"
            + urlencode({"code": code, "state": query["state"]})
        )
        route.fulfill(status=302, headers={"Location": target})

    return answer


def test_a_student_signs_in_through_the_university_login(
    page: Page, idp: TestProvider, axe_violations: AxeRun
) -> None:
    page.route(f"{ISSUER}/auth**", provider_page(idp))
    page.goto("/login/")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.get_by_role("link", name="Sign in with University login").click()

    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/courses/$"))
    user = ExternalIdentity.objects.get(sub="person-1").user
    assert user.username == "alovelace"
    expect(page.get_by_role("banner")).to_contain_text("Ada")


def test_a_refused_sign_in_says_why(
    page: Page, idp: TestProvider, axe_violations: AxeRun
) -> None:
    idp.provider.create_accounts = False
    idp.provider.save()
    page.route(f"{ISSUER}/auth**", provider_page(idp))
    page.goto("/login/")

    page.get_by_role("link", name="Sign in with University login").click()

    expect(page.get_by_role("alert")).to_contain_text("no Lectio account")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert not User.objects.filter(username="alovelace").exists()


def test_admin_pages_for_the_identity_provider(
    page: Page,
    idp: TestProvider,
    admin: User,
    login: Callable[[Page, User], None],
    axe_violations: AxeRun,
) -> None:
    login(page, admin)
    page.get_by_role("link", name="Sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Signing in through the university login"
    )
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.get_by_role("link", name="University login").click()
    page.get_by_label("Scopes").fill("email")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("The scopes must include openid")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
