"""The library catalog: search, as-you-type title suggestions, and one record with
its copies, electronic portfolios and availability.

Anyone signed in reads it (keys: catalog:read). Search text is never refused: what
cannot be searched (only punctuation, only very common words) comes back empty with
a `message`; an over-long query is cut to its first 500 characters and 12 words,
and says so. See docs/search.md."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from lectio.api.auth import caller
from lectio.api.errors import FieldError
from lectio.api.paging import PageMeta, PageQuery, _link
from lectio.catalog.availability import RecordAvailability, availability_for
from lectio.catalog.models import Record, RecordFormat
from lectio.catalog.search import SearchQuery, search, suggest

router = Router(tags=["catalog"])
AREA = "catalog"


class AvailabilityOut(Schema):
    status: str = Field(
        description="available, online, on_loan, unavailable or not_held"
    )
    label: str = Field(description="What a reader is told, in the site's language")
    items_total: int
    items_available: int
    earliest_due: datetime.date | None
    online: bool
    open_access: bool
    on_reserve: bool


class RecordBrief(Schema):
    id: int
    title: str
    subtitle: str
    authors: list[str]
    year: int | None
    isbns: list[str]
    format: str = Field(description="The material type (a RecordFormat value)")
    format_label: str
    availability: AvailabilityOut


class FacetOut(Schema):
    value: str
    label: str
    count: int


class FacetsOut(Schema):
    format: list[FacetOut]
    year: list[FacetOut] = Field(description="By decade: value 1990 is 1990-1999")
    language: list[FacetOut]
    available_now: list[FacetOut]
    on_reserve: list[FacetOut]


class IdentifierOut(Schema):
    kind: str
    value: str


class SearchPage(PageMeta):
    results: list[RecordBrief]
    total_capped: bool = Field(
        description="true when there are more than 500 matches (total then says 500)"
    )
    facets: FacetsOut
    facets_partial: bool = Field(
        description="true when the facets count only the first 500 matches (in index order)"
    )
    identifier: IdentifierOut | None = Field(
        None, description="Set when the query was an ISBN, ISSN, LCCN, OCLC or DOI"
    )
    message: str = Field(
        description="Empty, or why nothing (or only part of the query) was searched"
    )


class SearchParams(PageQuery):
    q: str = Field(
        "",
        description=(
            'Words (all must match), "quoted phrases", or an identifier '
            "(ISBN-10/13, ISSN, LCCN, OCLC number, DOI) for an exact lookup"
        ),
    )
    format: list[str] = Field(
        default_factory=list, description="Material types (repeatable)"
    )
    year_from: int | None = Field(None, ge=0, le=2999)
    year_to: int | None = Field(None, ge=0, le=2999)
    language: list[str] = Field(
        default_factory=list, description="MARC language codes (repeatable)"
    )
    available_now: bool = False
    on_reserve: bool = False


class SuggestOut(Schema):
    suggestions: list[str]


class ItemOut(Schema):
    id: int
    barcode: str
    library: str
    location: str
    call_number: str
    loan_policy: str
    status: str
    due_date: datetime.date | None


class PortfolioOut(Schema):
    id: int
    title: str
    url: str
    provider: str
    coverage_from: datetime.date | None
    coverage_to: datetime.date | None
    embargo_months: int | None
    open_access: bool


class ContributorOut(Schema):
    name: str
    role: str


class LinkOut(Schema):
    url: str
    note: str


class RecordOut(Schema):
    id: int
    control_number: str
    title: str
    subtitle: str
    responsibility: str
    authors: list[str]
    contributors: list[ContributorOut]
    edition: str
    publisher: str
    place: str
    date: str
    year: int | None
    extent: str
    series: list[str]
    subjects: list[str]
    isbns: list[str]
    issns: list[str]
    lccn: str
    oclc: str
    language: str
    format: str
    format_label: str
    summary: str
    urls: list[LinkOut]
    availability: AvailabilityOut
    items: list[ItemOut]
    portfolios: list[PortfolioOut]


FORMAT_LABELS = dict(RecordFormat.choices)


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    out = []
    for v in value:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            text = v.get("name") or v.get("title") or v.get("heading")
            if isinstance(text, str):
                out.append(text)
    return out


def _authors(record: Record) -> list[str]:
    names = [
        c.get("name", "")
        for c in record.contributors or []
        if isinstance(c, dict) and c.get("name")
    ]
    if record.author and record.author not in names:
        names.insert(0, record.author)
    return names


def _availability(a: RecordAvailability) -> dict[str, Any]:
    return {
        "status": a.status,
        "label": a.label,
        "items_total": a.items_total,
        "items_available": a.items_available,
        "earliest_due": a.earliest_due,
        "online": a.online,
        "open_access": a.open_access,
        "on_reserve": a.on_reserve,
    }


def _brief(record: Record, a: RecordAvailability) -> dict[str, Any]:
    return {
        "id": record.pk,
        "title": record.title,
        "subtitle": record.subtitle,
        "authors": _authors(record),
        "year": record.year,
        "isbns": list(record.isbns or []),
        "format": record.format,
        "format_label": str(FORMAT_LABELS.get(record.format, record.format)),
        "availability": _availability(a),
    }


@router.get(
    "/catalog/search", response=SearchPage, summary="Search the library catalog"
)
def catalog_search(request: HttpRequest, query: Query[SearchParams]) -> dict[str, Any]:
    """Ranked records (best first; equal scores by id), with facets counted over the
    matches and the availability of each record on the page. Paging reaches the
    first 10,000 results."""
    caller(request, AREA)
    unknown = [f for f in query.format if f not in FORMAT_LABELS]
    if unknown:
        raise FieldError("format", f"unknown material type {unknown[0]!r}.")
    if query.offset + query.limit > 10_000:
        raise FieldError("offset", "paging reaches the first 10,000 results only.")
    result = search(
        SearchQuery(
            text=query.q,
            formats=tuple(query.format),
            year_from=query.year_from,
            year_to=query.year_to,
            languages=tuple(query.language),
            available_now=query.available_now,
            on_reserve=query.on_reserve,
            limit=query.limit,
            offset=query.offset,
        )
    )
    availability = availability_for(r.pk for r in result.records)
    limit, offset, total = query.limit, query.offset, result.total
    following = offset + limit
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": _link(request, following, limit) if following < total else None,
        "previous": _link(request, max(0, offset - limit), limit) if offset else None,
        "results": [_brief(r, availability[r.pk]) for r in result.records],
        "facets": {
            key: [vars(v) for v in values] for key, values in result.facets.items()
        },
        "facets_partial": result.facets_partial,
        "total_capped": result.total_capped,
        "identifier": (
            {"kind": result.identifier[0], "value": result.identifier[1]}
            if result.identifier
            else None
        ),
        "message": result.message,
    }


class SuggestParams(Schema):
    q: str = Field("", description="What has been typed so far")
    limit: int = Field(8, ge=1, le=20)


@router.get("/catalog/suggest", response=SuggestOut, summary="Titles for a search box")
def catalog_suggest(
    request: HttpRequest, query: Query[SuggestParams]
) -> dict[str, Any]:
    """Titles holding every word typed, the last one as a prefix; shortest first."""
    caller(request, AREA)
    return {"suggestions": suggest(query.q, query.limit)}


@router.get(
    "/catalog/records/{record_id}", response=RecordOut, summary="One catalog record"
)
def catalog_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    """The record, its copies and portfolios, and its availability."""
    caller(request, AREA)
    record = get_object_or_404(Record.objects.defer("source"), pk=record_id)
    a = availability_for([record.pk])[record.pk]
    contributors = [
        {"name": str(c.get("name", "")), "role": str(c.get("role", ""))}
        for c in record.contributors or []
        if isinstance(c, dict)
    ]
    urls = [
        {"url": str(u.get("url", "")), "note": str(u.get("note", ""))}
        for u in record.urls or []
        if isinstance(u, dict)
    ]
    return {
        **_brief(record, a),
        "control_number": record.control_number,
        "responsibility": record.responsibility,
        "contributors": contributors,
        "edition": record.edition,
        "publisher": record.publisher,
        "place": record.place,
        "date": record.date,
        "extent": record.extent,
        "series": _strings(record.series),
        "subjects": _strings(record.subjects),
        "issns": list(record.issns or []),
        "lccn": record.lccn,
        "oclc": record.oclc,
        "language": record.language,
        "summary": record.summary,
        "urls": urls,
        "items": list(record.items.order_by("library", "location", "barcode", "id")),
        "portfolios": list(
            record.portfolios.filter(active=True).order_by("provider", "id")
        ),
    }
