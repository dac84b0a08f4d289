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
from lectio.lists.models import CollaboratorRight, ReadingList
from lectio.lists.statuses import PublicationStatus, Visibility


class Right(enum.IntEnum):
    NONE = 0
    READ = 1
    EDIT = 2
    MANAGE = 3


TEACHING_ROLES = (CourseRole.INSTRUCTOR, CourseRole.TEACHING_ASSISTANT)


def list_right(user: Any, reading_list: ReadingList) -> Right:
    """The strongest right `user` has on `reading_list` (one query at most)."""
    from lectio.lists.selectors import list_facts

    if not (user and user.is_authenticated) or is_staff(user):
        return right_from_facts(user, reading_list)
    collab, teaches, enrolled = list_facts(user=user, list_id=reading_list.pk)
    return right_from_facts(
        user,
        reading_list,
        collaborator_right=collab,
        teaches=teaches,
        enrolled=enrolled,
    )


def is_staff(user: Any) -> bool:
    return bool(user.is_library_staff or user.is_superuser)


def right_from_facts(
    user: Any,
    reading_list: ReadingList,
    *,
    collaborator_right: str | None = None,
    teaches: bool = False,
    enrolled: bool = False,
) -> Right:
    """The decision itself, over facts already loaded: no queries."""
    authenticated = bool(user and user.is_authenticated)
    if authenticated and is_staff(user):
        return Right.MANAGE
    if authenticated:
        if collaborator_right == CollaboratorRight.OWNER or teaches:
            return Right.MANAGE
        if collaborator_right == CollaboratorRight.EDITOR:
            return Right.EDIT
    course_role = CourseRole.STUDENT if authenticated and enrolled else None
    return (
        Right.READ
        if _may_read(reading_list, authenticated, course_role)
        else Right.NONE
    )


def _may_read(
    reading_list: ReadingList, authenticated: bool, course_role: str | None
) -> bool:
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
    return Enrolment.objects.filter(
        user=user, course__reading_lists=reading_list
    ).exists()
