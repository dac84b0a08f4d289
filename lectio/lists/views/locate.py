"""Locate in the browser: the library's queue of suggested catalog matches (confirm or
reject), "Locate items" on a list, and the live availability of linked records on
list pages."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lectio.catalog.availability import RecordAvailability, availability_for
from lectio.core.concurrency import StaleVersion
from lectio.core.htmx import is_htmx, vary_on_htmx
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import locate, selectors
from lectio.lists.extensions import record_links
from lectio.lists.models import CitationMatch, MatchState
from lectio.lists.permissions import Right
from lectio.lists.views.common import REFUSALS, list_url

PAGE_SIZE = 25


def _require_library(user: Any) -> None:
    if not (user.is_authenticated and user.is_library_staff):
        raise PermissionDenied


# --- availability on list pages ------------------------------------------------------


@functools.cache
def _record_url_prefix() -> str | None:
    """The record page's address with a placeholder id, or None while the catalog
    serves no record page."""
    try:
        return reverse("catalog:record", args=[987654321])
    except NoReverseMatch:
        return None


def record_url(record_id: int) -> str | None:
    prefix = _record_url_prefix()
    return prefix.replace("987654321", str(record_id)) if prefix else None


def availability_html(
    availability: RecordAvailability, *, citation_id: int | None = None
) -> SafeString:
    """The record's availability as words (never colour alone) and, when the catalog
    has a record page, a link to it."""
    described = f' aria-describedby="c{citation_id}-ref"' if citation_id else ""
    parts = [
        f'<p class="list-meta availability" data-availability="{availability.status}">',
        f'<span class="badge availability-{availability.status}">',
        f'<span class="visually-hidden">{escape(_("Library availability:"))} </span>',
        escape(availability.label),
        "</span>",
    ]
    if availability.on_reserve:
        parts.append(f' <span class="badge">{escape(_("On course reserve"))}</span>')
    url = record_url(availability.record_id)
    if url:
        parts.append(
            f' <a href="{escape(url)}"{described}>{escape(_("Library record"))}</a>'
        )
    parts.append("</p>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)


def availability_snippets(pairs: Iterable[tuple[int, int]]) -> dict[int, str]:
    """Availability HTML by citation, for (record id, citation id) pairs, read for
    all of them at once (a fixed number of queries however many there are; none
    for none)."""
    keys: set[tuple[int, int | None]] = set(pairs)
    if not keys:
        return {}
    found = availability_for({record_id for record_id, _c in keys})
    links = record_links(keys)
    out: dict[int, str] = {}
    for record_id, citation_id in keys:
        a = found.get(record_id)
        if a is None or citation_id is None:
            continue
        # Both parts are escaped HTML (the linkers' contract).
        out[citation_id] = mark_safe(  # noqa: S308
            availability_html(a, citation_id=citation_id)
            + links.get((record_id, citation_id), "")
        )
    return out


def attach_availability(citations: Iterable[Any]) -> None:
    """Sets `availability_html` on each citation ("" when it has no record)."""
    citations = list(citations)
    ids = {c.catalog_record_id for c in citations if c.catalog_record_id}
    found = availability_for(ids)
    links = record_links(
        {(c.catalog_record_id, c.pk) for c in citations if c.catalog_record_id}
    )
    for citation in citations:
        a = (
            found.get(citation.catalog_record_id)
            if citation.catalog_record_id
            else None
        )
        html = (
            mark_safe(  # noqa: S308 (escaped HTML, the linkers' contract)
                availability_html(a, citation_id=citation.pk)
                + links.get((a.record_id, citation.pk), "")
            )
            if a
            else ""
        )
        setattr(citation, "availability_html", html)  # noqa: B010


# --- the library's queue -------------------------------------------------------------


def _list_filter(request: AuthedHttpRequest) -> int | None:
    value = request.GET.get("list") or request.POST.get("list") or ""
    return int(value) if value.isdigit() else None


@login_required
@require_safe
def locate_queue(request: AuthedHttpRequest) -> HttpResponse:
    """Suggested matches waiting for a librarian, best score first."""
    _require_library(request.user)
    list_id = _list_filter(request)
    paginator = Paginator(locate.suggestion_queue(list_id=list_id), PAGE_SIZE)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    query = f"list={list_id}&" if list_id else ""
    context = {
        "page": page,
        "rows": [_row(m) for m in page.object_list],
        "lists": locate.lists_with_suggestions(),
        "list_id": list_id,
        "page_query": query,
        "next": request.get_full_path(),
        "nav": "library",
    }
    template = (
        "lists/locate_queue.html#results"
        if is_htmx(request)
        else "lists/locate_queue.html"
    )
    return vary_on_htmx(render(request, template, context))


@login_required
@require_POST
def locate_decide(request: AuthedHttpRequest, match_id: int) -> HttpResponse:
    """Confirm (link the citation to the record) or reject one suggestion. The form
    carries the citation's version: a citation edited since is not linked."""
    _require_library(request.user)
    match = (
        CitationMatch.objects.select_related("citation", "record")
        .filter(pk=match_id)
        .first()
    )
    if match is None:
        raise Http404("No such match")
    decision = request.POST.get("decision", "")
    version_text = request.POST.get("version", "")
    back = request.POST.get("next", "")
    if not back.startswith("/library/") or back.startswith("//"):
        back = reverse("lists:locate")
    status, error = 200, ""
    if decision not in ("confirm", "reject"):
        status, error = 400, _("Choose to confirm or to reject the match.")
    elif not version_text.isdigit():
        status, error = 400, _("The form is missing the item's version; reload.")
    else:
        service = locate.match_confirm if decision == "confirm" else locate.match_reject
        try:
            service(actor=request.user, match=match, expected_version=int(version_text))
        except StaleVersion as stale:
            status, error = 409, str(stale)
        except REFUSALS as refusal:
            status, error = 409, str(refusal)
    if is_htmx(request):
        # The row itself, with the outcome or the refusal in it: htmx swaps only
        # successful responses, so a refusal is a 200 here too.
        match.refresh_from_db()
        match.citation.refresh_from_db()
        response = render(
            request,
            "lists/_locate_row.html",
            {"m": _row(match), "error": error, "next": back},
        )
        if error:
            response["X-Refused"] = str(status)
        return response
    if error:
        messages.error(request, error)
    elif decision == "confirm":
        messages.success(
            request,
            _("Linked “%(title)s” to the catalog record.")
            % {"title": match.citation.title[:120]},
        )
    else:
        messages.success(
            request,
            _("Rejected the suggestion for “%(title)s”.")
            % {"title": match.citation.title[:120]},
        )
    return redirect(back)


@login_required
@require_POST
def locate_list(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    """Starts Locate for the list's citations without a catalog record, in the
    background once this request has committed."""
    reading_list, _right = selectors.reading_list_get(
        user=request.user, list_id=list_id, need=Right.MANAGE
    )
    from lectio.lists.tasks import locate_list as task

    list_pk = reading_list.pk
    transaction.on_commit(lambda: task.enqueue(list_pk))
    messages.success(
        request,
        _(
            "Locating this list's items in the catalog. Exact matches are linked "
            "shortly; the library reviews the others."
        ),
    )
    return redirect(list_url(reading_list.pk))


@login_required
@require_POST
def citation_unlink(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    """Removes a citation's link to its catalog record (a wrong match); Locate will
    not link the pair again."""
    citation = selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    back = reverse("lists:citation_detail", args=[citation.pk])
    version_text = request.POST.get("version", "")
    if not version_text.isdigit():
        messages.error(request, _("The form is missing the item's version; reload."))
        return redirect(back)
    try:
        locate.citation_unlink(
            actor=request.user, citation=citation, expected_version=int(version_text)
        )
    except (StaleVersion, *REFUSALS) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The item is no longer linked to that record."))
    return redirect(back)


def _row(match: CitationMatch) -> CitationMatch:
    setattr(match, "identifiers", match_identifiers(match))  # noqa: B010
    setattr(match, "decided_label", decided_label(match))  # noqa: B010
    return match


def match_identifiers(match: CitationMatch) -> list[str]:
    record = match.record
    out = [f"ISBN {v}" for v in (record.isbns or [])[:3]]
    out += [f"ISSN {v}" for v in (record.issns or [])[:2]]
    if record.oclc:
        out.append(f"OCLC {record.oclc}")
    if record.lccn:
        out.append(f"LCCN {record.lccn}")
    return out


def decided_label(match: CitationMatch) -> str:
    if match.state == MatchState.CONFIRMED:
        return _("Confirmed: the item is linked to this record.")
    if match.state == MatchState.REJECTED:
        return _("Rejected: this record will not be suggested again.")
    return ""
