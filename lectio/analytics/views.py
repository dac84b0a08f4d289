"""How a list is used, for whoever may edit it (its instructors and editors, and
library staff); the library's reports, for library staff."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from lectio.analytics import downloads, library
from lectio.analytics.reports import (
    BadRange,
    Hidden,
    date_range,
    list_usage,
    term_start,
)
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.models import Department, Term
from lectio.lists import selectors
from lectio.workflow.selectors import require_library


@login_required
@require_safe
def list_usage_page(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    error = ""
    try:
        start, end = date_range(
            request.GET.get("from"),
            request.GET.get("to"),
            default_start=term_start(reading_list),
        )
    except BadRange as problem:
        error = str(problem)
        start, end = date_range(None, None, default_start=term_start(reading_list))
    usage = list_usage(reading_list, start=start, end=end)
    return render(
        request,
        "analytics/list_usage.html",
        {
            "list": reading_list,
            "usage": usage,
            "error": error,
            "nav": "mine",
        },
        status=400 if error else 200,
    )


# --- the library's reports -----------------------------------------------------------


@login_required
@require_safe
def reports_index(request: AuthedHttpRequest) -> HttpResponse:
    require_library(request.user)
    return render(
        request,
        "analytics/reports_index.html",
        {"reports": list(library.REPORTS.values()), "nav": "library"},
    )


def _report_or_error(
    request: AuthedHttpRequest,
    name: str,
    rows: int | None = None,
    snapshot: bool = False,
) -> tuple[library.Spec, library.Report | None, str, str]:
    require_library(request.user)
    spec = library.REPORTS.get(name)
    if spec is None:
        raise Http404
    try:
        filters = library.parse_filters(request.GET)
        report = library.run(name, filters, rows=rows, snapshot=snapshot)
        return spec, report, "", ""
    except library.BadFilter as problem:
        return spec, None, str(problem), problem.field
    except BadRange as problem:
        return spec, None, str(problem), "to"


@login_required
@require_safe
def report_page(request: AuthedHttpRequest, name: str) -> HttpResponse:
    # The page makes only the rows it shows, and may show rows counted a few
    # minutes ago; the downloads have them all, counted now.
    spec, report, error, error_field = _report_or_error(
        request, name, rows=library.PAGE_ROWS, snapshot=True
    )
    query = request.GET.urlencode()
    return render(
        request,
        "analytics/report.html",
        {
            "spec": spec,
            "report": report,
            "error": error,
            "error_field": error_field,
            "terms": Term.objects.order_by("-start_date", "code"),
            "departments": Department.objects.order_by("name"),
            "values": {
                k: request.GET.get(k, "") for k in ("term", "department", "from", "to")
            },
            "bars": _bars(report) if report else [],
            "tables": _tables(report) if report else [],
            "page_rows": library.PAGE_ROWS,
            "query": f"?{query}" if query else "",
            "nav": "library",
        },
        status=400 if error else 200,
    )


def _tables(report: library.Report) -> list[tuple[library.Table, list[list]]]:
    """Each table with its first rows, each value beside whether it is a number
    and whether it is a hidden figure (asked here: the template would look for
    `threshold` on every value, a failed lookup per cell on a page of hundreds)."""
    return [
        (
            table,
            [
                [
                    (v, c.numeric, isinstance(v, Hidden))
                    for v, c in zip(row, table.columns, strict=True)
                ]
                for row in table.rows[: library.PAGE_ROWS]
            ],
        )
        for table in report.tables
    ]


def _bars(report: library.Report) -> list[tuple[str, float, int]]:
    """(label, value, width in percent of the largest) for the chart."""
    top = report.chart_max
    return [
        (bar.label, bar.value, round(100 * bar.value / top) if top > 0 else 0)
        for bar in report.chart
    ]


@login_required
@require_safe
def report_download(request: AuthedHttpRequest, name: str, fmt: str) -> HttpResponse:
    spec, report, error, _field = _report_or_error(request, name)
    if report is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(
            downloads.to_csv(report), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            downloads.to_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument."
            "spreadsheetml.sheet",
        )
    response["Content-Disposition"] = (
        f'attachment; filename="lectio-{name}-{stamp}.{fmt}"'
    )
    return response
