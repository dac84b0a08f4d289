"""Moving to reserves from a request, and ending reserves that nothing needs: the
services, the page, and the `lectio end-reserves` command."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lectio.accounts.models import User
from lectio.catalog import reserves as catalog_reserves
from lectio.catalog.models import CourseReserve, Item, Record
from lectio.core.factories import CourseFactory, make_list
from lectio.courses.models import Course
from lectio.lists import services as list_services
from lectio.lists.models import Citation, ReadingList
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CitationStatus, ListStatus
from lectio.workflow import reserves
from lectio.workflow import services as workflow
from lectio.workflow.models import ProcessingRequest, RequestState

from .conftest import item as citation_titled

BOOK = "The Canon and Its Critics"


@pytest.fixture
def record(db: None) -> Record:
    record = Record.objects.create(control_number="w1", title=BOOK)
    Item.objects.create(
        record=record, barcode="W1", location="Stacks", loan_policy="4-week loan"
    )
    Item.objects.create(record=record, barcode="W2", location="Annex")
    return record


@pytest.fixture
def linked(sent_list: ReadingList, record: Record) -> Citation:
    citation = citation_titled(sent_list, BOOK)
    Citation.objects.filter(pk=citation.pk).update(catalog_record=record)
    citation.refresh_from_db()
    return citation


@pytest.fixture
def reserves_request(linked: Citation, instructor: User) -> ProcessingRequest:
    return workflow.request_create(actor=instructor, citation=linked, kind="reserves")


def _item(barcode: str) -> Item:
    return Item.objects.get(barcode=barcode)


def test_put_on_reserve_completes_the_request(
    reserves_request: ProcessingRequest, librarian: User, course: Course
) -> None:
    reserve = reserves.request_put_on_reserve(
        actor=librarian,
        request=reserves_request,
        course=course,
        item=_item("W1"),
    )
    stored = CourseReserve.objects.get()
    assert (stored.pk, stored.request_id, stored.course_id) == (
        reserve.pk,
        reserves_request.pk,
        course.pk,
    )
    assert (stored.original_location, stored.original_loan_policy) == (
        "Stacks",
        "4-week loan",
    )
    assert (_item("W1").location, _item("W1").loan_policy) == (
        "Course reserves",
        "2-hour loan",
    )
    request = ProcessingRequest.objects.get()
    assert request.state == RequestState.DONE
    assert "LIT101" in request.outcome_reason and "W1" in request.outcome_reason


def test_purchase_request_with_overridden_values(
    linked: Citation, instructor: User, librarian: User, course: Course
) -> None:
    request = workflow.request_create(
        actor=instructor, citation=linked, kind="purchase", copies=1
    )
    reserves.request_put_on_reserve(
        actor=librarian,
        request=request,
        course=course,
        item=_item("W2"),
        reserve_location="Short loan desk",
        reserve_loan_policy="1-day loan",
    )
    assert (_item("W2").location, _item("W2").loan_policy) == (
        "Short loan desk",
        "1-day loan",
    )
    assert ProcessingRequest.objects.get().state == RequestState.DONE


def _refused(
    request: ProcessingRequest, librarian: User, message: str, **kwargs: Any
) -> None:
    before = ProcessingRequest.objects.get(pk=request.pk).state
    with pytest.raises(ServiceError, match=message):
        reserves.request_put_on_reserve(actor=librarian, request=request, **kwargs)
    assert not CourseReserve.objects.exists()
    assert ProcessingRequest.objects.get(pk=request.pk).state == before
    assert _item("W1").location == "Stacks"


def test_a_course_outside_the_list_is_refused(
    reserves_request: ProcessingRequest, librarian: User, other_course: Course
) -> None:
    _refused(
        reserves_request,
        librarian,
        "list's courses",
        course=other_course,
        item=_item("W1"),
    )


def test_a_copy_of_another_title_is_refused(
    reserves_request: ProcessingRequest, librarian: User, course: Course
) -> None:
    other = Record.objects.create(control_number="w2", title="Other")
    Item.objects.create(record=other, barcode="X9")
    _refused(
        reserves_request,
        librarian,
        "another title",
        course=course,
        barcode="X9",
    )


def test_no_copy_chosen_is_refused(
    reserves_request: ProcessingRequest, librarian: User, course: Course
) -> None:
    _refused(reserves_request, librarian, "Choose the copy", course=course)


def test_an_unknown_barcode_is_refused(
    reserves_request: ProcessingRequest, librarian: User, course: Course
) -> None:
    _refused(
        reserves_request,
        librarian,
        "No copy has the barcode",
        course=course,
        barcode="NOPE",
    )


def test_unlinked_citation_needs_a_barcode(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    course: Course,
    record: Record,
) -> None:
    citation = citation_titled(sent_list, "On Anthologies")
    request = workflow.request_create(
        actor=instructor, citation=citation, kind="reserves"
    )
    _refused(request, librarian, "Link the citation", course=course)
    reserves.request_put_on_reserve(
        actor=librarian, request=request, course=course, barcode=" W1 "
    )
    assert CourseReserve.objects.get().item.barcode == "W1"


def test_other_kinds_and_closed_requests_are_refused(
    linked: Citation,
    instructor: User,
    librarian: User,
    course: Course,
    reserves_request: ProcessingRequest,
) -> None:
    digitization = workflow.request_create(
        actor=instructor, citation=linked, kind="digitization", page_ranges="1-5"
    )
    _refused(digitization, librarian, "Only reserves", course=course, item=_item("W1"))
    workflow.request_set_state(
        actor=librarian, request=reserves_request, state=RequestState.CANCELLED
    )
    _refused(
        reserves_request,
        librarian,
        "cancelled already",
        course=course,
        item=_item("W1"),
    )


def test_only_the_library_puts_on_reserve(
    reserves_request: ProcessingRequest, instructor: User, course: Course
) -> None:
    _refused(
        reserves_request,
        instructor,
        "Only the library",
        course=course,
        item=_item("W1"),
    )


def test_already_on_reserve_for_the_course_is_refused_and_the_request_stays_open(
    reserves_request: ProcessingRequest, librarian: User, course: Course
) -> None:
    catalog_reserves.reserve_place(actor=librarian, item=_item("W1"), course=course)
    with pytest.raises(ServiceError, match="already on reserve"):
        reserves.request_put_on_reserve(
            actor=librarian, request=reserves_request, course=course, item=_item("W1")
        )
    assert ProcessingRequest.objects.get().state == RequestState.NEW
    assert CourseReserve.objects.count() == 1


# --- the page ----------------------------------------------------------------------


def test_page_offers_the_copies_and_the_courses(
    reserves_request: ProcessingRequest, librarian: User, client_for: Any
) -> None:
    response = client_for(librarian).get(
        reverse("workflow:request_reserve", args=[reserves_request.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "W1 · Available · Stacks" in body and "W2" in body
    assert "LIT101" in body
    assert 'value="Course reserves"' in body and 'value="2-hour loan"' in body


def test_page_puts_on_reserve(
    reserves_request: ProcessingRequest,
    librarian: User,
    course: Course,
    client_for: Any,
) -> None:
    response = client_for(librarian).post(
        reverse("workflow:request_reserve", args=[reserves_request.pk]),
        {
            "item": str(_item("W2").pk),
            "course": str(course.pk),
            "reserve_location": "Course reserves",
            "reserve_loan_policy": "3-hour loan",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("workflow:work", args=[reserves_request.reading_list_id])
    )
    assert _item("W2").loan_policy == "3-hour loan"
    assert ProcessingRequest.objects.get().state == RequestState.DONE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a copy or enter its barcode"),
        ({"item": "999999"}, "Select a valid choice"),
        ({"barcode": "NOPE"}, "No copy has the barcode"),
        ({"item": "W1", "reserve_location": ""}, "This field is required"),
    ],
)
def test_page_bad_input_is_shown_and_nothing_changes(
    reserves_request: ProcessingRequest,
    librarian: User,
    course: Course,
    client_for: Any,
    data: dict[str, str],
    message: str,
) -> None:
    post = {
        "course": str(course.pk),
        "reserve_location": "Course reserves",
        "reserve_loan_policy": "2-hour loan",
        **data,
    }
    if post.get("item") == "W1":
        post["item"] = str(_item("W1").pk)
    response = client_for(librarian).post(
        reverse("workflow:request_reserve", args=[reserves_request.pk]), post
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CourseReserve.objects.exists()
    assert ProcessingRequest.objects.get().state == RequestState.NEW


def test_page_for_an_unknown_request_is_404(librarian: User, client_for: Any) -> None:
    response = client_for(librarian).get(
        reverse("workflow:request_reserve", args=[999999])
    )
    assert response.status_code == 404


def test_page_for_an_unlinked_citation_says_so(
    sent_list: ReadingList, instructor: User, librarian: User, client_for: Any
) -> None:
    citation = citation_titled(sent_list, "On Anthologies")
    request = workflow.request_create(
        actor=instructor, citation=citation, kind="reserves"
    )
    body = (
        client_for(librarian)
        .get(reverse("workflow:request_reserve", args=[request.pk]))
        .content.decode()
    )
    assert "link the citation to a catalog record first" in body
    assert "The copy&#x27;s barcode" in body or "The copy's barcode" in body


# --- ending ----------------------------------------------------------------------


@pytest.fixture
def placed(
    reserves_request: ProcessingRequest, librarian: User, course: Course
) -> CourseReserve:
    return reserves.request_put_on_reserve(
        actor=librarian, request=reserves_request, course=course, item=_item("W1")
    )


def test_still_listed_reserve_stays(placed: CourseReserve) -> None:
    assert reserves.reserves_end_unlisted() == 0
    assert CourseReserve.objects.get().active is True


def test_citation_deleted_ends_the_reserve(
    placed: CourseReserve, linked: Citation, instructor: User
) -> None:
    list_services.citation_delete(actor=instructor, citation=linked)
    assert reserves.reserves_end_unlisted() == 1
    assert CourseReserve.objects.get().active is False
    assert (_item("W1").location, _item("W1").loan_policy) == (
        "Stacks",
        "4-week loan",
    )


def test_citation_inactive_ends_the_reserve(
    placed: CourseReserve, linked: Citation
) -> None:
    Citation.objects.filter(pk=linked.pk).update(status=CitationStatus.INACTIVE)
    assert reserves.reserves_end_unlisted() == 1
    assert _item("W1").location == "Stacks"


def test_list_inactive_ends_the_reserve(
    placed: CourseReserve, sent_list: ReadingList
) -> None:
    ReadingList.objects.filter(pk=sent_list.pk).update(status=ListStatus.INACTIVE)
    assert reserves.reserves_end_unlisted() == 1


def test_another_list_of_the_course_keeps_the_reserve(
    placed: CourseReserve,
    linked: Citation,
    instructor: User,
    course: Course,
    record: Record,
) -> None:
    second = make_list(
        owner=instructor, courses=[course], citations=[{"title": "Copy of it"}]
    )
    Citation.objects.filter(reading_list=second).update(catalog_record=record)
    list_services.citation_delete(actor=instructor, citation=linked)
    assert reserves.reserves_end_unlisted() == 0
    assert CourseReserve.objects.get().active is True


def test_a_list_of_another_course_does_not_keep_it(
    placed: CourseReserve,
    linked: Citation,
    instructor: User,
    record: Record,
) -> None:
    elsewhere = CourseFactory.create(code="ELS1")
    other_list = make_list(
        owner=instructor, courses=[elsewhere], citations=[{"title": "Same book"}]
    )
    Citation.objects.filter(reading_list=other_list).update(catalog_record=record)
    list_services.citation_delete(actor=instructor, citation=linked)
    assert reserves.reserves_end_unlisted() == 1


def test_end_reserves_command_course_ended_and_item_left_the_list(
    placed: CourseReserve,
    librarian: User,
    instructor: User,
    record: Record,
    linked: Citation,
) -> None:
    ended = CourseFactory.create(code="OLD9", end_date=datetime.date(2026, 1, 31))
    old_list = make_list(
        owner=instructor, courses=[ended], citations=[{"title": "Old"}]
    )
    Citation.objects.filter(reading_list=old_list).update(catalog_record=record)
    catalog_reserves.reserve_place(actor=librarian, item=_item("W2"), course=ended)
    list_services.citation_delete(actor=instructor, citation=linked)
    out = StringIO()
    call_command("end_reserves", "--today", "2026-06-01", stdout=out)
    assert out.getvalue().strip() == (
        "Ended 2 reserves: 1 of ended courses, 1 no longer on a list of the course."
    )
    assert not CourseReserve.objects.filter(active=True).exists()
    assert {(i.barcode, i.location) for i in Item.objects.all()} == {
        ("W1", "Stacks"),
        ("W2", "Annex"),
    }
    out = StringIO()
    call_command("end_reserves", stdout=out)
    assert out.getvalue().startswith("Ended 0 reserves")


def test_end_reserves_command_refuses_a_bad_date(db: None) -> None:
    with pytest.raises(CommandError, match="--today"):
        call_command("end_reserves", "--today", "31/12/2026")


def test_end_reserves_job_runs(placed: CourseReserve, linked: Citation) -> None:
    Citation.objects.filter(pk=linked.pk).delete()
    assert reserves.end_reserves_job.call() == 1


def test_work_page_and_queue_offer_put_on_reserve(
    reserves_request: ProcessingRequest,
    linked: Citation,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    client_for: Any,
) -> None:
    unlinked = citation_titled(sent_list, "On Anthologies")
    purchase = workflow.request_create(
        actor=instructor, citation=unlinked, kind="purchase", copies=1
    )
    client = client_for(librarian)
    body = client.get(reverse("workflow:work", args=[sent_list.pk])).content.decode()
    assert reverse("workflow:request_reserve", args=[reserves_request.pk]) in body
    # A purchase of an item not in the catalog yet is offered from the queue only.
    assert reverse("workflow:request_reserve", args=[purchase.pk]) not in body
    body = client.get(reverse("workflow:queue", args=["purchase"])).content.decode()
    assert reverse("workflow:request_reserve", args=[purchase.pk]) in body


def test_a_reserve_by_barcode_stays_while_its_citation_is_listed(
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    course: Course,
    record: Record,
) -> None:
    unlinked = citation_titled(sent_list, "On Anthologies")
    request = workflow.request_create(
        actor=instructor, citation=unlinked, kind="reserves"
    )
    reserves.request_put_on_reserve(
        actor=librarian, request=request, course=course, barcode="W1"
    )
    # Not linked to the record, but the citation the request was for is listed.
    assert reserves.reserves_end_unlisted() == 0
    list_services.citation_set_status(
        actor=librarian, citation=unlinked, status=CitationStatus.INACTIVE
    )
    assert reserves.reserves_end_unlisted() == 1
    assert _item("W1").location == "Stacks"
