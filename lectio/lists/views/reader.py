"""What readers see: their courses, the reading view of a list, a citation's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lectio.accounts.models import InstitutionSettings
from lectio.catalog.availability import availability_for
from lectio.core import usage
from lectio.core.htmx import vary_on_htmx, wants_json
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import reading, selectors, services
from lectio.lists.access import (
    citation_for_reader_or_login,
    reading_list_for_reader_or_login,
)
from lectio.lists.extensions import citation_links, page_panels, record_links
from lectio.lists.files import readers_may_open
from lectio.lists.forms import PrivateNoteForm
from lectio.lists.models import Citation, CitationFile, CitationInteraction
from lectio.lists.permissions import Right, may_open_material
from lectio.lists.views.common import list_url
from lectio.lists.views.locate import availability_html, availability_snippets


@login_required
@require_safe
def reader_home(request: AuthedHttpRequest) -> HttpResponse:
    courses = list(selectors.courses_for_student(user=request.user))
    lists = selectors.published_lists_for_courses(
        [c.pk for c in courses]
    ).prefetch_related("courses")
    by_course: dict[int, list] = {c.pk: [] for c in courses}
    for reading_list in lists:
        for course in reading_list.courses.all():
            if course.pk in by_course:
                by_course[course.pk].append(reading_list)
    return render(
        request,
        "lists/reader_home.html",
        {"courses": [(c, by_course[c.pk]) for c in courses], "nav": "courses"},
    )


@require_safe
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    """Editors get the editing view (or, with ?view=reader, a preview of what students
    see); readers get the reading view; others a 404 or the login page."""
    reading_list, right = reading_list_for_reader_or_login(request, list_id=list_id)
    if right >= Right.EDIT and request.GET.get("view") != "reader":
        from lectio.lists.views.editor import list_editor

        return list_editor(request, reading_list, right)
    settings_row = InstitutionSettings.cached()
    interactive = request.user.is_authenticated
    usage.record(request, "list_view", list_id=reading_list.pk)
    body = reading.reader_body(
        reading_list,
        only_complete=settings_row.students_see_only_complete,
        interactive=interactive,
    )
    marks = reading.reader_marks(request.user, reading_list) if interactive else {}
    # Live, never cached: read for all the page's linked records at once.
    availability = availability_snippets(
        (record_id, pk) for *_html, pk, record_id in body.pieces if record_id
    )
    # The page is rendered around a marker and the body joined in afterwards: the
    # template engine never copies the (large) body.
    response = render(
        request,
        "lists/reader_list.html",
        {
            "list": reading_list,
            "courses": body.courses,
            "body_html": reading.BODY_MARKER,
            "citation_count": body.citation_count,
            "interactive": interactive,
            "preview": right >= Right.EDIT,
            "panels_html": mark_safe(  # noqa: S308 (escaped by the providers)
                page_panels(request.user, reading_list, None, "reader")
            ),
            "nav": "courses",
        },
    )
    head, _marker, tail = response.content.decode().partition(reading.BODY_MARKER)
    response.content = "".join(
        (
            head,
            reading.render_reader_html(
                body,
                marks=marks,
                availability=availability,
                files=bool(body.file_html)
                and may_open_material(request.user, reading_list, right),
            ),
            tail,
        )
    ).encode()
    return vary_on_htmx(response)


@login_required
@require_POST
def list_marks(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    """Toggles done or like on one citation of the list for the reader."""
    reading_list, right = selectors.reading_list_get_for_reader(
        user=request.user, list_id=list_id
    )
    field = (
        "done" if "done" in request.POST else "like" if "like" in request.POST else None
    )
    if field is None:
        return JsonResponse({"error": "Say done or like."}, status=400)
    try:
        citation_id = int(request.POST[field])
    except ValueError:
        return JsonResponse({"error": "Not a citation."}, status=400)
    citation, _right = selectors.citation_get_for_reader(
        user=request.user, citation_id=citation_id
    )
    if citation.reading_list_id != reading_list.pk:
        raise Http404
    current = CitationInteraction.objects.filter(
        user=request.user, citation=citation
    ).first()
    if field == "done":
        mark = services.citation_mark(
            user=request.user, citation=citation, done=not (current and current.done)
        )
    else:
        mark = services.citation_mark(
            user=request.user, citation=citation, liked=not (current and current.liked)
        )
    turned_on = mark.done if field == "done" else mark.liked
    if turned_on:
        usage.record(
            request,
            "mark_done" if field == "done" else "like",
            list_id=reading_list.pk,
            section_id=citation.section_id,
            citation_id=citation.pk,
        )
    if wants_json(request):
        return JsonResponse(
            {"citation": citation.pk, "done": mark.done, "liked": mark.liked}
        )
    return redirect(list_url(reading_list.pk, f"c{citation.pk}"))


@require_http_methods(["GET", "POST"])
def citation_detail(request: HttpRequest, citation_id: int) -> HttpResponse:
    citation, right = citation_for_reader_or_login(request, citation_id=citation_id)
    mark = None
    form = None
    if request.user.is_authenticated:
        mark = CitationInteraction.objects.filter(
            user=request.user, citation=citation
        ).first()
        form = PrivateNoteForm(
            request.POST or None,
            initial={"private_note": mark.private_note if mark else ""},
        )
        if request.method == "POST" and form.is_valid():
            services.citation_mark(
                user=request.user,
                citation=citation,
                private_note=form.cleaned_data["private_note"],
            )
            usage.record(
                request,
                "note",
                list_id=citation.reading_list_id,
                citation_id=citation.pk,
            )
            from django.contrib import messages
            from django.utils.translation import gettext as _

            messages.success(request, _("Your note is saved."))
            return redirect("lists:citation_detail", citation_id=citation.pk)
    elif request.method == "POST":
        return redirect_to_login(request.get_full_path())
    tags = [t for t in citation.tags.all() if t.kind == "public"]
    usage.record(
        request,
        "citation_open",
        list_id=citation.reading_list_id,
        section_id=citation.section_id,
        citation_id=citation.pk,
        detail="details",
    )
    return render(
        request,
        "lists/citation_detail.html",
        {
            "citation": citation,
            "list": citation.reading_list,
            "tags": tags,
            "mark": mark,
            "form": form,
            "is_editor": right >= Right.EDIT,
            "files": _files(request.user, citation, right),
            "metadata_rows": _metadata_rows(citation),
            "availability_html": _availability(citation),
            # Escaped HTML from the apps above lists (Find it).
            "links_html": mark_safe(  # noqa: S308
                citation_links(citation.pk, citation.metadata, citation.material_type)
            ),
            "panels_html": mark_safe(  # noqa: S308 (escaped by the providers)
                page_panels(request.user, citation.reading_list, citation, "citation")
            ),
            "nav": "courses",
        },
    )


def _files(user: Any, citation: Citation, right: Right) -> list[CitationFile]:
    """The citation's files this person may open."""
    rows = list(citation.files.all())
    if not rows or not may_open_material(user, citation.reading_list, right):
        return []
    return [row for row in rows if readers_may_open(row, citation, right)]


def _availability(citation: Citation) -> str:
    if citation.catalog_record_id is None:
        return ""
    key = (citation.catalog_record_id, citation.pk)
    found = availability_for([citation.catalog_record_id])
    links = record_links({key})
    return mark_safe(  # noqa: S308 (escaped HTML, the linkers' contract)
        availability_html(found[citation.catalog_record_id]) + links.get(key, "")
    )


def _metadata_rows(citation: Citation) -> list[tuple[str, str]]:
    from lectio.lists.forms import FIELD_LABELS
    from lectio.lists.services import fields_from_csl

    flat = fields_from_csl(citation.metadata)
    rows = [
        (
            str(citation._meta.get_field("material_type").verbose_name).capitalize(),
            citation.get_material_type_display(),
        )
    ]
    for key, label in FIELD_LABELS.items():
        value = flat.get(key)
        if value:
            rows.append((str(label), value.replace("\n", "; ")))
    return rows
