"""The list services: every write to lists, sections and citations.

`reading_list` (conftest) is a draft of the course LIT101 made by `instructor`:
"Resources" (default, position 0) holds "Close Reading, Explained" (Complete) and
"On Anthologies" (InProcess); "Week 1" (position 1) holds "The Canon and Its Critics"
(Complete) and "Reading Against the Grain" (BeingPrepared).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from lectio.core.concurrency import StaleVersion
from lectio.core.factories import add_citation, article, book, make_list
from lectio.core.models import Event
from lectio.core.statemachine import InvalidTransition
from lectio.lists import services
from lectio.lists.models import (
    Citation,
    CitationInteraction,
    Collaborator,
    ReadingList,
    Section,
)
from lectio.lists.services import ServiceError
from lectio.lists.statuses import (
    CitationStatus,
    ListStatus,
    MaterialAccess,
    PublicationStatus,
    Visibility,
)

pytestmark = pytest.mark.django_db


# --- helpers -----------------------------------------------------------------------


def verbs(reading_list: ReadingList) -> list[str]:
    return list(
        Event.objects.filter(list_id=reading_list.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


def last_event(reading_list: ReadingList) -> Event:
    return Event.objects.filter(list_id=reading_list.pk).order_by("-id").first()


def layout(reading_list: ReadingList) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(section, position, [(citation title, position)...]) in display order."""
    return [
        (
            section.name,
            section.position,
            list(
                section.citations.order_by("position", "id").values_list(
                    "title", "position"
                )
            ),
        )
        for section in reading_list.sections.order_by("position", "id")
    ]


def state(reading_list: ReadingList) -> dict[str, Any]:
    """Everything a refused action must leave as it was."""
    return {
        "list": ReadingList.objects.filter(pk=reading_list.pk).values().first(),
        "sections": list(
            Section.objects.filter(reading_list=reading_list).order_by("id").values()
        ),
        "citations": list(
            Citation.objects.filter(reading_list=reading_list).order_by("id").values()
        ),
        "tags": list(
            Citation.tags.through.objects.filter(citation__reading_list=reading_list)
            .order_by("id")
            .values_list("citation_id", "tag_id")
        ),
        "collaborators": list(
            Collaborator.objects.filter(reading_list=reading_list)
            .order_by("id")
            .values_list("user_id", "right")
        ),
        "events": Event.objects.count(),
        "lists": ReadingList.objects.count(),
    }


def citation(reading_list: ReadingList, title: str) -> Citation:
    return Citation.objects.get(reading_list=reading_list, title=title)


def section(reading_list: ReadingList, name: str) -> Section:
    return Section.objects.get(reading_list=reading_list, name=name)


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


# --- create ------------------------------------------------------------------------


def test_create_makes_a_draft_with_default_section_and_owner(instructor, course):
    reading_list = services.reading_list_create(
        actor=instructor,
        name="  Week one reading  ",
        description="Start here.",
        course_ids=[course.pk],
    )

    stored = fresh(reading_list)
    assert stored.name == "Week one reading"
    assert stored.description == "Start here."
    assert re.fullmatch(r"RL-[0-9A-F]{8}", stored.code)
    assert stored.status == ListStatus.BEING_PREPARED
    assert stored.publication_status == PublicationStatus.DRAFT
    assert stored.visibility == Visibility.COURSE
    assert stored.version == 1
    assert stored.created_by == instructor
    assert stored.processing_department == course.processing_department
    assert list(stored.courses.all()) == [course]
    assert list(
        stored.sections.values_list("name", "position", "is_default", "version")
    ) == [("Resources", 0, True, 1)]
    assert list(stored.collaborators.values_list("user", "right")) == [
        (instructor.pk, "owner")
    ]


def test_create_writes_an_event(instructor, course):
    reading_list = services.reading_list_create(
        actor=instructor, name="Week one reading", course_ids=[course.pk]
    )

    event = Event.objects.get(list_id=reading_list.pk)
    assert event.verb == "list.create"
    assert event.actor == instructor
    assert (event.target_type, event.target_id) == ("list", reading_list.pk)
    assert event.summary == "Created the list “Week one reading”"
    assert event.params == {"courses": ["LIT101"]}


def test_create_keeps_a_given_code(instructor):
    reading_list = services.reading_list_create(
        actor=instructor, name="Coded", code=" LIT101-2026 "
    )

    assert reading_list.code == "LIT101-2026"
    assert list(reading_list.courses.all()) == []


def test_create_refuses_a_code_in_use(instructor):
    services.reading_list_create(actor=instructor, name="First", code="SAME")
    events = Event.objects.count()

    with pytest.raises(ServiceError, match="A list with the code SAME exists already."):
        services.reading_list_create(actor=instructor, name="Second", code="SAME")

    assert list(ReadingList.objects.values_list("name", flat=True)) == ["First"]
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "   "}, "A list needs a name."),
        ({"name": "Ok", "course_ids": [987654]}, "One of the courses does not exist."),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(instructor, kwargs, message):
    with pytest.raises(ServiceError, match=re.escape(message)):
        services.reading_list_create(actor=instructor, **kwargs)

    assert ReadingList.objects.count() == 0
    assert Section.objects.count() == 0
    assert Collaborator.objects.count() == 0
    assert Event.objects.count() == 0


# --- update ------------------------------------------------------------------------


def test_update_writes_details_and_bumps_versions(reading_list, instructor):
    content_version = reading_list.content_version

    services.reading_list_update(
        actor=instructor,
        reading_list=reading_list,
        expected_version=reading_list.version,
        name="Renamed",
        description="New description",
        due_back_date=datetime.date(2027, 1, 15),
    )

    stored = fresh(reading_list)
    assert (stored.name, stored.description) == ("Renamed", "New description")
    assert stored.due_back_date == datetime.date(2027, 1, 15)
    assert stored.version == reading_list.version == 2
    assert stored.content_version == content_version + 1
    event = last_event(reading_list)
    assert event.verb == "list.update"
    assert event.params == {
        "before": {"name": "Reading the Canon: core reading", "description": ""},
        "after": {"name": "Renamed", "description": "New description"},
    }


def test_update_sets_courses_when_given(reading_list, instructor, other_course):
    services.reading_list_update(
        actor=instructor,
        reading_list=reading_list,
        expected_version=1,
        name=reading_list.name,
        course_ids=[other_course.pk],
    )

    assert list(fresh(reading_list).courses.all()) == [other_course]


def test_update_with_stale_version_is_refused_and_changes_nothing(
    reading_list, instructor, librarian
):
    first_browser = fresh(reading_list)
    second_browser = fresh(reading_list)
    services.reading_list_update(
        actor=librarian,
        reading_list=first_browser,
        expected_version=1,
        name="Saved first",
    )
    before = state(reading_list)

    with pytest.raises(StaleVersion) as info:
        services.reading_list_update(
            actor=instructor,
            reading_list=second_browser,
            expected_version=1,
            name="Saved second",
            course_ids=[],
        )

    assert info.value.current_version == 2
    assert state(reading_list) == before
    assert fresh(reading_list).name == "Saved first"
    assert list(fresh(reading_list).courses.values_list("code", flat=True)) == [
        "LIT101"
    ]


def test_update_refuses_a_blank_name(reading_list, instructor):
    before = state(reading_list)

    with pytest.raises(ServiceError, match="A list needs a name."):
        services.reading_list_update(
            actor=instructor, reading_list=reading_list, expected_version=1, name=" "
        )

    assert state(reading_list) == before


# --- send to the library and list status --------------------------------------------


def test_send_to_library_hands_over_list_and_items_being_prepared(
    reading_list, instructor
):
    versions = dict(Citation.objects.values_list("title", "version"))
    started = timezone.now()

    result = services.reading_list_send_to_library(
        actor=instructor, reading_list=reading_list
    )

    stored = fresh(reading_list)
    assert stored.status == result.status == ListStatus.READY_FOR_PROCESSING
    assert stored.sent_to_library_by == instructor
    assert started <= stored.sent_to_library_at <= timezone.now()
    assert stored.version == 2
    assert dict(Citation.objects.values_list("title", "status")) == {
        "The Canon and Its Critics": CitationStatus.COMPLETE,
        "Reading Against the Grain": CitationStatus.READY_FOR_PROCESSING,
        "Close Reading, Explained": CitationStatus.COMPLETE,
        "On Anthologies": CitationStatus.IN_PROCESS,
    }
    assert dict(Citation.objects.values_list("title", "version")) == {
        **versions,
        "Reading Against the Grain": versions["Reading Against the Grain"] + 1,
    }


def test_send_to_library_writes_status_and_send_events(reading_list, instructor):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)

    status_event, send_event = Event.objects.filter(list_id=reading_list.pk).order_by(
        "id"
    )[len(verbs(reading_list)) - 2 :]
    assert status_event.verb == "list.status"
    assert status_event.params == {"from": "BeingPrepared", "to": "ReadyForProcessing"}
    assert status_event.summary == (
        "Status changed from Being prepared to Ready for processing"
    )
    assert send_event.verb == "list.send"
    assert send_event.actor == instructor
    assert send_event.params == {"citations": 1}
    assert send_event.summary == (
        "Sent the list to the library (1 items ready for processing)"
    )


def test_sending_a_list_already_with_the_library_is_refused(reading_list, instructor):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    before = state(reading_list)

    with pytest.raises(InvalidTransition) as info:
        services.reading_list_send_to_library(
            actor=instructor, reading_list=reading_list
        )

    assert info.value.current == ListStatus.READY_FOR_PROCESSING
    assert state(reading_list) == before


def test_library_processes_a_list_to_complete(reading_list, instructor, librarian):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)

    for status in (ListStatus.BEING_PROCESSED, ListStatus.COMPLETE):
        services.reading_list_set_status(
            actor=librarian, reading_list=reading_list, status=status
        )

    assert fresh(reading_list).status == ListStatus.COMPLETE
    assert fresh(reading_list).version == 4
    assert verbs(reading_list)[-2:] == ["list.status", "list.status"]
    assert last_event(reading_list).params == {
        "from": "BeingProcessed",
        "to": "Complete",
    }


def test_a_complete_list_may_be_sent_again(reading_list, instructor, librarian):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    for status in (ListStatus.BEING_PROCESSED, ListStatus.COMPLETE):
        services.reading_list_set_status(
            actor=librarian, reading_list=reading_list, status=status
        )

    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)

    assert fresh(reading_list).status == ListStatus.READY_FOR_PROCESSING


def test_refused_list_status_change_changes_nothing(reading_list, librarian):
    before = state(reading_list)

    with pytest.raises(InvalidTransition) as info:
        services.reading_list_set_status(
            actor=librarian, reading_list=reading_list, status=ListStatus.COMPLETE
        )

    assert str(info.value) == (
        "Cannot change list status from Being prepared to Complete; "
        "allowed: Inactive, Ready for processing."
    )
    assert state(reading_list) == before


def test_any_list_may_be_made_inactive(reading_list, librarian):
    services.reading_list_set_status(
        actor=librarian, reading_list=reading_list, status=ListStatus.INACTIVE
    )

    assert fresh(reading_list).status == ListStatus.INACTIVE


# --- publication ---------------------------------------------------------------------


def test_publish_sets_visibility_material_access_and_time(reading_list, instructor):
    content_version = reading_list.content_version
    started = timezone.now()

    services.reading_list_publish(
        actor=instructor,
        reading_list=reading_list,
        visibility=Visibility.PUBLIC,
        material_access=MaterialAccess.COURSE,
    )

    stored = fresh(reading_list)
    assert stored.publication_status == PublicationStatus.PUBLISHED
    assert stored.visibility == Visibility.PUBLIC
    assert stored.material_access == MaterialAccess.COURSE
    assert started <= stored.published_at <= timezone.now()
    assert stored.version == 2
    assert stored.content_version == content_version + 1
    event = last_event(reading_list)
    assert event.verb == "list.publish"
    assert event.summary == "Published the list, visible to: Anyone with the link"
    assert event.params == {"visibility": "public", "material_access": "course"}


def test_publishing_a_published_list_again_changes_its_visibility(
    reading_list, instructor
):
    services.reading_list_publish(
        actor=instructor, reading_list=reading_list, visibility=Visibility.COURSE
    )

    services.reading_list_publish(
        actor=instructor, reading_list=reading_list, visibility=Visibility.INSTITUTION
    )

    stored = fresh(reading_list)
    assert stored.publication_status == PublicationStatus.PUBLISHED
    assert stored.visibility == Visibility.INSTITUTION
    assert stored.material_access == MaterialAccess.FULL


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"visibility": "everyone"}, "Choose who may see the list."),
        (
            {"visibility": Visibility.COURSE, "material_access": "some"},
            "Choose who may open the materials.",
        ),
    ],
)
def test_publish_refuses_unknown_choices_and_changes_nothing(
    reading_list, instructor, kwargs, message
):
    before = state(reading_list)

    with pytest.raises(ServiceError, match=message):
        services.reading_list_publish(
            actor=instructor, reading_list=reading_list, **kwargs
        )

    assert state(reading_list) == before


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_unpublish_returns_the_list_to_draft(reading_list, instructor):
    services.reading_list_set_publication(
        actor=instructor,
        reading_list=reading_list,
        publication_status=PublicationStatus.DRAFT,
    )

    assert fresh(reading_list).publication_status == PublicationStatus.DRAFT
    event = last_event(reading_list)
    assert event.verb == "list.publication"
    assert event.params == {"from": "Published", "to": "Draft"}
    assert event.summary == "Publication changed from Published to Draft"


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_archive_and_publish_again(reading_list, instructor):
    services.reading_list_set_publication(
        actor=instructor,
        reading_list=reading_list,
        publication_status=PublicationStatus.ARCHIVED,
    )
    assert fresh(reading_list).publication_status == PublicationStatus.ARCHIVED

    services.reading_list_publish(
        actor=instructor, reading_list=reading_list, visibility=Visibility.COURSE
    )

    assert fresh(reading_list).publication_status == PublicationStatus.PUBLISHED
    assert verbs(reading_list)[-2:] == ["list.publication", "list.publish"]


def test_unpublishing_a_draft_is_refused_and_changes_nothing(reading_list, instructor):
    before = state(reading_list)

    with pytest.raises(InvalidTransition) as info:
        services.reading_list_set_publication(
            actor=instructor,
            reading_list=reading_list,
            publication_status=PublicationStatus.DRAFT,
        )

    assert str(info.value) == (
        "Cannot change publication status from Draft to Draft; "
        "allowed: Archived, Published."
    )
    assert state(reading_list) == before


# --- duplicate and delete ---------------------------------------------------------------


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_duplicate_copies_sections_citations_and_tags_for_a_new_owner(
    default_tags, reading_list, instructor, librarian, course
):
    essential = default_tags["Essential"]
    canon = citation(reading_list, "The Canon and Its Critics")
    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=canon.version,
        material_type=canon.material_type,
        metadata=canon.metadata,
        public_note="Read first.",
        instructor_note="For the seminar.",
        tag_ids=[essential.pk],
    )
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    original = state(reading_list)

    copy = services.reading_list_duplicate(
        actor=librarian, reading_list=reading_list, name="Canon, next year"
    )

    assert copy.pk != reading_list.pk
    assert copy.code != reading_list.code
    assert copy.name == "Canon, next year"
    assert copy.status == ListStatus.BEING_PREPARED
    assert copy.publication_status == PublicationStatus.DRAFT
    assert list(copy.courses.all()) == [course]
    assert layout(copy) == layout(reading_list)
    assert list(copy.sections.values_list("name", "is_default")) == [
        ("Resources", True),
        ("Week 1", False),
    ]
    copied = citation(copy, "The Canon and Its Critics")
    assert list(copied.tags.all()) == [essential]
    assert (copied.public_note, copied.instructor_note) == (
        "Read first.",
        "For the seminar.",
    )
    assert copied.metadata == canon.metadata
    assert copied.rendered_html == fresh(canon).rendered_html
    assert copied.created_by == librarian
    assert set(copy.citations.values_list("status", flat=True)) == {
        CitationStatus.BEING_PREPARED
    }
    assert list(copy.collaborators.values_list("user", "right")) == [
        (librarian.pk, "owner")
    ]
    assert verbs(copy) == ["list.create", "list.duplicate"]
    assert last_event(copy).params == {"source": reading_list.pk}
    original["events"] += 2
    original["lists"] += 1
    assert state(reading_list) == original


def test_duplicate_without_a_name_is_called_a_copy(reading_list, instructor):
    copy = services.reading_list_duplicate(
        actor=instructor, reading_list=reading_list, name=""
    )

    assert copy.name == "Copy of Reading the Canon: core reading"


def test_delete_removes_list_with_its_contents_and_leaves_an_event(
    reading_list, instructor
):
    list_id, code = reading_list.pk, reading_list.code

    services.reading_list_delete(actor=instructor, reading_list=reading_list)

    assert not ReadingList.objects.filter(pk=list_id).exists()
    assert not Section.objects.filter(reading_list_id=list_id).exists()
    assert not Citation.objects.filter(reading_list_id=list_id).exists()
    event = Event.objects.filter(list_id=list_id).order_by("-id").first()
    assert event.verb == "list.delete"
    assert event.summary == f"Deleted the list {code}"


# --- collaborators ---------------------------------------------------------------------


def test_collaborator_set_adds_then_changes_a_right(reading_list, instructor, student):
    services.collaborator_set(
        actor=instructor, reading_list=reading_list, user=student, right="editor"
    )
    services.collaborator_set(
        actor=instructor, reading_list=reading_list, user=student, right="owner"
    )

    assert Collaborator.objects.get(reading_list=reading_list, user=student).right == (
        "owner"
    )
    assert verbs(reading_list)[-2:] == ["collaborator.add", "collaborator.change"]


def test_the_last_owner_of_a_list_without_course_cannot_leave(instructor):
    reading_list = make_list(owner=instructor, name="Personal")
    before = state(reading_list)

    with pytest.raises(ServiceError, match="needs at least one owner"):
        services.collaborator_remove(
            actor=instructor, reading_list=reading_list, user=instructor
        )

    assert state(reading_list) == before


def test_the_last_owner_of_a_course_list_may_leave(reading_list, instructor):
    services.collaborator_remove(
        actor=instructor, reading_list=reading_list, user=instructor
    )

    assert not reading_list.collaborators.exists()
    assert last_event(reading_list).verb == "collaborator.remove"


# --- sections -------------------------------------------------------------------------


def test_section_add_puts_the_section_last(reading_list, instructor):
    content_version = reading_list.content_version

    added = services.section_add(
        actor=instructor, reading_list=reading_list, name=" Week 2 "
    )

    assert (added.name, added.position, added.is_default) == ("Week 2", 2, False)
    assert [name for name, _pos, _items in layout(reading_list)] == [
        "Resources",
        "Week 1",
        "Week 2",
    ]
    assert fresh(reading_list).content_version == content_version + 1
    event = last_event(reading_list)
    assert (event.verb, event.target_id) == ("section.add", added.pk)
    assert event.summary == "Added the section “Week 2”"


def test_section_add_refuses_a_blank_name(reading_list, instructor):
    before = state(reading_list)

    with pytest.raises(ServiceError, match="A section needs a name."):
        services.section_add(actor=instructor, reading_list=reading_list, name="  ")

    assert state(reading_list) == before


def test_section_rename_bumps_its_version(reading_list, instructor):
    week = section(reading_list, "Week 1")

    services.section_update(
        actor=instructor,
        section=week,
        expected_version=1,
        name="Week one",
        description="Foundations",
        start_date=datetime.date(2026, 9, 28),
        end_date=datetime.date(2026, 10, 2),
    )

    stored = fresh(week)
    assert (stored.name, stored.description, stored.version) == (
        "Week one",
        "Foundations",
        2,
    )
    assert last_event(reading_list).params == {"before": "Week 1", "after": "Week one"}


def test_section_rename_with_stale_version_changes_nothing(reading_list, instructor):
    week = section(reading_list, "Week 1")
    services.section_update(
        actor=instructor, section=fresh(week), expected_version=1, name="First"
    )
    before = state(reading_list)

    with pytest.raises(StaleVersion) as info:
        services.section_update(
            actor=instructor, section=week, expected_version=1, name="Second"
        )

    assert info.value.current_version == 2
    assert state(reading_list) == before


def test_section_ending_before_it_starts_is_refused(reading_list, instructor):
    before = state(reading_list)

    with pytest.raises(ServiceError, match="The section ends before it starts."):
        services.section_update(
            actor=instructor,
            section=section(reading_list, "Week 1"),
            expected_version=1,
            name="Week 1",
            start_date=datetime.date(2026, 10, 2),
            end_date=datetime.date(2026, 9, 28),
        )

    assert state(reading_list) == before


def test_section_move_reorders_contiguously(reading_list, instructor):
    services.section_add(actor=instructor, reading_list=reading_list, name="Week 2")
    week2 = section(reading_list, "Week 2")

    moved = services.section_move(actor=instructor, section=week2, position=0)

    assert moved.position == 0
    assert [(name, pos) for name, pos, _items in layout(reading_list)] == [
        ("Week 2", 0),
        ("Resources", 1),
        ("Week 1", 2),
    ]
    assert last_event(reading_list).summary == (
        "Moved the section “Week 2” to position 1"
    )


def test_section_move_past_the_end_goes_last(reading_list, instructor):
    services.section_move(
        actor=instructor, section=section(reading_list, "Resources"), position=99
    )

    assert [(name, pos) for name, pos, _items in layout(reading_list)] == [
        ("Week 1", 0),
        ("Resources", 1),
    ]


def test_section_delete_removes_its_citations_and_renumbers(reading_list, instructor):
    services.section_add(actor=instructor, reading_list=reading_list, name="Week 2")

    services.section_delete(actor=instructor, section=section(reading_list, "Week 1"))

    assert layout(reading_list) == [
        (
            "Resources",
            0,
            [("Close Reading, Explained", 0), ("On Anthologies", 1)],
        ),
        ("Week 2", 1, []),
    ]
    assert not Citation.objects.filter(title="The Canon and Its Critics").exists()
    assert last_event(reading_list).summary == (
        "Deleted the section “Week 1” and its 2 items"
    )


def test_deleting_the_default_section_makes_the_first_one_default(
    reading_list, instructor
):
    services.section_delete(
        actor=instructor, section=section(reading_list, "Resources")
    )

    assert list(
        reading_list.sections.values_list("name", "position", "is_default")
    ) == [("Week 1", 0, True)]


def test_the_last_section_cannot_be_deleted(instructor):
    reading_list = make_list(owner=instructor, citations=[{"title": "Kept"}])
    before = state(reading_list)

    with pytest.raises(ServiceError, match="A list keeps at least one section."):
        services.section_delete(actor=instructor, section=reading_list.sections.get())

    assert state(reading_list) == before


# --- citations: add ---------------------------------------------------------------------


def test_citation_add_without_section_goes_last_in_the_default_section(
    reading_list, instructor
):
    content_version = reading_list.content_version

    added = services.citation_add(
        actor=instructor,
        reading_list=reading_list,
        material_type="book",
        metadata=book("Teaching to Transgress"),
    )

    stored = fresh(added)
    assert stored.section == section(reading_list, "Resources")
    assert stored.position == 2
    assert stored.title == "Teaching to Transgress"
    assert stored.author == "Hooks, Bell"
    assert stored.status == CitationStatus.BEING_PREPARED
    assert stored.version == 1
    assert stored.created_by == instructor
    assert stored.rendered_style == "apa"
    assert stored.rendered_html == (
        "Hooks, B. (1994). <i>Teaching to Transgress</i>. Routledge."
    )
    assert fresh(reading_list).content_version == content_version + 1
    event = last_event(reading_list)
    assert (event.verb, event.target_id) == ("citation.add", added.pk)
    assert event.params == {"status": "BeingPrepared"}
    assert event.summary == "Added “Teaching to Transgress” to Resources"


def test_citation_add_to_a_section_goes_last_there(
    default_tags, reading_list, instructor
):
    week = section(reading_list, "Week 1")

    added = services.citation_add(
        actor=instructor,
        reading_list=reading_list,
        section=week,
        material_type="article",
        metadata=article("Pedagogy of Hope"),
        tag_ids=[default_tags["Optional"].pk],
    )

    assert (added.section_id, added.position) == (week.pk, 2)
    assert list(added.tags.values_list("name", flat=True)) == ["Optional"]
    assert added.author == "Freire, Paulo; Macedo, Donaldo"


def test_citation_added_to_a_list_with_the_library_is_ready_for_processing(
    reading_list, instructor
):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)

    added = add_citation(reading_list, actor=instructor, title="Late addition")

    assert fresh(added).status == CitationStatus.READY_FOR_PROCESSING
    # An instructor's addition to a list the library has is news on its task list.
    assert last_event(reading_list).params == {
        "status": "ReadyForProcessing",
        "alert": True,
    }
    assert fresh(reading_list).library_alert_at is not None


def test_citation_add_to_an_empty_list_starts_at_position_zero(instructor):
    reading_list = make_list(owner=instructor)

    added = add_citation(reading_list, actor=instructor, title="First")

    assert (added.position, added.section.is_default) == (0, True)


def test_citation_add_refuses_a_section_of_another_list(reading_list, instructor):
    other = make_list(owner=instructor, name="Other")
    before = state(reading_list)
    other_before = state(other)

    with pytest.raises(ServiceError, match="That section belongs to another list."):
        add_citation(
            reading_list,
            actor=instructor,
            title="Misplaced",
            section=other.sections.get(),
        )

    assert state(reading_list) == before
    assert state(other) == other_before


@pytest.mark.parametrize(
    ("material_type", "metadata", "tag_ids", "message"),
    [
        ("scroll", book("A"), [], "Unknown material type."),
        ("book", book("   "), [], "A citation needs a title."),
        ("book", {"author": [{"literal": "Anon"}]}, [], "A citation needs a title."),
        ("book", book("A"), [987654], "One of the tags does not exist."),
    ],
)
def test_citation_add_refuses_bad_input_and_changes_nothing(
    reading_list, instructor, material_type, metadata, tag_ids, message
):
    before = state(reading_list)

    with pytest.raises(ServiceError, match=message):
        services.citation_add(
            actor=instructor,
            reading_list=reading_list,
            material_type=material_type,
            metadata=metadata,
            tag_ids=tag_ids,
        )

    assert state(reading_list) == before


# --- citations: update, delete -----------------------------------------------------------


def test_citation_update_rewrites_metadata_rendering_and_tags(
    default_tags, reading_list, instructor
):
    canon = citation(reading_list, "The Canon and Its Critics")
    essential, recommended = (
        default_tags["Essential"],
        default_tags["Recommended"],
    )

    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=canon.version,
        material_type="book",
        metadata=book("The Canon Revisited", author=[{"family": "Bloom"}]),
        public_note="Chapters 1-3",
        tag_ids=[essential.pk, recommended.pk],
        due_date=datetime.date(2026, 10, 5),
    )

    stored = fresh(canon)
    assert stored.version == 2
    assert stored.title == "The Canon Revisited"
    assert stored.author == "Bloom"
    assert stored.public_note == "Chapters 1-3"
    assert stored.due_date == datetime.date(2026, 10, 5)
    assert (
        stored.rendered_html == "Bloom. (1994). <i>The Canon Revisited</i>. Routledge."
    )
    assert set(stored.tags.all()) == {essential, recommended}
    assert stored.status == CitationStatus.COMPLETE
    event = last_event(reading_list)
    assert (event.verb, event.summary) == (
        "citation.update",
        "Edited “The Canon Revisited”",
    )


def test_citation_update_with_stale_version_changes_nothing(
    default_tags, reading_list, instructor
):
    canon = citation(reading_list, "The Canon and Its Critics")
    stale = fresh(canon)
    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=1,
        material_type="book",
        metadata=book("Saved first"),
    )
    before = state(reading_list)

    with pytest.raises(StaleVersion) as info:
        services.citation_update(
            actor=instructor,
            citation=stale,
            expected_version=1,
            material_type="book",
            metadata=book("Saved second"),
            tag_ids=[default_tags["Essential"].pk],
        )

    assert info.value.current_version == 2
    assert state(reading_list) == before
    assert fresh(canon).title == "Saved first"


def test_citation_update_refuses_a_blank_title(reading_list, instructor):
    canon = citation(reading_list, "The Canon and Its Critics")
    before = state(reading_list)

    with pytest.raises(ServiceError, match="A citation needs a title."):
        services.citation_update(
            actor=instructor,
            citation=canon,
            expected_version=canon.version,
            material_type="book",
            metadata=book(""),
        )

    assert state(reading_list) == before


def test_citation_delete_removes_it_and_closes_the_gap(reading_list, instructor):
    services.citation_delete(
        actor=instructor, citation=citation(reading_list, "Close Reading, Explained")
    )

    assert layout(reading_list)[0] == ("Resources", 0, [("On Anthologies", 0)])
    event = last_event(reading_list)
    assert (event.verb, event.summary) == (
        "citation.delete",
        "Removed “Close Reading, Explained”",
    )


def test_moving_up_after_a_delete_moves_the_item(reading_list, instructor):
    # The editor's "move up" asks for position - 1: positions must stay indexes.
    week = section(reading_list, "Week 1")
    add_citation(reading_list, actor=instructor, title="Third", section=week)
    services.citation_delete(
        actor=instructor, citation=citation(reading_list, "The Canon and Its Critics")
    )
    third = citation(reading_list, "Third")

    services.citation_move(
        actor=instructor, citation=third, section=week, position=third.position - 1
    )

    assert layout(reading_list)[1] == (
        "Week 1",
        1,
        [("Third", 0), ("Reading Against the Grain", 1)],
    )


# --- citations: move -----------------------------------------------------------------


def test_citation_move_within_a_section(reading_list, instructor):
    week = section(reading_list, "Week 1")

    moved = services.citation_move(
        actor=instructor,
        citation=citation(reading_list, "Reading Against the Grain"),
        section=week,
        position=0,
    )

    assert moved.position == 0
    assert layout(reading_list)[1] == (
        "Week 1",
        1,
        [("Reading Against the Grain", 0), ("The Canon and Its Critics", 1)],
    )
    assert last_event(reading_list).summary == (
        "Moved “Reading Against the Grain” to Week 1, position 1"
    )


def test_citation_move_between_sections_keeps_both_contiguous(reading_list, instructor):
    moved = services.citation_move(
        actor=instructor,
        citation=citation(reading_list, "The Canon and Its Critics"),
        section=section(reading_list, "Resources"),
        position=1,
    )

    assert moved.section == section(reading_list, "Resources")
    assert layout(reading_list) == [
        (
            "Resources",
            0,
            [
                ("Close Reading, Explained", 0),
                ("The Canon and Its Critics", 1),
                ("On Anthologies", 2),
            ],
        ),
        ("Week 1", 1, [("Reading Against the Grain", 0)]),
    ]


def test_citation_move_past_the_end_goes_last(reading_list, instructor):
    services.citation_move(
        actor=instructor,
        citation=citation(reading_list, "Close Reading, Explained"),
        section=section(reading_list, "Week 1"),
        position=50,
    )

    assert layout(reading_list)[1][2] == [
        ("The Canon and Its Critics", 0),
        ("Reading Against the Grain", 1),
        ("Close Reading, Explained", 2),
    ]


def test_citation_move_to_another_list_is_refused(reading_list, instructor):
    other = make_list(owner=instructor, name="Other")
    before = state(reading_list)

    with pytest.raises(ServiceError, match="That section belongs to another list."):
        services.citation_move(
            actor=instructor,
            citation=citation(reading_list, "On Anthologies"),
            section=other.sections.get(),
            position=0,
        )

    assert state(reading_list) == before


# --- citations: status --------------------------------------------------------------


def test_library_processes_an_item_to_complete(reading_list, instructor, librarian):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    item = citation(reading_list, "Reading Against the Grain")

    for status in (CitationStatus.IN_PROCESS, CitationStatus.COMPLETE):
        item = services.citation_set_status(
            actor=librarian, citation=item, status=status
        )

    stored = fresh(item)
    assert stored.status == CitationStatus.COMPLETE
    assert stored.version == item.version == 4
    event = last_event(reading_list)
    assert (event.verb, event.actor) == ("citation.status", librarian)
    assert event.params == {"from": "InProcess", "to": "Complete", "reason": ""}
    assert event.summary == "“Reading Against the Grain”: In process → Complete"


def test_declining_needs_a_reason_and_changes_nothing_without_one(
    reading_list, librarian
):
    item = citation(reading_list, "On Anthologies")
    before = state(reading_list)

    with pytest.raises(ServiceError, match="Say why the item is declined"):
        services.citation_set_status(
            actor=librarian, citation=item, status=CitationStatus.DECLINED, reason=" "
        )

    assert state(reading_list) == before


def test_declining_with_a_reason_keeps_it_until_the_item_moves_on(
    reading_list, librarian
):
    item = citation(reading_list, "On Anthologies")

    services.citation_set_status(
        actor=librarian,
        citation=item,
        status=CitationStatus.DECLINED,
        reason=" Out of print; try the e-book. ",
    )
    stored = fresh(item)
    assert (stored.status, stored.decline_reason) == (
        CitationStatus.DECLINED,
        "Out of print; try the e-book.",
    )

    services.citation_set_status(
        actor=librarian, citation=item, status=CitationStatus.IN_PROCESS
    )
    stored = fresh(item)
    assert (stored.status, stored.decline_reason) == (CitationStatus.IN_PROCESS, "")


def test_refused_citation_status_change_changes_nothing(reading_list, librarian):
    item = citation(reading_list, "Reading Against the Grain")
    before = state(reading_list)

    with pytest.raises(InvalidTransition) as info:
        services.citation_set_status(
            actor=librarian, citation=item, status=CitationStatus.IN_PROCESS
        )

    assert str(info.value) == (
        "Cannot change citation status from Being prepared to In process; "
        "allowed: Complete, Inactive, Ready for processing."
    )
    assert state(reading_list) == before


def test_status_check_uses_the_stored_status_not_a_stale_copy(reading_list, librarian):
    item = citation(reading_list, "On Anthologies")
    stale = fresh(item)
    services.citation_set_status(
        actor=librarian, citation=item, status=CitationStatus.COMPLETE
    )
    before = state(reading_list)

    with pytest.raises(InvalidTransition):
        services.citation_set_status(
            actor=librarian, citation=stale, status=CitationStatus.DECLINED, reason="x"
        )

    assert state(reading_list) == before


def test_citation_send_to_library_makes_one_item_ready(reading_list, instructor):
    item = citation(reading_list, "Reading Against the Grain")

    services.citation_send_to_library(actor=instructor, citation=item)

    assert fresh(item).status == CitationStatus.READY_FOR_PROCESSING


# --- readers' marks -------------------------------------------------------------------


def test_citation_mark_records_only_what_is_given(published_list, student):
    item = citation(published_list, "The Canon and Its Critics")
    events = Event.objects.count()

    services.citation_mark(user=student, citation=item, done=True)
    services.citation_mark(user=student, citation=item, liked=True)
    mark = services.citation_mark(user=student, citation=item, private_note="x" * 6000)

    stored = CitationInteraction.objects.get(user=student, citation=item)
    assert stored.pk == mark.pk
    assert (stored.done, stored.liked) == (True, True)
    assert stored.private_note == "x" * 5000
    assert stored.reading_list_id == published_list.pk
    assert Event.objects.count() == events  # private: no audit row names the reader


def test_citation_mark_can_undo(published_list, student):
    item = citation(published_list, "The Canon and Its Critics")
    services.citation_mark(user=student, citation=item, done=True, liked=True)

    services.citation_mark(user=student, citation=item, done=False)

    stored = CitationInteraction.objects.get(user=student, citation=item)
    assert (stored.done, stored.liked) == (False, True)


# --- metadata helpers ---------------------------------------------------------------


def test_form_fields_round_trip_through_csl():
    fields = {
        "title": " Teaching to Transgress ",
        "author": "Hooks, Bell\nThe Collective",
        "editor": "",
        "publisher": "Routledge",
        "issued": "1994-05",
        "ISBN": "9780415908085",
        "OCLC": "30112339",
        "volume": "",
    }

    csl = services.csl_from_fields("book", fields)

    assert csl == {
        "type": "book",
        "title": "Teaching to Transgress",
        "publisher": "Routledge",
        "ISBN": "9780415908085",
        "author": [{"family": "Hooks", "given": "Bell"}, {"literal": "The Collective"}],
        "issued": {"date-parts": [[1994, 5]]},
        "lectio": {"OCLC": "30112339"},
    }
    assert services.fields_from_csl(csl) == {
        "title": "Teaching to Transgress",
        "publisher": "Routledge",
        "ISBN": "9780415908085",
        "author": "Hooks, Bell\nThe Collective",
        "editor": "",
        "issued": "1994-5",
        "OCLC": "30112339",
    }


def test_a_year_that_is_not_a_date_is_kept_literally():
    assert services.csl_from_fields("book", {"title": "T", "issued": "c. 1850"})[
        "issued"
    ] == {"literal": "c. 1850"}
