"""How a list is used, as the list's Usage page shows it: for whoever may edit the
list; the library's reports, for library staff (keys: analytics:read, of a
librarian or an administrator). A figure about fewer students than the
institution's threshold is `{"fewer_than": N}`, never a number."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from lectio.analytics import library
from lectio.analytics.reports import BadRange, date_range, list_usage, term_start
from lectio.api.auth import caller, library_caller
from lectio.api.errors import FieldError
from lectio.lists import selectors

router = Router(tags=["analytics"])
AREA = "analytics"


class RangeQuery(Schema):
    start: str | None = Field(None, alias="from", description="First day, ISO date")
    end: str | None = Field(None, alias="to", description="Last day, ISO date")


class ListUsageOut(Schema):
    list_id: int
    start: datetime.date = Field(alias="from")
    end: datetime.date = Field(alias="to")
    threshold: int = Field(
        description="Figures about fewer students are {'fewer_than': threshold}"
    )
    enrolled_students: int
    views: Any = Field(description="A count, or {'fewer_than': N}")
    opens: Any
    students_on_busiest_day: Any
    share_of_enrolled_on_busiest_day: int | None = Field(
        description="Students on the busiest day, as a percentage of those "
        "enrolled; null when that figure is hidden or nobody is enrolled"
    )
    opens_by_link: dict[str, Any] = Field(
        description="Opens by the link followed (details, find_it, full_text, "
        "file, or '' for others): a count or {'fewer_than': N}"
    )
    weeks: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    never_opened: list[int] = Field(description="Citations no student opened")


@router.get(
    "/analytics/lists/{list_id}",
    response=ListUsageOut,
    by_alias=True,
    summary="How a list is used",
)
def analytics_list(
    request: HttpRequest, list_id: int, query: Query[RangeQuery]
) -> dict[str, Any]:
    user = caller(request, AREA)
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=user, list_id=list_id
    )
    try:
        start, end = date_range(
            query.start, query.end, default_start=term_start(reading_list)
        )
    except BadRange as problem:
        raise FieldError("from", str(problem)) from None
    data = list_usage(reading_list, start=start, end=end).as_json()
    return data


class ReportQuery(RangeQuery):
    term: str | None = Field(None, description="A term's code")
    department: str | None = Field(None, description="A department's code")


class ReportInfo(Schema):
    name: str
    title: str
    description: str
    dates_filter: str = Field(description="What from/to filter; '' when they do not")


class ReportOut(Schema):
    name: str
    title: str
    filters: dict[str, str]
    start: datetime.date | None = Field(
        alias="from", description="First day of use covered (usage reports)"
    )
    end: datetime.date | None = Field(alias="to")
    threshold: int = Field(
        description="Figures about fewer students are {'fewer_than': threshold}"
    )
    tables: list[dict[str, Any]] = Field(
        description="Each with key, title, columns (key, label, numeric) and rows "
        "(objects keyed by column)"
    )
    chart: dict[str, Any]
    notes: list[str]


@router.get(
    "/analytics/reports",
    response=list[ReportInfo],
    summary="The library's reports",
)
def analytics_reports(request: HttpRequest) -> list[dict[str, Any]]:
    library_caller(request, AREA)
    return [
        {
            "name": spec.name,
            "title": str(spec.title),
            "description": str(spec.description),
            "dates_filter": str(spec.uses_dates),
        }
        for spec in library.REPORTS.values()
    ]


@router.get(
    "/analytics/reports/{name}",
    response=ReportOut,
    by_alias=True,
    summary="One of the library's reports",
)
def analytics_report(
    request: HttpRequest, name: str, query: Query[ReportQuery]
) -> dict[str, Any]:
    library_caller(request, AREA)
    if name not in library.REPORTS:
        raise HttpError(404, "There is no such report.")
    params = {
        "term": query.term,
        "department": query.department,
        "from": query.start,
        "to": query.end,
    }
    try:
        report = library.run(name, library.parse_filters(params))
    except library.BadFilter as problem:
        raise FieldError(problem.field, str(problem)) from None
    except BadRange as problem:
        raise FieldError("to", str(problem)) from None
    return report.as_json()
