"""Suggestions for a list and for a citation (a page, or the fragment the list's
pages load into their panel), and adding one to a section of the list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lectio.analytics.suggestions import selectors as suggest
from lectio.analytics.suggestions.services import suggestion_add
from lectio.core.htmx import is_htmx, vary_on_htmx
from lectio.core.requests import AuthedHttpRequest, next_path
from lectio.lists import selectors
from lectio.lists.access import (
    citation_for_reader_or_login,
    reading_list_for_reader_or_login,
)
from lectio.lists.models import ReadingList, Section
from lectio.lists.permissions import Right
from lectio.lists.services import ServiceError


def _render(request: HttpRequest, context: dict) -> HttpResponse:
    template = "suggestions/suggestions.html"
    if is_htmx(request):
        template += "#panel"
    return vary_on_htmx(render(request, template, context))


def _sections(reading_list: ReadingList | int) -> list[Section]:
    return list(
        Section.objects.filter(reading_list=reading_list)
        .order_by("position", "id")
        .only("id", "name", "is_default")
    )


@require_safe
def list_suggestions_page(request: HttpRequest, list_id: int) -> HttpResponse:
    reading_list, right = reading_list_for_reader_or_login(request, list_id=list_id)
    editing = right >= Right.EDIT and request.GET.get("view") != "reader"
    found = suggest.list_suggestions(reading_list=reading_list, as_reader=not editing)
    sections = _sections(reading_list) if editing and found else []
    default = next((s.pk for s in sections if s.is_default), None)
    back = reverse("lists:detail", args=[reading_list.pk])
    if not editing and right >= Right.EDIT:
        back += "?view=reader"
    return _render(
        request,
        {
            "list": reading_list,
            "citation": None,
            "editing": editing,
            "suggestions": found,
            "sections": sections,
            "default_section": default or (sections[0].pk if sections else None),
            "back": back,
            "nav": "mine" if editing else "courses",
        },
    )


@require_safe
def citation_suggestions_page(request: HttpRequest, citation_id: int) -> HttpResponse:
    citation, right = citation_for_reader_or_login(request, citation_id=citation_id)
    editing = right >= Right.EDIT
    found = suggest.citation_suggestions(citation=citation, as_reader=not editing)
    return _render(
        request,
        {
            "list": citation.reading_list,
            "citation": citation,
            "editing": editing,
            "suggestions": found,
            "sections": _sections(citation.reading_list_id)
            if editing and found
            else [],
            "default_section": citation.section_id,
            "back": reverse("lists:citation_detail", args=[citation.pk]),
            "nav": "mine" if editing else "courses",
        },
    )


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@login_required
@require_POST
def suggestion_add_view(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    back = next_path(request, reverse("lists:detail", args=[reading_list.pk]))
    section = None
    section_id = _int(request.POST.get("section"))
    if request.POST.get("section") and section_id is None:
        messages.error(request, _("Choose a section of this list."))
        return redirect(back)
    if section_id is not None:
        section = Section.objects.filter(pk=section_id).first()
        if section is None or section.reading_list_id != reading_list.pk:
            messages.error(request, _("Choose a section of this list."))
            return redirect(back)
    work_id = _int(request.POST.get("work"))
    record_id = _int(request.POST.get("record"))
    try:
        citation = suggestion_add(
            actor=request.user,
            reading_list=reading_list,
            section=section,
            work_id=work_id,
            record_id=record_id,
        )
    except ServiceError as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    messages.success(
        request,
        _("“%(title)s” is added to %(section)s.")
        % {"title": citation.title[:120], "section": citation.section.name},
    )
    return redirect(
        reverse("lists:detail", args=[reading_list.pk]) + f"#c{citation.pk}"
    )
