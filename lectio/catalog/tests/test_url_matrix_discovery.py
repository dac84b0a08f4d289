"""Every discovery URL (lectio/catalog/urls_discovery.py) x every person x GET and
POST: the exact status code, the change an allowed POST makes, and for anything else,
no change at all.

Who may do what:
- searching, record pages, suggestions, course reserves: everyone logged in; what
  lists they are shown follows the lists app's rules (tested in test_views_*);
- adding a record to a list: people who may edit the list (its instructor, library
  staff); a student (no list to edit) is refused the page itself; another instructor
  may open the picker (their own lists) but not add to this list;
- guests go to the login page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.catalog import urls_discovery
from lectio.catalog.tests.test_views_support import add_copy, make_record
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    UserFactory,
    enrol,
    make_list,
)
from lectio.core.models import Event
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
    session_keys,
)
from lectio.courses.models import CourseRole
from lectio.lists.models import Citation

GUEST = "guest"
STUDENT = "student"  # enrolled in the course
OTHER_STUDENT = "other_student"  # enrolled nowhere
INSTRUCTOR = "instructor"  # teaches the course, owns its list
OTHER_INSTRUCTOR = "other_instructor"  # teaches another course
LIBRARIAN = "librarian"
ADMIN = "admin"
ROLES = (GUEST, STUDENT, OTHER_STUDENT, INSTRUCTOR, OTHER_INSTRUCTOR, LIBRARIAN, ADMIN)
EVERYONE = frozenset(ROLES) - {GUEST}
LIST_EDITORS = frozenset({INSTRUCTOR, LIBRARIAN, ADMIN})
AUTHORS = frozenset({INSTRUCTOR, OTHER_INSTRUCTOR, LIBRARIAN, ADMIN})


@dataclass
class World:
    users: dict[str, User]
    record_id: int
    course_id: int
    list_id: int
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)


def db_state() -> dict[str, Any]:
    return {
        "citations": list(
            Citation.objects.order_by("pk").values_list(
                "pk", "reading_list_id", "section_id", "catalog_record_id", "status"
            )
        ),
        "events": Event.objects.count(),
    }


def build_world() -> World:
    course = CourseFactory.create(
        code="LIT101", academic_department=DepartmentFactory.create(code="LIT")
    )
    other_course = CourseFactory.create(code="HIS201")
    users = {
        STUDENT: UserFactory.create(username="d-student"),
        OTHER_STUDENT: UserFactory.create(username="d-other-student"),
        INSTRUCTOR: UserFactory.create(username="d-instructor", role=Role.INSTRUCTOR),
        OTHER_INSTRUCTOR: UserFactory.create(
            username="d-other-instructor", role=Role.INSTRUCTOR
        ),
        LIBRARIAN: UserFactory.create(username="d-librarian", role=Role.LIBRARIAN),
        ADMIN: UserFactory.create(username="d-admin", role=Role.ADMIN),
    }
    enrol(users[STUDENT], course)
    enrol(users[INSTRUCTOR], course, CourseRole.INSTRUCTOR)
    enrol(users[OTHER_INSTRUCTOR], other_course, CourseRole.INSTRUCTOR)
    InstitutionSettings.current()
    reading_list = make_list(
        owner=users[INSTRUCTOR], courses=[course], name="Canon", sections=["Week 1"]
    )
    record = make_record("Middlemarch")
    add_copy(record)
    world = World(
        users=users,
        record_id=record.pk,
        course_id=course.pk,
        list_id=reading_list.pk,
    )
    world.sessions.update(session_keys(users))
    world.baseline = db_state()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from rolled_back_world(django_db_blocker, build_world)


@dataclass(frozen=True)
class Ctx:
    world: World
    role: str

    @property
    def user(self) -> User | None:
        return self.world.users.get(self.role)


def effect_citation_added(ctx: Ctx) -> None:
    new = Citation.objects.exclude(
        pk__in=[row[0] for row in ctx.world.baseline["citations"]]
    ).values_list("reading_list_id", "catalog_record_id", "created_by_id")
    assert list(new) == [
        (ctx.world.list_id, ctx.world.record_id, ctx.user.pk)  # type: ignore[union-attr]
    ]
    assert Event.objects.count() == ctx.world.baseline["events"] + 1


@dataclass(frozen=True)
class Route:
    """kwargs: the URL's arguments; allowed: who gets `ok` (the others: `refused`);
    methods: accepted methods (others are 405 for people logged in)."""

    kwargs: Callable[[World], dict[str, Any]]
    allowed: dict[str, frozenset[str]]
    methods: frozenset[str] = frozenset({"GET"})
    ok: dict[str, int] = field(default_factory=lambda: {"GET": 200, "POST": 302})
    refused: int = 403
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    query: dict[str, str] = field(default_factory=dict)
    effect: dict[str, Callable[[Ctx], None]] = field(default_factory=dict)


def _none(w: World) -> dict[str, Any]:
    return {}


def _record(w: World) -> dict[str, Any]:
    return {"record_id": w.record_id}


ROUTES: dict[str, Route] = {
    "catalog:search": Route(
        kwargs=_none, allowed={"GET": EVERYONE}, query={"q": "middlemarch"}
    ),
    "catalog:suggest": Route(
        kwargs=_none, allowed={"GET": EVERYONE}, query={"q": "midd"}
    ),
    "catalog:record": Route(kwargs=_record, allowed={"GET": EVERYONE}),
    "catalog:add_to_list": Route(
        kwargs=_record,
        methods=frozenset({"GET", "POST"}),
        allowed={"GET": AUTHORS, "POST": LIST_EDITORS},
        data=lambda w: {"list": w.list_id},
        effect={"POST": effect_citation_added},
    ),
    "catalog:reserves": Route(
        kwargs=_none, allowed={"GET": EVERYONE}, query={"q": "LIT"}
    ),
    "catalog:course_reserves": Route(
        kwargs=lambda w: {"course_id": w.course_id}, allowed={"GET": EVERYONE}
    ),
}


def discovery_routes() -> list[str]:
    return [f"catalog:{p.name or ''}" for p in urls_discovery.urlpatterns]


def expected(route: Route, method: str, role: str) -> tuple[Any, bool]:
    """(status, whether the request changes something)."""
    if role == GUEST:
        return LOGIN, False
    if method not in route.methods:
        return 405, False
    if role not in route.allowed[method]:
        return route.refused, False
    return route.ok[method], method in route.effect


def check_cell(name: str, method: str, ctx: Ctx, client: Client) -> None:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(ctx.world))
    status, changes = expected(route, method, ctx.role)
    if method == "GET":
        response = client.get(url, route.query)
    else:
        response = client.post(url, route.data(ctx.world))
    assert_status(response, status)
    if changes:
        route.effect[method](ctx)
    else:
        assert_unchanged(ctx.world.baseline, db_state(), status)


def cells() -> Iterator[Any]:
    for name in discovery_routes():
        for method in ("GET", "POST"):
            yield pytest.param(name, method, id=f"{name}-{method}")


@pytest.mark.parametrize(("name", "method"), list(cells()))
def test_route(name: str, method: str, world: World, db: None) -> None:
    assert name in ROUTES, f"no expectation for the route {name!r}: add it to ROUTES"
    failures = []
    for role in ROLES:
        client = Client()
        if role in world.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        try:
            with transaction.atomic():
                try:
                    check_cell(name, method, Ctx(world=world, role=role), client)
                finally:
                    transaction.set_rollback(True)
        except AssertionError as error:
            failures.append(f"{role}: {error}")
    assert not failures, "\n".join(failures)


def test_every_discovery_route_has_an_expectation() -> None:
    names = discovery_routes()
    assert "catalog:" not in names, "every discovery route needs a name"
    assert sorted(set(names) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(names)) == []


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("catalog:record", {"record_id": 987654}, "GET"),
        ("catalog:add_to_list", {"record_id": 987654}, "GET"),
        ("catalog:add_to_list", {"record_id": 987654}, "POST"),
        ("catalog:course_reserves", {"course_id": 987654}, "GET"),
    ],
)
@pytest.mark.parametrize("role", [STUDENT, INSTRUCTOR, LIBRARIAN])
def test_unknown_ids_are_404(
    name: str, kwargs: dict[str, int], method: str, role: str, world: World, db: None
) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = reverse(name, kwargs=kwargs)

    response = (
        client.get(url)
        if method == "GET"
        else client.post(url, {"list": world.list_id})
    )

    assert response.status_code == 404
    assert db_state() == world.baseline
