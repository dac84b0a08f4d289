"""Course reserves for readers: find a course (code, name, instructor, department,
term) and see its reserves: the items on the course's lists the viewer may see, and the
copies the library has put on reserve for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from lectio.accounts.models import User
from lectio.catalog.availability import RecordAvailability, availability_for
from lectio.catalog.models import CourseReserve
from lectio.catalog.views.search import page_number
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.models import Course, Enrolment, Term
from lectio.lists.from_catalog import VisibleList, visible_citations, visible_lists
from lectio.lists.models import Citation, ReadingList
from lectio.lists.permissions import TEACHING_ROLES, Right

PAGE_SIZE = 20
MAX_TEXT = 200


class ReserveSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Course code or name"), required=False, max_length=MAX_TEXT
    )
    instructor = forms.CharField(
        label=gettext_lazy("Instructor"), required=False, max_length=MAX_TEXT
    )
    department = forms.CharField(
        label=gettext_lazy("Department"),
        required=False,
        max_length=MAX_TEXT,
        help_text=gettext_lazy("Its code or name."),
    )
    term = forms.ModelChoiceField(
        label=gettext_lazy("Term"),
        required=False,
        queryset=Term.objects.all(),
        empty_label=gettext_lazy("Any term"),
        to_field_name="code",
    )

    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return any(data.get(k) for k in ("q", "instructor", "department", "term"))


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w][:8]


def course_search(
    *, q: str = "", instructor: str = "", department: str = "", term: Term | None = None
) -> QuerySet[Course]:
    """Courses matching every criterion given, by code and section."""
    courses = Course.objects.all()
    for word in _words(q):
        courses = courses.filter(
            Q(code__icontains=word) | Q(name__icontains=word) | Q(section__iexact=word)
        )
    if instructor.strip():
        people = User.objects.all()
        for word in _words(instructor):
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(username__iexact=word)
            )
        courses = courses.filter(
            pk__in=Enrolment.objects.filter(
                role__in=TEACHING_ROLES, user__in=people.values("pk")
            ).values("course_id")
        )
    if department.strip():
        text = department.strip()
        courses = courses.filter(
            Q(academic_department__code__iexact=text)
            | Q(academic_department__name__icontains=text)
            | Q(processing_department__code__iexact=text)
        )
    if term is not None:
        courses = courses.filter(terms=term)
    return courses.order_by("code", "section", "id")


@dataclass
class CourseRow:
    course: Course
    instructors: list[str] = field(default_factory=list)
    lists: list[ReadingList] = field(default_factory=list)


def _course_rows(
    user: Any, courses: list[Course]
) -> tuple[list[CourseRow], dict[int, VisibleList]]:
    rows = {c.pk: CourseRow(course=c) for c in courses}
    for course_id, first, last, preferred, username in (
        Enrolment.objects.filter(course_id__in=rows, role__in=TEACHING_ROLES)
        .order_by("user__last_name", "user__first_name", "user_id")
        .values_list(
            "course_id",
            "user__first_name",
            "user__last_name",
            "user__preferred_name",
            "user__username",
        )
    ):
        name = preferred or f"{first} {last}".strip() or username
        rows[course_id].instructors.append(name)
    links = list(
        ReadingList.courses.through.objects.filter(course_id__in=rows).values_list(
            "course_id", "readinglist_id"
        )
    )
    visible = visible_lists(user=user, list_ids={list_id for _c, list_id in links})
    for course_id, list_id in links:
        if list_id in visible:
            rows[course_id].lists.append(visible[list_id].reading_list)
    for row in rows.values():
        row.lists.sort(key=lambda rl: (rl.name, rl.pk))
    return [rows[c.pk] for c in courses], visible


@login_required
@require_safe
def reserves_search(request: AuthedHttpRequest) -> HttpResponse:
    form = ReserveSearchForm(request.GET or None)
    page = page_number(request.GET)
    rows: list[CourseRow] = []
    total = 0
    searched = False
    if form.is_bound and form.is_valid() and form.has_criteria():
        searched = True
        data = form.cleaned_data
        courses = course_search(
            q=data["q"],
            instructor=data["instructor"],
            department=data["department"],
            term=data["term"],
        )
        total = courses.count()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        start = (page - 1) * PAGE_SIZE
        page_courses = list(courses[start : start + PAGE_SIZE])
        rows, _visible = _course_rows(request.user, page_courses)
    pages = max(1, -(-total // PAGE_SIZE))
    params = [
        (k, str(v))
        for k, v in request.GET.items()
        if k in form.fields and str(v).strip()
    ]
    return render(
        request,
        "catalog/reserves.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "searched": searched,
            "state_query": urlencode(params),
            "nav": "reserves",
        },
    )


@dataclass
class SectionGroup:
    section_id: int
    name: str
    citations: list[tuple[Citation, RecordAvailability | None]] = field(
        default_factory=list
    )


@dataclass
class ListGroup:
    visible: VisibleList
    sections: list[SectionGroup] = field(default_factory=list)


@login_required
@require_safe
def course_reserves(request: AuthedHttpRequest, course_id: int) -> HttpResponse:
    course = (
        Course.objects.filter(pk=course_id)
        .select_related("academic_department")
        .prefetch_related("terms")
        .first()
    )
    if course is None:
        raise Http404(_("No such course"))
    course_rows, visible = _course_rows(request.user, [course])
    row = course_rows[0]
    list_ids = [rl.pk for rl in row.lists]
    citations = list(
        Citation.objects.filter(reading_list_id__in=list_ids)
        .select_related("section")
        .order_by("reading_list_id", "section__position", "section_id", "position")
    )
    shown = visible_citations(user=request.user, citations=citations, lists=visible)
    availability = availability_for(
        c.catalog_record_id for c, _v in shown if c.catalog_record_id
    )
    groups: dict[int, ListGroup] = {}
    for citation, list_visible in shown:
        group = groups.setdefault(
            citation.reading_list_id, ListGroup(visible=list_visible)
        )
        if not group.sections or group.sections[-1].section_id != citation.section_id:
            group.sections.append(
                SectionGroup(section_id=citation.section_id, name=citation.section.name)
            )
        group.sections[-1].citations.append(
            (
                citation,
                availability.get(citation.catalog_record_id)
                if citation.catalog_record_id
                else None,
            )
        )
    list_groups = [
        groups.get(rl.pk) or ListGroup(visible=VisibleList(rl, Right.READ))
        for rl in row.lists
    ]
    reserves = list(
        CourseReserve.objects.filter(course=course, active=True)
        .select_related("item__record")
        .order_by("item__record__title", "item__call_number", "id")
    )
    return render(
        request,
        "catalog/course_reserves.html",
        {
            "course": course,
            "row": row,
            "list_groups": list_groups,
            "reserves": reserves,
            "nav": "reserves",
        },
    )
