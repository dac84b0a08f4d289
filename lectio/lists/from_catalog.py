"""Lists and the catalog: adding a catalog record to a list, and which lists a reader
may see that cite given records.

The catalog sits below lists, so the joining happens here: a citation made from a
record is filled from it (CSL-JSON, as the lists app keeps metadata), linked to it
(`Citation.catalog_record`) and written through `services.citation_add`, so status
rules, rendering, events, versions and the library's alert all apply as for any other
new citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lectio.accounts.models import User
from lectio.catalog.availability import availability_for
from lectio.catalog.models import Portfolio, Record, RecordFormat
from lectio.courses.models import Course, Enrolment
from lectio.lists import services
from lectio.lists.models import (
    Citation,
    Collaborator,
    MaterialType,
    ReadingList,
    Section,
)
from lectio.lists.permissions import (
    TEACHING_ROLES,
    Right,
    is_staff,
    right_from_facts,
)
from lectio.lists.selectors import citation_visible_to_readers
from lectio.lists.services import ServiceError

# A record's format as a citation's material type; formats with no material type of
# their own are "other".
MATERIAL_TYPES: dict[str, str] = {
    RecordFormat.BOOK: MaterialType.BOOK,
    RecordFormat.EBOOK: MaterialType.EBOOK,
    RecordFormat.JOURNAL: MaterialType.JOURNAL,
    RecordFormat.ARTICLE: MaterialType.ARTICLE,
    RecordFormat.THESIS: MaterialType.THESIS,
    RecordFormat.VIDEO: MaterialType.VIDEO,
    RecordFormat.AUDIO: MaterialType.AUDIO,
    RecordFormat.WEBSITE: MaterialType.WEBSITE,
    RecordFormat.MUSIC_SCORE: MaterialType.OTHER,
    RecordFormat.MAP: MaterialType.OTHER,
    RecordFormat.COMPUTER_FILE: MaterialType.OTHER,
    RecordFormat.MANUSCRIPT: MaterialType.OTHER,
    RecordFormat.OTHER: MaterialType.OTHER,
}

# MARC relator terms ($e) and codes ($4) as CSL name roles; anything else (an
# illustrator, a publisher) is left out of the citation.
ROLE_NAMES: dict[str, str] = {
    "": "author",
    "author": "author",
    "aut": "author",
    "creator": "author",
    "cre": "author",
    "editor": "editor",
    "ed": "editor",
    "eds": "editor",
    "edt": "editor",
    "compiler": "editor",
    "com": "editor",
    "translator": "translator",
    "trl": "translator",
    "tr": "translator",
}

# Trailing life dates of a MARC personal name: "1809-1882", "1948-", "b. 1950",
# "d. 1900", "active 1750-1790", "ca. 1480-1525".
_DATES = re.compile(
    r"^(?:(?:b|d|ca|fl)\.\s*|active\s+|approximately\s+)?"
    r"\d{3,4}\??(?:-(?:(?:ca\.\s*)?\d{3,4}\??)?)?\.?$",
    re.IGNORECASE,
)


def csl_name(name: str) -> dict[str, str] | None:
    """A MARC heading as a CSL name: "Darwin, Charles, 1809-1882." ->
    {"family": "Darwin", "given": "Charles"}; a name without a comma (a corporate
    body, "United Nations.") is a literal."""
    text = " ".join(name.split()).strip(" ,;:/")
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    # Dates and other trailing qualifiers after the given name.
    while len(parts) > 1 and (not parts[-1] or _DATES.match(parts[-1])):
        parts.pop()
    if len(parts) == 1:
        literal = parts[0].rstrip(".")
        return {"literal": literal} if literal else None
    family = parts[0]
    given = parts[1]
    # "Smith, John, Jr." keeps the suffix.
    suffix = parts[2] if len(parts) > 2 else ""
    # A heading ends with a full stop; an initial keeps its own ("Eliot, T. S.").
    if given.endswith(".") and not re.search(r"(^|\s)\w\.$", given):
        given = given[:-1]
    result = {"family": family.rstrip("."), "given": given}
    if suffix:
        result["suffix"] = suffix
    return result


def names_by_role(contributors: Iterable[dict[str, Any]]) -> dict[str, list[dict]]:
    """The record's contributors as CSL name lists by role, in record order."""
    out: dict[str, list[dict]] = {}
    for contributor in contributors:
        raw_role = str(contributor.get("role") or "").strip().strip(".,").lower()
        role = ROLE_NAMES.get(raw_role)
        if role is None and raw_role.startswith("editor"):
            role = "editor"
        if role is None:
            continue
        name = csl_name(str(contributor.get("name") or ""))
        if name and name not in out.get(role, []):
            out.setdefault(role, []).append(name)
    return out


def _online_url(record: Record) -> str:
    for link in record.urls or []:
        url = str(link.get("url") or "") if isinstance(link, dict) else str(link)
        if url.lower().startswith(("http://", "https://")):
            return url
    portfolio = (
        Portfolio.objects.filter(record=record, active=True)
        .order_by("-open_access", "id")
        .values_list("url", flat=True)
        .first()
    )
    return portfolio or ""


def material_type_for(record: Record) -> str:
    return MATERIAL_TYPES.get(record.format, MaterialType.OTHER)


def csl_from_record(record: Record) -> dict[str, Any]:
    """The record as CSL-JSON in the shape the lists app keeps (see
    `services.csl_from_fields`)."""
    material_type = material_type_for(record)
    title = record.title.strip().rstrip(" /:;,.=") or record.title.strip()
    subtitle = record.subtitle.strip().rstrip(" /:;,.=")
    csl: dict[str, Any] = {
        "type": services.CSL_TYPES.get(material_type, "document"),
        "title": f"{title}: {subtitle}" if subtitle else title,
    }
    names = names_by_role(record.contributors or [])
    if not names.get("author") and not names.get("editor") and record.author:
        name = csl_name(record.author)
        if name:
            names["author"] = [name]
    for role in ("author", "editor", "translator"):
        if names.get(role):
            csl[role] = names[role]
    for key, value in (
        ("edition", record.edition),
        ("publisher", record.publisher),
        ("publisher-place", record.place),
        ("language", record.language),
    ):
        value = (value or "").strip().rstrip(" :;,")
        if value:
            csl[key] = value
    if record.year:
        csl["issued"] = {"date-parts": [[int(record.year)]]}
    elif record.date.strip():
        csl["issued"] = {"literal": record.date.strip()}
    if record.isbns:
        csl["ISBN"] = str(record.isbns[0])
    if record.issns:
        csl["ISSN"] = str(record.issns[0])
    url = _online_url(record)
    if url:
        csl["URL"] = url
    extra: dict[str, Any] = {}
    if record.oclc:
        extra["OCLC"] = record.oclc
    if record.lccn:
        extra["LCCN"] = record.lccn
    if availability_for([record.pk])[record.pk].open_access:
        # The institution's status rules read this (lists.rules.availability_facts).
        extra["open_access"] = True
    if extra:
        csl["lectio"] = extra
    return csl


def _default_section(reading_list: ReadingList) -> Section | None:
    """Where `services.citation_add` puts an item given no section."""
    return (
        reading_list.sections.filter(is_default=True).first()
        or reading_list.sections.order_by("position", "id").first()
    )


@transaction.atomic
def citation_add_from_record(
    *,
    actor: User,
    record: Record,
    reading_list: ReadingList,
    section: Section | None = None,
) -> Citation:
    """Adds `record` to `section` of `reading_list` (its default section if None) as
    a citation filled from the record and linked to it.

    The caller has checked that `actor` may edit the list (the selectors). Refuses
    (ServiceError) a section of another list, and a record already linked from the
    same section."""
    # Held until the end, so two clicks on "Add" cannot both pass the check below.
    locked = ReadingList.objects.select_for_update().get(pk=reading_list.pk)
    if section is not None and section.reading_list_id != locked.pk:
        raise ServiceError(_("That section belongs to another list."))
    target = section or _default_section(locked)
    if target is not None:
        existing = Citation.objects.filter(
            section=target, catalog_record=record
        ).exists()
        if existing:
            raise ServiceError(
                _("“%(title)s” is already in %(section)s on %(list)s.")
                % {
                    "title": record.title[:120],
                    "section": target.name,
                    "list": locked.name,
                }
            )
    citation = services.citation_add(
        actor=actor,
        reading_list=locked,
        section=target,
        material_type=material_type_for(record),
        metadata=csl_from_record(record),
        catalog_record=record,
    )
    return citation


# --- which lists a reader may see --------------------------------------------------


@dataclass
class VisibleList:
    reading_list: ReadingList
    right: Right
    courses: list[Course] = field(default_factory=list)


def visible_lists(*, user: Any, list_ids: Iterable[int]) -> dict[int, VisibleList]:
    """The lists among `list_ids` that `user` may see, with their right on each and
    their courses. The decision is `permissions.right_from_facts`, as for a single
    list; the facts it needs are read for all the lists at once (three queries,
    whatever their number)."""
    ids = sorted(set(list_ids))
    if not ids:
        return {}
    lists = {
        rl.pk: rl
        for rl in ReadingList.objects.filter(pk__in=ids).prefetch_related("courses")
    }
    collab: dict[int, str] = {}
    teaches: set[int] = set()
    enrolled: set[int] = set()
    authenticated = bool(user and user.is_authenticated)
    if authenticated and not is_staff(user):
        collab = dict(
            Collaborator.objects.filter(user=user, reading_list_id__in=ids).values_list(
                "reading_list_id", "right"
            )
        )
        roles: dict[int, set[str]] = {}
        for course_id, role in Enrolment.objects.filter(
            user=user, course__reading_lists__in=ids
        ).values_list("course_id", "role"):
            roles.setdefault(course_id, set()).add(role)
        for rl in lists.values():
            for course in rl.courses.all():
                course_roles = roles.get(course.pk, set())
                if course_roles:
                    enrolled.add(rl.pk)
                if course_roles & set(TEACHING_ROLES):
                    teaches.add(rl.pk)
    out: dict[int, VisibleList] = {}
    for pk in ids:
        found = lists.get(pk)
        if found is None:
            continue
        right = right_from_facts(
            user,
            found,
            collaborator_right=collab.get(pk),
            teaches=pk in teaches,
            enrolled=pk in enrolled,
        )
        if right >= Right.READ:
            out[pk] = VisibleList(
                reading_list=found, right=right, courses=list(found.courses.all())
            )
    return out


def visible_citations(
    *,
    user: Any,
    citations: Iterable[Citation],
    lists: dict[int, VisibleList] | None = None,
) -> list[tuple[Citation, VisibleList]]:
    """The citations `user` may see (their list visible to them and, for a reader,
    the citation and its section shown to readers), each with its list. The
    citations come with their section (select_related). `lists`: the result of
    `visible_lists` for their lists, when the caller has it already."""
    citations = list(citations)
    if lists is None:
        lists = visible_lists(
            user=user, list_ids={c.reading_list_id for c in citations}
        )
    out = []
    for citation in citations:
        visible = lists.get(citation.reading_list_id)
        if visible is None:
            continue
        if visible.right == Right.READ and not (
            citation_visible_to_readers(citation) and citation.section.visible
        ):
            continue
        out.append((citation, visible))
    return out


def lists_citing(*, user: Any, record: Record) -> list[VisibleList]:
    """The lists citing `record` that `user` may see (the citation included), by
    name."""
    citations = (
        Citation.objects.filter(catalog_record=record)
        .order_by()
        .select_related("section")
        .only(
            "id",
            "reading_list_id",
            "status",
            "catalog_record_id",
            "section__id",
            "section__visible",
        )
    )
    seen: dict[int, VisibleList] = {}
    for _citation, visible in visible_citations(user=user, citations=citations):
        seen.setdefault(visible.reading_list.pk, visible)
    return sorted(seen.values(), key=lambda v: (v.reading_list.name, v.reading_list.pk))


def more_from_courses(
    *, user: Any, record: Record, courses: Iterable[Course], limit: int = 6
) -> list[Record]:
    """Other records cited on lists of these courses that `user` may see, most cited
    first."""
    course_ids = {c.pk for c in courses}
    if not course_ids:
        return []
    citations = (
        Citation.objects.filter(
            Q(reading_list__courses__in=course_ids),
            catalog_record__isnull=False,
        )
        .exclude(catalog_record=record)
        .order_by("-id")
        .select_related("section")
        .only(
            "id",
            "reading_list_id",
            "status",
            "catalog_record_id",
            "section__id",
            "section__visible",
        )
        .distinct()[:500]
    )
    counts: dict[int, int] = {}
    for citation, _visible in visible_citations(user=user, citations=citations):
        assert citation.catalog_record_id is not None
        counts[citation.catalog_record_id] = (
            counts.get(citation.catalog_record_id, 0) + 1
        )
    top = sorted(counts, key=lambda pk: (-counts[pk], pk))[:limit]
    records = Record.objects.in_bulk(top)
    return [records[pk] for pk in top if pk in records]
