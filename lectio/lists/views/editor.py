"""The list author's pages: my lists, create, edit, send, publish, share, history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lectio.accounts.models import InstitutionSettings, PublishingWorkflow, User
from lectio.core.concurrency import StaleVersion
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors, services
from lectio.lists.extensions import editor_extras, page_panels
from lectio.lists.forms import (
    CollaboratorForm,
    DuplicateForm,
    ListEditForm,
    ListForm,
    PublishForm,
    SectionForm,
)
from lectio.lists.models import Citation, CollaboratorRight, MaterialType, ReadingList
from lectio.lists.permissions import Right
from lectio.lists.statuses import LIST_MACHINE, PUBLICATION_MACHINE, ListStatus
from lectio.lists.views.common import (
    REFUSALS,
    list_url,
    redirect_with_error,
    render_conflict,
)
from lectio.lists.views.locate import attach_availability


def _require_author(request: AuthedHttpRequest) -> None:
    if not request.user.can_author_lists:
        raise PermissionDenied


@login_required
@require_safe
def my_lists(request: AuthedHttpRequest) -> HttpResponse:
    _require_author(request)
    lists = selectors.lists_for_author(user=request.user).prefetch_related("courses")
    courses = selectors.courses_taught(user=request.user).prefetch_related(
        "reading_lists"
    )
    return render(
        request,
        "lists/my_lists.html",
        {"lists": lists, "courses": courses, "nav": "mine"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_create(request: AuthedHttpRequest) -> HttpResponse:
    _require_author(request)
    course_qs = (
        selectors.courses_taught(user=request.user)
        if not request.user.is_library_staff
        else selectors.Course.objects.order_by("code", "section")
    )
    initial = {}
    if request.GET.get("course", "").isdigit():
        initial["courses"] = [int(request.GET["course"])]
    form = ListForm(request.POST or None, course_queryset=course_qs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reading_list = services.reading_list_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                course_ids=[c.pk for c in form.cleaned_data["courses"]],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("List created. Add sections and citations."))
            return redirect("lists:detail", list_id=reading_list.pk)
    return render(request, "lists/list_form.html", {"form": form, "nav": "mine"})


def list_editor(
    request: HttpRequest, reading_list: ReadingList, right: Right
) -> HttpResponse:
    sections = list(
        reading_list.sections.order_by("position", "id").prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.order_by("position", "id")
                .annotate(file_count=Count("files"))
                .prefetch_related("tags"),
            )
        )
    )
    citations = [c for s in sections for c in s.citations.all()]
    attach_availability(citations)
    extras = editor_extras(request.user, reading_list, citations)
    for citation in citations:
        # HTML from the providers' own templates, escaped there.
        html = mark_safe("".join(extras.citation_html.get(citation.pk, [])))  # noqa: S308
        setattr(citation, "extras_html", html)  # noqa: B010
    settings_row = InstitutionSettings.cached()
    library_publishes = (
        settings_row.publishing_workflow == PublishingWorkflow.LIBRARY_PUBLISHES
        and not getattr(request.user, "is_library_staff", False)
    )
    return render(
        request,
        "lists/editor_list.html",
        {
            "list": reading_list,
            "right": right,
            "can_manage": right >= Right.MANAGE,
            "unlinked_count": sum(1 for c in citations if not c.catalog_record_id),
            "can_publish": right >= Right.MANAGE and not library_publishes,
            "sections": sections,
            "courses": list(reading_list.courses.all()),
            "can_send": LIST_MACHINE.can(
                reading_list.status, ListStatus.READY_FOR_PROCESSING
            ),
            "publication_targets": sorted(
                PUBLICATION_MACHINE.allowed_from(reading_list.publication_status)
            ),
            "material_types": MaterialType.choices,
            "section_form": SectionForm(),
            "citation_count": len(citations),
            "list_extras_html": mark_safe("".join(extras.list_html)),  # noqa: S308
            "panels_html": mark_safe(  # noqa: S308 (escaped by the providers)
                page_panels(request.user, reading_list, None, "editor")
            ),
            "nav": "mine",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_edit(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    course_qs = (
        selectors.Course.objects.filter(pk__in=reading_list.courses.values("pk"))
        | selectors.courses_taught(user=request.user)
    ).distinct()
    if request.user.is_library_staff:
        course_qs = selectors.Course.objects.order_by("code", "section")
    form = ListEditForm(
        request.POST or None,
        course_queryset=course_qs,
        initial={
            "name": reading_list.name,
            "description": reading_list.description,
            "courses": list(reading_list.courses.all()),
            "due_back_date": reading_list.due_back_date,
            "version": reading_list.version,
        },
    )
    context = {"form": form, "list": reading_list, "nav": "mine"}
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_list_update(
                actor=request.user,
                reading_list=reading_list,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                due_back_date=form.cleaned_data["due_back_date"],
                course_ids=[c.pk for c in form.cleaned_data["courses"]]
                if right >= Right.MANAGE
                else None,
            )
        except StaleVersion as error:
            return render_conflict(request, "lists/list_edit.html", context, error)
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("List details saved."))
            return redirect("lists:detail", list_id=reading_list.pk)
    return render(request, "lists/list_edit.html", context)


@login_required
@require_POST
def list_send(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    try:
        services.reading_list_send_to_library(
            actor=request.user,
            reading_list=reading_list,
        )
    except REFUSALS as error:
        return redirect_with_error(request, list_url(list_id), error)
    messages.success(request, _("The list is with the library now."))
    return redirect(list_url(list_id))


@login_required
@require_http_methods(["GET", "POST"])
def list_publish(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    form = PublishForm(
        request.POST or None,
        initial={
            "visibility": reading_list.visibility,
            "material_access": reading_list.material_access,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_list_publish(
                actor=request.user,
                reading_list=reading_list,
                visibility=form.cleaned_data["visibility"],
                material_access=form.cleaned_data["material_access"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The list is published."))
            return redirect(list_url(list_id))
    return render(
        request,
        "lists/list_publish.html",
        {"form": form, "list": reading_list, "nav": "mine"},
    )


@login_required
@require_POST
def list_publication(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    """Unpublish (to Draft) or archive."""
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    target = request.POST.get("publication_status", "")
    try:
        services.reading_list_set_publication(
            actor=request.user,
            reading_list=reading_list,
            publication_status=target,
        )
    except REFUSALS as error:
        return redirect_with_error(request, list_url(list_id), error)
    except ValueError:
        return redirect_with_error(
            request, list_url(list_id), ValueError(_("Unknown publication status."))
        )
    messages.success(request, _("Publication status changed."))
    return redirect(list_url(list_id))


@login_required
@require_http_methods(["GET", "POST"])
def list_duplicate(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    _require_author(request)
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    form = DuplicateForm(
        request.POST or None,
        initial={"name": _("Copy of %(name)s") % {"name": reading_list.name}},
    )
    if request.method == "POST" and form.is_valid():
        copy = services.reading_list_duplicate(
            actor=request.user,
            reading_list=reading_list,
            name=form.cleaned_data["name"],
        )
        messages.success(request, _("This is your copy of the list."))
        return redirect("lists:detail", list_id=copy.pk)
    return render(
        request,
        "lists/list_duplicate.html",
        {"form": form, "list": reading_list, "nav": "mine"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_delete(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    if request.method == "POST":
        services.reading_list_delete(
            actor=request.user,
            reading_list=reading_list,
        )
        messages.success(
            request, _("The list “%(name)s” is deleted.") % {"name": reading_list.name}
        )
        return redirect("lists:mine")
    return render(
        request,
        "lists/confirm_delete.html",
        {
            "list": reading_list,
            "what": _("the list “%(name)s” with its %(count)s citations")
            % {"name": reading_list.name, "count": reading_list.citations.count()},
            "cancel_url": list_url(list_id),
            "nav": "mine",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collaborators(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    form = CollaboratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.collaborator_set(
                actor=request.user,
                reading_list=reading_list,
                user=form.cleaned_data["username"],
                right=form.cleaned_data["right"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Collaborator saved."))
            return redirect("lists:collaborators", list_id=list_id)
    rows = reading_list.collaborators.select_related("user").order_by("user__last_name")
    instructors = User.objects.filter(
        enrolments__course__reading_lists=reading_list,
        enrolments__role__in=["instructor", "ta"],
    ).distinct()
    return render(
        request,
        "lists/collaborators.html",
        {
            "list": reading_list,
            "form": form,
            "rows": rows,
            "instructors": instructors,
            "rights": CollaboratorRight.choices,
            "nav": "mine",
        },
    )


@login_required
@require_POST
def collaborator_remove(
    request: AuthedHttpRequest, list_id: int, user_id: int
) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    user = get_object_or_404(User, pk=user_id)
    try:
        services.collaborator_remove(
            actor=request.user,
            reading_list=reading_list,
            user=user,
        )
    except REFUSALS as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(who)s removed.") % {"who": user.display_name})
    return redirect("lists:collaborators", list_id=list_id)


@login_required
@require_safe
def history(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    events = selectors.list_history(reading_list=reading_list)
    return render(
        request,
        "lists/history.html",
        {"list": reading_list, "events": events, "nav": "mine"},
    )
