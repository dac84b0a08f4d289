"""Launches from the test platform through the real /lti/login and /lti/launch: the
valid ones per role, the 1EdTech certification's bad payloads and more, replay, state
from another browser, and key rotation at the platform."""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lectio.accounts.models import Role, User
from lectio.courses.models import Course, CourseRole, Enrolment
from lectio.lti import claims as c
from lectio.lti.launch import BROWSER_COOKIE
from lectio.lti.models import LoginState, PlatformUser, UsedNonce
from lectio.lti.tests.conftest import (
    ADMIN_ROLE,
    CLIENT_ID,
    INSTRUCTOR_ROLE,
    ISSUER,
    LEARNER_ROLE,
    TA_ROLE,
    TestPlatform,
    account_state,
    new_sub,
)

pytestmark = pytest.mark.django_db


def landed_user(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


# --- valid launches ----------------------------------------------------------------


def test_instructor_launch_lands_on_the_course_list(
    test_platform: TestPlatform, reading_list: Any, course: Course
) -> None:
    client = Client()
    response = test_platform.launch(client, roles=[INSTRUCTOR_ROLE], sub=new_sub())
    assert response.status_code == 303
    assert response["Location"] == reverse("lti:course", args=[course.pk])
    user = landed_user(client)
    assert user.role == Role.INSTRUCTOR
    assert (user.first_name, user.last_name, user.email) == (
        "Lena",
        "Learner",
        "lena@example.edu",
    )
    assert not user.has_usable_password()
    assert Enrolment.objects.get(user=user, course=course).role == CourseRole.INSTRUCTOR
    page = client.get(response["Location"])
    assert page.status_code == 302
    assert page["Location"] == reverse("lti:list", args=[reading_list.pk])
    listing = client.get(page["Location"])
    assert listing.status_code == 200
    assert "Reading the Canon: core reading" in listing.content.decode()
    # The draft's instructor is told students do not see it yet.
    assert "Students do not see this list" in listing.content.decode()


def test_student_launch_lands_on_the_published_list(
    test_platform: TestPlatform, published_list: Any, course: Course
) -> None:
    client = Client()
    response = test_platform.launch(client, roles=[LEARNER_ROLE])
    user = landed_user(client)
    assert user.role == Role.STUDENT
    assert Enrolment.objects.get(user=user, course=course).role == CourseRole.STUDENT
    listing = client.get(response["Location"], follow=True)
    body = listing.content.decode()
    assert listing.status_code == 200
    assert "The Canon and Its Critics" in body  # Complete
    assert "Reading Against the Grain" not in body  # BeingPrepared
    assert "Edit in Lectio" not in body


def test_a_second_launch_finds_the_same_account(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.launch(Client(), sub="same-person")
    test_platform.launch(Client(), sub="same-person", given_name="Lena-Marie")
    links = PlatformUser.objects.filter(sub="same-person")
    assert links.count() == 1
    assert links.get().user.first_name == "Lena-Marie"


def test_primary_id_links_to_the_existing_account(
    test_platform: TestPlatform, student: User
) -> None:
    User.objects.filter(pk=student.pk).update(primary_id="S-0001")
    client = Client()
    test_platform.launch(client, **{c.LIS: {"person_sourcedid": "S-0001"}})
    assert landed_user(client) == student
    assert User.objects.count() == 1


def test_email_links_only_when_the_institution_chose_it(
    test_platform: TestPlatform, student: User
) -> None:
    User.objects.filter(pk=student.pk).update(email="lena@example.edu")
    client = Client()
    test_platform.launch(client, sub=new_sub())
    assert landed_user(client) != student
    User.objects.exclude(pk=student.pk).delete()  # one account with the address
    test_platform.platform.link_by_email = True
    test_platform.platform.save()
    client = Client()
    test_platform.launch(client, sub=new_sub())
    assert landed_user(client) == student


@pytest.mark.parametrize(
    ("roles", "role", "course_role"),
    [
        ([INSTRUCTOR_ROLE], Role.INSTRUCTOR, CourseRole.INSTRUCTOR),
        (["Instructor"], Role.INSTRUCTOR, CourseRole.INSTRUCTOR),  # short name
        ([INSTRUCTOR_ROLE, TA_ROLE], Role.INSTRUCTOR, CourseRole.TEACHING_ASSISTANT),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"],
            Role.INSTRUCTOR,
            CourseRole.INSTRUCTOR,
        ),
        ([LEARNER_ROLE], Role.STUDENT, CourseRole.STUDENT),
        (["Learner"], Role.STUDENT, CourseRole.STUDENT),
        (
            [
                LEARNER_ROLE,
                "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty",
            ],
            Role.STUDENT,
            CourseRole.STUDENT,
        ),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mystery"],
            Role.STUDENT,
            CourseRole.STUDENT,
        ),
        ([], Role.STUDENT, CourseRole.STUDENT),  # empty roles
        ([ADMIN_ROLE], Role.INSTRUCTOR, CourseRole.INSTRUCTOR),  # as configured
    ],
)
def test_roles_map_to_lectio_roles(
    test_platform: TestPlatform,
    course: Course,
    roles: list[str],
    role: str,
    course_role: str,
) -> None:
    client = Client()
    response = test_platform.launch(client, roles=roles, sub=new_sub())
    assert response.status_code == 303
    user = landed_user(client)
    assert user.role == role
    assert Enrolment.objects.get(user=user, course=course).role == course_role


def test_administrators_can_be_mapped_to_students(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.platform.administrator_role = "student"
    test_platform.platform.save()
    client = Client()
    test_platform.launch(client, roles=[ADMIN_ROLE])
    assert landed_user(client).role == Role.STUDENT


@pytest.mark.parametrize(
    "drop",
    [
        ("email",),  # only names
        ("given_name", "family_name", "name"),  # only e-mail
        ("given_name", "family_name", "name", "email"),  # no personal data
    ],
)
def test_launches_with_little_personal_data(
    test_platform: TestPlatform, course: Course, drop: tuple[str, ...]
) -> None:
    def strip(claims: dict[str, Any]) -> None:
        for key in drop:
            del claims[key]

    client = Client()
    response = test_platform.launch(client, mutate=strip, sub=new_sub())
    assert response.status_code == 303
    user = landed_user(client)
    assert user.username.startswith("lti-")
    assert Enrolment.objects.filter(user=user, course=course).exists()


def test_a_launch_without_context_lands_on_the_no_course_page(
    test_platform: TestPlatform, course: Course
) -> None:
    client = Client()
    response = test_platform.launch(client, context_label=None)
    assert response["Location"] == reverse("lti:no_course")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "did not say which course" in page.content.decode()
    assert not Enrolment.objects.exists()


def test_an_unknown_course_is_not_created(
    test_platform: TestPlatform, course: Course
) -> None:
    client = Client()
    response = test_platform.launch(client, context_label="NOPE999")
    assert response["Location"] == reverse("lti:no_course")
    assert "NOPE999" in client.get(response["Location"]).content.decode()
    assert Course.objects.count() == 1


@pytest.mark.parametrize(
    ("course_claim", "extra"),
    [
        ("lis_course_code", {c.CUSTOM: {"lis_course_code": "LIT101-B"}}),
        ("course_section_sourcedid", {c.LIS: {"course_section_sourcedid": "LIT101-B"}}),
        ("context_label", {c.CONTEXT: {"id": "x", "label": "LIT101-B"}}),
    ],
)
def test_the_course_is_matched_by_the_claim_the_institution_chose(
    test_platform: TestPlatform,
    course: Course,
    course_claim: str,
    extra: dict[str, Any],
) -> None:
    section_b = Course.objects.create(code="LIT101", section="B", name="Canon, B")
    test_platform.platform.course_claim = course_claim
    test_platform.platform.save()
    client = Client()
    response = test_platform.launch(client, **extra)
    assert response["Location"] == reverse("lti:course", args=[section_b.pk])


# --- refused launches --------------------------------------------------------------


def _without(*names: str) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        for name in names:
            claims.pop(name, None)

    return mutate


def _set(**values: Any) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        for name, value in values.items():
            claims[name] = value

    return mutate


BAD_PAYLOADS: dict[str, dict[str, Any]] = {
    # The 1EdTech certification's tool tests.
    "no kid": {"sign": {"kid": ""}},
    "wrong kid": {"sign": {"kid": "not-a-key-of-the-platform"}},
    "bad signature": {"sign": {"key_name": "attacker"}},
    "expired": {"mutate": _set(exp=int(time.time()) - 600, iat=int(time.time()) - 900)},
    "wrong LTI version": {"mutate": _set(**{c.VERSION: "1.1"})},
    "no LTI version": {"mutate": _without(c.VERSION)},
    "missing LTI claims": {
        "mutate": _without(
            c.VERSION, c.MESSAGE_TYPE, c.DEPLOYMENT_ID, c.ROLES, c.RESOURCE_LINK
        )
    },
    "iat 30 days ago": {
        "mutate": _set(iat=int(time.time()) - 30 * 86400, exp=int(time.time()) + 300)
    },
    "iat in the future": {"mutate": _set(iat=int(time.time()) + 3600)},
    "no iat": {"mutate": _without("iat")},
    "no exp": {"mutate": _without("exp")},
    "no message type": {"mutate": _without(c.MESSAGE_TYPE)},
    "wrong message type": {"mutate": _set(**{c.MESSAGE_TYPE: "LtiSubmissionReview"})},
    "no roles claim": {"mutate": _without(c.ROLES)},
    "no deployment id": {"mutate": _without(c.DEPLOYMENT_ID)},
    "wrong deployment": {"mutate": _set(**{c.DEPLOYMENT_ID: "deployment-999"})},
    "no resource link id": {"mutate": _set(**{c.RESOURCE_LINK: {"title": "x"}})},
    "no sub": {"mutate": _without("sub")},
    "empty sub": {"mutate": _set(sub="")},
    # Beyond the certification.
    "wrong iss": {"mutate": _set(iss="https://evil.example.com")},
    "wrong aud": {"mutate": _set(aud="someone-else")},
    "aud list with another azp": {
        "mutate": _set(aud=[CLIENT_ID, "other"], azp="other")
    },
    "aud list without azp": {"mutate": _set(aud=[CLIENT_ID, "other"])},
    "aud list of others only": {"mutate": _set(aud=["other", "more"], azp="other")},
    "no nonce": {"mutate": _without("nonce")},
    "wrong nonce": {"mutate": _set(nonce="not-the-login-nonce")},
    "deep linking without return URL": {
        "message_type": c.DEEP_LINKING_REQUEST,
        "mutate": _set(**{c.DEEP_LINKING_SETTINGS: {"accept_types": []}}),
    },
    "not a JWT": {"token": "this.is-not-a.jwt"},
    "garbage": {"token": "garbage"},
}


@pytest.mark.parametrize("case", sorted(BAD_PAYLOADS))
def test_bad_payloads_are_refused_with_nothing_created(
    test_platform: TestPlatform,
    course: Course,
    case: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = account_state()
    client = Client()
    with caplog.at_level(logging.WARNING, logger="lectio.lti"):
        response = test_platform.launch(client, **BAD_PAYLOADS[case])
    assert response.status_code == 400
    assert "Lectio could not open" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert account_state() == before
    assert any("LTI launch refused" in r.getMessage() for r in caplog.records)


def test_only_rs256_is_accepted(test_platform: TestPlatform, course: Course) -> None:
    import jwt

    before = account_state()
    client = Client()
    answer = test_platform.login(client)
    claims = test_platform.claims(nonce=answer.nonce)
    for token in (
        jwt.encode(
            claims,
            "a-shared-secret-of-thirty-two-bytes-or-more",
            algorithm="HS256",
            headers={"kid": test_platform.kid},
        ),
        jwt.encode(claims, None, algorithm="none", headers={"kid": test_platform.kid}),
    ):
        response = client.post(
            "/lti/launch", {"id_token": token, "state": answer.state}
        )
        assert response.status_code == 400
        answer = test_platform.login(client)
        claims = test_platform.claims(nonce=answer.nonce)
    assert account_state() == before


@pytest.mark.parametrize("header", ["jku", "x5u", "jwk"])
def test_keys_named_by_the_token_are_ignored(
    test_platform: TestPlatform, course: Course, header: str
) -> None:
    """A token signed by the attacker's key, pointing at the attacker's key set (or
    carrying the key itself) is checked against the registered key set only."""
    from lectio.lti.tests.conftest import public_jwk, rsa_key

    value: Any = (
        public_jwk(rsa_key("attacker"), "attacker-key")
        if header == "jwk"
        else "https://evil.example.com/jwks"
    )
    before = account_state()
    response = test_platform.launch(
        Client(),
        sign={
            "kid": "attacker-key",
            "key_name": "attacker",
            "headers": {header: value},
        },
    )
    assert response.status_code == 400
    assert account_state() == before
    hosts = {r.headers["host"] for r in test_platform.jwks_requests}
    assert hosts == {"lms.example.edu"}


def test_a_launch_without_login_is_refused(
    test_platform: TestPlatform, course: Course
) -> None:
    """The certification posts tokens straight to the launch URL: no state, no go."""
    token = test_platform.sign(test_platform.claims(nonce="n"))
    response = Client().post("/lti/launch", {"id_token": token, "state": "made-up"})
    assert response.status_code == 400
    assert not User.objects.exists()


# --- replay and browser binding ----------------------------------------------------


def test_a_replayed_launch_is_refused(
    test_platform: TestPlatform, course: Course
) -> None:
    client = Client()
    answer = test_platform.login(client)
    token = test_platform.sign(test_platform.claims(nonce=answer.nonce))
    first = client.post("/lti/launch", {"id_token": token, "state": answer.state})
    assert first.status_code == 303
    before = account_state()
    again = client.post("/lti/launch", {"id_token": token, "state": answer.state})
    assert again.status_code == 400
    assert "already used" in again.content.decode()
    # With a fresh login of its own, the old token's nonce is not this login's.
    fresh = test_platform.login(client)
    third = client.post("/lti/launch", {"id_token": token, "state": fresh.state})
    assert third.status_code == 400
    assert account_state() == before


def test_a_used_nonce_is_refused_even_if_its_state_came_back(
    test_platform: TestPlatform, course: Course
) -> None:
    """Two processes reading one state before either consumes it: the nonce's
    unique constraint lets one launch through."""
    client = Client()
    answer = test_platform.login(client)
    row = LoginState.objects.get(state=answer.state)
    token = test_platform.sign(test_platform.claims(nonce=answer.nonce))
    assert (
        client.post(
            "/lti/launch", {"id_token": token, "state": answer.state}
        ).status_code
        == 303
    )
    row.pk = None
    row.save()  # the state again, as a second process would still have seen it
    again = client.post("/lti/launch", {"id_token": token, "state": answer.state})
    assert again.status_code == 400
    assert UsedNonce.objects.filter(nonce=answer.nonce).count() == 1


def test_state_from_another_browser_is_refused(
    test_platform: TestPlatform, course: Course
) -> None:
    victim, attacker = Client(), Client()
    answer = test_platform.login(victim)
    token = test_platform.sign(test_platform.claims(nonce=answer.nonce))
    attacker.cookies[BROWSER_COOKIE] = "the-attackers-own"
    before = account_state()
    for other in (attacker, Client()):  # a different cookie, and none at all
        response = other.post("/lti/launch", {"id_token": token, "state": answer.state})
        assert response.status_code == 400
        assert "another browser" in response.content.decode()
    assert account_state() == before
    # The browser that began the login still can.
    assert (
        victim.post(
            "/lti/launch", {"id_token": token, "state": answer.state}
        ).status_code
        == 303
    )


def test_an_expired_state_is_refused(
    test_platform: TestPlatform, course: Course
) -> None:
    client = Client()
    answer = test_platform.login(client)
    LoginState.objects.filter(state=answer.state).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    token = test_platform.sign(test_platform.claims(nonce=answer.nonce))
    response = client.post("/lti/launch", {"id_token": token, "state": answer.state})
    assert response.status_code == 400


def test_two_logins_in_one_browser_both_launch(
    test_platform: TestPlatform, course: Course
) -> None:
    client = Client()
    first, second = test_platform.login(client), test_platform.login(client)
    for answer in (second, first):
        token = test_platform.sign(test_platform.claims(nonce=answer.nonce))
        response = client.post(
            "/lti/launch", {"id_token": token, "state": answer.state}
        )
        assert response.status_code == 303


def test_the_browser_cookie_is_samesite_none_secure(
    test_platform: TestPlatform,
) -> None:
    answer = test_platform.login(Client())
    cookie = answer.response.cookies[BROWSER_COOKIE]
    assert cookie["samesite"] == "None"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["path"] == "/lti/"
    # Kept by browsers that block third-party cookies, for the LMS's site only.
    assert cookie.output().endswith("; Partitioned")


def test_session_cookies_for_the_iframe_are_partitioned(
    test_platform: TestPlatform, course: Course, settings: Any
) -> None:
    settings.SESSION_COOKIE_SAMESITE = "None"
    settings.SESSION_COOKIE_SECURE = True
    response = test_platform.launch(Client())
    session = response.cookies[settings.SESSION_COOKIE_NAME].output()
    assert "SameSite=None" in session
    assert "Secure" in session
    assert session.endswith("; Partitioned")


def test_login_redirects_to_the_platform_with_state_and_nonce(
    test_platform: TestPlatform,
) -> None:
    answer = test_platform.login(Client())
    assert answer.response["Location"].startswith(f"{ISSUER}/auth?")
    assert answer.query["client_id"] == CLIENT_ID
    assert answer.query["redirect_uri"] == "http://testserver/lti/launch"
    assert answer.query["response_mode"] == "form_post"
    assert answer.query["login_hint"] == "hint-1"
    assert answer.query["lti_message_hint"] == "message-hint-1"
    assert answer.query["scope"] == "openid"
    assert len(answer.state) >= 40 and len(answer.nonce) >= 40
    # GET works too.
    response = Client().get(
        "/lti/login",
        {"iss": ISSUER, "login_hint": "h", "target_link_uri": "http://testserver/x"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "params",
    [
        {"iss": "https://unknown.example.com"},
        {"lti_deployment_id": "deployment-999"},
        {"client_id": "someone-else"},
        {"login_hint": ""},
    ],
)
def test_bad_logins_are_refused(
    test_platform: TestPlatform, params: dict[str, str]
) -> None:
    answer = test_platform.login(Client(), **params)
    assert answer.response.status_code == 400
    assert not LoginState.objects.exists()


def test_an_inactive_platform_cannot_launch(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.platform.active = False
    test_platform.platform.save()
    assert test_platform.login(Client()).response.status_code == 400


# --- the platform's keys -----------------------------------------------------------


def test_key_rotation_at_the_platform_refetches_once(
    test_platform: TestPlatform, course: Course
) -> None:
    assert test_platform.launch(Client(), sub=new_sub()).status_code == 303
    assert test_platform.launch(Client(), sub=new_sub()).status_code == 303
    assert len(test_platform.jwks_requests) == 1  # cached
    test_platform.rotate("platform-key-2", "platform-2")
    assert test_platform.launch(Client(), sub=new_sub()).status_code == 303
    assert len(test_platform.jwks_requests) == 2  # one fresh fetch on the new kid
    # The old key is gone from the platform's set: a token signed with it fails.
    old = test_platform.launch(
        Client(), sign={"kid": "platform-key-1", "key_name": "platform-1"}
    )
    assert old.status_code == 400
    # Nor does an unknown kid moments after a fresh fetch make Lectio fetch again.
    unknown = test_platform.launch(Client(), sign={"kid": "nobody"})
    assert unknown.status_code == 400
    assert len(test_platform.jwks_requests) == 2


def test_unknown_kid_fetches_once_then_fails(
    test_platform: TestPlatform, course: Course
) -> None:
    assert test_platform.launch(Client()).status_code == 303
    for _ in range(3):
        assert test_platform.launch(Client(), sign={"kid": "nobody"}).status_code == 400
    assert len(test_platform.jwks_requests) == 2


def test_the_key_set_is_fetched_through_the_guarded_client(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.launch(Client())
    request = test_platform.jwks_requests[0]
    # Connected to the address the name resolved to, with the name as Host.
    assert request.url.host == "93.184.216.34"
    assert request.headers["host"] == "lms.example.edu"
    assert request.extensions["timeout"]["read"] <= 5.0


def test_a_key_set_that_times_out_refuses_the_launch(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.jwks_error = httpx.ReadTimeout("too slow")
    before = account_state()
    response = test_platform.launch(Client())
    assert response.status_code == 400
    assert "could not read the learning platform" in response.content.decode()
    assert account_state() == before


def test_a_key_set_url_in_a_private_network_is_not_fetched(
    test_platform: TestPlatform, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lectio.lti import keys

    monkeypatch.setattr(keys, "RESOLVE", lambda host, port: ["10.0.0.7"])
    response = test_platform.launch(Client())
    assert response.status_code == 400
    assert test_platform.jwks_requests == []


# --- framing and cookies -----------------------------------------------------------


def test_embedded_views_may_be_framed_only_by_the_platform(
    test_platform: TestPlatform, published_list: Any
) -> None:
    client = Client()
    response = test_platform.launch(client)
    page = client.get(response["Location"], follow=True)
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == f"frame-ancestors {ISSUER}"
    assert "X-Frame-Options" not in page
    # The rest of the site keeps refusing frames.
    other = client.get(reverse("lists:reader_home"))
    assert other["X-Frame-Options"] == "DENY"


def test_embedded_views_without_a_launch_refuse_frames(
    client_for: Any, student: User, published_list: Any
) -> None:
    page = client_for(student).get(reverse("lti:list", args=[published_list.pk]))
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in page


def test_refusal_pages_can_be_shown_in_the_platforms_frame(
    test_platform: TestPlatform,
) -> None:
    test_platform.platform.frame_origins = "https://school.lms.example.edu"
    test_platform.platform.save()
    response = test_platform.login(Client(), iss="https://unknown.example.com").response
    assert response["Content-Security-Policy"] == (
        f"frame-ancestors {ISSUER} https://school.lms.example.edu"
    )


def test_an_instructor_launch_makes_the_course_where_allowed(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.platform.create_courses = True
    test_platform.platform.save()
    # A student's launch never makes one.
    student = Client()
    response = test_platform.launch(student, context_label="NEW200", sub=new_sub())
    assert response["Location"] == reverse("lti:no_course")
    assert not Course.objects.filter(code="NEW200").exists()
    client = Client()
    response = test_platform.launch(
        client,
        roles=[INSTRUCTOR_ROLE],
        sub=new_sub(),
        **{c.CONTEXT: {"id": "ctx-new", "label": "NEW200", "title": "New Course"}},
    )
    made = Course.objects.get(code="NEW200")
    assert made.name == "New Course"
    assert response["Location"] == reverse("lti:course", args=[made.pk])
    assert Enrolment.objects.get(course=made).role == CourseRole.INSTRUCTOR


def test_a_refused_launch_makes_no_course(
    test_platform: TestPlatform, course: Course
) -> None:
    test_platform.platform.create_courses = True
    test_platform.platform.save()
    response = test_platform.launch(
        Client(),
        roles=[INSTRUCTOR_ROLE],
        context_label="NEW300",
        mutate=_set(aud="someone-else"),
    )
    assert response.status_code == 400
    assert not Course.objects.filter(code="NEW300").exists()


def test_a_frame_without_a_session_explains_instead_of_the_login_page(
    test_platform: TestPlatform, published_list: Any
) -> None:
    url = reverse("lti:list", args=[published_list.pk])
    framed = Client().get(url, headers={"Sec-Fetch-Dest": "iframe"})
    assert framed.status_code == 401
    assert "did not keep Lectio's sign-in" in framed.content.decode()
    assert framed["Content-Security-Policy"] == f"frame-ancestors {ISSUER}"
    assert "X-Frame-Options" not in framed
    # Top level, a guest goes to the login page as anywhere else.
    top = Client().get(url)
    assert top.status_code == 302
    assert top["Location"].startswith("/login/")


def test_the_embedded_list_costs_few_queries(
    test_platform: TestPlatform,
    published_list: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = Client()
    test_platform.launch(client)
    url = reverse("lti:list", args=[published_list.pk])
    client.get(url)
    # session, user, list with the facts, the platform's origins
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
