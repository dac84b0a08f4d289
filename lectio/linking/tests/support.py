"""A small catalog for the resolver tests: a journal with licensed and open-access
portfolios, an article record found by DOI, a book with copies."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from lectio.catalog import availability
from lectio.catalog.models import (
    IdentifierKind,
    ItemStatus,
    Portfolio,
    Record,
    RecordFormat,
    RecordIdentifier,
)
from lectio.catalog.tests.test_views_support import add_copy, make_record

_numbers = itertools.count(1)

SCIENCE_ISSN = "0036-8075"
ARTICLE_DOI = "10.1126/science.275.5304.1320"
BOOK_ISBN = "9780192860927"


def identify(record: Record, kind: str, value: str) -> None:
    RecordIdentifier.objects.create(record=record, kind=kind, value=value)


def portfolio(record: Record | None, **fields: Any) -> Portfolio:
    values: dict[str, Any] = {
        "record": record,
        "external_id": f"LP{next(_numbers)}",
        "title": record.title if record else "",
        "url": f"https://journals.example.org/{next(_numbers)}",
        "provider": "Example Journals",
    }
    values.update(fields)
    created = Portfolio.objects.create(**values)
    if record:
        availability.refresh([record.pk])
    return created


@dataclass
class Catalog:
    journal: Record
    licensed: Portfolio
    open_access: Portfolio
    old_archive: Portfolio
    book: Record


def make_catalog() -> Catalog:
    journal = make_record(
        "Science",
        format=RecordFormat.JOURNAL,
        isbns=[],
        issns=[SCIENCE_ISSN],
        year=None,
    )
    identify(journal, IdentifierKind.ISSN, SCIENCE_ISSN)
    licensed = portfolio(
        journal,
        issn=SCIENCE_ISSN,
        url="https://www.science.org/journal/science",
        provider="AAAS",
        coverage_from=datetime.date(1880, 1, 1),
        embargo_months=None,
    )
    open_access = portfolio(
        journal,
        issn=SCIENCE_ISSN,
        url="https://archive.example.org/science",
        provider="Open Archive",
        coverage_from=datetime.date(1990, 1, 1),
        coverage_to=datetime.date(2005, 12, 31),
        open_access=True,
    )
    old_archive = portfolio(
        journal,
        issn=SCIENCE_ISSN,
        url="https://old.example.org/science",
        provider="Backfiles",
        coverage_from=datetime.date(1880, 1, 1),
        coverage_to=datetime.date(1950, 12, 31),
    )
    book = make_record("The Selfish Gene", isbns=[BOOK_ISBN], year=1989)
    identify(book, IdentifierKind.ISBN, BOOK_ISBN)
    add_copy(book)
    add_copy(book, status=ItemStatus.ON_LOAN, due=datetime.date(2026, 12, 20))
    return Catalog(journal, licensed, open_access, old_archive, book)
