"""Reads that check permission. Views never fetch lists or citations any other way."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from lectio.core.models import Event
from lectio.courses.models import Course, CourseRole, Enrolment
from lectio.lists.models import Citation, Collaborator, ReadingList, Section
from lectio.lists.permissions import TEACHING_ROLES, Right, is_staff, right_from_facts
from lectio.lists.statuses import PublicationStatus


@functools.cache
def _facts_columns() -> tuple[str, str, str]:
    """SQL for what the permission decision needs about a user and a list: the
    collaborator right, whether they teach one of its courses, whether they are
    enrolled in one. Parameters per column: (list id, user id)."""
    qn = connection.ops.quote_name
    collab = Collaborator._meta.db_table
    enrol = Enrolment._meta.db_table
    link = ReadingList.courses.through._meta.db_table
    teaching = ", ".join(f"'{role}'" for role in TEACHING_ROLES)
    enrolled = (
        f"SELECT 1 FROM {qn(enrol)} e JOIN {qn(link)} rc ON rc.course_id = e.course_id"
        " WHERE rc.readinglist_id = %s AND e.user_id = %s"
    )
    return (
        f"(SELECT c.{qn('right')} FROM {qn(collab)} c"
        " WHERE c.reading_list_id = %s AND c.user_id = %s)",
        f"EXISTS({enrolled} AND e.role IN ({teaching}))",
        f"EXISTS({enrolled})",
    )


@functools.cache
def _facts_sql() -> str:
    return "SELECT " + ", ".join(_facts_columns())


@functools.cache
def _list_with_facts_sql() -> str:
    """The list's row and its facts in one query. Plain SQL: this runs on every
    page view, and the ORM's compile of the annotated equivalent cost more than
    the query itself."""
    right, teaches, enrolled = _facts_columns()
    table = connection.ops.quote_name(ReadingList._meta.db_table)
    return (
        f"SELECT l.*, {right} AS facts_right, {teaches} AS facts_teaches,"
        f" {enrolled} AS facts_enrolled FROM {table} l WHERE l.id = %s"
    )


def list_facts(*, user: Any, list_id: int) -> tuple[str | None, bool, bool]:
    """(collaborator right, teaches one of its courses, enrolled in one of them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _facts_sql(), [list_id, user.pk, list_id, user.pk, list_id, user.pk]
        )
        collaborator_right, teaches, enrolled = cursor.fetchone()
    return collaborator_right, bool(teaches), bool(enrolled)


def _load_list(
    user: Any, list_id: int
) -> tuple[ReadingList, tuple[str | None, bool, bool]]:
    try:
        list_id = int(list_id)
    except (TypeError, ValueError):
        raise Http404("No such list") from None
    if not (user.is_authenticated and not is_staff(user)):
        try:
            return ReadingList.objects.get(pk=list_id), (None, False, False)
        except ReadingList.DoesNotExist:
            raise Http404("No such list") from None
    params = [list_id, user.pk, list_id, user.pk, list_id, user.pk, list_id]
    with connection.cursor() as cursor:
        cursor.execute(_list_with_facts_sql(), params)
        row = cursor.fetchone()
        if row is None:
            raise Http404("No such list")
        values = dict(zip((d[0] for d in cursor.description), row, strict=True))
    # Built the way the ORM builds the rows it reads: each column through the
    # backend's and the field's converters (aware datetimes, JSON), then from_db.
    # By column name: the table's column order is the migrations', not the model's.
    fields = ReadingList._meta.concrete_fields
    table = ReadingList._meta.db_table
    converted = []
    for field in fields:
        value = values[field.column]
        col = field.get_col(table)
        converters = connection.ops.get_db_converters(col)
        converters += field.get_db_converters(connection)  # type: ignore[attr-defined]
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    reading_list = ReadingList.from_db(
        connection.alias, [f.attname for f in fields], converted
    )
    facts = (
        values["facts_right"],
        bool(values["facts_teaches"]),
        bool(values["facts_enrolled"]),
    )
    return reading_list, facts


def reading_list_get(
    *, user: Any, list_id: int, need: Right
) -> tuple[ReadingList, Right]:
    """The list and the user's right on it; 404 if they may not see it, 403 if they
    may see it but not do what `need` says. One query whatever the user: the facts
    the decision needs come with the list's row."""
    reading_list, facts = _load_list(user, list_id)
    right = right_from_facts(
        user,
        reading_list,
        collaborator_right=facts[0],
        teaches=facts[1],
        enrolled=facts[2],
    )
    if right == Right.NONE:
        raise Http404("No such list")
    if right < need:
        raise PermissionDenied
    return reading_list, right


def reading_list_get_for_reader(
    *, user: Any, list_id: int
) -> tuple[ReadingList, Right]:
    return reading_list_get(user=user, list_id=list_id, need=Right.READ)


def reading_list_get_for_editor(
    *, user: Any, list_id: int
) -> tuple[ReadingList, Right]:
    return reading_list_get(user=user, list_id=list_id, need=Right.EDIT)


def reading_list_get_for_manager(
    *, user: Any, list_id: int
) -> tuple[ReadingList, Right]:
    return reading_list_get(user=user, list_id=list_id, need=Right.MANAGE)


def section_get_for_editor(*, user: Any, section_id: int) -> Section:
    section = Section.objects.filter(pk=section_id).first()
    if section is None:
        raise Http404("No such section")
    reading_list_get_for_editor(user=user, list_id=section.reading_list_id)
    return section


def citation_get_for_editor(*, user: Any, citation_id: int) -> Citation:
    citation = Citation.objects.filter(pk=citation_id).first()
    if citation is None:
        raise Http404("No such citation")
    reading_list_get_for_editor(user=user, list_id=citation.reading_list_id)
    return citation


def citation_get_for_reader(*, user: Any, citation_id: int) -> tuple[Citation, Right]:
    citation = Citation.objects.filter(pk=citation_id).first()
    if citation is None:
        raise Http404("No such citation")
    _list, right = reading_list_get_for_reader(
        user=user, list_id=citation.reading_list_id
    )
    if right == Right.READ and not citation_visible_to_readers(citation):
        raise Http404("No such citation")
    return citation, right


def citation_visible_to_readers(citation: Citation) -> bool:
    from lectio.accounts.models import InstitutionSettings
    from lectio.lists.statuses import CitationStatus

    if not InstitutionSettings.cached().students_see_only_complete:
        return citation.status not in (CitationStatus.INACTIVE, CitationStatus.DECLINED)
    return citation.status == CitationStatus.COMPLETE


def lists_for_author(*, user: Any) -> QuerySet[ReadingList]:
    """Lists the user owns, edits, or that belong to courses they teach."""
    if not user.is_authenticated:
        return ReadingList.objects.none()
    taught = Course.objects.filter(
        enrolments__user=user, enrolments__role__in=TEACHING_ROLES
    ).values("pk")
    return (
        ReadingList.objects.filter(Q(collaborators__user=user) | Q(courses__in=taught))
        .distinct()
        .annotate(citation_count=Count("citations", distinct=True))
        .order_by("name")
    )


def lists_to_add_to(
    *, user: Any, also: int | None = None
) -> list[tuple[ReadingList, list[Section]]]:
    """The lists to offer someone adding a citation from elsewhere (the catalog,
    Cite It!): the ones they own, edit or teach (library staff: also the lists
    assigned to them), plus `also` when they may edit it; each with its sections,
    the default first. Two queries, three with `also`."""
    lists = list(lists_for_author(user=user))
    ids = {rl.pk for rl in lists}
    extra: list[ReadingList] = []
    if is_staff(user):
        extra = list(
            ReadingList.objects.filter(assigned_librarian=user)
            .exclude(pk__in=ids)
            .order_by("name")
        )
    if also is not None and also not in ids and not any(rl.pk == also for rl in extra):
        try:
            reading_list, _right = reading_list_get_for_editor(user=user, list_id=also)
        except (Http404, PermissionDenied):
            pass
        else:
            extra.insert(0, reading_list)
    lists = extra + lists
    if not lists:
        return []
    sections: dict[int, list[Section]] = {}
    for section in Section.objects.filter(
        reading_list_id__in=[rl.pk for rl in lists]
    ).order_by("-is_default", "position", "id"):
        sections.setdefault(section.reading_list_id, []).append(section)
    return [(rl, sections.get(rl.pk, [])) for rl in lists]


def courses_taught(*, user: Any) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(
        enrolments__user=user, enrolments__role__in=TEACHING_ROLES
    ).order_by("code", "section")


def courses_for_student(*, user: Any) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(
        enrolments__user=user, enrolments__role=CourseRole.STUDENT
    ).order_by("code", "section")


def published_lists_for_courses(course_ids: list[int]) -> QuerySet[ReadingList]:
    return (
        ReadingList.objects.filter(
            courses__in=course_ids, publication_status=PublicationStatus.PUBLISHED
        )
        .distinct()
        .order_by("name")
    )


def list_history(*, reading_list: ReadingList, limit: int = 200) -> QuerySet[Event]:
    return Event.objects.filter(list_id=reading_list.pk).select_related("actor")[:limit]


def enrolled_course_ids(*, user: Any) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Enrolment.objects.filter(user=user).values_list("course_id", flat=True))
