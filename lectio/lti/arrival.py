"""Who arrived and where: the Lectio account for a validated launch's `sub`, their
role, and the course the launch came from.

Runs only after every check of `launch.launch_validate` has passed, so a refused
launch never creates an account or an enrolment.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lectio.accounts.models import Role, User
from lectio.core.events import event_record
from lectio.courses.models import Course, CourseRole, Enrolment
from lectio.lti import claims as c
from lectio.lti.launch import Launch, LaunchRefused
from lectio.lti.models import CourseClaim, Platform, PlatformUser

log = logging.getLogger("lectio.lti")


@dataclass
class Arrival:
    user: User
    course: Course | None
    role: str  # "instructor" or "student", from the launch's roles
    course_value: str  # what the course claim said, for the page when nothing matched


def _text(value: Any, limit: int = 150) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def course_value(claims: dict[str, Any], platform: Platform) -> str:
    """The value of the claim the institution chose to name the course by."""
    if platform.course_claim == CourseClaim.LIS_COURSE_CODE:
        custom = claims.get(c.CUSTOM)
        return (
            _text(custom.get("lis_course_code"), 200)
            if isinstance(custom, dict)
            else ""
        )
    if platform.course_claim == CourseClaim.COURSE_SECTION_SOURCEDID:
        lis = claims.get(c.LIS)
        return (
            _text(lis.get("course_section_sourcedid"), 200)
            if isinstance(lis, dict)
            else ""
        )
    context = claims.get(c.CONTEXT)
    return _text(context.get("label"), 200) if isinstance(context, dict) else ""


def course_match(value: str) -> Course | None:
    """The course whose label (code, or code-section) is `value`."""
    if not value:
        return None
    found = Course.objects.filter(code=value, section="").first()
    if found is not None:
        return found
    candidates = [
        (value[:i], value[i + 1 :]) for i, ch in enumerate(value) if ch == "-"
    ]
    for code, section in candidates:
        found = Course.objects.filter(code=code, section=section).first()
        if found is not None:
            return found
    only = list(Course.objects.filter(code=value)[:2])
    return only[0] if len(only) == 1 else None


def _course_create(launch: Launch, value: str, user: User) -> Course | None:
    """A course for a launch from one Lectio does not know, where the institution
    allows it: the matched value as its code, the LMS's title as its name."""
    if not launch.platform.create_courses:
        return None
    context = launch.claims.get(c.CONTEXT)
    title = _text(context.get("title"), 300) if isinstance(context, dict) else ""
    course, created = Course.objects.get_or_create(
        code=value[:100], section="", defaults={"name": title or value}
    )
    if created:
        event_record(
            actor=user,
            verb="course.create",
            target_type="course",
            target_id=course.pk,
            summary=_("Made from a launch from %(platform)s")
            % {"platform": launch.platform.name},
            params={
                "platform": launch.platform.pk,
                "claim": launch.platform.course_claim,
            },
        )
    return course


def _names(claims: dict[str, Any]) -> dict[str, str]:
    names = {
        "first_name": _text(claims.get("given_name")),
        "last_name": _text(claims.get("family_name")),
        "email": _text(claims.get("email"), 254),
    }
    full = _text(claims.get("name"))
    if full and not (names["first_name"] or names["last_name"]):
        names["preferred_name"] = full
    return {k: v for k, v in names.items() if v}


def _primary_id(claims: dict[str, Any]) -> str:
    lis = claims.get(c.LIS)
    return _text(lis.get("person_sourcedid"), 100) if isinstance(lis, dict) else ""


def _find_user(launch: Launch) -> User | None:
    claims = launch.claims
    primary = _primary_id(claims)
    if primary:
        user = User.objects.filter(primary_id=primary).first()
        if user is not None:
            return user
    email = _text(claims.get("email"), 254)
    if launch.platform.link_by_email and email:
        same = list(User.objects.filter(email__iexact=email)[:2])
        if len(same) == 1:
            return same[0]
    return None


def _create_user(launch: Launch, role: str) -> User:
    digest = hashlib.sha256(launch.sub.encode()).hexdigest()[:20]
    primary = _primary_id(launch.claims)
    user = User(
        username=f"lti-{launch.platform.pk}-{digest}",
        role=Role.INSTRUCTOR if role == "instructor" else Role.STUDENT,
        primary_id=primary
        if primary and not User.objects.filter(primary_id=primary).exists()
        else None,
        **_names(launch.claims),
    )
    user.set_unusable_password()
    user.save()
    return user


def _user_for(launch: Launch, role: str) -> User:
    link = (
        PlatformUser.objects.select_related("user")
        .filter(platform=launch.platform, sub=launch.sub)
        .first()
    )
    if link is not None:
        return link.user
    try:
        with transaction.atomic():
            user = _find_user(launch) or _create_user(launch, role)
            PlatformUser.objects.create(
                platform=launch.platform, sub=launch.sub, user=user
            )
            event_record(
                actor=user,
                verb="lti.user.link",
                target_type="user",
                target_id=user.pk,
                summary=_("Linked to %(platform)s")
                % {"platform": launch.platform.name},
                params={"platform": launch.platform.pk},
            )
            return user
    except IntegrityError:
        # The same person's first launch, twice at once: the other one linked first.
        return (
            PlatformUser.objects.select_related("user")
            .get(platform=launch.platform, sub=launch.sub)
            .user
        )


def _update_user(user: User, launch: Launch, role: str) -> None:
    changes = {k: v for k, v in _names(launch.claims).items() if getattr(user, k) != v}
    if role == "instructor" and user.role == Role.STUDENT:
        # The LMS says this person teaches; never lower a role here.
        changes["role"] = Role.INSTRUCTOR
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for key, value in changes.items():
            setattr(user, key, value)


def _enrol(user: User, course: Course, role: str, assistant: bool) -> None:
    wanted = (
        (CourseRole.TEACHING_ASSISTANT if assistant else CourseRole.INSTRUCTOR)
        if role == "instructor"
        else CourseRole.STUDENT
    )
    enrolment, created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"role": wanted}
    )
    if (
        not created
        and enrolment.role == CourseRole.STUDENT
        and wanted != CourseRole.STUDENT
    ):
        Enrolment.objects.filter(pk=enrolment.pk).update(role=wanted)


def launch_arrive(launch: Launch) -> Arrival:
    """The account (found by sub, then primary id, then e-mail if allowed; else
    made), its role, and the course matched by the institution's chosen claim, with
    an enrolment in it. One transaction."""
    role, assistant = c.lectio_role(
        launch.claims.get(c.ROLES) or [],
        administrator_role=launch.platform.administrator_role,
    )
    with transaction.atomic():
        user = _user_for(launch, role)
        if not user.is_active:
            raise LaunchRefused(
                "account",
                f"account {user.pk} is disabled",
                issuer=launch.platform.issuer,
            )
        _update_user(user, launch, role)
        value = course_value(launch.claims, launch.platform)
        course = course_match(value)
        if course is None and value and role == "instructor":
            course = _course_create(launch, value, user)
        if course is not None:
            _enrol(user, course, role, assistant)
    if value and course is None:
        log.info(
            "LTI launch from %s: no course matches %r", launch.platform.issuer, value
        )
    return Arrival(user=user, course=course, role=role, course_value=value)
