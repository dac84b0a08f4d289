"""Every citations URL x every role x list state: the exact status code, the change an
allowed POST makes, and on anything else, no change at all (kept import files
included).

The people and lists are those of the lists matrix (lectio/lists/tests/
test_url_matrix.py), with the same rules: import needs the right to edit the list,
export the right to read it (readers export what they may read). A route of
`lectio.citations.urls` without an expectation here fails
`test_every_citations_route_has_an_expectation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from lectio.accounts.models import InstitutionSettings
from lectio.citations.models import PendingImport
from lectio.citations.tests.conftest import db_state
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
)
from lectio.lists.models import Citation
from lectio.lists.tests.test_url_matrix import (
    COURSE,
    DRAFT,
    EDIT,
    GUEST,
    INSTITUTION,
    INSTRUCTOR,
    PUBLIC,
    READ,
    ROLES,
    ROLES_BY_STATE,
    SECTION_NAME,
    World,
    build_world,
    forget_caches,
    right_of,
)

RIS = b"TY  - BOOK\nAU  - Berger, John\nTI  - Ways of Seeing\nPY  - 1972\nER  - \n"
STATES = (DRAFT, COURSE, INSTITUTION, PUBLIC)


@dataclass
class CitationsWorld:
    base: World
    # (state, role) -> token of a kept import file of that person for that list
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)


def build() -> CitationsWorld:
    from datetime import timedelta

    from django.utils import timezone

    base = build_world()
    world = CitationsWorld(base=base)
    for state in STATES:
        for role, user in base.users.items():
            world.tokens[(state, role)] = PendingImport.objects.create(
                token=f"t-{state.replace(':', '-')}-{role}",
                user=user,
                reading_list_id=base.lists[state],
                section_id=base.week1[state],
                data=RIS,
                format="ris",
                expires_at=timezone.now() + timedelta(hours=1),
            ).token
    world.baseline = db_state()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[CitationsWorld]:
    yield from rolled_back_world(django_db_blocker, build)


@dataclass(frozen=True)
class Ctx:
    world: CitationsWorld
    state: str
    role: str

    @property
    def user(self) -> Any:
        return self.world.base.users.get(self.role)

    @property
    def list_id(self) -> int:
        return self.world.base.lists[self.state]


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[Ctx], dict[str, Any]]
    need: int
    login: bool = True
    methods: frozenset[str] = frozenset({"GET", "POST"})
    data: Callable[[Ctx], dict[str, Any]] = lambda ctx: {}
    effect: Callable[[Ctx], None] | None = None
    location: Callable[[Ctx], str] | None = None


def expected_status(route: Route, method: str, ctx: Ctx) -> int | str:
    if route.login and ctx.role == GUEST:
        return LOGIN
    if method not in route.methods:
        return 405
    right = right_of(ctx.role, ctx.state)
    if right == 0:
        return LOGIN if ctx.role == GUEST else 404
    if right < route.need:
        return 403
    if method == "POST" and ctx.role == GUEST:
        return LOGIN
    return 200 if method == "GET" else 302


def _token(ctx: Ctx) -> str:
    role = INSTRUCTOR if ctx.role == GUEST else ctx.role
    return ctx.world.tokens[(ctx.state, role)]


def effect_import_start(ctx: Ctx) -> None:
    mine = PendingImport.objects.filter(user=ctx.user).exclude(
        token__in=ctx.world.tokens.values()
    )
    assert [(p.reading_list_id, p.section_id, bytes(p.data)) for p in mine] == [
        (ctx.list_id, ctx.world.base.week1[ctx.state], RIS)
    ]


def location_import_start(ctx: Ctx) -> str:
    new = (
        PendingImport.objects.filter(user=ctx.user)
        .exclude(token__in=ctx.world.tokens.values())
        .get()
    )
    return reverse("citations:import_review", args=[ctx.list_id, new.token])


def effect_import_review(ctx: Ctx) -> None:
    titles = list(
        Citation.objects.filter(section_id=ctx.world.base.week1[ctx.state])
        .order_by("position")
        .values_list("title", flat=True)
    )
    assert titles[-1] == "Ways of Seeing"
    assert len(titles) == 3
    assert not PendingImport.objects.filter(token=_token(ctx)).exists()


ROUTES: dict[str, Route] = {
    "citations:import_start": Route(
        kwargs=lambda ctx: {"list_id": ctx.list_id},
        need=EDIT,
        data=lambda ctx: {
            "text": RIS.decode(),
            "section": ctx.world.base.week1[ctx.state],
            "format": "",
        },
        effect=effect_import_start,
        location=location_import_start,
    ),
    "citations:import_review": Route(
        kwargs=lambda ctx: {"list_id": ctx.list_id, "token": _token(ctx)},
        need=EDIT,
        data=lambda ctx: {"entry": ["1"], "confirm": "1"},
        effect=effect_import_review,
        location=lambda ctx: (
            reverse("lists:detail", args=[ctx.list_id])
            + f"#s{ctx.world.base.week1[ctx.state]}"
        ),
    ),
    "citations:export": Route(
        kwargs=lambda ctx: {"list_id": ctx.list_id},
        need=READ,
        login=False,
        methods=frozenset({"GET"}),
    ),
}


# Routes that are not about one list, with a matrix of their own in
# test_capture.py.
ELSEWHERE = {"citations:citeit", "citations:install"}


def named_routes() -> list[str]:
    names: list[str] = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "citations":
            names += [f"citations:{p.name}" for p in pattern.url_patterns]
    return [name for name in names if name not in ELSEWHERE]


def check_cell(route: Route, name: str, method: str, ctx: Ctx) -> None:
    client = Client()
    if ctx.role in ctx.world.base.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = ctx.world.base.sessions[ctx.role]
    url = reverse(name, kwargs=route.kwargs(ctx))
    expected = expected_status(route, method, ctx)
    forget_caches()

    response = client.get(url) if method == "GET" else client.post(url, route.data(ctx))

    assert_status(response, expected)
    if method == "POST" and expected == 302:
        assert response["Location"].split("?")[0] != reverse("login")
        if route.location is not None:
            assert response["Location"] == route.location(ctx)
        assert route.effect is not None
        route.effect(ctx)
    else:
        assert_unchanged(ctx.world.baseline, db_state(), expected)
    if response.status_code == 200:
        assert b"<script>alert(" not in response.content
        assert b"<b onmouseover" not in response.content


def groups() -> Iterator[Any]:
    for name in ROUTES:
        for state in STATES:
            for method in ("GET", "POST"):
                yield pytest.param(
                    name,
                    method,
                    state,
                    ROLES_BY_STATE[state],
                    id=f"{name}-{method}-{state}",
                )


@pytest.mark.parametrize(("name", "method", "state", "roles"), list(groups()))
def test_route(
    name: str,
    method: str,
    state: str,
    roles: tuple[str, ...],
    world: CitationsWorld,
    db: None,
) -> None:
    route = ROUTES[name]
    InstitutionSettings.current()
    failures = []
    for role in roles:
        ctx = Ctx(world=world, state=state, role=role)
        try:
            with transaction.atomic():
                try:
                    check_cell(route, name, method, ctx)
                finally:
                    transaction.set_rollback(True)
        except AssertionError as error:
            failures.append(f"{role}: {error}")
    assert not failures, "\n".join(failures)


def test_every_citations_route_has_an_expectation() -> None:
    assert sorted(named_routes()) == sorted(ROUTES)


def test_matrix_covers_every_role() -> None:
    roles = {role for p in groups() for role in p.values[3]}
    assert roles == set(ROLES)


def test_someone_elses_kept_file_is_gone_for_them(
    world: CitationsWorld, client: Any, snapshot: Any
) -> None:
    # The editor may import into the list, but not confirm the instructor's file.
    client.force_login(world.base.users["editor"])
    before = snapshot()
    url = reverse(
        "citations:import_review",
        args=[world.base.lists[DRAFT], world.tokens[(DRAFT, INSTRUCTOR)]],
    )

    responses = [client.get(url), client.post(url, {"entry": ["1"]})]

    assert [r.status_code for r in responses] == [410, 410]
    assert snapshot() == before


def test_section_names_are_escaped_on_the_import_pages(
    world: CitationsWorld, client: Any, db: None
) -> None:
    client.force_login(world.base.users[INSTRUCTOR])
    list_id = world.base.lists[DRAFT]

    pages = [
        client.get(reverse("citations:import_start", args=[list_id])),
        client.get(
            reverse(
                "citations:import_review",
                args=[list_id, world.tokens[(DRAFT, INSTRUCTOR)]],
            )
        ),
        client.get(reverse("citations:export", args=[list_id])),
    ]

    for page in pages:
        assert page.status_code == 200
        assert b"<b onmouseover" not in page.content
    assert "Week 1 &lt;b onmouseover=alert(2)&gt;bold&lt;/b&gt;" in (
        pages[0].content.decode()
    )
    assert SECTION_NAME not in pages[1].content.decode()
