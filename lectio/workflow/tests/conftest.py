"""Fixtures for the library workflow tests, beyond the cast in the root conftest.

`sent_list` is the root `reading_list` after its instructor sent it to the library:
ReadyForProcessing, nobody assigned, with the items

    "The Canon and Its Critics"   Week 1     book          Complete
    "Reading Against the Grain"   Week 1     article       ReadyForProcessing
    "Close Reading, Explained"    Resources  website       Complete
    "On Anthologies"              Resources  book_chapter  InProcess
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.factories import UserFactory
from lectio.core.models import Event
from lectio.lists import services
from lectio.lists.models import (
    Citation,
    CitationStatusRule,
    Collaborator,
    ReadingList,
    Tag,
    TagKind,
)
from lectio.workflow.models import (
    CopyrightRule,
    Message,
    NotificationPreference,
    PendingNotification,
    ProcessingRequest,
    PurchaseRatio,
)

IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"

# Every table a workflow page or service could write to.
WATCHED = (
    ReadingList,
    ReadingList.courses.through,
    Citation,
    Citation.tags.through,
    Collaborator,
    ProcessingRequest,
    Message,
    NotificationPreference,
    PendingNotification,
    CitationStatusRule,
    CopyrightRule,
    PurchaseRatio,
    InstitutionSettings,
)


def db_state() -> dict[str, Any]:
    """Every row the library's work could change, in plain SQL. Compare two to prove a
    refused action changed nothing; audit events are append-only, so their count says
    enough."""
    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in WATCHED:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
            state[model._meta.label] = cursor.fetchall()
        table = connection.ops.quote_name(Event._meta.db_table)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        state["events"] = cursor.fetchone()[0]
    return state


@pytest.fixture
def snapshot(db: None) -> Callable[[], dict[str, Any]]:
    """`before = snapshot()`, act, `assert snapshot() == before`."""
    InstitutionSettings.current()  # pages create the row on first use
    return db_state


@pytest.fixture
def default_rules(default_tags: dict[str, Tag]) -> dict[str, Any]:
    """The rules the data migration ships (Essential 1 copy per 10 students,
    Recommended 1 per 30; up to 10% of a work or one chapter approved), put back by
    the migration's own code when a flushing (live server) test removed them."""
    migration = importlib.import_module("lectio.workflow.migrations.0003_default_rules")
    migration.create(django_apps, None)
    return {
        "purchase": {
            r.tag.name: r.students_per_copy
            for r in PurchaseRatio.objects.select_related("tag")
        },
        "copyright": list(CopyrightRule.objects.order_by("position", "id")),
    }


@pytest.fixture
def library_tags(db: None) -> dict[str, Tag]:
    """One tag of each library kind, and a public one."""
    return {
        "shared": Tag.objects.get_or_create(
            kind=TagKind.INSTRUCTOR_LIBRARY, name="Check edition"
        )[0],
        "internal": Tag.objects.get_or_create(
            kind=TagKind.LIBRARY_INTERNAL, name="Vendor: Dawson"
        )[0],
        "public": Tag.objects.get_or_create(
            kind=TagKind.PUBLIC, name="Essential", defaults={"position": 0}
        )[0],
    }


@pytest.fixture
def other_librarian(db: None) -> User:
    # Library staff too: takes lists the first librarian wanted.
    return UserFactory.create(
        username="other_librarian",
        first_name="Lou",
        last_name="Loaner",
        role=Role.LIBRARIAN,
    )


@pytest.fixture
def sent_list(reading_list: ReadingList, instructor: User) -> ReadingList:
    """`reading_list`, sent to the library by its instructor."""
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    reading_list.refresh_from_db()
    return reading_list


def item(reading_list: ReadingList, title: str) -> Citation:
    """The list's citation of that title, as the database has it now."""
    return Citation.objects.get(reading_list=reading_list, title=title)


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Background jobs run at once, in the test's process (the settings change resets
    django_tasks' backend handler)."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def outbox(settings: Any, mailoutbox: list[Any]) -> list[Any]:
    settings.EMAIL_BACKEND = LOCMEM_EMAIL
    return mailoutbox


def set_institution(**fields: Any) -> None:
    """Changes institution policy for one test (and forgets this process's copy)."""
    InstitutionSettings.current()
    InstitutionSettings.objects.filter(pk=1).update(**fields)
    InstitutionSettings.forget_cached()
