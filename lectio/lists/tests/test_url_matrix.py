"""Every URL x every role x list state: the exact status code, the change an allowed
POST makes, and on anything else, no change at all.

The table is built from the URL resolver: a new route without an expectation here
fails `test_every_route_has_an_expectation` (and shows up as a failing cell).

Who may do what (lectio/lists/permissions.py):
- MANAGE: library staff, list owners, instructors of one of the list's courses;
- EDIT: "can edit" collaborators: items, sections, details, send, duplicate;
- READ: a published list, as its visibility says; only Complete citations.
Draft lists are 404 for everyone else (guests go to the login page).

The world (people, four lists) is built once per module inside a transaction that is
rolled back at the end; every cell runs in a savepoint of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.catalog.models import Record
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    UserFactory,
    enrol,
    make_list,
)
from lectio.core.models import Job
from lectio.core.testing import (
    LOGIN,
    assert_status,
    assert_unchanged,
    rolled_back_world,
    session_keys,
)
from lectio.courses.models import Course, CourseRole, Term
from lectio.lists import reading, services
from lectio.lists.models import (
    Citation,
    CitationInteraction,
    CitationMatch,
    Collaborator,
    CollaboratorRight,
    ListRollover,
    MatchMethod,
    ReadingList,
    Section,
)
from lectio.lists.statuses import CitationStatus, ListStatus
from lectio.lists.tests.conftest import db_state

# --- people and states -------------------------------------------------------------

GUEST = "guest"
STUDENT = "student"  # enrolled in the list's course
OTHER_STUDENT = "other_student"  # enrolled nowhere
INSTRUCTOR = "instructor"  # teaches the list's course
OTHER_INSTRUCTOR = "other_instructor"  # teaches another course
EDITOR = "editor"  # "can edit" collaborator
OWNER = "owner"  # "can manage" collaborator who teaches none of its courses
LIBRARIAN = "librarian"
ADMIN = "admin"
ROLES = (
    GUEST,
    STUDENT,
    OTHER_STUDENT,
    INSTRUCTOR,
    OTHER_INSTRUCTOR,
    EDITOR,
    OWNER,
    LIBRARIAN,
    ADMIN,
)
AUTHORS = {INSTRUCTOR, OTHER_INSTRUCTOR, EDITOR, OWNER, LIBRARIAN, ADMIN}

DRAFT = "draft"
COURSE = "published:course"
INSTITUTION = "published:institution"
PUBLIC = "published:public"
# Visibility only matters to people with no role on the list.
ROLES_BY_STATE = {
    DRAFT: ROLES,
    COURSE: ROLES,
    INSTITUTION: (GUEST, OTHER_STUDENT, OTHER_INSTRUCTOR),
    PUBLIC: (GUEST, OTHER_STUDENT, OTHER_INSTRUCTOR),
}

NONE, READ, EDIT, MANAGE = 0, 1, 2, 3


def right_of(role: str, state: str) -> int:
    """What the rules say, written independently of permissions.py."""
    if role in (INSTRUCTOR, OWNER, LIBRARIAN, ADMIN):
        return MANAGE
    if role == EDITOR:
        return EDIT
    if state == DRAFT:
        return NONE
    if role == STUDENT or state == PUBLIC:
        return READ
    if state == INSTITUTION and role != GUEST:
        return READ
    return NONE


# Markup that must come back escaped wherever a list, section or citation is shown.
LIST_NAME = 'Canon <script>alert("list")</script>'
SECTION_NAME = "Week 1 <b onmouseover=alert(2)>bold</b>"
COMPLETE_TITLE = "<img src=x onerror=alert(3)> The Canon and Its Critics"
RAW_MARKUP = (b"<script>alert(", b"<b onmouseover", b"<img src=x")
ESCAPED_LIST_NAME = b"Canon &lt;script&gt;alert(&quot;list&quot;)&lt;/script&gt;"


@dataclass
class World:
    users: dict[str, User]
    newcomer: User
    course_id: int
    lists: dict[str, int] = field(default_factory=dict)
    week1: dict[str, int] = field(default_factory=dict)
    default_section: dict[str, int] = field(default_factory=dict)
    complete: dict[str, int] = field(default_factory=dict)  # Complete, Week 1, first
    pending: dict[str, int] = field(default_factory=dict)  # BeingPrepared, Week 1
    list_versions: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session key
    # Locate: a suggested catalog record for the draft list's Complete citation.
    match_id: int = 0
    record_id: int = 0
    # The database as every cell finds it (each cell runs in a savepoint).
    baseline: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    course = CourseFactory.create(
        code="LIT101",
        name="Reading the Canon",
        academic_department=DepartmentFactory.create(code="LIT"),
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
        OWNER: UserFactory.create(username="co_owner", role=Role.INSTRUCTOR),
        LIBRARIAN: UserFactory.create(username="librarian", role=Role.LIBRARIAN),
        ADMIN: UserFactory.create(username="admin", role=Role.ADMIN),
    }
    enrol(users[STUDENT], course)
    enrol(users[INSTRUCTOR], course, CourseRole.INSTRUCTOR)
    enrol(users[OTHER_INSTRUCTOR], other_course, CourseRole.INSTRUCTOR)
    world = World(
        users=users,
        newcomer=UserFactory.create(username="newcomer", role=Role.INSTRUCTOR),
        course_id=course.pk,
    )
    InstitutionSettings.current()
    for state in (DRAFT, COURSE, INSTITUTION, PUBLIC):
        visibility = state.partition(":")[2] or None
        reading_list = make_list(
            owner=users[INSTRUCTOR],
            courses=[course],
            name=LIST_NAME,
            sections=[SECTION_NAME],
            citations=[
                {
                    "title": COMPLETE_TITLE,
                    "section": SECTION_NAME,
                    "status": "Complete",
                },
                {
                    "title": "Reading Against the Grain",
                    "section": SECTION_NAME,
                    "material_type": "article",
                    "status": "BeingPrepared",
                },
                {
                    "title": "Close Reading",
                    "material_type": "website",
                    "status": "Complete",
                },
            ],
            visibility=visibility,
        )
        for role, right in ((EDITOR, CollaboratorRight.EDITOR), (OWNER, "owner")):
            services.collaborator_set(
                actor=users[INSTRUCTOR],
                reading_list=reading_list,
                user=users[role],
                right=right,
            )
        sections = {s.name: s for s in reading_list.sections.all()}
        world.lists[state] = reading_list.pk
        world.list_versions[state] = ReadingList.objects.get(pk=reading_list.pk).version
        world.week1[state] = sections[SECTION_NAME].pk
        world.default_section[state] = next(
            s.pk for s in sections.values() if s.is_default
        )
        citations = {c.title: c for c in reading_list.citations.all()}
        world.complete[state] = citations[COMPLETE_TITLE].pk
        world.pending[state] = citations["Reading Against the Grain"].pk
    record = Record.objects.create(
        control_number="MX-1", title="The Canon and Its Critics"
    )
    world.record_id = record.pk
    # Every list's pending citation is linked to the record (to be unlinked).
    Citation.objects.filter(pk__in=world.pending.values()).update(catalog_record=record)
    world.match_id = CitationMatch.objects.create(
        citation_id=world.complete[DRAFT],
        record=record,
        method=MatchMethod.TITLE,
        score=91.0,
    ).pk
    world.sessions.update(session_keys(users))
    world.baseline = db_state()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from rolled_back_world(django_db_blocker, build_world)


# --- what each route expects --------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    world: World
    state: str | None
    role: str
    variant: str

    @property
    def user(self) -> User | None:
        return self.world.users.get(self.role)

    @property
    def list_id(self) -> int:
        return self.world.lists[self.state or DRAFT]

    def citation_id(self) -> int:
        table = self.world.pending if self.variant == "pending" else self.world.complete
        return table[self.state or DRAFT]


@dataclass(frozen=True)
class Route:
    """How one named route behaves.

    need: the right on the list it asks for (None: not about one list);
    login: wrapped in login_required (guests go to the login page first);
    methods: the methods it accepts (others are 405);
    author: only people who may author lists (instructors, library staff);
    readers_see_complete_only: the object is a citation readers may see only if
    it is Complete (variants "complete" and "pending");
    expect: a full override for routes outside these rules.
    """

    kwargs: Callable[[Ctx], dict[str, int]] = lambda ctx: {}
    need: int | None = None
    login: bool = True
    methods: frozenset[str] = frozenset({"GET", "POST"})
    author: bool = False
    admin_only: bool = False
    readers_see_complete_only: bool = False
    variants: tuple[str, ...] = ("",)
    data: Callable[[Ctx], dict[str, Any]] = lambda ctx: {}
    # Checks the change an allowed POST made.
    effect: Callable[[Ctx], None] | None = None
    expect: Callable[[str, Ctx], int] | None = None
    location: Callable[[Ctx], str] | None = None


GET_ONLY = frozenset({"GET"})
POST_ONLY = frozenset({"POST"})


def expected_status(route: Route, method: str, ctx: Ctx) -> int | str:
    if route.expect is not None:
        return route.expect(method, ctx)
    if route.login and ctx.role == GUEST:
        return LOGIN
    if method not in route.methods:
        return 405
    if route.author and ctx.role not in AUTHORS:
        return 403
    if route.admin_only and ctx.role != ADMIN:
        return 403
    if route.need is not None:
        right = right_of(ctx.role, ctx.state or DRAFT)
        if (
            route.readers_see_complete_only
            and right == READ
            and ctx.variant == "pending"
        ):
            right = NONE
        if right == NONE:
            return LOGIN if ctx.role == GUEST else 404
        if right < route.need:
            return 403
    if method == "POST" and ctx.role == GUEST:
        return LOGIN  # a guest may read, never write
    return 200 if method == "GET" else 302


# --- effects of allowed POSTs -------------------------------------------------------


def _list(ctx: Ctx) -> ReadingList:
    return ReadingList.objects.get(pk=ctx.list_id)


def _positions(section_id: int) -> list[tuple[str, int]]:
    return list(
        Citation.objects.filter(section_id=section_id)
        .order_by("position", "id")
        .values_list("title", "position")
    )


def effect_create(ctx: Ctx) -> None:
    created = ReadingList.objects.exclude(pk__in=ctx.world.lists.values())
    assert [(r.name, r.created_by_id) for r in created] == [
        (f"New list by {ctx.role}", ctx.user.pk)
    ]


def effect_edit(ctx: Ctx) -> None:
    stored = _list(ctx)
    assert (stored.name, stored.version) == (
        f"Renamed by {ctx.role}",
        ctx.world.list_versions[ctx.state] + 1,
    )
    assert list(stored.courses.values_list("pk", flat=True)) == [ctx.world.course_id]


def effect_send(ctx: Ctx) -> None:
    assert _list(ctx).status == ListStatus.READY_FOR_PROCESSING
    pending = Citation.objects.get(pk=ctx.world.pending[ctx.state])
    assert pending.status == CitationStatus.READY_FOR_PROCESSING


def effect_publish(ctx: Ctx) -> None:
    stored = _list(ctx)
    assert (stored.publication_status, stored.visibility) == (
        "Published",
        "institution",
    )


def effect_publication(ctx: Ctx) -> None:
    target = "Archived" if ctx.state == DRAFT else "Draft"
    assert _list(ctx).publication_status == target


def effect_duplicate(ctx: Ctx) -> None:
    created = ReadingList.objects.exclude(pk__in=ctx.world.lists.values())
    assert [r.name for r in created] == [f"Copy by {ctx.role}"]
    copy = created.get()
    assert copy.citations.count() == 3
    assert copy.collaborators.get(user=ctx.user).right == CollaboratorRight.OWNER


def effect_delete(ctx: Ctx) -> None:
    assert not ReadingList.objects.filter(pk=ctx.list_id).exists()
    assert not Citation.objects.filter(reading_list_id=ctx.list_id).exists()


def effect_collaborator_add(ctx: Ctx) -> None:
    assert (
        Collaborator.objects.get(
            reading_list_id=ctx.list_id, user=ctx.world.newcomer
        ).right
        == CollaboratorRight.EDITOR
    )


def effect_collaborator_remove(ctx: Ctx) -> None:
    assert not Collaborator.objects.filter(
        reading_list_id=ctx.list_id, user=ctx.world.users[EDITOR]
    ).exists()
    assert Collaborator.objects.filter(reading_list_id=ctx.list_id).count() == 2


def effect_section_add(ctx: Ctx) -> None:
    assert list(
        Section.objects.filter(reading_list_id=ctx.list_id).values_list(
            "name", "position"
        )
    ) == [("Resources", 0), (SECTION_NAME, 1), ("Week 2", 2)]


def effect_section_edit(ctx: Ctx) -> None:
    section = Section.objects.get(pk=ctx.world.week1[ctx.state])
    assert (section.name, section.version) == ("Week One", 2)


def effect_section_delete(ctx: Ctx) -> None:
    assert list(
        Section.objects.filter(reading_list_id=ctx.list_id).values_list(
            "name", "position"
        )
    ) == [("Resources", 0)]
    assert list(
        Citation.objects.filter(reading_list_id=ctx.list_id).values_list(
            "title", flat=True
        )
    ) == ["Close Reading"]


def effect_section_move(ctx: Ctx) -> None:
    assert list(
        Section.objects.filter(reading_list_id=ctx.list_id).values_list(
            "name", "position"
        )
    ) == [(SECTION_NAME, 0), ("Resources", 1)]


def effect_citation_add(ctx: Ctx) -> None:
    assert _positions(ctx.world.week1[ctx.state]) == [
        (COMPLETE_TITLE, 0),
        ("Reading Against the Grain", 1),
        ("Added", 2),
    ]


def effect_private_note(ctx: Ctx) -> None:
    mark = CitationInteraction.objects.get(user=ctx.user, citation_id=ctx.citation_id())
    assert (mark.private_note, mark.done, mark.liked) == ("my note", False, False)


def effect_citation_edit(ctx: Ctx) -> None:
    citation = Citation.objects.get(pk=ctx.citation_id())
    assert (citation.title, citation.version) == ("Edited", 2)


def effect_citation_delete(ctx: Ctx) -> None:
    assert not Citation.objects.filter(pk=ctx.citation_id()).exists()
    assert Citation.objects.filter(reading_list_id=ctx.list_id).count() == 2


def effect_citation_move(ctx: Ctx) -> None:
    assert _positions(ctx.world.week1[ctx.state]) == [
        ("Reading Against the Grain", 0),
        (COMPLETE_TITLE, 1),
    ]


def effect_citation_send(ctx: Ctx) -> None:
    assert Citation.objects.get(pk=ctx.citation_id()).status == "ReadyForProcessing"


def effect_mark_done(ctx: Ctx) -> None:
    mark = CitationInteraction.objects.get(user=ctx.user, citation_id=ctx.citation_id())
    assert (mark.done, mark.liked, mark.reading_list_id) == (True, False, ctx.list_id)


def effect_institution(ctx: Ctx) -> None:
    row = InstitutionSettings.current()
    assert (row.name, row.version) == ("Renamed University", 2)


def _next_course(ctx: Ctx) -> Course:
    """A course for the list to go to: taught by the person asking, unless they are
    library staff (who may roll a list over to any course)."""
    course, _created = Course.objects.get_or_create(
        code="NEXT101", defaults={"name": "Reading the Canon, next year"}
    )
    if ctx.user is not None and ctx.role not in (LIBRARIAN, ADMIN):
        enrol(ctx.user, course, CourseRole.INSTRUCTOR)
    return course


def _rollover_list_data(ctx: Ctx) -> dict[str, Any]:
    course = _next_course(ctx)
    staff = ctx.role in (LIBRARIAN, ADMIN)
    return {"course": "NEXT101" if staff else course.pk, "confirm": "True"}


def _login_or(ctx: Ctx, path: str, location: Callable[[], str]) -> str:
    """Where a redirect goes: a guest to the login page, anyone else on."""
    if ctx.role == GUEST:
        return f"{reverse('login')}?next={path}"
    return location()


def _rolled_copy(ctx: Ctx) -> ReadingList:
    return ReadingList.objects.get(rolled_from_id=ctx.list_id)


def effect_rollover_list(ctx: Ctx) -> None:
    copy = _rolled_copy(ctx)
    assert list(copy.courses.values_list("code", flat=True)) == ["NEXT101"]
    assert (copy.status, copy.publication_status) == ("RolledOver", "Draft")
    assert copy.citations.count() == 3
    assert ListRollover.objects.filter(source_id=ctx.list_id, target=copy).count() == 1


def _term_rollover_data(ctx: Ctx) -> dict[str, Any]:
    old = Term.objects.get_or_create(code="MX-OLD", defaults={"name": "Old"})[0]
    new = Term.objects.get_or_create(code="MX-NEW", defaults={"name": "New"})[0]
    return {"from_term": old.pk, "to_term": new.pk, "newest_only": "on"}


def _expect_library_staff(method: str, ctx: Ctx) -> int | str:
    if ctx.role == GUEST:
        return LOGIN
    if ctx.role not in (LIBRARIAN, ADMIN):
        return 403
    return 200 if method == "GET" else 302


def effect_term_rollover(ctx: Ctx) -> None:
    job = Job.objects.get(kind="rollover")
    assert job.created_by == ctx.user
    assert job.options == {
        "from_term": Term.objects.get(code="MX-OLD").pk,
        "to_term": Term.objects.get(code="MX-NEW").pk,
        "newest_only": True,
        "dry_run": False,
    }


def _expect_locate_queue(method: str, ctx: Ctx) -> int | str:
    if ctx.role == GUEST:
        return LOGIN
    if method != "GET":
        return 405
    return 200 if ctx.role in (LIBRARIAN, ADMIN) else 403


def _expect_locate_decide(method: str, ctx: Ctx) -> int | str:
    if ctx.role == GUEST:
        return LOGIN
    if method != "POST":
        return 405
    return 302 if ctx.role in (LIBRARIAN, ADMIN) else 403


def effect_citation_unlink(ctx: Ctx) -> None:
    citation = Citation.objects.get(pk=ctx.citation_id())
    assert (citation.catalog_record_id, citation.version) == (None, 2)
    assert CitationMatch.objects.get(citation=citation).state == "rejected"


def effect_locate_decide(ctx: Ctx) -> None:
    citation = Citation.objects.get(pk=ctx.world.complete[DRAFT])
    assert citation.catalog_record_id == ctx.world.record_id
    match = CitationMatch.objects.get(pk=ctx.world.match_id)
    assert (match.state, match.decided_by_id) == ("confirmed", ctx.user.pk)


# --- the table ----------------------------------------------------------------------


def _list_kw(ctx: Ctx) -> dict[str, int]:
    return {"list_id": ctx.list_id}


def _section_kw(ctx: Ctx) -> dict[str, int]:
    return {"section_id": ctx.world.week1[ctx.state]}


def _citation_kw(ctx: Ctx) -> dict[str, int]:
    return {"citation_id": ctx.citation_id()}


def _version(model: Any, pk: int) -> int:
    return model.objects.values_list("version", flat=True).get(pk=pk)


def _institution_data(ctx: Ctx) -> dict[str, Any]:
    """The settings form as it stands, with a new institution name."""
    from lectio.lists.views.institution import InstitutionSettingsForm

    row = InstitutionSettings.current()
    data: dict[str, Any] = {}
    for name, form_field in InstitutionSettingsForm.base_fields.items():
        value = getattr(row, name)
        if isinstance(form_field, forms.BooleanField):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    data["name"] = "Renamed University"
    return data


def _expect_home(method: str, ctx: Ctx) -> int:
    return 302


def _home_location(ctx: Ctx) -> str:
    if ctx.role == GUEST:
        return reverse("login")
    if ctx.role in (LIBRARIAN, ADMIN):
        try:  # the library's task list, once the workflow app serves one
            return reverse("workflow:home")
        except NoReverseMatch:
            return reverse("lists:mine")
    return reverse("lists:mine" if ctx.role in AUTHORS else "lists:reader_home")


def _expect_login(method: str, ctx: Ctx) -> int:
    # The form for everyone; a guest posts wrong credentials, others their own.
    if method == "GET" or ctx.role == GUEST:
        return 200
    return 302


def _login_data(ctx: Ctx) -> dict[str, str]:
    if ctx.user is None:
        return {"username": "nobody", "password": "wrong"}
    return {"username": ctx.user.username, "password": "lectio"}


def _expect_logout(method: str, ctx: Ctx) -> int:
    return 405 if method == "GET" else 302


def _expect_healthz(method: str, ctx: Ctx) -> int:
    return 200 if method == "GET" else 405


LIST = {"kwargs": _list_kw}
SECTION = {"kwargs": _section_kw}
CITATION = {"kwargs": _citation_kw}

ROUTES: dict[str, Route] = {
    "healthz": Route(expect=_expect_healthz),
    "home": Route(expect=_expect_home, location=_home_location),
    "login": Route(expect=_expect_login, data=_login_data),
    "logout": Route(expect=_expect_logout, location=lambda ctx: reverse("login")),
    "lists:reader_home": Route(methods=GET_ONLY),
    "lists:institution_settings": Route(
        admin_only=True, data=_institution_data, effect=effect_institution
    ),
    "lists:mine": Route(methods=GET_ONLY, author=True),
    "lists:create": Route(
        author=True,
        data=lambda ctx: {"name": f"New list by {ctx.role}"},
        effect=effect_create,
    ),
    "lists:detail": Route(**LIST, need=READ, login=False, methods=GET_ONLY),
    "lists:marks": Route(
        kwargs=_list_kw,
        need=READ,
        methods=POST_ONLY,
        readers_see_complete_only=True,
        variants=("complete", "pending"),
        data=lambda ctx: {"done": ctx.citation_id()},
        effect=effect_mark_done,
    ),
    "lists:edit": Route(
        **LIST,
        need=EDIT,
        data=lambda ctx: {
            "name": f"Renamed by {ctx.role}",
            "description": "",
            "courses": [ctx.world.course_id],
            "version": _version(ReadingList, ctx.list_id),
        },
        effect=effect_edit,
    ),
    "lists:send": Route(**LIST, need=EDIT, methods=POST_ONLY, effect=effect_send),
    "lists:publish": Route(
        **LIST,
        need=MANAGE,
        data=lambda ctx: {"visibility": "institution", "material_access": "full"},
        effect=effect_publish,
    ),
    "lists:publication": Route(
        **LIST,
        need=MANAGE,
        methods=POST_ONLY,
        data=lambda ctx: {
            "publication_status": "Archived" if ctx.state == DRAFT else "Draft"
        },
        effect=effect_publication,
    ),
    "lists:duplicate": Route(
        **LIST,
        need=EDIT,
        author=True,
        data=lambda ctx: {"name": f"Copy by {ctx.role}"},
        effect=effect_duplicate,
    ),
    "lists:delete": Route(**LIST, need=MANAGE, effect=effect_delete),
    "lists:rollover_list": Route(
        **LIST,
        need=MANAGE,
        data=_rollover_list_data,
        effect=effect_rollover_list,
        location=lambda ctx: _login_or(
            ctx,
            reverse("lists:rollover_list", args=[ctx.list_id]),
            lambda: reverse("lists:detail", args=[_rolled_copy(ctx).pk]),
        ),
    ),
    "lists:rollover": Route(
        expect=_expect_library_staff,
        data=_term_rollover_data,
        effect=effect_term_rollover,
        location=lambda ctx: _login_or(
            ctx,
            reverse("lists:rollover"),
            lambda: reverse(
                "courses:job", kwargs={"pk": Job.objects.get(kind="rollover").pk}
            ),
        ),
    ),
    "lists:locate_list": Route(
        **LIST,
        need=MANAGE,
        methods=POST_ONLY,
        location=lambda ctx: _login_or(
            ctx,
            reverse("lists:locate_list", args=[ctx.list_id]),
            lambda: reverse("lists:detail", args=[ctx.list_id]),
        ),
    ),
    "lists:locate": Route(expect=_expect_locate_queue),
    "lists:locate_decide": Route(
        kwargs=lambda ctx: {"match_id": ctx.world.match_id},
        expect=_expect_locate_decide,
        data=lambda ctx: {
            "decision": "confirm",
            "version": _version(Citation, ctx.world.complete[DRAFT]),
        },
        effect=effect_locate_decide,
        location=lambda ctx: _login_or(
            ctx,
            reverse("lists:locate_decide", args=[ctx.world.match_id]),
            lambda: reverse("lists:locate"),
        ),
    ),
    "lists:collaborators": Route(
        **LIST,
        need=MANAGE,
        data=lambda ctx: {"username": "newcomer", "right": "editor"},
        effect=effect_collaborator_add,
    ),
    "lists:collaborator_remove": Route(
        kwargs=lambda ctx: {
            "list_id": ctx.list_id,
            "user_id": ctx.world.users[EDITOR].pk,
        },
        need=MANAGE,
        methods=POST_ONLY,
        effect=effect_collaborator_remove,
    ),
    "lists:history": Route(**LIST, need=EDIT, methods=GET_ONLY),
    "lists:section_add": Route(
        **LIST,
        need=EDIT,
        data=lambda ctx: {"name": "Week 2"},
        effect=effect_section_add,
    ),
    "lists:section_edit": Route(
        **SECTION,
        need=EDIT,
        data=lambda ctx: {
            "name": "Week One",
            "version": _version(Section, ctx.world.week1[ctx.state]),
        },
        effect=effect_section_edit,
    ),
    "lists:section_delete": Route(**SECTION, need=EDIT, effect=effect_section_delete),
    "lists:section_move": Route(
        **SECTION,
        need=EDIT,
        methods=POST_ONLY,
        data=lambda ctx: {"direction": "up"},
        effect=effect_section_move,
    ),
    "lists:citation_add": Route(
        **LIST,
        need=EDIT,
        data=lambda ctx: {
            "material_type": "book",
            "section": ctx.world.week1[ctx.state],
            "bib_title": "Added",
        },
        effect=effect_citation_add,
    ),
    "lists:citation_detail": Route(
        **CITATION,
        need=READ,
        login=False,
        readers_see_complete_only=True,
        variants=("complete", "pending"),
        data=lambda ctx: {"private_note": "my note"},
        effect=effect_private_note,
    ),
    "lists:citation_edit": Route(
        **CITATION,
        need=EDIT,
        data=lambda ctx: {
            "material_type": "book",
            "bib_title": "Edited",
            "version": _version(Citation, ctx.citation_id()),
        },
        effect=effect_citation_edit,
    ),
    "lists:citation_delete": Route(
        **CITATION, need=EDIT, effect=effect_citation_delete
    ),
    "lists:citation_move": Route(
        **CITATION,
        need=EDIT,
        methods=POST_ONLY,
        data=lambda ctx: {"direction": "down"},
        effect=effect_citation_move,
    ),
    "lists:citation_unlink": Route(
        kwargs=_citation_kw,
        need=EDIT,
        methods=POST_ONLY,
        variants=("pending",),
        data=lambda ctx: {"version": _version(Citation, ctx.citation_id())},
        effect=effect_citation_unlink,
        location=lambda ctx: _login_or(
            ctx,
            reverse("lists:citation_unlink", args=[ctx.citation_id()]),
            lambda: reverse("lists:citation_detail", args=[ctx.citation_id()]),
        ),
    ),
    "lists:citation_send": Route(
        kwargs=_citation_kw,
        need=EDIT,
        methods=POST_ONLY,
        variants=("pending",),
        effect=effect_citation_send,
    ),
}

# Cells that fail because of a bug reported to the lead: (route, method) -> (which
# cells, reason). Strict: a fixed bug turns the cell into a failure to clean up here.
GET_PAGE_TAKES_POST = (
    "a read-only page answers POST like GET (200/403/404) instead of 405: "
    "lectio/lists/views/reader.py list_detail and reader_home, "
    "lectio/lists/views/editor.py my_lists and history have no method restriction; "
    "add @require_safe (below @login_required where there is one)"
)
KNOWN_BUGS: dict[tuple[str, str], tuple[Callable[[Ctx], bool], str]] = {}


# The URL modules this matrix answers for; other apps keep matrices of their own.
COVERED_URLCONFS = ("lectio.accounts.urls", "lectio.lists.urls")
COVERED_ROOT_NAMES = ("healthz",)


def named_routes() -> list[str]:
    """Every route of the covered URL modules as the resolver has them, namespaced
    ("lists:detail"); an unnamed one comes back as ""."""
    names: list[str] = []

    def walk(patterns: list[Any], namespace: str, covered: bool) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                module = getattr(
                    pattern.urlconf_module, "__name__", pattern.urlconf_name
                )
                walk(
                    pattern.url_patterns,
                    f"{namespace}{inner}:" if inner else namespace,
                    covered or module in COVERED_URLCONFS,
                )
            elif covered or pattern.name in COVERED_ROOT_NAMES:
                names.append(f"{namespace}{pattern.name}" if pattern.name else "")

    walk(get_resolver().url_patterns, "", False)
    return names


def groups() -> Iterator[Any]:
    """One test per route x method x list state, covering every role; the cells
    known to fail for a reported bug run apart, marked xfail(strict)."""
    for name in named_routes():
        route = ROUTES.get(name)
        if route is None:
            yield pytest.param(name, "GET", None, "", (GUEST,), id=f"{name}-missing")
            continue
        states = (
            (DRAFT, COURSE, INSTITUTION, PUBLIC) if route.need is not None else (None,)
        )
        for state in states:
            for variant in route.variants:
                for method in ("GET", "POST"):
                    label = "-".join(p for p in (name, variant, method, state) if p)
                    bug = KNOWN_BUGS.get((name, method))
                    healthy, buggy = [], []
                    for role in ROLES_BY_STATE[state] if state else ROLES:
                        ctx = Ctx(world=None, state=state, role=role, variant=variant)  # type: ignore[arg-type]
                        (buggy if bug and bug[0](ctx) else healthy).append(role)
                    if healthy:
                        yield pytest.param(
                            name, method, state, variant, tuple(healthy), id=label
                        )
                    if buggy:
                        yield pytest.param(
                            name,
                            method,
                            state,
                            variant,
                            tuple(buggy),
                            marks=pytest.mark.xfail(strict=True, reason=bug[1]),  # type: ignore[index]
                            id=f"{label}-known-bug",
                        )


def forget_caches() -> None:
    # What a rolled-back cell may leave in this process: nothing may leak to the next.
    cache.clear()
    InstitutionSettings.forget_cached()
    reading.forget_bodies()


def _assert_escaped(content: bytes) -> None:
    for raw in RAW_MARKUP:
        assert raw not in content, f"unescaped markup {raw!r} in the page"


def check_cell(route: Route, name: str, method: str, ctx: Ctx) -> None:
    """One request by one person; raises AssertionError saying what was wrong."""
    client = Client()
    if ctx.role in ctx.world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = ctx.world.sessions[ctx.role]
    url = reverse(name, kwargs=route.kwargs(ctx))
    expected = expected_status(route, method, ctx)
    forget_caches()

    response = client.get(url) if method == "GET" else client.post(url, route.data(ctx))

    assert_status(response, expected)
    got = (response.status_code, response.get("Location"))
    if route.location is not None and response.status_code == 302:
        assert response["Location"] == route.location(ctx), got
    if method == "POST" and expected == 302 and route.effect is not None:
        assert response["Location"].split("?")[0] != reverse("login"), got
        route.effect(ctx)
        assert db_state()["events"] >= ctx.world.baseline["events"]
    else:
        assert_unchanged(ctx.world.baseline, db_state(), expected)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        _assert_escaped(response.content)


@pytest.mark.parametrize(
    ("name", "method", "state", "variant", "roles"), list(groups())
)
def test_route(
    name: str,
    method: str,
    state: str | None,
    variant: str,
    roles: tuple[str, ...],
    world: World,
    db: None,
) -> None:
    route = ROUTES.get(name)
    assert route is not None, f"no expectation for the route {name!r}: add it to ROUTES"
    InstitutionSettings.current()
    failures = []
    for role in roles:
        ctx = Ctx(world=world, state=state, role=role, variant=variant)
        try:
            with transaction.atomic():
                try:
                    check_cell(route, name, method, ctx)
                finally:
                    transaction.set_rollback(True)
        except AssertionError as error:
            failures.append(f"{role}: {error}")
    assert not failures, "\n".join(failures)


def test_every_route_has_an_expectation() -> None:
    names = named_routes()
    assert "" not in names, "every route needs a name to be covered here"
    assert sorted(set(names) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(names)) == []
    assert {n for n in names if n.startswith("lists:")} == {
        n for n in ROUTES if n.startswith("lists:")
    }


# --- beyond the matrix --------------------------------------------------------------

UNKNOWN = 987654


def _unknown_id_cases() -> Iterator[Any]:
    for name, route in ROUTES.items():
        if route.need is None:
            continue
        for method in sorted(route.methods):
            yield pytest.param(name, method, id=f"{name}-{method}")


@pytest.mark.parametrize(("name", "method"), list(_unknown_id_cases()))
@pytest.mark.parametrize("role", [ADMIN, STUDENT])
def test_unknown_ids_are_404(
    name: str, method: str, role: str, world: World, client: Any, snapshot: Any
) -> None:
    route = ROUTES[name]
    ctx = Ctx(world=world, state=DRAFT, role=role, variant="complete")
    client.force_login(ctx.user)
    kwargs = dict.fromkeys(route.kwargs(ctx), UNKNOWN)
    before = snapshot()

    url = reverse(name, kwargs=kwargs)
    response = client.get(url) if method == "GET" else client.post(url, route.data(ctx))

    expected = 403 if route.author and role not in AUTHORS else 404
    assert response.status_code == expected
    assert snapshot() == before


def test_removing_an_unknown_user_is_404(
    world: World, client: Any, snapshot: Any
) -> None:
    client.force_login(world.users[INSTRUCTOR])
    before = snapshot()

    response = client.post(
        reverse(
            "lists:collaborator_remove",
            kwargs={"list_id": world.lists[DRAFT], "user_id": UNKNOWN},
        )
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_citation_of_another_list_cannot_be_marked_through_this_one(
    world: World, client: Any, snapshot: Any
) -> None:
    client.force_login(world.users[STUDENT])
    before = snapshot()

    response = client.post(
        reverse("lists:marks", kwargs={"list_id": world.lists[COURSE]}),
        {"done": world.complete[PUBLIC]},
    )

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "state", "name"),
    [
        (INSTRUCTOR, DRAFT, "lists:detail"),
        (EDITOR, DRAFT, "lists:history"),
        (INSTRUCTOR, DRAFT, "lists:edit"),
        (INSTRUCTOR, DRAFT, "lists:publish"),
        (INSTRUCTOR, DRAFT, "lists:duplicate"),
        (INSTRUCTOR, DRAFT, "lists:delete"),
        (INSTRUCTOR, DRAFT, "lists:collaborators"),
        (INSTRUCTOR, DRAFT, "lists:section_add"),
        (INSTRUCTOR, DRAFT, "lists:citation_add"),
        (STUDENT, COURSE, "lists:detail"),
        (GUEST, PUBLIC, "lists:detail"),
        (INSTRUCTOR, COURSE, "lists:mine"),
        (STUDENT, COURSE, "lists:reader_home"),
    ],
)
def test_list_name_is_shown_escaped(
    role: str, state: str, name: str, world: World, client: Any, db: None
) -> None:
    ctx = Ctx(world=world, state=state, role=role, variant="complete")
    if ctx.user is not None:
        client.force_login(ctx.user)
    kwargs = ROUTES[name].kwargs(ctx)

    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    assert ESCAPED_LIST_NAME in response.content
    _assert_escaped(response.content)


@pytest.mark.parametrize(
    ("role", "state", "name", "view"),
    [
        (INSTRUCTOR, DRAFT, "lists:detail", ""),
        (INSTRUCTOR, DRAFT, "lists:detail", "reader"),
        (STUDENT, COURSE, "lists:detail", ""),
        (STUDENT, COURSE, "lists:citation_detail", ""),
        (INSTRUCTOR, DRAFT, "lists:citation_edit", ""),
        (INSTRUCTOR, DRAFT, "lists:citation_delete", ""),
    ],
)
def test_citation_title_and_section_name_are_shown_escaped(
    role: str, state: str, name: str, view: str, world: World, client: Any, db: None
) -> None:
    ctx = Ctx(world=world, state=state, role=role, variant="complete")
    client.force_login(ctx.user)
    kwargs = ROUTES[name].kwargs(ctx)

    response = client.get(reverse(name, kwargs=kwargs), {"view": view} if view else {})

    assert response.status_code == 200
    content = response.content.decode()
    _assert_escaped(response.content)
    assert "&lt;img src=x onerror=alert(3)&gt;" in content
    if name == "lists:detail":
        assert "Week 1 &lt;b onmouseover=alert(2)&gt;bold&lt;/b&gt;" in content


def test_draft_list_and_its_citations_stay_hidden_from_readers_even_by_id(
    world: World, client: Any, db: None
) -> None:
    # The same answer as for an id that does not exist: nothing to learn by probing.
    client.force_login(world.users[STUDENT])
    urls = [
        reverse("lists:detail", args=[world.lists[DRAFT]]),
        reverse("lists:citation_detail", args=[world.complete[DRAFT]]),
    ]
    unknown = [
        reverse("lists:detail", args=[UNKNOWN]),
        reverse("lists:citation_detail", args=[UNKNOWN]),
    ]

    statuses = [client.get(url).status_code for url in urls + unknown]

    assert statuses == [404, 404, 404, 404]


def test_matrix_covers_every_role_on_draft_and_course_lists() -> None:
    params = list(groups())
    for state in (DRAFT, COURSE):
        roles = {role for p in params if p.values[2] == state for role in p.values[4]}
        assert roles == set(ROLES)
