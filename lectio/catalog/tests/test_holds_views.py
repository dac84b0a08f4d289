"""The hold pages: placing from the form, my holds, the library's queue (filters,
paging, actions, query count), the reserves page; bad input shown, nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from lectio.accounts.models import User
from lectio.catalog import holds, reserves
from lectio.catalog.models import (
    CourseReserve,
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    PickupLocation,
    Record,
)
from lectio.core.factories import UserFactory
from lectio.courses.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> Record:
    record = Record.objects.create(
        control_number="v1", title="Borrowed Time", author="Ann Author"
    )
    Item.objects.create(record=record, barcode="V1", location="Stacks")
    return record


@pytest.fixture
def desk() -> PickupLocation:
    return PickupLocation.objects.create(code="MAIN", name="Main desk")


def test_hold_form_lists_open_pickup_locations(
    student: User, record: Record, desk: PickupLocation, client_for: Any
) -> None:
    PickupLocation.objects.create(code="OLD", name="Closed branch", active=False)
    body = (
        client_for(student)
        .get(reverse("catalog:hold_place", args=[record.pk]))
        .content.decode()
    )
    assert "Borrowed Time" in body and "Main desk" in body
    assert "Closed branch" not in body
    assert '<label for="id_pickup_location">' in body


def test_placing_from_the_form_then_seeing_it(
    student: User, record: Record, desk: PickupLocation, client_for: Any
) -> None:
    client = client_for(student)
    response = client.post(
        reverse("catalog:hold_place", args=[record.pk]),
        {"pickup_location": desk.pk, "note": "Any edition"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:my_holds")
    body = client.get(reverse("catalog:my_holds")).content.decode()
    assert "Borrowed Time" in body and "Requested" in body and "Main desk" in body
    assert "Cancel hold" in body


def test_a_closed_pickup_location_is_a_field_error(
    student: User, record: Record, desk: PickupLocation, client_for: Any
) -> None:
    closed = PickupLocation.objects.create(code="OLD", name="Closed", active=False)
    response = client_for(student).post(
        reverse("catalog:hold_place", args=[record.pk]),
        {"pickup_location": closed.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Hold.objects.exists()


def test_the_form_says_when_a_hold_is_open_or_there_is_no_copy(
    student: User, record: Record, desk: PickupLocation, client_for: Any
) -> None:
    holds.hold_place(actor=student, record=record, pickup_location=desk)
    client = client_for(student)
    body = client.get(reverse("catalog:hold_place", args=[record.pk])).content.decode()
    assert "You already have a hold on this title" in body
    response = client.post(
        reverse("catalog:hold_place", args=[record.pk]), {"pickup_location": desk.pk}
    )
    assert "You already have a hold on this title" in response.content.decode()
    assert Hold.objects.count() == 1
    bare = Record.objects.create(control_number="v2", title="Bare")
    body = client.get(reverse("catalog:hold_place", args=[bare.pk])).content.decode()
    assert "no copy of this title" in body


def test_cancel_with_a_stale_version_says_so(
    student: User, record: Record, desk: PickupLocation, client_for: Any
) -> None:
    hold = holds.hold_place(actor=student, record=record, pickup_location=desk)
    client = client_for(student)
    response = client.post(
        reverse("catalog:hold_cancel", args=[hold.pk]), {"version": 7}, follow=True
    )
    assert "Someone else changed this" in response.content.decode()
    assert Hold.objects.get().status == HoldStatus.REQUESTED
    response = client.post(
        reverse("catalog:hold_cancel", args=[hold.pk]), {"version": "x"}, follow=True
    )
    assert "Reload the page" in response.content.decode()
    client.post(reverse("catalog:hold_cancel", args=[hold.pk]), {"version": 1})
    assert Hold.objects.get().status == HoldStatus.CANCELLED
    body = client.get(reverse("catalog:my_holds")).content.decode()
    assert "Earlier holds" in body and "You have no open holds." in body


def _many_holds(n: int, record: Record, desk: PickupLocation) -> list[User]:
    people = [UserFactory.create(username=f"reader{i}") for i in range(n)]
    for person in people:
        Hold.objects.create(record=record, requester=person, pickup_location=desk)
    return people


def test_queue_filters_and_pages(
    librarian: User,
    record: Record,
    desk: PickupLocation,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    branch = PickupLocation.objects.create(code="BR", name="Branch")
    _many_holds(30, record, desk)
    Hold.objects.filter(requester__username="reader0").update(pickup_location=branch)
    Hold.objects.filter(requester__username="reader1").update(
        status=HoldStatus.FULFILLED
    )
    client = client_for(librarian)
    url = reverse("catalog:hold_queue")
    with django_assert_max_num_queries(9):
        body = client.get(url).content.decode()
    assert "Page 1 of 2 (29 holds)" in body
    assert body.count('name="version"') == 25
    body = client.get(url, {"page": 2}).content.decode()
    assert body.count('name="version"') == 4
    body = client.get(url, {"pickup": branch.pk}).content.decode()
    assert "Page 1 of 1 (1 hold)" in body
    body = client.get(url, {"status": "fulfilled"}).content.decode()
    assert "(1 hold)" in body
    body = client.get(url, {"status": "all"}).content.decode()
    assert "(30 holds)" in body
    # Nonsense in the query string is ignored, not an error.
    response = client.get(url, {"status": "teleport", "pickup": "x", "page": "zz"})
    assert response.status_code == 200


def test_queue_query_count_does_not_grow_with_the_page(
    librarian: User,
    desk: PickupLocation,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(25):
        record = Record.objects.create(control_number=f"q{n}", title=f"Title {n}")
        Item.objects.create(record=record, barcode=f"Q{n}")
        Hold.objects.create(
            record=record,
            requester=UserFactory.create(username=f"q{n}"),
            pickup_location=desk,
        )
    client = client_for(librarian)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("catalog:hold_queue"))
    assert response.content.decode().count('name="version"') == 25


def test_queue_actions_ready_and_refusals(
    student: User,
    librarian: User,
    record: Record,
    desk: PickupLocation,
    client_for: Any,
) -> None:
    hold = holds.hold_place(actor=student, record=record, pickup_location=desk)
    client = client_for(librarian)
    url = reverse("catalog:hold_status", args=[hold.pk])
    queue = reverse("catalog:hold_queue")
    # Stale version.
    response = client.post(url, {"version": 3, "status": "ready"}, follow=True)
    assert "Someone else changed this" in response.content.decode()
    # Unknown status, unknown copy, rejection without a reason.
    response = client.post(url, {"version": 1, "status": "teleport"}, follow=True)
    assert "Choose what to do" in response.content.decode()
    response = client.post(
        url, {"version": 1, "status": "ready", "item": 999999}, follow=True
    )
    assert "no longer exists" in response.content.decode()
    response = client.post(url, {"version": 1, "status": "rejected"}, follow=True)
    assert "Say why" in response.content.decode()
    assert Hold.objects.get().status == HoldStatus.REQUESTED
    # Then the real thing, back to where the librarian was.
    response = client.post(
        url, {"version": 1, "status": "ready", "next": queue + "?status=open"}
    )
    assert response["Location"] == queue + "?status=open"
    assert Hold.objects.get().status == HoldStatus.READY
    assert Item.objects.get().status == ItemStatus.ON_HOLD_SHELF
    # Not from the start again: fulfilled is next, requested -> fulfilled is not.
    response = client.post(url, {"version": 2, "status": "ready"}, follow=True)
    assert "Cannot change hold status" in response.content.decode()
    # An outside address in `next` is ignored.
    response = client.post(
        url, {"version": 2, "status": "fulfilled", "next": "https://evil.example/"}
    )
    assert response["Location"] == queue
    assert Hold.objects.get().status == HoldStatus.FULFILLED


def test_student_sees_ready_for_pickup(
    student: User,
    librarian: User,
    record: Record,
    desk: PickupLocation,
    client_for: Any,
) -> None:
    hold = holds.hold_place(actor=student, record=record, pickup_location=desk)
    holds.hold_set_status(
        actor=librarian, hold=hold, status=HoldStatus.READY, expected_version=1
    )
    body = client_for(student).get(reverse("catalog:my_holds")).content.decode()
    assert "Ready for pickup" in body and "Copy V1" in body


def test_reserves_page_and_ending_one(
    librarian: User,
    record: Record,
    course: Course,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        extra = Item.objects.create(record=record, barcode=f"E{n}", location="Annex")
        reserves.reserve_place(actor=librarian, item=extra, course=course)
    reserve = reserves.reserve_place(
        actor=librarian, item=Item.objects.get(barcode="V1"), course=course
    )
    client = client_for(librarian)
    with django_assert_max_num_queries(7):
        body = client.get(reverse("catalog:library_reserves")).content.decode()
    assert body.count("End reserve") == 6 and "LIT101" in body
    end = reverse("catalog:reserve_end", args=[reserve.pk])
    response = client.post(end, {"reason": ""}, follow=True)
    assert "Say why" in response.content.decode()
    assert CourseReserve.objects.get(pk=reserve.pk).active is True
    client.post(end, {"reason": "Instructor asked"})
    assert CourseReserve.objects.get(pk=reserve.pk).active is False
    assert Item.objects.get(barcode="V1").location == "Stacks"
    response = client.post(end, {"reason": "Again"}, follow=True)
    assert "ended already" in response.content.decode()
    body = client.get(
        reverse("catalog:library_reserves"), {"show": "ended"}
    ).content.decode()
    assert "V1" in body and "End reserve" not in body


def test_my_holds_query_count_does_not_grow(
    student: User,
    desk: PickupLocation,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(20):
        record = Record.objects.create(control_number=f"m{n}", title=f"Mine {n}")
        item = Item.objects.create(record=record, barcode=f"M{n}")
        Hold.objects.create(
            record=record,
            requester=student,
            pickup_location=desk,
            item=item,
            status=HoldStatus.READY if n % 2 else HoldStatus.FULFILLED,
        )
    client = client_for(student)
    with django_assert_max_num_queries(4):
        body = client.get(reverse("catalog:my_holds")).content.decode()
    assert body.count("Cancel hold") == 10
    assert body.count("Collected") == 10
