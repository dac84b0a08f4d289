"""Offset paging for every list answer of the API.

`?limit=` (1-100, default 20) and `?offset=` (from 0). Every page carries `total`
(rows matching the filters), and `next` / `previous` links (absolute URLs with the
same filters) or null at either end. Callers pass a queryset with a stable order
ending in a unique column, so rows never repeat or go missing between pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageQuery(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1-100)"
    )
    offset: int = Field(0, ge=0, description="Rows to skip")


class PageMeta(Schema):
    total: int = Field(description="Rows matching the filters, over all pages")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page, if any")
    previous: str | None = Field(None, description="URL of the previous page, if any")


def _link(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    params["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def page(request: HttpRequest, rows: QuerySet[Any], query: PageQuery) -> dict[str, Any]:
    """One page of `rows` as the fields of a *Page schema: total, limit, offset,
    next, previous, results (a list, so prefetches run once for the page)."""
    total = rows.count()
    limit, offset = query.limit, query.offset
    results = list(rows[offset : offset + limit]) if offset < total else []
    following = offset + limit
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "next": _link(request, following, limit) if following < total else None,
        "previous": (
            _link(request, max(0, offset - limit), limit) if offset > 0 else None
        ),
        "results": results,
    }
