"""The library's reads: the task list (tabs, filters, sorting, paging), the home
counts and the request queues.

The world: six lists in every state the task list cares about.

    list            code  course  status              assigned         sent  due
    Canon core      RL-A  LIT101  ReadyForProcessing  -                3d    2026-12-01
    Canon extra     RL-B  LIT101  BeingProcessed      librarian        1d    -   (news, published)
    Modern History  RL-C  HIS201  ReadyForProcessing  other_librarian  2d    2026-11-01 (open digitization)
    Biology basics  RL-D  BIO150  BeingPrepared       -                -     -
    Old list        RL-E  LIT101  Complete            librarian        9d    -   (news seen)
    Film studies    RL-F  BIO150  ReadyForProcessing  librarian        4d    2026-11-15

LIT101 (Literature, Autumn 2026, lists due 2026-09-01) is taught by Ines Instructor;
HIS201 (History, Spring 2027, lists due 2026-10-15, processed by Biology) by Otto
Outsider; BIO150 (Biology) by nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lectio.accounts.models import Role, User
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    TermFactory,
    UserFactory,
    enrol,
    make_list,
)
from lectio.core.testing import rolled_back_world
from lectio.courses.models import Course, CourseRole
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import CitationStatus, ListStatus, PublicationStatus
from lectio.workflow import selectors
from lectio.workflow.models import ProcessingRequest
from lectio.workflow.selectors import TaskFilters

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@dataclass
class World:
    users: dict[str, User]
    courses: dict[str, Course]
    lists: dict[str, ReadingList]
    departments: dict[str, int]
    terms: dict[str, int]


def _set(reading_list: ReadingList, **fields: Any) -> None:
    ReadingList.objects.filter(pk=reading_list.pk).update(**fields)


def _person(username: str, first: str, last: str, role: str) -> User:
    return UserFactory.create(
        username=username, first_name=first, last_name=last, role=role
    )


def build_world() -> World:
    users = {
        "student": _person("student", "Sam", "Student", Role.STUDENT),
        "instructor": _person("instructor", "Ines", "Instructor", Role.INSTRUCTOR),
        "other_instructor": _person(
            "other_instructor", "Otto", "Outsider", Role.INSTRUCTOR
        ),
        "librarian": _person("librarian", "Lia", "Librarian", Role.LIBRARIAN),
        "other_librarian": _person("other_librarian", "Lou", "Loaner", Role.LIBRARIAN),
        "admin": _person("admin", "Ada", "Admin", Role.ADMIN),
    }
    spring = TermFactory.create(code="SPR27", name="Spring 2027")
    autumn = TermFactory.create(code="AUT26", name="Autumn 2026")
    courses = {
        "LIT101": CourseFactory.create(
            code="LIT101",
            name="Reading the Canon",
            academic_department=DepartmentFactory.create(code="LIT", name="Literature"),
            terms=[autumn],
            submit_lists_by=datetime.date(2026, 9, 1),
        ),
        "HIS201": CourseFactory.create(
            code="HIS201",
            name="Modern History",
            academic_department=DepartmentFactory.create(code="HIS", name="History"),
            terms=[spring],
            submit_lists_by=datetime.date(2026, 10, 15),
        ),
        "BIO150": CourseFactory.create(
            code="BIO150",
            name="Cells",
            academic_department=DepartmentFactory.create(code="BIO", name="Biology"),
        ),
    }
    enrol(users["student"], courses["LIT101"])
    enrol(users["instructor"], courses["LIT101"], CourseRole.INSTRUCTOR)
    enrol(users["other_instructor"], courses["HIS201"], CourseRole.INSTRUCTOR)
    specs = {
        "A": ("Canon core", "LIT101", "instructor"),
        "B": ("Canon extra", "LIT101", "instructor"),
        "C": ("Modern History", "HIS201", "other_instructor"),
        "D": ("Biology basics", "BIO150", "librarian"),
        "E": ("Old list", "LIT101", "instructor"),
        "F": ("Film studies", "BIO150", "librarian"),
    }
    lists = {}
    for key, (name, code, owner) in specs.items():
        lists[key] = make_list(
            owner=users[owner],
            courses=[courses[code]],
            name=name,
            citations=[{"title": f"{key}{n}"} for n in (1, 2, 3)],
        )
        _set(lists[key], code=f"RL-{key}")
    days = datetime.timedelta(days=1)
    ready, processed = ListStatus.READY_FOR_PROCESSING, ListStatus.BEING_PROCESSED
    _set(
        lists["A"],
        status=ready,
        sent_to_library_at=NOW - 3 * days,
        due_back_date=datetime.date(2026, 12, 1),
    )
    _set(
        lists["B"],
        status=processed,
        assigned_librarian=users["librarian"],
        sent_to_library_at=NOW - days,
        library_alert_at=NOW - datetime.timedelta(hours=1),
        publication_status=PublicationStatus.PUBLISHED,
    )
    _set(
        lists["C"],
        status=ready,
        assigned_librarian=users["other_librarian"],
        sent_to_library_at=NOW - 2 * days,
        due_back_date=datetime.date(2026, 11, 1),
        # History's lists are processed by the biology library.
        processing_department_id=courses["BIO150"].processing_department_id,
    )
    _set(
        lists["E"],
        status=ListStatus.COMPLETE,
        assigned_librarian=users["librarian"],
        sent_to_library_at=NOW - 9 * days,
        library_alert_at=NOW - datetime.timedelta(hours=2),
        library_seen_at=NOW - datetime.timedelta(hours=1),
    )
    _set(
        lists["F"],
        status=ready,
        assigned_librarian=users["librarian"],
        sent_to_library_at=NOW - 4 * days,
        due_back_date=datetime.date(2026, 11, 15),
    )
    Citation.objects.filter(title__in=["A1", "A2"]).update(
        status=CitationStatus.READY_FOR_PROCESSING
    )
    Citation.objects.filter(title="A3").update(status=CitationStatus.COMPLETE)
    c1 = Citation.objects.get(title="C1")
    ProcessingRequest.objects.create(
        citation=c1, reading_list_id=c1.reading_list_id, kind="digitization"
    )
    ProcessingRequest.objects.create(
        citation=c1, reading_list_id=c1.reading_list_id, kind="purchase", state="Done"
    )
    b1 = Citation.objects.get(title="B1")
    ProcessingRequest.objects.create(
        citation=b1, reading_list_id=b1.reading_list_id, kind="purchase", state="New"
    )
    ProcessingRequest.objects.create(
        citation=b1, reading_list_id=b1.reading_list_id, kind="hold", state="InProgress"
    )
    return World(
        users=users,
        courses=courses,
        lists={key: ReadingList.objects.get(pk=rl.pk) for key, rl in lists.items()},
        departments={
            code[:3]: course.academic_department_id for code, course in courses.items()
        },
        terms={"AUT26": autumn.pk, "SPR27": spring.pk},
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from rolled_back_world(django_db_blocker, build_world)


# The cast of this module is the world's (the root conftest's would clash with it).
@pytest.fixture
def librarian(world: World) -> User:
    return world.users["librarian"]


@pytest.fixture
def other_librarian(world: World) -> User:
    return world.users["other_librarian"]


@pytest.fixture
def student(world: World) -> User:
    return world.users["student"]


@pytest.fixture
def instructor(world: World) -> User:
    return world.users["instructor"]


@pytest.fixture
def admin(world: World) -> User:
    return world.users["admin"]


@pytest.fixture
def other_course(world: World) -> Course:
    return world.courses["HIS201"]


def keys(world: World, rows: list[ReadingList]) -> list[str]:
    by_pk = {rl.pk: key for key, rl in world.lists.items()}
    return [by_pk[row.pk] for row in rows]


def page_keys(
    world: World,
    user: User,
    *,
    tab: str = "all",
    sort: str = "name",
    page: int = 1,
    **filters: Any,
) -> list[str]:
    result = selectors.task_list(
        user=user, tab=tab, filters=TaskFilters(**filters), sort=sort, page=page
    )
    return keys(world, result.rows)


# --- tabs and their counts ---------------------------------------------------------------


def test_tabs_count_the_lists_with_the_library(world: World, librarian: User) -> None:
    page = selectors.task_list(user=librarian, tab="all", filters=TaskFilters())

    assert page.counts == {"all": 4, "mine": 2, "unassigned": 1, "others": 1}
    assert (page.total, page.page, page.pages) == (4, 1, 1)


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("all", ["A", "B", "F", "C"]),
        ("mine", ["B", "F"]),
        ("unassigned", ["A"]),
        ("others", ["C"]),
        ("nonsense", ["A", "B", "F", "C"]),
    ],
)
def test_each_tab_shows_its_lists(
    tab: str, expected: list[str], world: World, librarian: User
) -> None:
    assert page_keys(world, librarian, tab=tab) == expected


def test_tabs_are_relative_to_the_librarian_looking(
    world: World, other_librarian: User
) -> None:
    page = selectors.task_list(
        user=other_librarian, tab="others", filters=TaskFilters()
    )

    assert page.counts == {"all": 4, "mine": 1, "unassigned": 1, "others": 2}
    assert keys(world, page.rows) == ["F", "B"]  # longest waiting first


def test_the_total_follows_the_tab(world: World, librarian: User) -> None:
    page = selectors.task_list(user=librarian, tab="mine", filters=TaskFilters())

    assert (page.total, page.pages) == (2, 1)


def test_tab_counts_follow_the_filters(world: World, librarian: User) -> None:
    page = selectors.task_list(
        user=librarian, tab="all", filters=TaskFilters(course="LIT")
    )

    assert page.counts == {"all": 2, "mine": 1, "unassigned": 1, "others": 0}


# --- filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"statuses": ["Complete"]}, ["E"]),
        ({"statuses": ["BeingPrepared"]}, ["D"]),
        ({"statuses": ["BeingProcessed", "Complete"]}, ["B", "E"]),
        ({"statuses": []}, ["D", "A", "B", "F", "C", "E"]),
        ({"publication_status": "Published"}, ["B"]),
        ({"publication_status": "Draft"}, ["A", "F", "C"]),
        ({"course": "his"}, ["C"]),
        ({"course": " LIT1 "}, ["A", "B"]),
        ({"course": "IT101"}, []),
        ({"submit_by": datetime.date(2026, 9, 30)}, ["A", "B"]),
        ({"submit_by": datetime.date(2026, 10, 15)}, ["A", "B", "C"]),
        ({"submit_by": datetime.date(2026, 8, 31)}, []),
        ({"has_alerts": True}, ["B"]),
        ({"has_alerts": True, "statuses": ["Complete"]}, []),
        ({"open_request": "digitization"}, ["C"]),
        ({"open_request": "purchase"}, ["B"]),
        ({"open_request": "hold"}, ["B"]),
        ({"open_request": "reserves"}, []),
        ({"q": "extra"}, ["B"]),
        ({"q": "rl-c"}, ["C"]),
        ({"q": "his201"}, ["C"]),
        ({"q": "canon"}, ["A", "B"]),
        ({"q": "outsider"}, ["C"]),
        ({"q": "Instructor"}, ["A", "B"]),
        ({"q": "Cells"}, ["F"]),
        ({"q": "nothing like it"}, []),
        ({"q": "canon", "course": "his"}, []),
    ],
)
def test_each_filter_narrows_the_task_list(
    filters: dict[str, Any], expected: list[str], world: World, librarian: User
) -> None:
    assert page_keys(world, librarian, **filters) == expected


@pytest.mark.parametrize(
    ("department", "expected"), [("LIT", ["A", "B"]), ("HIS", []), ("BIO", ["F", "C"])]
)
def test_processing_department_filter(
    department: str, expected: list[str], world: World, librarian: User
) -> None:
    assert (
        page_keys(world, librarian, processing_department=world.departments[department])
        == expected
    )


@pytest.mark.parametrize(
    ("department", "expected"),
    [("LIT", ["A", "B"]), ("HIS", ["C"]), ("BIO", ["F"])],
)
def test_academic_department_filter(
    department: str, expected: list[str], world: World, librarian: User
) -> None:
    assert (
        page_keys(world, librarian, academic_department=world.departments[department])
        == expected
    )


@pytest.mark.parametrize(
    ("term", "expected"), [("AUT26", ["A", "B"]), ("SPR27", ["C"])]
)
def test_term_filter(
    term: str, expected: list[str], world: World, librarian: User
) -> None:
    assert page_keys(world, librarian, term=world.terms[term]) == expected


def test_a_list_of_two_courses_shows_once_with_both(
    world: World, other_course: Course, librarian: User
) -> None:
    world.lists["A"].courses.add(other_course)

    page = selectors.task_list(
        user=librarian, tab="all", filters=TaskFilters(), sort="name"
    )

    assert keys(world, page.rows) == ["A", "B", "F", "C"]
    assert page.counts["all"] == 4
    assert sorted(c.code for c in page.rows[0].courses.all()) == ["HIS201", "LIT101"]
    assert page_keys(world, librarian, term=world.terms["SPR27"]) == ["A", "C"]


def test_news_already_seen_is_no_alert(world: World, librarian: User) -> None:
    _set(world.lists["B"], library_seen_at=NOW)

    assert page_keys(world, librarian, has_alerts=True) == []


# --- sorting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["A", "B", "F", "C"]),
        ("-name", ["C", "F", "B", "A"]),
        ("code", ["A", "B", "C", "F"]),
        ("-code", ["F", "C", "B", "A"]),
        ("status", ["B", "A", "C", "F"]),
        ("-status", ["F", "C", "A", "B"]),
        ("due", ["C", "F", "A", "B"]),
        ("-due", ["A", "F", "C", "B"]),
        ("sent", ["B", "C", "A", "F"]),
        ("-sent", ["F", "A", "C", "B"]),
        ("age", ["F", "A", "C", "B"]),
        ("bogus", ["F", "A", "C", "B"]),
    ],
)
def test_sorting(sort: str, expected: list[str], world: World, librarian: User) -> None:
    assert page_keys(world, librarian, sort=sort) == expected


# --- rows ----------------------------------------------------------------------------


def test_rows_carry_their_item_and_open_request_summaries(
    world: World, librarian: User
) -> None:
    page = selectors.task_list(
        user=librarian, tab="all", filters=TaskFilters(), sort="name"
    )

    summaries = {
        key: (
            [(str(label), n) for label, n in row.item_summary],
            [(str(label), n) for label, n in row.request_summary],
            row.has_alert,
            [c.code for c in row.courses.all()],
            row.assigned_librarian.username if row.assigned_librarian else None,
        )
        for key, row in zip(keys(world, page.rows), page.rows, strict=True)
    }
    assert summaries == {
        "A": (
            [("Ready for processing", 2), ("Complete", 1)],
            [],
            False,
            ["LIT101"],
            None,
        ),
        "B": (
            [("Being prepared", 3)],
            [("Purchase", 1), ("Hold", 1)],
            True,
            ["LIT101"],
            "librarian",
        ),
        "C": (
            [("Being prepared", 3)],
            [("Digitization", 1)],
            False,
            ["HIS201"],
            "other_librarian",
        ),
        "F": ([("Being prepared", 3)], [], False, ["BIO150"], "librarian"),
    }


# --- paging --------------------------------------------------------------------------


@pytest.fixture
def many(world: World) -> list[int]:
    """27 more unassigned lists ready for processing: 31 with the library."""
    made = ReadingList.objects.bulk_create(
        ReadingList(
            code=f"RL-Z{n:02}",
            name=f"Zz {n:02}",
            status=ListStatus.READY_FOR_PROCESSING,
        )
        for n in range(27)
    )
    return [rl.pk for rl in made]


@pytest.mark.parametrize(
    ("asked", "page", "count", "first"),
    [
        (1, 1, 25, "Canon core"),
        (2, 2, 6, "Zz 21"),
        (9, 2, 6, "Zz 21"),
        (-3, 1, 25, "Canon core"),
        (0, 1, 25, "Canon core"),
    ],
)
def test_pages_of_25_and_a_page_out_of_range_clamps(
    asked: int,
    page: int,
    count: int,
    first: str,
    many: list[int],
    librarian: User,
) -> None:
    result = selectors.task_list(
        user=librarian, tab="all", filters=TaskFilters(), sort="name", page=asked
    )

    assert (result.page, result.pages, result.total, len(result.rows)) == (
        page,
        2,
        31,
        count,
    )
    assert result.rows[0].name == first


def test_paging_follows_the_tab(many: list[int], librarian: User) -> None:
    result = selectors.task_list(
        user=librarian, tab="unassigned", filters=TaskFilters(), sort="name", page=2
    )

    assert (result.page, result.pages, result.total) == (2, 2, 28)
    assert [r.name for r in result.rows] == ["Zz 24", "Zz 25", "Zz 26"]


def test_an_empty_task_list_has_one_empty_page(world: World, librarian: User) -> None:
    result = selectors.task_list(
        user=librarian, tab="all", filters=TaskFilters(q="nothing like it"), page=3
    )

    assert (result.rows, result.page, result.pages, result.total) == ([], 1, 1, 0)
    assert result.counts == {"all": 0, "mine": 0, "unassigned": 0, "others": 0}


# --- home counts and queues ------------------------------------------------------------


def test_home_counts_what_needs_action(world: World, librarian: User) -> None:
    assert selectors.home_counts(user=librarian) == {
        "mine_ready": 1,
        "mine_processing": 1,
        "unassigned_ready": 1,
        "mine_alerts": 1,
        "requests_digitization": 1,
        "requests_purchase": 1,
        "requests_hold": 1,
    }


def test_home_counts_for_another_librarian(world: World, other_librarian: User) -> None:
    counts = selectors.home_counts(user=other_librarian)

    assert {k: v for k, v in counts.items() if not k.startswith("requests_")} == {
        "mine_ready": 1,
        "mine_processing": 0,
        "unassigned_ready": 1,
        "mine_alerts": 0,
    }


def test_request_queue_shows_open_or_closed_requests_of_a_kind(
    world: World, librarian: User
) -> None:
    open_purchases = selectors.request_queue(user=librarian, kind="purchase")
    closed_purchases = selectors.request_queue(
        user=librarian, kind="purchase", state="closed"
    )

    assert [(r.citation.title, r.state) for r in open_purchases] == [("B1", "New")]
    assert [(r.citation.title, r.state) for r in closed_purchases] == [("C1", "Done")]
    assert list(selectors.request_queue(user=librarian, kind="teleport")) == []


# --- who may look --------------------------------------------------------------------------


# `world` is asked for up front: fetched only through getfixturevalue it would be
# built inside the first test's own transaction and vanish with it.
@pytest.mark.parametrize("who", ["student", "instructor", "guest"])
def test_only_library_staff_read_the_task_list(
    who: str, request: Any, world: World
) -> None:
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        selectors.require_library(user)
    with pytest.raises(PermissionDenied):
        selectors.task_list(user=user, tab="all", filters=TaskFilters())
    with pytest.raises(PermissionDenied):
        selectors.home_counts(user=user)
    with pytest.raises(PermissionDenied):
        selectors.request_queue(user=user, kind="purchase")


@pytest.mark.parametrize("who", ["librarian", "admin"])
def test_library_staff_read_the_task_list(who: str, request: Any, world: World) -> None:
    user = request.getfixturevalue(who)

    selectors.require_library(user)

    assert selectors.task_list(user=user, tab="all", filters=TaskFilters()).total == 4
