"""Writes to courses and enrolments that more than one interface makes (the REST
API, the Alma-compatible API, LTI launches and roster syncs). The course and
enrolment loaders write in bulk SQL of their own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from lectio.core.events import event_record
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseRole,
    Enrolment,
    EnrolmentSource,
)


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


def course_get_or_create(
    *, actor: Any, code: str, name: str, summary: str, params: dict[str, Any]
) -> Course:
    """The course with `code` and no section, made (with `name`) if there is none;
    the making is an event with `summary` and `params`. For courses an outside
    system names before the student information system has sent them."""
    course, created = Course.objects.get_or_create(
        code=code, section="", defaults={"name": name}
    )
    if created:
        event_record(
            actor=actor,
            verb="course.create",
            target_type="course",
            target_id=course.pk,
            summary=summary,
            params=params,
        )
    return course


def enrolment_set(
    *, user: Any, course: Course, role: str, source: str = EnrolmentSource.OTHER
) -> tuple[Enrolment, bool]:
    """Enrols `user` in `course` as `role`, or raises a student's existing enrolment
    to a teaching one; a role is never lowered here (the loaders and the API set
    roles exactly). (enrolment, whether anything was written)."""
    enrolment, created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"role": role, "source": source}
    )
    if created:
        return enrolment, True
    if enrolment.role == CourseRole.STUDENT and role != CourseRole.STUDENT:
        Enrolment.objects.filter(pk=enrolment.pk).update(role=role)
        enrolment.role = role
        return enrolment, True
    return enrolment, False
