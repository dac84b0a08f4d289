"""Every suggestions URL x every role x state of the list: the exact status code, the
citation an allowed POST adds, and on anything else no change at all.

Readers may see suggestions where they may see the list; adding one is for whoever
may edit the list. A draft list is a 404 to everyone else (guests go to the login
page), so the suggestions never tell anyone it exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from lectio.analytics.suggestions.models import Work
from lectio.analytics.suggestions.refresh import refresh_all
from lectio.analytics.suggestions.tests.conftest import World
from lectio.lists import services
from lectio.lists.models import Citation
from lectio.lists.statuses import PublicationStatus, Visibility

pytestmark = pytest.mark.django_db

ROLES = (
    "guest",
    "student",
    "other_student",
    "instructor",
    "other_instructor",
    "librarian",
    "admin",
)
STATES = ("draft", "course", "institution", "public")
LOGIN = 302

# What readers get by state: (guest, student, other_student, other_instructor).
READERS = {
    "draft": (LOGIN, 404, 404, 404),
    "course": (LOGIN, 200, 404, 404),
    "institution": (LOGIN, 200, 200, 200),
    "public": (200, 200, 200, 200),
}
# Adding: readers who may see the list are refused (403), others do not see it.
ADDERS = {
    "draft": (LOGIN, 404, 404, 404),
    "course": (LOGIN, 403, 404, 404),
    "institution": (LOGIN, 403, 403, 403),
    "public": (LOGIN, 403, 403, 403),
}
EDITORS = ("instructor", "librarian", "admin")


def expected(name: str, method: str, state: str, role: str) -> int:
    readers = ("guest", "student", "other_student", "other_instructor")
    if name == "suggestions:add":
        if method == "GET":
            return LOGIN if role == "guest" else 405
        if role in EDITORS:
            return 302
        return ADDERS[state][readers.index(role)]
    if method == "POST":
        return 405
    if role in EDITORS:
        return 200
    return READERS[state][readers.index(role)]


def url(name: str, world: World) -> str:
    if name == "suggestions:citation":
        citation = world.ours.citations.get(title="The age of revolution")
        return reverse(name, args=[citation.pk])
    return reverse(name, args=[world.ours.pk])


def named_routes() -> list[str]:
    names = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "suggestions":
            names += [f"suggestions:{p.name}" for p in pattern.url_patterns]
    return names


def test_every_route_is_in_the_matrix() -> None:
    assert sorted(named_routes()) == [
        "suggestions:add",
        "suggestions:citation",
        "suggestions:list",
    ]


def set_state(world: World, state: str, instructor: Any) -> None:
    if state == "draft":
        services.reading_list_set_publication(
            actor=instructor,
            reading_list=world.ours,
            publication_status=PublicationStatus.DRAFT,
        )
    else:
        services.reading_list_publish(
            actor=instructor, reading_list=world.ours, visibility=state
        )
    world.ours.refresh_from_db()


def rows() -> list[tuple[str, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, section_id, catalog_record_id FROM "
            + connection.ops.quote_name(Citation._meta.db_table)
            + " ORDER BY id"
        )
        return cursor.fetchall()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "name", ["suggestions:list", "suggestions:citation", "suggestions:add"]
)
def test_each_role_gets_what_its_right_allows(
    request: pytest.FixtureRequest,
    world: World,
    name: str,
    method: str,
    state: str,
    instructor: Any,
) -> None:
    assert Visibility.COURSE == "course"
    set_state(world, state, instructor)
    refresh_all()
    capital = Work.objects.get(title="The age of capital")
    target = url(name, world)
    for role in ROLES:
        client = Client()
        if role != "guest":
            client.force_login(request.getfixturevalue(role))
        before = rows()
        with transaction.atomic():
            response = (
                client.get(target)
                if method == "GET"
                else client.post(target, {"work": capital.pk})
            )
            status = expected(name, method, state, role)
            assert response.status_code == status, (role, response.status_code)
            if status == LOGIN and role == "guest":
                assert response["Location"].startswith(reverse("login"))
            if name == "suggestions:add" and status == 302 and role != "guest":
                added = rows()[len(before) :]
                assert [(r[1], r[3]) for r in added] == [("The age of capital", None)]
                assert response["Location"].startswith(
                    reverse("lists:detail", args=[world.ours.pk])
                )
            else:
                assert rows() == before
            if status == 200:
                html = response.content.decode()
                assert "The age of capital" in html
                assert ("Add to section" in html) == (role in EDITORS)
            transaction.set_rollback(True)
