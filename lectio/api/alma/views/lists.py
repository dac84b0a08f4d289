"""Reading lists under a course, their citations (and tags) and owners. Writes go
through lectio.lists.services, as the browser's do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from lectio.accounts.models import User
from lectio.api.alma import codes, inputs
from lectio.api.alma.citations import CitationValues, read_citation, read_tags
from lectio.api.alma.courses import find_people
from lectio.api.alma.errors import AlmaError, bad_input
from lectio.api.alma.formats import read_body, respond
from lectio.api.alma.representations import (
    citation_dict,
    citations_with_relations,
    list_dict,
    lists_with_citations,
    owner_dict,
    person_id,
    tag_dict,
)
from lectio.api.alma.views.common import citation_or_404, course_or_404, list_or_404
from lectio.courses.models import Course
from lectio.lists import services
from lectio.lists.models import (
    Citation,
    Collaborator,
    CollaboratorRight,
    ReadingList,
    Section,
    TagKind,
)
from lectio.lists.statuses import ListStatus, PublicationStatus, Visibility

LIST_FIELDS = (
    "id",
    "link",
    "code",
    "name",
    "description",
    "due_back_date",
    "status",
    "publishingStatus",
    "visibility",
    "locked",
    "note",
    "order",
    "syllabus",
    "last_modified_date",
    "citations",
    "score",
    "sticker_price",
    "covered_by_the_library",
)
OWNER_FIELDS = ("link", "primary_id", "full_name", "access_rights")


def _view(request: HttpRequest, default: str) -> bool:
    view = request.GET.get("view", default).strip().lower() or default
    if view not in ("brief", "full"):
        raise bad_input("view", "use brief or full.")
    return view == "full"


# --- reading lists -------------------------------------------------------------------


def _list_response(
    request: HttpRequest, course: Course, reading_list: ReadingList, *, full: bool
) -> HttpResponse:
    reading_list = ReadingList.objects.get(pk=reading_list.pk)
    if full:
        reading_list = lists_with_citations(
            ReadingList.objects.filter(pk=reading_list.pk)
        ).get()
    return respond(
        request, "reading_list", list_dict(reading_list, course.pk, request, full=full)
    )


def lists_get(request: HttpRequest, user: User, course_id: str) -> HttpResponse:
    course = course_or_404(course_id)
    full = _view(request, "brief")
    rows = course.reading_lists.order_by("pk")
    if full:
        rows = lists_with_citations(rows)
    lists = list(rows)
    return respond(
        request,
        "reading_lists",
        {
            "reading_list": [
                list_dict(rl, course.pk, request, full=full) for rl in lists
            ],
            "total_record_count": len(lists),
        },
    )


def _read_list(data: dict[str, Any]) -> dict[str, Any]:
    inputs.check_keys(data, LIST_FIELDS)
    return {
        "code": inputs.text(data, "code", max_length=100),
        "name": inputs.required(data, "name", max_length=300),
        "description": inputs.text(data, "description", max_length=20000),
        "due_back_date": inputs.date_value(data, "due_back_date"),
        "status": inputs.choice(
            data, "status", codes.LIST_STATUS_IN, shown=ListStatus.values
        ),
        "publication": inputs.choice(
            data,
            "publishingStatus",
            codes.PUBLISHING_IN,
            shown=codes.PUBLISHING.values(),
        ),
        "visibility": inputs.choice(
            data, "visibility", codes.VISIBILITY_IN, shown=codes.VISIBILITY.values()
        ),
    }


def _apply_states(
    user: User, reading_list: ReadingList, values: dict[str, Any]
) -> None:
    """Status, publication and visibility, each through its service (and machine)."""
    status = values["status"]
    if status and status != reading_list.status:
        reading_list = services.reading_list_set_status(
            actor=user, reading_list=reading_list, status=status
        )
    publication = values["publication"]
    visibility = values["visibility"]
    if publication == PublicationStatus.PUBLISHED and (
        not reading_list.is_published
        or (visibility and visibility != reading_list.visibility)
    ):
        services.reading_list_publish(
            actor=user,
            reading_list=reading_list,
            visibility=visibility or reading_list.visibility,
        )
        return
    if publication and publication != reading_list.publication_status:
        reading_list = services.reading_list_set_publication(
            actor=user, reading_list=reading_list, publication_status=publication
        )
    if visibility and visibility != reading_list.visibility:
        if reading_list.publication_status == PublicationStatus.PUBLISHED:
            services.reading_list_publish(
                actor=user, reading_list=reading_list, visibility=visibility
            )
        else:
            raise bad_input(
                "visibility",
                "a list's visibility is chosen when it is published: send "
                "publishingStatus PUBLISHED with it.",
            )


def list_post(request: HttpRequest, user: User, course_id: str) -> HttpResponse:
    course = course_or_404(course_id)
    values = _read_list(read_body(request, "reading_list"))
    reading_list = services.reading_list_create(
        actor=user,
        name=values["name"],
        description=values["description"],
        course_ids=[course.pk],
        code=values["code"],
    )
    if values["due_back_date"]:
        services.reading_list_update(
            actor=user,
            reading_list=reading_list,
            expected_version=reading_list.version,
            name=values["name"],
            description=values["description"],
            due_back_date=values["due_back_date"],
        )
    if values["visibility"] == Visibility.COURSE and not values["publication"]:
        values["visibility"] = None  # the default of a new list
    _apply_states(user, reading_list, values)
    return _list_response(request, course, reading_list, full=False)


def list_get(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    full = _view(request, "brief")
    return _list_response(request, course, list_or_404(course, list_id), full=full)


def list_put(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id, lock=True)
    values = _read_list(read_body(request, "reading_list"))
    if values["code"] and values["code"] != reading_list.code:
        raise bad_input("code", "a list's code cannot be changed.")
    services.reading_list_update(
        actor=user,
        reading_list=reading_list,
        expected_version=reading_list.version,
        name=values["name"],
        description=values["description"],
        due_back_date=values["due_back_date"],
    )
    _apply_states(user, ReadingList.objects.get(pk=reading_list.pk), values)
    return _list_response(request, course, reading_list, full=_view(request, "brief"))


def list_delete(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    services.reading_list_delete(actor=user, reading_list=list_or_404(course, list_id))
    return HttpResponse(status=204)


# --- citations -----------------------------------------------------------------------


def _citation_response(
    request: HttpRequest, course: Course, citation: Citation, status: int = 200
) -> HttpResponse:
    citation = citations_with_relations(Citation.objects.filter(pk=citation.pk)).get()
    return respond(
        request,
        "citation",
        citation_dict(citation, course.pk, request, list_id=citation.reading_list_id),
        status=status,
    )


def citations_get(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    rows = list(citations_with_relations(reading_list.citations.all()))
    return respond(
        request,
        "citations",
        {
            "citation": [
                citation_dict(c, course.pk, request, list_id=reading_list.pk)
                for c in rows
            ],
            "total_record_count": len(rows),
        },
    )


def _section(
    user: User, reading_list: ReadingList, values: CitationValues
) -> Section | None:
    if values.section_id is not None:
        section = Section.objects.filter(
            pk=values.section_id, reading_list=reading_list
        ).first()
        if section is None:
            raise bad_input(
                "section_info.id",
                f"no section {values.section_id} in reading list {reading_list.pk}.",
            )
        return section
    if values.section_name:
        found = reading_list.sections.filter(name=values.section_name).first()
        return found or services.section_add(
            actor=user, reading_list=reading_list, name=values.section_name
        )
    return None


def citation_post(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    values = read_citation(read_body(request, "citation"))
    citation = services.citation_add(
        actor=user,
        reading_list=reading_list,
        section=_section(user, reading_list, values),
        material_type=values.material_type,
        metadata=values.metadata,
        public_note=values.public_note,
        instructor_note=values.instructor_note,
        tag_ids=[t.pk for t in values.tags or []],
        due_date=values.due_date,
        secondary_type=values.secondary_type,
        status=values.status,
    )
    return _citation_response(request, course, citation)


def citation_get(
    request: HttpRequest, user: User, course_id: str, list_id: str, citation_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    citation = citation_or_404(list_or_404(course, list_id), citation_id)
    return _citation_response(request, course, citation)


def _locked_citation(course: Course, list_id: str, citation_id: str) -> Citation:
    reading_list = list_or_404(course, list_id, lock=True)
    citation = citation_or_404(reading_list, citation_id)
    return citation


def citation_put(
    request: HttpRequest, user: User, course_id: str, list_id: str, citation_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    citation = _locked_citation(course, list_id, citation_id)
    values = read_citation(read_body(request, "citation"))
    tags = values.tags if values.tags is not None else list(citation.tags.all())
    services.citation_update(
        actor=user,
        citation=citation,
        expected_version=citation.version,
        material_type=values.material_type,
        metadata=values.metadata,
        public_note=values.public_note,
        instructor_note=values.instructor_note,
        tag_ids=[t.pk for t in tags],
        due_date=values.due_date,
        tag_kinds=TagKind.values,
    )
    section = _section(user, citation.reading_list, values)
    if section is not None and section.pk != citation.section_id:
        services.citation_move(
            actor=user, citation=citation, section=section, position=10**6
        )
    if values.status and values.status != citation.status:
        services.citation_set_status(
            actor=user, citation=citation, status=values.status
        )
    return _citation_response(request, course, citation)


def citation_delete(
    request: HttpRequest, user: User, course_id: str, list_id: str, citation_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    citation = citation_or_404(list_or_404(course, list_id), citation_id)
    services.citation_delete(actor=user, citation=citation)
    return HttpResponse(status=204)


def _tags_response(request: HttpRequest, citation: Citation) -> HttpResponse:
    tags = list(citation.tags.order_by("kind", "position", "name"))
    return respond(
        request,
        "citation_tags",
        {"citation_tag": [tag_dict(t) for t in tags], "total_record_count": len(tags)},
    )


def tags_get(
    request: HttpRequest, user: User, course_id: str, list_id: str, citation_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    citation = citation_or_404(list_or_404(course, list_id), citation_id)
    return _tags_response(request, citation)


def tags_put(
    request: HttpRequest, user: User, course_id: str, list_id: str, citation_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    citation = _locked_citation(course, list_id, citation_id)
    data = read_body(request, "citation_tags")
    inputs.check_keys(data, ("citation_tag", "total_record_count"))
    tags = read_tags(inputs.as_list(data.get("citation_tag")), where="citation_tags")
    services.citation_update(
        actor=user,
        citation=citation,
        expected_version=citation.version,
        material_type=citation.material_type,
        metadata=citation.metadata,
        public_note=citation.public_note,
        instructor_note=citation.instructor_note,
        tag_ids=[t.pk for t in tags],
        due_date=citation.due_date,
        tag_kinds=TagKind.values,
    )
    return _tags_response(request, citation)


# --- owners --------------------------------------------------------------------------


def _owner(reading_list: ReadingList, primary_id: str) -> Collaborator:
    collaborator = (
        Collaborator.objects.select_related("user")
        .filter(reading_list=reading_list, user__primary_id=primary_id)
        .first()
        or Collaborator.objects.select_related("user")
        .filter(
            reading_list=reading_list,
            user__username=primary_id,
            user__primary_id__isnull=True,
        )
        .first()
    )
    if collaborator is None:
        raise AlmaError(
            404, f"“{primary_id}” is not an owner of reading list {reading_list.pk}."
        )
    return collaborator


def _read_owner(data: dict[str, Any], primary_id: str | None) -> tuple[User, str]:
    inputs.check_keys(data, OWNER_FIELDS)
    given = inputs.scalar(data, "primary_id")
    if primary_id is not None and given and given != primary_id:
        raise bad_input("primary_id", "does not match the address.")
    wanted = given or primary_id
    if not wanted:
        raise bad_input("primary_id", "required.")
    [user] = find_people([wanted], "primary_id")
    right = inputs.choice(
        data,
        "access_rights",
        codes.ACCESS_RIGHTS_IN,
        shown=codes.ACCESS_RIGHTS.values(),
    )
    return user, right or CollaboratorRight.OWNER


def owners_get(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    rows = list(
        Collaborator.objects.select_related("user")
        .filter(reading_list=reading_list)
        .order_by("pk")
    )
    return respond(
        request,
        "owners",
        {
            "owner": [owner_dict(c, course.pk, reading_list.pk, request) for c in rows],
            "total_record_count": len(rows),
        },
    )


def owner_post(
    request: HttpRequest, user: User, course_id: str, list_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    person, right = _read_owner(read_body(request, "owner"), None)
    if Collaborator.objects.filter(reading_list=reading_list, user=person).exists():
        raise AlmaError(
            409,
            f"“{person_id(person)}” is an owner of this list already.",
            field="primary_id",
        )
    collaborator = services.collaborator_set(
        actor=user, reading_list=reading_list, user=person, right=right
    )
    return respond(
        request, "owner", owner_dict(collaborator, course.pk, reading_list.pk, request)
    )


def owner_get(
    request: HttpRequest, user: User, course_id: str, list_id: str, primary_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    collaborator = _owner(reading_list, primary_id)
    return respond(
        request, "owner", owner_dict(collaborator, course.pk, reading_list.pk, request)
    )


def owner_put(
    request: HttpRequest, user: User, course_id: str, list_id: str, primary_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    current = _owner(reading_list, primary_id)
    person, right = _read_owner(read_body(request, "owner"), primary_id)
    if person.pk != current.user_id:
        raise bad_input("primary_id", "does not match the address.")
    collaborator = services.collaborator_set(
        actor=user, reading_list=reading_list, user=person, right=right
    )
    return respond(
        request, "owner", owner_dict(collaborator, course.pk, reading_list.pk, request)
    )


def owner_delete(
    request: HttpRequest, user: User, course_id: str, list_id: str, primary_id: str
) -> HttpResponse:
    course = course_or_404(course_id)
    reading_list = list_or_404(course, list_id)
    current = _owner(reading_list, primary_id)
    services.collaborator_remove(
        actor=user, reading_list=reading_list, user=current.user
    )
    return HttpResponse(status=204)
