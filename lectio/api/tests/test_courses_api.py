"""Courses, terms, departments and campuses through the API: paging with totals and
links, filters, writes by the right people with audit events, 400 naming the field,
the updated_at precondition, constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.services import api_key_create
from lectio.core.factories import CourseFactory, DepartmentFactory, TermFactory
from lectio.core.models import Event
from lectio.courses.models import Campus, Course, Department, Term

COURSES = "/api/v1/courses"


def key(user, *scopes: str) -> dict[str, str]:
    _key, secret = api_key_create(
        actor=None,
        name=f"k-{user.username}-{'-'.join(scopes)}",
        scopes=list(scopes),
        user=user,
    )
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


def patch(client, url, data, headers):
    return client.patch(url, data, content_type="application/json", **headers)


@pytest.fixture
def courses(db):
    autumn = TermFactory.create(code="AUT26", name="Autumn 2026")
    spring = TermFactory.create(code="SPR27", name="Spring 2027")
    lit = DepartmentFactory.create(code="LIT", name="Literature")
    his = DepartmentFactory.create(code="HIS", name="History")
    made = [
        CourseFactory.create(
            code="ENG101",
            name="Reading the Canon",
            academic_department=lit,
            terms=[autumn],
        ),
        CourseFactory.create(
            code="ENG101",
            section="2",
            name="Reading the Canon",
            academic_department=lit,
            terms=[autumn],
        ),
        CourseFactory.create(
            code="ENG205", name="Modern Poetry", academic_department=lit, terms=[spring]
        ),
        CourseFactory.create(
            code="HIS301",
            name="Modern History",
            academic_department=his,
            terms=[autumn],
            status="INACTIVE",
        ),
    ]
    return made


def test_course_list_pages_with_total_and_links(client, admin, courses):
    headers = key(admin, "courses:read")

    first = client.get(COURSES, {"limit": 2}, **headers).json()

    assert first["total"] == 4
    assert (first["limit"], first["offset"]) == (2, 0)
    assert [(c["code"], c["section"]) for c in first["results"]] == [
        ("ENG101", ""),
        ("ENG101", "2"),
    ]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/courses?limit=2&offset=2"
    second = client.get(first["next"], **headers).json()
    assert [(c["code"], c["section"]) for c in second["results"]] == [
        ("ENG205", ""),
        ("HIS301", ""),
    ]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/courses?limit=2&offset=0"


def test_course_output_names_codes(client, admin, courses):
    course = courses[0]
    body = client.get(f"{COURSES}/{course.pk}", **key(admin, "courses:read")).json()
    assert body["code"] == "ENG101"
    assert body["academic_department"] == "LIT"
    assert body["processing_department"] == "LIT"
    assert body["terms"] == ["AUT26"]
    assert body["campuses"] == []
    assert body["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"code": "ENG101"}, ["ENG101", "ENG101-2"]),
        ({"q": "poetry"}, ["ENG205"]),
        ({"term": "SPR27"}, ["ENG205"]),
        ({"department": "HIS"}, ["HIS301"]),
        ({"status": "INACTIVE"}, ["HIS301"]),
        ({"term": "AUT26", "department": "LIT"}, ["ENG101", "ENG101-2"]),
    ],
)
def test_course_filters(client, admin, courses, params, expected):
    body = client.get(COURSES, params, **key(admin, "courses:read")).json()
    labels = [
        c["code"] + (f"-{c['section']}" if c["section"] else "")
        for c in body["results"]
    ]
    assert labels == expected
    assert body["total"] == len(expected)


def test_limit_over_100_is_400_naming_limit(client, admin, courses):
    response = client.get(COURSES, {"limit": 101}, **key(admin, "courses:read"))
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["limit"]


def test_students_read_courses(client, student, courses):
    client.force_login(student)
    assert client.get(COURSES).json()["total"] == 5  # with the conftest course


def test_librarian_creates_a_course_with_codes(client, librarian, courses):
    Campus.objects.create(code="MAIN", name="Main campus")
    headers = key(librarian, "courses:write")
    events = Event.objects.count()
    response = post(
        client,
        COURSES,
        {
            "code": "LIT300",
            "section": "A",
            "name": "Theory",
            "academic_department": "LIT",
            "processing_department": "HIS",
            "terms": ["AUT26", "SPR27"],
            "year": 2026,
            "start_date": "2026-09-28",
            "end_date": "2027-06-01",
            "participants": 40,
            "searchable_ids": ["T-300"],
            "campuses": [{"campus": "MAIN", "participants": 40}],
        },
        headers,
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["terms"] == ["AUT26", "SPR27"]
    assert body["campuses"] == [{"campus": "MAIN", "participants": 40}]
    course = Course.objects.get(code="LIT300", section="A")
    assert course.processing_department.code == "HIS"
    assert course.searchable_ids == ["T-300"]
    event = Event.objects.order_by("-id").first()
    assert (event.verb, event.target_id, event.actor) == (
        "course.create",
        course.pk,
        librarian,
    )
    assert Event.objects.count() == events + 1


def test_unknown_department_is_400_naming_the_field_and_changes_nothing(
    client, librarian, courses
):
    before = Course.objects.count()
    response = post(
        client,
        COURSES,
        {
            "code": "X1",
            "name": "X",
            "academic_department": "NOPE",
            "processing_department": "LIT",
        },
        key(librarian, "courses:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "academic_department", "message": "no department with the code NOPE."}
    ]
    assert Course.objects.count() == before


def test_missing_processing_department_and_bad_date_name_their_fields(
    client, librarian, courses
):
    response = post(
        client,
        COURSES,
        {"code": "X1", "name": "X", "start_date": "28/09/2026"},
        key(librarian, "courses:write"),
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {
        "processing_department",
        "start_date",
    }


def test_duplicate_code_and_section_is_400(client, librarian, courses):
    response = post(
        client,
        COURSES,
        {
            "code": "ENG101",
            "section": "2",
            "name": "Again",
            "processing_department": "LIT",
        },
        key(librarian, "courses:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"


def test_patch_changes_only_the_fields_sent(client, librarian, courses):
    course = courses[2]
    response = patch(
        client,
        f"{COURSES}/{course.pk}",
        {"name": "Poetry Now", "terms": ["AUT26"]},
        key(librarian, "courses:write"),
    )
    assert response.status_code == 200
    course.refresh_from_db()
    assert course.name == "Poetry Now"
    assert course.code == "ENG205"
    assert course.academic_department.code == "LIT"
    assert list(course.terms.values_list("code", flat=True)) == ["AUT26"]


def test_patch_with_stale_updated_at_is_409_and_changes_nothing(
    client, librarian, courses
):
    course = courses[2]
    headers = key(librarian, "courses:write")
    read = client.get(f"{COURSES}/{course.pk}", **headers).json()
    Course.objects.filter(pk=course.pk).update(
        updated_at=course.updated_at + datetime.timedelta(seconds=5)
    )

    response = patch(
        client,
        f"{COURSES}/{course.pk}",
        {"name": "Lost update", "updated_at": read["updated_at"]},
        headers,
    )

    assert response.status_code == 409
    assert Course.objects.get(pk=course.pk).name == "Modern Poetry"


def test_patch_with_current_updated_at_goes_through(client, librarian, courses):
    course = courses[2]
    headers = key(librarian, "courses:write")
    read = client.get(f"{COURSES}/{course.pk}", **headers).json()
    response = patch(
        client,
        f"{COURSES}/{course.pk}",
        {"participants": 12, "updated_at": read["updated_at"]},
        headers,
    )
    assert response.status_code == 200
    assert response.json()["participants"] == 12


def test_null_for_a_required_field_is_400(client, librarian, courses):
    response = patch(
        client,
        f"{COURSES}/{courses[0].pk}",
        {"name": None},
        key(librarian, "courses:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_instructor_cannot_write_courses(client, instructor, courses):
    response = post(
        client,
        COURSES,
        {"code": "Z1", "name": "Z", "processing_department": "LIT"},
        key(instructor, "courses:write"),
    )
    assert response.status_code == 403
    assert not Course.objects.filter(code="Z1").exists()


def test_delete_course_keeps_its_lists(client, librarian, reading_list, course):  # noqa: E501
    response = client.delete(
        f"{COURSES}/{course.pk}", **key(librarian, "courses:write")
    )
    assert response.status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()
    reading_list.refresh_from_db()
    assert list(reading_list.courses.all()) == []
    assert Event.objects.filter(verb="course.delete", target_id=course.pk).exists()


def test_read_key_cannot_delete(client, librarian, course):
    response = client.delete(f"{COURSES}/{course.pk}", **key(librarian, "courses:read"))
    assert response.status_code == 403
    assert Course.objects.filter(pk=course.pk).exists()


# --- departments, terms, campuses --------------------------------------------------


def test_admin_creates_and_renames_a_department(client, admin, db):
    headers = key(admin, "courses:write")
    created = post(
        client, "/api/v1/departments", {"code": "MUS", "name": "Music"}, headers
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    renamed = patch(
        client, f"/api/v1/departments/{pk}", {"name": "Music School"}, headers
    )
    assert renamed.json() == {"id": pk, "code": "MUS", "name": "Music School"}
    assert [
        e.verb for e in Event.objects.filter(target_type="department").order_by("id")
    ] == [
        "department.create",
        "department.update",
    ]


def test_librarian_cannot_create_departments(client, librarian, db):
    response = post(
        client,
        "/api/v1/departments",
        {"code": "MUS", "name": "Music"},
        key(librarian, "courses:write"),
    )
    assert response.status_code == 403
    assert not Department.objects.filter(code="MUS").exists()


def test_duplicate_department_code_is_400(client, admin, db):
    DepartmentFactory.create(code="MUS")
    response = post(
        client,
        "/api/v1/departments",
        {"code": "MUS", "name": "Music"},
        key(admin, "courses:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"


def test_term_that_ends_before_it_starts_is_400(client, admin, db):
    response = post(
        client,
        "/api/v1/terms",
        {
            "code": "W",
            "name": "Winter",
            "start_date": "2027-01-10",
            "end_date": "2027-01-01",
        },
        key(admin, "courses:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "end_date"
    assert not Term.objects.filter(code="W").exists()


def test_campus_list_and_get(client, student, db):
    main = Campus.objects.create(code="MAIN", name="Main")
    Campus.objects.create(code="CITY", name="City")
    client.force_login(student)
    body = client.get("/api/v1/campuses", {"q": "ma"}).json()
    assert body["total"] == 1
    assert body["results"] == [{"id": main.pk, "code": "MAIN", "name": "Main"}]
    assert client.get(f"/api/v1/campuses/{main.pk}").json()["code"] == "MAIN"
    assert client.get("/api/v1/campuses/999999").status_code == 404


# --- query counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [COURSES, "/api/v1/terms", "/api/v1/departments", "/api/v1/campuses"]
)
def test_list_query_count_does_not_grow_with_rows(client, admin, db, url):
    headers = key(admin, "courses:read")
    main = Campus.objects.create(code="MAIN", name="Main")

    def make(n: int, start: int) -> None:
        for i in range(start, start + n):
            course = CourseFactory.create(terms=[TermFactory.create()])
            course.coursecampus_set.create(campus=main, participants=i)
            Campus.objects.create(code=f"C{i}", name=f"Campus {i}")

    make(1, 0)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, **headers).status_code == 200
    make(30, 1)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url, **headers).json()
    assert body["total"] > 20
    assert len(many) == len(one)
    assert len(many) <= 6
