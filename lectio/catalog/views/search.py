"""The catalog search page and its as-you-type title suggestions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from lectio.catalog.availability import availability_for
from lectio.catalog.models import RecordFormat
from lectio.catalog.search import SearchQuery, SearchResult, search, suggest
from lectio.core import usage
from lectio.core.htmx import is_htmx, vary_on_htmx
from lectio.core.requests import AuthedHttpRequest
from lectio.lists.models import Collaborator

PAGE_SIZE = 20
# Deep pages are for robots: 500 pages of 20 is 10,000 results.
MAX_PAGE = 500
# What the page passes on to the search; the search has its own, stricter cap and
# says so in its message.
MAX_QUERY = 1000
MAX_SUGGEST_PREFIX = 200
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
YEAR_MIN, YEAR_MAX = 0, 9999
TRUE_VALUES = ("true", "1", "yes", "on", "True")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search the catalog"),
        required=False,
        strip=True,
        help_text=gettext_lazy(
            "Title, author, subject, or an ISBN, ISSN, LCCN or OCLC number. "
            "Put a phrase in quotes."
        ),
    )
    format = forms.MultipleChoiceField(
        label=gettext_lazy("Format"), required=False, choices=RecordFormat.choices
    )
    language = forms.CharField(required=False)
    year_from = forms.IntegerField(
        label=gettext_lazy("From year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To year"),
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
    )
    available = forms.BooleanField(label=gettext_lazy("Available now"), required=False)
    reserve = forms.BooleanField(
        label=gettext_lazy("On course reserve"), required=False
    )

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "")[:MAX_QUERY]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The end year is before the start year."))
        return data


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""


def _languages(params: QueryDict) -> tuple[str, ...]:
    """Language codes as MARC writes them; anything else is ignored."""
    seen: list[str] = []
    for value in params.getlist("language"):
        code = value.strip().lower()
        if LANGUAGE_CODE.match(code) and code not in seen:
            seen.append(code)
    return tuple(seen[:20])


def page_number(params: QueryDict) -> int:
    """The page asked for: anything not a number is the first page; beyond the last
    page the search can answer is the last one."""
    try:
        number = int(params.get("page", "1"))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def _query_from(form: SearchForm, languages: tuple[str, ...], page: int) -> SearchQuery:
    data = form.cleaned_data
    return SearchQuery(
        text=data.get("q") or "",
        formats=tuple(data.get("format") or ()),
        year_from=data.get("year_from"),
        year_to=data.get("year_to"),
        languages=languages,
        available_now=bool(data.get("available")),
        on_reserve=bool(data.get("reserve")),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        facets=True,
    )


def _has_criteria(query: SearchQuery) -> bool:
    return bool(
        query.text.strip()
        or query.formats
        or query.languages
        or query.year_from is not None
        or query.year_to is not None
        or query.available_now
        or query.on_reserve
    )


def _url(params: dict[str, Any]) -> str:
    """?query for these parameters, in a stable order, empty values left out."""
    pairs: list[tuple[str, str]] = []
    for key in ("q", "format", "language", "year_from", "year_to", "available"):
        pairs.extend(_pairs(key, params.get(key)))
    pairs.extend(_pairs("reserve", params.get("reserve")))
    return "?" + urlencode(pairs) if pairs else "?"


def _pairs(key: str, value: Any) -> list[tuple[str, str]]:
    if value in (None, "", False, (), []):
        return []
    if isinstance(value, list | tuple):
        return [(key, str(v)) for v in value]
    if value is True:
        return [(key, "on")]
    return [(key, str(value))]


def _state(query: SearchQuery) -> dict[str, Any]:
    return {
        "q": query.text,
        "format": list(query.formats),
        "language": list(query.languages),
        "year_from": query.year_from,
        "year_to": query.year_to,
        "available": query.available_now,
        "reserve": query.on_reserve,
    }


def _toggle(state: dict[str, Any], key: str, value: str) -> str:
    new = {k: (list(v) if isinstance(v, list) else v) for k, v in state.items()}
    values = new[key]
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    return _url(new)


def _year_range(value: str, label: str = "") -> tuple[int, int] | None:
    """A year facet's value as a range: "1990-1999", or "1990" with the label
    "1990s" (a decade), or a single year."""
    match = re.match(r"^\s*(\d{1,4})\s*(?:[-–]\s*(\d{1,4}))?\s*s?\s*$", str(value))
    if not match:
        return None
    start = int(match.group(1))
    if match.group(2):
        return start, int(match.group(2))
    if str(value).strip().endswith("s") or str(label).strip().endswith("s"):
        return start, start + 9
    return start, start


def _facet_count(values: list[Any]) -> int | None:
    """The count of a yes/no facet ("available now", "on course reserve")."""
    for facet in values:
        if str(facet.value) in TRUE_VALUES:
            return int(facet.count)
    return None


def facet_view(query: SearchQuery, result: SearchResult | None) -> dict[str, Any]:
    """What the filter panel shows: each facet value with its count, whether it is
    chosen, and the URL that toggles it (the query and other filters kept)."""
    state = _state(query)
    facets = result.facets if result is not None else {}
    formats = [
        FacetChoice(
            value=str(f.value),
            label=str(f.label or RecordFormat(f.value).label)
            if f.value in RecordFormat.values
            else str(f.label or f.value),
            count=int(f.count),
            selected=str(f.value) in query.formats,
            url=_toggle(state, "format", str(f.value)),
        )
        for f in facets.get("format", [])
    ]
    # A chosen format with no matches still shows, so it can be unticked.
    for value in query.formats:
        if not any(c.value == value for c in formats):
            formats.append(
                FacetChoice(
                    value=value,
                    label=str(RecordFormat(value).label),
                    count=0,
                    selected=True,
                    url=_toggle(state, "format", value),
                )
            )
    languages = [
        FacetChoice(
            value=str(f.value),
            label=str(f.label or f.value),
            count=int(f.count),
            selected=str(f.value) in query.languages,
            url=_toggle(state, "language", str(f.value)),
        )
        for f in facets.get("language", [])
        if LANGUAGE_CODE.match(str(f.value))
    ]
    for value in query.languages:
        if not any(c.value == value for c in languages):
            languages.append(
                FacetChoice(
                    value=value,
                    label=value,
                    count=0,
                    selected=True,
                    url=_toggle(state, "language", value),
                )
            )
    years = []
    for f in facets.get("year", []):
        bounds = _year_range(str(f.value), str(f.label))
        if bounds is None:
            continue
        selected = (query.year_from, query.year_to) == bounds
        target = dict(state)
        if selected:
            target["year_from"], target["year_to"] = None, None
        else:
            target["year_from"], target["year_to"] = bounds
        years.append(
            FacetChoice(
                value=str(f.value),
                label=str(f.label or f.value),
                count=int(f.count),
                selected=selected,
                url=_url(target),
            )
        )
    return {
        "formats": formats,
        "languages": languages,
        "years": years,
        "available_count": _facet_count(facets.get("available_now", [])),
        "reserve_count": _facet_count(facets.get("on_reserve", [])),
        "clear_url": _url({"q": query.text}),
    }


def may_add_to_lists(user: Any) -> bool:
    """Whether to offer "Add to a list": people who author lists, and anyone who
    collaborates on one. The add page itself checks the list chosen."""
    if user.can_author_lists:
        return True
    return Collaborator.objects.filter(user=user).exists()


@login_required
@require_safe
def catalog_search(request: AuthedHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    languages = _languages(request.GET)
    page = page_number(request.GET)
    result: SearchResult | None = None
    query = SearchQuery(limit=PAGE_SIZE)
    if form.is_bound and form.is_valid():
        query = _query_from(form, languages, page)
        if _has_criteria(query):
            result = search(query)
            if page == 1:
                usage.record(request, "search", detail="catalog")
            pages = max(1, -(-result.total // PAGE_SIZE))
            if result.total and page > min(pages, MAX_PAGE):
                # Past the end: the last page there is.
                page = min(pages, MAX_PAGE)
                query = _query_from(form, languages, page)
                result = search(query)
    rows = []
    if result is not None and result.records:
        availability = availability_for(r.pk for r in result.records)
        rows = [(r, availability.get(r.pk)) for r in result.records]
    total = result.total if result is not None else 0
    pages = max(1, min(-(-total // PAGE_SIZE), MAX_PAGE))
    state_url = _url(_state(query))
    context = {
        "form": form,
        "query": query,
        "searched": result is not None,
        "result": result,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "first_index": (page - 1) * PAGE_SIZE + 1,
        "state_query": state_url.lstrip("?"),
        "facets": facet_view(query, result),
        "may_add": may_add_to_lists(request.user),
        "back": request.get_full_path(),
        "nav": "catalog",
    }
    template = (
        "catalog/search.html#results" if is_htmx(request) else "catalog/search.html"
    )
    return vary_on_htmx(render(request, template, context))


@login_required
@require_safe
def catalog_suggest(request: AuthedHttpRequest) -> HttpResponse:
    """Titles for the search box's list of suggestions (<option> elements)."""
    prefix = " ".join(str(request.GET.get("q", "")).split())[:MAX_SUGGEST_PREFIX]
    titles = suggest(prefix, limit=8) if len(prefix) >= 2 else []
    return render(request, "catalog/_suggestions.html", {"titles": titles})
