"""GET /api/v1/analytics/lists/ID/suggestions and .../citations/ID/suggestions: the
same suggestions as the pages, for whoever may read the list, and nothing about a
list the caller cannot see."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

from lectio.accounts.services import api_key_create
from lectio.analytics.suggestions.refresh import refresh_all
from lectio.analytics.suggestions.tests.conftest import World

pytestmark = pytest.mark.django_db


_numbers = itertools.count()


def key_for(user: Any, *scopes: str) -> dict[str, str]:
    name = f"key {next(_numbers)}"
    _key, secret = api_key_create(actor=None, name=name, scopes=list(scopes), user=user)
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("student", 200),
        ("other_student", 404),
        ("instructor", 200),
        ("other_instructor", 404),
        ("librarian", 200),
        ("admin", 200),
    ],
)
def test_a_lists_suggestions_for_every_role(
    request: pytest.FixtureRequest, world: World, role: str, status: int
) -> None:
    refresh_all()
    user = request.getfixturevalue(role)

    response = Client().get(
        f"/api/v1/analytics/lists/{world.ours.pk}/suggestions",
        **key_for(user, "analytics:read"),
    )

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["list_id"] == world.ours.pk
        assert [(s["title"], s["lists"], s["courses"]) for s in body["cocited"]] == [
            ("The age of capital", 2, 2)
        ]
        assert body["cocited"][0]["explanation"] == (
            "On 2 other lists (2 courses) with “The age of revolution”"
        )
        assert body["similar"] == []


def test_anonymous_callers_and_keys_without_the_scope_get_nothing(
    world: World, student: Any
) -> None:
    path = f"/api/v1/analytics/lists/{world.ours.pk}/suggestions"

    assert Client().get(path).status_code == 401
    denied = Client().get(path, **key_for(student, "lists:read"))
    assert denied.status_code == 403


def test_a_draft_lists_suggestions_are_a_404_to_its_readers(
    world: World, student: Any, librarian: Any
) -> None:
    refresh_all()
    path = f"/api/v1/analytics/lists/{world.draft.pk}/suggestions"

    assert Client().get(path, **key_for(student, "analytics:read")).status_code == 404
    staff = Client().get(path, **key_for(librarian, "analytics:read"))
    assert staff.status_code == 200


def test_a_citations_suggestions_leave_out_what_its_list_has(
    world: World, student: Any
) -> None:
    refresh_all()
    citation = world.ours.citations.get(title="The age of revolution")

    response = Client().get(
        f"/api/v1/analytics/citations/{citation.pk}/suggestions",
        **key_for(student, "analytics:read"),
    )

    body = response.json()
    assert response.status_code == 200
    assert body["citation_id"] == citation.pk
    assert [s["title"] for s in body["cocited"]] == ["The age of capital"]
    assert body["cocited"][0]["because_citation_id"] == citation.pk


def test_an_item_readers_cannot_see_has_no_suggestions_for_them(
    world: World, student: Any
) -> None:
    refresh_all()
    citation = world.ours.citations.get(title="The age of revolution")
    type(citation).objects.filter(pk=citation.pk).update(status="InProcess")

    response = Client().get(
        f"/api/v1/analytics/citations/{citation.pk}/suggestions",
        **key_for(student, "analytics:read"),
    )

    assert response.status_code == 404
