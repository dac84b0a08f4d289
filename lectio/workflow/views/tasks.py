"""The librarian's home and task list."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lectio.core.htmx import is_htmx, vary_on_htmx
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import processing
from lectio.lists.services import ServiceError
from lectio.workflow import selectors
from lectio.workflow.forms import AssignForm, TaskFilterForm
from lectio.workflow.models import RequestKind

TAB_LABELS = {
    "all": _("All"),
    "mine": _("Assigned to me"),
    "unassigned": _("Unassigned"),
    "others": _("Assigned to others"),
}


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    selectors.require_library(request.user)
    counts = selectors.home_counts(user=request.user)
    queues = [
        (kind, label, counts.get(f"requests_{kind}", 0))
        for kind, label in RequestKind.choices
    ]
    return render(
        request,
        "workflow/home.html",
        {"counts": counts, "queues": queues, "nav": "library"},
    )


def _filters(form: TaskFilterForm) -> tuple[selectors.TaskFilters, str]:
    # The fields that are valid still apply when another one is not.
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    filters = selectors.TaskFilters()
    if data.get("status"):
        filters.statuses = data["status"]
    filters.publication_status = data.get("publication_status") or ""
    dept = data.get("processing_department")
    filters.processing_department = dept.pk if dept else None
    acad = data.get("academic_department")
    filters.academic_department = acad.pk if acad else None
    term = data.get("term")
    filters.term = term.pk if term else None
    filters.course = data.get("course") or ""
    filters.submit_by = data.get("submit_by")
    filters.has_alerts = bool(data.get("has_alerts"))
    filters.open_request = data.get("open_request") or ""
    filters.q = data.get("q") or ""
    return filters, data.get("sort") or "age"


@login_required
def task_list(request: AuthedHttpRequest) -> HttpResponse:
    """Tabs, filters, sorting and paging, all in the URL so a view can be bookmarked."""
    selectors.require_library(request.user)
    form = TaskFilterForm(request.GET or None)
    filters, sort = _filters(form)
    tab = request.GET.get("tab", "all")
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page = selectors.task_list(
        user=request.user,
        tab=tab,
        filters=filters,
        sort=sort,
        page=page_number,
    )
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("tab", None)
    query = params.urlencode()
    tabs = [
        (
            key,
            label,
            page.counts[key],
            "?" + urlencode({"tab": key}) + (f"&{query}" if query else ""),
        )
        for key, label in TAB_LABELS.items()
    ]
    tab = tab if tab in TAB_LABELS else "all"
    page_query = urlencode({"tab": tab}) + (f"&{query}" if query else "")
    filter_fields = set(TaskFilterForm.base_fields) - {"sort"}
    context = {
        "form": form,
        # The panel opens when a filter is set, not for a tab or a page number.
        "filters_active": any(request.GET.get(name) for name in filter_fields),
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "page_query": page_query,
        "assign_form": AssignForm(),
        "nav": "library",
    }
    template = (
        "workflow/task_list.html#results"
        if is_htmx(request)
        else "workflow/task_list.html"
    )
    return vary_on_htmx(render(request, template, context))


@login_required
@require_POST
def bulk_assign(request: AuthedHttpRequest) -> HttpResponse:
    selectors.require_library(request.user)
    form = AssignForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("list_ids") if v.isdigit()]
    back = request.POST.get("next") or ""
    if not back.startswith("/library/"):
        back = "/library/tasks/"
    if not ids:
        messages.error(request, _("Choose at least one list."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("Choose a librarian."))
        return redirect(back)
    try:
        count = processing.reading_lists_assign(
            actor=request.user,
            list_ids=ids,
            assignee=form.cleaned_data["assignee"],
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)s lists assigned.") % {"count": count})
    return redirect(back)
