"""Import into a list section (upload or paste -> preview -> confirm) and export of a
list, a section or a selection of its citations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from lectio.citations import exports, imports
from lectio.citations.forms import ExportForm, ImportForm
from lectio.core import usage
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors
from lectio.lists.access import reading_list_for_reader_or_login
from lectio.lists.models import ReadingList, Section
from lectio.lists.permissions import Right
from lectio.lists.services import ServiceError


def _sections(reading_list: ReadingList) -> list[tuple[int, str]]:
    return list(
        Section.objects.filter(reading_list=reading_list)
        .order_by("position", "id")
        .values_list("pk", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    sections = _sections(reading_list)
    initial = {}
    wanted = request.GET.get("section", "")
    if wanted.isdigit() and int(wanted) in {pk for pk, _name in sections}:
        initial["section"] = int(wanted)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        sections=sections,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        section = Section.objects.get(
            pk=form.cleaned_data["section"], reading_list=reading_list
        )
        try:
            pending = imports.pending_import_create(
                actor=request.user,
                reading_list=reading_list,
                section=section,
                data=form.cleaned_data["data"],
                file_name=form.cleaned_data["file_name"],
                format=form.cleaned_data["format"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            return redirect(
                "citations:import_review", list_id=reading_list.pk, token=pending.token
            )
    return render(
        request,
        "citations/import_start.html",
        {"list": reading_list, "form": form, "nav": "mine"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_review(request: AuthedHttpRequest, list_id: int, token: str) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    pending = imports.pending_import_get(
        user=request.user, reading_list=reading_list, token=token
    )
    context = {"list": reading_list, "nav": "mine"}
    if pending is None:
        return render(request, "citations/import_gone.html", context, status=410)
    try:
        preview = imports.pending_preview(pending)
    except imports.ImportGone as error:
        imports.pending_import_discard(pending=pending)
        context["reason"] = str(error)
        return render(request, "citations/import_gone.html", context, status=410)
    context.update({"pending": pending, "preview": preview, "error": ""})
    if request.method == "POST":
        if "cancel" in request.POST:
            imports.pending_import_discard(pending=pending)
            messages.info(request, _("Import cancelled; nothing was added."))
            return redirect("lists:detail", list_id=reading_list.pk)
        chosen = {int(v) for v in request.POST.getlist("entry") if v.isdigit()}
        try:
            outcome = imports.pending_import_confirm(
                actor=request.user, pending=pending, chosen=chosen
            )
        except ServiceError as error:
            context["error"] = str(error)
            context["chosen"] = chosen
            return render(request, "citations/import_review.html", context, status=400)
        messages.success(
            request,
            ngettext(
                "Imported %(n)s citation into %(section)s.",
                "Imported %(n)s citations into %(section)s.",
                len(outcome.added),
            )
            % {"n": len(outcome.added), "section": pending.section.name},  # type: ignore[union-attr]
        )
        url = reverse("lists:detail", args=[reading_list.pk])
        return redirect(f"{url}#s{pending.section_id}")
    context["chosen"] = {e.number for e in preview.entries if e.checked}
    return render(request, "citations/import_review.html", context)


@require_safe
def export(request: HttpRequest, list_id: int) -> HttpResponse:
    reading_list, right = reading_list_for_reader_or_login(request, list_id=list_id)
    groups = exports.export_sections(reading_list=reading_list, right=right)
    citations = [
        (c.pk, " — ".join(p for p in (c.title[:150], c.author[:80]) if p))
        for g in groups
        for c in g.citations
    ]
    sections = [(g.section.pk, g.section.name) for g in groups]
    data = request.GET if "format" in request.GET else None
    form = ExportForm(
        data,
        sections=sections,
        citations=citations,
        initial={"style": _institution_style()},
    )
    if data is not None and form.is_valid():
        chosen = form.cleaned_data["citations"]
        try:
            exported = exports.export_file(
                reading_list=reading_list,
                right=right,
                format=form.cleaned_data["format"],
                style=form.cleaned_data["style"] or None,
                section_id=form.cleaned_data["section"],
                citation_ids=chosen or None,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            response = HttpResponse(
                exported.content, content_type=exported.content_type
            )
            response["Content-Disposition"] = (
                content_disposition_header(
                    as_attachment=True, filename=exported.filename
                )
                or "attachment"
            )
            response["X-Content-Type-Options"] = "nosniff"
            usage.record(
                request,
                "export",
                list_id=reading_list.pk,
                section_id=form.cleaned_data["section"],
                detail=str(form.cleaned_data["format"]),
            )
            return response
    return render(
        request,
        "citations/export.html",
        {
            "list": reading_list,
            "form": form,
            "is_editor": right >= Right.EDIT,
            "citation_count": len(citations),
            "nav": "mine" if right >= Right.EDIT else "courses",
        },
        status=400 if form.errors else 200,
    )


def _institution_style() -> str:
    from lectio.accounts.models import InstitutionSettings

    return InstitutionSettings.cached().citation_style
