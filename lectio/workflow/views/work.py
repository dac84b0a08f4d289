"""Working a list: the librarian's view of one list and its citations."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lectio.core.concurrency import StaleVersion
from lectio.core.models import Event
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import processing
from lectio.lists import selectors as list_selectors
from lectio.lists.models import Citation, Tag, TagKind
from lectio.lists.statuses import (
    CITATION_MACHINE,
    LIST_MACHINE,
    CitationStatus,
    ListStatus,
)
from lectio.lists.views.common import REFUSALS, render_conflict
from lectio.workflow import selectors
from lectio.workflow.forms import (
    AssignForm,
    BulkStatusForm,
    CompleteForm,
    LibraryCitationForm,
    MessageForm,
)
from lectio.workflow.models import Message, ProcessingRequest, Thread


def work_url(list_id: int, anchor: str = "") -> str:
    url = reverse("workflow:work", args=[list_id])
    return f"{url}#{anchor}" if anchor else url


def _get(request: HttpRequest, list_id: int):
    selectors.require_library(request.user)
    reading_list, _right = list_selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    return reading_list


@login_required
def work(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = _get(request, list_id)
    # News: what instructors did since the library last looked, counting only from
    # when the list was sent (before that, preparing the list is not news).
    since = max(
        (
            t
            for t in (reading_list.library_seen_at, reading_list.sent_to_library_at)
            if t
        ),
        default=None,
    )
    news = []
    if since is not None:
        news = list(
            Event.objects.filter(list_id=reading_list.pk, created_at__gt=since)
            .filter(
                verb__in=[
                    "citation.add",
                    "citation.update",
                    "citation.delete",
                    "message.post",
                ]
            )
            .exclude(actor__role__in=["librarian", "admin"])
            .select_related("actor")[:50]
        )
    processing.reading_list_mark_seen(actor=request.user, reading_list=reading_list)
    show = request.GET.get("show", "")
    chosen = Citation.objects.filter(reading_list=reading_list).select_related(
        "section"
    )
    if show in selectors.CITATION_FILTERS:
        chosen = chosen.filter(selectors.CITATION_FILTERS[show])
    elif show == "digitization":
        chosen = chosen.filter(requests__kind="digitization").distinct()
    elif show == "messages":
        chosen = chosen.filter(
            pk__in=Message.objects.filter(reading_list=reading_list).values(
                "citation_id"
            )
        )
    citations = list(
        chosen.order_by("section__position", "position", "id").prefetch_related("tags")
    )
    requests_by_citation: dict[int, list[ProcessingRequest]] = defaultdict(list)
    for req in ProcessingRequest.objects.filter(reading_list=reading_list).order_by(
        "created_at"
    ):
        requests_by_citation[req.citation_id].append(req)
    discussion = list(
        Message.objects.filter(reading_list=reading_list, thread=Thread.LIBRARY)
        .select_related("author", "citation")
        .order_by("created_at")
    )
    # Open items of the whole list, whatever filter the page shows.
    open_count = reading_list.citations.exclude(
        status__in=processing.DONE_STATUSES
    ).count()
    return render(
        request,
        "workflow/work.html",
        {
            "list": reading_list,
            "courses": list(reading_list.courses.all()),
            "citations": [
                (
                    c,
                    requests_by_citation.get(c.pk, []),
                    _quick_targets(c.status),
                )
                for c in citations
            ],
            "news": news,
            "show": show,
            "discussion": discussion,
            "message_form": MessageForm(),
            "assign_form": AssignForm(
                initial={"assignee": reading_list.assigned_librarian}
            ),
            "bulk_form": BulkStatusForm(),
            "complete_form": CompleteForm(prefix="complete"),
            "can_start": reading_list.status == ListStatus.READY_FOR_PROCESSING,
            "can_complete": LIST_MACHINE.can(reading_list.status, ListStatus.COMPLETE)
            or reading_list.status == ListStatus.READY_FOR_PROCESSING,
            "open_count": open_count,
            "filters": [
                ("", _("All items")),
                ("ready", _("Ready for processing")),
                ("in_process", _("In process")),
                ("digitization", _("Digitization requested")),
                ("declined", _("Declined")),
                ("complete", _("Complete")),
                ("messages", _("With messages")),
            ],
            "nav": "library",
        },
    )


def _quick_targets(status: str) -> list[tuple[str, Any]]:
    """One-click status buttons; declining needs a reason, so it goes through the
    form for selected items."""
    allowed = CITATION_MACHINE.allowed_from(status)
    return [(target, label) for target, label in QUICK_ORDER if target in allowed]


# Forward first (the library's usual next step), the step back last.
QUICK_ORDER = [
    (CitationStatus.IN_PROCESS, CitationStatus.IN_PROCESS.label),
    (CitationStatus.COMPLETE, CitationStatus.COMPLETE.label),
    (CitationStatus.READY_FOR_PROCESSING, CitationStatus.READY_FOR_PROCESSING.label),
    (CitationStatus.BEING_PREPARED, CitationStatus.BEING_PREPARED.label),
]


def _act(
    request: HttpRequest, list_id: int, action, success: str, anchor: str = ""
) -> HttpResponse:
    try:
        action()
    except REFUSALS as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(work_url(list_id, anchor))


@login_required
@require_POST
def take(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = _get(request, list_id)
    return _act(
        request,
        list_id,
        lambda: processing.reading_list_take(
            actor=request.user, reading_list=reading_list
        ),
        _("The list is yours now."),
    )


@login_required
@require_POST
def assign(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = _get(request, list_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a librarian."))
        return redirect(work_url(list_id))
    return _act(
        request,
        list_id,
        lambda: processing.reading_list_assign(
            actor=request.user,
            reading_list=reading_list,
            assignee=form.cleaned_data["assignee"],
        ),
        _("Assignment saved."),
    )


@login_required
@require_POST
def start(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = _get(request, list_id)
    return _act(
        request,
        list_id,
        lambda: processing.reading_list_start_processing(
            actor=request.user, reading_list=reading_list
        ),
        _("Processing started."),
    )


@login_required
@require_POST
def complete(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list = _get(request, list_id)
    form = CompleteForm(request.POST, prefix="complete")
    form.is_valid()
    return _act(
        request,
        list_id,
        lambda: processing.reading_list_complete(
            actor=request.user,
            reading_list=reading_list,
            reason=form.cleaned_data.get("reason", ""),
        ),
        _("The list is complete."),
    )


@login_required
@require_POST
def citations_status(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    """One or many citations to a new status (the per-item buttons and the bulk form)."""
    reading_list = _get(request, list_id)
    form = BulkStatusForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("citation_ids") if v.isdigit()]
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose items and a status."))
        return redirect(work_url(list_id))
    anchor = f"c{ids[0]}" if len(ids) == 1 else ""
    return _act(
        request,
        list_id,
        lambda: processing.citations_set_status(
            actor=request.user,
            reading_list=reading_list,
            citation_ids=ids,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        ),
        _("Status changed."),
        anchor,
    )


@login_required
@require_http_methods(["GET", "POST"])
def citation_library(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    """The library's own note, tags and copyright status of a citation."""
    selectors.require_library(request.user)
    citation = list_selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    library_tags = [t for t in citation.tags.all() if t.kind != TagKind.PUBLIC]
    form = LibraryCitationForm(
        request.POST or None,
        initial={
            "library_note": citation.library_note,
            "tags": library_tags,
            "copyright_status": citation.copyright_status,
            "version": citation.version,
        },
    )
    context = {
        "form": form,
        "citation": citation,
        "list": citation.reading_list,
        "has_library_tags": Tag.objects.exclude(kind=TagKind.PUBLIC).exists(),
        "tag_fields": [form["tags"]],
        "nav": "library",
    }
    if request.method == "POST" and form.is_valid():
        try:
            processing.citation_library_update(
                actor=request.user,
                citation=citation,
                library_note=form.cleaned_data["library_note"],
                tag_ids=[t.pk for t in form.cleaned_data["tags"]],
                expected_version=form.cleaned_data["version"],
            )
            if form.cleaned_data["copyright_status"] != citation.copyright_status:
                processing.citation_set_copyright(
                    actor=request.user,
                    citation=citation,
                    copyright_status=form.cleaned_data["copyright_status"],
                )
        except StaleVersion as error:
            return render_conflict(
                request, "workflow/citation_library.html", context, error
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(work_url(citation.reading_list_id, f"c{citation.pk}"))
    return render(request, "workflow/citation_library.html", context)
