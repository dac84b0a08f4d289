"""How a list is used, for whoever may edit it (its instructors and editors, and
library staff)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lectio.analytics.reports import BadRange, date_range, list_usage, term_start
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors


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
