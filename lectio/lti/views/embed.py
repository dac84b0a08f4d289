"""The pages a launch lands on, in the embedded layout made for the LMS's iframe:
the course's lists (one: straight to it; several: a chooser; none: instructors make
one or attach one of theirs), a list, a section or a citation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from lectio.accounts.models import InstitutionSettings, User
from lectio.core import usage
from lectio.core.concurrency import StaleVersion
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.models import Course, Enrolment
from lectio.lists import reading, selectors, services
from lectio.lists.models import ReadingList, Section
from lectio.lists.permissions import TEACHING_ROLES, Right, is_staff, list_right
from lectio.lti.framing import embeddable, launch_context
from lectio.lti.handoff import handoff_url


def _course_for(user: User, course_id: int) -> tuple[Course, bool]:
    """The course and whether the user teaches it; 404 unless they are in it (or
    library staff)."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404("No such course")
    if is_staff(user):
        return course, True
    role = (
        Enrolment.objects.filter(user=user, course=course)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise Http404("No such course")
    return course, role in TEACHING_ROLES


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404("No such list") from None


def _embed_url(reading_list: ReadingList, anchor: str = "") -> str:
    url = reverse("lti:list", args=[reading_list.pk])
    return f"{url}#{anchor}" if anchor else url


@embeddable
@login_required
@require_http_methods(["GET", "POST"])
def course(request: AuthedHttpRequest, course_id: int) -> HttpResponse:
    course, teaches = _course_for(request.user, course_id)
    lists = [
        rl
        for rl in ReadingList.objects.filter(courses=course).order_by("name", "pk")
        if list_right(request.user, rl) >= Right.READ
    ]
    error = ""
    if request.method == "POST" and teaches:
        try:
            if request.POST.get("action") == "create":
                made = services.reading_list_create(
                    actor=request.user,
                    name=request.POST.get("name", "") or course.name,
                    course_ids=[course.pk],
                )
                messages.success(request, _("The list is made."))
                return HttpResponseRedirect(_embed_url(made))
            chosen, _right = selectors.reading_list_get_for_manager(
                user=request.user, list_id=_int(request.POST.get("list_id"))
            )
            services.reading_list_update(
                actor=request.user,
                reading_list=chosen,
                expected_version=chosen.version,
                name=chosen.name,
                description=chosen.description,
                due_back_date=chosen.due_back_date,
                course_ids=[
                    *chosen.courses.values_list("pk", flat=True),
                    course.pk,
                ],
            )
            messages.success(request, _("The list now belongs to this course too."))
            return HttpResponseRedirect(_embed_url(chosen))
        except (services.ServiceError, StaleVersion) as exc:
            error = str(exc)
    if request.method == "GET" and len(lists) == 1 and not request.GET.get("all"):
        return HttpResponseRedirect(_embed_url(lists[0]))
    attachable = []
    if teaches:
        mine = selectors.lists_for_author(user=request.user)
        attachable = [rl for rl in mine if rl.pk not in {x.pk for x in lists}]
    return render(
        request,
        "lti/course.html",
        {
            "course": course,
            "lists": lists,
            "teaches": teaches,
            "attachable": attachable,
            "error": error,
        },
        status=400 if error else 200,
    )


@embeddable
@login_required
@require_safe
def reading_list(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    found, right = selectors.reading_list_get_for_reader(
        user=request.user, list_id=list_id
    )
    settings_row = InstitutionSettings.cached()
    body = reading.reader_body(
        found, only_complete=settings_row.students_see_only_complete, interactive=False
    )
    if right >= Right.EDIT and not found.is_published:
        notice = _("Students do not see this list until it is published.")
    else:
        notice = ""
    course_id = launch_context(request).get("course")
    return render(
        request,
        "lti/list.html",
        {
            "list": found,
            "courses": body.courses,
            "body_html": reading.render_reader_html(body, marks={}),
            "citation_count": body.citation_count,
            "may_edit": right >= Right.EDIT,
            "notice": notice,
            "course_id": course_id,
            "full_url": handoff_url(
                request.user, reverse("lists:detail", args=[found.pk])
            ),
        },
    )


@embeddable
@login_required
@require_safe
def target(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Where a deep link points: a list, one of its sections, one of its citations."""
    if kind == "list":
        found, _right = selectors.reading_list_get_for_reader(
            user=request.user, list_id=pk
        )
        return HttpResponseRedirect(_embed_url(found))
    if kind == "section":
        section = Section.objects.filter(pk=pk).first()
        if section is None:
            raise Http404("No such section")
        found, _right = selectors.reading_list_get_for_reader(
            user=request.user, list_id=section.reading_list_id
        )
        # A section placed in the course site on its own: opening it is a view
        # of that section (the list view is counted by the page it lands on).
        usage.record(request, "section_view", list_id=found.pk, section_id=section.pk)
        return HttpResponseRedirect(_embed_url(found, f"s{section.pk}-h"))
    if kind == "citation":
        citation, _right = selectors.citation_get_for_reader(
            user=request.user, citation_id=pk
        )
        return HttpResponseRedirect(
            _embed_url(citation.reading_list, f"c{citation.pk}")
        )
    raise Http404("No such target")


@embeddable
@login_required
@require_safe
def no_course(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "lti/no_course.html",
        {"course_value": launch_context(request).get("course_value", "")},
    )
