"""Locate: citations matched to catalog records by identifier, then by title and
author; the librarian's confirm and reject; the command and the task."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import User
from lectio.catalog.models import Record, RecordIdentifier
from lectio.core.concurrency import StaleVersion
from lectio.core.factories import add_citation, book, make_list
from lectio.core.identifiers import (
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists import locate
from lectio.lists.models import Citation, CitationMatch, ReadingList
from lectio.lists.services import ServiceError

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
HOOKS_ISBN = "9780415908085"


def make_record(n: int | str, title: str, **fields: Any) -> Record:
    """A catalog record with its identifier rows, indexed for search."""
    from lectio.catalog.search import index_records

    fields.setdefault("author", "Hooks, Bell")
    fields.setdefault("contributors", [{"name": fields["author"], "role": "author"}])
    identifiers: dict[str, list[str]] = fields.pop("identifiers", {})
    record = Record.objects.create(control_number=f"rec-{n}", title=title, **fields)
    normal = {
        "isbn": normalize_isbn,
        "issn": normalize_issn,
        "doi": normalize_doi,
        "oclc": normalize_oclc,
        "lccn": normalize_lccn,
    }
    rows = []
    for kind, values in identifiers.items():
        for value in values:
            normalised = normal[kind](value)
            assert normalised, (kind, value)
            rows.append(RecordIdentifier(record=record, kind=kind, value=normalised))
    RecordIdentifier.objects.bulk_create(rows)
    index_records([record.pk])
    return record


@pytest.fixture
def empty_list(instructor: User, course: Course) -> ReadingList:
    return make_list(owner=instructor, courses=[course], name="Locate me")


def cite(reading_list: ReadingList, actor: User, title: str, **meta: Any) -> Citation:
    metadata = book(title)
    metadata.pop("ISBN")
    for key, value in meta.items():
        if value is None:
            metadata.pop(key, None)
        else:
            metadata[key] = value
    return add_citation(reading_list, actor=actor, title=title, metadata=metadata)


# --- exact identifiers --------------------------------------------------------------

EXACT_CASES = {
    # name: (citation metadata, record identifiers)
    "isbn13": ({"ISBN": HOOKS_ISBN}, {"isbn": [HOOKS_ISBN]}),
    "isbn13-hyphenated": ({"ISBN": "978-0-415-90808-5"}, {"isbn": [HOOKS_ISBN]}),
    "isbn10-hyphenated": ({"ISBN": "0-415-90808-6 (pbk.)"}, {"isbn": [HOOKS_ISBN]}),
    "isbn-second-of-two": (
        {"ISBN": "0-00-000000-0; 0415908086"},
        {"isbn": [HOOKS_ISBN]},
    ),
    "issn": ({"ISSN": "00178055"}, {"issn": ["0017-8055"]}),
    "doi": (
        {"DOI": "https://doi.org/10.17763/HAER.65.3.12G1923330P1XHJ8"},
        {"doi": ["10.17763/haer.65.3.12g1923330p1xhj8"]},
    ),
    "oclc": ({"lectio": {"OCLC": "(OCoLC)ocm00012345"}}, {"oclc": ["12345"]}),
    "lccn": ({"lectio": {"LCCN": "85-2"}}, {"lccn": ["85000002"]}),
}


@pytest.mark.parametrize("case", sorted(EXACT_CASES))
def test_an_exact_identifier_links_the_citation(
    case: str, empty_list: ReadingList, instructor: User
) -> None:
    meta, identifiers = EXACT_CASES[case]
    record = make_record(1, "Something else entirely", identifiers=identifiers)
    citation = cite(empty_list, instructor, "Teaching to Transgress", **meta)
    content_version = ReadingList.objects.get(pk=empty_list.pk).content_version

    summary = locate.locate_citations(reading_list=empty_list)

    assert summary.as_dict() == {
        "examined": 1,
        "linked": 1,
        "suggested": 0,
        "unmatched": 0,
    }
    stored = Citation.objects.get(pk=citation.pk)
    assert stored.catalog_record_id == record.pk
    assert stored.version == citation.version + 1
    match = CitationMatch.objects.get(citation=citation)
    kind = next(iter(identifiers))
    assert (match.record_id, match.state, match.method, match.score) == (
        record.pk,
        "confirmed",
        kind,
        100.0,
    )
    event = Event.objects.get(verb="citation.locate", target_id=citation.pk)
    assert event.list_id == empty_list.pk
    assert ReadingList.objects.get(pk=empty_list.pk).content_version > content_version


def test_an_invalid_identifier_is_not_looked_up(
    empty_list: ReadingList, instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_record(1, "Teaching", identifiers={"isbn": [HOOKS_ISBN]})
    monkeypatch.setattr(locate, "_search_candidates", lambda title: [])
    # Wrong check digit.
    cite(empty_list, instructor, "Teaching", ISBN="978-0-415-90808-4")

    summary = locate.locate_citations(reading_list=empty_list)

    assert (summary.linked, summary.unmatched) == (0, 1)


def test_an_identifier_several_records_share_is_suggested_not_linked(
    empty_list: ReadingList, instructor: User
) -> None:
    first = make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    second = make_record(
        2, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]}
    )
    citation = cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)

    summary = locate.locate_citations(reading_list=empty_list)

    assert (summary.linked, summary.suggested) == (0, 1)
    assert Citation.objects.get(pk=citation.pk).catalog_record_id is None
    matches = CitationMatch.objects.filter(citation=citation).order_by("record_id")
    assert [(m.record_id, m.state, m.method) for m in matches] == [
        (first.pk, "suggested", "isbn"),
        (second.pk, "suggested", "isbn"),
    ]


def test_an_identifier_only_one_record_has_wins_over_a_shared_one(
    empty_list: ReadingList, instructor: User
) -> None:
    make_record(1, "A", identifiers={"issn": ["0017-8055"]})
    only = make_record(
        2, "B", identifiers={"issn": ["0017-8055"], "isbn": [HOOKS_ISBN]}
    )
    citation = cite(empty_list, instructor, "B", ISBN=HOOKS_ISBN, ISSN="0017-8055")

    summary = locate.locate_citations(reading_list=empty_list)

    assert summary.linked == 1
    assert Citation.objects.get(pk=citation.pk).catalog_record_id == only.pk


def test_linked_citations_are_left_alone_and_a_rerun_adds_nothing(
    empty_list: ReadingList, instructor: User
) -> None:
    make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    make_record(2, "Shared", identifiers={"issn": ["0017-8055"]})
    make_record(3, "Shared too", identifiers={"issn": ["0017-8055"]})
    cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)
    cite(empty_list, instructor, "Shared", ISSN="0017-8055")
    locate.locate_citations(reading_list=empty_list)
    matches = CitationMatch.objects.count()
    events = Event.objects.count()

    again = locate.locate_citations(reading_list=empty_list)

    assert (again.examined, again.linked, again.suggested) == (1, 0, 1)
    assert CitationMatch.objects.count() == matches
    assert Event.objects.count() == events


def test_only_the_given_citations_or_list_are_examined(
    empty_list: ReadingList, instructor: User, course: Course
) -> None:
    make_record(1, "T", identifiers={"isbn": [HOOKS_ISBN]})
    mine = cite(empty_list, instructor, "T", ISBN=HOOKS_ISBN)
    other_list = make_list(owner=instructor, courses=[course], name="Other")
    theirs = cite(other_list, instructor, "T", ISBN=HOOKS_ISBN)

    summary = locate.locate_citations(citation_ids=[mine.pk])

    assert summary.examined == 1
    assert Citation.objects.get(pk=mine.pk).catalog_record_id is not None
    assert Citation.objects.get(pk=theirs.pk).catalog_record_id is None


def test_a_dry_run_counts_and_writes_nothing(
    empty_list: ReadingList, instructor: User
) -> None:
    make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)
    cite(empty_list, instructor, "Nothing like it", author=[{"family": "Nobody"}])
    events = Event.objects.count()

    summary = locate.locate_citations(reading_list=empty_list, dry_run=True)

    assert (summary.linked, summary.unmatched) == (1, 1)
    assert not CitationMatch.objects.exists()
    assert not Citation.objects.filter(catalog_record__isnull=False).exists()
    assert Event.objects.count() == events


def test_identifier_lookups_do_not_grow_with_the_batch(
    empty_list: ReadingList,
    instructor: User,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    """Per batch: the citations, their identifiers' records, their matches; nothing
    per citation when none matches (and no transaction when there is nothing to
    write). The run ends with one read that finds no more citations."""
    monkeypatch.setattr(locate, "_search_candidates", lambda title: [])
    make_record(1, "Unrelated", identifiers={"isbn": [HOOKS_ISBN]})
    for n in range(30):
        cite(
            empty_list, instructor, f"Book {n}", ISBN="0-00-000000-0", ISSN="0017-8055"
        )

    with django_assert_num_queries(3 + 1):
        summary = locate.locate_citations(reading_list=empty_list)
    assert summary.unmatched == 30
    # Batches of 10: three times the per-batch queries plus the empty read at the end.
    with django_assert_num_queries(3 * 3 + 1):
        locate.locate_citations(reading_list=empty_list, batch_size=10)


def test_linking_costs_one_update_a_citation_and_a_few_writes_a_batch(
    empty_list: ReadingList, instructor: User, django_assert_num_queries: Any
) -> None:
    """The reads as above; then in one transaction (savepoint and release here) a
    conditional UPDATE per citation, and for the batch the confirmed matches, the
    lists' content versions and the events, each in one statement."""
    make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    for n in range(12):
        cite(empty_list, instructor, f"Copy {n}", ISBN=HOOKS_ISBN)

    with django_assert_num_queries(3 + 2 + 12 + 3 + 1):
        summary = locate.locate_citations(reading_list=empty_list)

    assert summary.linked == 12
    assert Event.objects.filter(verb="citation.locate").count() == 12


# --- title and author ---------------------------------------------------------------


def test_a_close_title_and_author_is_suggested(
    empty_list: ReadingList, instructor: User
) -> None:
    record = make_record(
        1,
        "Teaching to transgress",
        subtitle="education as the practice of freedom",
        author="Hooks, Bell",
        year=1994,
    )
    make_record(2, "Teaching mathematics", author="Smith, Jane", year=2001)
    citation = cite(empty_list, instructor, "Teaching to Transgress")

    summary = locate.locate_citations(reading_list=empty_list)

    assert (summary.linked, summary.suggested, summary.unmatched) == (0, 1, 0)
    match = CitationMatch.objects.get(citation=citation)
    assert (match.record_id, match.method, match.state) == (
        record.pk,
        "title",
        "suggested",
    )
    assert match.score >= locate.DEFAULT_THRESHOLD
    assert Citation.objects.get(pk=citation.pk).catalog_record_id is None


def test_a_title_below_the_threshold_is_not_suggested(
    empty_list: ReadingList, instructor: User
) -> None:
    make_record(1, "Teaching community", author="Hooks, Bell", year=2003)
    citation = cite(empty_list, instructor, "Teaching to Transgress")

    summary = locate.locate_citations(reading_list=empty_list)

    assert (summary.suggested, summary.unmatched) == (0, 1)
    assert not CitationMatch.objects.filter(citation=citation).exists()


def test_the_threshold_decides(empty_list: ReadingList, instructor: User) -> None:
    record = make_record(1, "Teaching to transgress", author="Hooks, Bell", year=1994)
    citation = cite(empty_list, instructor, "Teaching to Transgress")
    score = locate.similarity(citation.metadata, record)

    above = locate.locate_citations(reading_list=empty_list, threshold=score + 0.1)
    assert (above.suggested, above.unmatched) == (0, 1)
    at = locate.locate_citations(reading_list=empty_list, threshold=score)
    assert (at.suggested, at.unmatched) == (1, 0)


def test_a_rejected_record_is_never_suggested_again(
    empty_list: ReadingList, instructor: User, librarian: User
) -> None:
    make_record(1, "Teaching to transgress", author="Hooks, Bell", year=1994)
    citation = cite(empty_list, instructor, "Teaching to Transgress")
    locate.locate_citations(reading_list=empty_list)
    match = CitationMatch.objects.get(citation=citation)
    locate.match_reject(actor=librarian, match=match, expected_version=citation.version)

    again = locate.locate_citations(reading_list=empty_list)

    assert (again.suggested, again.unmatched) == (0, 1)
    assert list(CitationMatch.objects.values_list("state", flat=True)) == ["rejected"]


def test_an_unlinked_identifier_match_is_not_linked_again(
    empty_list: ReadingList, instructor: User, librarian: User
) -> None:
    make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    citation = cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)
    locate.locate_citations(reading_list=empty_list)
    citation.refresh_from_db()
    locate.citation_unlink(
        actor=librarian, citation=citation, expected_version=citation.version
    )

    again = locate.locate_citations(reading_list=empty_list)

    assert again.linked == 0
    assert Citation.objects.get(pk=citation.pk).catalog_record_id is None
    assert Event.objects.filter(verb="citation.unlink").count() == 1


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        # Same title, author and year.
        (book("Teaching to Transgress"), "high"),
        # Another author altogether.
        (
            book("Teaching to Transgress", author=[{"family": "Zimmermann"}]),
            "low",
        ),
        # No author on the citation: the title alone, discounted.
        (book("Teaching to Transgress", author=[]), "middle"),
        # Another edition years later.
        (book("Teaching to Transgress", issued={"date-parts": [[2014]]}), "middle"),
    ],
)
def test_similarity(metadata: dict[str, Any], expected: str) -> None:
    record = Record(
        title="Teaching to transgress :",
        subtitle="education as the practice of freedom /",
        author="Hooks, Bell, 1952-2021",
        contributors=[{"name": "Hooks, Bell, 1952-2021", "role": "author"}],
        year=1994,
    )
    score = locate.similarity(metadata, record)
    low, high = {"high": (95, 100), "middle": (80, 95), "low": (0, 80)}[expected]
    assert low <= score <= high, score


@pytest.mark.parametrize(
    "author",
    [
        [{"literal": "Intergovernmental Panel on Climate Change"}],
        [{"family": "Intergovernmental Panel on Climate Change"}],
        [{"literal": "IPCC Intergovernmental Panel on Climate Change"}],
    ],
    ids=["literal", "family-only", "literal-longer"],
)
def test_an_organisation_as_author_is_compared_whole(author: list[Any]) -> None:
    record = Record(
        title="Climate change 2021",
        author="Intergovernmental Panel on Climate Change",
        contributors=[
            {"name": "Intergovernmental Panel on Climate Change", "role": "author"}
        ],
        year=2021,
    )
    metadata = book("Climate Change 2021", author=author)
    metadata["issued"] = {"date-parts": [[2021]]}
    assert locate.similarity(metadata, record) >= 95


def test_identifiers_are_read_from_every_field() -> None:
    metadata = {
        "ISBN": "0-415-90808-6, 978-0-415-90808-5",
        "ISSN": ["0017-8055"],
        "DOI": "doi:10.1000/XYZ",
        "lectio": {"OCLC": "ocn12345", "LCCN": "not an lccn!"},
    }
    assert locate.citation_identifiers(metadata) == [
        ("isbn", HOOKS_ISBN),
        ("issn", "0017-8055"),
        ("doi", "10.1000/xyz"),
        ("oclc", "12345"),
    ]


# --- a librarian's decisions --------------------------------------------------------


@pytest.fixture
def suggestion(empty_list: ReadingList, instructor: User) -> CitationMatch:
    record = make_record(1, "Teaching to transgress", author="Hooks, Bell", year=1994)
    citation = cite(empty_list, instructor, "Teaching to Transgress")
    return CitationMatch.objects.create(
        citation=citation, record=record, method="title", score=90.0
    )


def test_confirm_links_the_citation(suggestion: CitationMatch, librarian: User) -> None:
    citation = suggestion.citation
    list_version = ReadingList.objects.get(pk=citation.reading_list_id).content_version

    locate.match_confirm(
        actor=librarian, match=suggestion, expected_version=citation.version
    )

    stored = Citation.objects.get(pk=citation.pk)
    assert stored.catalog_record_id == suggestion.record_id
    assert stored.version == citation.version + 1
    match = CitationMatch.objects.get(pk=suggestion.pk)
    assert (match.state, match.decided_by) == ("confirmed", librarian)
    assert match.decided_at is not None
    event = Event.objects.get(verb="citation.locate")
    assert (event.actor, event.target_id) == (librarian, citation.pk)
    reading_list = ReadingList.objects.get(pk=citation.reading_list_id)
    assert reading_list.content_version > list_version


def test_confirm_of_a_changed_citation_is_stale(
    suggestion: CitationMatch, librarian: User, instructor: User
) -> None:
    citation = suggestion.citation
    seen = citation.version
    Citation.objects.filter(pk=citation.pk).update(version=seen + 1)

    with pytest.raises(StaleVersion):
        locate.match_confirm(actor=librarian, match=suggestion, expected_version=seen)
    with pytest.raises(StaleVersion):
        locate.match_reject(actor=librarian, match=suggestion, expected_version=seen)

    assert Citation.objects.get(pk=citation.pk).catalog_record_id is None
    assert CitationMatch.objects.get(pk=suggestion.pk).state == "suggested"
    assert not Event.objects.filter(verb__startswith="citation.locate").exists()


def test_a_decided_match_cannot_be_decided_again(
    suggestion: CitationMatch, librarian: User
) -> None:
    version = suggestion.citation.version
    locate.match_reject(actor=librarian, match=suggestion, expected_version=version)

    with pytest.raises(ServiceError):
        locate.match_confirm(
            actor=librarian, match=suggestion, expected_version=version
        )
    with pytest.raises(ServiceError):
        locate.match_reject(actor=librarian, match=suggestion, expected_version=version)
    assert Citation.objects.get(pk=suggestion.citation_id).catalog_record_id is None


def test_confirm_refuses_a_citation_linked_meanwhile(
    suggestion: CitationMatch, librarian: User
) -> None:
    other = make_record(9, "Other")
    Citation.objects.filter(pk=suggestion.citation_id).update(catalog_record=other)

    with pytest.raises(ServiceError):
        locate.match_confirm(actor=librarian, match=suggestion)
    assert Citation.objects.get(pk=suggestion.citation_id).catalog_record == other


def test_unlink_needs_a_link(suggestion: CitationMatch, librarian: User) -> None:
    with pytest.raises(ServiceError):
        locate.citation_unlink(actor=librarian, citation=suggestion.citation)


# --- the pages ----------------------------------------------------------------------


def _queue(client: Client, **params: Any) -> Any:
    return client.get(reverse("lists:locate"), params)


def test_the_queue_shows_suggestions_with_their_record(
    suggestion: CitationMatch, client: Client, librarian: User
) -> None:
    Record.objects.filter(pk=suggestion.record_id).update(
        isbns=[HOOKS_ISBN], publisher="Routledge"
    )
    client.force_login(librarian)

    response = _queue(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Teaching to Transgress" in html
    assert "Teaching to transgress" in html
    assert f"ISBN {HOOKS_ISBN}" in html and "Routledge" in html and "1994" in html
    assert "90 / 100" in html
    assert f'name="version" value="{suggestion.citation.version}"' in html


def test_the_queue_filters_by_list_and_pages(
    suggestion: CitationMatch,
    client: Client,
    librarian: User,
    instructor: User,
    course: Course,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lectio.lists.views import locate as views

    other = make_list(owner=instructor, courses=[course], name="Second list")
    record = Record.objects.get(pk=suggestion.record_id)
    for n in range(3):
        citation = cite(other, instructor, f"Other {n}")
        CitationMatch.objects.create(
            citation=citation, record=record, method="title", score=80 + n
        )
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(librarian)

    first = _queue(client).content.decode()
    assert "Page 1 of 2 (4 suggestions)" in first
    assert "Teaching to Transgress" in first  # the best score first
    second = _queue(client, page=2).content.decode()
    assert "Other 0" in second and "Other 2" not in second
    assert "Page 2 of 2" in _queue(client, page=99).content.decode()
    only = _queue(client, list=suggestion.citation.reading_list_id).content.decode()
    assert "(1 suggestion)" in only and "Other" not in only
    fragment = client.get(
        reverse("lists:locate"), {"list": other.pk}, HTTP_HX_REQUEST="true"
    )
    assert b'id="results"' in fragment.content and b"<html" not in fragment.content


def test_the_queue_costs_the_same_for_many_suggestions(
    suggestion: CitationMatch,
    client: Client,
    librarian: User,
    instructor: User,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(librarian)
    _queue(client)
    # Session, user, count, the page with citations/lists/records, lists to filter.
    with django_assert_num_queries(5):
        _queue(client)
    record = Record.objects.get(pk=suggestion.record_id)
    reading_list = suggestion.citation.reading_list
    for n in range(20):
        citation = cite(reading_list, instructor, f"More {n}")
        CitationMatch.objects.create(
            citation=citation, record=record, method="title", score=85
        )
    with django_assert_num_queries(5):
        _queue(client)


def test_a_librarian_confirms_from_the_queue(
    suggestion: CitationMatch, client: Client, librarian: User
) -> None:
    client.force_login(librarian)
    url = reverse("lists:locate_decide", args=[suggestion.pk])

    response = client.post(
        url,
        {
            "decision": "confirm",
            "version": suggestion.citation.version,
            "next": "/library/locate/?list=1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/library/locate/?list=1"
    citation = Citation.objects.get(pk=suggestion.citation_id)
    assert citation.catalog_record_id == suggestion.record_id


def test_a_stale_confirm_changes_nothing_and_says_why(
    suggestion: CitationMatch, client: Client, librarian: User
) -> None:
    client.force_login(librarian)
    Citation.objects.filter(pk=suggestion.citation_id).update(version=99)

    response = client.post(
        reverse("lists:locate_decide", args=[suggestion.pk]),
        {"decision": "confirm", "version": suggestion.citation.version},
        follow=True,
    )

    assert "Someone else changed this" in response.content.decode()
    assert Citation.objects.get(pk=suggestion.citation_id).catalog_record_id is None


@pytest.mark.parametrize(
    "data",
    [{"decision": "maybe", "version": "1"}, {"decision": "confirm"}, {}],
    ids=["unknown-decision", "no-version", "nothing"],
)
def test_bad_decisions_are_refused(
    data: dict[str, str], suggestion: CitationMatch, client: Client, librarian: User
) -> None:
    client.force_login(librarian)
    url = reverse("lists:locate_decide", args=[suggestion.pk])

    page = client.post(url, data, follow=True)
    row = client.post(url, data, HTTP_HX_REQUEST="true")

    assert page.redirect_chain == [(reverse("lists:locate"), 302)]
    assert (
        b"Choose to confirm or to reject" in page.content or b"missing" in page.content
    )
    # htmx swaps only a 200: the row comes back with the refusal in it.
    assert (row.status_code, row["X-Refused"]) == (200, "400")
    assert b'role="alert"' in row.content
    assert CitationMatch.objects.get(pk=suggestion.pk).state == "suggested"


def test_htmx_confirm_of_a_citation_linked_meanwhile_says_so_in_the_row(
    suggestion: CitationMatch, client: Client, librarian: User
) -> None:
    client.force_login(librarian)
    other = make_record(9, "Other")
    Citation.objects.filter(pk=suggestion.citation_id).update(catalog_record=other)

    row = client.post(
        reverse("lists:locate_decide", args=[suggestion.pk]),
        {"decision": "confirm", "version": suggestion.citation.version},
        HTTP_HX_REQUEST="true",
    )

    assert (row.status_code, row["X-Refused"]) == (200, "409")
    html = row.content.decode()
    assert "linked to a catalog record already" in html
    assert 'value="confirm"' not in html


def test_htmx_reject_answers_with_the_row(
    suggestion: CitationMatch, client: Client, librarian: User
) -> None:
    client.force_login(librarian)

    response = client.post(
        reverse("lists:locate_decide", args=[suggestion.pk]),
        {"decision": "reject", "version": suggestion.citation.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="m{suggestion.pk}">')
    assert "will not be suggested again" in html
    assert CitationMatch.objects.get(pk=suggestion.pk).state == "rejected"


def test_an_unknown_match_is_404(client: Client, librarian: User) -> None:
    client.force_login(librarian)
    response = client.post(
        reverse("lists:locate_decide", args=[987654]),
        {"decision": "confirm", "version": "1"},
    )
    assert response.status_code == 404


def test_locate_items_runs_the_task_for_the_list(
    empty_list: ReadingList,
    instructor: User,
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    record = make_record(
        1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]}
    )
    citation = cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)
    client.force_login(instructor)
    editor = client.get(reverse("lists:detail", args=[empty_list.pk])).content
    assert reverse("lists:locate_list", args=[empty_list.pk]).encode() in editor

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("lists:locate_list", args=[empty_list.pk]))

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert Citation.objects.get(pk=citation.pk).catalog_record_id == record.pk


def test_sending_a_list_to_the_library_locates_its_items(
    empty_list: ReadingList,
    instructor: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from lectio.lists import services

    settings.TASKS = IMMEDIATE_TASKS
    record = make_record(
        1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]}
    )
    citation = cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)

    with django_capture_on_commit_callbacks(execute=True):
        services.reading_list_send_to_library(actor=instructor, reading_list=empty_list)

    assert Citation.objects.get(pk=citation.pk).catalog_record_id == record.pk


def test_the_task_answers_with_the_counts(
    empty_list: ReadingList, instructor: User, settings: Any
) -> None:
    from lectio.lists.tasks import locate_list

    settings.TASKS = IMMEDIATE_TASKS
    make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)

    result = locate_list.enqueue(empty_list.pk)

    assert result.return_value == {
        "examined": 1,
        "linked": 1,
        "suggested": 0,
        "unmatched": 0,
    }
    assert locate_list.enqueue(987654).return_value == {}


# --- the command --------------------------------------------------------------------


def _run(*args: str) -> str:
    out = StringIO()
    call_command("locate", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_counts(
    empty_list: ReadingList, instructor: User
) -> None:
    make_record(1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]})
    make_record(2, "Pedagogy of the oppressed", author="Freire, Paulo", year=1970)
    cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)
    cite(
        empty_list,
        instructor,
        "Pedagogy of the Oppressed",
        author=[{"family": "Freire", "given": "Paulo"}],
        issued={"date-parts": [[1970]]},
    )
    cite(empty_list, instructor, "Unheard of", author=[{"family": "Nobody"}])

    dry = _run("--list", empty_list.code, "--dry-run")
    assert dry == (
        "Dry run, nothing changed: 3 citations without a catalog record: "
        "1 would be linked, 1 would be suggested, 1 unmatched.\n"
    )
    assert not CitationMatch.objects.exists()
    assert _run("--list", empty_list.code) == (
        "3 citations without a catalog record: 1 linked, 1 suggested, 1 unmatched.\n"
    )
    assert _run("--threshold", "100") == (
        "2 citations without a catalog record: 0 linked, 1 suggested, 1 unmatched.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--list", "NOPE"), "There is no list NOPE."),
        (("--threshold", "101"), "--threshold is a score from 0 to 100."),
    ],
)
def test_the_command_refuses_bad_arguments(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_an_editor_removes_a_wrong_link_from_the_citation_page(
    empty_list: ReadingList, instructor: User, client: Client
) -> None:
    record = make_record(
        1, "Teaching to Transgress", identifiers={"isbn": [HOOKS_ISBN]}
    )
    citation = cite(empty_list, instructor, "Teaching to Transgress", ISBN=HOOKS_ISBN)
    locate.locate_citations(reading_list=empty_list)
    citation.refresh_from_db()
    client.force_login(instructor)
    page = client.get(reverse("lists:citation_detail", args=[citation.pk]))
    assert b"Not this record: remove the link" in page.content
    url = reverse("lists:citation_unlink", args=[citation.pk])

    stale = client.post(url, {"version": citation.version - 1}, follow=True)
    missing = client.post(url, {}, follow=True)
    assert b"Someone else changed this" in stale.content
    assert b"missing the item" in missing.content
    assert Citation.objects.get(pk=citation.pk).catalog_record_id == record.pk

    done = client.post(url, {"version": citation.version}, follow=True)
    assert b"no longer linked" in done.content
    assert Citation.objects.get(pk=citation.pk).catalog_record_id is None
    assert locate.locate_citations(reading_list=empty_list).linked == 0
