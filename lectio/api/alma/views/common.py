"""Finding the objects a URL names (404 in Alma's body when they are not there)."""

from __future__ import annotations

from lectio.api.alma.errors import AlmaError
from lectio.courses.models import Course
from lectio.lists.models import Citation, ReadingList


def number(value: str, what: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise AlmaError(404, f"No {what} with id “{value}”.")
    return int(value)


def course_or_404(course_id: str) -> Course:
    course = Course.objects.filter(pk=number(course_id, "course")).first()
    if course is None:
        raise AlmaError(404, f"No course with id “{course_id}”.")
    return course


def list_or_404(course: Course, list_id: str, *, lock: bool = False) -> ReadingList:
    rows = ReadingList.objects.filter(
        pk=number(list_id, "reading list"), courses=course
    )
    if lock:
        rows = ReadingList.objects.select_for_update().filter(pk__in=rows.values("pk"))
    reading_list = rows.first()
    if reading_list is None:
        raise AlmaError(
            404, f"No reading list with id “{list_id}” in course {course.pk}."
        )
    return reading_list


def citation_or_404(reading_list: ReadingList, citation_id: str) -> Citation:
    citation = (
        Citation.objects.select_related("section")
        .filter(pk=number(citation_id, "citation"), reading_list=reading_list)
        .first()
    )
    if citation is None:
        raise AlmaError(
            404,
            f"No citation with id “{citation_id}” in reading list {reading_list.pk}.",
        )
    return citation
