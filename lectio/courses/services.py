"""Writes to courses that more than one interface makes (the REST API and the
Alma-compatible API). The course loader writes in bulk SQL of its own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from lectio.core.events import event_record
from lectio.courses.models import Campus, Course, CourseCampus


def course_campuses_set(course: Course, rows: Iterable[tuple[Campus, int]]) -> None:
    """Replaces the course's campuses with `rows` of (campus, participants)."""
    CourseCampus.objects.filter(course=course).delete()
    CourseCampus.objects.bulk_create(
        CourseCampus(course=course, campus=campus, participants=count)
        for campus, count in rows
    )


@transaction.atomic
def course_delete(
    *, actor: Any, course: Course, params: dict[str, Any] | None = None
) -> None:
    """Deletes the course and its enrolments. Its lists stay, without this course;
    the event names them."""
    course_id, label, name = course.pk, course.label, course.name
    lists = list(course.reading_lists.values_list("pk", flat=True))
    course.delete()
    event_record(
        actor=actor,
        verb="course.delete",
        target_type="course",
        target_id=course_id,
        summary=f"Deleted the course {label} {name}",
        params={**(params or {}), "lists": lists},
    )
