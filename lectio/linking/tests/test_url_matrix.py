"""Every linking URL x every person x GET and POST: the exact status, the change an
allowed POST makes, and otherwise no change at all.

Who may do what:
- /openurl (the resolver, read-only): everyone logged in, by GET or POST (outside
  databases POST long OpenURLs); guests go to the login page with a link Lectio can
  read, and anyone gets the 400 page for a link it cannot (test_views);
- the resolver settings: administrators only;
- reporting a broken link, and a citation's direct full-text link (a redirect to
  its record's one portfolio): whoever may read the citation (others get a 404, as
  for the citation's page);
- the broken-links page and closing a report: library staff.
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

from lectio.accounts.models import Role, User
from lectio.catalog.tests.test_views_support import make_record
from lectio.core.factories import CourseFactory, UserFactory, enrol, make_list
from lectio.core.models import Event
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
    session_keys,
)
from lectio.courses.models import CourseRole
from lectio.linking import urls as linking_urls
from lectio.linking.models import BrokenLinkReport, LinkingSettings
from lectio.linking.tests.support import make_catalog, portfolio
from lectio.lists.models import Citation

GUEST = "guest"
STUDENT = "student"  # enrolled in the course of the published list
OTHER_STUDENT = "other_student"  # enrolled nowhere
INSTRUCTOR = "instructor"  # teaches the course, owns the list
LIBRARIAN = "librarian"
ADMIN = "admin"
ROLES = (GUEST, STUDENT, OTHER_STUDENT, INSTRUCTOR, LIBRARIAN, ADMIN)
EVERYONE = frozenset(ROLES) - {GUEST}
READERS = frozenset({STUDENT, INSTRUCTOR, LIBRARIAN, ADMIN})
STAFF = frozenset({LIBRARIAN, ADMIN})

OPENURL = {"genre": "book", "isbn": "0192860925", "title": "The Selfish Gene"}


@dataclass
class World:
    users: dict[str, User]
    citation_id: int = 0
    report_id: int = 0
    sessions: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)


def db_state() -> dict[str, Any]:
    return {
        "settings": list(
            LinkingSettings.objects.values_list(
                "version", "proxy_prefix", "one_click", "preference"
            )
        ),
        "events": Event.objects.count(),
        "reports": list(
            BrokenLinkReport.objects.order_by("pk").values_list(
                "pk", "reported_by_id", "resolved_at"
            )
        ),
    }


def build_world() -> World:
    users = {
        STUDENT: UserFactory.create(username="l-student"),
        OTHER_STUDENT: UserFactory.create(username="l-other-student"),
        INSTRUCTOR: UserFactory.create(username="l-instructor", role=Role.INSTRUCTOR),
        LIBRARIAN: UserFactory.create(username="l-librarian", role=Role.LIBRARIAN),
        ADMIN: UserFactory.create(username="l-admin", role=Role.ADMIN),
    }
    make_catalog()
    LinkingSettings.current()
    course = CourseFactory.create(code="LNK101")
    enrol(users[STUDENT], course)
    enrol(users[INSTRUCTOR], course, CourseRole.INSTRUCTOR)
    reading_list = make_list(
        owner=users[INSTRUCTOR],
        courses=[course],
        citations=[
            {
                "title": "A page",
                "material_type": "website",
                "status": "Complete",
                "metadata": {"title": "A page", "URL": "https://gone.example/x"},
            }
        ],
        visibility="course",
    )
    citation = reading_list.citations.get()
    record = make_record("A page")
    portfolio(record, url="https://ebooks.example.org/a-page")
    Citation.objects.filter(pk=citation.pk).update(catalog_record=record)
    reporter = UserFactory.create(username="l-reporter")
    report = BrokenLinkReport.objects.create(citation=citation, reported_by=reporter)
    world = World(users=users, citation_id=citation.pk, report_id=report.pk)
    world.sessions.update(session_keys(users))
    world.baseline = db_state()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from rolled_back_world(django_db_blocker, build_world)


def effect_reported(world: World, role: str) -> None:
    new = BrokenLinkReport.objects.exclude(
        pk__in=[row[0] for row in world.baseline["reports"]]
    ).values_list("citation_id", "reported_by_id")
    assert list(new) == [(world.citation_id, world.users[role].pk)]
    assert Event.objects.count() == world.baseline["events"] + 1


def effect_resolved(world: World, role: str) -> None:
    report = BrokenLinkReport.objects.get(pk=world.report_id)
    assert report.resolved_at is not None
    assert report.resolved_by_id == world.users[role].pk
    assert Event.objects.count() == world.baseline["events"] + 1


def effect_settings_saved(world: World, role: str) -> None:
    row = LinkingSettings.objects.get()
    assert row.version == world.baseline["settings"][0][0] + 1
    assert row.proxy_prefix == "https://proxy.example.edu/login?url="
    assert Event.objects.count() == world.baseline["events"] + 1


@dataclass(frozen=True)
class Route:
    allowed: dict[str, frozenset[str]]
    ok: dict[str, int]
    methods: frozenset[str] = frozenset({"GET", "POST"})
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    refused: int = 403
    query: dict[str, str] = field(default_factory=dict)
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    effect: dict[str, Callable[[World, str], None]] = field(default_factory=dict)
    # False where the method is refused before anyone is asked to log in.
    login_first: bool = True


def settings_form(world: World) -> dict[str, Any]:
    return {
        "version": world.baseline["settings"][0][0],
        "proxy_prefix": "https://proxy.example.edu/login?url=",
        "proxy_scope": "licensed",
        "first_choice": "licensed",
        "second_choice": "open_access",
        "third_choice": "print",
    }


ROUTES: dict[str, Route] = {
    "linking:openurl": Route(
        allowed={"GET": EVERYONE, "POST": EVERYONE},
        ok={"GET": 200, "POST": 200},
        query=OPENURL,
        data=lambda w: OPENURL,
    ),
    "linking:settings": Route(
        allowed={"GET": frozenset({ADMIN}), "POST": frozenset({ADMIN})},
        ok={"GET": 200, "POST": 302},
        data=settings_form,
        effect={"POST": effect_settings_saved},
    ),
    "linking:report": Route(
        kwargs=lambda w: {"citation_id": w.citation_id},
        allowed={"GET": READERS, "POST": READERS},
        ok={"GET": 200, "POST": 302},
        refused=404,
        data=lambda w: {"note": "Page not found"},
        effect={"POST": effect_reported},
    ),
    "linking:full_text": Route(
        kwargs=lambda w: {"citation_id": w.citation_id},
        methods=frozenset({"GET"}),
        allowed={"GET": READERS},
        ok={"GET": 302},
        refused=404,
        login_first=False,
    ),
    "linking:broken_links": Route(
        methods=frozenset({"GET"}),
        allowed={"GET": STAFF},
        ok={"GET": 200},
    ),
    "linking:resolve_report": Route(
        kwargs=lambda w: {"report_id": w.report_id},
        methods=frozenset({"POST"}),
        allowed={"POST": STAFF},
        ok={"POST": 302},
        effect={"POST": effect_resolved},
    ),
}


def routes() -> list[str]:
    return [f"linking:{p.name or ''}" for p in linking_urls.urlpatterns]


def check_cell(name: str, method: str, role: str, world: World, client: Client) -> None:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    if method not in route.methods and (role != GUEST or not route.login_first):
        status: Any = 405
    elif role == GUEST:
        status = LOGIN
    elif method not in route.methods:
        status = 405
    elif role in route.allowed[method]:
        status = route.ok[method]
    else:
        status = route.refused
    if method == "GET":
        response = client.get(url, route.query)
    else:
        response = client.post(url, route.data(world))
    assert_status(response, status)
    if status == route.ok.get(method) and method in route.effect:
        route.effect[method](world, role)
    else:
        assert_unchanged(world.baseline, db_state(), status)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", routes())
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
                    check_cell(name, method, role, world, client)
                finally:
                    transaction.set_rollback(True)
                    LinkingSettings.forget_cached()
        except AssertionError as error:
            failures.append(f"{role}: {error}")
    assert not failures, "\n".join(failures)


def test_every_linking_route_has_an_expectation() -> None:
    assert sorted(routes()) == sorted(ROUTES)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("name", routes())
def test_other_methods_are_405(name: str, method: str, world: World, db: None) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[ADMIN]
    response = client.generic(method, reverse(name, kwargs=ROUTES[name].kwargs(world)))
    assert response.status_code == 405
    assert db_state() == world.baseline
