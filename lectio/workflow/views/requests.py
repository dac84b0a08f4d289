"""Processing requests: made by instructors or the library, worked in queues."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors as list_selectors
from lectio.lists.services import ServiceError
from lectio.lists.views.common import REFUSALS
from lectio.workflow import selectors, services
from lectio.workflow.forms import RejectForm, RequestForm
from lectio.workflow.models import (
    REQUEST_MACHINE,
    ProcessingRequest,
    RequestKind,
    RequestState,
)


def _back(request: AuthedHttpRequest, citation_id: int, list_id: int) -> str:
    if request.user.is_library_staff:
        return reverse("workflow:work", args=[list_id]) + f"#c{citation_id}"
    return reverse("lists:detail", args=[list_id]) + f"#c{citation_id}"


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    citation = list_selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    initial_kind = request.GET.get("kind", RequestKind.DIGITIZATION)
    form = RequestForm(request.POST or None, initial={"kind": initial_kind})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(
                actor=request.user,
                citation=citation,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                page_ranges=form.cleaned_data["page_ranges"],
                copies=form.cleaned_data["copies"],
                total_pages=form.cleaned_data["total_pages"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Request sent."))
            return redirect(_back(request, citation.pk, citation.reading_list_id))
    return render(
        request,
        "workflow/request_form.html",
        {
            "form": form,
            "citation": citation,
            "list": citation.reading_list,
            "suggested_copies": services.suggested_copies(citation),
            "back": _back(request, citation.pk, citation.reading_list_id),
            "nav": "library" if request.user.is_library_staff else "mine",
        },
    )


@login_required
@require_POST
def request_state(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    req = get_object_or_404(ProcessingRequest, pk=request_id)
    # The person must be able to edit the list the request belongs to.
    list_selectors.citation_get_for_editor(
        user=request.user, citation_id=req.citation_id
    )
    form = RejectForm(request.POST)
    valid = form.is_valid()
    target = request.POST.get("state", "")
    try:
        if not valid and "cost" in form.errors:
            raise ServiceError(
                _("The cost: %(problem)s")
                % {"problem": " ".join(str(e) for e in form.errors["cost"])}
            )
        if target not in RequestState.values:
            raise ServiceError(_("Unknown request state."))
        services.request_set_state(
            actor=request.user,
            request=req,
            state=target,
            reason=form.cleaned_data.get("reason", ""),
            cost=form.cleaned_data.get("cost"),
        )
    except REFUSALS as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Request updated."))
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = _back(request, req.citation_id, req.reading_list_id)
    return redirect(back)


@login_required
def queue(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    selectors.require_library(request.user)
    if kind not in RequestKind.values:
        from django.http import Http404

        raise Http404
    state = request.GET.get("state", "open")
    rows = selectors.request_queue(user=request.user, kind=kind, state=state)[:500]
    return render(
        request,
        "workflow/queue.html",
        {
            "kind": kind,
            "kind_label": RequestKind(kind).label,
            "state": state,
            "rows": [(r, sorted(REQUEST_MACHINE.allowed_from(r.state))) for r in rows],
            "state_labels": dict(RequestState.choices),
            "kinds": RequestKind.choices,
            "nav": "library",
        },
    )
