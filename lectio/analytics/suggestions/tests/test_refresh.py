"""Counting co-citations and similar records, what counts, and the refreshes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from lectio.analytics.suggestions.models import CoCitation, ListState, Work
from lectio.analytics.suggestions.refresh import (
    pending_list_ids,
    refresh_all,
    refresh_pending,
)
from lectio.analytics.suggestions.selectors import (
    citation_suggestions,
    list_suggestions,
)
from lectio.analytics.suggestions.tests.conftest import (
    A,
    B,
    World,
    X,
    cite,
)
from lectio.catalog.models import Record
from lectio.lists import services
from lectio.lists.statuses import PublicationStatus, Visibility

pytestmark = pytest.mark.django_db


def titles(found: list) -> list[tuple[str, int | None, int | None]]:
    return [(s.title, s.lists, s.courses) for s in found]


def test_citations_of_one_title_are_one_work(world: World) -> None:
    refresh_all()

    age = Work.objects.get(key="i:9780679772538")
    # ours, l1 (cited by its ISBN-10 and another title form) and l2; not the draft.
    assert age.list_count == 3
    assert age.aliases.filter(alias__startswith="t:").count() == 2


def test_a_title_often_cited_with_the_lists_items_is_suggested(world: World) -> None:
    refresh_all()

    found = list_suggestions(reading_list=world.ours, as_reader=True)

    assert titles(found.cocited) == [("The age of capital", 2, 2)]
    assert found.cocited[0].explanation == (
        "On 2 other lists (2 courses) with “The age of revolution”"
    )


def test_pairs_on_fewer_lists_than_the_minimum_are_not_suggested(
    world: World, settings: object
) -> None:
    settings.LECTIO_SUGGESTIONS_MIN_LISTS = 1  # type: ignore[attr-defined]
    refresh_all()

    found = list_suggestions(reading_list=world.ours, as_reader=True)

    assert titles(found.cocited) == [
        ("The age of capital", 2, 2),
        ("Inventing human rights", 1, 1),
        ("Secret draft reading", 1, 1),
    ]
    # Y is on l1 with A and on l3 with B: each pair once.
    assert "and with 1 more item of this list" in found.cocited[1].explanation


def test_draft_lists_and_hidden_sections_count_for_nothing(world: World) -> None:
    refresh_all()

    counted = set(CoCitation.objects.values_list("work__title", "other__title"))
    # Z is on l2 with A and on the draft with A: once, not twice.
    z = CoCitation.objects.filter(other__title="Secret draft reading")
    assert not z.exists()
    assert not Work.objects.filter(title="Hidden section reading").exists()
    assert ("The age of revolution", "The age of capital") in counted


def test_what_the_list_has_is_never_suggested(world: World, instructor) -> None:
    refresh_all()
    cite(world.ours, instructor, X)

    # At once: the list's own items are read live, not from the last refresh.
    assert list_suggestions(reading_list=world.ours, as_reader=False).cocited == []


def test_publishing_a_list_counts_it_after_the_pending_refresh(
    world: World, librarian
) -> None:
    refresh_all()
    assert pending_list_ids() == []

    services.reading_list_publish(
        actor=librarian, reading_list=world.draft, visibility=Visibility.COURSE
    )

    assert pending_list_ids() == [world.draft.pk]
    assert ListState.objects.get(pk=world.draft.pk).pending
    summary = refresh_pending()
    assert summary.lists == 1
    assert pending_list_ids() == []
    found = list_suggestions(reading_list=world.ours, as_reader=True)
    assert ("Secret draft reading", 2, 2) in titles(found.cocited)


def test_an_unpublished_list_stops_counting_after_the_refresh(
    world: World, librarian
) -> None:
    refresh_all()
    services.reading_list_set_publication(
        actor=librarian,
        reading_list=world.l2,
        publication_status=PublicationStatus.DRAFT,
    )

    refresh_pending()

    assert list_suggestions(reading_list=world.ours, as_reader=True).cocited == []


def test_a_deleted_citation_is_taken_out_by_the_pending_refresh(
    world: World, librarian
) -> None:
    refresh_all()
    citation = world.l1.citations.get(title="The age of capital")

    services.citation_delete(actor=librarian, citation=citation)
    assert pending_list_ids() == [world.l1.pk]
    refresh_pending()

    assert list_suggestions(reading_list=world.ours, as_reader=True).cocited == []


def test_the_pending_refresh_gives_what_a_full_refresh_gives(
    world: World, librarian, instructor
) -> None:
    refresh_all()
    cite(world.l3, librarian, X, A)
    services.reading_list_publish(
        actor=librarian, reading_list=world.draft, visibility=Visibility.COURSE
    )
    refresh_pending()
    pending = sorted(
        CoCitation.objects.values_list(
            "work__title", "other__title", "lists", "courses", "rank"
        )
    )

    refresh_all()

    assert pending == sorted(
        CoCitation.objects.values_list(
            "work__title", "other__title", "lists", "courses", "rank"
        )
    )


def test_a_readers_suggestions_start_only_from_items_they_see(
    world: World, instructor
) -> None:
    # An item still with the library: readers do not see it on the list.
    cite_in_process = world.ours.citations.get(title="The age of revolution")
    type(cite_in_process).objects.filter(pk=cite_in_process.pk).update(
        status="InProcess"
    )
    refresh_all()

    assert list_suggestions(reading_list=world.ours, as_reader=True).cocited == []
    assert titles(
        list_suggestions(reading_list=world.ours, as_reader=False).cocited
    ) == [("The age of capital", 2, 2)]
    assert citation_suggestions(citation=cite_in_process, as_reader=True).all() == []


def make_record(title: str, subjects: list[str], n: int) -> Record:
    return Record.objects.create(
        control_number=f"sg-{n}", title=title, subjects=subjects
    )


def test_records_alike_in_subject_are_suggested_with_the_shared_headings(
    world: World, instructor
) -> None:
    nationalism = ["Nationalism -- History.", "Nation-state"]
    anchor = make_record("Imagined communities", nationalism, 1)
    like = make_record("Nations and nationalism since 1780", nationalism, 2)
    make_record("Molecular biology of the cell", ["Cytology"], 3)
    make_record("Nations and nationalism", ["Cookery"], 4)
    citation = world.ours.citations.get(title="Imagined communities")
    type(citation).objects.filter(pk=citation.pk).update(catalog_record=anchor)
    refresh_all()

    found = citation_suggestions(citation=citation, as_reader=True)

    assert [(s.title, s.record_id) for s in found.similar] == [
        ("Nations and nationalism since 1780", like.pk)
    ]
    assert found.similar[0].explanation == (
        "Like “Imagined communities” in subject: Nation-state; Nationalism -- History"
    )


def test_a_record_the_list_has_is_not_suggested_as_similar(
    world: World, instructor
) -> None:
    subjects = ["Revolutions -- Europe"]
    anchor = make_record("The age of revolution", subjects, 1)
    like = make_record("Revolutions in Europe", subjects, 2)
    for title, record in (
        ("The age of revolution", anchor),
        ("Imagined communities", like),
    ):
        c = world.ours.citations.get(title=title)
        type(c).objects.filter(pk=c.pk).update(catalog_record=record)
    refresh_all()

    assert list_suggestions(reading_list=world.ours, as_reader=False).similar == []


def test_the_command_refreshes_all_or_the_pending_lists(
    world: World, librarian
) -> None:
    out = io.StringIO()
    call_command("suggestions_refresh", stdout=out)
    assert out.getvalue().startswith("Counted 5 list(s): ")
    assert CoCitation.objects.exists()

    services.reading_list_publish(
        actor=librarian, reading_list=world.draft, visibility=Visibility.COURSE
    )
    out = io.StringIO()
    call_command("suggestions_refresh", "--pending", stdout=out)

    assert out.getvalue().startswith("Counted 1 changed list(s) again: ")
    assert pending_list_ids() == []


def test_a_change_queues_the_pending_refresh_once_a_transaction(
    world: World, librarian
) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from lectio.analytics.suggestions.refresh import _enqueue_refresh

    refresh_all()
    cite(world.l1, librarian, B)
    cite(world.l2, librarian, B)

    # The test runs in one transaction: whatever it changed queues one refresh.
    queued = [
        entry
        for entry in transaction.get_connection().run_on_commit
        if entry[1] is _enqueue_refresh
    ]
    assert len(queued) == 1
    before = DBTaskResult.objects.count()
    queued[0][1]()
    assert DBTaskResult.objects.count() == before + 1
    assert set(pending_list_ids()) == {world.l1.pk, world.l2.pk}
