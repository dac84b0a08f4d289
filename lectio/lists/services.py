"""Writes to resource lists, sections and citations. Every caller (views, API, LTI,
loaders, commands, tasks) goes through these functions."""

from __future__ import annotations

import html
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.accounts.models import InstitutionSettings, PublishingWorkflow, User
from lectio.catalog.models import Record
from lectio.core.concurrency import StaleVersion, update_if_version
from lectio.core.events import event_record
from lectio.courses.models import Course
from lectio.lists.extensions import content_changed
from lectio.lists.models import (
    Citation,
    CitationInteraction,
    Collaborator,
    CollaboratorRight,
    MaterialType,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.rendering import render_citation_html
from lectio.lists.statuses import (
    CITATION_MACHINE,
    LIST_MACHINE,
    PUBLICATION_MACHINE,
    CitationStatus,
    ListStatus,
    MaterialAccess,
    PublicationStatus,
    Visibility,
)


class ServiceError(Exception):
    """A request the domain refuses, with a message for the person who made it."""


__all__ = ["ServiceError", "StaleVersion"]

DEFAULT_SECTION_NAME = "Resources"

# CSL-JSON types for Lectio's material types.
CSL_TYPES: dict[str, str] = {
    MaterialType.BOOK: "book",
    MaterialType.BOOK_CHAPTER: "chapter",
    MaterialType.ARTICLE: "article-journal",
    MaterialType.JOURNAL: "periodical",
    MaterialType.EBOOK: "book",
    MaterialType.WEBSITE: "webpage",
    MaterialType.VIDEO: "motion_picture",
    MaterialType.AUDIO: "song",
    MaterialType.THESIS: "thesis",
    MaterialType.CONFERENCE_PAPER: "paper-conference",
    MaterialType.REPORT: "report",
    MaterialType.LEGAL_DOCUMENT: "legislation",
    MaterialType.NOTE: "document",
    MaterialType.OTHER: "document",
}


def _touch_content(list_id: int) -> None:
    ReadingList.objects.filter(pk=list_id).update(
        content_version=F("content_version") + 1, updated_at=timezone.now()
    )
    content_changed([list_id])


def _new_list_code() -> str:
    return "RL-" + secrets.token_hex(4).upper()


# --- lists -----------------------------------------------------------------------


@transaction.atomic
def reading_list_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    course_ids: Sequence[int] = (),
    code: str = "",
) -> ReadingList:
    """Creates a list with its default section; the creator becomes an owner."""
    name = name.strip()
    if not name:
        raise ServiceError(_("A list needs a name."))
    code = code.strip() or _new_list_code()
    if ReadingList.objects.filter(code=code).exists():
        raise ServiceError(
            _("A list with the code %(code)s exists already.") % {"code": code}
        )
    courses = list(Course.objects.filter(pk__in=course_ids))
    if len(courses) != len(set(course_ids)):
        raise ServiceError(_("One of the courses does not exist."))
    reading_list = ReadingList.objects.create(
        code=code,
        name=name,
        description=description,
        created_by=actor,
        processing_department=courses[0].processing_department if courses else None,
    )
    if courses:
        reading_list.courses.set(courses)
    Section.objects.create(
        reading_list=reading_list,
        name=DEFAULT_SECTION_NAME,
        position=0,
        is_default=True,
    )
    Collaborator.objects.create(
        reading_list=reading_list, user=actor, right=CollaboratorRight.OWNER
    )
    event_record(
        actor=actor,
        verb="list.create",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Created the list “%(name)s”") % {"name": name},
        params={"courses": [c.label for c in courses]},
    )
    return reading_list


@transaction.atomic
def reading_list_update(
    *,
    actor: User,
    reading_list: ReadingList,
    expected_version: int,
    name: str,
    description: str = "",
    due_back_date: date | None = None,
    course_ids: Sequence[int] | None = None,
) -> ReadingList:
    name = name.strip()
    if not name:
        raise ServiceError(_("A list needs a name."))
    before = {"name": reading_list.name, "description": reading_list.description}
    update_if_version(
        reading_list,
        expected_version=expected_version,
        fields={
            "name": name,
            "description": description,
            "due_back_date": due_back_date,
        },
    )
    if course_ids is not None:
        courses = list(Course.objects.filter(pk__in=course_ids))
        if len(courses) != len(set(course_ids)):
            raise ServiceError(_("One of the courses does not exist."))
        reading_list.courses.set(courses)
    _touch_content(reading_list.pk)
    event_record(
        actor=actor,
        verb="list.update",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Edited the list details"),
        params={"before": before, "after": {"name": name, "description": description}},
    )
    return reading_list


def _lock_list(reading_list: ReadingList) -> ReadingList:
    """Row-lock the list (PostgreSQL; SQLite's IMMEDIATE transaction is the lock)."""
    return ReadingList.objects.select_for_update().get(pk=reading_list.pk)


def _write_list(reading_list: ReadingList, **fields: Any) -> None:
    """Writes `fields` on the locked list, bumps its version, and keeps the object in
    memory in step."""
    ReadingList.objects.filter(pk=reading_list.pk).update(
        version=F("version") + 1, **fields
    )
    for key, value in fields.items():
        setattr(reading_list, key, value)
    reading_list.version += 1


def _set_list_status(
    actor: User, reading_list: ReadingList, target: str, **extra: Any
) -> None:
    LIST_MACHINE.check(reading_list.status, target)
    before = reading_list.status
    if target == ListStatus.COMPLETE:
        extra = {"completed_at": timezone.now(), "completed_by": actor, **extra}
    _write_list(reading_list, status=target, **extra)
    event_record(
        actor=actor,
        verb="list.status",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Status changed from %(before)s to %(after)s")
        % {"before": ListStatus(before).label, "after": ListStatus(target).label},
        params={"from": before, "to": target},
    )


@transaction.atomic
def reading_list_send_to_library(
    *, actor: User, reading_list: ReadingList
) -> ReadingList:
    """The instructor hands the list to the library: the list and every citation still
    being prepared become ReadyForProcessing, and Locate looks for its items in the
    catalog once this has committed (so the library finds them linked or suggested)."""
    reading_list = _lock_list(reading_list)
    _set_list_status(
        actor,
        reading_list,
        ListStatus.READY_FOR_PROCESSING,
        sent_to_library_at=timezone.now(),
        sent_to_library_by=actor,
    )
    moved = Citation.objects.filter(
        reading_list=reading_list, status=CitationStatus.BEING_PREPARED
    ).update(status=CitationStatus.READY_FOR_PROCESSING, version=F("version") + 1)
    event_record(
        actor=actor,
        verb="list.send",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Sent the list to the library (%(count)s items ready for processing)")
        % {"count": moved},
        params={"citations": moved},
    )
    from lectio.lists.tasks import locate_list  # tasks import this module

    list_pk = reading_list.pk
    transaction.on_commit(lambda: locate_list.enqueue(list_pk))
    if (
        InstitutionSettings.cached().publishing_workflow
        == PublishingWorkflow.PUBLISH_ON_SEND
        and reading_list.publication_status != PublicationStatus.PUBLISHED
    ):
        PUBLICATION_MACHINE.check(
            reading_list.publication_status, PublicationStatus.PUBLISHED
        )
        _write_list(
            reading_list,
            publication_status=PublicationStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        event_record(
            actor=actor,
            verb="list.publish",
            target_type="list",
            target_id=reading_list.pk,
            list_id=reading_list.pk,
            summary=_("Published on sending, visible to: %(who)s")
            % {"who": Visibility(reading_list.visibility).label},
            params={"visibility": reading_list.visibility, "on_send": True},
        )
    _touch_content(reading_list.pk)
    return reading_list


@transaction.atomic
def reading_list_set_status(
    *, actor: User, reading_list: ReadingList, status: str
) -> ReadingList:
    reading_list = _lock_list(reading_list)
    _set_list_status(actor, reading_list, status)
    return reading_list


@transaction.atomic
def reading_list_publish(
    *,
    actor: User,
    reading_list: ReadingList,
    visibility: str,
    material_access: str | None = None,
) -> ReadingList:
    if visibility not in Visibility.values:
        raise ServiceError(_("Choose who may see the list."))
    if material_access is not None and material_access not in MaterialAccess.values:
        raise ServiceError(_("Choose who may open the materials."))
    if (
        InstitutionSettings.cached().publishing_workflow
        == PublishingWorkflow.LIBRARY_PUBLISHES
        and not actor.is_library_staff
    ):
        raise ServiceError(_("At this institution the library publishes lists."))
    reading_list = _lock_list(reading_list)
    if reading_list.publication_status != PublicationStatus.PUBLISHED:
        PUBLICATION_MACHINE.check(
            reading_list.publication_status, PublicationStatus.PUBLISHED
        )
    fields: dict[str, Any] = {
        "publication_status": PublicationStatus.PUBLISHED,
        "visibility": visibility,
        "published_at": timezone.now(),
    }
    if material_access is not None:
        fields["material_access"] = material_access
    _write_list(reading_list, **fields)
    event_record(
        actor=actor,
        verb="list.publish",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Published the list, visible to: %(who)s")
        % {"who": Visibility(visibility).label},
        params={
            "visibility": visibility,
            "material_access": reading_list.material_access,
        },
    )
    _touch_content(reading_list.pk)
    return reading_list


@transaction.atomic
def reading_list_set_publication(
    *, actor: User, reading_list: ReadingList, publication_status: str
) -> ReadingList:
    """Unpublish (back to Draft) or archive."""
    reading_list = _lock_list(reading_list)
    PUBLICATION_MACHINE.check(reading_list.publication_status, publication_status)
    before = reading_list.publication_status
    _write_list(reading_list, publication_status=publication_status)
    event_record(
        actor=actor,
        verb="list.publication",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Publication changed from %(before)s to %(after)s")
        % {
            "before": PublicationStatus(before).label,
            "after": PublicationStatus(publication_status).label,
        },
        params={"from": before, "to": publication_status},
    )
    _touch_content(reading_list.pk)
    return reading_list


@transaction.atomic
def reading_list_duplicate(
    *, actor: User, reading_list: ReadingList, name: str
) -> ReadingList:
    """A fresh draft copy: sections, citations, tags and notes; not statuses, usage or
    collaborators (the person duplicating becomes the owner)."""
    copy = reading_list_create(
        actor=actor,
        name=name or _("Copy of %(name)s") % {"name": reading_list.name},
        description=reading_list.description,
        course_ids=list(reading_list.courses.values_list("pk", flat=True)),
    )
    copy.sections.all().delete()
    section_map: dict[int, Section] = {}
    for section in reading_list.sections.all():
        section_map[section.pk] = Section.objects.create(
            reading_list=copy,
            name=section.name,
            description=section.description,
            tags=section.tags,
            position=section.position,
            visible=section.visible,
            is_default=section.is_default,
        )
    tag_links = []
    new_ids: dict[int, int] = {}
    originals = list(reading_list.citations.prefetch_related("tags").order_by("id"))
    for original in originals:
        new = Citation.objects.create(
            reading_list=copy,
            section=section_map[original.section_id],
            position=original.position,
            material_type=original.material_type,
            secondary_type=original.secondary_type,
            metadata=original.metadata,
            title=original.title,
            author=original.author,
            catalog_record_id=original.catalog_record_id,
            public_note=original.public_note,
            instructor_note=original.instructor_note,
            rendered_html=original.rendered_html,
            rendered_style=original.rendered_style,
            created_by=actor,
        )
        new_ids[original.pk] = new.pk
        tag_links += [
            Citation.tags.through(citation_id=new.pk, tag_id=t.pk)
            for t in original.tags.all()
        ]
    Citation.tags.through.objects.bulk_create(tag_links)
    from lectio.lists.files import copy_file_rows

    copy_file_rows(new_ids)
    event_record(
        actor=actor,
        verb="list.duplicate",
        target_type="list",
        target_id=copy.pk,
        list_id=copy.pk,
        summary=_("Duplicated from %(code)s") % {"code": reading_list.code},
        params={"source": reading_list.pk},
    )
    return copy


@transaction.atomic
def reading_list_delete(*, actor: User, reading_list: ReadingList) -> None:
    from lectio.lists.files import release_stored_files, stored_names

    list_id, code = reading_list.pk, reading_list.code
    release_stored_files(stored_names(citation__reading_list_id=list_id))
    # What the list's readers saw is gone: listeners (the suggestions) learn it
    # in this transaction, while the list is still there to be looked at.
    content_changed([list_id])
    reading_list.delete()
    event_record(
        actor=actor,
        verb="list.delete",
        target_type="list",
        target_id=list_id,
        list_id=list_id,
        summary=_("Deleted the list %(code)s") % {"code": code},
    )


# --- collaborators ---------------------------------------------------------------


@transaction.atomic
def collaborator_set(
    *, actor: User, reading_list: ReadingList, user: User, right: str
) -> Collaborator:
    if right not in CollaboratorRight.values:
        raise ServiceError(_("Choose what the collaborator may do."))
    collab, created = Collaborator.objects.update_or_create(
        reading_list=reading_list, user=user, defaults={"right": right}
    )
    event_record(
        actor=actor,
        verb="collaborator.add" if created else "collaborator.change",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("%(who)s: %(right)s")
        % {"who": user.display_name, "right": CollaboratorRight(right).label},
        params={"user": user.pk, "right": right},
    )
    return collab


@transaction.atomic
def collaborator_remove(*, actor: User, reading_list: ReadingList, user: User) -> None:
    owners = Collaborator.objects.select_for_update().filter(
        reading_list=reading_list, right=CollaboratorRight.OWNER
    )
    owner_ids = set(owners.values_list("user_id", flat=True))
    if owner_ids == {user.pk} and not reading_list.courses.exists():
        raise ServiceError(_("A list with no course needs at least one owner."))
    deleted, _rows = Collaborator.objects.filter(
        reading_list=reading_list, user=user
    ).delete()
    if not deleted:
        raise ServiceError(_("That person is not a collaborator on this list."))
    event_record(
        actor=actor,
        verb="collaborator.remove",
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=_("Removed %(who)s") % {"who": user.display_name},
        params={"user": user.pk},
    )


# --- sections --------------------------------------------------------------------


@transaction.atomic
def section_add(
    *, actor: User, reading_list: ReadingList, name: str, description: str = ""
) -> Section:
    name = name.strip()
    if not name:
        raise ServiceError(_("A section needs a name."))
    _lock_list(reading_list)
    last = reading_list.sections.aggregate(m=Max("position"))["m"]
    section = Section.objects.create(
        reading_list=reading_list,
        name=name,
        description=description,
        position=0 if last is None else last + 1,
    )
    _touch_content(reading_list.pk)
    event_record(
        actor=actor,
        verb="section.add",
        target_type="section",
        target_id=section.pk,
        list_id=reading_list.pk,
        summary=_("Added the section “%(name)s”") % {"name": name},
    )
    return section


@transaction.atomic
def section_update(
    *,
    actor: User,
    section: Section,
    expected_version: int,
    name: str,
    description: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Section:
    name = name.strip()
    if not name:
        raise ServiceError(_("A section needs a name."))
    if start_date and end_date and end_date < start_date:
        raise ServiceError(_("The section ends before it starts."))
    before = section.name
    update_if_version(
        section,
        expected_version=expected_version,
        fields={
            "name": name,
            "description": description,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    _touch_content(section.reading_list_id)
    event_record(
        actor=actor,
        verb="section.update",
        target_type="section",
        target_id=section.pk,
        list_id=section.reading_list_id,
        summary=_("Edited the section “%(name)s”") % {"name": name},
        params={"before": before, "after": name},
    )
    return section


@transaction.atomic
def section_delete(*, actor: User, section: Section) -> None:
    """Deletes a section and its citations. The last section of a list stays."""
    reading_list = _lock_list(section.reading_list)
    if reading_list.sections.count() <= 1:
        raise ServiceError(_("A list keeps at least one section."))
    count = section.citations.count()
    name, section_id = section.name, section.pk
    was_default = section.is_default
    from lectio.lists.files import release_stored_files, stored_names

    release_stored_files(stored_names(citation__section_id=section_id))
    section.delete()
    first = reading_list.sections.order_by("position", "id").first()
    if was_default and first is not None:
        Section.objects.filter(pk=first.pk).update(is_default=True)
    _renumber_sections(reading_list)
    _touch_content(reading_list.pk)
    event_record(
        actor=actor,
        verb="section.delete",
        target_type="section",
        target_id=section_id,
        list_id=reading_list.pk,
        summary=_("Deleted the section “%(name)s” and its %(count)s items")
        % {"name": name, "count": count},
    )


def _renumber_sections(reading_list: ReadingList) -> None:
    for index, section in enumerate(reading_list.sections.order_by("position", "id")):
        if section.position != index:
            Section.objects.filter(pk=section.pk).update(position=index)


@transaction.atomic
def section_move(*, actor: User, section: Section, position: int) -> Section:
    """Moves a section to `position` (0-based) among the list's sections."""
    reading_list = _lock_list(section.reading_list)
    ordered = list(reading_list.sections.order_by("position", "id"))
    ordered = [s for s in ordered if s.pk != section.pk]
    position = max(0, min(position, len(ordered)))
    ordered.insert(position, section)
    for index, item in enumerate(ordered):
        if item.position != index:
            Section.objects.filter(pk=item.pk).update(position=index)
    section.position = position
    _touch_content(reading_list.pk)
    event_record(
        actor=actor,
        verb="section.move",
        target_type="section",
        target_id=section.pk,
        list_id=reading_list.pk,
        summary=_("Moved the section “%(name)s” to position %(pos)s")
        % {"name": section.name, "pos": position + 1},
    )
    return section


# --- citations -------------------------------------------------------------------


def csl_from_fields(material_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """CSL-JSON from the form's flat fields. Authors and editors are one per line,
    "Family, Given" or a literal name."""
    csl: dict[str, Any] = {"type": CSL_TYPES.get(material_type, "document")}
    for key in (
        "title",
        "container-title",
        "volume",
        "issue",
        "page",
        "chapter-number",
        "edition",
        "publisher",
        "publisher-place",
        "ISBN",
        "ISSN",
        "DOI",
        "URL",
        "language",
        "note",
        "medium",
        "genre",
        "number",
    ):
        value = str(fields.get(key) or "").strip()
        if value:
            csl[key] = value
    for role in ("author", "editor"):
        names = parse_names(str(fields.get(role) or ""))
        if names:
            csl[role] = names
    year = str(fields.get("issued") or "").strip()
    if year:
        csl["issued"] = _date_parts(year)
    for key in ("OCLC", "LCCN"):
        value = str(fields.get(key) or "").strip()
        if value:
            csl.setdefault("lectio", {})[key] = value
    return csl


def csl_edited(
    existing: dict[str, Any], material_type: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """The metadata after an edit made through the form: what the form shows is
    replaced by what it sent (an emptied field is gone), and what it does not show
    (an imported abstract, keywords, translators, the accessed date) is kept."""
    edited = csl_from_fields(material_type, fields)
    shown = set(fields) | {"type"}
    kept = {k: v for k, v in existing.items() if k not in shown and k != "lectio"}
    merged = {**kept, **edited}
    extra = {k: v for k, v in (existing.get("lectio") or {}).items() if k not in shown}
    if extra or edited.get("lectio"):
        merged["lectio"] = {**extra, **(edited.get("lectio") or {})}
    return merged


def _date_parts(text: str) -> dict[str, Any]:
    parts = text.replace("/", "-").split("-")
    if all(p.isdigit() for p in parts) and 1 <= len(parts) <= 3:
        return {"date-parts": [[int(p) for p in parts]]}
    return {"literal": text}


def parse_names(text: str) -> list[dict[str, str]]:
    names = []
    for line in text.replace(";", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        if "," in line:
            family, given = (p.strip() for p in line.split(",", 1))
            names.append(
                {"family": family, "given": given} if given else {"family": family}
            )
        else:
            names.append({"literal": line})
    return names


def format_names(names: Iterable[dict[str, Any]]) -> str:
    out = []
    for n in names:
        if "literal" in n:
            out.append(str(n["literal"]))
        else:
            out.append(
                ", ".join(p for p in (n.get("family", ""), n.get("given", "")) if p)
            )
    return "\n".join(out)


def fields_from_csl(csl: dict[str, Any]) -> dict[str, str]:
    """The flat form fields back from CSL-JSON (inverse of csl_from_fields)."""
    fields = {
        k: str(v) for k, v in csl.items() if isinstance(v, str | int) and k != "type"
    }
    for role in ("author", "editor"):
        fields[role] = format_names(csl.get(role) or [])
    issued = csl.get("issued") or {}
    if "date-parts" in issued and issued["date-parts"]:
        fields["issued"] = "-".join(str(p) for p in issued["date-parts"][0])
    elif "literal" in issued:
        fields["issued"] = str(issued["literal"])
    for key, value in (csl.get("lectio") or {}).items():
        fields[key] = str(value)
    return fields


def _author_text(csl: dict[str, Any]) -> str:
    names = csl.get("author") or csl.get("editor") or []
    return "; ".join(format_names(names).splitlines())[:1000]


def citation_render(citation: Citation, style: str | None = None) -> None:
    """Refreshes the stored formatted form (in memory; the caller saves)."""
    style = style or InstitutionSettings.current().citation_style
    citation.rendered_html = render_citation_html(citation.metadata, style)
    citation.rendered_style = style


WITH_LIBRARY = (
    ListStatus.READY_FOR_PROCESSING,
    ListStatus.BEING_PROCESSED,
    ListStatus.COMPLETE,
)


def _initial_status(
    reading_list: ReadingList,
    material_type: str,
    metadata: dict,
    rules: Sequence[Any] | None = None,
) -> str:
    """The institution's rules first (e.g. websites start Complete); otherwise an item
    added to a list already with the library is a new task for it."""
    from lectio.lists.rules import rule_status

    ruled = rule_status(material_type=material_type, metadata=metadata, rules=rules)
    if ruled:
        return ruled
    if reading_list.status in WITH_LIBRARY and (
        InstitutionSettings.cached().send_updates_automatically
    ):
        return CitationStatus.READY_FOR_PROCESSING
    return CitationStatus.BEING_PREPARED


def _raise_library_alert(actor: User, reading_list_id: int) -> bool:
    """An instructor's change to a list the library already has is news for the
    library: flag the list on the task list. Library staff's own changes are not."""
    if actor is not None and getattr(actor, "is_library_staff", False):
        return False
    updated = ReadingList.objects.filter(
        pk=reading_list_id, status__in=WITH_LIBRARY
    ).update(library_alert_at=timezone.now())
    return bool(updated)


def reading_lists_alert_library(*, list_ids: Iterable[int]) -> int:
    """Flags these lists as news on the library's task list, whatever their status
    (a broken link found by the link checker or reported by a reader). Returns how
    many lists were flagged."""
    return ReadingList.objects.filter(pk__in=set(list_ids)).update(
        library_alert_at=timezone.now()
    )


def _valid_tags(tag_ids: Iterable[int]) -> list[Tag]:
    ids = set(tag_ids)
    tags = list(Tag.objects.filter(pk__in=ids))
    if len(tags) != len(ids):
        raise ServiceError(_("One of the tags does not exist."))
    return tags


@transaction.atomic
def citation_add(
    *,
    actor: User,
    reading_list: ReadingList,
    section: Section | None = None,
    material_type: str,
    metadata: dict[str, Any],
    public_note: str = "",
    instructor_note: str = "",
    tag_ids: Iterable[int] = (),
    due_date: date | None = None,
    secondary_type: str = "",
    status: str | None = None,
    catalog_record: Record | None = None,
    render: bool = True,
) -> Citation:
    """Adds a citation at the end of `section` (the list's default section if None),
    linked to `catalog_record` when it came from the catalog.

    render=False stores the escaped title as a stand-in and no style, for callers
    adding many citations at once; they format them afterwards (`rerender_all`)."""
    if material_type not in MaterialType.values:
        raise ServiceError(_("Unknown material type."))
    if not str(metadata.get("title") or "").strip():
        raise ServiceError(_("A citation needs a title."))
    reading_list = _lock_list(reading_list)
    if section is None:
        section = (
            reading_list.sections.filter(is_default=True).first()
            or reading_list.sections.order_by("position", "id").first()
        )
        if section is None:
            section = Section.objects.create(
                reading_list=reading_list, name=DEFAULT_SECTION_NAME, is_default=True
            )
    elif section.reading_list_id != reading_list.pk:
        raise ServiceError(_("That section belongs to another list."))
    tags = _valid_tags(tag_ids)
    last = section.citations.aggregate(m=Max("position"))["m"]
    citation = Citation(
        reading_list=reading_list,
        section=section,
        position=0 if last is None else last + 1,
        material_type=material_type,
        secondary_type=secondary_type,
        metadata=metadata,
        title=str(metadata.get("title") or "")[:1000],
        author=_author_text(metadata),
        public_note=public_note,
        instructor_note=instructor_note,
        due_date=due_date,
        status=status or _initial_status(reading_list, material_type, metadata),
        catalog_record=catalog_record,
        created_by=actor,
    )
    if render:
        citation_render(citation)
    else:
        citation.rendered_html = html.escape(citation.title)
        citation.rendered_style = ""
    citation.save()
    if tags:
        citation.tags.set(tags)
    if (
        reading_list.status == ListStatus.COMPLETE
        and citation.status == CitationStatus.READY_FOR_PROCESSING
    ):
        # New work for the library: the completed list goes back on its task list.
        _set_list_status(actor, reading_list, ListStatus.READY_FOR_PROCESSING)
    _touch_content(reading_list.pk)
    alert = _raise_library_alert(actor, reading_list.pk)
    event_record(
        actor=actor,
        verb="citation.add",
        target_type="citation",
        target_id=citation.pk,
        list_id=reading_list.pk,
        summary=_("Added “%(title)s” to %(section)s")
        % {"title": citation.title[:120], "section": section.name},
        params={
            "status": citation.status,
            **({"record": catalog_record.pk} if catalog_record else {}),
            **({"alert": True} if alert else {}),
        },
    )
    return citation


@transaction.atomic
def citation_add_many(
    *,
    actor: User,
    reading_list: ReadingList,
    section: Section,
    items: Sequence[tuple[str, dict[str, Any]]],
    render: bool = True,
) -> list[Citation]:
    """`citation_add` for many citations at once (an import): each (material type,
    CSL-JSON record) of `items`, in order, at the end of `section`, with what
    citation_add gives each one (checks, the institution's status rules, the list's
    return to the library, the stored formatting or, with render=False, the title
    as a stand-in, one `citation.add` event each, the list's content version and the
    library's alert) in a fixed number of queries per batch. All or nothing: one
    refused item (ServiceError) adds none."""
    from lectio.core.models import Event
    from lectio.lists.rules import enabled_rules

    for material_type, metadata in items:
        if material_type not in MaterialType.values:
            raise ServiceError(_("Unknown material type."))
        if not str(metadata.get("title") or "").strip():
            raise ServiceError(_("A citation needs a title."))
    reading_list = _lock_list(reading_list)
    if section.reading_list_id != reading_list.pk:
        raise ServiceError(_("That section belongs to another list."))
    if not items:
        return []
    rules = enabled_rules()
    style = InstitutionSettings.current().citation_style if render else ""
    last = section.citations.aggregate(m=Max("position"))["m"]
    start = 0 if last is None else last + 1
    citations = []
    for offset, (material_type, metadata) in enumerate(items):
        citation = Citation(
            reading_list=reading_list,
            section=section,
            position=start + offset,
            material_type=material_type,
            metadata=metadata,
            title=str(metadata.get("title") or "")[:1000],
            author=_author_text(metadata),
            status=_initial_status(reading_list, material_type, metadata, rules),
            created_by=actor,
        )
        if render:
            citation_render(citation, style)
        else:
            citation.rendered_html = html.escape(citation.title)
            citation.rendered_style = ""
        citations.append(citation)
    Citation.objects.bulk_create(citations, batch_size=500)
    if citations[0].pk is None:  # a backend that does not return new ids
        citations = list(
            Citation.objects.filter(section=section, position__gte=start).order_by(
                "position"
            )
        )
    if reading_list.status == ListStatus.COMPLETE and any(
        c.status == CitationStatus.READY_FOR_PROCESSING for c in citations
    ):
        _set_list_status(actor, reading_list, ListStatus.READY_FOR_PROCESSING)
    _touch_content(reading_list.pk)
    alert = _raise_library_alert(actor, reading_list.pk)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    Event.objects.bulk_create(
        [
            Event(
                actor_id=actor_id,
                verb="citation.add",
                target_type="citation",
                target_id=c.pk,
                list_id=reading_list.pk,
                summary=(
                    _("Added “%(title)s” to %(section)s")
                    % {"title": c.title[:120], "section": section.name}
                )[:500],
                params={"status": c.status, **({"alert": True} if alert else {})},
            )
            for c in citations
        ],
        batch_size=500,
    )
    return citations


@transaction.atomic
def citation_update(
    *,
    actor: User,
    citation: Citation,
    expected_version: int,
    material_type: str,
    metadata: dict[str, Any],
    public_note: str = "",
    instructor_note: str = "",
    tag_ids: Iterable[int] = (),
    due_date: date | None = None,
    tag_kinds: Iterable[str] = (TagKind.PUBLIC,),
) -> Citation:
    """Saves an edit made from a form. `tag_ids` replaces the citation's tags of
    `tag_kinds`; tags of other kinds (the library's) stay."""
    if material_type not in MaterialType.values:
        raise ServiceError(_("Unknown material type."))
    if not str(metadata.get("title") or "").strip():
        raise ServiceError(_("A citation needs a title."))
    tags = _valid_tags(tag_ids)
    probe = Citation(metadata=metadata)
    citation_render(probe)
    update_if_version(
        citation,
        expected_version=expected_version,
        fields={
            "material_type": material_type,
            "metadata": metadata,
            "title": str(metadata.get("title") or "")[:1000],
            "author": _author_text(metadata),
            "public_note": public_note,
            "instructor_note": instructor_note,
            "due_date": due_date,
            "rendered_html": probe.rendered_html,
            "rendered_style": probe.rendered_style,
            "updated_at": timezone.now(),
        },
    )
    kinds = set(tag_kinds)
    if any(tag.kind not in kinds for tag in tags):
        raise ServiceError(_("One of the tags cannot be set here."))
    kept = [tag for tag in citation.tags.all() if tag.kind not in kinds]
    citation.tags.set([*kept, *tags])
    _touch_content(citation.reading_list_id)
    alert = _raise_library_alert(actor, citation.reading_list_id)
    event_record(
        actor=actor,
        verb="citation.update",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Edited “%(title)s”") % {"title": citation.title[:120]},
        params={"alert": True} if alert else {},
    )
    return citation


def _renumber_citations(section_id: int) -> None:
    """Positions stay 0..n-1: the editor's "move up/down" asks for position -/+ 1."""
    remaining = (
        Citation.objects.filter(section_id=section_id)
        .order_by("position", "id")
        .only("pk", "position")
    )
    for index, item in enumerate(remaining):
        if item.position != index:
            Citation.objects.filter(pk=item.pk).update(position=index)


@transaction.atomic
def citation_delete(*, actor: User, citation: Citation) -> None:
    list_id, title, citation_id = citation.reading_list_id, citation.title, citation.pk
    _lock_list(citation.reading_list)
    section_id = citation.section_id
    from lectio.lists.files import release_stored_files, stored_names

    release_stored_files(stored_names(citation_id=citation_id))
    citation.delete()
    _renumber_citations(section_id)
    _touch_content(list_id)
    alert = _raise_library_alert(actor, list_id)
    event_record(
        actor=actor,
        verb="citation.delete",
        target_type="citation",
        target_id=citation_id,
        list_id=list_id,
        summary=_("Removed “%(title)s”") % {"title": title[:120]},
        params={"alert": True} if alert else {},
    )


@transaction.atomic
def citation_move(
    *, actor: User, citation: Citation, section: Section, position: int
) -> Citation:
    """Moves a citation to `position` (0-based) in `section` of the same list."""
    reading_list = _lock_list(citation.reading_list)
    if section.reading_list_id != reading_list.pk:
        raise ServiceError(_("That section belongs to another list."))
    # Under the list's lock, read where the citation and the section are now: the
    # caller's copies may predate another move or a delete.
    source_section_id = (
        Citation.objects.filter(pk=citation.pk)
        .values_list("section_id", flat=True)
        .first()
    )
    if source_section_id is None:
        raise ServiceError(_("That item was removed in the meantime."))
    if not Section.objects.filter(pk=section.pk).exists():
        raise ServiceError(_("That section was removed in the meantime."))
    siblings = [
        c
        for c in Citation.objects.filter(section=section)
        .order_by("position", "id")
        .only("pk", "position")
        if c.pk != citation.pk
    ]
    position = max(0, min(position, len(siblings)))
    siblings.insert(position, citation)
    for index, item in enumerate(siblings):
        if item.pk == citation.pk:
            Citation.objects.filter(pk=item.pk).update(section=section, position=index)
        elif item.position != index:
            Citation.objects.filter(pk=item.pk).update(position=index)
    if source_section_id != section.pk:
        _renumber_citations(source_section_id)
    citation.section = section
    citation.position = position
    _touch_content(reading_list.pk)
    event_record(
        actor=actor,
        verb="citation.move",
        target_type="citation",
        target_id=citation.pk,
        list_id=reading_list.pk,
        summary=_("Moved “%(title)s” to %(section)s, position %(pos)s")
        % {"title": citation.title[:120], "section": section.name, "pos": position + 1},
    )
    return citation


@transaction.atomic
def citation_set_status(
    *, actor: User, citation: Citation, status: str, reason: str = ""
) -> Citation:
    current = Citation.objects.select_for_update().get(pk=citation.pk)
    CITATION_MACHINE.check(current.status, status)
    if status == CitationStatus.DECLINED and not reason.strip():
        raise ServiceError(
            _("Say why the item is declined; the instructor will see it.")
        )
    Citation.objects.filter(pk=citation.pk).update(
        status=status,
        decline_reason=reason.strip() if status == CitationStatus.DECLINED else "",
        version=F("version") + 1,
    )
    before = current.status
    citation.status = status
    citation.version = current.version + 1
    _touch_content(citation.reading_list_id)
    event_record(
        actor=actor,
        verb="citation.status",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("“%(title)s”: %(before)s → %(after)s")
        % {
            "title": citation.title[:120],
            "before": CitationStatus(before).label,
            "after": CitationStatus(status).label,
        },
        params={"from": before, "to": status, "reason": reason},
    )
    return citation


@transaction.atomic
def citation_send_to_library(*, actor: User, citation: Citation) -> Citation:
    return citation_set_status(
        actor=actor, citation=citation, status=CitationStatus.READY_FOR_PROCESSING
    )


@transaction.atomic
def citation_mark(
    *,
    user: User,
    citation: Citation,
    done: bool | None = None,
    liked: bool | None = None,
    private_note: str | None = None,
) -> CitationInteraction:
    """A reader's own marks. Private: no audit event names the reader."""
    defaults: dict[str, Any] = {"reading_list_id": citation.reading_list_id}
    if done is not None:
        defaults["done"] = done
    if liked is not None:
        defaults["liked"] = liked
    if private_note is not None:
        defaults["private_note"] = private_note[:5000]
    mark, _created = CitationInteraction.objects.update_or_create(
        user=user, citation=citation, defaults=defaults
    )
    return mark


def rerender_all(*, style: str, batch_size: int = 500) -> int:
    """Refreshes every citation's stored form for a new institution style."""
    count = 0
    queryset = Citation.objects.exclude(rendered_style=style).only(
        "pk", "metadata", "reading_list_id"
    )
    while True:
        batch = list(queryset[:batch_size])
        if not batch:
            return count
        with transaction.atomic():
            for citation in batch:
                citation_render(citation, style)
            Citation.objects.bulk_update(batch, ["rendered_html", "rendered_style"])
            ReadingList.objects.filter(
                pk__in={c.reading_list_id for c in batch}
            ).update(content_version=F("content_version") + 1)
        count += len(batch)
