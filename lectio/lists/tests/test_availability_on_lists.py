"""Citations linked to a catalog record show the record's live availability on the
student's reading view, the editor's list and the citation's page, read for all the
page's records at once (a fixed number of queries however long the list)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from lectio.accounts.models import User
from lectio.catalog.models import CourseReserve, Item, ItemStatus, Portfolio, Record
from lectio.lists.models import Citation, ReadingList, Tag
from lectio.lists.tests.test_query_counts import (
    EDITOR_COLD,
    EDITOR_WARM,
    READER_COLD,
    READER_WARM,
    SIZES,
    grow,
    logged_in,
    measure,
)

pytestmark = pytest.mark.django_db

ON_LOAN = "On loan, due " + date_format(datetime.date(2026, 12, 9), "DATE_FORMAT")
# availability_for: items by record and status, portfolios, records' URLs, reserves;
# then the record linkers of the apps above lists (linking: the records' portfolios,
# for a direct full-text link).
AVAILABILITY = 4 + 1


def _record(n: int, title: str = "Teaching to transgress") -> Record:
    return Record.objects.create(control_number=f"av-{n}", title=title)


def _link(citation: Citation, record: Record) -> None:
    Citation.objects.filter(pk=citation.pk).update(catalog_record=record)
    ReadingList.objects.filter(pk=citation.reading_list_id).update(
        content_version=F("content_version") + 1
    )


@pytest.fixture
def linked(published_list: ReadingList) -> dict[str, Any]:
    """The published list's two Complete citations, linked: one to a record with a
    copy on the shelf and one on loan, the other to a record on loan only."""
    complete = list(published_list.citations.filter(status="Complete").order_by("pk"))
    shelf, loaned = _record(1), _record(2, "Pedagogy of the oppressed")
    Item.objects.create(record=shelf, barcode="s1", status=ItemStatus.AVAILABLE)
    Item.objects.create(
        record=shelf,
        barcode="s2",
        status=ItemStatus.ON_LOAN,
        due_date=datetime.date(2026, 12, 1),
    )
    Item.objects.create(
        record=loaned,
        barcode="l1",
        status=ItemStatus.ON_LOAN,
        due_date=datetime.date(2026, 12, 9),
    )
    _link(complete[0], shelf)
    _link(complete[1], loaned)
    return {"list": published_list, "citations": complete, "records": (shelf, loaned)}


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _record_link(record: Record) -> str:
    return f'href="{reverse("catalog:record", args=[record.pk])}"'


def test_the_student_sees_each_linked_items_availability(
    linked: dict[str, Any], student: User
) -> None:
    html = _html(logged_in(student), reverse("lists:detail", args=[linked["list"].pk]))

    first, second = linked["citations"]
    shelf, loaned = linked["records"]
    assert html.count('class="list-meta availability"') == 2
    assert "Available (1 of 2 copies)" in html
    assert ON_LOAN in html
    # In words, for screen readers too: not a colour alone.
    assert "Library availability:" in html
    # Each inside its own citation, linked to the record's page.
    first_item = html[html.index(f'id="c{first.pk}"') :]
    assert first_item.index("Available (1 of 2") < first_item.index("</li>")
    assert _record_link(shelf) in html and _record_link(loaned) in html


def test_availability_is_live_while_the_list_is_cached(
    linked: dict[str, Any], student: User
) -> None:
    client = logged_in(student)
    url = reverse("lists:detail", args=[linked["list"].pk])
    assert "Available (1 of 2 copies)" in _html(client, url)

    Item.objects.filter(barcode="s1").update(status=ItemStatus.MISSING)
    shelf = linked["records"][0]
    Portfolio.objects.create(
        record=shelf, external_id="p1", url="https://example.org", open_access=True
    )

    html = _html(client, url)
    assert "Available (1 of 2 copies)" not in html
    assert "Open access online" in html


def test_a_reserve_is_said(linked: dict[str, Any], student: User, course: Any) -> None:
    CourseReserve.objects.create(item=Item.objects.get(barcode="s1"), course=course)
    html = _html(logged_in(student), reverse("lists:detail", args=[linked["list"].pk]))
    assert html.count("On course reserve") == 1


def test_a_guest_sees_availability_on_a_public_list(
    linked: dict[str, Any], instructor: User
) -> None:
    ReadingList.objects.filter(pk=linked["list"].pk).update(visibility="public")
    html = _html(Client(), reverse("lists:detail", args=[linked["list"].pk]))
    assert "Available (1 of 2 copies)" in html


def test_unlinked_citations_show_no_availability(
    published_list: ReadingList, student: User
) -> None:
    html = _html(logged_in(student), reverse("lists:detail", args=[published_list.pk]))
    assert "availability" not in html


def test_the_editor_and_the_preview_show_availability(
    linked: dict[str, Any], instructor: User
) -> None:
    client = logged_in(instructor)
    url = reverse("lists:detail", args=[linked["list"].pk])

    editor = _html(client, url)
    preview = _html(client, url + "?view=reader")

    for html in (editor, preview):
        assert "Available (1 of 2 copies)" in html
        assert ON_LOAN in html
    citation = linked["citations"][0]
    assert f'aria-describedby="c{citation.pk}-ref">Library record</a>' in editor


def test_the_citation_page_shows_availability(
    linked: dict[str, Any], student: User
) -> None:
    citation = linked["citations"][0]
    html = _html(
        logged_in(student), reverse("lists:citation_detail", args=[citation.pk])
    )
    assert "In the library" in html
    assert "Available (1 of 2 copies)" in html
    assert _record_link(linked["records"][0]) in html


def test_a_record_with_nothing_held_says_so(
    published_list: ReadingList, student: User
) -> None:
    citation = published_list.citations.filter(status="Complete").first()
    assert citation is not None
    _link(citation, _record(3))
    html = _html(logged_in(student), reverse("lists:detail", args=[published_list.pk]))
    assert "Not held by the library" in html


# --- query counts -----------------------------------------------------------------


@pytest.fixture(params=sorted(SIZES))
def linked_list(
    request: pytest.FixtureRequest,
    published_list: ReadingList,
    default_tags: dict[str, Tag],
) -> ReadingList:
    """The published list grown to 5 or 300 citations, every one linked to a record
    of its own with a copy on the shelf."""
    sections, citations = SIZES[request.param]
    grow(published_list, sections=sections, citations=citations)
    all_citations = list(published_list.citations.order_by("pk"))
    records = Record.objects.bulk_create(
        Record(control_number=f"q-{c.pk}", title=c.title) for c in all_citations
    )
    Item.objects.bulk_create(
        Item(record=r, barcode=f"b-{r.pk}", status=ItemStatus.AVAILABLE)
        for r in records
    )
    for citation, record in zip(all_citations, records, strict=True):
        citation.catalog_record = record
    Citation.objects.bulk_update(all_citations, ["catalog_record"])
    ReadingList.objects.filter(pk=published_list.pk).update(
        content_version=F("content_version") + 1
    )
    published_list.refresh_from_db()
    return published_list


def test_reading_view_of_a_linked_list_costs_a_fixed_number_of_queries(
    django_assert_num_queries: Any, student: User, linked_list: ReadingList
) -> None:
    response = measure(
        django_assert_num_queries,
        logged_in(student),
        reverse("lists:detail", args=[linked_list.pk]),
        READER_COLD + AVAILABILITY,
        READER_WARM + AVAILABILITY,
    )
    count = linked_list.citations.filter(status="Complete").count()
    assert response.content.decode().count("Available (1 of 1 copy)") == count


def test_editor_view_of_a_linked_list_costs_a_fixed_number_of_queries(
    django_assert_num_queries: Any, instructor: User, linked_list: ReadingList
) -> None:
    response = measure(
        django_assert_num_queries,
        logged_in(instructor),
        reverse("lists:detail", args=[linked_list.pk]),
        EDITOR_COLD + AVAILABILITY,
        EDITOR_WARM + AVAILABILITY,
    )
    assert response.content.decode().count("Available (1 of 1 copy)") == (
        linked_list.citations.count()
    )
