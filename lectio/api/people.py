"""People and who takes which course: users and enrolments.

Personal data (names, e-mail, who is enrolled where) is for administrators only:
sessions of administrators, and keys with the users scope acting as one. Passwords
are never read or written here: people created through the API sign in through the
institution's login or the LMS."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from lectio.accounts.models import Role, User
from lectio.api.auth import admin_caller
from lectio.api.errors import FieldError
from lectio.api.paging import PageMeta, PageQuery, page
from lectio.core.events import event_record
from lectio.courses.models import Course, CourseRole, Enrolment

router = Router(tags=["people"])
AREA = "users"

USERNAME = r"^[\w.@+-]+$"
# Enough to catch a wrong column; the institution's mail system is the real check.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserOut(Schema):
    id: int
    username: str
    primary_id: str | None = Field(description="Id in the student information system")
    first_name: str
    last_name: str
    preferred_name: str
    email: str
    role: Role
    pending: bool = Field(description="Made by a loader; has not signed in yet")
    is_active: bool
    date_joined: datetime.datetime
    last_login: datetime.datetime | None


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150, pattern=USERNAME)
    primary_id: str | None = Field(None, min_length=1, max_length=100)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    preferred_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254, pattern=f"^$|{EMAIL}")
    role: Role = Role.STUDENT


class UserPatch(Schema):
    username: str | None = Field(None, min_length=1, max_length=150, pattern=USERNAME)
    primary_id: str | None = Field(
        None, min_length=1, max_length=100, description="null clears it"
    )
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    preferred_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254, pattern=f"^$|{EMAIL}")
    role: Role | None = None
    is_active: bool | None = Field(None, description="false: can no longer sign in")


class UserPage(PageMeta):
    results: list[UserOut]


class UserQuery(PageQuery):
    q: str = Field(
        "", max_length=200, description="Part of the user name, a name or e-mail"
    )
    role: Role | None = None
    primary_id: str = Field("", max_length=100)


@transaction.atomic
def user_write(*, actor: User, user: User | None, fields: dict[str, Any]) -> User:
    """Creates (user None) or changes a person. User names and primary ids stay
    unique; administrators cannot demote or lock out themselves."""
    for name in ("username", "first_name", "last_name", "preferred_name", "email"):
        if name in fields and fields[name] is None:
            raise FieldError(name, "may not be null.")
    if "role" in fields and fields["role"] is None:
        raise FieldError("role", "may not be null.")
    if "is_active" in fields and fields["is_active"] is None:
        raise FieldError("is_active", "may not be null.")
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects
    username = fields.get("username")
    if username and others.filter(username=username).exists():
        raise FieldError("username", f"{fields['username']} is taken.")
    primary_id = fields.get("primary_id")
    if primary_id is not None and others.filter(primary_id=primary_id).exists():
        raise FieldError("primary_id", f"{primary_id} belongs to someone else.")
    if user is not None and user.pk == actor.pk:
        if fields.get("role", user.role) != user.role:
            raise FieldError("role", "administrators cannot change their own role.")
        if fields.get("is_active") is False:
            raise FieldError("is_active", "administrators cannot lock themselves out.")
    created = user is None
    if user is None:
        user = User(**fields)
        user.set_unusable_password()
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
        for key, value in fields.items():
            setattr(user, key, value)
    user.save()
    event_record(
        actor=actor,
        verb="user.create" if created else "user.update",
        target_type="user",
        target_id=user.pk,
        summary=f"{'Created' if created else 'Edited'} the user {user.username}",
        params={"fields": sorted(fields)},
    )
    return user


@router.get("/users", response=UserPage, summary="List people (administrators)")
def user_list(request: HttpRequest, query: Query[UserQuery]) -> dict[str, Any]:
    """Ordered by user name."""
    admin_caller(request, AREA)
    rows = User.objects.order_by("username", "id")
    if query.q:
        rows = rows.filter(
            Q(username__icontains=query.q)
            | Q(first_name__icontains=query.q)
            | Q(last_name__icontains=query.q)
            | Q(preferred_name__icontains=query.q)
            | Q(email__icontains=query.q)
        )
    if query.role:
        rows = rows.filter(role=query.role)
    if query.primary_id:
        rows = rows.filter(primary_id=query.primary_id)
    return page(request, rows, query)


@router.get("/users/{user_id}", response=UserOut, summary="One person (administrators)")
def user_get(request: HttpRequest, user_id: int) -> User:
    admin_caller(request, AREA)
    return get_object_or_404(User, pk=user_id)


@router.post(
    "/users",
    response={201: UserOut},
    summary="Create a person (administrators); they sign in through SSO or the LMS",
)
def user_create(request: HttpRequest, body: UserIn) -> Status:
    actor = admin_caller(request, AREA, write=True)
    return Status(201, user_write(actor=actor, user=None, fields=body.dict()))


@router.patch(
    "/users/{user_id}",
    response=UserOut,
    summary="Change a person (administrators; only the fields sent)",
)
def user_update(request: HttpRequest, user_id: int, body: UserPatch) -> User:
    actor = admin_caller(request, AREA, write=True)
    user = get_object_or_404(User, pk=user_id)
    return user_write(actor=actor, user=user, fields=body.dict(exclude_unset=True))


# --- enrolments ------------------------------------------------------------------


class EnrolledUser(Schema):
    id: int
    username: str
    primary_id: str | None
    display_name: str


class EnrolledCourse(Schema):
    id: int
    code: str
    section: str
    name: str


class EnrolmentOut(Schema):
    id: int
    user: EnrolledUser
    course: EnrolledCourse
    role: CourseRole
    created_at: datetime.datetime


class EnrolmentIn(Schema):
    user: int = Field(description="User id")
    course: int = Field(description="Course id")
    role: CourseRole = CourseRole.STUDENT


class EnrolmentPage(PageMeta):
    results: list[EnrolmentOut]


class EnrolmentQuery(PageQuery):
    course: int | None = Field(None, description="Course id")
    user: int | None = Field(None, description="User id")
    role: CourseRole | None = None


def _enrolments() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related("user", "course")


def enrolment_out(row: Enrolment) -> dict[str, Any]:
    return {
        "id": row.pk,
        "user": {
            "id": row.user.pk,
            "username": row.user.username,
            "primary_id": row.user.primary_id,
            "display_name": row.user.display_name,
        },
        "course": {
            "id": row.course.pk,
            "code": row.course.code,
            "section": row.course.section,
            "name": row.course.name,
        },
        "role": row.role,
        "created_at": row.created_at,
    }


@router.get(
    "/enrolments",
    response=EnrolmentPage,
    summary="Who takes or teaches a course, or a person's courses (administrators)",
)
def enrolment_list(
    request: HttpRequest, query: Query[EnrolmentQuery]
) -> dict[str, Any]:
    """Give `course` or `user` (or both). Ordered by course, then user name."""
    admin_caller(request, AREA)
    if query.course is None and query.user is None:
        raise FieldError("course", "give course or user.")
    rows = _enrolments().order_by(
        "course__code", "course__section", "user__username", "id"
    )
    if query.course is not None:
        rows = rows.filter(course_id=query.course)
    if query.user is not None:
        rows = rows.filter(user_id=query.user)
    if query.role:
        rows = rows.filter(role=query.role)
    answer = page(request, rows, query)
    answer["results"] = [enrolment_out(r) for r in answer["results"]]
    return answer


@transaction.atomic
def enrolment_set(*, actor: User, user: User, course: Course, role: str) -> Enrolment:
    """Enrols `user` in `course` as `role`, or changes their role there."""
    row, created = Enrolment.objects.update_or_create(
        user=user, course=course, defaults={"role": role}
    )
    event_record(
        actor=actor,
        verb="enrolment.create" if created else "enrolment.update",
        target_type="course",
        target_id=course.pk,
        summary=f"{user.username} in {course.label} as {role}",
        params={"user": user.pk, "role": role},
    )
    return row


@transaction.atomic
def enrolment_delete(*, actor: User, enrolment: Enrolment) -> None:
    course_id, user_id = enrolment.course_id, enrolment.user_id
    enrolment.delete()
    event_record(
        actor=actor,
        verb="enrolment.delete",
        target_type="course",
        target_id=course_id,
        summary=f"Removed user {user_id} from course {course_id}",
        params={"user": user_id},
    )


@router.post(
    "/enrolments",
    response={200: EnrolmentOut, 201: EnrolmentOut},
    summary="Enrol a person (201), or change their role in the course (200)",
)
def enrolment_create(request: HttpRequest, body: EnrolmentIn) -> Status:
    actor = admin_caller(request, AREA, write=True)
    user = User.objects.filter(pk=body.user).first()
    if user is None:
        raise FieldError("user", f"no user with the id {body.user}.")
    course = Course.objects.filter(pk=body.course).first()
    if course is None:
        raise FieldError("course", f"no course with the id {body.course}.")
    existed = Enrolment.objects.filter(user=user, course=course).exists()
    row = enrolment_set(actor=actor, user=user, course=course, role=body.role)
    return Status(200 if existed else 201, enrolment_out(_enrolments().get(pk=row.pk)))


@router.delete(
    "/enrolments/{enrolment_id}",
    response={204: None},
    summary="End an enrolment (administrators)",
)
def enrolment_remove(request: HttpRequest, enrolment_id: int) -> Status:
    actor = admin_caller(request, AREA, write=True)
    enrolment_delete(
        actor=actor, enrolment=get_object_or_404(Enrolment, pk=enrolment_id)
    )
    return Status(204, None)
