"""A record's page, and adding a record to a list from it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from lectio.accounts.models import User
from lectio.catalog.models import ItemStatus, Record
from lectio.catalog.tests.test_views_support import (
    add_copy,
    add_portfolio,
    make_record,
    put_on_reserve,
)
from lectio.core.factories import CourseFactory, make_list
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists.from_catalog import citation_add_from_record
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import CitationStatus, Visibility


@pytest.fixture
def record(db: None) -> Record:
    return make_record(
        "On the origin of species",
        subtitle="by means of natural selection",
        urls=[{"url": "https://archive.example.org/origin", "note": "Full text"}],
    )


def record_url(record: Record) -> str:
    return reverse("catalog:record", args=[record.pk])


def add_url(record: Record) -> str:
    return reverse("catalog:add_to_list", args=[record.pk])


def test_the_record_page_describes_the_record(
    client_for: Callable[[Any], Any], student: User, record: Record, course: Course
) -> None:
    add_copy(record)
    loaned = add_copy(
        record, status=ItemStatus.ON_LOAN, due=datetime.date(2026, 12, 12)
    )
    put_on_reserve(add_copy(record), course)
    add_portfolio(record, open_access=True)

    response = client_for(student).get(record_url(record))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "On the origin of species",
        ": by means of natural selection",
        "by Charles Darwin.",
        "Beer, Gillian.",
        "(editor)",
        "2nd ed.",
        "London: John Murray, 1860",
        "ix, 502 p.",
        "English",
        "Classics of science",
        "Natural selection",
        record.isbns[0],
        "The book that set out the theory",
        "https://archive.example.org/origin",
        "Full text",
        "Example Books",
        "Open access",
        "On loan",
        "12 Dec 2026",
        "On reserve for LIT101",
        "Reserve desk",
        "Available (2 of 3 copies)",
    ):
        assert text in html, text
    assert loaned.barcode not in html  # barcodes are the library's business


def test_unknown_records_are_404(
    client_for: Callable[[Any], Any], student: User
) -> None:
    response = client_for(student).get(reverse("catalog:record", args=[987654]))

    assert response.status_code == 404


def test_place_hold_links_to_the_holds_page(
    client_for: Callable[[Any], Any], student: User, record: Record
) -> None:
    response = client_for(student).get(record_url(record))

    hold = reverse("catalog:hold_place", args=[record.pk])
    assert f'href="{hold}"'.encode() in response.content
    assert b"Place hold" in response.content


@pytest.fixture
def cited(
    record: Record,
    reading_list: ReadingList,
    instructor: User,
    other_instructor: User,
    other_course: Course,
) -> dict[str, Any]:
    """The record on: the course's draft list; a published list of the course with a
    companion record; a list of another course open only to its students."""
    published = make_list(
        owner=instructor,
        courses=[reading_list.courses.get()],
        name="Published canon",
        visibility=Visibility.COURSE,
    )
    elsewhere = make_list(
        owner=other_instructor,
        courses=[other_course],
        name="History only",
        visibility=Visibility.COURSE,
    )
    companion = make_record("Companion to Darwin")
    for rl, actor, rec in (
        (reading_list, instructor, record),
        (published, instructor, record),
        (published, instructor, companion),
        (elsewhere, other_instructor, record),
    ):
        citation = citation_add_from_record(actor=actor, record=rec, reading_list=rl)
        Citation.objects.filter(pk=citation.pk).update(status=CitationStatus.COMPLETE)
    return {"published": published, "elsewhere": elsewhere, "companion": companion}


def test_a_student_sees_only_lists_open_to_them(
    client_for: Callable[[Any], Any],
    student: User,
    record: Record,
    reading_list: ReadingList,
    cited: dict,
) -> None:
    response = client_for(student).get(record_url(record))

    names = [v.reading_list.name for v in response.context["on_lists"]]
    assert names == ["Published canon"]
    html = response.content.decode()
    assert reading_list.name not in html  # a draft
    assert "History only" not in html  # another course, its students only
    assert [r.title for r, _a in response.context["more"]] == ["Companion to Darwin"]
    assert "More from the same course" in html


def test_the_other_instructor_sees_their_own_list_not_the_draft(
    client_for: Callable[[Any], Any],
    other_instructor: User,
    record: Record,
    cited: dict,
) -> None:
    response = client_for(other_instructor).get(record_url(record))

    names = [v.reading_list.name for v in response.context["on_lists"]]
    assert names == ["History only"]
    assert response.context["more"] == []


def test_a_librarian_sees_every_list(
    client_for: Callable[[Any], Any], librarian: User, record: Record, cited: dict
) -> None:
    response = client_for(librarian).get(record_url(record))

    assert len(response.context["on_lists"]) == 3


# --- adding to a list --------------------------------------------------------------


def test_the_picker_offers_the_instructors_lists_and_sections(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    response = client_for(instructor).get(add_url(record))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<optgroup label="{reading_list.name}">' in html
    default = reading_list.sections.get(is_default=True)
    week1 = reading_list.sections.get(name="Week 1")
    assert html.index(f'value="{default.pk}"') < html.index(f'value="{week1.pk}"')
    assert f'href="/collection/save/record/{record.pk}/?next=' in html


def test_an_instructor_adds_a_record_to_a_section(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    week1 = reading_list.sections.get(name="Week 1")

    response = client_for(instructor).post(
        add_url(record), {"section": week1.pk, "next": "/catalog/?q=darwin"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/catalog/?q=darwin"
    citation = Citation.objects.get(catalog_record=record)
    assert citation.section_id == week1.pk
    assert citation.reading_list_id == reading_list.pk
    assert citation.created_by_id == instructor.pk
    assert citation.title == "On the origin of species: by means of natural selection"
    assert Event.objects.filter(verb="citation.add", target_id=citation.pk).exists()


def test_a_list_without_a_section_means_its_default_section(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    response = client_for(instructor).post(add_url(record), {"list": reading_list.pk})

    assert response.status_code == 302
    assert response["Location"] == record_url(record)
    assert Citation.objects.get(catalog_record=record).section.is_default


def test_with_htmx_the_answer_is_a_fragment(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    client = client_for(instructor)
    picker = client.get(add_url(record), HTTP_HX_REQUEST="true")
    added = client.post(
        add_url(record), {"list": reading_list.pk}, HTTP_HX_REQUEST="true"
    )

    assert picker.content.lstrip().startswith(b'<div class="add-picker"')
    assert added.status_code == 200
    assert b'role="status"' in added.content
    assert b"Added \xe2\x80\x9cOn the origin of species\xe2\x80\x9d" in added.content
    assert reverse("lists:detail", args=[reading_list.pk]).encode() in added.content


def test_the_same_record_twice_in_a_section_is_refused_with_a_message(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    client = client_for(instructor)
    client.post(add_url(record), {"list": reading_list.pk})

    response = client.post(add_url(record), {"list": reading_list.pk})

    assert response.status_code == 409
    assert "is already in Resources" in response.content.decode()
    assert Citation.objects.filter(catalog_record=record).count() == 1
    assert b"(already there)" in response.content


def test_a_collaborator_may_add(
    client_for: Callable[[Any], Any],
    collaborator_editor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    response = client_for(collaborator_editor).post(
        add_url(record), {"list": reading_list.pk}
    )

    assert response.status_code == 302
    assert Citation.objects.filter(catalog_record=record).count() == 1


def test_a_librarian_may_add_to_any_list_by_id(
    client_for: Callable[[Any], Any],
    librarian: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    client = client_for(librarian)
    picker = client.get(add_url(record), {"list": reading_list.pk})
    response = client.post(add_url(record), {"list": reading_list.pk})

    assert f'<optgroup label="{reading_list.name}">'.encode() in picker.content
    assert response.status_code == 302
    citation = Citation.objects.get(catalog_record=record)
    assert citation.created_by_id == librarian.pk


def test_the_other_instructor_cannot_add_to_the_instructors_list(
    client_for: Callable[[Any], Any],
    other_instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    client = client_for(other_instructor)
    week1 = reading_list.sections.get(name="Week 1")
    events = Event.objects.count()

    by_list = client.post(add_url(record), {"list": reading_list.pk})
    by_section = client.post(add_url(record), {"section": week1.pk})
    picker = client.get(add_url(record), {"list": reading_list.pk})

    assert by_list.status_code == 403
    assert by_section.status_code == 403
    assert b"You cannot add to that list" in by_list.content
    assert reading_list.name.encode() not in picker.content
    assert Citation.objects.filter(catalog_record=record).count() == 0
    assert Event.objects.count() == events


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_a_student_cannot_add(
    client_for: Callable[[Any], Any],
    student: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    client = client_for(student)

    page = client.get(add_url(record))
    post = client.post(add_url(record), {"list": reading_list.pk})

    assert page.status_code == 403
    assert post.status_code == 403
    assert Citation.objects.filter(catalog_record=record).count() == 0


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({}, 400, "Choose a list and a section."),
        ({"section": "abc"}, 400, "That is not a list or section."),
        ({"list": "1; DROP TABLE"}, 400, "That is not a list or section."),
        ({"section": "987654"}, 403, "You cannot add to that list"),
        ({"list": "987654"}, 403, "You cannot add to that list"),
    ],
)
def test_bad_choices_get_a_message_and_change_nothing(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
    data: dict,
    status: int,
    message: str,
) -> None:
    events = Event.objects.count()

    response = client_for(instructor).post(add_url(record), data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert Citation.objects.filter(catalog_record=record).count() == 0
    assert Event.objects.count() == events


def test_adding_an_unknown_record_is_404(
    client_for: Callable[[Any], Any], instructor: User, reading_list: ReadingList
) -> None:
    url = reverse("catalog:add_to_list", args=[987654])

    response = client_for(instructor).post(url, {"list": reading_list.pk})

    assert response.status_code == 404


def test_next_must_stay_on_this_site(
    client_for: Callable[[Any], Any],
    instructor: User,
    record: Record,
    reading_list: ReadingList,
) -> None:
    response = client_for(instructor).post(
        add_url(record), {"list": reading_list.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == record_url(record)


def test_an_instructor_with_no_list_is_offered_to_create_one(
    client_for: Callable[[Any], Any], other_instructor: User, record: Record
) -> None:
    response = client_for(other_instructor).get(add_url(record))

    assert response.status_code == 200
    assert b"You have no lists you may add to yet." in response.content
    assert reverse("lists:create").encode() in response.content


def test_record_page_query_count_is_bounded(
    client_for: Callable[[Any], Any],
    student: User,
    record: Record,
    cited: dict,
    django_assert_max_num_queries: Any,
) -> None:
    for _n in range(3):
        add_copy(record)
    for n in range(5):
        extra = make_list(
            owner=cited["published"].created_by,
            courses=[CourseFactory.create(code=f"X{n}")],
            name=f"Extra {n}",
            visibility=Visibility.INSTITUTION,
        )
        citation = citation_add_from_record(
            actor=cited["published"].created_by, record=record, reading_list=extra
        )
        Citation.objects.filter(pk=citation.pk).update(status=CitationStatus.COMPLETE)
    client = client_for(student)
    client.get(record_url(record))

    # Fixed whatever the number of lists and copies: session, user, record, copies,
    # reserves, portfolios, availability (4), lists citing it and their facts (5),
    # the same for "more from the same course" (5), those records and their
    # availability (5), whether to offer "Add to a list".
    with django_assert_max_num_queries(26):
        response = client.get(record_url(record))

    assert len(response.context["on_lists"]) == 6
