"""Course reserve services: placing keeps the originals, ending restores them, two
courses sharing a copy, refusals, ended courses."""

from __future__ import annotations

import datetime

import pytest

from lectio.accounts.models import User
from lectio.catalog import reserves
from lectio.catalog.models import CourseReserve, Item, Record
from lectio.catalog.reserves import ReserveError
from lectio.core.factories import CourseFactory
from lectio.core.models import Event
from lectio.courses.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def item() -> Item:
    record = Record.objects.create(control_number="r1", title="On Reserve")
    return Item.objects.create(
        record=record, barcode="R1", location="Stacks", loan_policy="4-week loan"
    )


def _values(item: Item) -> tuple[str, str]:
    stored = Item.objects.get(pk=item.pk)
    return stored.location, stored.loan_policy


def test_place_keeps_the_originals_and_sets_the_reserve_values(
    librarian: User, item: Item, course: Course
) -> None:
    reserve = reserves.reserve_place(
        actor=librarian, item=item, course=course, request_id=42
    )
    stored = CourseReserve.objects.get()
    assert (
        stored.pk,
        stored.original_location,
        stored.original_loan_policy,
        stored.reserve_location,
        stored.reserve_loan_policy,
        stored.request_id,
        stored.placed_by_id,
        stored.active,
    ) == (
        reserve.pk,
        "Stacks",
        "4-week loan",
        "Course reserves",
        "2-hour loan",
        42,
        librarian.pk,
        True,
    )
    assert _values(item) == ("Course reserves", "2-hour loan")
    assert Item.objects.get(pk=item.pk).version == 2
    assert Record.objects.get(pk=item.record_id).on_reserve is True
    assert Event.objects.get(verb="reserve.place").params["original_location"] == (
        "Stacks"
    )


def test_end_restores_the_originals(
    librarian: User, item: Item, course: Course
) -> None:
    reserve = reserves.reserve_place(
        actor=librarian,
        item=item,
        course=course,
        reserve_location="Short loan desk",
        reserve_loan_policy="1-day loan",
    )
    reserves.reserve_end(actor=librarian, reserve=reserve, reason="Course over")
    stored = CourseReserve.objects.get()
    assert (stored.active, stored.ended_at is not None) == (False, True)
    assert _values(item) == ("Stacks", "4-week loan")
    assert Record.objects.get(pk=item.record_id).on_reserve is False
    event = Event.objects.get(verb="reserve.end")
    assert (event.params["restored"], event.params["reason"]) == (True, "Course over")


def test_two_courses_share_a_copy_and_the_first_originals_are_kept(
    librarian: User, item: Item, course: Course, other_course: Course
) -> None:
    first = reserves.reserve_place(actor=librarian, item=item, course=course)
    second = reserves.reserve_place(
        actor=librarian,
        item=item,
        course=other_course,
        reserve_location="History reserves",
        reserve_loan_policy="3-hour loan",
    )
    second.refresh_from_db()
    # Not "Course reserves": the copy's state before its first reserve.
    assert (second.original_location, second.original_loan_policy) == (
        "Stacks",
        "4-week loan",
    )
    assert _values(item) == ("History reserves", "3-hour loan")
    reserves.reserve_end(actor=librarian, reserve=second, reason="Dropped")
    # The first reserve still holds the copy: its values, not the originals.
    assert _values(item) == ("Course reserves", "2-hour loan")
    assert Record.objects.get(pk=item.record_id).on_reserve is True
    reserves.reserve_end(actor=librarian, reserve=first, reason="Term over")
    assert _values(item) == ("Stacks", "4-week loan")
    assert Record.objects.get(pk=item.record_id).on_reserve is False


def test_first_ended_before_the_second_restores_the_originals_at_the_end(
    librarian: User, item: Item, course: Course, other_course: Course
) -> None:
    first = reserves.reserve_place(actor=librarian, item=item, course=course)
    second = reserves.reserve_place(actor=librarian, item=item, course=other_course)
    reserves.reserve_end(actor=librarian, reserve=first, reason="Over")
    assert _values(item) == ("Course reserves", "2-hour loan")
    reserves.reserve_end(actor=librarian, reserve=second, reason="Over")
    assert _values(item) == ("Stacks", "4-week loan")
    # Placed again later: the originals are read from the copy again.
    third = reserves.reserve_place(actor=librarian, item=item, course=course)
    assert (third.original_location, third.original_loan_policy) == (
        "Stacks",
        "4-week loan",
    )


def test_the_same_course_twice_is_refused(
    librarian: User, item: Item, course: Course
) -> None:
    reserves.reserve_place(actor=librarian, item=item, course=course)
    with pytest.raises(ReserveError, match="already on reserve for LIT101"):
        reserves.reserve_place(
            actor=librarian, item=item, course=course, reserve_location="Elsewhere"
        )
    assert CourseReserve.objects.count() == 1
    assert _values(item) == ("Course reserves", "2-hour loan")


@pytest.mark.parametrize(
    ("location", "policy", "message"),
    [
        ("", "2-hour loan", "reserve location"),
        ("Desk", "   ", "loan policy"),
        ("x" * 101, "2-hour loan", "limited"),
    ],
)
def test_bad_values_are_refused(
    librarian: User,
    item: Item,
    course: Course,
    location: str,
    policy: str,
    message: str,
) -> None:
    with pytest.raises(ReserveError, match=message):
        reserves.reserve_place(
            actor=librarian,
            item=item,
            course=course,
            reserve_location=location,
            reserve_loan_policy=policy,
        )
    assert not CourseReserve.objects.exists()
    assert _values(item) == ("Stacks", "4-week loan")


def test_only_the_library_places_and_ends(
    librarian: User, instructor: User, student: User, item: Item, course: Course
) -> None:
    for someone in (instructor, student):
        with pytest.raises(ReserveError, match="Only the library"):
            reserves.reserve_place(actor=someone, item=item, course=course)
    reserve = reserves.reserve_place(actor=librarian, item=item, course=course)
    with pytest.raises(ReserveError, match="Only the library"):
        reserves.reserve_end(actor=instructor, reserve=reserve, reason="No")
    assert CourseReserve.objects.get().active is True


def test_ending_twice_or_without_a_reason_is_refused(
    librarian: User, item: Item, course: Course
) -> None:
    reserve = reserves.reserve_place(actor=librarian, item=item, course=course)
    with pytest.raises(ReserveError, match="Say why"):
        reserves.reserve_end(actor=librarian, reserve=reserve, reason=" ")
    assert CourseReserve.objects.get().active is True
    reserves.reserve_end(actor=librarian, reserve=reserve, reason="Over")
    with pytest.raises(ReserveError, match="ended already"):
        reserves.reserve_end(actor=librarian, reserve=reserve, reason="Over")
    assert Event.objects.filter(verb="reserve.end").count() == 1


def test_ended_courses_lose_their_reserves(librarian: User, item: Item) -> None:
    today = datetime.date(2026, 12, 20)
    ended = CourseFactory.create(code="OLD1", end_date=datetime.date(2026, 12, 19))
    running = CourseFactory.create(code="NOW1", end_date=today)
    open_ended = CourseFactory.create(code="ANY1", end_date=None)
    other = Item.objects.create(record=item.record, barcode="R2", location="Annex")
    reserves.reserve_place(actor=librarian, item=item, course=ended)
    reserves.reserve_place(actor=librarian, item=other, course=running)
    reserves.reserve_place(actor=librarian, item=other, course=open_ended)
    assert reserves.reserves_end_for_ended_courses(today=today) == 1
    assert set(
        CourseReserve.objects.filter(active=True).values_list("course__code", flat=True)
    ) == {"NOW1", "ANY1"}
    assert _values(item) == ("Stacks", "4-week loan")
    event = Event.objects.get(verb="reserve.end")
    assert (event.actor_id, event.params["reason"]) == (None, "The course ended.")
    # A second run finds nothing to do.
    assert reserves.reserves_end_for_ended_courses(today=today) == 0
