"""Lectio's objects in Alma's shape (JSON form; formats.py makes the XML). Reads only
what the caller prefetched: the selectors below load each kind of list in a fixed
number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from lectio.accounts.models import User
from lectio.api.alma import codes
from lectio.api.alma.codes import code
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseRole,
    CourseStatus,
    Enrolment,
    Term,
)
from lectio.lists.models import (
    Citation,
    Collaborator,
    CollaboratorRight,
    MaterialType,
    ReadingList,
    Tag,
    TagKind,
)
from lectio.lists.services import format_names
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    PublicationStatus,
    Visibility,
)

BASE = "/almaws/v1"


def alma_date(value: datetime.date | datetime.datetime | None) -> str | None:
    """Alma writes dates as 2026-09-01Z."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC).date()
    return f"{value.isoformat()}Z"


def course_path(course_id: int) -> str:
    return f"{BASE}/courses/{course_id}"


def list_path(course_id: int, list_id: int) -> str:
    return f"{course_path(course_id)}/reading-lists/{list_id}"


def citation_path(course_id: int, list_id: int, citation_id: int) -> str:
    return f"{list_path(course_id, list_id)}/citations/{citation_id}"


def owner_path(course_id: int, list_id: int, primary_id: str) -> str:
    return f"{list_path(course_id, list_id)}/owners/{primary_id}"


# --- loading -------------------------------------------------------------------------


def absolute(request: HttpRequest, path: str) -> str:
    """The absolute URL of `path`; the scheme and host are worked out once a
    request."""
    base = getattr(request, "_alma_base", None)
    if base is None:
        base = request.build_absolute_uri("/").rstrip("/")
        request._alma_base = base  # type: ignore[attr-defined]
    return base + path


@dataclass
class CourseRecord:
    """A course as the API shows it, read as plain rows (no model instances: a page
    of 100 courses costs 4 queries and little Python)."""

    pk: int
    code: str
    section: str
    name: str
    status: str
    year: int | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    participants: int
    weekly_hours: int
    searchable_ids: list[Any]
    notes: list[Any]
    submit_lists_by: datetime.date | None
    rolled_from_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    academic_department: tuple[str, str] | None
    processing_department: tuple[str, str] | None
    terms: list[tuple[str, str]] = field(default_factory=list)
    campuses: list[tuple[str, str, int]] = field(default_factory=list)
    instructors: list[tuple[str, str, str]] = field(default_factory=list)


COURSE_COLUMNS = (
    "pk",
    "code",
    "section",
    "name",
    "status",
    "year",
    "start_date",
    "end_date",
    "participants",
    "weekly_hours",
    "searchable_ids",
    "notes",
    "submit_lists_by",
    "rolled_from_id",
    "created_at",
    "updated_at",
    "academic_department__code",
    "academic_department__name",
    "processing_department__code",
    "processing_department__name",
)


def course_records(queryset: QuerySet[Course]) -> list[CourseRecord]:
    """The courses of `queryset` (sliced and ordered by the caller) with their terms,
    campuses and instructors: 4 queries whatever the number of courses."""
    return _with_relations(
        [_record(row) for row in queryset.values_list(*COURSE_COLUMNS)]
    )


def _record(row: tuple[Any, ...]) -> CourseRecord:
    # Positional: the row's columns are COURSE_COLUMNS, the record's first fields.
    *head, acad_code, acad_name, proc_code, proc_name = row
    return CourseRecord(  # type: ignore[misc]  # head fills the first fields
        *head,
        academic_department=(acad_code, acad_name) if acad_code else None,
        processing_department=(proc_code, proc_name) if proc_code else None,
    )


def _relation_sql() -> tuple[str, str, str]:
    """The three queries a page of courses adds (terms, campuses, instructors), as
    plain SQL: built by the ORM they would cost more Python than running them."""
    qn = connection.ops.quote_name
    through = qn(Course.terms.through._meta.db_table)
    term = qn(Term._meta.db_table)
    course_campus = qn(CourseCampus._meta.db_table)
    campus = qn(Campus._meta.db_table)
    enrolment = qn(Enrolment._meta.db_table)
    user = qn(User._meta.db_table)
    return (
        f"SELECT r.course_id, t.code, t.name FROM {through} r "
        f"JOIN {term} t ON t.id = r.term_id WHERE r.course_id IN ({{ids}}) "
        "ORDER BY r.id",
        f"SELECT r.course_id, c.code, c.name, r.participants FROM {course_campus} r "
        f"JOIN {campus} c ON c.id = r.campus_id WHERE r.course_id IN ({{ids}}) "
        "ORDER BY r.id",
        f"SELECT r.course_id, u.primary_id, u.username, u.first_name, u.last_name "
        f"FROM {enrolment} r JOIN {user} u ON u.id = r.user_id "
        "WHERE r.course_id IN ({ids}) AND r.role = %s ORDER BY r.id",
    )


def _with_relations(records: list[CourseRecord]) -> list[CourseRecord]:
    if not records:
        return records
    by_pk = {r.pk: r for r in records}
    ids = list(by_pk)
    marks = ", ".join(["%s"] * len(ids))
    terms_sql, campuses_sql, instructors_sql = _relation_sql()
    with connection.cursor() as cursor:
        cursor.execute(terms_sql.format(ids=marks), ids)
        for course_id, term_code, term_name in cursor.fetchall():
            by_pk[course_id].terms.append((term_code, term_name))
        cursor.execute(campuses_sql.format(ids=marks), ids)
        for course_id, campus_code, campus_name, count in cursor.fetchall():
            by_pk[course_id].campuses.append((campus_code, campus_name, count))
        cursor.execute(instructors_sql.format(ids=marks), [*ids, CourseRole.INSTRUCTOR])
        for course_id, primary_id, username, first, last in cursor.fetchall():
            by_pk[course_id].instructors.append((primary_id or username, first, last))
    return records


def citations_with_relations(queryset: QuerySet[Citation]) -> QuerySet[Citation]:
    return (
        queryset.select_related("section")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("kind", "position", "name"))
        )
        .order_by("section__position", "position", "id")
    )


def lists_with_citations(queryset: QuerySet[ReadingList]) -> QuerySet[ReadingList]:
    return queryset.prefetch_related(
        Prefetch(
            "citations",
            queryset=citations_with_relations(Citation.objects.all()),
            to_attr="citation_rows",
        )
    )


def person_id(user: User) -> str:
    """The id Alma knows a person by: the primary id, else the user name."""
    return user.primary_id or user.username


# --- courses -------------------------------------------------------------------------


def _note_text(note: Any) -> str:
    if isinstance(note, dict):
        return str(note.get("content") or note.get("text") or "")
    return str(note)


def _course_status_label(value: str) -> str:
    try:
        return str(CourseStatus(value).label)
    except ValueError:
        return value


def course_dict(
    course: CourseRecord,
    request: HttpRequest,
    *,
    reading_lists: list[ReadingList] | None = None,
) -> dict[str, Any]:
    acad, proc = course.academic_department, course.processing_department
    data: dict[str, Any] = {
        "link": absolute(request, course_path(course.pk)),
        "id": str(course.pk),
        "code": course.code,
        "name": course.name,
        "section": course.section,
        "academic_department": code(*acad) if acad else None,
        "processing_department": code(*proc) if proc else None,
        "term": [code(*term) for term in course.terms],
        "status": code(course.status, _course_status_label(course.status)),
        "start_date": alma_date(course.start_date),
        "end_date": alma_date(course.end_date),
        "weekly_hours": course.weekly_hours,
        "participants": course.participants,
        "year": course.year,
        "instructor": [
            {"primary_id": pid, "first_name": first, "last_name": last}
            for pid, first, last in course.instructors
        ],
        "campus": [
            {"campus_code": code(c_code, c_name), "campus_participants": count}
            for c_code, c_name, count in course.campuses
        ],
        "searchable_id": [str(s) for s in course.searchable_ids or []],
        "note": [{"content": _note_text(n)} for n in course.notes or []],
        "created_date": alma_date(course.created_at),
        "last_modified_date": alma_date(course.updated_at),
        "rolled_from": str(course.rolled_from_id) if course.rolled_from_id else None,
        "submit_by_date": alma_date(course.submit_lists_by),
    }
    if reading_lists is not None:
        data["reading_lists"] = {
            "reading_list": [
                list_dict(rl, course.pk, request, full=True) for rl in reading_lists
            ]
        }
    return data


# --- reading lists ---------------------------------------------------------------------


def list_dict(
    reading_list: ReadingList, course_id: int, request: HttpRequest, *, full: bool
) -> dict[str, Any]:
    notes = [
        {"content": text, "type": code(kind, desc)}
        for kind, desc, text in (
            ("INSTRUCTOR", "Instructor note", reading_list.instructor_note),
            ("LIBRARY", "Library note", reading_list.library_note),
        )
        if text
    ]
    data: dict[str, Any] = {
        "link": absolute(request, list_path(course_id, reading_list.pk)),
        "id": str(reading_list.pk),
        "code": reading_list.code,
        "name": reading_list.name,
        "description": reading_list.description,
        "due_back_date": alma_date(reading_list.due_back_date),
        "status": code(reading_list.status, ListStatus(reading_list.status).label),
        "publishingStatus": code(
            codes.PUBLISHING[PublicationStatus(reading_list.publication_status)],
            PublicationStatus(reading_list.publication_status).label,
        ),
        "visibility": code(
            codes.VISIBILITY[Visibility(reading_list.visibility)],
            Visibility(reading_list.visibility).label,
        ),
        "locked": reading_list.locked,
        "note": notes,
        "last_modified_date": alma_date(reading_list.updated_at),
    }
    if full:
        rows = getattr(reading_list, "citation_rows", None)
        if rows is None:
            rows = list(citations_with_relations(reading_list.citations.all()))
        data["citations"] = {
            "citation": [
                citation_dict(c, course_id, request, list_id=reading_list.pk)
                for c in rows
            ]
        }
    return data


# --- citations -------------------------------------------------------------------------


def tag_dict(tag: Tag) -> dict[str, Any]:
    return {
        "type": code(codes.TAG_KIND[TagKind(tag.kind)], TagKind(tag.kind).label),
        "value": code(tag.name, tag.name),
    }


def _issued(csl: dict[str, Any]) -> tuple[str | None, str | None]:
    issued = csl.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    if parts and parts[0]:
        first = [str(p) for p in parts[0]]
        return "-".join(first), first[0]
    literal = issued.get("literal") if isinstance(issued, dict) else None
    if literal:
        text = str(literal)
        year = text[:4] if text[:4].isdigit() else None
        return text, year
    return None, None


def _text(csl: dict[str, Any], key: str) -> str | None:
    value = csl.get(key)
    if value is None or value == "":
        return None
    return str(value)


def metadata_dict(material_type: str, csl: dict[str, Any]) -> dict[str, Any]:
    chapter = material_type == MaterialType.BOOK_CHAPTER
    article = material_type in codes.ARTICLE_TYPES
    title = _text(csl, "title")
    container = _text(csl, "container-title")
    page = _text(csl, "page")
    start, _sep, end = (page or "").partition("-")
    publication_date, year = _issued(csl)
    lectio = csl.get("lectio")
    extra: dict[str, Any] = lectio if isinstance(lectio, dict) else {}
    authors = "; ".join(format_names(csl.get("author") or []).splitlines())
    editors = "; ".join(format_names(csl.get("editor") or []).splitlines())
    return {
        "title": (container or title) if chapter else title,
        "article_title": title if article else None,
        "journal_title": container if article else None,
        "chapter_title": title if chapter else None,
        "author": authors or None,
        "editor": editors or None,
        "publisher": _text(csl, "publisher"),
        "place_of_publication": _text(csl, "publisher-place"),
        "publication_date": publication_date,
        "year": year,
        "edition": _text(csl, "edition"),
        "isbn": _text(csl, "ISBN"),
        "issn": _text(csl, "ISSN"),
        "doi": _text(csl, "DOI"),
        "oclc": str(extra.get("OCLC")) if extra.get("OCLC") else None,
        "lccn": str(extra.get("LCCN")) if extra.get("LCCN") else None,
        "volume": _text(csl, "volume"),
        "issue": _text(csl, "issue"),
        "chapter": _text(csl, "chapter-number"),
        "pages": page,
        "start_page": start.strip() or None,
        "end_page": end.strip() or None,
        "source": _text(csl, "URL"),
        "note": _text(csl, "note"),
    }


def citation_dict(
    citation: Citation, course_id: int, request: HttpRequest, *, list_id: int
) -> dict[str, Any]:
    material = MaterialType(citation.material_type)
    broad = "CR" if material in codes.ARTICLE_TYPES else "BK"
    section = citation.section
    permalink = reverse("lists:detail", args=[list_id]) + f"#citation-{citation.pk}"
    return {
        "link": absolute(request, citation_path(course_id, list_id, citation.pk)),
        "id": str(citation.pk),
        "status": code(citation.status, CitationStatus(citation.status).label),
        "copyrights_status": code(
            codes.COPYRIGHT[CopyrightStatus(citation.copyright_status)],
            CopyrightStatus(citation.copyright_status).label,
        ),
        "type": code(broad, codes.TYPE_DESC[broad]),
        "secondary_type": code(codes.SECONDARY_TYPE[material], material.label),
        "leganto_permalink": absolute(request, permalink),
        "public_note": citation.public_note,
        "instructor_note": citation.instructor_note,
        "note": citation.library_note,
        "license_type": citation.license_type,
        "due_date": alma_date(citation.due_date),
        "last_modified_date": alma_date(citation.updated_at),
        "external_id": citation.external_id or None,
        "citation_tags": {"citation_tag": [tag_dict(t) for t in citation.tags.all()]},
        "section_info": {
            "id": str(section.pk),
            "name": section.name,
            "description": section.description,
            "visibility": section.visible,
        },
        "metadata": metadata_dict(material, citation.metadata or {}),
    }


# --- owners ------------------------------------------------------------------------------


def owner_dict(
    collaborator: Collaborator, course_id: int, list_id: int, request: HttpRequest
) -> dict[str, Any]:
    user = collaborator.user
    right = CollaboratorRight(collaborator.right)
    return {
        "link": absolute(request, owner_path(course_id, list_id, person_id(user))),
        "primary_id": person_id(user),
        "full_name": user.display_name,
        "access_rights": code(codes.ACCESS_RIGHTS[right], right.label),
    }
