"""N+1 guards: the list pages run a fixed number of queries whatever the size of the
list, the number of lists, or the number of courses.

Each page is measured cold (every cache emptied: the reading view keeps assembled
bodies per content_version, institution settings are kept for a few seconds) and
warm (the same request again). Each count is exact: a change that adds a query has
to say so here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import InstitutionSettings, User
from lectio.core.factories import CourseFactory, enrol
from lectio.courses.models import Course, CourseRole
from lectio.lists import reading, services
from lectio.lists.models import Citation, ReadingList, Section, Tag
from lectio.lists.statuses import Visibility

pytestmark = pytest.mark.django_db

# A request by a logged-in user always loads the session and the user.
# The student's reading view: + the list with its permission facts (one query),
# institution settings (cold), + sections, citations, tags, courses (cold: assembling
# the body), + the reader's marks.
READER_COLD = 9
READER_WARM = 4
# The editor: + the list with its permission facts, sections, citations, tags
# (prefetch), courses, the library's open requests and messages on the list,
# institution settings (cold).
EDITOR_COLD = 10
EDITOR_WARM = 9
# My lists: + lists with counts, their courses, courses taught, their lists.
MY_LISTS = 6
# My courses: + courses, their published lists, those lists' courses.
COURSES_PAGE = 5

SIZES = {
    # name: (sections in all, citations in all)
    "small": (2, 5),
    "large": (10, 300),
}


def forget_caches() -> None:
    cache.clear()
    InstitutionSettings.forget_cached()
    reading.forget_bodies()


def grow(reading_list: ReadingList, *, sections: int, citations: int) -> None:
    """Bulk-adds Complete, tagged citations and sections up to the given totals (the
    services would format each citation: too slow for 300 of them here)."""
    sample = reading_list.citations.filter(status="Complete").first()
    assert sample is not None
    start = reading_list.sections.count()
    Section.objects.bulk_create(
        Section(reading_list=reading_list, name=f"Week {n}", position=n)
        for n in range(start, sections)
    )
    all_sections = list(reading_list.sections.order_by("position"))
    have = reading_list.citations.count()
    new = Citation.objects.bulk_create(
        Citation(
            reading_list=reading_list,
            section=all_sections[n % len(all_sections)],
            position=100 + n,
            material_type="book",
            metadata={**sample.metadata, "title": f"Book {n}"},
            title=f"Book {n}",
            rendered_html=sample.rendered_html.replace(sample.title, f"Book {n}"),
            status="Complete",
            public_note=f"Note {n}",
        )
        for n in range(have, citations)
    )
    tags = list(Tag.objects.filter(kind="public"))
    Citation.tags.through.objects.bulk_create(
        Citation.tags.through(citation_id=c.pk, tag_id=tags[n % len(tags)].pk)
        for n, c in enumerate(new)
    )
    ReadingList.objects.filter(pk=reading_list.pk).update(
        content_version=F("content_version") + 1
    )
    assert reading_list.citations.count() == citations
    assert reading_list.sections.count() == sections


@pytest.fixture(params=sorted(SIZES))
def sized_list(
    request: pytest.FixtureRequest,
    published_list: ReadingList,
    default_tags: dict[str, Tag],
) -> ReadingList:
    """The published course list, grown to 2 sections / 5 citations or 10 / 300."""
    sections, citations = SIZES[request.param]
    grow(published_list, sections=sections, citations=citations)
    published_list.refresh_from_db()
    return published_list


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure(
    assert_num_queries: Any, client: Client, url: str, cold: int, warm: int
) -> Any:
    forget_caches()
    with assert_num_queries(cold):
        first = client.get(url)
    with assert_num_queries(warm):
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    return first


def test_reading_view_queries_do_not_grow_with_the_list(
    django_assert_num_queries: Any, student: User, sized_list: ReadingList
) -> None:
    client = logged_in(student)
    services.citation_mark(
        user=student, citation=sized_list.citations.first(), done=True
    )

    response = measure(
        django_assert_num_queries,
        client,
        reverse("lists:detail", args=[sized_list.pk]),
        READER_COLD,
        READER_WARM,
    )

    html = response.content.decode()
    count = sized_list.citations.filter(status="Complete").count()
    assert html.count('<li class="citation') == count
    assert html.count('aria-pressed="true"') == 1


def test_guest_reading_view_of_a_public_list_is_as_cheap(
    django_assert_num_queries: Any,
    instructor: User,
    sized_list: ReadingList,
) -> None:
    services.reading_list_publish(
        actor=instructor, reading_list=sized_list, visibility=Visibility.PUBLIC
    )

    # No session, no user, no marks: list + settings (cold) + the body (cold).
    measure(
        django_assert_num_queries,
        Client(),
        reverse("lists:detail", args=[sized_list.pk]),
        READER_COLD - 3,
        READER_WARM - 3,
    )


def test_editor_view_queries_do_not_grow_with_the_list(
    django_assert_num_queries: Any, instructor: User, sized_list: ReadingList
) -> None:
    response = measure(
        django_assert_num_queries,
        logged_in(instructor),
        reverse("lists:detail", args=[sized_list.pk]),
        EDITOR_COLD,
        EDITOR_WARM,
    )

    assert response.content.decode().count('draggable="true"') == (
        sized_list.citations.count()
    )


@pytest.fixture(params=[1, 12])
def many_lists(request: pytest.FixtureRequest, instructor: User, course: Course) -> int:
    """The instructor's lists: 1 or 12, spread over several courses they teach,
    each with citations."""
    courses = [course]
    for n in range(1, request.param):
        extra = CourseFactory.create(code=f"EXT{n}")
        enrol(instructor, extra, CourseRole.INSTRUCTOR)
        courses.append(extra)
    for n in range(request.param):
        reading_list = services.reading_list_create(
            actor=instructor,
            name=f"List {n}",
            course_ids=[courses[n].pk, courses[(n + 1) % len(courses)].pk],
        )
        Citation.objects.bulk_create(
            Citation(
                reading_list=reading_list,
                section=reading_list.sections.get(),
                position=i,
                title=f"Item {i}",
            )
            for i in range(n + 1)
        )
    return request.param


def test_my_lists_queries_do_not_grow_with_the_lists(
    django_assert_num_queries: Any, instructor: User, many_lists: int
) -> None:
    response = measure(
        django_assert_num_queries,
        logged_in(instructor),
        reverse("lists:mine"),
        MY_LISTS,
        MY_LISTS,
    )

    html = response.content.decode()
    assert html.count("<tr><td>") == many_lists
    assert "<td>12</td>" in html if many_lists == 12 else "<td>1</td>" in html


@pytest.fixture(params=[1, 8])
def many_courses(
    request: pytest.FixtureRequest, student: User, instructor: User, course: Course
) -> int:
    """The student's courses: 1 or 8, each with two published lists."""
    courses = [course]
    for n in range(1, request.param):
        extra = CourseFactory.create(code=f"TAKE{n}")
        enrol(student, extra)
        courses.append(extra)
    for taken in courses:
        for n in range(2):
            reading_list = services.reading_list_create(
                actor=instructor, name=f"{taken.code} list {n}", course_ids=[taken.pk]
            )
            services.reading_list_publish(
                actor=instructor, reading_list=reading_list, visibility="course"
            )
    return request.param


def test_courses_page_queries_do_not_grow_with_the_courses(
    django_assert_num_queries: Any, student: User, many_courses: int
) -> None:
    response = measure(
        django_assert_num_queries,
        logged_in(student),
        reverse("lists:reader_home"),
        COURSES_PAGE,
        COURSES_PAGE,
    )

    html = response.content.decode()
    assert html.count('<li class="card">') == many_courses
    assert html.count(" list ") == 2 * many_courses
