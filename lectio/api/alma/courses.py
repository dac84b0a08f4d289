"""Courses through the Alma-compatible API: reading a course object into checked
values, and the writes (create, replace, delete) with their audit events. Lectio has
no course service module yet; these are the API's own, each one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from lectio.accounts.loader import users_by_key
from lectio.accounts.models import User
from lectio.api.alma import inputs
from lectio.api.alma.errors import AlmaError, bad_input
from lectio.core.events import event_record
from lectio.courses import services
from lectio.courses.models import (
    Campus,
    Course,
    CourseRole,
    CourseStatus,
    Department,
    Enrolment,
    Term,
)
from lectio.courses.services import course_campuses_set

# Every field of Alma's course object. The read-only ones (kept by the server) and
# `visibility` (Lectio's courses have none) are accepted and ignored.
COURSE_FIELDS = (
    "id",
    "link",
    "code",
    "name",
    "section",
    "academic_department",
    "processing_department",
    "term",
    "status",
    "visibility",
    "start_date",
    "end_date",
    "weekly_hours",
    "participants",
    "year",
    "instructor",
    "campus",
    "searchable_id",
    "note",
    "created_by",
    "created_date",
    "last_modified_by",
    "last_modified_date",
    "rolled_from",
    "submit_by_date",
    "reading_lists",
)


@dataclass
class CourseValues:
    code: str
    name: str
    section: str = ""
    academic_department: Department | None = None
    processing_department: Department | None = None
    status: str = CourseStatus.ACTIVE
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    weekly_hours: int = 0
    participants: int = 0
    year: int | None = None
    submit_lists_by: datetime.date | None = None
    searchable_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    campuses: list[tuple[Campus, int]] = field(default_factory=list)
    instructors: list[User] = field(default_factory=list)

    def scalars(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "section": self.section,
            "academic_department": self.academic_department,
            "processing_department": self.processing_department,
            "status": self.status,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "weekly_hours": self.weekly_hours,
            "participants": self.participants,
            "year": self.year,
            "submit_lists_by": self.submit_lists_by,
            "searchable_ids": self.searchable_ids,
            "notes": self.notes,
        }


def _department(data: dict[str, Any], key: str) -> Department | None:
    value = inputs.scalar(data, key)
    if not value:
        return None
    dept = Department.objects.filter(code=value).first()
    if dept is None:
        raise bad_input(key, f"unknown department code “{value}”.")
    return dept


def _terms(data: dict[str, Any]) -> list[Term]:
    wanted = []
    for item in inputs.as_list(data.get("term")):
        value = inputs.scalar({"term": item}, "term")
        if value:
            wanted.append(value)
    found = {t.code: t for t in Term.objects.filter(code__in=wanted)}
    for value in wanted:
        if value not in found:
            raise bad_input("term", f"unknown term code “{value}”.")
    return [found[v] for v in dict.fromkeys(wanted)]


def _campuses(data: dict[str, Any]) -> list[tuple[Campus, int]]:
    rows: list[tuple[str, int]] = []
    for item in inputs.as_list(data.get("campus")):
        if not isinstance(item, dict):
            item = {"campus_code": item}
        inputs.check_keys(item, ("campus_code", "campus_participants"), where="campus")
        campus_code = inputs.scalar(item, "campus_code", where="campus")
        if not campus_code:
            raise bad_input("campus.campus_code", "required.")
        count = inputs.integer(item, "campus_participants", default=0, where="campus")
        rows.append((campus_code, count or 0))
    found = {c.code: c for c in Campus.objects.filter(code__in=[r[0] for r in rows])}
    out = []
    seen = set()
    for campus_code, count in rows:
        if campus_code not in found:
            raise bad_input(
                "campus.campus_code", f"unknown campus code “{campus_code}”."
            )
        if campus_code in seen:
            raise bad_input("campus.campus_code", f"“{campus_code}” is given twice.")
        seen.add(campus_code)
        out.append((found[campus_code], count))
    return out


def find_people(ids: list[str], field_name: str) -> list[User]:
    """Users by primary id (or user name, for people with no primary id)."""
    found = users_by_key(ids)
    out = []
    for value in dict.fromkeys(ids):
        user = found.get(value)
        if user is None:
            raise bad_input(field_name, f"no user with primary id “{value}”.")
        out.append(user)
    return out


def _instructors(data: dict[str, Any]) -> list[User]:
    ids = []
    for item in inputs.as_list(data.get("instructor")):
        if not isinstance(item, dict):
            item = {"primary_id": item}
        inputs.check_keys(
            item, ("primary_id", "first_name", "last_name"), where="instructor"
        )
        value = inputs.scalar(item, "primary_id", where="instructor")
        if not value:
            raise bad_input("instructor.primary_id", "required.")
        ids.append(value)
    return find_people(ids, "instructor.primary_id")


def _strings(data: dict[str, Any], key: str, inner: str = "") -> list[str]:
    out = []
    for item in inputs.as_list(data.get(key)):
        if isinstance(item, dict) and inner:
            inputs.check_keys(
                item, (inner, "type", "created_by", "creation_date"), where=key
            )
            item = item.get(inner)
        value = inputs.scalar({key: item}, key)
        if value:
            out.append(value)
    return out


def read_course(data: dict[str, Any], *, creating: bool) -> CourseValues:
    inputs.check_keys(data, COURSE_FIELDS)
    processing = _department(data, "processing_department")
    if creating and processing is None:
        raise bad_input("processing_department", "required.")
    status = inputs.choice(
        data,
        "status",
        {s.upper(): s for s in CourseStatus.values},
        shown=CourseStatus.values,
    )
    values = CourseValues(
        code=inputs.required(data, "code", max_length=100),
        name=inputs.required(data, "name", max_length=300),
        section=inputs.text(data, "section", max_length=100),
        academic_department=_department(data, "academic_department"),
        processing_department=processing,
        status=status or CourseStatus.ACTIVE,
        start_date=inputs.date_value(data, "start_date"),
        end_date=inputs.date_value(data, "end_date"),
        weekly_hours=inputs.integer(data, "weekly_hours", default=0) or 0,
        participants=inputs.integer(data, "participants", default=0) or 0,
        year=inputs.integer(data, "year"),
        submit_lists_by=inputs.date_value(data, "submit_by_date"),
        searchable_ids=_strings(data, "searchable_id"),
        notes=_strings(data, "note", inner="content"),
        terms=_terms(data),
        campuses=_campuses(data),
        instructors=_instructors(data),
    )
    if values.start_date and values.end_date and values.end_date < values.start_date:
        raise bad_input("end_date", "the course ends before it starts.")
    if values.year is not None and not 1900 <= values.year <= 2200:
        raise bad_input("year", f"{values.year} is not a plausible year.")
    return values


def _check_unique(values: CourseValues, exclude: int | None = None) -> None:
    clash = Course.objects.filter(code=values.code, section=values.section)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise AlmaError(
            409,
            f"a course with code “{values.code}” and section “{values.section}” "
            "exists already.",
            field="code",
        )


def _set_relations(course: Course, values: CourseValues) -> None:
    course.terms.set(values.terms)
    course_campuses_set(course, values.campuses)
    wanted = {u.pk for u in values.instructors}
    Enrolment.objects.filter(course=course, role=CourseRole.INSTRUCTOR).exclude(
        user_id__in=wanted
    ).delete()
    for user in values.instructors:
        Enrolment.objects.update_or_create(
            user=user, course=course, defaults={"role": CourseRole.INSTRUCTOR}
        )


def _summary_params(values: CourseValues) -> dict[str, Any]:
    return {
        "code": values.code,
        "section": values.section,
        "terms": [t.code for t in values.terms],
        "instructors": [u.pk for u in values.instructors],
    }


@transaction.atomic
def course_create(*, actor: User, values: CourseValues) -> Course:
    """A new course. Code + section must be free (409 otherwise)."""
    _check_unique(values)
    course = Course.objects.create(**values.scalars())
    _set_relations(course, values)
    event_record(
        actor=actor,
        verb="course.create",
        target_type="course",
        target_id=course.pk,
        summary=f"Created the course {course.label} {course.name}",
        params={"via": "almaws", **_summary_params(values)},
    )
    return course


@transaction.atomic
def course_update(*, actor: User, course: Course, values: CourseValues) -> Course:
    """Replaces the course's editable fields, terms, campuses and instructors (Alma's
    PUT). Fields the object leaves out are emptied."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    _check_unique(values, exclude=course.pk)
    new = values.scalars()
    changed = [k for k, v in new.items() if getattr(course, k) != v]
    for key, value in new.items():
        setattr(course, key, value)
    course.save()
    _set_relations(course, values)
    event_record(
        actor=actor,
        verb="course.update",
        target_type="course",
        target_id=course.pk,
        summary=f"Edited the course {course.label}",
        params={"via": "almaws", "changed": changed, **_summary_params(values)},
    )
    return course


def course_delete(*, actor: User, course: Course) -> None:
    """Deletes the course and its enrolments. Its lists stay, without this course."""
    services.course_delete(actor=actor, course=course, params={"via": "almaws"})
