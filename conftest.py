"""Shared test fixtures: named personas around one course and its reading list.

Permission tests read best with people who have names, so the fixtures below are the
cast; each says what it may do. `reading_list` is a draft unless parametrized:

    @pytest.mark.parametrize("reading_list", ["published"], indirect=True)
    @pytest.mark.parametrize(
        "reading_list", ["draft", "published", "published:public"], indirect=True
    )
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from lectio.accounts import models as accounts_models
from lectio.accounts import services as accounts_services
from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    TermFactory,
    UserFactory,
    enrol,
    make_list,
)
from lectio.courses.models import Course, CourseRole
from lectio.lists import reading, services
from lectio.lists.models import CollaboratorRight, ReadingList, Tag
from lectio.lists.statuses import PublicationStatus, Visibility

CHROMIUM = Path("/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    # Hashing "lectio" with PBKDF2 for every persona costs seconds per run; MD5 is
    # fine for throwaway test users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Usage events are written in batches at moments a test cannot know, which
    # would make pinned query counts vary: off, except where a test asks for them
    # (the `usage_on` fixture below).
    settings.LECTIO_USAGE = False


@pytest.fixture
def usage_on(settings: Any, db: None) -> Iterator[None]:
    """Usage events recorded (written when the test flushes them), from none."""
    from lectio.analytics.models import UsageEvent
    from lectio.core import usage

    settings.LECTIO_USAGE = True
    settings.LECTIO_USAGE_BATCH = 1000
    settings.LECTIO_USAGE_SECONDS = 3600
    usage.flush()
    UsageEvent.objects.all().delete()
    yield
    usage.flush()


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if CHROMIUM.exists() and not os.environ.get("LECTIO_SKIP_BROWSER"):
        return
    reason = f"browser tests need {CHROMIUM} (install Debian's chromium)"
    if os.environ.get("LECTIO_SKIP_BROWSER"):
        reason = "browser tests skipped: LECTIO_SKIP_BROWSER is set"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    # Uploads go to a per-test directory. Caches (keyed by ids that SQLite reuses
    # after a rollback, or holding rows a rollback undid) start empty in every test.
    settings.MEDIA_ROOT = tmp_path / "media"
    # The institution settings stay cached for the whole test: on a busy machine a
    # test can outlast the few seconds of production, which made query counts vary.
    monkeypatch.setattr(accounts_models, "CACHE_SECONDS", 3600.0)
    # An API key records its use on every request in tests, so a test's pinned query
    # counts do not depend on whether an earlier request of it came within a minute.
    monkeypatch.setattr(accounts_services, "LAST_USED_EVERY", datetime.timedelta(0))
    _forget_caches()
    yield
    _forget_caches()


def _forget_caches() -> None:
    cache.clear()
    InstitutionSettings.forget_cached()
    reading.forget_bodies()


# --- the cast ----------------------------------------------------------------------


@pytest.fixture
def course(db: None) -> Course:
    """LIT101 Reading the Canon, in the autumn term."""
    return CourseFactory.create(
        code="LIT101",
        name="Reading the Canon",
        academic_department=DepartmentFactory.create(code="LIT", name="Literature"),
        terms=[TermFactory.create(code="AUT26", name="Autumn 2026")],
    )


@pytest.fixture
def other_course(db: None) -> Course:
    """HIS201 Modern History: no list of ours, taught by other_instructor."""
    return CourseFactory.create(
        code="HIS201",
        name="Modern History",
        academic_department=DepartmentFactory.create(code="HIS", name="History"),
    )


@pytest.fixture
def student(course: Course) -> User:
    # Enrolled in the course: reads its published lists (Complete items only).
    user = UserFactory.create(username="student", first_name="Sam", last_name="Student")
    enrol(user, course)
    return user


@pytest.fixture
def other_student(db: None) -> User:
    # Enrolled nowhere: reads only lists open to the institution or to anyone.
    return UserFactory.create(
        username="other_student", first_name="Olu", last_name="Other"
    )


@pytest.fixture
def instructor(course: Course) -> User:
    # Teaches the course: manages its lists (edit, send, publish, collaborators, delete).
    user = UserFactory.create(
        username="instructor",
        first_name="Ines",
        last_name="Instructor",
        role=Role.INSTRUCTOR,
    )
    enrol(user, course, CourseRole.INSTRUCTOR)
    return user


@pytest.fixture
def other_instructor(other_course: Course) -> User:
    # Teaches another course: no right on our lists beyond what visibility gives.
    user = UserFactory.create(
        username="other_instructor",
        first_name="Otto",
        last_name="Outsider",
        role=Role.INSTRUCTOR,
    )
    enrol(user, other_course, CourseRole.INSTRUCTOR)
    return user


@pytest.fixture
def collaborator_editor(reading_list: ReadingList, instructor: User) -> User:
    # "Can edit" collaborator on the list: items and sections; not collaborators,
    # publishing or delete.
    user = UserFactory.create(
        username="editor", first_name="Eda", last_name="Editor", role=Role.INSTRUCTOR
    )
    services.collaborator_set(
        actor=instructor,
        reading_list=reading_list,
        user=user,
        right=CollaboratorRight.EDITOR,
    )
    return user


@pytest.fixture
def librarian(db: None) -> User:
    # Library staff: manages every list and processes its items.
    return UserFactory.create(
        username="librarian",
        first_name="Lia",
        last_name="Librarian",
        role=Role.LIBRARIAN,
    )


@pytest.fixture
def admin(db: None) -> User:
    # Institution administrator: everything a librarian may, plus institution policy.
    return UserFactory.create(
        username="admin", first_name="Ada", last_name="Admin", role=Role.ADMIN
    )


@pytest.fixture
def guest() -> AnonymousUser:
    # Not logged in: reads only lists open to anyone with the link.
    return AnonymousUser()


# The list's citations: title -> (section, material type, status).
READING_LIST_ITEMS = {
    "The Canon and Its Critics": ("Week 1", "book", "Complete"),
    "Reading Against the Grain": ("Week 1", "article", "BeingPrepared"),
    "Close Reading, Explained": (None, "website", "Complete"),
    "On Anthologies": (None, "book_chapter", "InProcess"),
}


@pytest.fixture
def reading_list(
    request: pytest.FixtureRequest, course: Course, instructor: User
) -> ReadingList:
    """The course's list, made by its instructor: default section "Resources" and
    "Week 1", with the items of READING_LIST_ITEMS (two Complete).

    Indirect params: "draft" (default), "published" (course students),
    "published:institution", "published:public", "archived".
    """
    param = getattr(request, "param", "draft")
    state, _sep, visibility = param.partition(":")
    reading_list = make_list(
        owner=instructor,
        courses=[course],
        name="Reading the Canon: core reading",
        sections=["Week 1"],
        citations=[
            {"title": title, "section": section, "material_type": kind, "status": st}
            for title, (section, kind, st) in READING_LIST_ITEMS.items()
        ],
        visibility=(visibility or Visibility.COURSE) if state != "draft" else None,
    )
    if state == "archived":
        services.reading_list_set_publication(
            actor=instructor,
            reading_list=reading_list,
            publication_status=PublicationStatus.ARCHIVED,
        )
    elif state not in ("draft", "published"):
        raise ValueError(f"unknown reading_list param {param!r}")
    reading_list.refresh_from_db()
    return reading_list


@pytest.fixture
def published_list(reading_list: ReadingList, instructor: User) -> ReadingList:
    """`reading_list`, published to the course's students."""
    if not reading_list.is_published:
        services.reading_list_publish(
            actor=instructor, reading_list=reading_list, visibility=Visibility.COURSE
        )
        reading_list.refresh_from_db()
    return reading_list


@pytest.fixture
def default_tags(db: None) -> dict[str, Tag]:
    """Essential, Recommended, Optional by name. A data migration ships them, but a
    transactional (live server) test earlier in the same worker flushes them."""
    return {
        name: Tag.objects.get_or_create(
            kind="public", name=name, defaults={"position": position}
        )[0]
        for position, name in enumerate(("Essential", "Recommended", "Optional"))
    }


@pytest.fixture
def client_for(client: Any) -> Callable[[Any], Any]:
    """`client_for(student)`: the test client, logged in as that persona (or not,
    for `guest`)."""

    def login(user: Any) -> Any:
        client.logout()
        if user is not None and user.is_authenticated:
            client.force_login(user)
        return client

    return login
