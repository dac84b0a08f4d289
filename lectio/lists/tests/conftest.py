"""Fixtures for the lists tests, beyond the cast in the root conftest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.factories import UserFactory
from lectio.core.models import Event
from lectio.lists import services
from lectio.lists.models import (
    Citation,
    CitationInteraction,
    Collaborator,
    CollaboratorRight,
    ReadingList,
    Section,
    Tag,
)

# Every table a list page could write to, compared row by row and column by column.
WATCHED = (
    ReadingList,
    ReadingList.courses.through,
    Section,
    Citation,
    Citation.tags.through,
    Collaborator,
    CitationInteraction,
    InstitutionSettings,
)


def db_state() -> dict[str, Any]:
    """Every row a list page could change (plain SQL: cheap enough to take around
    each of a thousand requests). Compare two to prove a refused request changed
    nothing. Audit events are append-only: their count says enough."""
    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in WATCHED:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
            state[model._meta.label] = cursor.fetchall()
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(Event._meta.db_table)}"  # noqa: S608
        )
        state["events"] = cursor.fetchone()[0]
    return state


@pytest.fixture
def snapshot(db: None) -> Callable[[], dict[str, Any]]:
    """`before = snapshot()`, act, `assert snapshot() == before`."""
    InstitutionSettings.current()  # reading pages create the row on first use
    return db_state


@pytest.fixture
def owner_collaborator(reading_list: ReadingList, instructor: User) -> User:
    # "Can manage" collaborator who teaches none of the list's courses: everything,
    # collaborators and delete included.
    user = UserFactory.create(
        username="co_owner", first_name="Cora", last_name="Owner", role=Role.INSTRUCTOR
    )
    services.collaborator_set(
        actor=instructor,
        reading_list=reading_list,
        user=user,
        right=CollaboratorRight.OWNER,
    )
    return user


@pytest.fixture
def essential_tag(db: None) -> Tag:
    # Shipped by a data migration; a flushing (live server) test may have removed it.
    tag, _created = Tag.objects.get_or_create(
        kind="public", name="Essential", defaults={"position": 0}
    )
    return tag
