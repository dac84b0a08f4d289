"""Courses and the institution data around them: terms, departments, campuses.

Anyone signed in (keys: courses:read) reads them. Library staff write courses;
administrators write terms, departments and campuses (keys: courses:write, acting
as such a user). Departments, terms and campuses are named by their codes, as in
the course-loader file."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from lectio.accounts.models import User
from lectio.api.auth import admin_caller, caller, library_caller
from lectio.api.errors import FieldError
from lectio.api.paging import PageMeta, PageQuery, page
from lectio.core.events import event_record
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseStatus,
    Department,
    Term,
)
from lectio.courses.services import course_campuses_set, course_delete

router = Router(tags=["courses"])
AREA = "courses"

CODE = Field(min_length=1, max_length=50, pattern=r"^\S(.*\S)?$")


# --- departments, terms, campuses -------------------------------------------------


class DepartmentOut(Schema):
    id: int
    code: str
    name: str


class DepartmentIn(Schema):
    code: str = CODE
    name: str = Field(min_length=1, max_length=200)


class DepartmentPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=200)


class DepartmentPage(PageMeta):
    results: list[DepartmentOut]


class TermOut(Schema):
    id: int
    code: str
    name: str
    start_date: datetime.date | None
    end_date: datetime.date | None


class TermIn(Schema):
    code: str = CODE
    name: str = Field(min_length=1, max_length=200)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class TermPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=200)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class TermPage(PageMeta):
    results: list[TermOut]


class CampusOut(Schema):
    id: int
    code: str
    name: str


class CampusIn(Schema):
    code: str = CODE
    name: str = Field(min_length=1, max_length=200)


class CampusPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=200)


class CampusPage(PageMeta):
    results: list[CampusOut]


class CodedQuery(PageQuery):
    q: str = Field("", max_length=200, description="Part of the code or the name")


def _coded_rows(model: Any, query: CodedQuery) -> QuerySet[Any]:
    rows = model.objects.order_by("code", "id")
    if query.q:
        rows = rows.filter(Q(code__icontains=query.q) | Q(name__icontains=query.q))
    return rows


def _not_null(fields: dict[str, Any], *names: str) -> None:
    for name in names:
        if name in fields and fields[name] is None:
            raise FieldError(name, "may not be null.")


@transaction.atomic
def _coded_write(
    *,
    actor: User,
    model: Any,
    kind: str,
    obj: Any | None,
    fields: dict[str, Any],
) -> Any:
    """Creates (obj None) or updates a department, term or campus: codes stay
    unique, terms end after they start, an event records the change."""
    _not_null(fields, "code", "name")
    if "code" in fields:
        fields["code"] = fields["code"].strip()
        clash = model.objects.filter(code=fields["code"])
        if obj is not None:
            clash = clash.exclude(pk=obj.pk)
        if clash.exists():
            raise FieldError("code", f"a {kind} with the code {fields['code']} exists.")
    if obj is None:
        obj = model(**fields)
    else:
        obj = model.objects.select_for_update().get(pk=obj.pk)
        for key, value in fields.items():
            setattr(obj, key, value)
    start, end = getattr(obj, "start_date", None), getattr(obj, "end_date", None)
    if start and end and end < start:
        raise FieldError("end_date", "the term ends before it starts.")
    created = obj.pk is None
    obj.save()
    event_record(
        actor=actor,
        verb=f"{kind}.{'create' if created else 'update'}",
        target_type=kind,
        target_id=obj.pk,
        summary=f"{'Created' if created else 'Edited'} the {kind} {obj.code}",
        params={"fields": sorted(fields)},
    )
    return obj


def _list(request: HttpRequest, model: Any, query: CodedQuery) -> dict[str, Any]:
    caller(request, AREA)
    return page(request, _coded_rows(model, query), query)


def _get(request: HttpRequest, model: Any, pk: int) -> Any:
    caller(request, AREA)
    return get_object_or_404(model, pk=pk)


def _create(request: HttpRequest, model: Any, kind: str, body: Schema) -> Status:
    user = admin_caller(request, AREA, write=True)
    obj = _coded_write(actor=user, model=model, kind=kind, obj=None, fields=body.dict())
    return Status(201, obj)


def _update(request: HttpRequest, model: Any, kind: str, pk: int, body: Schema) -> Any:
    user = admin_caller(request, AREA, write=True)
    obj = get_object_or_404(model, pk=pk)
    fields = body.dict(exclude_unset=True)
    return _coded_write(actor=user, model=model, kind=kind, obj=obj, fields=fields)


@router.get("/departments", response=DepartmentPage, summary="List departments")
def department_list(request: HttpRequest, query: Query[CodedQuery]) -> dict[str, Any]:
    return _list(request, Department, query)


@router.get(
    "/departments/{department_id}", response=DepartmentOut, summary="One department"
)
def department_get(request: HttpRequest, department_id: int) -> Department:
    return _get(request, Department, department_id)


@router.post(
    "/departments",
    response={201: DepartmentOut},
    summary="Create a department (administrators)",
)
def department_create(request: HttpRequest, body: DepartmentIn) -> Status:
    return _create(request, Department, "department", body)


@router.patch(
    "/departments/{department_id}",
    response=DepartmentOut,
    summary="Change a department (administrators; only the fields sent)",
)
def department_update(
    request: HttpRequest, department_id: int, body: DepartmentPatch
) -> Department:
    return _update(request, Department, "department", department_id, body)


@router.get("/terms", response=TermPage, summary="List terms")
def term_list(request: HttpRequest, query: Query[CodedQuery]) -> dict[str, Any]:
    return _list(request, Term, query)


@router.get("/terms/{term_id}", response=TermOut, summary="One term")
def term_get(request: HttpRequest, term_id: int) -> Term:
    return _get(request, Term, term_id)


@router.post(
    "/terms", response={201: TermOut}, summary="Create a term (administrators)"
)
def term_create(request: HttpRequest, body: TermIn) -> Status:
    return _create(request, Term, "term", body)


@router.patch(
    "/terms/{term_id}",
    response=TermOut,
    summary="Change a term (administrators; only the fields sent)",
)
def term_update(request: HttpRequest, term_id: int, body: TermPatch) -> Term:
    return _update(request, Term, "term", term_id, body)


@router.get("/campuses", response=CampusPage, summary="List campuses")
def campus_list(request: HttpRequest, query: Query[CodedQuery]) -> dict[str, Any]:
    return _list(request, Campus, query)


@router.get("/campuses/{campus_id}", response=CampusOut, summary="One campus")
def campus_get(request: HttpRequest, campus_id: int) -> Campus:
    return _get(request, Campus, campus_id)


@router.post(
    "/campuses", response={201: CampusOut}, summary="Create a campus (administrators)"
)
def campus_create(request: HttpRequest, body: CampusIn) -> Status:
    return _create(request, Campus, "campus", body)


@router.patch(
    "/campuses/{campus_id}",
    response=CampusOut,
    summary="Change a campus (administrators; only the fields sent)",
)
def campus_update(request: HttpRequest, campus_id: int, body: CampusPatch) -> Campus:
    return _update(request, Campus, "campus", campus_id, body)


# --- courses ---------------------------------------------------------------------


class CampusParticipants(Schema):
    campus: str = Field(min_length=1, max_length=50, description="Campus code")
    participants: int = Field(0, ge=0)


class CourseOut(Schema):
    id: int
    code: str
    section: str
    name: str
    academic_department: str | None = Field(description="Department code")
    processing_department: str | None = Field(description="Department code")
    terms: list[str] = Field(description="Term codes")
    year: int | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    participants: int
    weekly_hours: int
    searchable_ids: list[str]
    campuses: list[CampusParticipants]
    reading_list_name: str
    status: CourseStatus
    submit_lists_by: datetime.date | None
    no_list_expected: bool
    rolled_from: int | None = Field(description="Id of the course this one replaced")
    created_at: datetime.datetime
    updated_at: datetime.datetime = Field(
        description="Send it back as `updated_at` in a PATCH to refuse lost updates"
    )


class CourseIn(Schema):
    code: str = Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")
    section: str = Field("", max_length=100)
    name: str = Field(min_length=1, max_length=300)
    academic_department: str | None = Field(None, description="Department code")
    processing_department: str = Field(description="Department code (required)")
    terms: list[str] = Field(default_factory=list, max_length=4)
    year: int | None = Field(None, ge=1900, le=2200)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    participants: int = Field(0, ge=0)
    weekly_hours: int = Field(0, ge=0)
    searchable_ids: list[str] = Field(default_factory=list, max_length=50)
    campuses: list[CampusParticipants] = Field(default_factory=list, max_length=100)
    reading_list_name: str = Field("", max_length=300)
    status: CourseStatus = CourseStatus.ACTIVE
    submit_lists_by: datetime.date | None = None
    no_list_expected: bool = False


class CoursePatch(Schema):
    """Only the fields sent change. Courses have no version column: send the
    `updated_at` you read to have the change refused (409) if someone changed the
    course since."""

    updated_at: datetime.datetime | None = Field(
        None, description="The course's updated_at as you read it (precondition)"
    )
    code: str | None = Field(None, min_length=1, max_length=100)
    section: str | None = Field(None, max_length=100)
    name: str | None = Field(None, min_length=1, max_length=300)
    academic_department: str | None = None
    processing_department: str | None = None
    terms: list[str] | None = Field(None, max_length=4)
    year: int | None = Field(None, ge=1900, le=2200)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    participants: int | None = Field(None, ge=0)
    weekly_hours: int | None = Field(None, ge=0)
    searchable_ids: list[str] | None = Field(None, max_length=50)
    campuses: list[CampusParticipants] | None = Field(None, max_length=100)
    reading_list_name: str | None = Field(None, max_length=300)
    status: CourseStatus | None = None
    submit_lists_by: datetime.date | None = None
    no_list_expected: bool | None = None


class CoursePage(PageMeta):
    results: list[CourseOut]


class CourseQuery(PageQuery):
    code: str = Field("", max_length=100, description="Exact course code")
    q: str = Field("", max_length=200, description="Part of the code or the name")
    term: str = Field("", max_length=50, description="Term code")
    department: str = Field(
        "", max_length=50, description="Academic or processing department code"
    )
    status: CourseStatus | None = None


class CourseConflict(Exception):
    """The course changed since the caller read it."""


class CourseConflictOut(Schema):
    detail: str
    updated_at: datetime.datetime | None = Field(description="The course's now")


def _courses() -> QuerySet[Course]:
    return Course.objects.select_related(
        "academic_department", "processing_department"
    ).prefetch_related(
        "terms",
        Prefetch(
            "coursecampus_set",
            queryset=CourseCampus.objects.select_related("campus").order_by(
                "campus__code"
            ),
        ),
    )


def course_out(course: Course) -> dict[str, Any]:
    academic, processing = course.academic_department, course.processing_department
    return {
        "id": course.pk,
        "code": course.code,
        "section": course.section,
        "name": course.name,
        "academic_department": academic.code if academic else None,
        "processing_department": processing.code if processing else None,
        "terms": sorted(t.code for t in course.terms.all()),
        "year": course.year,
        "start_date": course.start_date,
        "end_date": course.end_date,
        "participants": course.participants,
        "weekly_hours": course.weekly_hours,
        "searchable_ids": [str(s) for s in course.searchable_ids or []],
        "campuses": [
            {"campus": link.campus.code, "participants": link.participants}
            for link in course.coursecampus_set.all()
        ],
        "reading_list_name": course.reading_list_name,
        "status": course.status,
        "submit_lists_by": course.submit_lists_by,
        "no_list_expected": course.no_list_expected,
        "rolled_from": course.rolled_from_id,
        "created_at": course.created_at,
        "updated_at": course.updated_at,
    }


def _by_code(model: Any, code: str, field: str, kind: str) -> Any:
    obj = model.objects.filter(code=code.strip()).first()
    if obj is None:
        raise FieldError(field, f"no {kind} with the code {code}.")
    return obj


def _millis(moment: datetime.datetime) -> datetime.datetime:
    # JSON answers carry times to the millisecond (Django's encoder).
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@transaction.atomic
def course_write(
    *, actor: User, course: Course | None, fields: dict[str, Any]
) -> Course:
    """Creates (course None) or changes a course from API fields (codes for
    departments, terms and campuses). All or nothing; an event records it."""
    _not_null(
        fields,
        "code",
        "section",
        "name",
        "processing_department",
        "participants",
        "weekly_hours",
        "searchable_ids",
        "reading_list_name",
        "status",
        "no_list_expected",
        "terms",
        "campuses",
    )
    expected = fields.pop("updated_at", None)
    terms = fields.pop("terms", None)
    campuses = fields.pop("campuses", None)
    for name in ("academic_department", "processing_department"):
        if name in fields:
            code = fields.pop(name)
            fields[name] = (
                _by_code(Department, code, name, "department") if code else None
            )
    if "processing_department" in fields and fields["processing_department"] is None:
        raise FieldError("processing_department", "a course needs one.")
    term_rows = (
        [_by_code(Term, code, "terms", "term") for code in terms]
        if terms is not None
        else None
    )
    campus_rows = (
        [
            (_by_code(Campus, row["campus"], "campuses", "campus"), row["participants"])
            for row in campuses
        ]
        if campuses is not None
        else None
    )
    if campus_rows and len({c.pk for c, _n in campus_rows}) != len(campus_rows):
        raise FieldError("campuses", "a campus is named twice.")
    if course is None:
        course = Course(**fields)
        created = True
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
        if expected is not None and _millis(course.updated_at) != _millis(expected):
            raise CourseConflict
        for key, value in fields.items():
            setattr(course, key, value)
        created = False
    if "code" in fields or "section" in fields or created:
        clash = Course.objects.filter(code=course.code, section=course.section)
        if not created:
            clash = clash.exclude(pk=course.pk)
        if clash.exists():
            raise FieldError(
                "code", f"a course {course.label} exists already (code and section)."
            )
    if course.start_date and course.end_date and course.end_date < course.start_date:
        raise FieldError("end_date", "the course ends before it starts.")
    course.save()
    if term_rows is not None:
        course.terms.set(term_rows)
    if campus_rows is not None:
        course_campuses_set(course, campus_rows)
    changed = sorted(
        [
            *fields,
            *(["terms"] if terms is not None else []),
            *(["campuses"] if campuses is not None else []),
        ]
    )
    event_record(
        actor=actor,
        verb="course.create" if created else "course.update",
        target_type="course",
        target_id=course.pk,
        summary=f"{'Created' if created else 'Edited'} the course {course.label}",
        params={"fields": changed},
    )
    return course


@router.get("/courses", response=CoursePage, summary="List courses")
def course_list(request: HttpRequest, query: Query[CourseQuery]) -> dict[str, Any]:
    """Ordered by code, section and id."""
    caller(request, AREA)
    rows = _courses().order_by("code", "section", "id")
    if query.code:
        rows = rows.filter(code=query.code)
    if query.q:
        rows = rows.filter(Q(code__icontains=query.q) | Q(name__icontains=query.q))
    if query.term:
        rows = rows.filter(terms__code=query.term)
    if query.department:
        rows = rows.filter(
            Q(academic_department__code=query.department)
            | Q(processing_department__code=query.department)
        )
    if query.status:
        rows = rows.filter(status=query.status)
    answer = page(request, rows, query)
    answer["results"] = [course_out(c) for c in answer["results"]]
    return answer


@router.get("/courses/{course_id}", response=CourseOut, summary="One course")
def course_get(request: HttpRequest, course_id: int) -> dict[str, Any]:
    caller(request, AREA)
    return course_out(get_object_or_404(_courses(), pk=course_id))


@router.post(
    "/courses", response={201: CourseOut}, summary="Create a course (library staff)"
)
def course_create(request: HttpRequest, body: CourseIn):
    user = library_caller(request, AREA, write=True)
    course = course_write(actor=user, course=None, fields=body.dict())
    return Status(201, course_out(_courses().get(pk=course.pk)))


@router.patch(
    "/courses/{course_id}",
    response={200: CourseOut, 409: CourseConflictOut},
    summary="Change a course (library staff; only the fields sent)",
)
def course_update(request: HttpRequest, course_id: int, body: CoursePatch):
    user = library_caller(request, AREA, write=True)
    course = get_object_or_404(Course, pk=course_id)
    try:
        course_write(actor=user, course=course, fields=body.dict(exclude_unset=True))
    except CourseConflict:
        current = Course.objects.filter(pk=course_id).values_list(
            "updated_at", flat=True
        )
        return Status(
            409,
            {
                "detail": "Someone else changed this course since you read it; "
                "read it again, then make your change.",
                "updated_at": current.first(),
            },
        )
    return course_out(_courses().get(pk=course_id))


@router.delete(
    "/courses/{course_id}",
    response={204: None},
    summary="Delete a course (library staff); its lists stay",
)
def course_remove(request: HttpRequest, course_id: int):
    user = library_caller(request, AREA, write=True)
    course_delete(actor=user, course=get_object_or_404(Course, pk=course_id))
    return Status(204, None)
