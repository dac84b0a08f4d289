"""Cite It! (`/citeit/`): the bookmarklet's target and the "add by identifier" box.

GET with `url` (and the tab's `title`) harvests the page through the guarded client;
GET with `identifier` looks a DOI, ISBN, ISSN, PubMed id or address up; either way
the citation form comes back prefilled, with a choice of list and section, and
nothing is saved until the person posts it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from lectio.catalog.models import Record
from lectio.citations.capture import Captured, NotAnIdentifier, cite_url, lookup
from lectio.citations.harvest import clean_text
from lectio.core import http_guard
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors, services
from lectio.lists.forms import CitationForm
from lectio.lists.models import MaterialType, Section
from lectio.lists.views.common import REFUSALS, list_url

MAX_QUERY = 2000


def _targets(
    request: AuthedHttpRequest, also: int | None
) -> list[tuple[Any, list[Section]]]:
    return selectors.lists_to_add_to(user=request.user, also=also)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _captured(request: AuthedHttpRequest) -> tuple[Captured | None, str]:
    """What the query asks for, found; or None and why not."""
    user_key = f"user:{request.user.pk}"
    url = request.GET.get("url", "").strip()[:MAX_QUERY]
    identifier = request.GET.get("identifier", "").strip()[:MAX_QUERY]
    try:
        if url:
            return (
                cite_url(
                    url,
                    user_key=user_key,
                    title_hint=request.GET.get("title", "")[:500],
                ),
                "",
            )
        if identifier:
            return lookup(identifier, user_key=user_key), ""
    except http_guard.FetchRefused as error:
        return None, _("Lectio did not fetch that address: %(reason)s.") % {
            "reason": error
        }
    except NotAnIdentifier as error:
        return None, str(error)
    return None, ""


def _form_initial(captured: Captured, selection: str = "") -> dict[str, Any]:
    initial: dict[str, Any] = {
        **CitationForm.initial_from(
            captured.material_type, services.fields_from_csl(captured.csl)
        ),
        "material_type": captured.material_type,
    }
    if selection:
        # Text the person selected on the page: a note for students to start from.
        initial["public_note"] = selection
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def citeit(request: AuthedHttpRequest) -> HttpResponse:
    also = _int(request.POST.get("list") or request.GET.get("list"))
    targets = _targets(request, also)
    chosen: str = request.POST.get("section") or request.GET.get("section") or ""
    chosen_section: int | str | None = (
        "collection" if chosen == "collection" else _int(chosen)
    )
    if chosen_section is None and also is not None:
        chosen_section = next(
            (ss[0].pk for rl, ss in targets if rl.pk == also and ss), None
        )
    context: dict[str, Any] = {
        "targets": targets,
        "chosen_section": chosen_section,
        "material_types": MaterialType.choices,
        "query_url": request.GET.get("url", "")[:MAX_QUERY],
        "query_identifier": request.GET.get("identifier", "")[:MAX_QUERY],
        "nav": "mine",
    }
    if request.method == "POST":
        return _post(request, context)
    captured, problem = _captured(request)
    context["problem"] = problem
    if captured is None:
        if problem and request.GET.get("url"):
            # A refused page still gives what the browser knew: its title and address.
            captured = Captured(
                material_type=MaterialType.WEBSITE,
                csl={
                    "type": "webpage",
                    "title": request.GET.get("title", "")[:500],
                },
                source="typed",
            )
        else:
            return render(
                request,
                "citations/citeit.html",
                context,
                status=400 if problem else 200,
            )
    selection = clean_text(request.GET.get("selection", ""), 1000)
    form = CitationForm(
        initial=_form_initial(captured, selection),
        material_type=captured.material_type,
    )
    context.update(
        {
            "captured": captured,
            "form": form,
            "material_type": captured.material_type,
            "record": captured.record,
        }
    )
    return render(request, "citations/citeit.html", context)


def _post(request: AuthedHttpRequest, context: dict[str, Any]) -> HttpResponse:
    material_type = request.POST.get("material_type", MaterialType.BOOK)
    if material_type not in MaterialType.values:
        material_type = MaterialType.BOOK
    changing_type = "change_type" in request.POST
    form = CitationForm(
        None if changing_type else request.POST,
        initial=request.POST.dict() if changing_type else None,
        material_type=material_type,
    )
    record_id = _int(request.POST.get("record"))
    record = Record.objects.filter(pk=record_id).first() if record_id else None
    context.update({"form": form, "material_type": material_type, "record": record})
    if changing_type or not form.is_valid():
        return render(
            request,
            "citations/citeit.html",
            context,
            status=200 if changing_type else 400,
        )
    section_id = context["chosen_section"]
    if section_id == "collection":
        return _save_to_collection(request, form, material_type, record, context)
    section = next(
        (
            s
            for _rl, sections in context["targets"]
            for s in sections
            if s.pk == section_id
        ),
        None,
    )
    if section is None:
        form.add_error(None, _("Choose the list and section to add it to."))
        return render(request, "citations/citeit.html", context, status=400)
    reading_list = section.reading_list
    try:
        citation = services.citation_add(
            actor=request.user,
            reading_list=reading_list,
            section=section,
            material_type=material_type,
            metadata=services.csl_from_fields(material_type, form.csl_fields()),
            public_note=form.cleaned_data["public_note"],
            instructor_note=form.cleaned_data["instructor_note"],
            tag_ids=[t.pk for t in form.cleaned_data["tags"]],
            due_date=form.cleaned_data["due_date"],
            catalog_record=record,
        )
    except REFUSALS as error:
        form.add_error(None, str(error))
        return render(request, "citations/citeit.html", context, status=400)
    messages.success(
        request,
        _("Added to %(section)s on %(list)s.")
        % {"section": section.name, "list": reading_list.name},
    )
    return redirect(list_url(reading_list.pk, f"c{citation.pk}"))


def _save_to_collection(
    request: AuthedHttpRequest,
    form: CitationForm,
    material_type: str,
    record: Record | None,
    context: dict[str, Any],
) -> HttpResponse:
    from lectio.collection.services import CollectionError, item_save

    try:
        item = item_save(
            owner=request.user,
            material_type=material_type,
            metadata=services.csl_from_fields(material_type, form.csl_fields()),
            note=form.cleaned_data["public_note"],
            catalog_record=record,
        )
    except CollectionError as error:
        form.add_error(None, str(error))
        return render(request, "citations/citeit.html", context, status=400)
    messages.success(
        request, _("Saved “%(title)s” to your collection.") % {"title": item.title}
    )
    return redirect("collection:home")


def bookmarklet(target: str) -> str:
    """The bookmarklet: opens Cite It! in a small window with the page's address, its
    title and the selected text (the page itself is fetched by Lectio)."""
    return (
        "javascript:(function(){var d=document,w=window,"
        "u=encodeURIComponent(location.href),t=encodeURIComponent(d.title||''),"
        "s=encodeURIComponent(String(w.getSelection?w.getSelection():'')"
        ".slice(0,1000));"
        f"w.open('{target}?url='+u+'&title='+t+'&selection='+s,'lectio_citeit',"
        "'width=760,height=820,scrollbars=yes');})();"
    )


@login_required
@require_safe
def install(request: AuthedHttpRequest) -> HttpResponse:
    target = request.build_absolute_uri(reverse("citations:citeit"))
    return render(
        request,
        "citations/install.html",
        {
            "bookmarklet": bookmarklet(target),
            "example": f"{target}?{urlencode({'url': 'https://www.example.org/article'})}",
            "nav": "mine",
        },
    )
