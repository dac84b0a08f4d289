"""Fixtures for the lists tests, beyond the cast in the root conftest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

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


def db_state() -> dict[str, Any]:
    """Everything a list page could change, row by row: compare two of these to
    prove that a refused request changed nothing."""
    return {
        "lists": list(ReadingList.objects.order_by("pk").values()),
        "list_courses": list(
            ReadingList.courses.through.objects.order_by("pk").values()
        ),
        "sections": list(Section.objects.order_by("pk").values()),
        "citations": list(Citation.objects.order_by("pk").values()),
        "citation_tags": list(
            Citation.tags.through.objects.order_by("pk").values(
                "citation_id", "tag_id"
            )
        ),
        "collaborators": list(
            Collaborator.objects.order_by("pk").values("reading_list_id", "user_id", "right")
        ),
        "interactions": list(CitationInteraction.objects.order_by("pk").values()),
        "events": Event.objects.count(),
        "institution": list(InstitutionSettings.objects.order_by("pk").values()),
    }


@pytest.fixture
def snapshot() -> Callable[[], dict[str, Any]]:
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
