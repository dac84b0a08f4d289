"""Who may do what with a resource list. Pure decisions over facts the selectors load.

Rights, strongest first:
- MANAGE: everything, collaborators and delete included (list owners, instructors of
  one of the list's courses, library staff);
- EDIT: items and sections (collaborators with "can edit");
- READ: the reading view (students of the course, others as the visibility allows).
"""

from __future__ import annotations

import enum
from typing import Any

from lectio.courses.models import CourseRole, Enrolment
from lectio.lists.models import Collaborator, CollaboratorRight, ReadingList
from lectio.lists.statuses import PublicationStatus, Visibility


class Right(enum.IntEnum):
    NONE = 0
    READ = 1
    EDIT = 2
    MANAGE = 3


TEACHING_ROLES = (CourseRole.INSTRUCTOR, CourseRole.TEACHING_ASSISTANT)


def list_right(user: Any, reading_list: ReadingList) -> Right:
    """The strongest right `user` has on `reading_list` (two small queries at most)."""
    authenticated = bool(user and user.is_authenticated)
    if authenticated and (user.is_library_staff or user.is_superuser):
        return Right.MANAGE
    course_role: str | None = None
    if authenticated:
        collab = (
            Collaborator.objects.filter(reading_list=reading_list, user=user)
            .values_list("right", flat=True)
            .first()
        )
        if collab == CollaboratorRight.OWNER:
            return Right.MANAGE
        roles = set(
            Enrolment.objects.filter(
                user=user, course__reading_lists=reading_list
            ).values_list("role", flat=True)
        )
        if roles & set(TEACHING_ROLES):
            return Right.MANAGE
        if collab == CollaboratorRight.EDITOR:
            return Right.EDIT
        course_role = CourseRole.STUDENT if roles else None
    return Right.READ if _may_read(reading_list, authenticated, course_role) else Right.NONE


def _may_read(reading_list: ReadingList, authenticated: bool, course_role: str | None) -> bool:
    if reading_list.publication_status != PublicationStatus.PUBLISHED:
        return False
    if reading_list.visibility == Visibility.PUBLIC:
        return True
    if reading_list.visibility == Visibility.INSTITUTION:
        return authenticated
    return course_role is not None


def may_open_material(user: Any, reading_list: ReadingList, right: Right) -> bool:
    """Material access: files and licensed links, beyond seeing the list."""
    from lectio.lists.statuses import MaterialAccess

    if right >= Right.EDIT or reading_list.material_access == MaterialAccess.FULL:
        return right >= Right.READ
    if not (user and user.is_authenticated):
        return False
    return Enrolment.objects.filter(user=user, course__reading_lists=reading_list).exists()
