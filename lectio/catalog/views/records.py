"""A catalog record's page, and adding a record to a resource list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from lectio.catalog.availability import availability_for
from lectio.catalog.models import CourseReserve, Item, Record
from lectio.catalog.search import language_label
from lectio.catalog.views.search import may_add_to_lists
from lectio.core.htmx import is_htmx, vary_on_htmx
from lectio.core.requests import AuthedHttpRequest, next_path
from lectio.lists import selectors
from lectio.lists.from_catalog import (
    citation_add_from_record,
    lists_citing,
    more_from_courses,
)
from lectio.lists.models import Citation, ReadingList, Section
from lectio.lists.services import ServiceError


def record_get(record_id: Any) -> Record:
    try:
        return Record.objects.get(pk=int(record_id))
    except (TypeError, ValueError, Record.DoesNotExist):
        raise Http404(_("No such record")) from None


def hold_url(record: Record) -> str:
    """The "Place hold" page, once the holds part of the catalog provides one."""
    try:
        return reverse("catalog:hold_place", args=[record.pk])
    except NoReverseMatch:
        return ""


@dataclass
class HoldingRow:
    item: Item
    reserve_courses: list[str]


@login_required
@require_safe
def record_detail(request: AuthedHttpRequest, record_id: int) -> HttpResponse:
    record = record_get(record_id)
    items = list(record.items.all())
    reserves: dict[int, list[str]] = {}
    for item_id, code, section in CourseReserve.objects.filter(
        item__record=record, active=True
    ).values_list("item_id", "course__code", "course__section"):
        reserves.setdefault(item_id, []).append(
            f"{code}-{section}" if section else code
        )
    holdings = [HoldingRow(item, reserves.get(item.pk, [])) for item in items]
    portfolios = list(record.portfolios.filter(active=True))
    availability = availability_for([record.pk])[record.pk]
    on_lists = lists_citing(user=request.user, record=record)
    courses = {c.pk: c for v in on_lists for c in v.courses}
    more = more_from_courses(user=request.user, record=record, courses=courses.values())
    more_availability = availability_for(r.pk for r in more) if more else {}
    contributors = [
        c for c in (record.contributors or []) if isinstance(c, dict) and c.get("name")
    ]
    links = [
        link
        for link in (record.urls or [])
        if isinstance(link, dict)
        and str(link.get("url") or "").lower().startswith(("http://", "https://"))
    ]
    return render(
        request,
        "catalog/record.html",
        {
            "record": record,
            "title": _full_title(record),
            "contributors": contributors,
            "links": links,
            "language": language_label(record.language) if record.language else "",
            "holdings": holdings,
            "portfolios": portfolios,
            "avail": availability,
            "on_lists": on_lists,
            "more": [(r, more_availability.get(r.pk)) for r in more],
            "may_add": may_add_to_lists(request.user),
            "hold_url": hold_url(record),
            "back": request.get_full_path(),
            "nav": "catalog",
        },
    )


def _full_title(record: Record) -> str:
    return f"{record.title}: {record.subtitle}" if record.subtitle else record.title


# --- adding to a list ----------------------------------------------------------------


@dataclass
class ListChoice:
    reading_list: ReadingList
    sections: list[tuple[Section, bool]]  # (section, the record is already there)


def editable_lists(
    user: Any, record: Record, also: int | None = None
) -> list[ListChoice]:
    """The lists to offer: the ones the user owns, edits or teaches (library staff:
    also the lists assigned to them), plus `also` when they may edit it. Each with
    its sections, the default first."""
    offered = selectors.lists_to_add_to(user=user, also=also)
    if not offered:
        return []
    present = set(
        Citation.objects.filter(
            catalog_record=record, reading_list_id__in=[rl.pk for rl, _s in offered]
        ).values_list("section_id", flat=True)
    )
    return [
        ListChoice(reading_list=rl, sections=[(s, s.pk in present) for s in sections])
        for rl, sections in offered
    ]


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def add_to_list(request: AuthedHttpRequest, record_id: int) -> HttpResponse:
    """Pick a list and section (one <select>: lists as groups, their sections as
    options) and add the record there. Served whole, or as a fragment for htmx."""
    record = record_get(record_id)
    if not may_add_to_lists(request.user):
        raise PermissionDenied
    back = next_path(request, reverse("catalog:record", args=[record.pk]))
    preselect_list = _int_or_none(request.GET.get("list") or request.POST.get("list"))
    error = ""
    status = 200
    chosen_section = _int_or_none(request.POST.get("section"))
    if request.method == "POST":
        raw_section = request.POST.get("section", "")
        raw_list = request.POST.get("list", "")
        section: Section | None = None
        reading_list: ReadingList | None = None
        try:
            if raw_section:
                if chosen_section is None:
                    raise ValueError
                section = selectors.section_get_for_editor(
                    user=request.user, section_id=chosen_section
                )
                reading_list = section.reading_list
            elif raw_list:
                if preselect_list is None:
                    raise ValueError
                reading_list, _right = selectors.reading_list_get_for_editor(
                    user=request.user, list_id=preselect_list
                )
            else:
                error = _("Choose a list and a section.")
                status = 400
        except ValueError:
            error = _("That is not a list or section.")
            status = 400
        except (Http404, PermissionDenied):
            error = _("You cannot add to that list: choose one of yours.")
            status = 403
        if reading_list is not None:
            try:
                citation = citation_add_from_record(
                    actor=request.user,
                    record=record,
                    reading_list=reading_list,
                    section=section,
                )
            except ServiceError as refusal:
                error = str(refusal)
                status = 409
            else:
                return _added(request, record, citation, back)
    choices = editable_lists(request.user, record, also=preselect_list)
    context = {
        "record": record,
        "title": _full_title(record),
        "choices": choices,
        "chosen_section": chosen_section,
        "preselect_list": preselect_list,
        "error": error,
        "next": back,
        "nav": "catalog",
    }
    template = (
        "catalog/add_to_list.html#picker"
        if is_htmx(request)
        else "catalog/add_to_list.html"
    )
    # htmx swaps only successful answers: the fragment carries its error instead.
    if is_htmx(request):
        status = 200
    return vary_on_htmx(render(request, template, context, status=status))


def _added(
    request: AuthedHttpRequest, record: Record, citation: Citation, back: str
) -> HttpResponse:
    section = citation.section
    reading_list = citation.reading_list
    text = _("Added “%(title)s” to %(section)s on %(list)s.") % {
        "title": record.title[:120],
        "section": section.name,
        "list": reading_list.name,
    }
    if is_htmx(request):
        return vary_on_htmx(
            render(
                request,
                "catalog/add_to_list.html#added",
                {"text": text, "citation": citation, "list": reading_list},
            )
        )
    messages.success(request, text)
    return redirect(back)
