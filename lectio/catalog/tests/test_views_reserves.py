"""Course reserves: finding a course, and a course's reserves page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from lectio.accounts.models import Role, User
from lectio.catalog.tests.test_views_support import (
    add_copy,
    make_record,
    put_on_reserve,
)
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    TermFactory,
    UserFactory,
    enrol,
    make_list,
)
from lectio.courses.models import Course, CourseRole
from lectio.lists.from_catalog import citation_add_from_record
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import CitationStatus, Visibility

RESERVES = "catalog:reserves"


def course_url(course: Course) -> str:
    return reverse("catalog:course_reserves", args=[course.pk])


def found(response: Any) -> list[str]:
    return [row.course.code for row in response.context["rows"]]


@pytest.fixture
def catalogue(course: Course, instructor: User, other_course: Course) -> None:
    """LIT101 (Ines Instructor, Literature, Autumn 2026), HIS201 (History) and
    BIO110 Cells taught by Grace Hopper-Smith."""
    teacher = UserFactory.create(
        username="grace",
        first_name="Grace",
        last_name="Hopper-Smith",
        role=Role.INSTRUCTOR,
    )
    bio = CourseFactory.create(
        code="BIO110",
        name="Cells and Tissues",
        academic_department=DepartmentFactory.create(code="BIO", name="Biology"),
    )
    enrol(teacher, bio, CourseRole.INSTRUCTOR)


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"q": "lit"}, ["LIT101"]),
        ({"q": "canon reading"}, ["LIT101"]),
        ({"q": "modern"}, ["HIS201"]),
        ({"instructor": "hopper"}, ["BIO110"]),
        ({"instructor": "ines instructor"}, ["LIT101"]),
        ({"department": "Biology"}, ["BIO110"]),
        ({"department": "his"}, ["HIS201"]),
        ({"term": "AUT26"}, ["LIT101"]),
        ({"q": "101", "department": "LIT"}, ["LIT101"]),
        ({"q": "nothing-like-this"}, []),
    ],
)
def test_courses_are_found_by_code_name_instructor_department_and_term(
    client_for: Callable[[Any], Any],
    student: User,
    catalogue: None,
    params: dict,
    codes: list[str],
) -> None:
    response = client_for(student).get(reverse(RESERVES), params)

    assert response.status_code == 200
    assert found(response) == codes


def test_the_empty_page_explains_what_to_search(
    client_for: Callable[[Any], Any], student: User, catalogue: None
) -> None:
    response = client_for(student).get(reverse(RESERVES))

    assert response.context["searched"] is False
    assert b"Find a course by its code" in response.content
    assert b'<label for="id_q">' in response.content


@pytest.mark.parametrize(
    "params",
    [
        {"term": "NO-SUCH-TERM"},
        {"q": "x" * 5000},
        {"q": "lit", "page": "zzz"},
        {"q": "lit", "page": "99999999999999999999999999"},
        {"instructor": "%_%"},
    ],
)
def test_bad_input_is_a_page_not_an_error(
    client_for: Callable[[Any], Any], student: User, catalogue: None, params: dict
) -> None:
    response = client_for(student).get(reverse(RESERVES), params)

    assert response.status_code == 200


def test_an_unknown_term_is_an_error_on_its_field(
    client_for: Callable[[Any], Any], student: User, catalogue: None
) -> None:
    response = client_for(student).get(reverse(RESERVES), {"term": "NOPE"})

    assert response.context["form"].errors["term"]
    assert b"Please correct the fields marked below." in response.content


@pytest.fixture
def reserves(
    course: Course, instructor: User, reading_list: ReadingList, other_course: Course
) -> dict[str, Any]:
    """On LIT101: the draft `reading_list` and a published list with a linked book
    (on reserve) and a pending item; on HIS201 a list open only to its students."""
    published = make_list(
        owner=instructor,
        courses=[course],
        name="Published canon",
        visibility=Visibility.COURSE,
    )
    book = make_record("Middlemarch")
    item = add_copy(book)
    put_on_reserve(item, course)
    citation = citation_add_from_record(
        actor=instructor, record=book, reading_list=published
    )
    Citation.objects.filter(pk=citation.pk).update(status=CitationStatus.COMPLETE)
    pending = citation_add_from_record(
        actor=instructor, record=make_record("Pending title"), reading_list=published
    )
    other_teacher = UserFactory.create(username="t2", role=Role.INSTRUCTOR)
    make_list(
        owner=other_teacher,
        courses=[other_course],
        name="History students only",
        visibility=Visibility.COURSE,
    )
    return {
        "published": published,
        "book": book,
        "item": item,
        "pending": pending,
    }


def test_search_results_show_the_lists_the_viewer_may_see(
    client_for: Callable[[Any], Any],
    student: User,
    reading_list: ReadingList,
    reserves: dict,
) -> None:
    response = client_for(student).get(reverse(RESERVES), {"q": "1"})

    lists = {
        row.course.code: [rl.name for rl in row.lists]
        for row in response.context["rows"]
    }
    assert lists == {"HIS201": [], "LIT101": ["Published canon"]}
    assert b"Taught by Ines Instructor" in response.content


def test_a_course_page_lists_its_reserves_and_readable_citations(
    client_for: Callable[[Any], Any],
    student: User,
    course: Course,
    reading_list: ReadingList,
    reserves: dict,
) -> None:
    response = client_for(student).get(course_url(course))

    assert response.status_code == 200
    html = response.content.decode()
    assert [g.visible.reading_list.name for g in response.context["list_groups"]] == [
        "Published canon"
    ]
    assert reading_list.name not in html  # a draft
    assert "Middlemarch" in html
    assert "Pending title" not in html  # not Complete: readers do not see it
    assert "Reserve desk" in html
    assert "2-hour loan" in html
    assert "QH365 .O2 1860" in html
    assert reverse("catalog:record", args=[reserves["book"].pk]) in html
    assert "Available (1 of 1 copy)" in html


def test_the_instructor_sees_their_draft_and_pending_items(
    client_for: Callable[[Any], Any],
    instructor: User,
    course: Course,
    reading_list: ReadingList,
    reserves: dict,
) -> None:
    response = client_for(instructor).get(course_url(course))

    html = response.content.decode()
    assert "Pending title" in html
    assert "Reading Against the Grain" in html  # the draft's items


def test_another_courses_students_only_list_is_not_shown(
    client_for: Callable[[Any], Any],
    student: User,
    other_course: Course,
    reserves: dict,
) -> None:
    response = client_for(student).get(course_url(other_course))

    assert response.status_code == 200
    assert response.context["list_groups"] == []
    assert b"History students only" not in response.content
    assert b"no resource list you can see" in response.content


def test_unknown_courses_are_404(
    client_for: Callable[[Any], Any], student: User
) -> None:
    response = client_for(student).get(
        reverse("catalog:course_reserves", args=[987654])
    )

    assert response.status_code == 404


def test_reserves_search_query_count_is_bounded(
    client_for: Callable[[Any], Any],
    student: User,
    instructor: User,
    db: None,
    django_assert_max_num_queries: Any,
) -> None:
    term = TermFactory.create(code="SPR27")
    for n in range(25):
        course = CourseFactory.create(
            code=f"CHEM{n:03d}", name="Chemistry", terms=[term]
        )
        enrol(instructor, course, CourseRole.INSTRUCTOR)
        make_list(
            owner=instructor,
            courses=[course],
            name=f"Chemistry {n}",
            visibility=Visibility.INSTITUTION,
        )
    client = client_for(student)
    client.get(reverse(RESERVES), {"q": "chem"})

    with django_assert_max_num_queries(12):
        response = client.get(reverse(RESERVES), {"q": "chem", "term": "SPR27"})

    assert len(response.context["rows"]) == 20
    assert all(len(row.lists) == 1 for row in response.context["rows"])


def test_course_reserves_page_query_count_is_bounded(
    client_for: Callable[[Any], Any],
    student: User,
    course: Course,
    instructor: User,
    reserves: dict,
    django_assert_max_num_queries: Any,
) -> None:
    published = reserves["published"]
    for n in range(10):
        record = make_record(f"Extra {n}")
        put_on_reserve(add_copy(record), course)
        citation = citation_add_from_record(
            actor=instructor, record=record, reading_list=published
        )
        Citation.objects.filter(pk=citation.pk).update(status=CitationStatus.COMPLETE)
    client = client_for(student)
    client.get(course_url(course))

    with django_assert_max_num_queries(16):
        response = client.get(course_url(course))

    assert len(response.context["reserves"]) == 11
