"""Registering platforms: the command, the administrators' pages, and every LTI URL
for every role."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lectio.core.models import Event
from lectio.lti.models import Deployment, Platform

pytestmark = pytest.mark.django_db

ADD = [
    "add-platform",
    "--issuer",
    "https://canvas.example.edu",
    "--client-id",
    "10000000000001",
    "--deployment-id",
    "1:abc",
    "--auth-login-url",
    "https://canvas.example.edu/api/lti/authorize_redirect",
    "--auth-token-url",
    "https://canvas.example.edu/login/oauth2/token",
    "--jwks-url",
    "https://canvas.example.edu/api/lti/security/jwks",
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("lti", *args, stdout=out)
    return out.getvalue()


def test_add_list_and_remove_a_platform_by_command() -> None:
    assert "Registered" in run(*ADD)
    platform = Platform.objects.get()
    assert platform.client_id == "10000000000001"
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == [
        "1:abc"
    ]
    # Again with another deployment: added to the same platform.
    run(*ADD[:5], "--deployment-id", "2:def")
    assert Deployment.objects.count() == 2
    listing = run("list")
    assert "https://canvas.example.edu\t10000000000001\t1:abc,2:def" in listing
    run(
        "remove",
        "--issuer",
        "https://canvas.example.edu",
        "--client-id",
        "10000000000001",
    )
    assert not Platform.objects.exists()
    assert Event.objects.filter(verb__startswith="lti.").count() == 4


def test_a_new_platform_needs_its_urls() -> None:
    with pytest.raises(CommandError):
        run(*ADD[:7])
    with pytest.raises(CommandError):
        run(*ADD[:-1], "not a url")
    assert not Platform.objects.exists()


def test_keys_rotate_and_retire_by_command() -> None:
    from lectio.lti.keys import tool_jwks, tool_key_current

    first = tool_key_current().kid
    run("rotate-key")
    assert len(tool_jwks()["keys"]) == 2
    assert tool_key_current().kid != first
    run("retire-key", first)
    assert [k["kid"] for k in tool_jwks()["keys"]] == [tool_key_current().kid]
    with pytest.raises(CommandError):
        run("retire-key", tool_key_current().kid)


def test_an_administrator_registers_and_edits_a_platform(
    client_for: Any, admin: Any
) -> None:
    client = client_for(admin)
    page = client.get(reverse("lti:platforms"))
    body = page.content.decode()
    assert page.status_code == 200
    for url in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert f"http://testserver{url}" in body
    response = client.post(
        reverse("lti:platform_add"),
        {
            "name": "Moodle",
            "issuer": "https://moodle.example.edu",
            "client_id": "abc",
            "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
            "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
            "jwks_url": "https://moodle.example.edu/mod/lti/certs.php",
            "active": "on",
            "course_claim": "context_label",
            "administrator_role": "instructor",
            "deployment_ids": "1\n2\n",
        },
    )
    platform = Platform.objects.get()
    assert response["Location"] == reverse("lti:platform", args=[platform.pk])
    assert sorted(platform.deployments.values_list("deployment_id", flat=True)) == [
        "1",
        "2",
    ]
    edit = client.get(response["Location"])
    assert edit.status_code == 200
    data = {
        "name": "Moodle (main)",
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "auth_login_url": platform.auth_login_url,
        "auth_token_url": platform.auth_token_url,
        "jwks_url": platform.jwks_url,
        "course_claim": "lis_course_code",
        "administrator_role": "student",
        "frame_origins": "https://moodle-cdn.example.edu",
    }
    client.post(response["Location"], data)
    platform.refresh_from_db()
    assert platform.name == "Moodle (main)"
    assert platform.active is False  # unticked
    assert platform.course_claim == "lis_course_code"
    assert platform.origins == [
        "https://moodle.example.edu",
        "https://moodle-cdn.example.edu",
    ]
    client.post(
        reverse("lti:deployment_add", args=[platform.pk]), {"deployment_id": "3"}
    )
    assert platform.deployments.count() == 3
    one = platform.deployments.get(deployment_id="1")
    client.post(reverse("lti:deployment_delete", args=[platform.pk, one.pk]))
    assert platform.deployments.count() == 2


def test_a_bad_registration_shows_its_errors(client_for: Any, admin: Any) -> None:
    response = client_for(admin).post(
        reverse("lti:platform_add"), {"name": "x", "issuer": "not a url"}
    )
    assert response.status_code == 400
    assert "Please correct these" in response.content.decode()
    assert not Platform.objects.exists()


# --- every LTI URL x every role ----------------------------------------------------

ROLES = ("guest", "student", "instructor", "librarian", "admin")


@pytest.fixture
def world(
    admin: Any,
    librarian: Any,
    instructor: Any,
    student: Any,
    published_list: Any,
    course: Any,
) -> dict[str, Any]:
    from lectio.lti.services import platform_create

    platform = platform_create(
        actor=admin,
        deployment_ids=["d1"],
        name="LMS",
        issuer="https://lms.example.edu",
        client_id="c1",
        auth_login_url="https://lms.example.edu/auth",
        auth_token_url="https://lms.example.edu/token",
        jwks_url="https://lms.example.edu/jwks",
    )
    from lectio.lti.models import RosterLink

    roster = RosterLink.objects.create(
        platform=platform,
        course=course,
        memberships_url="https://lms.example.edu/nrps/1",
    )
    return {
        "roster": roster,
        "people": {
            "guest": None,
            "student": student,
            "instructor": instructor,
            "librarian": librarian,
            "admin": admin,
        },
        "platform": platform,
        "deployment": platform.deployments.get(),
        "list": published_list,
        "course": course,
    }


LOGIN = "/login/"
# URL name -> (args from the world, method, expected status per role). 302 for a
# guest means the login page.
MATRIX: dict[str, tuple[Any, str, dict[str, int]]] = {
    "platforms": (
        lambda w: [],
        "get",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 200,
        },
    ),
    "platform_add": (
        lambda w: [],
        "get",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 200,
        },
    ),
    "platform": (
        lambda w: [w["platform"].pk],
        "get",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 200,
        },
    ),
    "platform_delete": (
        lambda w: [w["platform"].pk],
        "post",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 302,
        },
    ),
    "deployment_add": (
        lambda w: [w["platform"].pk],
        "post",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 302,
        },
    ),
    "deployment_delete": (
        lambda w: [w["platform"].pk, w["deployment"].pk],
        "post",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 302,
        },
    ),
    "roster_sync": (
        lambda w: [w["platform"].pk, w["roster"].pk],
        "post",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 302,
        },
    ),
    "registration_invite": (
        lambda w: [],
        "post",
        {
            "guest": 302,
            "student": 403,
            "instructor": 403,
            "librarian": 403,
            "admin": 200,
        },
    ),
    "register": (lambda w: ["not-a-token"], "get", dict.fromkeys(ROLES, 400)),
    "jwks": (lambda w: [], "get", dict.fromkeys(ROLES, 200)),
    "open": (lambda w: ["not-a-token"], "get", dict.fromkeys(ROLES, 400)),
    "login": (lambda w: [], "get", dict.fromkeys(ROLES, 400)),  # no iss
    "launch": (lambda w: [], "post", dict.fromkeys(ROLES, 400)),  # no state
    "course": (
        lambda w: [w["course"].pk],
        "get",
        {
            "guest": 302,
            "student": 302,
            "instructor": 302,
            "librarian": 302,
            "admin": 302,
        },
    ),
    "list": (
        lambda w: [w["list"].pk],
        "get",
        {
            "guest": 302,
            "student": 200,
            "instructor": 200,
            "librarian": 200,
            "admin": 200,
        },
    ),
    "target": (
        lambda w: ["list", w["list"].pk],
        "get",
        {
            "guest": 302,
            "student": 302,
            "instructor": 302,
            "librarian": 302,
            "admin": 302,
        },
    ),
    "no_course": (
        lambda w: [],
        "get",
        {
            "guest": 302,
            "student": 200,
            "instructor": 200,
            "librarian": 200,
            "admin": 200,
        },
    ),
    "deep_link": (
        lambda w: [],
        "get",
        {
            "guest": 302,
            "student": 404,
            "instructor": 404,
            "librarian": 404,
            "admin": 404,
        },
    ),
}


def test_every_lti_route_has_an_expectation() -> None:
    from lectio.lti.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_matrix(
    client_for: Any, world: dict[str, Any], name: str, role: str
) -> None:
    args_of, method, expected = MATRIX[name]
    client = client_for(world["people"][role])
    before = (Platform.objects.count(), world["platform"].deployments.count())
    response = getattr(client, method)(reverse(f"lti:{name}", args=args_of(world)))
    assert response.status_code == expected[role]
    if role == "guest" and expected[role] == 302 and name not in ("course", "target"):
        assert response["Location"].startswith(LOGIN)
    if role != "admin":
        assert (
            Platform.objects.count(),
            world["platform"].deployments.count(),
        ) == before
    # Only embedded views lift X-Frame-Options, and only after a launch.
    if response.status_code == 200 and name not in ("jwks",):
        assert response.get("X-Frame-Options") == "DENY" or name in ("login", "launch")
