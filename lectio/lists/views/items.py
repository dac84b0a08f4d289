"""Sections and citations on a list: add, edit, move, delete, send to the library."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lectio.core.concurrency import StaleVersion
from lectio.core.htmx import wants_json
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors, services
from lectio.lists.forms import (
    CitationEditForm,
    CitationForm,
    CitationMoveForm,
    SectionEditForm,
    SectionForm,
)
from lectio.lists.models import MaterialType, Section
from lectio.lists.views.common import (
    REFUSALS,
    list_url,
    redirect_with_error,
    render_conflict,
)

# --- sections --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def section_add(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_add(
                actor=request.user,
                reading_list=reading_list,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Section added."))
            return redirect(list_url(list_id, f"s{section.pk}"))
    return render(
        request,
        "lists/section_form.html",
        {"form": form, "list": reading_list, "nav": "mine"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: AuthedHttpRequest, section_id: int) -> HttpResponse:
    section = selectors.section_get_for_editor(user=request.user, section_id=section_id)
    form = SectionEditForm(
        request.POST or None,
        initial={
            "name": section.name,
            "description": section.description,
            "start_date": section.start_date,
            "end_date": section.end_date,
            "version": section.version,
        },
    )
    context = {
        "form": form,
        "list": section.reading_list,
        "section": section,
        "nav": "mine",
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(
                actor=request.user,
                section=section,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
            )
        except StaleVersion as error:
            return render_conflict(request, "lists/section_form.html", context, error)
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Section saved."))
            return redirect(list_url(section.reading_list_id, f"s{section.pk}"))
    return render(request, "lists/section_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def section_delete(request: AuthedHttpRequest, section_id: int) -> HttpResponse:
    section = selectors.section_get_for_editor(user=request.user, section_id=section_id)
    list_id = section.reading_list_id
    if request.method == "POST":
        try:
            services.section_delete(actor=request.user, section=section)
        except REFUSALS as error:
            return redirect_with_error(request, list_url(list_id), error)
        messages.success(request, _("Section deleted."))
        return redirect(list_url(list_id))
    return render(
        request,
        "lists/confirm_delete.html",
        {
            "list": section.reading_list,
            "what": _("the section “%(name)s” and its %(count)s citations")
            % {"name": section.name, "count": section.citations.count()},
            "cancel_url": list_url(list_id, f"s{section.pk}"),
            "nav": "mine",
        },
    )


@login_required
@require_POST
def section_move(request: AuthedHttpRequest, section_id: int) -> HttpResponse:
    section = selectors.section_get_for_editor(user=request.user, section_id=section_id)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        position = section.position + (-1 if direction == "up" else 1)
    else:
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            return redirect_with_error(
                request,
                list_url(section.reading_list_id),
                ValueError(_("Say where to move it.")),
            )
    services.section_move(actor=request.user, section=section, position=position)
    if wants_json(request):
        return JsonResponse({"section": section.pk, "position": section.position})
    return redirect(list_url(section.reading_list_id, f"s{section.pk}"))


# --- citations -------------------------------------------------------------------


def _material_type(request: HttpRequest, default: str = MaterialType.BOOK) -> str:
    value = request.POST.get("material_type") or request.GET.get("type") or default
    return value if value in MaterialType.values else default


@login_required
@require_http_methods(["GET", "POST"])
def citation_add(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    sections = list(reading_list.sections.order_by("position", "id"))
    section_id = request.POST.get("section") or request.GET.get("section") or ""
    section = next((s for s in sections if str(s.pk) == section_id), None)
    material_type = _material_type(request)
    # "Change type" re-shows the form for the new type with what was typed so far.
    changing_type = "change_type" in request.POST
    form = CitationForm(
        request.POST if request.method == "POST" and not changing_type else None,
        initial=request.POST.dict() if changing_type else None,
        material_type=material_type,
    )
    if request.method == "POST" and not changing_type and form.is_valid():
        metadata = services.csl_from_fields(material_type, form.csl_fields())
        try:
            citation = services.citation_add(
                actor=request.user,
                reading_list=reading_list,
                section=section,
                material_type=material_type,
                metadata=metadata,
                public_note=form.cleaned_data["public_note"],
                instructor_note=form.cleaned_data["instructor_note"],
                tag_ids=[t.pk for t in form.cleaned_data["tags"]],
                due_date=form.cleaned_data["due_date"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Citation added."))
            if "add_another" in request.POST:
                return redirect(
                    f"{request.path}?section={citation.section_id}&type={material_type}"
                )
            return redirect(list_url(list_id, f"c{citation.pk}"))
    return render(
        request,
        "lists/citation_form.html",
        {
            "form": form,
            "list": reading_list,
            "sections": sections,
            "section": section,
            "material_types": MaterialType.choices,
            "material_type": material_type,
            "adding": True,
            "nav": "mine",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def citation_edit(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    citation = selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    material_type = _material_type(request, citation.material_type)
    changing_type = "change_type" in request.POST
    initial = {
        **CitationForm.initial_from(
            material_type, services.fields_from_csl(citation.metadata)
        ),
        "material_type": material_type,
        "public_note": citation.public_note,
        "instructor_note": citation.instructor_note,
        "tags": list(citation.tags.all()),
        "due_date": citation.due_date,
        "version": citation.version,
    }
    if changing_type:
        initial.update(request.POST.dict())
    form = CitationEditForm(
        request.POST if request.method == "POST" and not changing_type else None,
        initial=initial,
        material_type=material_type,
    )
    context = {
        "form": form,
        "list": citation.reading_list,
        "citation": citation,
        "material_types": MaterialType.choices,
        "material_type": material_type,
        "adding": False,
        "nav": "mine",
    }
    if request.method == "POST" and not changing_type and form.is_valid():
        try:
            services.citation_update(
                actor=request.user,
                citation=citation,
                expected_version=form.cleaned_data["version"],
                material_type=material_type,
                metadata=services.csl_edited(
                    citation.metadata, material_type, form.csl_fields()
                ),
                public_note=form.cleaned_data["public_note"],
                instructor_note=form.cleaned_data["instructor_note"],
                tag_ids=[t.pk for t in form.cleaned_data["tags"]],
                due_date=form.cleaned_data["due_date"],
            )
        except StaleVersion as error:
            return render_conflict(request, "lists/citation_form.html", context, error)
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Citation saved."))
            return redirect(list_url(citation.reading_list_id, f"c{citation.pk}"))
    return render(request, "lists/citation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def citation_delete(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    citation = selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    list_id = citation.reading_list_id
    if request.method == "POST":
        services.citation_delete(actor=request.user, citation=citation)
        messages.success(request, _("Citation removed."))
        return redirect(list_url(list_id))
    return render(
        request,
        "lists/confirm_delete.html",
        {
            "list": citation.reading_list,
            "what": _("the citation “%(title)s”") % {"title": citation.title},
            "cancel_url": list_url(list_id, f"c{citation.pk}"),
            "nav": "mine",
        },
    )


@login_required
@require_POST
def citation_move(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    """Moves a citation: up/down one place (buttons, keyboard) or to a section and
    position (drag and drop, the move form)."""
    citation = selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    data = request.POST.copy()
    data.setdefault("section", str(citation.section_id))
    form = CitationMoveForm(data)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"errors": form.errors}, status=400)
        return redirect_with_error(
            request,
            list_url(citation.reading_list_id),
            ValueError(_("Say where to move it.")),
        )
    section = get_object_or_404(
        Section,
        pk=form.cleaned_data["section"],
        reading_list_id=citation.reading_list_id,
    )
    direction = form.cleaned_data.get("direction")
    if direction:
        position = citation.position + (-1 if direction == "up" else 1)
    elif form.cleaned_data.get("position") is not None:
        position = form.cleaned_data["position"]
    else:
        position = section.citations.count()
    try:
        services.citation_move(
            actor=request.user,
            citation=citation,
            section=section,
            position=position,
        )
    except REFUSALS as error:
        if wants_json(request):
            return JsonResponse({"error": str(error)}, status=400)
        return redirect_with_error(request, list_url(citation.reading_list_id), error)
    if wants_json(request):
        return JsonResponse(
            {
                "citation": citation.pk,
                "section": section.pk,
                "position": citation.position,
            }
        )
    return redirect(list_url(citation.reading_list_id, f"c{citation.pk}"))


@login_required
@require_POST
def citation_send(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    citation = selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    try:
        services.citation_send_to_library(actor=request.user, citation=citation)
    except REFUSALS as error:
        return redirect_with_error(request, list_url(citation.reading_list_id), error)
    messages.success(request, _("The citation is with the library now."))
    return redirect(list_url(citation.reading_list_id, f"c{citation.pk}"))
