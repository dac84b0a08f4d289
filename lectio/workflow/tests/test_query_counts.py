"""The library's list pages run a fixed number of queries, whatever they show: the task
list (any tab, any filter) with 5 or 60 lists, the work page of a list with 5 or 100
items that carry requests, tags and messages, and a request queue.

The rows are written in bulk (not through the services) so that the big case stays
fast; what they hold varies the way real data does: statuses, assignees, courses,
alerts, open and closed requests of several kinds.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lectio.accounts.models import Role, User
from lectio.core.factories import CourseFactory, UserFactory, enrol
from lectio.core.models import Event
from lectio.courses.models import Course, CourseRole
from lectio.lists.models import Citation, ReadingList, Section, Tag, TagKind
from lectio.lists.statuses import CitationStatus, ListStatus
from lectio.workflow.models import Message, ProcessingRequest, RequestKind

pytestmark = pytest.mark.django_db

# What the pages take today; a change that adds queries per row fails the equality
# checks, a change that adds a fixed query fails these (raise them if it is meant).
TASK_LIST_QUERIES = 13  # free text: + the matching ids, read once
WORK_PAGE_QUERIES = 16  # + the open items of the whole list
QUEUE_QUERIES = 3

LIST_STATUSES = [ListStatus.READY_FOR_PROCESSING, ListStatus.BEING_PROCESSED]
ITEM_STATUSES = [
    CitationStatus.READY_FOR_PROCESSING,
    CitationStatus.IN_PROCESS,
    CitationStatus.COMPLETE,
    CitationStatus.DECLINED,
]
KINDS = list(RequestKind.values)


def count_queries(
    client: Client, url: str, headers: dict[str, str] | None = None
) -> int:
    client.get(url, headers=headers)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def cast(librarian: User, other_librarian: User) -> dict[str, Any]:
    courses = [
        CourseFactory.create(code=f"QC{n}", participants=20 + n) for n in range(3)
    ]
    for n, course in enumerate(courses):
        teacher = UserFactory.create(username=f"teacher{n}", role=Role.INSTRUCTOR)
        enrol(teacher, course, CourseRole.INSTRUCTOR)
    return {"courses": courses, "librarians": [None, librarian, other_librarian]}


def add_items(
    reading_list: ReadingList, section: Section, start: int, count: int, author: User
) -> list[Citation]:
    citations = Citation.objects.bulk_create(
        Citation(
            reading_list=reading_list,
            section=section,
            position=n,
            title=f"Item {n}",
            metadata={"type": "book", "title": f"Item {n}"},
            rendered_html=f"<span>Item {n}</span>",
            status=ITEM_STATUSES[n % len(ITEM_STATUSES)],
        )
        for n in range(start, start + count)
    )
    ProcessingRequest.objects.bulk_create(
        ProcessingRequest(
            citation=c,
            reading_list=reading_list,
            kind=KINDS[n % len(KINDS)],
            state="New" if n % 3 else "Done",
            page_ranges="1-10" if n % 2 else "",
            copies=2 if n % 5 == 0 else None,
            created_by=author,
        )
        for n, c in enumerate(citations)
    )
    Message.objects.bulk_create(
        Message(reading_list=reading_list, citation=c, author=author, body="About it")
        for c in citations[::4]
    )
    return citations


def add_lists(cast: dict[str, Any], start: int, count: int) -> None:
    now = timezone.now()
    courses: list[Course] = cast["courses"]
    lists = ReadingList.objects.bulk_create(
        ReadingList(
            code=f"QC-{n:03}",
            name=f"Query list {n:03}",
            status=LIST_STATUSES[n % 2],
            assigned_librarian=cast["librarians"][n % 3],
            sent_to_library_at=now - datetime.timedelta(hours=n),
            due_back_date=datetime.date(2026, 12, 1) if n % 4 else None,
            library_alert_at=now if n % 5 == 0 else None,
            processing_department=courses[n % 3].processing_department,
        )
        for n in range(start, start + count)
    )
    links = []
    for n, reading_list in enumerate(lists, start):
        links.append((reading_list.pk, courses[n % 3].pk))
        if n % 7 == 0:
            links.append((reading_list.pk, courses[(n + 1) % 3].pk))
    ReadingList.courses.through.objects.bulk_create(
        ReadingList.courses.through(readinglist_id=rl, course_id=c) for rl, c in links
    )
    sections = Section.objects.bulk_create(
        Section(reading_list=rl, name="Resources", is_default=True) for rl in lists
    )
    author = cast["librarians"][1]
    for n, (reading_list, section) in enumerate(zip(lists, sections, strict=True)):
        add_items(reading_list, section, 0, 1 + n % 3, author)


TASK_URLS = [
    "?tab=all",
    "?tab=mine",
    "?tab=unassigned",
    "?tab=others",
    "?tab=all&has_alerts=on&sort=due",
    "?tab=all&open_request=digitization&sort=name",
    "?tab=all&q=Query&sort=sent",
    "?tab=mine&course=QC1&status=BeingProcessed&page=2",
]


@pytest.mark.parametrize("query", TASK_URLS)
def test_task_list_queries_do_not_grow_with_the_lists(
    query: str, cast: dict[str, Any], client: Client, librarian: User
) -> None:
    client.force_login(librarian)
    url = reverse("workflow:tasks") + query
    add_lists(cast, 0, 5)
    small = count_queries(client, url)
    add_lists(cast, 5, 55)

    large = count_queries(client, url)
    fragment = count_queries(client, url, headers={"HX-Request": "true"})

    assert large == small
    assert large <= TASK_LIST_QUERIES
    assert fragment <= large


def test_the_big_task_list_shows_a_full_page(
    cast: dict[str, Any], client: Client, librarian: User
) -> None:
    add_lists(cast, 0, 60)
    client.force_login(librarian)

    response = client.get(reverse("workflow:tasks") + "?tab=all")

    assert len(response.context["page"].rows) == 25
    assert response.context["page"].counts == {
        "all": 60,
        "mine": 20,
        "unassigned": 20,
        "others": 20,
    }


@pytest.fixture
def work_list(cast: dict[str, Any], librarian: User) -> Callable[[int], ReadingList]:
    """A list with its items; call again to add more."""
    reading_list = ReadingList.objects.create(
        code="QC-WORK",
        name="Work list",
        status=ListStatus.BEING_PROCESSED,
        assigned_librarian=librarian,
        sent_to_library_by=librarian,
        sent_to_library_at=timezone.now(),
    )
    reading_list.courses.set(cast["courses"])
    section = Section.objects.create(reading_list=reading_list, name="Resources")
    tags = [
        Tag.objects.get_or_create(kind=kind, name=f"Query {kind}")[0]
        for kind in TagKind.values
    ]
    teacher = User.objects.get(username="teacher0")
    added = [0]

    def grow(count: int) -> ReadingList:
        citations = add_items(reading_list, section, added[0], count, librarian)
        Citation.tags.through.objects.bulk_create(
            Citation.tags.through(citation_id=c.pk, tag_id=t.pk)
            for n, c in enumerate(citations)
            for t in tags[: n % 4]
        )
        Event.objects.bulk_create(
            Event(
                actor=teacher,
                verb="citation.add",
                target_type="citation",
                target_id=c.pk,
                list_id=reading_list.pk,
                summary=f"Added {c.title}",
            )
            for c in citations
        )
        added[0] += count
        return reading_list

    return grow


@pytest.mark.parametrize("show", ["", "ready", "digitization", "messages"])
def test_work_page_queries_do_not_grow_with_the_items(
    show: str,
    work_list: Callable[[int], ReadingList],
    client: Client,
    librarian: User,
) -> None:
    client.force_login(librarian)
    reading_list = work_list(5)
    url = reverse("workflow:work", args=[reading_list.pk]) + f"?show={show}"
    small = count_queries(client, url)
    work_list(95)

    large = count_queries(client, url)

    assert large == small
    assert large <= WORK_PAGE_QUERIES


def test_work_page_shows_every_item(
    work_list: Callable[[int], ReadingList], client: Client, librarian: User
) -> None:
    reading_list = work_list(100)
    client.force_login(librarian)

    response = client.get(reverse("workflow:work", args=[reading_list.pk]))

    assert len(response.context["citations"]) == 100
    assert sum(len(reqs) for _c, reqs, _t in response.context["citations"]) == 100


def test_request_queue_queries_do_not_grow_with_the_requests(
    work_list: Callable[[int], ReadingList], client: Client, librarian: User
) -> None:
    client.force_login(librarian)
    work_list(7)
    url = reverse("workflow:queue", args=["purchase"])
    small = count_queries(client, url)
    work_list(93)

    large = count_queries(client, url)

    assert large == small
    assert large <= QUEUE_QUERIES
