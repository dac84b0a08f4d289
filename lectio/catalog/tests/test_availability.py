import datetime

import pytest

from lectio.catalog import availability
from lectio.catalog.models import (
    CourseReserve,
    Item,
    ItemStatus,
    Portfolio,
    Record,
)
from lectio.core.factories import CourseFactory

pytestmark = pytest.mark.django_db


def _record(n: int, **fields: object) -> Record:
    return Record.objects.create(control_number=f"r{n}", title=f"T{n}", **fields)


def test_availability_from_items_portfolios_and_reserves() -> None:
    shelf = _record(1)
    Item.objects.create(record=shelf, barcode="a1", status=ItemStatus.AVAILABLE)
    Item.objects.create(
        record=shelf,
        barcode="a2",
        status=ItemStatus.ON_LOAN,
        due_date=datetime.date(2026, 12, 1),
    )
    loaned = _record(2)
    Item.objects.create(
        record=loaned,
        barcode="b1",
        status=ItemStatus.ON_LOAN,
        due_date=datetime.date(2026, 12, 9),
    )
    Item.objects.create(
        record=loaned,
        barcode="b2",
        status=ItemStatus.ON_LOAN,
        due_date=datetime.date(2026, 12, 3),
    )
    online = _record(3)
    Portfolio.objects.create(
        record=online, external_id="p1", url="https://x.example/1", open_access=True
    )
    lost = _record(4)
    Item.objects.create(record=lost, barcode="d1", status=ItemStatus.LOST)
    nothing = _record(5)
    reserve_item = Item.objects.create(record=nothing, barcode="e1")
    CourseReserve.objects.create(
        item=reserve_item,
        course=CourseFactory(),
        reserve_location="Reserves",
        reserve_loan_policy="2 hours",
    )

    found = availability.availability_for(
        [shelf.id, loaned.id, online.id, lost.id, nothing.id, 999]
    )

    assert found[shelf.id].status == "available"
    assert found[shelf.id].label == "Available (1 of 2 copies)"
    assert found[loaned.id].status == "on_loan"
    assert found[loaned.id].earliest_due == datetime.date(2026, 12, 3)
    assert found[online.id].status == "online"
    assert found[online.id].open_access
    assert found[lost.id].status == "unavailable"
    assert found[nothing.id].on_reserve
    assert found[999].status == "not_held"


def test_refresh_writes_the_search_flags_once() -> None:
    record = _record(1)
    Item.objects.create(record=record, barcode="a1")

    assert availability.refresh([record.id]) == 1
    assert availability.refresh([record.id]) == 0
    record.refresh_from_db()
    assert record.available_now and not record.on_reserve
