"""GET/POST /courses and GET/PUT/DELETE /courses/{course_id}."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from lectio.accounts.models import User
from lectio.api.alma import courses as course_writes
from lectio.api.alma.errors import bad_input
from lectio.api.alma.formats import read_body, respond
from lectio.api.alma.query import course_filter, paging, parse_q
from lectio.api.alma.representations import (
    CourseRecord,
    course_dict,
    course_records,
    lists_with_citations,
)
from lectio.api.alma.views.common import course_or_404
from lectio.courses.models import Course


def _view(request: HttpRequest) -> str:
    view = request.GET.get("view", "brief").strip().lower() or "brief"
    if view not in ("brief", "full"):
        raise bad_input("view", "use brief or full.")
    return view


def _page(
    matching: QuerySet[Course], offset: int, limit: int
) -> tuple[list[CourseRecord], int]:
    """One page of courses, by id, and the number of matching courses. The page
    is read in one query (its rows with their departments, stopping at
    offset + limit); a short page is the last one, so its end is the total: a
    search matching few courses (which reads every row to find them) reads them
    once, not again to count."""
    page: list[CourseRecord] = []
    if limit:
        page = course_records(matching.order_by("pk")[offset : offset + limit])
    if len(page) < limit and (page or offset == 0):
        return page, offset + len(page)
    return page, matching.count()


def course_list(request: HttpRequest, user: User) -> HttpResponse:
    terms = parse_q(request.GET.get("q", ""))
    limit, offset = paging(request.GET)
    page, total = _page(Course.objects.filter(course_filter(terms)), offset, limit)
    return respond(
        request,
        "courses",
        {
            "course": [course_dict(c, request) for c in page],
            "total_record_count": total,
        },
    )


def _one(request: HttpRequest, course: Course, *, full: bool) -> HttpResponse:
    [record] = course_records(Course.objects.filter(pk=course.pk))
    lists = None
    if full:
        lists = list(lists_with_citations(course.reading_lists.order_by("pk")))
    return respond(request, "course", course_dict(record, request, reading_lists=lists))


def course_create(request: HttpRequest, user: User) -> HttpResponse:
    values = course_writes.read_course(read_body(request, "course"), creating=True)
    course = course_writes.course_create(actor=user, values=values)
    return _one(request, course, full=False)


def course_get(request: HttpRequest, user: User, course_id: str) -> HttpResponse:
    full = _view(request) == "full"
    return _one(request, course_or_404(course_id), full=full)


def course_put(request: HttpRequest, user: User, course_id: str) -> HttpResponse:
    course = course_or_404(course_id)
    values = course_writes.read_course(read_body(request, "course"), creating=False)
    course = course_writes.course_update(actor=user, course=course, values=values)
    return _one(request, course, full=False)


def course_delete(request: HttpRequest, user: User, course_id: str) -> HttpResponse:
    course_writes.course_delete(actor=user, course=course_or_404(course_id))
    return HttpResponse(status=204)
