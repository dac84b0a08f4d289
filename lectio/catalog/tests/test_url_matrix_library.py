"""Every URL of the catalog's library side (holds and reserves) x every persona x GET
and POST: the exact status code, the change an allowed request makes, and for anything
else, no change at all.

The table covers every route of `lectio.catalog.urls_library`: a route without an
expectation here fails.

Who may do what:
- placing a hold and one's own holds: anyone logged in;
- cancelling a hold: its requester; for everyone else the hold does not exist (404);
- the hold queue, a hold's next step, pickup locations, the reserves and ending
  one: library staff;
  everyone else 403;
- guests go to the login page everywhere.

The world is built once per module inside a transaction rolled back at the end; every
cell runs in a savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import Role, User
from lectio.catalog import reserves
from lectio.catalog.models import (
    CourseReserve,
    Hold,
    HoldStatus,
    Item,
    PickupLocation,
    Record,
)
from lectio.catalog.urls_library import urlpatterns
from lectio.core.factories import CourseFactory, UserFactory, enrol
from lectio.core.models import Event
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
    session_keys,
)
from lectio.courses.models import CourseRole

GUEST = "guest"
STUDENT = "student"  # enrolled in the course; placed the hold
OTHER_STUDENT = "other_student"  # enrolled nowhere, no hold
INSTRUCTOR = "instructor"
OTHER_INSTRUCTOR = "other_instructor"
LIBRARIAN = "librarian"
ADMIN = "admin"
ROLES = (GUEST, STUDENT, OTHER_STUDENT, INSTRUCTOR, OTHER_INSTRUCTOR, LIBRARIAN, ADMIN)
LIBRARY = frozenset({LIBRARIAN, ADMIN})
EVERYONE = frozenset(ROLES) - {GUEST}
UNKNOWN = 999_999

WATCHED = (Record, Item, Hold, CourseReserve, PickupLocation)


def db_state() -> dict[str, Any]:
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


@dataclass
class World:
    users: dict[str, User]
    record_id: int  # the student's hold is on it
    free_record_id: int  # nobody holds it
    hold_id: int
    reserve_id: int
    desk_id: int
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)


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
        LIBRARIAN: UserFactory.create(username="librarian", role=Role.LIBRARIAN),
        ADMIN: UserFactory.create(username="admin", role=Role.ADMIN),
    }
    enrol(users[STUDENT], course)
    enrol(users[INSTRUCTOR], course, CourseRole.INSTRUCTOR)
    enrol(users[OTHER_INSTRUCTOR], other_course, CourseRole.INSTRUCTOR)
    desk = PickupLocation.objects.create(code="MAIN", name="Main desk")
    record = Record.objects.create(control_number="m1", title="Held book")
    Item.objects.create(record=record, barcode="M1", location="Stacks")
    free = Record.objects.create(control_number="m2", title="Free book")
    reserved = Item.objects.create(record=free, barcode="M2", location="Stacks")
    hold = Hold.objects.create(
        record=record, requester=users[STUDENT], pickup_location=desk
    )
    reserve = reserves.reserve_place(
        actor=users[LIBRARIAN], item=reserved, course=course
    )
    world = World(
        users=users,
        record_id=record.pk,
        free_record_id=free.pk,
        hold_id=hold.pk,
        reserve_id=reserve.pk,
        desk_id=desk.pk,
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
    def user(self) -> User:
        return self.world.users[self.role]


def effect_hold_placed(ctx: Ctx) -> None:
    assert list(
        Hold.objects.filter(record_id=ctx.world.free_record_id).values_list(
            "requester_id", "status", "pickup_location_id", "note"
        )
    ) == [(ctx.user.pk, "requested", ctx.world.desk_id, "Matrix note")]


def effect_hold_cancelled(ctx: Ctx) -> None:
    assert Hold.objects.get(pk=ctx.world.hold_id).status == HoldStatus.CANCELLED


def effect_hold_in_process(ctx: Ctx) -> None:
    stored = Hold.objects.get(pk=ctx.world.hold_id)
    assert (stored.status, stored.handled_by_id) == ("in_process", ctx.user.pk)


def effect_location_added(ctx: Ctx) -> None:
    assert PickupLocation.objects.filter(code="SCI", name="Science").exists()


def effect_location_closed(ctx: Ctx) -> None:
    assert PickupLocation.objects.get(pk=ctx.world.desk_id).active is False


def effect_reserve_ended(ctx: Ctx) -> None:
    assert CourseReserve.objects.get(pk=ctx.world.reserve_id).active is False
    assert Item.objects.get(barcode="M2").location == "Stacks"


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    allowed: frozenset[str] = LIBRARY
    denied: int = 403
    methods: frozenset[str] = frozenset({"GET"})
    ok: dict[str, int] = field(default_factory=lambda: {"GET": 200, "POST": 302})
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    effect: dict[str, Callable[[Ctx], None]] = field(default_factory=dict)


POST_ONLY = frozenset({"POST"})

ROUTES: dict[str, Route] = {
    "catalog:hold_place": Route(
        kwargs=lambda w: {"record_id": w.free_record_id},
        allowed=EVERYONE,
        methods=frozenset({"GET", "POST"}),
        data=lambda w: {"pickup_location": w.desk_id, "note": "Matrix note"},
        effect={"POST": effect_hold_placed},
    ),
    "catalog:my_holds": Route(allowed=EVERYONE),
    "catalog:hold_cancel": Route(
        kwargs=lambda w: {"hold_id": w.hold_id},
        allowed=frozenset({STUDENT}),
        denied=404,
        methods=POST_ONLY,
        data=lambda w: {"version": 1},
        effect={"POST": effect_hold_cancelled},
    ),
    "catalog:hold_queue": Route(),
    "catalog:hold_status": Route(
        kwargs=lambda w: {"hold_id": w.hold_id},
        methods=POST_ONLY,
        data=lambda w: {"version": 1, "status": "in_process"},
        effect={"POST": effect_hold_in_process},
    ),
    "catalog:library_reserves": Route(),
    "catalog:pickup_locations": Route(
        methods=frozenset({"GET", "POST"}),
        data=lambda w: {"code": "SCI", "name": "Science"},
        effect={"POST": effect_location_added},
    ),
    "catalog:pickup_location_active": Route(
        kwargs=lambda w: {"location_id": w.desk_id},
        methods=POST_ONLY,
        data=lambda w: {"active": "0"},
        effect={"POST": effect_location_closed},
    ),
    "catalog:reserve_end": Route(
        kwargs=lambda w: {"reserve_id": w.reserve_id},
        methods=POST_ONLY,
        data=lambda w: {"reason": "Matrix"},
        effect={"POST": effect_reserve_ended},
    ),
}

UNKNOWN_IDS: dict[str, tuple[str, dict[str, int]]] = {
    "catalog:hold_place": (STUDENT, {"record_id": UNKNOWN}),
    "catalog:hold_cancel": (STUDENT, {"hold_id": UNKNOWN}),
    "catalog:hold_status": (LIBRARIAN, {"hold_id": UNKNOWN}),
    "catalog:reserve_end": (LIBRARIAN, {"reserve_id": UNKNOWN}),
    "catalog:pickup_location_active": (LIBRARIAN, {"location_id": UNKNOWN}),
}


def expected(route: Route, method: str, role: str) -> tuple[int | str, bool]:
    if role == GUEST:
        return LOGIN, False
    if method not in route.methods:
        return 405, False
    if role not in route.allowed:
        return route.denied, False
    return route.ok[method], method in route.effect


def check_cell(route: Route, name: str, method: str, ctx: Ctx) -> None:
    client = Client()
    if ctx.role in ctx.world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = ctx.world.sessions[ctx.role]
    url = reverse(name, kwargs=route.kwargs(ctx.world))
    status, changes = expected(route, method, ctx.role)
    response = (
        client.get(url) if method == "GET" else client.post(url, route.data(ctx.world))
    )
    assert_status(response, status)
    if changes:
        route.effect[method](ctx)
    else:
        assert_unchanged(ctx.world.baseline, db_state(), status)


def library_routes() -> list[str]:
    return [f"catalog:{p.name}" for p in urlpatterns]


def test_every_library_route_has_an_expectation() -> None:
    assert sorted(library_routes()) == sorted(ROUTES)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        pytest.param(name, method, id=f"{name}-{method}")
        for name in library_routes()
        for method in ("GET", "POST")
    ],
)
def test_route(name: str, method: str, world: World, db: None) -> None:
    route = ROUTES[name]
    failures = []
    for role in ROLES:
        ctx = Ctx(world=world, role=role)
        try:
            with transaction.atomic():
                try:
                    check_cell(route, name, method, ctx)
                finally:
                    transaction.set_rollback(True)
        except AssertionError as error:
            failures.append(f"{role}: {error}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        pytest.param(name, method, id=f"{name}-{method}")
        for name in UNKNOWN_IDS
        for method in sorted(ROUTES[name].methods)
    ],
)
def test_unknown_ids_are_404(name: str, method: str, world: World, db: None) -> None:
    role, kwargs = UNKNOWN_IDS[name]
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = reverse(name, kwargs=kwargs)
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == 404
    assert db_state() == world.baseline
