"""Roster sync (NRPS 2.0): the test platform's token URL checks the tool's client
assertion as a platform would, and its names-and-roles service pages its members;
Lectio reads them through the guarded client and makes enrolments."""

from __future__ import annotations

from io import StringIO
from typing import Any

import httpx
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from lectio.accounts.models import Role, User
from lectio.courses.models import CourseRole, Enrolment, EnrolmentSource
from lectio.lists.models import Collaborator, CollaboratorRight
from lectio.lti.models import PlatformUser, RosterLink, RosterStatus
from lectio.lti.roster import RosterFailed, next_link, roster_note, roster_sync
from lectio.lti.tests.conftest import (
    INSTRUCTOR_ROLE,
    ISSUER,
    TA_ROLE,
    TestPlatform,
    member,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roster(test_platform: TestPlatform, course: Any) -> RosterLink:
    return RosterLink.objects.create(
        platform=test_platform.platform,
        course=course,
        context_id="context-1",
        memberships_url=f"{ISSUER}/nrps/context-1",
    )


def enrolled(course: Any) -> dict[str, tuple[str, str]]:
    """username -> (role, source) of the course's enrolments."""
    return {
        e.user.username: (e.role, e.source)
        for e in Enrolment.objects.filter(course=course).select_related("user")
    }


def state(course: Any) -> tuple[Any, ...]:
    return (
        User.objects.count(),
        PlatformUser.objects.count(),
        sorted(
            Enrolment.objects.filter(course=course).values_list(
                "user_id", "role", "source"
            )
        ),
    )


def lms_user(test_platform: TestPlatform, sub: str) -> User:
    return PlatformUser.objects.get(platform=test_platform.platform, sub=sub).user


# --- reading and applying ------------------------------------------------------------


def test_sync_reads_every_page_and_enrols_each_member_with_their_role(
    test_platform: TestPlatform, roster: RosterLink, course: Any
) -> None:
    test_platform.page_size = 2
    test_platform.members = [
        member("s1"),
        member("s2"),
        member("t1", roles=[INSTRUCTOR_ROLE]),
        member("ta1", roles=[TA_ROLE]),
        member("s3"),
    ]
    before = Enrolment.objects.filter(course=course).count()

    result = roster_sync(roster)

    assert result.as_dict() == {
        "added": 5,
        "raised": 0,
        "removed": 0,
        "unchanged": 0,
        "inactive": 0,
        "owners": 0,
        "skipped": 0,
    }
    assert len(test_platform.nrps_requests) == 3  # 2 + 2 + 1
    assert len(test_platform.token_requests) == 1
    assert Enrolment.objects.filter(course=course).count() == before + 5
    assert lms_user(test_platform, "t1").role == Role.INSTRUCTOR
    assert lms_user(test_platform, "s1").role == Role.STUDENT
    assert lms_user(test_platform, "s1").email == "s1@example.edu"
    roles = {
        sub: Enrolment.objects.get(
            course=course, user=lms_user(test_platform, sub)
        ).role
        for sub in ("s1", "t1", "ta1")
    }
    assert roles == {
        "s1": CourseRole.STUDENT,
        "t1": CourseRole.INSTRUCTOR,
        "ta1": CourseRole.TEACHING_ASSISTANT,
    }
    lms_ids = PlatformUser.objects.values_list("user_id", flat=True)
    assert set(
        Enrolment.objects.filter(course=course, user_id__in=lms_ids).values_list(
            "source", flat=True
        )
    ) == {EnrolmentSource.LMS}
    roster.refresh_from_db()
    assert roster.status == RosterStatus.OK
    assert roster.counts["added"] == 5
    assert roster.synced_at is not None
    request = test_platform.nrps_requests[0]
    assert request.headers["authorization"] == f"Bearer {test_platform.tokens[0]}"
    assert "membershipcontainer" in request.headers["accept"]


def test_second_sync_changes_nothing_and_reuses_the_token(
    test_platform: TestPlatform, roster: RosterLink, course: Any
) -> None:
    test_platform.members = [member("s1"), member("t1", roles=[INSTRUCTOR_ROLE])]
    roster_sync(roster)
    before = state(course)

    result = roster_sync(roster)

    assert (result.added, result.unchanged, result.removed) == (0, 2, 0)
    assert state(course) == before
    assert len(test_platform.token_requests) == 1


def test_a_member_who_left_loses_only_the_enrolment_the_lms_made(
    test_platform: TestPlatform, roster: RosterLink, course: Any, student: Any
) -> None:
    # `student` is enrolled by the student information system; the LMS lists them
    # too (by their primary id), then drops them.
    student.primary_id = "SIS-1"
    student.save()
    test_platform.members = [
        member("s1"),
        member("s2"),
        member("sis", lis_person_sourcedid="SIS-1"),
    ]
    roster_sync(roster)
    assert lms_user(test_platform, "sis") == student  # linked, not a second account
    sis_enrolment = Enrolment.objects.get(course=course, user=student)
    assert sis_enrolment.source == EnrolmentSource.OTHER

    test_platform.members = [member("s1", status="Inactive")]
    result = roster_sync(roster)

    assert (result.removed, result.inactive) == (2, 1)
    names = enrolled(course)
    assert lms_user(test_platform, "s1").username not in names
    assert lms_user(test_platform, "s2").username not in names
    assert names[student.username] == (CourseRole.STUDENT, EnrolmentSource.OTHER)


def test_a_roster_never_lowers_a_role(
    test_platform: TestPlatform, roster: RosterLink, course: Any, instructor: Any
) -> None:
    instructor.primary_id = "SIS-T"
    instructor.save()
    test_platform.members = [member("t", lis_person_sourcedid="SIS-T")]  # a learner

    roster_sync(roster)

    assert Enrolment.objects.get(course=course, user=instructor).role == (
        CourseRole.INSTRUCTOR
    )
    instructor.refresh_from_db()
    assert instructor.role == Role.INSTRUCTOR


def test_a_student_the_roster_says_teaches_is_raised(
    test_platform: TestPlatform, roster: RosterLink, course: Any
) -> None:
    test_platform.members = [member("p")]
    roster_sync(roster)
    test_platform.members = [member("p", roles=[INSTRUCTOR_ROLE])]

    result = roster_sync(roster)

    assert result.raised == 1
    person = lms_user(test_platform, "p")
    assert person.role == Role.INSTRUCTOR
    assert Enrolment.objects.get(course=course, user=person).role == (
        CourseRole.INSTRUCTOR
    )


def test_instructors_become_list_owners_where_the_platform_says_so(
    test_platform: TestPlatform, roster: RosterLink, course: Any, reading_list: Any
) -> None:
    test_platform.platform.roster_owners = True
    test_platform.platform.save()
    test_platform.members = [member("t1", roles=[INSTRUCTOR_ROLE]), member("s1")]

    result = roster_sync(roster)

    assert result.owners == 1
    teacher = lms_user(test_platform, "t1")
    assert Collaborator.objects.get(reading_list=reading_list, user=teacher).right == (
        CollaboratorRight.OWNER
    )
    assert not Collaborator.objects.filter(user=lms_user(test_platform, "s1")).exists()
    assert roster_sync(roster).owners == 0  # once


def test_no_owners_unless_the_platform_says_so(
    test_platform: TestPlatform, roster: RosterLink, reading_list: Any
) -> None:
    test_platform.members = [member("t1", roles=[INSTRUCTOR_ROLE])]

    roster_sync(roster)

    assert not Collaborator.objects.filter(user=lms_user(test_platform, "t1")).exists()


def test_a_member_without_user_id_is_skipped_and_reported(
    test_platform: TestPlatform, roster: RosterLink, course: Any
) -> None:
    test_platform.members = [member("s1"), {"status": "Active", "roles": []}]

    result = roster_sync(roster)

    assert (result.added, len(result.skipped)) == (1, 1)
    roster.refresh_from_db()
    assert roster.message == "member 2 has no user_id"
    assert roster.counts["skipped"] == 1


# --- a roster that cannot be read changes nothing ------------------------------------


def _json(status: int, body: Any = None, **headers: str) -> Any:
    return lambda request: httpx.Response(status, json=body or {}, headers=headers)


@pytest.mark.parametrize(
    ("where", "answer", "reason"),
    [
        ("token", _json(500), "the token URL answered 500"),
        ("token", _json(200, {"token_type": "Bearer"}), "has no access_token"),
        ("nrps", _json(404), "the memberships URL answered 404"),
        ("nrps", _json(200, {"members": "none"}), "not a membership container"),
        (
            "nrps",
            _json(302, location="https://elsewhere.example.org/steal"),
            "memberships URL: the address redirects too many times",
        ),
        (
            "nrps",
            _json(
                200,
                {"members": [member("x")]},
                link='<https://elsewhere.example.org/nrps/2>; rel="next"',
            ),
            "a roster page is on another site",
        ),
        (
            "nrps",
            _json(
                200,
                {"members": [member("x")]},
                link=f'<{ISSUER}/nrps/context-1>; rel="next"',
            ),
            "go round in a circle",
        ),
    ],
)
def test_a_roster_that_cannot_be_read_changes_nothing(
    test_platform: TestPlatform,
    roster: RosterLink,
    course: Any,
    where: str,
    answer: Any,
    reason: str,
) -> None:
    test_platform.members = [member("s1")]
    if where == "token":
        test_platform.token_answer = answer
    else:
        test_platform.nrps_answer = answer
    before = state(course)

    with pytest.raises(RosterFailed, match=reason):
        roster_sync(roster)

    assert state(course) == before
    roster.refresh_from_db()
    assert roster.status == RosterStatus.FAILED
    assert reason in roster.message
    # Nothing followed the redirect or the foreign next page with the token.
    assert all(
        r.url.host != "elsewhere.example.org" for r in test_platform.nrps_requests
    )


def test_a_refused_token_is_forgotten(
    test_platform: TestPlatform, roster: RosterLink
) -> None:
    test_platform.members = [member("s1")]
    roster_sync(roster)
    test_platform.tokens.clear()  # the platform revoked it

    with pytest.raises(RosterFailed, match="401"):
        roster_sync(roster)
    roster_sync(roster)  # a new token

    assert len(test_platform.token_requests) == 2


def test_a_roster_over_the_cap_is_refused(
    test_platform: TestPlatform, roster: RosterLink, course: Any, settings: Any
) -> None:
    settings.LECTIO_LTI_ROSTER_MAX_MEMBERS = 3
    test_platform.page_size = 2
    test_platform.members = [member(f"s{i}") for i in range(5)]
    before = state(course)

    with pytest.raises(RosterFailed, match="more than 3 members"):
        roster_sync(roster)

    assert state(course) == before


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://a.example/p2>; rel="next"', "https://a.example/p2"),
        (
            '<https://a.example/d>; rel="differences", <https://a.example/p2>; rel=next',
            "https://a.example/p2",
        ),
        ('<https://a.example/p1>; rel="prev first"', ""),
        ("", ""),
        ("garbage", ""),
    ],
)
def test_next_link(header: str, expected: str) -> None:
    assert next_link(header) == expected


# --- from a launch -------------------------------------------------------------------


def test_a_launch_with_the_service_claim_reads_the_roster(
    test_platform: TestPlatform,
    course: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE
    test_platform.members = [member("s1"), member("t1", roles=[INSTRUCTOR_ROLE])]

    with django_capture_on_commit_callbacks(execute=True):
        response = test_platform.launch(
            Client(), roles=[INSTRUCTOR_ROLE], **test_platform.nrps_claim()
        )

    assert response.status_code == 303
    link = RosterLink.objects.get(platform=test_platform.platform, course=course)
    assert link.memberships_url == f"{ISSUER}/nrps/context-1"
    assert link.context_id == "context-1"
    assert link.status == RosterStatus.OK
    assert lms_user(test_platform, "s1").enrolments.filter(course=course).exists()

    # A second launch soon after does not read it again.
    with django_capture_on_commit_callbacks(execute=True):
        test_platform.launch(Client(), **test_platform.nrps_claim())
    assert len(test_platform.token_requests) == 1


def test_a_launch_without_the_claim_or_with_sync_off_reads_nothing(
    test_platform: TestPlatform, course: Any
) -> None:
    test_platform.launch(Client())
    assert not RosterLink.objects.exists()

    test_platform.platform.roster_sync = False
    test_platform.platform.save()
    test_platform.launch(Client(), **test_platform.nrps_claim())
    assert not RosterLink.objects.exists()
    assert not test_platform.token_requests


def test_roster_note_ignores_unusable_claims(
    test_platform: TestPlatform, course: Any
) -> None:
    for claim in (
        None,
        "https://lms.example.edu/nrps",
        {"context_memberships_url": "javascript:alert(1)"},
        {"context_memberships_url": f"{ISSUER}/nrps/1", "service_versions": ["1.0"]},
    ):
        assert (
            roster_note(
                platform=test_platform.platform,
                course=course,
                claim=claim,
                context_id="c",
            )
            is None
        )
    assert not RosterLink.objects.exists()


def test_a_changed_memberships_url_is_kept(
    test_platform: TestPlatform, roster: RosterLink, course: Any
) -> None:
    roster_note(
        platform=test_platform.platform,
        course=course,
        claim={"context_memberships_url": f"{ISSUER}/nrps/moved"},
        context_id="context-9",
    )
    roster.refresh_from_db()
    assert (roster.memberships_url, roster.context_id) == (
        f"{ISSUER}/nrps/moved",
        "context-9",
    )


# --- the command and the administrators' page ---------------------------------------


def test_sync_rosters_command(
    test_platform: TestPlatform, roster: RosterLink, course: Any
) -> None:
    test_platform.members = [member("s1"), member("s2")]
    out = StringIO()

    call_command("lti", "sync-rosters", stdout=out)

    assert f"{course.label} (Test LMS): 2 added, 0 raised, 0 removed" in out.getvalue()
    assert "Rosters read: 1; failed: 0." in out.getvalue()

    test_platform.nrps_answer = _json(500)
    err = StringIO()
    with pytest.raises(CommandError, match="1 roster"):
        call_command("lti", "sync-rosters", stdout=StringIO(), stderr=err)
    assert "the memberships URL answered 500" in err.getvalue()


def test_admin_reads_a_roster_from_the_platform_page(
    test_platform: TestPlatform,
    roster: RosterLink,
    course: Any,
    client_for: Any,
    admin: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE
    test_platform.members = [member("s1")]
    client = client_for(admin)
    page = f"/lti/admin/platforms/{test_platform.platform.pk}/"
    assert "Not read yet" in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{page}rosters/{roster.pk}/read/")

    assert response.status_code == 302
    body = client.get(page).content.decode()
    assert "1 added, 0 removed, 0 unchanged" in body


def test_roster_of_another_platform_is_not_found(
    test_platform: TestPlatform, roster: RosterLink, client_for: Any, admin: Any
) -> None:
    response = client_for(admin).post(
        f"/lti/admin/platforms/{test_platform.platform.pk + 1000}/rosters/"
        f"{roster.pk}/read/"
    )
    assert response.status_code == 404
