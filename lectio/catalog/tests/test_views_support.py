"""Records, copies and portfolios for the discovery page tests (no tests here: the
other test_views_* modules, the URL matrix and the lists' from-catalog tests import
these helpers)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from lectio.catalog import availability
from lectio.catalog.models import (
    CourseReserve,
    Item,
    ItemStatus,
    Portfolio,
    Record,
    RecordFormat,
)
from lectio.courses.models import Course

_numbers = itertools.count(1)


def make_record(title: str = "On the Origin of Species", **fields: Any) -> Record:
    """A catalog record as the MARC loader would write it, indexed for search."""
    from lectio.catalog.search import index_records

    number = next(_numbers)
    values: dict[str, Any] = {
        "control_number": f"test-{number}",
        "title": title,
        "subtitle": "",
        "responsibility": "by Charles Darwin.",
        "contributors": [
            {"name": "Darwin, Charles, 1809-1882.", "role": "author"},
            {"name": "Beer, Gillian.", "role": "editor"},
        ],
        "author": "Darwin, Charles, 1809-1882.",
        "edition": "2nd ed.",
        "publisher": "John Murray",
        "place": "London",
        "date": "1860",
        "year": 1860,
        "extent": "ix, 502 p.",
        "series": ["Classics of science"],
        "subjects": ["Evolution (Biology)", "Natural selection"],
        "isbns": [f"97801953{number:05d}"],
        "language": "eng",
        "format": RecordFormat.BOOK,
        "summary": "The book that set out the theory of natural selection.",
    }
    values.update(fields)
    record = Record.objects.create(**values)
    index_records([record.pk])
    return record


def add_copy(
    record: Record,
    *,
    status: str = ItemStatus.AVAILABLE,
    due: datetime.date | None = None,
    location: str = "Main stacks",
) -> Item:
    item = Item.objects.create(
        record=record,
        barcode=f"B{next(_numbers):08d}",
        library="Main Library",
        location=location,
        call_number="QH365 .O2 1860",
        loan_policy="Standard loan",
        status=status,
        due_date=due,
    )
    availability.refresh([record.pk])
    return item


def add_portfolio(record: Record, *, open_access: bool = False) -> Portfolio:
    portfolio = Portfolio.objects.create(
        record=record,
        external_id=f"P{next(_numbers)}",
        title=record.title,
        url="https://books.example.org/origin",
        provider="Example Books",
        coverage_from=datetime.date(2000, 1, 1),
        open_access=open_access,
    )
    availability.refresh([record.pk])
    return portfolio


def put_on_reserve(item: Item, course: Course) -> CourseReserve:
    reserve = CourseReserve.objects.create(
        item=item,
        course=course,
        reserve_location="Reserve desk",
        reserve_loan_policy="2-hour loan",
        original_location=item.location,
        original_loan_policy=item.loan_policy,
    )
    Item.objects.filter(pk=item.pk).update(
        location="Reserve desk", loan_policy="2-hour loan"
    )
    availability.refresh([item.record_id])
    return reserve
