"""Users and enrolments through the API: administrators only, no password hashes,
unique names, audit events, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.models import User
from lectio.accounts.services import api_key_create
from lectio.core.factories import UserFactory, enrol
from lectio.core.models import Event
from lectio.courses.models import Enrolment

USERS = "/api/v1/users"
ENROLMENTS = "/api/v1/enrolments"


def key(user, *scopes: str) -> dict[str, str]:
    name = f"k-{user.username}-{'-'.join(scopes)}"
    _key, secret = api_key_create(actor=None, name=name, scopes=list(scopes), user=user)
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def send(client, method, url, data, headers):
    return getattr(client, method)(
        url, data, content_type="application/json", **headers
    )


def test_admin_lists_users_without_password_hashes(client, admin, student, instructor):
    response = client.get(USERS, **key(admin, "users:read"))
    body = response.json()
    assert body["total"] == 3
    assert [u["username"] for u in body["results"]] == [
        "admin",
        "instructor",
        "student",
    ]
    assert "password" not in response.content.decode()
    assert set(body["results"][0]) == {
        "id",
        "username",
        "primary_id",
        "first_name",
        "last_name",
        "preferred_name",
        "email",
        "role",
        "pending",
        "is_active",
        "date_joined",
        "last_login",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "instructor"}, ["instructor"]),
        ({"q": "sam"}, ["student"]),
        ({"q": "student@example"}, ["student"]),
    ],
)
def test_user_filters(client, admin, student, instructor, params, expected):
    body = client.get(USERS, params, **key(admin, "users:read")).json()
    assert [u["username"] for u in body["results"]] == expected


@pytest.mark.parametrize("persona", ["student", "instructor", "librarian"])
def test_only_administrators_see_people(client, request, persona, student):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}/{student.pk}").status_code == 403
    assert client.get(ENROLMENTS, {"user": student.pk}).status_code == 403


def test_users_scope_is_needed(client, admin, student):
    response = client.get(USERS, **key(admin, "courses:write"))
    assert response.status_code == 403
    assert response.json()["detail"] == "This API key lacks the scope users:read."


def test_admin_creates_a_user_without_a_usable_password(client, admin, db):
    headers = key(admin, "users:write")
    response = send(
        client,
        "post",
        USERS,
        {
            "username": "newprof",
            "primary_id": "P-1",
            "first_name": "Nia",
            "last_name": "New",
            "email": "nia@example.edu",
            "role": "instructor",
        },
        headers,
    )
    assert response.status_code == 201, response.json()
    user = User.objects.get(username="newprof")
    assert (user.primary_id, user.role) == ("P-1", "instructor")
    assert not user.has_usable_password()
    assert Event.objects.filter(verb="user.create", target_id=user.pk).exists()


def test_duplicate_primary_id_and_bad_email_name_their_fields(client, admin, student):
    User.objects.filter(pk=student.pk).update(primary_id="S-1")
    headers = key(admin, "users:write")
    dup = send(client, "post", USERS, {"username": "x", "primary_id": "S-1"}, headers)
    assert dup.status_code == 400
    assert dup.json()["errors"][0]["field"] == "primary_id"
    bad = send(
        client, "post", USERS, {"username": "y", "email": "not-an-address"}, headers
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "email"
    bad_role = send(client, "post", USERS, {"username": "z", "role": "dean"}, headers)
    assert bad_role.json()["errors"][0]["field"] == "role"
    assert not User.objects.filter(username__in=["x", "y", "z"]).exists()


def test_admin_updates_only_the_fields_sent(client, admin, student):
    response = send(
        client,
        "patch",
        f"{USERS}/{student.pk}",
        {"preferred_name": "Sammy", "is_active": False},
        key(admin, "users:write"),
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert (student.preferred_name, student.first_name, student.is_active) == (
        "Sammy",
        "Sam",
        False,
    )


def test_admin_cannot_demote_or_lock_out_themselves(client, admin):
    headers = key(admin, "users:write")
    url = f"{USERS}/{admin.pk}"
    assert send(client, "patch", url, {"role": "student"}, headers).status_code == 400
    assert send(client, "patch", url, {"is_active": False}, headers).status_code == 400
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == ("admin", True)


def test_enrolments_by_course_and_by_user(client, admin, course, student, instructor):
    headers = key(admin, "users:read")
    by_course = client.get(ENROLMENTS, {"course": course.pk}, **headers).json()
    assert [(e["user"]["username"], e["role"]) for e in by_course["results"]] == [
        ("instructor", "instructor"),
        ("student", "student"),
    ]
    by_user = client.get(ENROLMENTS, {"user": student.pk}, **headers).json()
    assert by_user["total"] == 1
    assert by_user["results"][0]["course"]["code"] == "LIT101"


def test_enrolment_list_needs_course_or_user(client, admin, db):
    response = client.get(ENROLMENTS, **key(admin, "users:read"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "course"


def test_enrol_change_role_and_remove(client, admin, course, other_student):
    headers = key(admin, "users:write")
    payload = {"user": other_student.pk, "course": course.pk, "role": "student"}
    created = send(client, "post", ENROLMENTS, payload, headers)
    assert created.status_code == 201
    changed = send(client, "post", ENROLMENTS, {**payload, "role": "ta"}, headers)
    assert changed.status_code == 200
    assert changed.json()["role"] == "ta"
    assert Enrolment.objects.get(user=other_student, course=course).role == "ta"

    removed = client.delete(f"{ENROLMENTS}/{created.json()['id']}", **headers)
    assert removed.status_code == 204
    assert not Enrolment.objects.filter(user=other_student, course=course).exists()
    assert list(
        Event.objects.filter(target_type="course", verb__startswith="enrolment")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["enrolment.create", "enrolment.update", "enrolment.delete"]


def test_enrol_unknown_user_is_400_naming_user(client, admin, course):
    response = send(
        client,
        "post",
        ENROLMENTS,
        {"user": 99999, "course": course.pk},
        key(admin, "users:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "user"


def test_user_and_enrolment_lists_have_constant_query_counts(client, admin, course):
    headers = key(admin, "users:read")
    enrol(UserFactory.create(), course)
    with CaptureQueriesContext(connection) as one_users:
        client.get(USERS, **headers)
    with CaptureQueriesContext(connection) as one_enrolments:
        client.get(ENROLMENTS, {"course": course.pk}, **headers)
    for _ in range(30):
        enrol(UserFactory.create(), course)
    with CaptureQueriesContext(connection) as many_users:
        assert client.get(USERS, **headers).json()["total"] == 32
    with CaptureQueriesContext(connection) as many_enrolments:
        assert (
            client.get(ENROLMENTS, {"course": course.pk}, **headers).json()["total"]
            == 31
        )
    assert len(many_users) == len(one_users) <= 5
    assert len(many_enrolments) == len(one_enrolments) <= 5
