"""Holds and reserves placed at the same moment from two threads (two database
connections), released together by a barrier: the copy's lock and the constraints keep
the originals right and let exactly one of two conflicting actions through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from django.db import connection

from lectio.accounts.models import Role, User
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
from lectio.core.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Runs the actions in threads released together; each result is the value
    returned or the exception raised."""
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=30)
            return action()
        except Exception as error:  # noqa: BLE001 - reported to the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions))


@pytest.fixture
def librarian(db: None) -> User:
    return UserFactory.create(username="lib", role=Role.LIBRARIAN)


def _item(n: int) -> Item:
    record = Record.objects.create(control_number=f"c{n}", title=f"Raced {n}")
    return Item.objects.create(
        record=record, barcode=f"C{n}", location="Stacks", loan_policy="4-week loan"
    )


def test_two_courses_at_once_both_keep_the_true_originals(librarian: User) -> None:
    for n in range(ROUNDS):
        item = _item(n)
        a = CourseFactory.create(code=f"A{n}")
        b = CourseFactory.create(code=f"B{n}")
        results = race(
            partial(reserves.reserve_place, actor=librarian, item=item, course=a),
            partial(
                reserves.reserve_place,
                actor=librarian,
                item=item,
                course=b,
                reserve_location="Other desk",
                reserve_loan_policy="1-day loan",
            ),
        )
        assert all(isinstance(r, CourseReserve) for r in results), results
        assert set(
            CourseReserve.objects.filter(item=item).values_list(
                "original_location", "original_loan_policy"
            )
        ) == {("Stacks", "4-week loan")}
        for reserve in CourseReserve.objects.filter(item=item):
            reserves.reserve_end(actor=librarian, reserve=reserve, reason="Done")
        stored = Item.objects.get(pk=item.pk)
        assert (stored.location, stored.loan_policy) == ("Stacks", "4-week loan")


def test_the_same_course_at_once_lets_one_through(librarian: User) -> None:
    for n in range(ROUNDS):
        item = _item(n)
        course = CourseFactory.create(code=f"S{n}")
        results = race(
            *[
                partial(
                    reserves.reserve_place, actor=librarian, item=item, course=course
                )
            ]
            * 2
        )
        assert sorted(type(r).__name__ for r in results) == [
            "CourseReserve",
            "ReserveError",
        ]
        assert CourseReserve.objects.filter(item=item, active=True).count() == 1


def test_one_open_hold_however_fast_the_clicks() -> None:
    reader = UserFactory.create(username="quick")
    desk = PickupLocation.objects.create(code="D", name="Desk")
    for n in range(ROUNDS):
        record = _item(n).record
        results = race(
            *[
                partial(
                    holds.hold_place, actor=reader, record=record, pickup_location=desk
                )
            ]
            * 2
        )
        assert sorted(type(r).__name__ for r in results) == ["Hold", "HoldError"]
        assert Hold.objects.filter(record=record).count() == 1


def test_one_copy_goes_to_one_hold_shelf(librarian: User) -> None:
    desk = PickupLocation.objects.create(code="D", name="Desk")
    other = UserFactory.create(username="other_lib", role=Role.LIBRARIAN)
    for n in range(ROUNDS):
        record = _item(n).record
        first, second = (
            Hold.objects.create(
                record=record,
                requester=UserFactory.create(username=f"r{n}-{i}"),
                pickup_location=desk,
            )
            for i in range(2)
        )
        results = race(
            partial(
                holds.hold_set_status,
                actor=librarian,
                hold=first,
                status=HoldStatus.READY,
                expected_version=1,
            ),
            partial(
                holds.hold_set_status,
                actor=other,
                hold=second,
                status=HoldStatus.READY,
                expected_version=1,
            ),
        )
        assert sorted(type(r).__name__ for r in results) == ["Hold", "HoldError"]
        assert Hold.objects.filter(record=record, status="ready").count() == 1
        assert Item.objects.get(record=record).status == ItemStatus.ON_HOLD_SHELF
