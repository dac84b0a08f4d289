"""Every /api/v1/ operation for every kind of caller: anonymous, the four personas'
browser sessions, and API keys (an administrator's) without the operation's scope,
with read and with write scope. The operations come from the API's own OpenAPI
document, so an operation added without an expectation here fails the suite.

Sessions show the role rules (the browser's); keys show the scope rules: a key acts
as its user, so with the right scope it gets what that administrator gets, reads
only with a read scope, and nothing outside its areas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from lectio.accounts.services import api_key_create
from lectio.core.factories import UserFactory, enrol
from lectio.core.jobs import job_create
from lectio.courses.models import Campus, Department, Enrolment, Term
from lectio.lists import processing, services
from lectio.lists.models import Citation, Section
from lectio.workflow import services as workflow_services

PERSONAS = (
    "anonymous",
    "student",
    "instructor",
    "librarian",
    "admin",
    "key_without_scope",
    "key_read",
    "key_write",
)


@dataclass
class World:
    """What the operations act on: the conftest course, its people and its draft
    list (made by the instructor), plus institution data and a job."""

    admin: Any
    librarian: Any
    instructor: Any
    student: Any
    course: Any
    reading_list: Any
    department: Any
    term: Any
    campus: Any
    job: Any
    enrolment: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def citation(self, title: str = "Reading Against the Grain") -> Citation:
        return self.reading_list.citations.get(title=title)

    @property
    def week1(self) -> Section:
        return self.reading_list.sections.get(name="Week 1")


@dataclass(frozen=True)
class Op:
    area: str | None
    # Answers to the sessions of (student, instructor, librarian, admin).
    sessions: tuple[int, int, int, int]
    url: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] | None = None
    prepare: Callable[[World], None] | None = None
    multipart: bool = False
    # Scopes the keys with read or write access carry besides the area's own (a
    # loader needs write access to the area it loads into).
    also: tuple[str, ...] = ()


def sent(w: World) -> None:
    services.reading_list_send_to_library(
        actor=w.instructor, reading_list=w.reading_list
    )


def processing_started(w: World) -> None:
    sent(w)
    w.reading_list.refresh_from_db()
    processing.reading_list_start_processing(
        actor=w.librarian, reading_list=w.reading_list
    )


def with_request(w: World) -> None:
    w.extra["request"] = workflow_services.request_create(
        actor=w.instructor,
        citation=w.citation("On Anthologies"),
        kind="digitization",
        details="",
        page_ranges="1-10",
        copies=None,
        total_pages=100,
    )


def with_editor(w: World) -> None:
    w.extra["editor"] = UserFactory.create(username="editor", role="instructor")
    services.collaborator_set(
        actor=w.instructor,
        reading_list=w.reading_list,
        user=w.extra["editor"],
        right="editor",
    )


def with_record(w: World) -> None:
    from lectio.catalog.models import Record
    from lectio.catalog.search import index_records

    w.extra["record"] = Record.objects.create(
        control_number="m1", title="On the origin of species"
    )
    index_records([w.extra["record"].pk])


def with_file(w: World) -> None:
    from django.core.files.base import ContentFile

    from lectio.core.tests.file_samples import pdf
    from lectio.lists.files import citation_file_add

    w.extra["file"] = citation_file_add(
        actor=w.instructor,
        citation=w.citation(),
        upload=ContentFile(pdf(), name="reading.pdf"),
        name="reading.pdf",
        copyright="self_declared",
    )


def _png() -> bytes:
    from lectio.core.tests.file_samples import png

    return png()


def fixed(url: str) -> Callable[[World], str]:
    return lambda w: url


def lst(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/v1/lists/{w.reading_list.pk}{suffix}"


EVERYONE = (200, 200, 200, 200)
ADMINS = (403, 403, 403, 200)
ADMINS_CREATE = (403, 403, 403, 201)
LIBRARY = (403, 403, 200, 200)
# The list is a draft: the student cannot see it (404); its instructor manages it.
EDITORS = (404, 200, 200, 200)
EDITORS_CREATE = (404, 201, 201, 201)
EDITORS_DELETE = (404, 204, 204, 204)


OPS: dict[str, Op] = {
    "GET /api/v1/me": Op(None, EVERYONE, lambda w: "/api/v1/me"),
    # the catalog
    "GET /api/v1/catalog/search": Op(
        "catalog",
        EVERYONE,
        fixed("/api/v1/catalog/search?q=origin"),
        prepare=with_record,
    ),
    "GET /api/v1/catalog/suggest": Op(
        "catalog",
        EVERYONE,
        fixed("/api/v1/catalog/suggest?q=orig"),
        prepare=with_record,
    ),
    "GET /api/v1/catalog/records/{record_id}": Op(
        "catalog",
        EVERYONE,
        lambda w: f"/api/v1/catalog/records/{w.extra['record'].pk}",
        prepare=with_record,
    ),
    # courses and the institution's codes
    **{
        f"GET /api/v1/{name}": Op("courses", EVERYONE, fixed(f"/api/v1/{name}"))
        for name in ("departments", "terms", "campuses", "courses")
    },
    "GET /api/v1/departments/{department_id}": Op(
        "courses", EVERYONE, lambda w: f"/api/v1/departments/{w.department.pk}"
    ),
    "GET /api/v1/terms/{term_id}": Op(
        "courses", EVERYONE, lambda w: f"/api/v1/terms/{w.term.pk}"
    ),
    "GET /api/v1/campuses/{campus_id}": Op(
        "courses", EVERYONE, lambda w: f"/api/v1/campuses/{w.campus.pk}"
    ),
    "GET /api/v1/courses/{course_id}": Op(
        "courses", EVERYONE, lambda w: f"/api/v1/courses/{w.course.pk}"
    ),
    "POST /api/v1/departments": Op(
        "courses",
        ADMINS_CREATE,
        lambda w: "/api/v1/departments",
        lambda w: {"code": "NEW", "name": "New"},
    ),
    "POST /api/v1/terms": Op(
        "courses",
        ADMINS_CREATE,
        lambda w: "/api/v1/terms",
        lambda w: {"code": "NEW", "name": "New"},
    ),
    "POST /api/v1/campuses": Op(
        "courses",
        ADMINS_CREATE,
        lambda w: "/api/v1/campuses",
        lambda w: {"code": "NEW", "name": "New"},
    ),
    "PATCH /api/v1/departments/{department_id}": Op(
        "courses",
        ADMINS,
        lambda w: f"/api/v1/departments/{w.department.pk}",
        lambda w: {"name": "Letters"},
    ),
    "PATCH /api/v1/terms/{term_id}": Op(
        "courses",
        ADMINS,
        lambda w: f"/api/v1/terms/{w.term.pk}",
        lambda w: {"name": "Fall"},
    ),
    "PATCH /api/v1/campuses/{campus_id}": Op(
        "courses",
        ADMINS,
        lambda w: f"/api/v1/campuses/{w.campus.pk}",
        lambda w: {"name": "Town"},
    ),
    "POST /api/v1/courses": Op(
        "courses",
        (403, 403, 201, 201),
        lambda w: "/api/v1/courses",
        lambda w: {"code": "NEW1", "name": "New", "processing_department": "LIT"},
    ),
    "PATCH /api/v1/courses/{course_id}": Op(
        "courses",
        LIBRARY,
        lambda w: f"/api/v1/courses/{w.course.pk}",
        lambda w: {"participants": 9},
    ),
    "DELETE /api/v1/courses/{course_id}": Op(
        "courses", (403, 403, 204, 204), lambda w: f"/api/v1/courses/{w.course.pk}"
    ),
    # people
    "GET /api/v1/users": Op("users", ADMINS, lambda w: "/api/v1/users"),
    "GET /api/v1/users/{user_id}": Op(
        "users", ADMINS, lambda w: f"/api/v1/users/{w.student.pk}"
    ),
    "POST /api/v1/users": Op(
        "users",
        ADMINS_CREATE,
        lambda w: "/api/v1/users",
        lambda w: {"username": "newcomer"},
    ),
    "PATCH /api/v1/users/{user_id}": Op(
        "users",
        ADMINS,
        lambda w: f"/api/v1/users/{w.student.pk}",
        lambda w: {"preferred_name": "S"},
    ),
    "GET /api/v1/enrolments": Op(
        "users", ADMINS, lambda w: f"/api/v1/enrolments?course={w.course.pk}"
    ),
    "POST /api/v1/enrolments": Op(
        "users",
        ADMINS_CREATE,
        lambda w: "/api/v1/enrolments",
        lambda w: {"user": w.librarian.pk, "course": w.course.pk, "role": "ta"},
    ),
    "DELETE /api/v1/enrolments/{enrolment_id}": Op(
        "users", (403, 403, 403, 204), lambda w: f"/api/v1/enrolments/{w.enrolment.pk}"
    ),
    # lists
    "GET /api/v1/lists": Op("lists", EVERYONE, lambda w: "/api/v1/lists"),
    "POST /api/v1/lists": Op(
        "lists",
        (403, 201, 201, 201),
        lambda w: "/api/v1/lists",
        lambda w: {"name": "Fresh"},
    ),
    "GET /api/v1/lists/{list_id}": Op("lists", EDITORS, lst()),
    "GET /api/v1/analytics/lists/{list_id}": Op(
        "analytics",
        EDITORS,
        lambda w: f"/api/v1/analytics/lists/{w.reading_list.pk}",
    ),
    "GET /api/v1/analytics/reports": Op(
        "analytics", LIBRARY, fixed("/api/v1/analytics/reports")
    ),
    "GET /api/v1/analytics/reports/{name}": Op(
        "analytics", LIBRARY, fixed("/api/v1/analytics/reports/lists-by-status")
    ),
    # The conftest list is a draft: its students cannot see it yet.
    "GET /api/v1/analytics/lists/{list_id}/suggestions": Op(
        "analytics",
        EDITORS,
        lambda w: f"/api/v1/analytics/lists/{w.reading_list.pk}/suggestions",
    ),
    "GET /api/v1/analytics/citations/{citation_id}/suggestions": Op(
        "analytics",
        EDITORS,
        lambda w: f"/api/v1/analytics/citations/{w.citation().pk}/suggestions",
    ),
    "PATCH /api/v1/lists/{list_id}": Op(
        "lists",
        EDITORS,
        lst(),
        lambda w: {"version": w.reading_list.version, "name": "Renamed"},
    ),
    "DELETE /api/v1/lists/{list_id}": Op("lists", EDITORS_DELETE, lst()),
    "POST /api/v1/lists/{list_id}/send": Op("lists", EDITORS, lst("/send")),
    "POST /api/v1/lists/{list_id}/publish": Op(
        "lists", EDITORS, lst("/publish"), lambda w: {"visibility": "course"}
    ),
    "POST /api/v1/lists/{list_id}/publication": Op(
        "lists",
        EDITORS,
        lst("/publication"),
        lambda w: {"publication_status": "Archived"},
    ),
    "POST /api/v1/lists/{list_id}/sections": Op(
        "lists", EDITORS_CREATE, lst("/sections"), lambda w: {"name": "Week 2"}
    ),
    "PATCH /api/v1/sections/{section_id}": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/sections/{w.week1.pk}",
        lambda w: {"version": w.week1.version, "name": "Week one"},
    ),
    "DELETE /api/v1/sections/{section_id}": Op(
        "lists", EDITORS_DELETE, lambda w: f"/api/v1/sections/{w.week1.pk}"
    ),
    "POST /api/v1/sections/{section_id}/move": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/sections/{w.week1.pk}/move",
        lambda w: {"position": 0},
    ),
    "POST /api/v1/lists/{list_id}/citations": Op(
        "lists",
        EDITORS_CREATE,
        lst("/citations"),
        lambda w: {"material_type": "book", "metadata": {"title": "Middlemarch"}},
    ),
    "GET /api/v1/citations/{citation_id}": Op(
        "lists", EDITORS, lambda w: f"/api/v1/citations/{w.citation().pk}"
    ),
    "PATCH /api/v1/citations/{citation_id}": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/citations/{w.citation().pk}",
        lambda w: {"version": w.citation().version, "public_note": "Read it"},
    ),
    "DELETE /api/v1/citations/{citation_id}": Op(
        "lists", EDITORS_DELETE, lambda w: f"/api/v1/citations/{w.citation().pk}"
    ),
    "POST /api/v1/citations/{citation_id}/move": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/citations/{w.citation().pk}/move",
        lambda w: {"position": 0},
    ),
    "POST /api/v1/citations/{citation_id}/status": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/citations/{w.citation().pk}/status",
        lambda w: {"status": "ReadyForProcessing"},
    ),
    # files on citations
    "GET /api/v1/citations/{citation_id}/files": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/citations/{w.citation().pk}/files",
        prepare=with_file,
    ),
    "POST /api/v1/citations/{citation_id}/files": Op(
        "lists",
        EDITORS_CREATE,
        lambda w: f"/api/v1/citations/{w.citation().pk}/files",
        lambda w: {
            "copyright": "creative_commons",
            "file": SimpleUploadedFile("figure.png", _png()),
        },
        multipart=True,
    ),
    "GET /api/v1/files/{file_id}": Op(
        "lists",
        EDITORS,
        lambda w: f"/api/v1/files/{w.extra['file'].pk}",
        prepare=with_file,
    ),
    "DELETE /api/v1/files/{file_id}": Op(
        "lists",
        EDITORS_DELETE,
        lambda w: f"/api/v1/files/{w.extra['file'].pk}",
        prepare=with_file,
    ),
    "GET /api/v1/lists/{list_id}/collaborators": Op(
        "lists", EDITORS, lst("/collaborators")
    ),
    "PUT /api/v1/lists/{list_id}/collaborators/{username}": Op(
        "lists", EDITORS, lst("/collaborators/librarian"), lambda w: {"right": "editor"}
    ),
    "DELETE /api/v1/lists/{list_id}/collaborators/{username}": Op(
        "lists", EDITORS_DELETE, lst("/collaborators/editor"), prepare=with_editor
    ),
    # loaders
    "POST /api/v1/jobs": Op(
        "loaders",
        (403, 403, 403, 202),
        lambda w: "/api/v1/jobs",
        lambda w: {"kind": "courses", "file": SimpleUploadedFile("c.txt", b"x\n")},
        multipart=True,
        also=("courses:write",),
    ),
    "GET /api/v1/jobs": Op("loaders", ADMINS, lambda w: "/api/v1/jobs"),
    "GET /api/v1/jobs/{job_id}": Op(
        "loaders", ADMINS, lambda w: f"/api/v1/jobs/{w.job.pk}"
    ),
    # the library's workflow (the list is sent to the library first)
    "GET /api/v1/library/tasks": Op(
        "workflow", LIBRARY, lambda w: "/api/v1/library/tasks", prepare=sent
    ),
    "POST /api/v1/lists/{list_id}/take": Op(
        "workflow", LIBRARY, lst("/take"), prepare=sent
    ),
    "POST /api/v1/lists/{list_id}/assign": Op(
        "workflow",
        LIBRARY,
        lst("/assign"),
        lambda w: {"assignee": "librarian"},
        prepare=sent,
    ),
    "POST /api/v1/lists/{list_id}/start": Op(
        "workflow", LIBRARY, lst("/start"), prepare=sent
    ),
    "POST /api/v1/lists/{list_id}/complete": Op(
        "workflow",
        LIBRARY,
        lst("/complete"),
        lambda w: {"reason": "The rest later."},
        prepare=processing_started,
    ),
    "POST /api/v1/lists/{list_id}/citations/status": Op(
        "workflow",
        LIBRARY,
        lst("/citations/status"),
        lambda w: {"citation_ids": [w.citation().pk], "status": "InProcess"},
        prepare=sent,
    ),
    "GET /api/v1/lists/{list_id}/requests": Op("workflow", EDITORS, lst("/requests")),
    "POST /api/v1/citations/{citation_id}/requests": Op(
        "workflow",
        EDITORS_CREATE,
        lambda w: f"/api/v1/citations/{w.citation('On Anthologies').pk}/requests",
        lambda w: {"kind": "purchase"},
    ),
    # Instructors may only cancel their own requests: moving one on is refused (400).
    "POST /api/v1/requests/{request_id}/state": Op(
        "workflow",
        (404, 400, 200, 200),
        lambda w: f"/api/v1/requests/{w.extra['request'].pk}/state",
        lambda w: {"state": "InProgress"},
        prepare=with_request,
    ),
    "GET /api/v1/requests": Op(
        "workflow", LIBRARY, lambda w: "/api/v1/requests?kind=digitization"
    ),
}


def expected(op: Op, method: str, persona: str) -> int:
    student, instructor, librarian, admin = op.sessions
    if persona == "anonymous":
        return 401
    if persona == "key_without_scope":
        return admin if op.area is None else 403
    if persona == "key_read":
        return admin if method == "GET" or op.area is None else 403
    if persona == "key_write":
        return admin
    return {
        "student": student,
        "instructor": instructor,
        "librarian": librarian,
        "admin": admin,
    }[persona]


def test_every_operation_has_an_expectation():
    from lectio.api.v1 import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
    }
    assert operations - set(OPS) == set(), "operations without an expectation"
    assert set(OPS) - operations == set(), "expectations for operations that are gone"


@pytest.fixture(autouse=True)
def _plain_rendering(monkeypatch):
    # The matrix is about who may do what; formatting each citation in the
    # institution's style (citeproc) would be most of its time.
    monkeypatch.setattr(
        "lectio.lists.services.render_citation_html", lambda metadata, style: ""
    )


@pytest.fixture
def world(admin, librarian, instructor, student, other_student, reading_list, course):
    enrolment = enrol(other_student, course)
    return World(
        admin=admin,
        librarian=librarian,
        instructor=instructor,
        student=student,
        course=course,
        reading_list=reading_list,
        department=Department.objects.get(code="LIT"),
        term=Term.objects.get(code="AUT26"),
        campus=Campus.objects.create(code="MAIN", name="Main"),
        job=job_create(kind="courses", actor=admin, data=b"x\n", enqueue=False),
        enrolment=enrolment
        if isinstance(enrolment, Enrolment)
        else Enrolment.objects.get(user=other_student, course=course),
    )


def client_for(
    w: World, persona: str, area: str | None, also: tuple[str, ...] = ()
) -> tuple[Client, dict[str, str]]:
    client = Client()
    if persona in ("student", "instructor", "librarian", "admin"):
        client.force_login(getattr(w, persona))
        return client, {}
    if persona == "anonymous":
        return client, {}
    other = "analytics" if area != "analytics" else "catalog"
    scope = {
        "key_without_scope": f"{other}:write",
        "key_read": f"{area or other}:read",
        "key_write": f"{area or other}:write",
    }[persona]
    scopes = [scope] if persona == "key_without_scope" else [scope, *also]
    _key, secret = api_key_create(actor=None, name=persona, scopes=scopes, user=w.admin)
    return client, {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def _answer(world: World, op: Op, method: str, persona: str) -> int:
    url = op.url(world)
    client, headers = client_for(world, persona, op.area, op.also)
    call = getattr(client, method.lower())
    if op.multipart:
        response = call(url, op.body(world) if op.body else {}, **headers)
    elif op.body is not None:
        response = call(url, op.body(world), content_type="application/json", **headers)
    else:
        response = call(url, **headers)
    return response.status_code


@pytest.mark.parametrize("operation", sorted(OPS))
def test_operation_answers_each_caller(world, settings, operation):
    """Each caller meets the same world: every call runs in a savepoint that is
    rolled back afterwards, so a delete by one does not hide the row from the next."""
    settings.LECTIO_API_RATE = 0
    op = OPS[operation]
    method, _path = operation.split(" ", 1)
    if op.prepare:
        op.prepare(world)
    answers = {}
    for persona in PERSONAS:
        with transaction.atomic():
            world.reading_list.refresh_from_db()
            answers[persona] = _answer(world, op, method, persona)
            transaction.set_rollback(True)
    assert answers == {p: expected(op, method, p) for p in PERSONAS}
