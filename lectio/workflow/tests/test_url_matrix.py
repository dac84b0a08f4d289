"""Every workflow URL x every persona x GET and POST: the exact status code, the change
an allowed request makes, and for anything else, no change at all.

The table is built from the `workflow` namespace of the URL resolver: a route without
an expectation here fails `test_every_workflow_route_has_an_expectation` (and its
cells fail too).

Who may do what:
- library pages (home, task list, working a list, queues): library staff; everyone
  else 403, guests to the login page;
- requests and the library discussion of a list: the people who edit the list (its
  instructor, "can edit" collaborators) and library staff; a draft list is 404 for
  everyone else;
- institution rules: administrators;
- notification settings: anyone logged in.

The world (people, a list sent to the library, a request, rules) is built once per
module inside a transaction rolled back at the end; every cell runs in a savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    UserFactory,
    enrol,
    make_list,
)
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
    session_keys,
)
from lectio.courses.models import CourseRole
from lectio.lists import reading, services
from lectio.lists.models import (
    Citation,
    CitationStatusRule,
    CollaboratorRight,
    ReadingList,
)
from lectio.workflow.models import (
    CopyrightRule,
    Message,
    NotificationPreference,
    ProcessingRequest,
)
from lectio.workflow.tests.conftest import db_state

GUEST = "guest"
STUDENT = "student"  # enrolled in the list's course
OTHER_STUDENT = "other_student"  # enrolled nowhere
INSTRUCTOR = "instructor"  # teaches the list's course; made the request
OTHER_INSTRUCTOR = "other_instructor"  # teaches another course
EDITOR = "editor"  # "can edit" collaborator on the list
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
LIBRARY = frozenset({LIBRARIAN, ADMIN})
LIST_EDITORS = frozenset({INSTRUCTOR, EDITOR}) | LIBRARY


@dataclass
class World:
    users: dict[str, User]
    list_id: int
    pending_id: int  # ReadyForProcessing
    complete_id: int
    request_id: int  # a purchase, New, made by the instructor
    rule_ids: list[int]  # two copyright rules, in order
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    course = CourseFactory.create(
        code="LIT101", academic_department=DepartmentFactory.create(code="LIT")
    )
    other_course = CourseFactory.create(
        code="HIS201", academic_department=DepartmentFactory.create(code="HIS")
    )
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
    reading_list = make_list(
        owner=users[INSTRUCTOR],
        courses=[course],
        name="Reading the Canon",
        citations=[
            {"title": "Pending item", "status": "BeingPrepared"},
            {"title": "Complete item", "status": "Complete"},
        ],
        send_to_library=True,
    )
    services.collaborator_set(
        actor=users[INSTRUCTOR],
        reading_list=reading_list,
        user=users[EDITOR],
        right=CollaboratorRight.EDITOR,
    )
    titles = dict(reading_list.citations.values_list("title", "pk"))
    from lectio.workflow import services as workflow

    request = workflow.request_create(
        actor=users[INSTRUCTOR],
        citation=Citation.objects.get(pk=titles["Pending item"]),
        kind="purchase",
        copies=2,
    )
    # A copy the purchase request can put on reserve (by barcode: the citation is not
    # linked to the catalog).
    from lectio.catalog.models import Item, Record

    Item.objects.create(
        record=Record.objects.create(control_number="matrix-1", title="Pending item"),
        barcode="MATRIX-1",
        location="Stacks",
    )
    rules = [
        CopyrightRule.objects.create(
            position=100 + n, name=f"Matrix rule {n}", max_percent=5, outcome="Approved"
        )
        for n in (1, 2)
    ]
    world = World(
        users=users,
        list_id=reading_list.pk,
        pending_id=titles["Pending item"],
        complete_id=titles["Complete item"],
        request_id=request.pk,
        rule_ids=[r.pk for r in rules],
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

    def stored_list(self) -> ReadingList:
        return ReadingList.objects.get(pk=self.world.list_id)


# --- effects of allowed requests -----------------------------------------------------


def effect_seen(ctx: Ctx) -> None:
    assert ctx.stored_list().library_seen_at is not None


def effect_assigned_to_librarian(ctx: Ctx) -> None:
    assert ctx.stored_list().assigned_librarian_id == ctx.world.users[LIBRARIAN].pk


def effect_taken(ctx: Ctx) -> None:
    assert ctx.stored_list().assigned_librarian_id == ctx.user.pk  # type: ignore[union-attr]


def effect_started(ctx: Ctx) -> None:
    assert ctx.stored_list().status == "BeingProcessed"


def effect_completed(ctx: Ctx) -> None:
    assert ctx.stored_list().status == "Complete"


def effect_in_process(ctx: Ctx) -> None:
    assert Citation.objects.get(pk=ctx.world.pending_id).status == "InProcess"


def effect_library_note(ctx: Ctx) -> None:
    stored = Citation.objects.get(pk=ctx.world.pending_id)
    assert (stored.library_note, stored.copyright_status) == (
        "Matrix note",
        "Approved",
    )


def effect_digitization(ctx: Ctx) -> None:
    assert list(
        ProcessingRequest.objects.filter(kind="digitization").values_list(
            "citation_id", "page_ranges", "created_by_id"
        )
    ) == [(ctx.world.pending_id, "1-10", ctx.user.pk)]  # type: ignore[union-attr]


def effect_cancelled(ctx: Ctx) -> None:
    assert ProcessingRequest.objects.get(pk=ctx.world.request_id).state == "Cancelled"


def effect_on_reserve(ctx: Ctx) -> None:
    from lectio.catalog.models import CourseReserve

    assert list(
        CourseReserve.objects.values_list("item__barcode", "course__code", "active")
    ) == [("MATRIX-1", "LIT101", True)]
    assert ProcessingRequest.objects.get(pk=ctx.world.request_id).state == "Done"


def effect_message(ctx: Ctx) -> None:
    assert list(Message.objects.values_list("author_id", "body")) == [
        (ctx.user.pk, "Matrix message")  # type: ignore[union-attr]
    ]


def effect_digest(ctx: Ctx) -> None:
    assert list(
        NotificationPreference.objects.values_list("user_id", "daily_digest")
    ) == [(ctx.user.pk, True)]  # type: ignore[union-attr]


def effect_status_rule(ctx: Ctx) -> None:
    assert list(
        CitationStatusRule.objects.values_list(
            "material_type", "availability", "status"
        )
    ) == [("website", "", "Complete")]


def effect_rule_deleted(ctx: Ctx) -> None:
    assert not CopyrightRule.objects.filter(pk=ctx.world.rule_ids[0]).exists()


def effect_rule_moved(ctx: Ctx) -> None:
    ordered = list(
        CopyrightRule.objects.filter(pk__in=ctx.world.rule_ids)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    assert ordered == ctx.world.rule_ids[::-1]


# --- the table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How one named route behaves.

    allowed: the roles that get through (everyone else logged in gets `denied`);
    denied: 403, or 404 for people with no right on the draft list;
    methods: accepted methods (others are 405 for people logged in);
    ok: what an allowed GET / POST answers (200 for a page, 302 after a change);
    effect: the change an allowed request must make, by method (none: no change);
    refused: roles let through whose POST the service refuses (302, no change).
    """

    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    allowed: frozenset[str] = LIBRARY
    denied: Callable[[str], int] = lambda role: 403
    methods: frozenset[str] = frozenset({"GET", "POST"})
    ok: dict[str, int] = field(default_factory=lambda: {"GET": 200, "POST": 302})
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    effect: dict[str, Callable[[Ctx], None]] = field(default_factory=dict)
    refused: frozenset[str] = frozenset()


def _not_on_list(role: str) -> int:
    # The list is a draft: people with no right on it do not learn it exists.
    return 404 if role in (STUDENT, OTHER_STUDENT, OTHER_INSTRUCTOR) else 403


POST_ONLY = frozenset({"POST"})
PAGE = {"GET": 200, "POST": 200}  # pages that render the same for any method


def _list(w: World) -> dict[str, int]:
    return {"list_id": w.list_id}


def _pending(w: World) -> dict[str, int]:
    return {"citation_id": w.pending_id}


ROUTES: dict[str, Route] = {
    "workflow:home": Route(ok=PAGE),
    "workflow:tasks": Route(ok=PAGE),
    "workflow:bulk_assign": Route(
        methods=POST_ONLY,
        data=lambda w: {
            "list_ids": [w.list_id],
            "assignee": w.users[LIBRARIAN].pk,
        },
        effect={"POST": effect_assigned_to_librarian},
    ),
    "workflow:work": Route(
        kwargs=_list, ok=PAGE, effect={"GET": effect_seen, "POST": effect_seen}
    ),
    "workflow:take": Route(
        kwargs=_list, methods=POST_ONLY, effect={"POST": effect_taken}
    ),
    "workflow:assign": Route(
        kwargs=_list,
        methods=POST_ONLY,
        data=lambda w: {"assignee": w.users[LIBRARIAN].pk},
        effect={"POST": effect_assigned_to_librarian},
    ),
    "workflow:start": Route(
        kwargs=_list, methods=POST_ONLY, effect={"POST": effect_started}
    ),
    "workflow:complete": Route(
        kwargs=_list,
        methods=POST_ONLY,
        data=lambda w: {"complete-reason": "Term starts"},
        effect={"POST": effect_completed},
    ),
    "workflow:citations_status": Route(
        kwargs=_list,
        methods=POST_ONLY,
        data=lambda w: {"citation_ids": [w.pending_id], "status": "InProcess"},
        effect={"POST": effect_in_process},
    ),
    "workflow:citation_library": Route(
        kwargs=_pending,
        data=lambda w: {"library_note": "Matrix note", "copyright_status": "Approved"},
        effect={"POST": effect_library_note},
    ),
    "workflow:queue": Route(kwargs=lambda w: {"kind": "purchase"}, ok=PAGE),
    "workflow:request_new": Route(
        kwargs=_pending,
        allowed=LIST_EDITORS,
        denied=_not_on_list,
        data=lambda w: {"kind": "digitization", "page_ranges": "1-10"},
        effect={"POST": effect_digitization},
    ),
    "workflow:request_state": Route(
        kwargs=lambda w: {"request_id": w.request_id},
        allowed=LIST_EDITORS,
        denied=_not_on_list,
        methods=POST_ONLY,
        data=lambda w: {"state": "Cancelled"},
        effect={"POST": effect_cancelled},
        # Only the library, or the person who made the request, may cancel it.
        refused=frozenset({EDITOR}),
    ),
    "workflow:request_reserve": Route(
        kwargs=lambda w: {"request_id": w.request_id},
        data=lambda w: {
            "barcode": "MATRIX-1",
            "course": str(
                ReadingList.objects.get(pk=w.list_id).courses.get(code="LIT101").pk
            ),
            "reserve_location": "Course reserves",
            "reserve_loan_policy": "2-hour loan",
        },
        effect={"POST": effect_on_reserve},
    ),
    "workflow:discussion": Route(
        kwargs=_list,
        allowed=LIST_EDITORS,
        denied=_not_on_list,
        data=lambda w: {"body": "Matrix message"},
        effect={"POST": effect_message},
    ),
    "workflow:notifications": Route(
        allowed=frozenset(ROLES) - {GUEST},
        data=lambda w: {"daily_digest": "on"},
        effect={"POST": effect_digest},
    ),
    "workflow:rules": Route(
        allowed=frozenset({ADMIN}),
        data=lambda w: {
            "rule_kind": "status",
            "status-material_type": "website",
            "status-availability": "",
            "status-status": "Complete",
        },
        effect={"POST": effect_status_rule},
    ),
    "workflow:rule_delete": Route(
        kwargs=lambda w: {"kind": "copyright", "rule_id": w.rule_ids[0]},
        allowed=frozenset({ADMIN}),
        methods=POST_ONLY,
        effect={"POST": effect_rule_deleted},
    ),
    "workflow:rule_move": Route(
        kwargs=lambda w: {"kind": "copyright", "rule_id": w.rule_ids[1]},
        allowed=frozenset({ADMIN}),
        methods=POST_ONLY,
        data=lambda w: {"direction": "up"},
        effect={"POST": effect_rule_moved},
    ),
}


def expected(route: Route, method: str, role: str) -> tuple[int | str, bool]:
    """(status, whether the request changes something)."""
    if role == GUEST:
        return LOGIN, False
    if method not in route.methods:
        return 405, False
    if role not in route.allowed:
        return route.denied(role), False
    changes = method in route.effect and role not in route.refused
    return route.ok[method], changes


def workflow_routes() -> list[str]:
    """Every route of the `workflow` namespace as the resolver has them; an unnamed
    one comes back as "workflow:"."""
    names: list[str] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace
                )
            elif namespace == "workflow:":
                names.append(f"{namespace}{pattern.name or ''}")

    walk(get_resolver().url_patterns, "")
    return names


def forget_caches() -> None:
    cache.clear()
    InstitutionSettings.forget_cached()
    reading.forget_bodies()


def check_cell(route: Route, name: str, method: str, ctx: Ctx) -> None:
    """One request by one person; raises AssertionError saying what was wrong."""
    client = Client()
    if ctx.role in ctx.world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = ctx.world.sessions[ctx.role]
    url = reverse(name, kwargs=route.kwargs(ctx.world))
    status, changes = expected(route, method, ctx.role)
    forget_caches()

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, route.data(ctx.world))

    assert_status(response, status)
    if changes:
        route.effect[method](ctx)
    else:
        assert_unchanged(ctx.world.baseline, db_state(), status)


def cells() -> Iterator[Any]:
    for name in workflow_routes():
        for method in ("GET", "POST"):
            yield pytest.param(name, method, id=f"{name}-{method}")


@pytest.mark.parametrize(("name", "method"), list(cells()))
def test_route(name: str, method: str, world: World, db: None) -> None:
    route = ROUTES.get(name)
    assert route is not None, f"no expectation for the route {name!r}: add it to ROUTES"
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


def test_every_workflow_route_has_an_expectation() -> None:
    names = workflow_routes()
    assert "workflow:" not in names, "every workflow route needs a name"
    assert sorted(set(names) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(names)) == []


# --- unknown ids -------------------------------------------------------------------------

UNKNOWN = 987654
UNKNOWN_IDS = {
    **{
        f"workflow:{name}": {"list_id": UNKNOWN}
        for name in (
            "work",
            "take",
            "assign",
            "start",
            "complete",
            "citations_status",
            "discussion",
        )
    },
    "workflow:citation_library": {"citation_id": UNKNOWN},
    "workflow:request_new": {"citation_id": UNKNOWN},
    "workflow:request_state": {"request_id": UNKNOWN},
    "workflow:request_reserve": {"request_id": UNKNOWN},
    "workflow:queue": {"kind": "teleport"},
}


def test_every_route_with_an_id_has_an_unknown_id_case() -> None:
    dummy = World(
        users={LIBRARIAN: User(pk=1)},
        list_id=1,
        pending_id=1,
        complete_id=1,
        request_id=1,
        rule_ids=[1, 2],
    )
    with_ids = {name for name, route in ROUTES.items() if route.kwargs(dummy)}
    # An unknown rule is a message on the rules page (test_views), not a 404.
    assert with_ids - {"workflow:rule_delete", "workflow:rule_move"} == set(UNKNOWN_IDS)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        pytest.param(name, method, id=f"{name}-{method}")
        for name in UNKNOWN_IDS
        for method in sorted(ROUTES[name].methods)
    ],
)
def test_unknown_ids_are_404_for_the_library(
    name: str, method: str, world: World, db: None
) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[LIBRARIAN]
    url = reverse(name, kwargs=UNKNOWN_IDS[name])

    response = client.get(url) if method == "GET" else client.post(url, {})

    assert response.status_code == 404
    assert db_state() == world.baseline
