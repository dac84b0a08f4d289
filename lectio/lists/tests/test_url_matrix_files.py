"""Every file URL (lectio/lists/urls_files.py) x every person x GET and POST x list
state: the exact status code, the change an allowed POST makes, and otherwise no
change at all.

Who may do what:
- the upload page and removing a file: people who may edit the list (its
  instructor, "can edit" collaborators, library staff); readers get 403, people
  who may not see the list 404, guests the login page;
- opening a file: whoever may open the list's material (a list open to the
  institution with material for course students only keeps other readers out: 403);
  guests who may not open it go to the login page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, reverse

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.factories import CourseFactory, UserFactory, enrol, make_list
from lectio.core.models import Event
from lectio.core.testing import (
    LOGIN,
    assert_status,
    rolled_back_world,
    session_keys,
)
from lectio.core.tests import file_samples as samples
from lectio.courses.models import CourseRole
from lectio.lists import files, services, urls_files
from lectio.lists.models import CitationFile, CollaboratorRight, FileCopyright
from lectio.lists.statuses import MaterialAccess

GUEST = "guest"
STUDENT = "student"  # enrolled in the list's course
OTHER_STUDENT = "other_student"  # enrolled nowhere
INSTRUCTOR = "instructor"  # teaches the list's course
OTHER_INSTRUCTOR = "other_instructor"  # teaches another course
EDITOR = "editor"  # "can edit" collaborator
LIBRARIAN = "librarian"
ADMIN = "admin"
ROLES = (
    GUEST,
    STUDENT,
    OTHER_STUDENT,
    INSTRUCTOR,
    OTHER_INSTRUCTOR,
    EDITOR,
    LIBRARIAN,
    ADMIN,
)
EDITORS = {INSTRUCTOR, EDITOR, LIBRARIAN, ADMIN}

DRAFT = "draft"
COURSE = "published:course"
# Open to everyone at the institution; its material for the course's students only.
INSTITUTION = "published:institution"
STATES = (DRAFT, COURSE, INSTITUTION)


@dataclass
class World:
    users: dict[str, User]
    sessions: dict[str, str] = field(default_factory=dict)
    citations: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)


def build_world() -> World:
    course = CourseFactory.create(code="LIT101")
    other_course = CourseFactory.create(code="HIS201")
    users = {
        STUDENT: UserFactory.create(username="student"),
        OTHER_STUDENT: UserFactory.create(username="other_student"),
        INSTRUCTOR: UserFactory.create(username="instructor", role=Role.INSTRUCTOR),
        OTHER_INSTRUCTOR: UserFactory.create(
            username="other_instructor", role=Role.INSTRUCTOR
        ),
        EDITOR: UserFactory.create(username="editor", role=Role.INSTRUCTOR),
        LIBRARIAN: UserFactory.create(username="librarian", role=Role.LIBRARIAN),
        ADMIN: UserFactory.create(username="admin", role=Role.ADMIN),
    }
    enrol(users[STUDENT], course)
    enrol(users[INSTRUCTOR], course, CourseRole.INSTRUCTOR)
    enrol(users[OTHER_INSTRUCTOR], other_course, CourseRole.INSTRUCTOR)
    InstitutionSettings.current()
    world = World(users=users)
    for state in STATES:
        visibility = state.partition(":")[2] or None
        reading_list = make_list(
            owner=users[INSTRUCTOR],
            courses=[course],
            name=f"List {state}",
            citations=[{"title": "The Canon", "status": "Complete"}],
            visibility=visibility,
            material_access=MaterialAccess.COURSE if state == INSTITUTION else None,
        )
        services.collaborator_set(
            actor=users[INSTRUCTOR],
            reading_list=reading_list,
            user=users[EDITOR],
            right=CollaboratorRight.EDITOR,
        )
        citation = reading_list.citations.get()
        row = files.citation_file_add(
            actor=users[INSTRUCTOR],
            citation=citation,
            upload=ContentFile(samples.pdf(), name="reading.pdf"),
            name="reading.pdf",
            copyright=FileCopyright.SELF_DECLARED,
        )
        world.citations[state] = citation.pk
        world.files[state] = row.pk
    world.sessions.update(session_keys(users))
    return world


@pytest.fixture(scope="module")
def world_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, world_media: Path
) -> Iterator[World]:
    with override_settings(MEDIA_ROOT=world_media):
        yield from rolled_back_world(django_db_blocker, build_world)


NONE, READ, EDIT = 0, 1, 2


def right_of(role: str, state: str) -> int:
    """Written independently of permissions.py."""
    if role in EDITORS:
        return EDIT
    if state == DRAFT:
        return NONE
    if role == STUDENT:
        return READ
    if state == INSTITUTION and role != GUEST:
        return READ
    return NONE


def may_open(role: str, state: str) -> bool:
    right = right_of(role, state)
    if right == EDIT:
        return True
    return right == READ and (state != INSTITUTION or role == STUDENT)


def expect_editor_page(method: str, role: str, state: str) -> int | str:
    if role == GUEST:
        return LOGIN
    right = right_of(role, state)
    if right == NONE:
        return 404
    if right < EDIT:
        return 403
    return 200 if method == "GET" else 302


def expect_open(method: str, role: str, state: str) -> int | str:
    if method != "GET":
        return 405
    if may_open(role, state):
        return 200
    if role == GUEST:
        return LOGIN
    return 404 if right_of(role, state) == NONE else 403


def expect_delete(method: str, role: str, state: str) -> int | str:
    if role == GUEST:
        return LOGIN
    if method != "POST":
        return 405
    right = right_of(role, state)
    if right == NONE:
        return 404
    return 403 if right < EDIT else 302


EXPECT = {
    "files:citation_files": expect_editor_page,
    "files:open": expect_open,
    "files:delete": expect_delete,
}


def kwargs_for(name: str, world: World, state: str) -> dict[str, int]:
    if name == "files:citation_files":
        return {"citation_id": world.citations[state]}
    return {"file_id": world.files[state]}


def data_for(name: str) -> dict[str, Any]:
    if name == "files:citation_files":
        return {
            "file": SimpleUploadedFile("figure.png", samples.png()),
            "copyright": FileCopyright.CREATIVE_COMMONS,
        }
    return {}


def counts(world: World, state: str) -> tuple[int, int]:
    return (
        CitationFile.objects.filter(citation_id=world.citations[state]).count(),
        Event.objects.count(),
    )


def effect(name: str, world: World, state: str, before: tuple[int, int]) -> None:
    rows = CitationFile.objects.filter(citation_id=world.citations[state])
    if name == "files:citation_files":
        assert sorted(rows.values_list("name", flat=True)) == [
            "figure.png",
            "reading.pdf",
        ]
    else:
        assert not rows.exists()
    assert Event.objects.count() > before[1]


def test_every_route_has_an_expectation() -> None:
    names = [
        f"files:{p.name}" for p in urls_files.urlpatterns if isinstance(p, URLPattern)
    ]
    assert sorted(names) == sorted(EXPECT)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", sorted(EXPECT))
def test_matrix(
    settings: Any,
    world_media: Path,
    world: World,
    db: None,
    name: str,
    method: str,
    state: str,
) -> None:
    settings.MEDIA_ROOT = world_media
    url = reverse(name, kwargs=kwargs_for(name, world, state))
    for role in ROLES:
        expected = EXPECT[name](method, role, state)
        client = Client()
        if role != GUEST:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        with transaction.atomic():
            before = counts(world, state)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data_for(name))
            try:
                assert_status(response, expected)
            except AssertionError as error:
                raise AssertionError(f"{role} {method} {url}: {error}") from None
            if method == "POST" and expected == 302:
                effect(name, world, state, before)
            elif method == "GET" and expected == 200 and name == "files:open":
                assert response["X-Content-Type-Options"] == "nosniff"
                assert b"".join(response.streaming_content) == samples.pdf()
            else:
                assert counts(world, state) == before, f"{role} changed something"
            transaction.set_rollback(True)
