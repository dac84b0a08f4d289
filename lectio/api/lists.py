"""Resource lists, their sections, citations and collaborators.

The browser's rules (lectio.lists.permissions), through the same selectors and
services: readers see published lists as students do (Complete items only, no
instructor or library notes); editors change items and sections; managers (owners,
the course's instructors, library staff) change the list, its collaborators and
delete it. Keys act as their user and need lists:read or lists:write. Edits name
the `version` they started from; a stale one is a 409 and nothing changes."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from lectio.accounts.models import User
from lectio.api.auth import caller
from lectio.api.errors import FieldError
from lectio.api.paging import PageMeta, PageQuery, page
from lectio.courses.models import Course, Enrolment
from lectio.lists import processing, selectors, services
from lectio.lists.models import (
    Citation,
    Collaborator,
    CollaboratorRight,
    MaterialType,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.permissions import TEACHING_ROLES, Right, is_staff
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    MaterialAccess,
    PublicationStatus,
    Visibility,
)

router = Router(tags=["lists"])
AREA = "lists"


# --- schemas ---------------------------------------------------------------------


class CourseRef(Schema):
    id: int
    code: str
    section: str
    name: str


class ListOut(Schema):
    id: int
    code: str
    name: str
    description: str
    status: ListStatus
    publication_status: PublicationStatus
    visibility: Visibility
    material_access: MaterialAccess
    due_back_date: datetime.date | None
    courses: list[CourseRef]
    version: int = Field(description="Send it back with your next change")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TagOut(Schema):
    id: int
    kind: TagKind
    name: str


class CitationOut(Schema):
    id: int
    list_id: int
    section_id: int
    position: int
    material_type: MaterialType
    secondary_type: str
    metadata: dict[str, Any] = Field(description="CSL-JSON")
    title: str
    author: str
    status: CitationStatus
    copyright_status: CopyrightStatus
    public_note: str
    instructor_note: str | None = Field(description="Editors and the library only")
    library_note: str | None = Field(description="Library staff only")
    tags: list[TagOut]
    due_date: datetime.date | None
    external_id: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SectionOut(Schema):
    id: int
    list_id: int
    name: str
    description: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    position: int
    visible: bool
    is_default: bool
    version: int


class SectionWithCitations(SectionOut):
    citations: list[CitationOut]


class ListDetail(ListOut):
    right: Literal["read", "edit", "manage"] = Field(
        description="What the caller may do with the list"
    )
    instructor_note: str | None
    library_note: str | None
    sections: list[SectionWithCitations]


class ListPage(PageMeta):
    results: list[ListOut]


class ListQuery(PageQuery):
    q: str = Field("", max_length=200, description="Part of the code or the name")
    code: str = Field("", max_length=100, description="Exact list code")
    course: int | None = Field(None, description="Course id")
    status: ListStatus | None = None
    publication_status: PublicationStatus | None = None


class ListIn(Schema):
    name: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20000)
    code: str = Field("", max_length=100, description="Empty: one is made up")
    courses: list[int] = Field(
        default_factory=list, max_length=50, description="Course ids"
    )


class ListPatch(Schema):
    version: int = Field(ge=1, description="The version you read")
    name: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20000)
    due_back_date: datetime.date | None = None
    courses: list[int] | None = Field(
        None, max_length=50, description="Course ids (managers only)"
    )


class PublishIn(Schema):
    visibility: Visibility
    material_access: MaterialAccess | None = None


class PublicationIn(Schema):
    publication_status: Literal["Draft", "Archived"]


class SectionIn(Schema):
    name: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20000)


class SectionPatch(Schema):
    version: int = Field(ge=1)
    name: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20000)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class MoveIn(Schema):
    position: int = Field(ge=0, le=100000, description="0-based")


class CitationMoveIn(MoveIn):
    section_id: int | None = Field(None, description="Default: its own section")


class CitationIn(Schema):
    section_id: int | None = Field(None, description="Null: the default section")
    material_type: MaterialType
    secondary_type: str = Field("", max_length=32)
    metadata: dict[str, Any] = Field(description="CSL-JSON; needs a title")
    public_note: str = Field("", max_length=20000)
    instructor_note: str = Field("", max_length=20000)
    tags: list[int] = Field(
        default_factory=list, max_length=50, description="Public tag ids"
    )
    due_date: datetime.date | None = None


class CitationPatch(Schema):
    version: int = Field(ge=1)
    material_type: MaterialType | None = None
    metadata: dict[str, Any] | None = None
    public_note: str | None = Field(None, max_length=20000)
    instructor_note: str | None = Field(None, max_length=20000)
    tags: list[int] | None = Field(None, max_length=50, description="Public tag ids")
    due_date: datetime.date | None = None


class CitationStatusIn(Schema):
    status: CitationStatus = Field(
        description="Editors may send an item to the library (ReadyForProcessing); "
        "library staff may make any allowed change"
    )
    reason: str = Field("", max_length=2000, description="Needed to decline")


class CollaboratorOut(Schema):
    user: int
    username: str
    display_name: str
    right: CollaboratorRight
    created_at: datetime.datetime


class CollaboratorPage(PageMeta):
    results: list[CollaboratorOut]


class CollaboratorIn(Schema):
    right: CollaboratorRight


# --- reading ---------------------------------------------------------------------


def _course_ref(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "code": course.code,
        "section": course.section,
        "name": course.name,
    }


def list_out(reading_list: ReadingList) -> dict[str, Any]:
    return {
        "id": reading_list.pk,
        "code": reading_list.code,
        "name": reading_list.name,
        "description": reading_list.description,
        "status": reading_list.status,
        "publication_status": reading_list.publication_status,
        "visibility": reading_list.visibility,
        "material_access": reading_list.material_access,
        "due_back_date": reading_list.due_back_date,
        "courses": [_course_ref(c) for c in reading_list.courses.all()],
        "version": reading_list.version,
        "created_at": reading_list.created_at,
        "updated_at": reading_list.updated_at,
    }


def section_out(section: Section) -> dict[str, Any]:
    return {
        "id": section.pk,
        "list_id": section.reading_list_id,
        "name": section.name,
        "description": section.description,
        "start_date": section.start_date,
        "end_date": section.end_date,
        "position": section.position,
        "visible": section.visible,
        "is_default": section.is_default,
        "version": section.version,
    }


def citation_out(citation: Citation, right: Right, staff: bool) -> dict[str, Any]:
    hidden_kinds = set()
    if right < Right.EDIT:
        hidden_kinds = {TagKind.INSTRUCTOR_LIBRARY, TagKind.LIBRARY_INTERNAL}
    elif not staff:
        hidden_kinds = {TagKind.LIBRARY_INTERNAL}
    return {
        "id": citation.pk,
        "list_id": citation.reading_list_id,
        "section_id": citation.section_id,
        "position": citation.position,
        "material_type": citation.material_type,
        "secondary_type": citation.secondary_type,
        "metadata": citation.metadata,
        "title": citation.title,
        "author": citation.author,
        "status": citation.status,
        "copyright_status": citation.copyright_status,
        "public_note": citation.public_note,
        "instructor_note": citation.instructor_note if right >= Right.EDIT else None,
        "library_note": citation.library_note if staff else None,
        "tags": [
            {"id": t.pk, "kind": t.kind, "name": t.name}
            for t in citation.tags.all()
            if t.kind not in hidden_kinds
        ],
        "due_date": citation.due_date,
        "external_id": citation.external_id,
        "version": citation.version,
        "created_at": citation.created_at,
        "updated_at": citation.updated_at,
    }


def _visible_lists(user: User) -> QuerySet[ReadingList]:
    """Lists `user` may at least read, as the browser decides (permissions.py)."""
    if is_staff(user):
        return ReadingList.objects.all()
    link = ReadingList.courses.through.objects
    taught = link.filter(
        course__enrolments__user=user, course__enrolments__role__in=TEACHING_ROLES
    ).values("readinglist_id")
    enrolled = link.filter(course__enrolments__user=user).values("readinglist_id")
    collaborating = Collaborator.objects.filter(user=user).values("reading_list_id")
    published = Q(publication_status=PublicationStatus.PUBLISHED)
    return ReadingList.objects.filter(
        Q(pk__in=collaborating)
        | Q(pk__in=taught)
        | (
            published
            & (
                Q(visibility__in=[Visibility.INSTITUTION, Visibility.PUBLIC])
                | Q(pk__in=enrolled)
            )
        )
    )


@router.get("/lists", response=ListPage, summary="Lists the caller may read")
def list_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    """Ordered by name and id."""
    user = caller(request, AREA)
    rows = _visible_lists(user).prefetch_related(
        Prefetch("courses", queryset=Course.objects.order_by("code", "section", "id"))
    )
    if query.q:
        rows = rows.filter(Q(code__icontains=query.q) | Q(name__icontains=query.q))
    if query.code:
        rows = rows.filter(code=query.code)
    if query.course is not None:
        rows = rows.filter(
            pk__in=ReadingList.courses.through.objects.filter(
                course_id=query.course
            ).values("readinglist_id")
        )
    if query.status:
        rows = rows.filter(status=query.status)
    if query.publication_status:
        rows = rows.filter(publication_status=query.publication_status)
    answer = page(request, rows.order_by("name", "id"), query)
    answer["results"] = [list_out(r) for r in answer["results"]]
    return answer


def _detail(user: User, reading_list: ReadingList, right: Right) -> dict[str, Any]:
    staff = is_staff(user)
    citations = Citation.objects.order_by("position", "id").prefetch_related("tags")
    sections = list(
        reading_list.sections.order_by("position", "id").prefetch_related(
            Prefetch("citations", queryset=citations)
        )
    )
    if right < Right.EDIT:
        sections = [s for s in sections if s.visible]
    out = list_out(reading_list)
    out["courses"] = [
        _course_ref(c) for c in reading_list.courses.order_by("code", "section", "id")
    ]
    out["right"] = right.name.lower()
    out["instructor_note"] = (
        reading_list.instructor_note if right >= Right.EDIT else None
    )
    out["library_note"] = reading_list.library_note if staff else None
    out["sections"] = [
        {
            **section_out(s),
            "citations": [
                citation_out(c, right, staff)
                for c in s.citations.all()
                if right >= Right.EDIT or selectors.citation_visible_to_readers(c)
            ],
        }
        for s in sections
    ]
    return out


@router.get(
    "/lists/{list_id}",
    response=ListDetail,
    summary="A list with its sections and citations",
)
def list_get(request: HttpRequest, list_id: int) -> dict[str, Any]:
    """Readers get what students see: visible sections, Complete items."""
    user = caller(request, AREA)
    reading_list, right = selectors.reading_list_get_for_reader(
        user=user, list_id=list_id
    )
    return _detail(user, reading_list, right)


def _courses_for(
    user: User,
    ids: list[int],
    *,
    already: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[int]:
    """The course ids a list may be given by `user`: any for library staff, the
    courses they teach (and those the list has already) for others."""
    wanted = set(ids)
    found = set(Course.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise FieldError("courses", f"no course with the id {missing[0]}.")
    if not is_staff(user):
        taught = set(
            Enrolment.objects.filter(
                user=user, course_id__in=wanted, role__in=TEACHING_ROLES
            ).values_list("course_id", flat=True)
        )
        foreign = sorted(wanted - taught - set(already))
        if foreign:
            raise FieldError(
                "courses", f"you do not teach the course with the id {foreign[0]}."
            )
    return sorted(wanted)


def _fresh(list_id: int) -> ReadingList:
    return ReadingList.objects.prefetch_related(
        Prefetch("courses", queryset=Course.objects.order_by("code", "section", "id"))
    ).get(pk=list_id)


@router.post("/lists", response={201: ListOut}, summary="Create a list")
def list_create(request: HttpRequest, body: ListIn) -> Status:
    """Instructors and library staff. The caller becomes an owner; instructors may
    attach the courses they teach."""
    user = caller(request, AREA, write=True)
    if not user.can_author_lists:
        raise HttpError(403, "Only instructors and library staff make lists.")
    code = body.code.strip()
    if code and ReadingList.objects.filter(code=code).exists():
        raise FieldError("code", f"a list with the code {code} exists already.")
    created = services.reading_list_create(
        actor=user,
        name=body.name,
        description=body.description,
        course_ids=_courses_for(user, body.courses),
        code=code,
    )
    return Status(201, list_out(_fresh(created.pk)))


@router.patch(
    "/lists/{list_id}",
    response=ListOut,
    summary="Change a list's details (only the fields sent; 409 if stale)",
)
def list_update(request: HttpRequest, list_id: int, body: ListPatch) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    reading_list, right = selectors.reading_list_get_for_editor(
        user=user, list_id=list_id
    )
    sent = body.dict(exclude_unset=True)
    for name in ("name", "description"):
        if name in sent and sent[name] is None:
            raise FieldError(name, "may not be null.")
    course_ids = None
    if sent.get("courses") is not None:
        if right < Right.MANAGE:
            raise HttpError(403, "Only the list's managers change its courses.")
        current = set(reading_list.courses.values_list("pk", flat=True))
        course_ids = _courses_for(user, sent["courses"], already=current)
    services.reading_list_update(
        actor=user,
        reading_list=reading_list,
        expected_version=body.version,
        name=sent.get("name", reading_list.name),
        description=sent.get("description", reading_list.description),
        due_back_date=sent.get("due_back_date", reading_list.due_back_date),
        course_ids=course_ids,
    )
    return list_out(_fresh(reading_list.pk))


@router.delete(
    "/lists/{list_id}", response={204: None}, summary="Delete a list (managers)"
)
def list_delete(request: HttpRequest, list_id: int) -> Status:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    services.reading_list_delete(actor=user, reading_list=reading_list)
    return Status(204, None)


@router.post(
    "/lists/{list_id}/send", response=ListOut, summary="Send a list to the library"
)
def list_send(request: HttpRequest, list_id: int) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=user, list_id=list_id
    )
    services.reading_list_send_to_library(actor=user, reading_list=reading_list)
    return list_out(_fresh(reading_list.pk))


@router.post(
    "/lists/{list_id}/publish",
    response=ListOut,
    summary="Publish a list to its readers (managers)",
)
def list_publish(request: HttpRequest, list_id: int, body: PublishIn) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    services.reading_list_publish(
        actor=user,
        reading_list=reading_list,
        visibility=body.visibility,
        material_access=body.material_access,
    )
    return list_out(_fresh(reading_list.pk))


@router.post(
    "/lists/{list_id}/publication",
    response=ListOut,
    summary="Unpublish (Draft) or archive a list (managers)",
)
def list_publication(
    request: HttpRequest, list_id: int, body: PublicationIn
) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    services.reading_list_set_publication(
        actor=user,
        reading_list=reading_list,
        publication_status=body.publication_status,
    )
    return list_out(_fresh(reading_list.pk))


# --- sections --------------------------------------------------------------------


@router.post(
    "/lists/{list_id}/sections",
    response={201: SectionOut},
    summary="Add a section at the end",
)
def section_add(request: HttpRequest, list_id: int, body: SectionIn) -> Status:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=user, list_id=list_id
    )
    section = services.section_add(
        actor=user,
        reading_list=reading_list,
        name=body.name,
        description=body.description,
    )
    return Status(201, section_out(section))


@router.patch(
    "/sections/{section_id}",
    response=SectionOut,
    summary="Change a section (only the fields sent; 409 if stale)",
)
def section_update(
    request: HttpRequest, section_id: int, body: SectionPatch
) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    section = selectors.section_get_for_editor(user=user, section_id=section_id)
    sent = body.dict(exclude_unset=True)
    for name in ("name", "description"):
        if name in sent and sent[name] is None:
            raise FieldError(name, "may not be null.")
    services.section_update(
        actor=user,
        section=section,
        expected_version=body.version,
        name=sent.get("name", section.name),
        description=sent.get("description", section.description),
        start_date=sent.get("start_date", section.start_date),
        end_date=sent.get("end_date", section.end_date),
    )
    return section_out(Section.objects.get(pk=section.pk))


@router.delete(
    "/sections/{section_id}",
    response={204: None},
    summary="Delete a section and its citations",
)
def section_delete(request: HttpRequest, section_id: int) -> Status:
    user = caller(request, AREA, write=True)
    section = selectors.section_get_for_editor(user=user, section_id=section_id)
    services.section_delete(actor=user, section=section)
    return Status(204, None)


@router.post(
    "/sections/{section_id}/move",
    response=SectionOut,
    summary="Move a section to a position",
)
def section_move(request: HttpRequest, section_id: int, body: MoveIn) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    section = selectors.section_get_for_editor(user=user, section_id=section_id)
    services.section_move(actor=user, section=section, position=body.position)
    return section_out(Section.objects.get(pk=section.pk))


# --- citations -------------------------------------------------------------------


def _public_tags(ids: list[int]) -> list[int]:
    wanted = set(ids)
    tags = dict(Tag.objects.filter(pk__in=wanted).values_list("pk", "kind"))
    for tag_id in sorted(wanted):
        if tag_id not in tags:
            raise FieldError("tags", f"no tag with the id {tag_id}.")
        if tags[tag_id] != TagKind.PUBLIC:
            raise FieldError("tags", f"the tag {tag_id} is not a public tag.")
    return sorted(wanted)


def _metadata(material_type: str, metadata: dict[str, Any]) -> dict[str, Any]:
    if not str(metadata.get("title") or "").strip():
        raise FieldError("metadata.title", "a citation needs a title.")
    return {"type": services.CSL_TYPES.get(material_type, "document"), **metadata}


def _citation_answer(user: User, citation_id: int) -> dict[str, Any]:
    citation = Citation.objects.prefetch_related("tags").get(pk=citation_id)
    return citation_out(citation, Right.EDIT, is_staff(user))


@router.get("/citations/{citation_id}", response=CitationOut, summary="One citation")
def citation_get(request: HttpRequest, citation_id: int) -> dict[str, Any]:
    user = caller(request, AREA)
    citation, right = selectors.citation_get_for_reader(
        user=user, citation_id=citation_id
    )
    citation = Citation.objects.prefetch_related("tags").get(pk=citation.pk)
    return citation_out(citation, right, is_staff(user))


@router.post(
    "/lists/{list_id}/citations",
    response={201: CitationOut},
    summary="Add a citation at the end of a section",
)
def citation_add(request: HttpRequest, list_id: int, body: CitationIn) -> Status:
    """Without a section it lands in the list's default section. The status comes
    from the institution's rules, as in the browser."""
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_editor(
        user=user, list_id=list_id
    )
    section = None
    if body.section_id is not None:
        section = Section.objects.filter(
            pk=body.section_id, reading_list=reading_list
        ).first()
        if section is None:
            raise FieldError("section_id", "no such section in this list.")
    citation = services.citation_add(
        actor=user,
        reading_list=reading_list,
        section=section,
        material_type=body.material_type,
        secondary_type=body.secondary_type,
        metadata=_metadata(body.material_type, body.metadata),
        public_note=body.public_note,
        instructor_note=body.instructor_note,
        tag_ids=_public_tags(body.tags),
        due_date=body.due_date,
    )
    return Status(201, _citation_answer(user, citation.pk))


@router.patch(
    "/citations/{citation_id}",
    response=CitationOut,
    summary="Change a citation (only the fields sent; 409 if stale)",
)
def citation_update(
    request: HttpRequest, citation_id: int, body: CitationPatch
) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    citation = selectors.citation_get_for_editor(user=user, citation_id=citation_id)
    sent = body.dict(exclude_unset=True)
    for name in ("material_type", "metadata", "public_note", "instructor_note", "tags"):
        if name in sent and sent[name] is None:
            raise FieldError(name, "may not be null.")
    material_type = sent.get("material_type", citation.material_type)
    metadata = (
        _metadata(material_type, sent["metadata"])
        if "metadata" in sent
        else citation.metadata
    )
    tag_ids = (
        _public_tags(sent["tags"])
        if "tags" in sent
        else list(
            citation.tags.filter(kind=TagKind.PUBLIC).values_list("pk", flat=True)
        )
    )
    services.citation_update(
        actor=user,
        citation=citation,
        expected_version=body.version,
        material_type=material_type,
        metadata=metadata,
        public_note=sent.get("public_note", citation.public_note),
        instructor_note=sent.get("instructor_note", citation.instructor_note),
        tag_ids=tag_ids,
        due_date=sent.get("due_date", citation.due_date),
    )
    return _citation_answer(user, citation.pk)


@router.delete(
    "/citations/{citation_id}", response={204: None}, summary="Remove a citation"
)
def citation_delete(request: HttpRequest, citation_id: int) -> Status:
    user = caller(request, AREA, write=True)
    citation = selectors.citation_get_for_editor(user=user, citation_id=citation_id)
    services.citation_delete(actor=user, citation=citation)
    return Status(204, None)


@router.post(
    "/citations/{citation_id}/move",
    response=CitationOut,
    summary="Move a citation to a position, in its section or another of the list",
)
def citation_move(
    request: HttpRequest, citation_id: int, body: CitationMoveIn
) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    citation = selectors.citation_get_for_editor(user=user, citation_id=citation_id)
    section = Section.objects.filter(
        pk=body.section_id if body.section_id is not None else citation.section_id,
        reading_list_id=citation.reading_list_id,
    ).first()
    if section is None:
        raise FieldError("section_id", "no such section in this list.")
    services.citation_move(
        actor=user, citation=citation, section=section, position=body.position
    )
    return _citation_answer(user, citation.pk)


@router.post(
    "/citations/{citation_id}/status",
    response=CitationOut,
    summary="Change a citation's status",
)
def citation_status(
    request: HttpRequest, citation_id: int, body: CitationStatusIn
) -> dict[str, Any]:
    """Editors send items to the library; the library moves them on."""
    user = caller(request, AREA, write=True)
    citation = selectors.citation_get_for_editor(user=user, citation_id=citation_id)
    if is_staff(user):
        processing.citation_set_status_by_library(
            actor=user, citation=citation, status=body.status, reason=body.reason
        )
    elif body.status == CitationStatus.READY_FOR_PROCESSING:
        services.citation_send_to_library(actor=user, citation=citation)
    else:
        raise HttpError(403, "Only library staff set this status.")
    return _citation_answer(user, citation.pk)


# --- collaborators ---------------------------------------------------------------


def _collaborator_out(row: Collaborator) -> dict[str, Any]:
    return {
        "user": row.user.pk,
        "username": row.user.username,
        "display_name": row.user.display_name,
        "right": row.right,
        "created_at": row.created_at,
    }


def _person(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise Http404("No such user")
    return user


@router.get(
    "/lists/{list_id}/collaborators",
    response=CollaboratorPage,
    summary="A list's collaborators (managers)",
)
def collaborator_list(
    request: HttpRequest, list_id: int, query: Query[PageQuery]
) -> dict[str, Any]:
    user = caller(request, AREA)
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    rows = (
        Collaborator.objects.filter(reading_list=reading_list)
        .select_related("user")
        .order_by("user__username", "id")
    )
    answer = page(request, rows, query)
    answer["results"] = [_collaborator_out(r) for r in answer["results"]]
    return answer


@router.put(
    "/lists/{list_id}/collaborators/{username}",
    response=CollaboratorOut,
    summary="Make someone a collaborator, or change their right (managers)",
)
def collaborator_set(
    request: HttpRequest, list_id: int, username: str, body: CollaboratorIn
) -> dict[str, Any]:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    row = services.collaborator_set(
        actor=user, reading_list=reading_list, user=_person(username), right=body.right
    )
    return _collaborator_out(Collaborator.objects.select_related("user").get(pk=row.pk))


@router.delete(
    "/lists/{list_id}/collaborators/{username}",
    response={204: None},
    summary="Remove a collaborator (managers)",
)
def collaborator_remove(request: HttpRequest, list_id: int, username: str) -> Status:
    user = caller(request, AREA, write=True)
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    services.collaborator_remove(
        actor=user, reading_list=reading_list, user=_person(username)
    )
    return Status(204, None)
