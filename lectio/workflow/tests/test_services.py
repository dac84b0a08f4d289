"""The library's services: taking and assigning lists, working their items, requests,
the library discussion and its notifications, changes made after sending, rules.

The cast is the root conftest's; `sent_list` (workflow conftest) is the course's list
after its instructor sent it to the library.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from lectio.accounts.models import Role, User
from lectio.core.factories import (
    UserFactory,
    add_citation,
    book,
    enrol,
    make_list,
)
from lectio.core.models import Event
from lectio.core.statemachine import InvalidTransition
from lectio.courses.models import Course, CourseRole
from lectio.lists import processing, services
from lectio.lists.models import (
    Citation,
    CitationStatusRule,
    CollaboratorRight,
    ReadingList,
    Tag,
)
from lectio.lists.processing import AlreadyAssigned
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CitationStatus, CopyrightStatus, ListStatus
from lectio.workflow import selectors
from lectio.workflow import services as workflow
from lectio.workflow.models import (
    CopyrightRule,
    Message,
    NotificationPreference,
    PendingNotification,
    ProcessingRequest,
    RequestKind,
    Thread,
)
from lectio.workflow.tasks import notify_message, send_daily_digests
from lectio.workflow.tests.conftest import item, set_institution

pytestmark = pytest.mark.django_db

CANON = "The Canon and Its Critics"  # Complete
GRAIN = "Reading Against the Grain"  # ReadyForProcessing once sent
CLOSE = "Close Reading, Explained"  # Complete (website)
ANTHOLOGIES = "On Anthologies"  # InProcess (book chapter)


# --- helpers -----------------------------------------------------------------------


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(
    mark: int, *, list_id: int | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(verb, summary, params) of the events written after `mark`, oldest first."""
    qs = Event.objects.filter(id__gt=mark).order_by("id")
    if list_id is not None:
        qs = qs.filter(list_id=list_id)
    return [(e.verb, e.summary, e.params) for e in qs]


def fresh(reading_list: ReadingList) -> ReadingList:
    return ReadingList.objects.get(pk=reading_list.pk)


def another_sent_list(owner: User, course: Course, name: str) -> ReadingList:
    return make_list(owner=owner, courses=[course], name=name, send_to_library=True)


def tag(citation: Citation, tag_obj: Tag) -> Citation:
    citation.tags.add(tag_obj)
    return citation


# --- taking, assigning, releasing -------------------------------------------------------


def test_take_assigns_an_unassigned_list_to_me(
    sent_list: ReadingList, librarian: User
) -> None:
    mark = last_event_id()
    version = sent_list.version

    taken = processing.reading_list_take(actor=librarian, reading_list=sent_list)

    stored = fresh(sent_list)
    assert (stored.assigned_librarian_id, stored.version) == (librarian.pk, version + 1)
    assert taken.assigned_librarian_id == librarian.pk
    assert events_since(mark) == [
        ("list.take", "Lia Librarian took the list", {"assignee": librarian.pk})
    ]


def test_take_of_a_list_someone_else_holds_names_the_holder_and_changes_nothing(
    sent_list: ReadingList, librarian: User, other_librarian: User, snapshot: Any
) -> None:
    processing.reading_list_take(actor=other_librarian, reading_list=sent_list)
    before = snapshot()

    with pytest.raises(AlreadyAssigned) as refused:
        processing.reading_list_take(actor=librarian, reading_list=sent_list)

    assert str(refused.value) == "Lou Loaner has already taken this list."
    assert refused.value.holder == other_librarian
    assert snapshot() == before
    assert fresh(sent_list).assigned_librarian_id == other_librarian.pk


def test_take_of_a_list_I_hold_already_keeps_it_mine(
    sent_list: ReadingList, librarian: User
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)

    processing.reading_list_take(actor=librarian, reading_list=sent_list)

    assert fresh(sent_list).assigned_librarian_id == librarian.pk


@pytest.mark.parametrize("who", ["instructor", "student"])
def test_only_library_staff_can_take_a_list(
    who: str, sent_list: ReadingList, request: Any, snapshot: Any
) -> None:
    actor = request.getfixturevalue(who)
    before = snapshot()

    with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
        processing.reading_list_take(actor=actor, reading_list=sent_list)

    assert snapshot() == before


def test_assign_gives_the_list_to_another_librarian(
    sent_list: ReadingList, librarian: User, other_librarian: User
) -> None:
    mark = last_event_id()

    processing.reading_list_assign(
        actor=librarian, reading_list=sent_list, assignee=other_librarian
    )

    assert fresh(sent_list).assigned_librarian_id == other_librarian.pk
    assert events_since(mark) == [
        ("list.assign", "Assigned to Lou Loaner", {"assignee": other_librarian.pk})
    ]


def test_release_leaves_the_list_unassigned(
    sent_list: ReadingList, librarian: User
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)
    mark = last_event_id()

    processing.reading_list_assign(
        actor=librarian, reading_list=sent_list, assignee=None
    )

    assert fresh(sent_list).assigned_librarian_id is None
    assert events_since(mark) == [
        ("list.release", "Lia Librarian released the list", {"assignee": None})
    ]


def test_a_list_can_only_be_assigned_to_library_staff(
    sent_list: ReadingList, librarian: User, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(
        ServiceError, match="^Lists can only be assigned to library staff.$"
    ):
        processing.reading_list_assign(
            actor=librarian, reading_list=sent_list, assignee=instructor
        )

    assert snapshot() == before


def test_an_instructor_cannot_assign_or_release(
    sent_list: ReadingList, instructor: User, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    for assignee in (librarian, None):
        with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
            processing.reading_list_assign(
                actor=instructor, reading_list=sent_list, assignee=assignee
            )

    assert snapshot() == before


def test_bulk_assign_assigns_every_list_with_an_event_each(
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    librarian: User,
    other_librarian: User,
) -> None:
    second = another_sent_list(instructor, course, "Second list")
    mark = last_event_id()

    count = processing.reading_lists_assign(
        actor=librarian, list_ids=[sent_list.pk, second.pk], assignee=other_librarian
    )

    assert count == 2
    assert sorted(
        ReadingList.objects.filter(pk__in=[sent_list.pk, second.pk]).values_list(
            "assigned_librarian_id", flat=True
        )
    ) == [other_librarian.pk, other_librarian.pk]
    assert sorted(
        (e.list_id, e.verb) for e in Event.objects.filter(id__gt=mark).order_by("id")
    ) == sorted([(sent_list.pk, "list.assign"), (second.pk, "list.assign")])


def test_bulk_assign_with_an_unknown_list_changes_nothing(
    sent_list: ReadingList, librarian: User, other_librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^One of the lists does not exist.$"):
        processing.reading_lists_assign(
            actor=librarian,
            list_ids=[sent_list.pk, 987654],
            assignee=other_librarian,
        )

    assert snapshot() == before


def test_bulk_assign_to_someone_outside_the_library_changes_nothing(
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    librarian: User,
    snapshot: Any,
) -> None:
    second = another_sent_list(instructor, course, "Second list")
    before = snapshot()

    with pytest.raises(ServiceError, match="^Lists can only be assigned"):
        processing.reading_lists_assign(
            actor=librarian, list_ids=[sent_list.pk, second.pk], assignee=instructor
        )

    assert snapshot() == before


def test_bulk_assign_by_an_instructor_changes_nothing(
    sent_list: ReadingList, instructor: User, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
        processing.reading_lists_assign(
            actor=instructor, list_ids=[sent_list.pk], assignee=librarian
        )

    assert snapshot() == before


# --- processing a list -------------------------------------------------------------------


def test_start_processing_moves_a_ready_list_to_being_processed(
    sent_list: ReadingList, librarian: User
) -> None:
    mark = last_event_id()

    processing.reading_list_start_processing(actor=librarian, reading_list=sent_list)

    assert fresh(sent_list).status == ListStatus.BEING_PROCESSED
    assert events_since(mark) == [
        (
            "list.status",
            "Status changed from Ready for processing to Being processed",
            {"from": "ReadyForProcessing", "to": "BeingProcessed"},
        )
    ]


def test_start_processing_twice_writes_nothing_the_second_time(
    sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    processing.reading_list_start_processing(actor=librarian, reading_list=sent_list)
    before = snapshot()

    processing.reading_list_start_processing(actor=librarian, reading_list=sent_list)

    assert snapshot() == before


def test_start_processing_a_list_not_sent_is_refused_naming_the_statuses(
    reading_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(InvalidTransition) as refused:
        processing.reading_list_start_processing(
            actor=librarian, reading_list=reading_list
        )

    assert str(refused.value) == (
        "Cannot change list status from Being prepared to Being processed; "
        "allowed: Inactive, Ready for processing."
    )
    assert snapshot() == before


def test_start_processing_is_for_library_staff(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
        processing.reading_list_start_processing(
            actor=instructor, reading_list=sent_list
        )

    assert snapshot() == before


def test_a_library_status_change_on_an_item_starts_processing_the_list(
    sent_list: ReadingList, librarian: User
) -> None:
    grain = item(sent_list, GRAIN)
    mark = last_event_id()

    processing.citation_set_status_by_library(
        actor=librarian, citation=grain, status=CitationStatus.IN_PROCESS
    )

    assert item(sent_list, GRAIN).status == CitationStatus.IN_PROCESS
    assert fresh(sent_list).status == ListStatus.BEING_PROCESSED
    assert [(verb, params) for verb, _s, params in events_since(mark)] == [
        (
            "citation.status",
            {"from": "ReadyForProcessing", "to": "InProcess", "reason": ""},
        ),
        ("list.status", {"from": "ReadyForProcessing", "to": "BeingProcessed"}),
    ]


def test_an_instructor_cannot_use_the_library_status_change(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
        processing.citation_set_status_by_library(
            actor=instructor,
            citation=item(sent_list, GRAIN),
            status=CitationStatus.COMPLETE,
        )

    assert snapshot() == before


def test_bulk_status_changes_every_chosen_item_and_starts_processing(
    sent_list: ReadingList, librarian: User
) -> None:
    chosen = [item(sent_list, GRAIN), item(sent_list, ANTHOLOGIES)]
    mark = last_event_id()

    count = processing.citations_set_status(
        actor=librarian,
        reading_list=sent_list,
        citation_ids=[c.pk for c in chosen],
        status=CitationStatus.COMPLETE,
    )

    assert count == 2
    assert dict(sent_list.citations.values_list("title", "status")) == {
        CANON: "Complete",
        GRAIN: "Complete",
        CLOSE: "Complete",
        ANTHOLOGIES: "Complete",
    }
    assert sorted(
        (e.target_id, e.params["from"], e.params["to"])
        for e in Event.objects.filter(id__gt=mark, verb="citation.status")
    ) == sorted(
        [
            (chosen[0].pk, "ReadyForProcessing", "Complete"),
            (chosen[1].pk, "InProcess", "Complete"),
        ]
    )
    assert fresh(sent_list).status == ListStatus.BEING_PROCESSED


def test_bulk_status_is_all_or_nothing_and_names_the_item_that_cannot_change(
    sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    chosen = [item(sent_list, t) for t in (GRAIN, ANTHOLOGIES, CANON)]
    before = snapshot()

    with pytest.raises(ServiceError) as refused:
        processing.citations_set_status(
            actor=librarian,
            reading_list=sent_list,
            citation_ids=[c.pk for c in chosen],
            status=CitationStatus.DECLINED,
            reason="Out of print",
        )

    assert str(refused.value) == (
        "“The Canon and Its Critics”: Cannot change citation status from Complete "
        "to Declined; allowed: In process, Inactive, Ready for processing."
    )
    assert snapshot() == before


def test_declining_needs_a_reason_and_changes_nothing_without_one(
    sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(
        ServiceError,
        match="^Say why the item is declined; the instructor will see it.$",
    ):
        processing.citations_set_status(
            actor=librarian,
            reading_list=sent_list,
            citation_ids=[item(sent_list, GRAIN).pk, item(sent_list, ANTHOLOGIES).pk],
            status=CitationStatus.DECLINED,
            reason="   ",
        )

    assert snapshot() == before


def test_declining_with_a_reason_keeps_the_reason_for_the_instructor(
    sent_list: ReadingList, librarian: User
) -> None:
    processing.citations_set_status(
        actor=librarian,
        reading_list=sent_list,
        citation_ids=[item(sent_list, GRAIN).pk],
        status=CitationStatus.DECLINED,
        reason="  Not held and out of print.  ",
    )

    grain = item(sent_list, GRAIN)
    assert (grain.status, grain.decline_reason) == (
        "Declined",
        "Not held and out of print.",
    )


@pytest.mark.parametrize("ids", ["other list", "none"])
def test_bulk_status_only_takes_items_of_the_list(
    ids: str,
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    librarian: User,
    snapshot: Any,
) -> None:
    other = make_list(
        owner=instructor, courses=[course], citations=[{"title": "Elsewhere"}]
    )
    chosen = (
        [item(sent_list, GRAIN).pk, item(other, "Elsewhere").pk]
        if ids == "other list"
        else []
    )
    before = snapshot()

    with pytest.raises(ServiceError, match="^Choose items of this list.$"):
        processing.citations_set_status(
            actor=librarian,
            reading_list=sent_list,
            citation_ids=chosen,
            status=CitationStatus.COMPLETE,
        )

    assert snapshot() == before


def test_complete_is_refused_while_items_are_open(
    sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError) as refused:
        processing.reading_list_complete(actor=librarian, reading_list=sent_list)

    assert str(refused.value) == (
        "2 items are not complete or declined yet. Finish them, or give a reason "
        "to complete the list anyway."
    )
    assert snapshot() == before


def test_complete_with_open_items_and_a_reason_records_the_reason(
    sent_list: ReadingList, librarian: User
) -> None:
    mark = last_event_id()

    processing.reading_list_complete(
        actor=librarian, reading_list=sent_list, reason=" Term starts tomorrow "
    )

    assert fresh(sent_list).status == ListStatus.COMPLETE
    assert events_since(mark) == [
        (
            "list.status",
            "Status changed from Ready for processing to Being processed",
            {"from": "ReadyForProcessing", "to": "BeingProcessed"},
        ),
        (
            "list.status",
            "Status changed from Being processed to Complete",
            {"from": "BeingProcessed", "to": "Complete"},
        ),
        (
            "list.complete_forced",
            "Completed with 2 open items: Term starts tomorrow",
            {"open": 2, "reason": "Term starts tomorrow"},
        ),
    ]


def test_complete_when_every_item_is_done_needs_no_reason(
    sent_list: ReadingList, librarian: User
) -> None:
    processing.citations_set_status(
        actor=librarian,
        reading_list=sent_list,
        citation_ids=[item(sent_list, GRAIN).pk],
        status=CitationStatus.DECLINED,
        reason="Not available",
    )
    processing.citations_set_status(
        actor=librarian,
        reading_list=sent_list,
        citation_ids=[item(sent_list, ANTHOLOGIES).pk],
        status=CitationStatus.COMPLETE,
    )
    mark = last_event_id()

    processing.reading_list_complete(actor=librarian, reading_list=sent_list)

    assert fresh(sent_list).status == ListStatus.COMPLETE
    assert [verb for verb, _s, _p in events_since(mark)] == ["list.status"]


def test_an_instructor_cannot_complete_the_list(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
        processing.reading_list_complete(
            actor=instructor, reading_list=sent_list, reason="Done"
        )

    assert snapshot() == before


# --- library note, tags, copyright -------------------------------------------------------


def test_library_note_and_tags_set_the_library_kinds_and_keep_public_tags(
    sent_list: ReadingList, librarian: User, library_tags: dict[str, Tag]
) -> None:
    grain = tag(item(sent_list, GRAIN), library_tags["public"])
    mark = last_event_id()

    processing.citation_library_update(
        actor=librarian,
        citation=grain,
        library_note="Order from the vendor",
        tag_ids=[library_tags["shared"].pk, library_tags["internal"].pk],
    )

    stored = item(sent_list, GRAIN)
    assert stored.library_note == "Order from the vendor"
    assert sorted(stored.tags.values_list("name", flat=True)) == [
        "Check edition",
        "Essential",
        "Vendor: Dawson",
    ]
    assert events_since(mark) == [
        (
            "citation.library_note",
            "Library note or tags changed on “Reading Against the Grain”",
            {},
        )
    ]


def test_library_tags_replace_the_earlier_library_tags(
    sent_list: ReadingList, librarian: User, library_tags: dict[str, Tag]
) -> None:
    grain = item(sent_list, GRAIN)
    processing.citation_library_update(
        actor=librarian,
        citation=grain,
        library_note="",
        tag_ids=[library_tags["shared"].pk],
    )

    processing.citation_library_update(
        actor=librarian,
        citation=grain,
        library_note="",
        tag_ids=[library_tags["internal"].pk],
    )

    assert list(item(sent_list, GRAIN).tags.values_list("name", flat=True)) == [
        "Vendor: Dawson"
    ]


def test_a_public_tag_cannot_be_set_as_a_library_tag(
    sent_list: ReadingList,
    librarian: User,
    library_tags: dict[str, Tag],
    snapshot: Any,
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^One of the tags cannot be set here.$"):
        processing.citation_library_update(
            actor=librarian,
            citation=item(sent_list, GRAIN),
            library_note="Changed",
            tag_ids=[library_tags["shared"].pk, library_tags["public"].pk],
        )

    assert snapshot() == before


def test_an_instructor_cannot_write_the_library_note(
    sent_list: ReadingList,
    instructor: User,
    library_tags: dict[str, Tag],
    snapshot: Any,
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Only library staff can do this.$"):
        processing.citation_library_update(
            actor=instructor,
            citation=item(sent_list, GRAIN),
            library_note="Mine",
            tag_ids=[],
        )

    assert snapshot() == before


def test_copyright_status_is_set_with_an_event(
    sent_list: ReadingList, librarian: User
) -> None:
    mark = last_event_id()

    processing.citation_set_copyright(
        actor=librarian,
        citation=item(sent_list, ANTHOLOGIES),
        copyright_status=CopyrightStatus.APPROVED,
        reason="Licence covers it",
    )

    assert item(sent_list, ANTHOLOGIES).copyright_status == "Approved"
    assert events_since(mark) == [
        (
            "citation.copyright",
            "Copyright of “On Anthologies”: Not determined → Approved",
            {"from": "NotDetermined", "to": "Approved", "reason": "Licence covers it"},
        )
    ]


def test_an_unknown_copyright_status_is_refused(
    sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Unknown copyright status.$"):
        processing.citation_set_copyright(
            actor=librarian,
            citation=item(sent_list, ANTHOLOGIES),
            copyright_status="Maybe",
        )

    assert snapshot() == before


# --- requests: purchase -------------------------------------------------------------------


def test_default_purchase_ratios_are_essential_10_and_recommended_30(
    default_rules: dict[str, Any],
) -> None:
    assert default_rules["purchase"] == {"Essential": 10, "Recommended": 30}


@pytest.mark.parametrize(
    ("tag_name", "participants", "copies"),
    [
        ("Essential", 45, 5),
        ("Essential", 40, 4),
        ("Essential", 3, 1),
        ("Recommended", 45, 2),
        ("Recommended", 0, 1),
    ],
)
def test_purchase_copies_are_suggested_from_the_tag_and_participants(
    tag_name: str,
    participants: int,
    copies: int,
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    default_rules: dict[str, Any],
    default_tags: dict[str, Tag],
) -> None:
    Course.objects.filter(pk=course.pk).update(participants=participants)
    grain = tag(item(sent_list, GRAIN), default_tags[tag_name])
    mark = last_event_id()

    request = workflow.request_create(
        actor=instructor, citation=grain, kind=RequestKind.PURCHASE
    )

    stored = ProcessingRequest.objects.get()
    assert (
        stored.pk,
        stored.kind,
        stored.state,
        stored.copies,
        stored.citation_id,
        stored.reading_list_id,
        stored.created_by_id,
    ) == (
        request.pk,
        "purchase",
        "New",
        copies,
        grain.pk,
        sent_list.pk,
        instructor.pk,
    )
    assert events_since(mark) == [
        (
            "request.create",
            "Purchase requested for “Reading Against the Grain”",
            {"kind": "purchase", "citation": grain.pk, "pages": ""},
        )
    ]


def test_purchase_copies_count_the_participants_of_every_course_of_the_list(
    sent_list: ReadingList,
    course: Course,
    other_course: Course,
    instructor: User,
    default_rules: dict[str, Any],
    default_tags: dict[str, Tag],
) -> None:
    Course.objects.filter(pk=course.pk).update(participants=45)
    Course.objects.filter(pk=other_course.pk).update(participants=30)
    sent_list.courses.add(other_course)
    grain = tag(item(sent_list, GRAIN), default_tags["Essential"])

    workflow.request_create(actor=instructor, citation=grain, kind="purchase")

    assert ProcessingRequest.objects.get().copies == 8


def test_purchase_with_the_strictest_of_two_tags(
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    default_rules: dict[str, Any],
    default_tags: dict[str, Tag],
) -> None:
    Course.objects.filter(pk=course.pk).update(participants=45)
    grain = tag(item(sent_list, GRAIN), default_tags["Recommended"])
    tag(grain, default_tags["Essential"])

    assert workflow.suggested_copies(grain) == 5


def test_purchase_without_a_ratio_for_the_tag_suggests_no_number(
    sent_list: ReadingList,
    instructor: User,
    default_rules: dict[str, Any],
    default_tags: dict[str, Tag],
) -> None:
    grain = tag(item(sent_list, GRAIN), default_tags["Optional"])

    workflow.request_create(actor=instructor, citation=grain, kind="purchase")

    assert ProcessingRequest.objects.get().copies is None


def test_purchase_copies_given_are_kept(
    sent_list: ReadingList,
    instructor: User,
    default_rules: dict[str, Any],
    default_tags: dict[str, Tag],
) -> None:
    grain = tag(item(sent_list, GRAIN), default_tags["Essential"])

    workflow.request_create(actor=instructor, citation=grain, kind="purchase", copies=2)

    assert ProcessingRequest.objects.get().copies == 2


def test_purchase_of_no_copies_is_refused(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Ask for at least one copy.$"):
        workflow.request_create(
            actor=instructor,
            citation=item(sent_list, GRAIN),
            kind="purchase",
            copies=0,
        )

    assert snapshot() == before


def test_a_request_by_the_library_starts_processing_the_list(
    sent_list: ReadingList, librarian: User
) -> None:
    workflow.request_create(
        actor=librarian, citation=item(sent_list, GRAIN), kind=RequestKind.RESERVES
    )

    assert fresh(sent_list).status == ListStatus.BEING_PROCESSED


def test_a_request_by_the_instructor_leaves_the_list_ready_for_processing(
    sent_list: ReadingList, instructor: User
) -> None:
    workflow.request_create(
        actor=instructor, citation=item(sent_list, GRAIN), kind=RequestKind.RESERVES
    )

    assert fresh(sent_list).status == ListStatus.READY_FOR_PROCESSING


@pytest.mark.parametrize("who", ["student", "other_instructor", "other_student"])
def test_only_people_who_edit_the_list_make_requests(
    who: str, sent_list: ReadingList, request: Any, snapshot: Any
) -> None:
    actor = request.getfixturevalue(who)
    before = snapshot()

    with pytest.raises(ServiceError, match="^You cannot make requests for this list.$"):
        workflow.request_create(
            actor=actor, citation=item(sent_list, GRAIN), kind="purchase"
        )

    assert snapshot() == before


def test_an_editor_collaborator_makes_requests(
    sent_list: ReadingList, collaborator_editor: User
) -> None:
    workflow.request_create(
        actor=collaborator_editor, citation=item(sent_list, GRAIN), kind="hold"
    )

    assert list(ProcessingRequest.objects.values_list("kind", "created_by_id")) == [
        ("hold", collaborator_editor.pk)
    ]


def test_an_unknown_kind_of_request_is_refused(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Unknown kind of request.$"):
        workflow.request_create(
            actor=instructor, citation=item(sent_list, GRAIN), kind="teleport"
        )

    assert snapshot() == before


# --- requests: digitization -------------------------------------------------------------


def test_digitization_needs_page_ranges(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(
        ServiceError, match="^Say which pages to digitize, e.g. 12-30, 45-51.$"
    ):
        workflow.request_create(
            actor=instructor,
            citation=item(sent_list, ANTHOLOGIES),
            kind="digitization",
            page_ranges=" , ",
        )

    assert snapshot() == before


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ("12-a", "“12-a” is not a page or page range."),
        ("pages 3", "“pages 3” is not a page or page range."),
        ("30-12", "“30-12” is not a page range."),
        ("0-4", "“0-4” is not a page range."),
        ("1-5, 40-30", "“40-30” is not a page range."),
    ],
)
def test_bad_page_ranges_are_refused_naming_the_bad_part(
    ranges: str,
    message: str,
    sent_list: ReadingList,
    instructor: User,
    snapshot: Any,
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError) as refused:
        workflow.request_create(
            actor=instructor,
            citation=item(sent_list, ANTHOLOGIES),
            kind="digitization",
            page_ranges=ranges,
        )

    assert str(refused.value) == message
    assert snapshot() == before


def test_a_bad_part_after_a_good_one_is_named_without_its_spaces(
    sent_list: ReadingList, instructor: User
) -> None:
    with pytest.raises(ServiceError) as refused:
        workflow.request_create(
            actor=instructor,
            citation=item(sent_list, ANTHOLOGIES),
            kind="digitization",
            page_ranges="1-5, 12-a",
        )

    assert str(refused.value) == "“12-a” is not a page or page range."


def test_page_ranges_are_kept_normalised(
    sent_list: ReadingList, instructor: User, default_rules: dict[str, Any]
) -> None:
    workflow.request_create(
        actor=instructor,
        citation=item(sent_list, ANTHOLOGIES),
        kind="digitization",
        page_ranges=" 12 – 30 ,45,, 50-51 ",
    )

    assert ProcessingRequest.objects.get().page_ranges == "12-30, 45, 50-51"


def test_more_pages_than_the_work_has_are_refused(
    sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(
        ServiceError,
        match=r"^Pages 61-71 go past the end of the work \(60 pages\)\.$",
    ):
        workflow.request_create(
            actor=instructor,
            citation=item(sent_list, ANTHOLOGIES),
            kind="digitization",
            page_ranges="1-50, 61-71",
            total_pages=60,
        )

    assert snapshot() == before


def test_pages_past_the_end_of_the_work_are_refused(
    sent_list: ReadingList,
    instructor: User,
    default_rules: dict[str, Any],
    snapshot: Any,
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError):
        workflow.request_create(
            actor=instructor,
            citation=item(sent_list, ANTHOLOGIES),
            kind="digitization",
            page_ranges="290-310",
            total_pages=300,
        )

    assert snapshot() == before


def test_a_second_open_request_of_a_kind_is_refused(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    default_rules: dict[str, Any],
    snapshot: Any,
) -> None:
    anthologies = item(sent_list, ANTHOLOGIES)
    workflow.request_create(
        actor=instructor,
        citation=anthologies,
        kind="digitization",
        page_ranges="1-10",
    )
    before = snapshot()

    with pytest.raises(
        ServiceError, match="^This item already has an open digitization request.$"
    ):
        workflow.request_create(
            actor=librarian,
            citation=anthologies,
            kind="digitization",
            page_ranges="20-30",
        )

    assert snapshot() == before


def test_an_open_request_of_another_kind_does_not_block(
    sent_list: ReadingList, instructor: User, default_rules: dict[str, Any]
) -> None:
    anthologies = item(sent_list, ANTHOLOGIES)
    workflow.request_create(
        actor=instructor, citation=anthologies, kind="digitization", page_ranges="1-10"
    )

    workflow.request_create(actor=instructor, citation=anthologies, kind="purchase")

    assert sorted(ProcessingRequest.objects.values_list("kind", "state")) == [
        ("digitization", "New"),
        ("purchase", "New"),
    ]


@pytest.mark.parametrize("closing", ["Done", "Rejected", "Cancelled"])
def test_a_closed_request_does_not_block_a_new_one(
    closing: str,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    default_rules: dict[str, Any],
) -> None:
    anthologies = item(sent_list, ANTHOLOGIES)
    first = workflow.request_create(
        actor=instructor, citation=anthologies, kind="digitization", page_ranges="1-10"
    )
    workflow.request_set_state(
        actor=librarian, request=first, state=closing, reason="Scanned elsewhere"
    )

    second = workflow.request_create(
        actor=instructor, citation=anthologies, kind="digitization", page_ranges="20-25"
    )

    assert list(
        ProcessingRequest.objects.order_by("id").values_list("pk", "state")
    ) == [(first.pk, closing), (second.pk, "New")]


def test_the_database_holds_one_open_request_per_kind_and_citation(
    sent_list: ReadingList, instructor: User
) -> None:
    anthologies = item(sent_list, ANTHOLOGIES)
    fields = {
        "citation": anthologies,
        "reading_list": sent_list,
        "kind": "reserves",
    }
    ProcessingRequest.objects.create(**fields, state="Done")
    ProcessingRequest.objects.create(**fields, state="InProgress")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessingRequest.objects.create(**fields, state="New")

    assert ProcessingRequest.objects.count() == 2


# --- requests: copyright rules ----------------------------------------------------------


def test_default_copyright_rules_approve_10_percent_or_one_chapter(
    default_rules: dict[str, Any],
) -> None:
    assert [
        (r.name, r.material_type, r.max_percent, r.max_chapters, r.outcome)
        for r in default_rules["copyright"]
    ] == [
        ("Up to 10% of a work", "", Decimal("10.00"), None, "Approved"),
        ("One chapter of a book", "book_chapter", None, 1, "Approved"),
    ]


def digitize(
    actor: User, citation: Citation, pages: str, total: int | None
) -> tuple[str, dict[str, Any]]:
    mark = last_event_id()
    workflow.request_create(
        actor=actor,
        citation=citation,
        kind="digitization",
        page_ranges=pages,
        total_pages=total,
    )
    copyright_event = Event.objects.get(id__gt=mark, verb="citation.copyright")
    return Citation.objects.get(pk=citation.pk).copyright_status, copyright_event.params


@pytest.mark.parametrize(
    ("title", "pages", "total", "outcome", "reason"),
    [
        (CANON, "1-20", 200, "Approved", "Up to 10% of a work"),
        (CANON, "1-10, 31-40", 200, "Approved", "Up to 10% of a work"),
        (CANON, "1-21", 200, "WaitingForApproval", "No rule approves it automatically"),
        (
            CANON,
            "1-20",
            None,
            "WaitingForApproval",
            "No rule approves it automatically",
        ),
        (ANTHOLOGIES, "45-90", 300, "Approved", "One chapter of a book"),
        (ANTHOLOGIES, "1-5", 100, "Approved", "Up to 10% of a work"),
    ],
)
def test_copyright_of_a_digitization_follows_the_default_rules(
    title: str,
    pages: str,
    total: int | None,
    outcome: str,
    reason: str,
    sent_list: ReadingList,
    instructor: User,
    default_rules: dict[str, Any],
) -> None:
    status, params = digitize(instructor, item(sent_list, title), pages, total)

    assert status == outcome
    assert params == {"from": "NotDetermined", "to": outcome, "reason": reason}


def test_copyright_rules_are_evaluated_in_order_first_match_wins(
    sent_list: ReadingList, instructor: User, default_rules: dict[str, Any]
) -> None:
    CopyrightRule.objects.update(position=5)
    CopyrightRule.objects.create(
        position=0,
        name="Old books need no clearance",
        material_type="book",
        published_before=1995,
        outcome=CopyrightStatus.NOT_REQUIRED,
    )

    status, params = digitize(instructor, item(sent_list, CANON), "1-5", 200)

    assert (status, params["reason"]) == ("NotRequired", "Old books need no clearance")


def test_a_disabled_copyright_rule_is_skipped(
    sent_list: ReadingList, instructor: User, default_rules: dict[str, Any]
) -> None:
    CopyrightRule.objects.filter(name="Up to 10% of a work").update(enabled=False)

    status, _params = digitize(instructor, item(sent_list, CANON), "1-5", 200)

    assert status == "WaitingForApproval"


def test_a_rule_on_the_publication_year_needs_a_year(
    sent_list: ReadingList, instructor: User, default_rules: dict[str, Any]
) -> None:
    CopyrightRule.objects.all().delete()
    CopyrightRule.objects.create(
        name="Before 1995", published_before=1995, outcome="NotRequired"
    )
    canon = item(sent_list, CANON)  # issued 1994
    Citation.objects.filter(pk=canon.pk).update(metadata=book(CANON, issued={}))

    status, _params = digitize(instructor, item(sent_list, CANON), "1-5", 200)

    assert status == "WaitingForApproval"


# --- requests: states ---------------------------------------------------------------------


@pytest.fixture
def purchase(sent_list: ReadingList, instructor: User) -> ProcessingRequest:
    return workflow.request_create(
        actor=instructor, citation=item(sent_list, GRAIN), kind="purchase", copies=3
    )


def test_a_request_moves_new_in_progress_done(
    purchase: ProcessingRequest, librarian: User
) -> None:
    mark = last_event_id()

    workflow.request_set_state(actor=librarian, request=purchase, state="InProgress")
    started = ProcessingRequest.objects.get()
    workflow.request_set_state(actor=librarian, request=purchase, state="Done")
    done = ProcessingRequest.objects.get()

    assert (started.state, started.assignee_id, started.closed_at) == (
        "InProgress",
        librarian.pk,
        None,
    )
    assert (done.state, done.assignee_id, done.version) == ("Done", librarian.pk, 3)
    assert done.closed_at is not None
    assert events_since(mark) == [
        (
            "request.state",
            "Purchase request: New → In progress",
            {"from": "New", "to": "InProgress", "reason": ""},
        ),
        (
            "request.state",
            "Purchase request: In progress → Done",
            {"from": "InProgress", "to": "Done", "reason": ""},
        ),
    ]


def test_starting_a_request_keeps_an_assignee_it_has(
    purchase: ProcessingRequest, librarian: User, other_librarian: User
) -> None:
    ProcessingRequest.objects.filter(pk=purchase.pk).update(assignee=other_librarian)

    workflow.request_set_state(actor=librarian, request=purchase, state="InProgress")

    assert ProcessingRequest.objects.get().assignee_id == other_librarian.pk


def test_rejecting_a_request_needs_a_reason(
    purchase: ProcessingRequest, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="^Say why the request is rejected.$"):
        workflow.request_set_state(
            actor=librarian, request=purchase, state="Rejected", reason=" "
        )

    assert snapshot() == before


def test_a_rejected_request_keeps_its_reason(
    purchase: ProcessingRequest, librarian: User
) -> None:
    workflow.request_set_state(
        actor=librarian, request=purchase, state="Rejected", reason=" Out of print "
    )

    stored = ProcessingRequest.objects.get()
    assert (stored.state, stored.outcome_reason) == ("Rejected", "Out of print")
    assert stored.closed_at is not None


@pytest.mark.parametrize(
    ("closed", "target", "message"),
    [
        (
            "Done",
            "InProgress",
            "Cannot change request state from Done to In progress; allowed: none.",
        ),
        (
            "Cancelled",
            "New",
            "Cannot change request state from Cancelled to New; allowed: none.",
        ),
    ],
)
def test_a_closed_request_cannot_move_again(
    closed: str,
    target: str,
    message: str,
    purchase: ProcessingRequest,
    librarian: User,
    snapshot: Any,
) -> None:
    workflow.request_set_state(actor=librarian, request=purchase, state=closed)
    before = snapshot()

    with pytest.raises(InvalidTransition) as refused:
        workflow.request_set_state(actor=librarian, request=purchase, state=target)

    assert str(refused.value) == message
    assert snapshot() == before


def test_an_illegal_request_transition_names_the_allowed_states(
    purchase: ProcessingRequest, librarian: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(InvalidTransition) as refused:
        workflow.request_set_state(actor=librarian, request=purchase, state="New")

    assert str(refused.value) == (
        "Cannot change request state from New to New; "
        "allowed: Cancelled, Done, In progress, Rejected."
    )
    assert snapshot() == before


def test_an_instructor_may_cancel_their_own_request(
    purchase: ProcessingRequest, instructor: User
) -> None:
    workflow.request_set_state(actor=instructor, request=purchase, state="Cancelled")

    assert ProcessingRequest.objects.get().state == "Cancelled"


@pytest.mark.parametrize("target", ["InProgress", "Done", "Rejected"])
def test_an_instructor_may_not_work_their_own_request(
    target: str, purchase: ProcessingRequest, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(
        ServiceError, match="^Only the library can change this request.$"
    ):
        workflow.request_set_state(
            actor=instructor, request=purchase, state=target, reason="Because"
        )

    assert snapshot() == before


def test_an_instructor_may_not_cancel_someone_elses_request(
    purchase: ProcessingRequest, collaborator_editor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(
        ServiceError, match="^Only the library can change this request.$"
    ):
        workflow.request_set_state(
            actor=collaborator_editor, request=purchase, state="Cancelled"
        )

    assert snapshot() == before


# --- discussion -----------------------------------------------------------------------


def test_an_instructor_message_alerts_the_library(
    sent_list: ReadingList, instructor: User
) -> None:
    mark = last_event_id()

    message = workflow.message_post(
        actor=instructor, reading_list=sent_list, body="  Please scan chapter 2.  "
    )

    stored = Message.objects.get()
    assert (
        stored.pk,
        stored.reading_list_id,
        stored.citation_id,
        stored.thread,
        stored.author_id,
        stored.by_library,
        stored.body,
    ) == (
        message.pk,
        sent_list.pk,
        None,
        Thread.LIBRARY,
        instructor.pk,
        False,
        "Please scan chapter 2.",
    )
    assert fresh(sent_list).library_alert_at is not None
    assert events_since(mark) == [
        ("message.post", "Wrote to the library", {"citation": None})
    ]


def test_a_library_message_raises_no_alert(
    sent_list: ReadingList, librarian: User
) -> None:
    mark = last_event_id()

    message = workflow.message_post(
        actor=librarian,
        reading_list=sent_list,
        citation=item(sent_list, ANTHOLOGIES),
        body="Which edition?",
    )

    assert message.by_library is True
    assert fresh(sent_list).library_alert_at is None
    assert events_since(mark) == [
        (
            "message.post",
            "Wrote to the instructors about “On Anthologies”",
            {"citation": item(sent_list, ANTHOLOGIES).pk},
        )
    ]


def test_an_instructor_message_emails_the_assigned_librarian_after_commit(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    immediate_tasks: None,
    outbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.message_post(
            actor=instructor,
            reading_list=sent_list,
            citation=item(sent_list, ANTHOLOGIES),
            body="Please scan chapter 2.",
        )
    assert (len(callbacks), outbox) == (1, [])

    callbacks[0]()

    assert [(m.to, m.subject, m.body) for m in outbox] == [
        (
            ["librarian@example.edu"],
            "[Lectio] New message on “Reading the Canon: core reading”",
            "Ines Instructor (On Anthologies):\n\nPlease scan chapter 2.\n",
        )
    ]


def test_an_instructor_message_on_an_unassigned_list_emails_nobody(
    sent_list: ReadingList,
    instructor: User,
    immediate_tasks: None,
    outbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workflow.message_post(actor=instructor, reading_list=sent_list, body="Hello")

    assert outbox == []


def test_a_library_message_emails_the_list_owners(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    collaborator_editor: User,
    course: Course,
    immediate_tasks: None,
    outbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    co_owner = UserFactory.create(username="co_owner", role=Role.INSTRUCTOR)
    services.collaborator_set(
        actor=instructor,
        reading_list=sent_list,
        user=co_owner,
        right=CollaboratorRight.OWNER,
    )
    assistant = UserFactory.create(username="assistant", role=Role.STUDENT)
    enrol(assistant, course, CourseRole.TEACHING_ASSISTANT)
    UserFactory.create(username="no_mail", email="", role=Role.INSTRUCTOR)
    processing.reading_list_take(actor=librarian, reading_list=sent_list)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.message_post(
            actor=librarian, reading_list=sent_list, body="The scans are ready."
        )

    assert sorted(m.to[0] for m in outbox) == [
        "assistant@example.edu",
        "co_owner@example.edu",
        "instructor@example.edu",
    ]
    assert {(m.subject, m.body) for m in outbox} == {
        (
            "[Lectio] New message on “Reading the Canon: core reading”",
            "Lia Librarian:\n\nThe scans are ready.\n",
        )
    }


def test_notify_recipients_sends_now_or_defers_to_the_digest(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    outbox: list[Any],
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)
    message = workflow.message_post(
        actor=instructor, reading_list=fresh(sent_list), body="First"
    )
    assert workflow.notify_recipients(message) == (1, 0)
    workflow.notification_preference_set(user=librarian, daily_digest=True)

    assert workflow.notify_recipients(message) == (0, 1)
    assert [m.body for m in outbox] == ["Ines Instructor:\n\nFirst\n"]
    assert list(PendingNotification.objects.values_list("user_id", "message_id")) == [
        (librarian.pk, message.pk)
    ]


def test_the_notification_task_sends_the_message(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    immediate_tasks: None,
    outbox: list[Any],
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)
    message = workflow.message_post(
        actor=instructor, reading_list=sent_list, body="Ping"
    )

    result = notify_message.enqueue(message.pk)

    assert (result.return_value, [m.to for m in outbox]) == (
        1,
        [["librarian@example.edu"]],
    )
    assert notify_message.enqueue(987654).return_value == 0


@pytest.fixture
def digest_messages(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    immediate_tasks: None,
    outbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> list[Message]:
    """Two messages to a librarian who reads a daily digest, notified as they would
    be after their transactions commit."""
    processing.reading_list_take(actor=librarian, reading_list=sent_list)
    NotificationPreference.objects.create(user=librarian, daily_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = workflow.message_post(
            actor=instructor, reading_list=sent_list, body="First question"
        )
        second = workflow.message_post(
            actor=instructor,
            reading_list=sent_list,
            citation=item(sent_list, GRAIN),
            body="Second question",
        )
    return [first, second]


def test_daily_digest_readers_get_no_email_per_message(
    digest_messages: list[Message], librarian: User, outbox: list[Any]
) -> None:
    assert outbox == []
    assert sorted(PendingNotification.objects.values_list("user_id", "message_id")) == [
        (librarian.pk, m.pk) for m in digest_messages
    ]


def test_daily_digest_collects_messages_into_one_email(
    digest_messages: list[Message], outbox: list[Any]
) -> None:
    assert workflow.send_digests() == 1

    assert [(m.to, m.subject, m.body) for m in outbox] == [
        (
            ["librarian@example.edu"],
            "[Lectio] 2 new messages",
            "Reading the Canon: core reading\nInes Instructor:\n\nFirst question\n"
            "\n---\n"
            "Reading the Canon: core reading\n"
            "Ines Instructor (Reading Against the Grain):\n\nSecond question\n",
        )
    ]
    assert PendingNotification.objects.count() == 0
    assert workflow.send_digests() == 0
    assert len(outbox) == 1


def test_the_digest_task_with_nothing_waiting_sends_nothing(
    librarian: User, immediate_tasks: None, outbox: list[Any]
) -> None:
    assert send_daily_digests.enqueue().return_value == 0
    assert outbox == []


def test_notification_preference_is_saved_and_changed(librarian: User) -> None:
    workflow.notification_preference_set(user=librarian, daily_digest=True)
    workflow.notification_preference_set(user=librarian, daily_digest=False)

    assert list(
        NotificationPreference.objects.values_list("user_id", "daily_digest")
    ) == [(librarian.pk, False)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a message first."),
        ("   \n ", "Write a message first."),
        ("x" * 10001, "Messages are limited to 10,000 characters."),
    ],
)
def test_empty_or_oversized_messages_are_refused(
    body: str, message: str, sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError) as refused:
        workflow.message_post(actor=instructor, reading_list=sent_list, body=body)

    assert str(refused.value) == message
    assert snapshot() == before


def test_a_message_of_exactly_10000_characters_is_accepted(
    sent_list: ReadingList, instructor: User
) -> None:
    workflow.message_post(actor=instructor, reading_list=sent_list, body="x" * 10000)

    assert len(Message.objects.get().body) == 10000


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_people_who_do_not_edit_the_list_cannot_post(
    who: str, request: Any, snapshot: Any
) -> None:
    reading_list = request.getfixturevalue("published_list")
    actor = request.getfixturevalue(who)
    before = snapshot()

    with pytest.raises(
        ServiceError, match="^You cannot take part in this discussion.$"
    ):
        workflow.message_post(actor=actor, reading_list=reading_list, body="Hi")

    assert snapshot() == before


def test_a_message_about_an_item_of_another_list_is_refused(
    sent_list: ReadingList, course: Course, instructor: User, snapshot: Any
) -> None:
    other = make_list(
        owner=instructor, courses=[course], citations=[{"title": "Elsewhere"}]
    )
    before = snapshot()

    with pytest.raises(ServiceError, match="^That item is on another list.$"):
        workflow.message_post(
            actor=instructor,
            reading_list=sent_list,
            citation=item(other, "Elsewhere"),
            body="Hi",
        )

    assert snapshot() == before


# --- changes after sending ----------------------------------------------------------------


def test_an_item_added_after_sending_is_ready_for_processing_and_alerts(
    sent_list: ReadingList, instructor: User
) -> None:
    added = add_citation(sent_list, actor=instructor, title="A late addition")

    assert added.status == CitationStatus.READY_FOR_PROCESSING
    assert fresh(sent_list).library_alert_at is not None
    assert Event.objects.get(verb="citation.add", target_id=added.pk).params == {
        "status": "ReadyForProcessing",
        "alert": True,
    }


def test_an_item_added_after_sending_waits_when_updates_are_not_sent_automatically(
    sent_list: ReadingList, instructor: User
) -> None:
    set_institution(send_updates_automatically=False)

    added = add_citation(sent_list, actor=instructor, title="A late addition")

    assert added.status == CitationStatus.BEING_PREPARED
    assert fresh(sent_list).library_alert_at is not None


def test_an_item_added_to_a_list_being_processed_alerts_the_library(
    sent_list: ReadingList, instructor: User, librarian: User
) -> None:
    processing.reading_list_start_processing(actor=librarian, reading_list=sent_list)

    added = add_citation(sent_list, actor=instructor, title="A late addition")

    assert added.status == CitationStatus.READY_FOR_PROCESSING
    assert fresh(sent_list).library_alert_at is not None


def test_an_item_edited_after_sending_alerts_the_library(
    sent_list: ReadingList, collaborator_editor: User
) -> None:
    grain = item(sent_list, GRAIN)

    services.citation_update(
        actor=collaborator_editor,
        citation=grain,
        expected_version=grain.version,
        material_type=grain.material_type,
        metadata={**grain.metadata, "title": "Reading Against the Grain (2nd ed.)"},
    )

    assert fresh(sent_list).library_alert_at is not None
    assert Event.objects.get(verb="citation.update").params == {"alert": True}


def test_an_item_removed_after_sending_alerts_the_library(
    sent_list: ReadingList, instructor: User
) -> None:
    services.citation_delete(actor=instructor, citation=item(sent_list, GRAIN))

    assert fresh(sent_list).library_alert_at is not None
    assert Event.objects.get(verb="citation.delete").params == {"alert": True}


def test_the_librarys_own_changes_raise_no_alert(
    sent_list: ReadingList, librarian: User
) -> None:
    added = add_citation(sent_list, actor=librarian, title="Added by the library")
    grain = item(sent_list, GRAIN)
    services.citation_update(
        actor=librarian,
        citation=grain,
        expected_version=grain.version,
        material_type=grain.material_type,
        metadata={**grain.metadata, "title": "Retitled"},
    )
    services.citation_delete(actor=librarian, citation=item(sent_list, CANON))

    assert added.status == CitationStatus.READY_FOR_PROCESSING
    assert fresh(sent_list).library_alert_at is None


def test_changes_to_a_list_not_sent_raise_no_alert(
    reading_list: ReadingList, instructor: User
) -> None:
    added = add_citation(reading_list, actor=instructor, title="Still preparing")
    services.citation_delete(actor=instructor, citation=item(reading_list, CANON))

    assert added.status == CitationStatus.BEING_PREPARED
    assert fresh(reading_list).library_alert_at is None


def test_an_item_added_to_a_completed_list_is_back_on_the_task_list(
    sent_list: ReadingList, instructor: User, librarian: User
) -> None:
    processing.reading_list_complete(
        actor=librarian, reading_list=sent_list, reason="Done for this term"
    )

    added = add_citation(sent_list, actor=instructor, title="A late addition")

    assert added.status == CitationStatus.READY_FOR_PROCESSING
    page = selectors.task_list(
        user=librarian, tab="all", filters=selectors.TaskFilters()
    )
    assert [row.pk for row in page.rows] == [sent_list.pk]


def test_looking_at_the_news_clears_the_alert(
    sent_list: ReadingList, instructor: User, librarian: User
) -> None:
    add_citation(sent_list, actor=instructor, title="A late addition")

    processing.reading_list_mark_seen(actor=librarian, reading_list=sent_list)

    stored = fresh(sent_list)
    assert stored.library_seen_at >= stored.library_alert_at


# --- status rules for new items -----------------------------------------------------------


def test_a_status_rule_makes_new_websites_start_complete(
    reading_list: ReadingList, instructor: User
) -> None:
    CitationStatusRule.objects.create(material_type="website", status="Complete")

    website = add_citation(
        reading_list,
        actor=instructor,
        title="A web page",
        material_type="website",
        metadata={"type": "webpage", "title": "A web page", "URL": "https://x.test/"},
    )
    other = add_citation(reading_list, actor=instructor, title="A book")

    assert (website.status, other.status) == ("Complete", "BeingPrepared")


def test_a_status_rule_applies_on_a_list_with_the_library_too(
    sent_list: ReadingList, instructor: User
) -> None:
    CitationStatusRule.objects.create(material_type="website", status="Complete")

    website = add_citation(
        sent_list,
        actor=instructor,
        title="A web page",
        material_type="website",
        metadata={"type": "webpage", "title": "A web page"},
    )

    assert website.status == "Complete"


def test_a_status_rule_on_open_access_matches_open_access_items_only(
    reading_list: ReadingList, instructor: User
) -> None:
    CitationStatusRule.objects.create(availability="open_access", status="Complete")

    open_item = add_citation(
        reading_list,
        actor=instructor,
        title="Open",
        material_type="article",
        metadata={
            "type": "article-journal",
            "title": "Open",
            "lectio": {"open_access": True},
        },
    )
    closed_item = add_citation(
        reading_list, actor=instructor, title="Closed", material_type="article"
    )

    assert (open_item.status, closed_item.status) == ("Complete", "BeingPrepared")


def test_status_rules_first_match_wins_and_disabled_rules_are_skipped(
    reading_list: ReadingList, instructor: User
) -> None:
    CitationStatusRule.objects.create(
        position=0, material_type="book", status="Complete", enabled=False
    )
    CitationStatusRule.objects.create(
        position=1, material_type="book", status="InProcess"
    )
    CitationStatusRule.objects.create(position=2, status="Complete")

    book_item = add_citation(reading_list, actor=instructor, title="A book")
    video = add_citation(
        reading_list,
        actor=instructor,
        title="A film",
        material_type="video",
        metadata={"type": "motion_picture", "title": "A film"},
    )

    assert (book_item.status, video.status) == ("InProcess", "Complete")


def test_an_explicit_status_wins_over_the_rules(
    reading_list: ReadingList, instructor: User
) -> None:
    CitationStatusRule.objects.create(material_type="website", status="Complete")

    website = add_citation(
        reading_list,
        actor=instructor,
        title="A web page",
        material_type="website",
        metadata={"type": "webpage", "title": "A web page"},
        status="BeingPrepared",
    )

    assert website.status == "BeingPrepared"
