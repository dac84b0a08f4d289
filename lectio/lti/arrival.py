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

from lectio.accounts.models import User
from lectio.accounts.services import (
    names_from_claims,
    user_create_external,
    user_update_external,
)
from lectio.core.events import event_record
from lectio.courses.models import Course, CourseRole, EnrolmentSource
from lectio.courses.services import course_get_or_create, enrolment_set
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
    return course_get_or_create(
        actor=user,
        code=value[:100],
        name=title or value,
        summary=_("Made from a launch from %(platform)s")
        % {"platform": launch.platform.name},
        params={"platform": launch.platform.pk, "claim": launch.platform.course_claim},
    )


@dataclass(frozen=True)
class Person:
    """Who an LMS says someone is: from a launch's claims or a roster's member."""

    sub: str
    names: dict[str, str]
    primary_id: str = ""

    @property
    def email(self) -> str:
        return self.names.get("email", "")


def person_from(data: dict[str, Any], *, sub: str, primary_id: Any) -> Person:
    """A Person from the OpenID Connect name claims that launches and rosters share
    (given_name, family_name, name, email)."""
    return Person(
        sub=sub,
        names=names_from_claims(data),
        primary_id=_text(primary_id, 100),
    )


def launch_person(launch: Launch) -> Person:
    lis = launch.claims.get(c.LIS)
    primary = lis.get("person_sourcedid") if isinstance(lis, dict) else ""
    return person_from(launch.claims, sub=launch.sub, primary_id=_text(primary, 100))


def _find_user(platform: Platform, person: Person) -> User | None:
    if person.primary_id:
        user = User.objects.filter(primary_id=person.primary_id).first()
        if user is not None:
            return user
    if platform.link_by_email and person.email:
        same = list(User.objects.filter(email__iexact=person.email)[:2])
        if len(same) == 1:
            return same[0]
    return None


def _create_user(platform: Platform, person: Person, role: str) -> User:
    digest = hashlib.sha256(person.sub.encode()).hexdigest()[:20]
    return user_create_external(
        username=f"lti-{platform.pk}-{digest}",
        role=role,
        names=person.names,
        primary_id=person.primary_id,
    )


def person_account(
    platform: Platform, person: Person, role: str, *, link: PlatformUser | None = None
) -> User:
    """The account of `person` at `platform`: linked by sub, else found by primary
    id (then e-mail, if the platform allows it), else made; its names follow the LMS
    and its role is raised to instructor if the LMS says so. `link` is the
    (platform, sub) row when the caller already read it."""
    if link is None:
        link = (
            PlatformUser.objects.select_related("user")
            .filter(platform=platform, sub=person.sub)
            .first()
        )
    if link is not None:
        user = link.user
    else:
        try:
            with transaction.atomic():
                user = _find_user(platform, person) or _create_user(
                    platform, person, role
                )
                PlatformUser.objects.create(
                    platform=platform, sub=person.sub, user=user
                )
                event_record(
                    actor=user,
                    verb="lti.user.link",
                    target_type="user",
                    target_id=user.pk,
                    summary=_("Linked to %(platform)s") % {"platform": platform.name},
                    params={"platform": platform.pk},
                )
        except IntegrityError:
            # The same person's first launch, twice at once: the other one linked
            # first.
            user = (
                PlatformUser.objects.select_related("user")
                .get(platform=platform, sub=person.sub)
                .user
            )
    user_update_external(user, names=person.names, role=role)
    return user


def course_role(role: str, assistant: bool) -> str:
    """The enrolment role for a Lectio role from `claims.lectio_role`."""
    if role != "instructor":
        return CourseRole.STUDENT
    return CourseRole.TEACHING_ASSISTANT if assistant else CourseRole.INSTRUCTOR


def launch_arrive(launch: Launch) -> Arrival:
    """The account (found by sub, then primary id, then e-mail if allowed; else
    made), its role, and the course matched by the institution's chosen claim, with
    an enrolment in it. One transaction."""
    role, assistant = c.lectio_role(
        launch.claims.get(c.ROLES) or [],
        administrator_role=launch.platform.administrator_role,
    )
    with transaction.atomic():
        user = person_account(launch.platform, launch_person(launch), role)
        if not user.is_active:
            raise LaunchRefused(
                "account",
                f"account {user.pk} is disabled",
                issuer=launch.platform.issuer,
            )
        value = course_value(launch.claims, launch.platform)
        course = course_match(value)
        if course is None and value and role == "instructor":
            course = _course_create(launch, value, user)
        if course is not None:
            enrolment_set(
                user=user,
                course=course,
                role=course_role(role, assistant),
                source=EnrolmentSource.LMS,
            )
    if value and course is None:
        log.info(
            "LTI launch from %s: no course matches %r", launch.platform.issuer, value
        )
    return Arrival(user=user, course=course, role=role, course_value=value)
