"""Every institution data URL x every person x GET and POST: the exact status code, the
change an allowed request makes, and for anything else, no change at all.

The table is built from the `courses` namespace of the URL resolver: a route without an
expectation here fails `test_every_courses_route_has_an_expectation`.

Who may do what:
- uploading loader files and managing API keys: administrators;
- a job's page and its reject report: administrators; the person who started the job;
  library staff for rollover jobs (librarians run rollovers); everyone else 403;
- guests go to the login page; an API key is no login for these pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from lectio.accounts.models import ApiKey, InstitutionSettings, Role, User
from lectio.accounts.services import api_key_create
from lectio.core.factories import UserFactory
from lectio.core.jobs import job_create
from lectio.core.models import Event, Job, JobState
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
    session_keys,
)

GUEST = "guest"
STUDENT = "student"
INSTRUCTOR = "instructor"
LIBRARIAN = "librarian"  # started the rollover job
ADMIN = "admin"  # started the loader job, made the API key
ROLES = (GUEST, STUDENT, INSTRUCTOR, LIBRARIAN, ADMIN)
ADMINS = frozenset({ADMIN})


@dataclass
class World:
    users: dict[str, User]
    loader_job: int
    rollover_job: int
    key_id: int
    secret: str
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)


def db_state() -> dict[str, Any]:
    return {
        "jobs": list(Job.objects.order_by("pk").values_list("pk", "kind", "state")),
        "keys": list(ApiKey.objects.order_by("pk").values_list("name", "revoked_at")),
        "events": Event.objects.count(),
    }


def build_world() -> World:
    users = {
        role: UserFactory.create(username=f"m-{role}", role=role)
        for role in (Role.STUDENT, Role.INSTRUCTOR, Role.LIBRARIAN, Role.ADMIN)
    }
    InstitutionSettings.current()
    loader = job_create(
        kind="courses",
        actor=users[ADMIN],
        data=b"COURSE_CODE\n",
        file_name="courses.tsv",
        enqueue=False,
    )
    Job.objects.filter(pk=loader.pk).update(
        state=JobState.DONE, rejects=[{"line": 2, "key": "X", "reason": "bad"}]
    )
    rollover = job_create(
        kind="rollover",
        actor=users[LIBRARIAN],
        options={"from_term": "AUT26", "to_term": "AUT27"},
        enqueue=False,
    )
    key, secret = api_key_create(
        actor=users[ADMIN],
        name="Matrix key",
        scopes=["loaders:write", "courses:write", "users:write"],
        user=users[ADMIN],
    )
    world = World(
        users=users,
        loader_job=loader.pk,
        rollover_job=rollover.pk,
        key_id=key.pk,
        secret=secret,
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


# --- effects of allowed requests -------------------------------------------------------


def effect_job_queued(ctx: Ctx) -> None:
    new = Job.objects.exclude(
        pk__in=[ctx.world.loader_job, ctx.world.rollover_job]
    ).values_list("kind", "state", "created_by_id", "file_name", "options")
    assert list(new) == [
        (
            "users",
            JobState.QUEUED,
            ctx.user.pk,  # type: ignore[union-attr]
            "people.csv",
            {"mode": "valid_only", "dry_run": True, "date_format": "%Y-%m-%d"},
        )
    ]


def effect_key_made(ctx: Ctx) -> None:
    assert list(
        ApiKey.objects.exclude(pk=ctx.world.key_id).values_list(
            "name", "scopes", "user_id"
        )
    ) == [("Made in the matrix", ["lists:read"], ctx.user.pk)]  # type: ignore[union-attr]


def effect_key_revoked(ctx: Ctx) -> None:
    assert ApiKey.objects.get(pk=ctx.world.key_id).revoked_at is not None


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How one named route behaves, per variant (for example, which job).

    variants: name -> (kwargs, roles allowed through);
    methods: accepted methods (others are 405 for people logged in);
    ok: what an allowed GET / POST answers;
    effect: the change an allowed request must make, by method (none: no change).
    """

    variants: dict[str, tuple[Callable[[World], dict[str, Any]], frozenset[str]]]
    methods: frozenset[str] = frozenset({"GET", "POST"})
    ok: dict[str, int] = field(default_factory=lambda: {"GET": 200, "POST": 302})
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    effect: dict[str, Callable[[Ctx], None]] = field(default_factory=dict)


GET_ONLY = frozenset({"GET"})
POST_ONLY = frozenset({"POST"})


def _no_kwargs(w: World) -> dict[str, Any]:
    return {}


JOB_VARIANTS: dict[str, tuple[Callable[[World], dict[str, Any]], frozenset[str]]] = {
    "loader job": (lambda w: {"pk": w.loader_job}, ADMINS),
    "rollover job": (
        lambda w: {"pk": w.rollover_job},
        frozenset({LIBRARIAN, ADMIN}),
    ),
}


def _upload(w: World) -> dict[str, Any]:
    return {
        "kind": "users",
        "mode": "valid_only",
        "dry_run": "on",
        "date_format": "%Y-%m-%d",
        "file": SimpleUploadedFile("people.csv", b"primary_id\nP1\n"),
    }


ROUTES: dict[str, Route] = {
    "courses:data": Route(
        variants={"": (_no_kwargs, ADMINS)},
        data=_upload,
        effect={"POST": effect_job_queued},
    ),
    "courses:job": Route(variants=JOB_VARIANTS, methods=GET_ONLY),
    "courses:job_rejects": Route(variants=JOB_VARIANTS, methods=GET_ONLY),
    "courses:api_keys": Route(
        variants={"": (_no_kwargs, ADMINS)},
        ok={"GET": 200, "POST": 200},
        data=lambda w: {"name": "Made in the matrix", "scope_lists": "read"},
        effect={"POST": effect_key_made},
    ),
    "courses:api_key_revoke": Route(
        variants={"": (lambda w: {"pk": w.key_id}, ADMINS)},
        methods=POST_ONLY,
        effect={"POST": effect_key_revoked},
    ),
}


def expected(route: Route, variant: str, method: str, role: str) -> tuple[Any, bool]:
    """(status, whether the request changes something)."""
    if role == GUEST:
        return LOGIN, False
    if method not in route.methods:
        return 405, False
    if role not in route.variants[variant][1]:
        return 403, False
    return route.ok[method], method in route.effect


def courses_routes() -> list[str]:
    """Every route of the `courses` namespace as the resolver has them; an unnamed one
    comes back as "courses:"."""
    names: list[str] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(
                    pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace
                )
            elif namespace == "courses:":
                names.append(f"{namespace}{pattern.name or ''}")

    walk(get_resolver().url_patterns, "")
    return names


def check_cell(
    route: Route, name: str, variant: str, method: str, ctx: Ctx, client: Client
) -> None:
    url = reverse(name, kwargs=route.variants[variant][0](ctx.world))
    status, changes = expected(route, variant, method, ctx.role)
    response = (
        client.get(url) if method == "GET" else client.post(url, route.data(ctx.world))
    )
    assert_status(response, status)
    if changes:
        route.effect[method](ctx)
    else:
        assert_unchanged(ctx.world.baseline, db_state(), status)


def cells() -> Iterator[Any]:
    for name in courses_routes():
        route = ROUTES.get(name)
        for variant in route.variants if route else [""]:
            for method in ("GET", "POST"):
                label = f"{name}-{variant}-{method}" if variant else f"{name}-{method}"
                yield pytest.param(name, variant, method, id=label.replace(" ", "_"))


def run_roles(
    name: str,
    variant: str,
    method: str,
    world: World,
    make_client: Callable[[str], Client],
) -> list[str]:
    route = ROUTES.get(name)
    assert route is not None, f"no expectation for the route {name!r}: add it to ROUTES"
    failures = []
    for role in ROLES:
        ctx = Ctx(world=world, role=role)
        try:
            with transaction.atomic():
                try:
                    check_cell(route, name, variant, method, ctx, make_client(role))
                finally:
                    transaction.set_rollback(True)
        except AssertionError as error:
            failures.append(f"{role}: {error}")
    return failures


@pytest.mark.parametrize(("name", "variant", "method"), list(cells()))
def test_route(name: str, variant: str, method: str, world: World, db: None) -> None:
    def session_client(role: str) -> Client:
        client = Client()
        if role in world.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
        return client

    failures = run_roles(name, variant, method, world, session_client)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("name", "variant", "method"), list(cells()))
def test_an_api_key_is_no_login_for_these_pages(
    name: str, variant: str, method: str, world: World, db: None
) -> None:
    """A live key with every scope these pages touch, in the header and as a parameter,
    is a guest here: the login page, nothing changed."""
    route = ROUTES[name]
    url = reverse(name, kwargs=route.variants[variant][0](world))
    client = Client(HTTP_AUTHORIZATION=f"apikey {world.secret}")
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(url, {"apikey": world.secret})
            else:
                response = client.post(
                    f"{url}?apikey={world.secret}", route.data(world)
                )
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login") + "?next=")
            assert db_state() == world.baseline
        finally:
            transaction.set_rollback(True)


def test_every_courses_route_has_an_expectation() -> None:
    names = courses_routes()
    assert "courses:" not in names, "every courses route needs a name"
    assert sorted(set(names) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(names)) == []


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("courses:job", {"pk": 987654}, "GET"),
        ("courses:job_rejects", {"pk": 987654}, "GET"),
        ("courses:api_key_revoke", {"pk": 987654}, "POST"),
    ],
)
def test_unknown_ids_are_404_for_administrators(
    name: str, kwargs: dict[str, int], method: str, world: World, db: None
) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[ADMIN]
    url = reverse(name, kwargs=kwargs)

    response = client.get(url) if method == "GET" else client.post(url)

    assert response.status_code == 404
    assert db_state() == world.baseline
