"""The reading-list loader: Leganto's bulk reading-list CSV, one citation a row.

Columns: every column of Leganto's loader file (COLUMNS below; names case-insensitive,
any order, unknown columns refuse the file). coursecode or reading_list_code is
required. A row whose citation columns are all empty makes (or updates) just its list
and section.

Lists
- Keyed by reading_list_code. A row without one goes to its course's list: the one
  list the course has, or, when it has none, a new list coded after the course
  (CODE-SECTION); a course with several lists needs the code. A new list takes name,
  description, status, visibility, notes, subjects and owner from the first row that
  names it; later rows may repeat these values but not contradict them. An empty cell
  keeps what the list has.
- coursecode + section_id must name a course Lectio knows; the list is linked to it
  (a list may serve several courses).
- reading_list_status (or RLStatus): a list status (BeingPrepared, ReadyForProcessing,
  BeingProcessed, Complete, Inactive, RolledOver), set as given: loading is an
  administrative import, not a workflow step.
- visibility (VISIBILITY below):
      RESTRICTED, COURSE, COURSE_STUDENTS          -> students of the course
      INSTITUTION, ALL_STUDENTS, LOGGED_IN, FULL   -> everyone at the institution
      OPEN, PUBLIC, ANYONE                         -> anyone with the link
      OPEN_RESTRICTED, ANYONE_RESTRICTED           -> anyone with the link; materials
                                                      for course students only
  (Lectio's own values course / institution / public work too.)
- owner_user_name: username or primary id of an owner ("can manage"); several in one
  cell separated by commas. Someone Lectio does not know is made a pending user or
  rejected, as the institution's setting for unknown people says.
- reading_list_assigned_to: the librarian (username or primary id) the list is
  assigned to; must be library staff.
- reading_list_subject: comma-separated subjects.

Sections: by name within the list, made in file order after the list's sections; an
empty section_name is the list's default section. section_start_date /
section_end_date are in the loader date format; section_tags are comma-separated.

Citations
- Keyed by external_system_id within the list (stored as the citation's external id).
  A row without one matches a citation of the same list and section that was loaded
  without one and has the same title, author and secondary type (the second such row
  the second such citation, and so on), so loading a file again never duplicates.
  A citation made in Lectio has no secondary type; its material type stands for one
  (book BK, article CR, website WS, ...: IMPLIED_SECONDARY below).
  A citation whose row names another section moves there.
- citation_secondary_type (SECONDARY_TYPES below) gives the material type; the code
  itself is kept as the secondary type. Empty is BK.
- The bibliographic columns become the CSL-JSON record. Reloading replaces the fields
  the loader knows (an empty cell clears one); fields added in Lectio that the loader
  does not know are kept. For BK_C a chapter title makes the chapter the title and
  the book the container. citation_publication_date is free text ("2019",
  "2019-05-14").
- citation_status: a citation status (empty: new citations follow the institution's
  status rules; existing ones keep theirs).
- citation_tags: comma-separated names of existing public tags (any case); they
  replace the citation's public tags. Unknown names are rejects.
- citation_public_note / citation_instructor_note / citation_library_note and
  license_type set those fields when their column is present.
- Read but not used: searchable_id1..3 (the course is found by coursecode +
  section_id), creativecommon, file_name (files are not in the CSV; the name is kept
  in the record), citation_mms_id and citation_original_system_id (kept in the record).

Every new or changed citation is formatted in the institution's style before the
transaction opens (each distinct record once; large files in parallel processes), so
the database is locked only for the writes. Each list touched gets one audit event and
a new content_version (reading views refresh).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from multiprocessing import get_context
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lectio.accounts.loader import (
    pending_user_problem,
    pending_users_create,
    users_by_key,
)
from lectio.accounts.models import InstitutionSettings, LoaderUnknown, Role, User
from lectio.core.loading import (
    FileRejected,
    LoadOptions,
    LoadResult,
    Throttle,
    decode,
    parse_date,
    read_dicts,
    split_multi,
)
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists.extensions import content_changed
from lectio.lists.models import (
    Citation,
    CitationStatusRule,
    Collaborator,
    CollaboratorRight,
    MaterialType,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.rendering import render_citation_html
from lectio.lists.rules import availability_facts
from lectio.lists.services import (
    DEFAULT_SECTION_NAME,
    WITH_LIBRARY,
    csl_from_fields,
    format_names,
    parse_names,
)
from lectio.lists.statuses import (
    CitationStatus,
    ListStatus,
    MaterialAccess,
    Visibility,
)

COLUMNS = (
    "coursecode",
    "section_id",
    "searchable_id1",
    "searchable_id2",
    "searchable_id3",
    "reading_list_code",
    "reading_list_name",
    "reading_list_description",
    "reading_list_subject",
    "reading_list_status",
    "rlstatus",
    "visibility",
    "reading_list_assigned_to",
    "reading_list_library_note",
    "reading_list_instructor_note",
    "owner_user_name",
    "creativecommon",
    "section_name",
    "section_description",
    "section_start_date",
    "section_end_date",
    "section_tags",
    "citation_secondary_type",
    "citation_status",
    "citation_tags",
    "citation_mms_id",
    "citation_original_system_id",
    "citation_title",
    "citation_journal_title",
    "citation_author",
    "citation_publication_date",
    "citation_edition",
    "citation_isbn",
    "citation_issn",
    "citation_place_of_publication",
    "citation_publisher",
    "citation_volume",
    "citation_issue",
    "citation_pages",
    "citation_start_page",
    "citation_end_page",
    "citation_doi",
    "citation_oclc",
    "citation_lccn",
    "citation_chapter",
    "citation_chapter_title",
    "rlterms_chapter_title",
    "citation_chapter_author",
    "editor",
    "citation_source",
    *(f"citation_source{n}" for n in range(1, 11)),
    "citation_note",
    "additional_person_name",
    "file_name",
    "citation_public_note",
    "license_type",
    "citation_instructor_note",
    "citation_library_note",
    "external_system_id",
)
# The columns that make a citation: a row with all of them empty has none.
CITATION_COLUMNS = tuple(
    c
    for c in COLUMNS
    if c.startswith(("citation_", "rlterms_"))
    or c
    in (
        "editor",
        "additional_person_name",
        "file_name",
        "license_type",
        "external_system_id",
    )
)

# Leganto's secondary types -> Lectio's material type and, where the material type's
# own CSL type is not the right one, the CSL type.
SECONDARY_TYPES: dict[str, tuple[str, str | None]] = {
    "BK": (MaterialType.BOOK, None),
    "BK_C": (MaterialType.BOOK_CHAPTER, None),
    "CR": (MaterialType.ARTICLE, None),
    "JR": (MaterialType.JOURNAL, None),
    "WS": (MaterialType.WEBSITE, None),
    "VD": (MaterialType.VIDEO, None),
    "AR": (MaterialType.AUDIO, None),
    "DO": (MaterialType.OTHER, "document"),
    "CASE": (MaterialType.LEGAL_DOCUMENT, "legal_case"),
    "LEGAL_DOCUMENT": (MaterialType.LEGAL_DOCUMENT, None),
    "LEGISLATION": (MaterialType.LEGAL_DOCUMENT, "legislation"),
    "OTHER": (MaterialType.OTHER, None),
    "E_BK": (MaterialType.EBOOK, None),
    "E_CR": (MaterialType.ARTICLE, None),
}
# A citation made in Lectio has no secondary type; matching a row without an
# external id to it, its material type stands for one.
IMPLIED_SECONDARY: dict[str, str] = {
    MaterialType.BOOK: "BK",
    MaterialType.BOOK_CHAPTER: "BK_C",
    MaterialType.ARTICLE: "CR",
    MaterialType.JOURNAL: "JR",
    MaterialType.WEBSITE: "WS",
    MaterialType.VIDEO: "VD",
    MaterialType.AUDIO: "AR",
    MaterialType.LEGAL_DOCUMENT: "LEGAL_DOCUMENT",
    MaterialType.OTHER: "OTHER",
    MaterialType.EBOOK: "E_BK",
}
VISIBILITY: dict[str, tuple[str, str | None]] = {
    "RESTRICTED": (Visibility.COURSE, None),
    "COURSE": (Visibility.COURSE, None),
    "COURSE_STUDENTS": (Visibility.COURSE, None),
    "INSTITUTION": (Visibility.INSTITUTION, None),
    "ALL_STUDENTS": (Visibility.INSTITUTION, None),
    "LOGGED_IN": (Visibility.INSTITUTION, None),
    "FULL": (Visibility.INSTITUTION, None),
    "OPEN": (Visibility.PUBLIC, MaterialAccess.FULL),
    "PUBLIC": (Visibility.PUBLIC, MaterialAccess.FULL),
    "ANYONE": (Visibility.PUBLIC, MaterialAccess.FULL),
    "OPEN_RESTRICTED": (Visibility.PUBLIC, MaterialAccess.COURSE),
    "ANYONE_RESTRICTED": (Visibility.PUBLIC, MaterialAccess.COURSE),
}
LIST_STATUSES = {s.lower(): s for s in ListStatus.values}
CITATION_STATUSES = {s.lower(): s for s in CitationStatus.values}
# The CSL keys (and keys of its "lectio" part) the loader writes; a reload replaces
# these and keeps any other.
MANAGED_CSL = {
    "type",
    "title",
    "container-title",
    "container-author",
    "author",
    "editor",
    "issued",
    "edition",
    "ISBN",
    "ISSN",
    "publisher",
    "publisher-place",
    "volume",
    "issue",
    "page",
    "DOI",
    "chapter-number",
    "URL",
    "note",
}
MANAGED_LECTIO = {
    "OCLC",
    "LCCN",
    "mms_id",
    "original_system_id",
    "links",
    "additional_person_name",
    "file_name",
}
LIMITS = {
    "reading_list_code": 100,
    "reading_list_name": 300,
    "section_name": 300,
    "external_system_id": 200,
    "license_type": 100,
}
LIST_FIELDS = (
    "name",
    "description",
    "status",
    "visibility",
    "material_access",
    "library_note",
    "instructor_note",
    "subjects",
    "assigned_librarian_id",
)
SECTION_FIELDS = ("description", "start_date", "end_date", "tags")
CITATION_FIELDS = (
    "section_id",
    "material_type",
    "secondary_type",
    "metadata",
    "title",
    "author",
    "external_id",
    "public_note",
    "instructor_note",
    "library_note",
    "status",
    "license_type",
)
BATCH = 1000
# Files with more records to format than this are formatted in parallel processes.
PARALLEL_FROM = 400


# --- the parsed file ---------------------------------------------------------------


@dataclass
class _CitationRow:
    external_id: str
    material_type: str
    secondary_type: str
    metadata: dict[str, Any]
    title: str
    author: str
    # Only the fields whose column the file has.
    fields: dict[str, Any]
    status: str | None
    tag_ids: set[int] | None


@dataclass
class _Row:
    line: int
    list_code: str
    course_id: int | None
    course_label: str
    list_fields: dict[str, Any]
    owners: list[str]
    section_name: str
    section_fields: dict[str, Any]
    citation: _CitationRow | None


@dataclass
class _SectionPlan:
    name: str
    existing: dict[str, Any] | None
    fields: dict[str, Any] = field(default_factory=dict)
    first_line: int = 0
    pk: int | None = None
    changed: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class _CitationPlan:
    row: _Row
    section_key: str
    existing: dict[str, Any] | None
    values: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    tags_changed: bool = False
    render: bool = False


@dataclass
class _ListPlan:
    code: str
    existing: dict[str, Any] | None
    first_line: int
    fields: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    course_ids: set[int] = field(default_factory=set)
    owners: dict[str, int] = field(default_factory=dict)
    sections: dict[str, _SectionPlan] = field(default_factory=dict)
    citations: list[_CitationPlan] = field(default_factory=list)
    by_external: dict[str, int] = field(default_factory=dict)
    pk: int = 0
    changed: list[str] = field(default_factory=list)
    new_courses: set[int] = field(default_factory=set)
    new_owners: list[str] = field(default_factory=list)


@dataclass
class _State:
    """What the database holds for the lists the file names."""

    courses: dict[tuple[str, str], tuple[int, int | None]]
    course_lists: dict[int, list[str]]
    lists: dict[str, dict[str, Any]]
    list_courses: dict[int, set[int]]
    collaborators: dict[int, dict[int, str]]
    sections: dict[int, list[dict[str, Any]]]
    citations: dict[int, list[dict[str, Any]]]
    citation_tags: dict[int, set[int]]
    users: dict[str, User]
    tags: dict[str, int]
    public_tag_ids: set[int]


def load(data: bytes, options: LoadOptions) -> LoadResult:
    """Validates the whole file, formats the new and changed citations, then writes
    lists, sections and citations in one transaction (see the module docstring).

    counts: created / updated / unchanged per row (a row's citation, or for a row
    without one its list or section), plus lists_*, sections_* and citations_*."""
    result = LoadResult()
    header, rows = read_dicts(decode(data), result=result, delimiter=",", known=COLUMNS)
    present = set(header)
    if not present & {"coursecode", "reading_list_code"}:
        raise FileRejected(
            "the header needs the column coursecode or reading_list_code", line=1
        )
    institution = InstitutionSettings.current()
    date_format = options.date_format or institution.loader_date_format
    raw_rows = list(rows)

    state = _read_state(raw_rows)
    create_unknown = institution.loader_unknown_users == LoaderUnknown.CREATE
    parsed: list[_Row] = []
    for line, raw in raw_rows:
        row = _parse_row(line, raw, present, state, date_format, create_unknown, result)
        if row is not None:
            parsed.append(row)

    rules = list(
        CitationStatusRule.objects.filter(enabled=True).order_by("position", "id")
    )
    plans = _plan(parsed, state, rules, institution.citation_style, result)
    _count(plans, result)

    if options.dry_run or (result.rejects and options.mode == "all_or_nothing"):
        return result
    if not any(_touched(plan) for plan in plans.values()):
        return result

    style = institution.citation_style
    _render([c for plan in plans.values() for c in plan.citations if c.render], style)
    pending = sorted(
        {
            key
            for plan in plans.values()
            for key in plan.new_owners
            if key not in state.users
        }
    )
    try:
        with transaction.atomic():
            _check_unchanged(plans)
            state.users.update(
                pending_users_create(
                    pending,
                    role=Role.INSTRUCTOR,
                    actor=options.actor,
                    source=f"reading-list file {options.file_name}".strip(),
                )
            )
            _apply(plans, state, style, options)
    except _Stale as exc:
        result.reject(0, str(exc))
        return result
    except IntegrityError as exc:
        result.reject(
            0,
            "the database changed while the file was being loaded (someone added "
            f"the same list or citation); nothing was changed, load it again ({exc})",
        )
        return result
    result.applied = True
    return result


class _Stale(Exception):
    pass


# --- reading the database -------------------------------------------------------------


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _read_state(raw_rows: list[tuple[int, dict[str, str]]]) -> _State:
    courses: dict[tuple[str, str], tuple[int, int | None]] = {}
    for course_codes in _chunks(r.get("coursecode", "") for _l, r in raw_rows):
        for pk, code, section, dept in Course.objects.filter(
            code__in=course_codes
        ).values_list("pk", "code", "section", "processing_department_id"):
            courses[(code, section)] = (pk, dept)
    course_ids = {pk for pk, _dept in courses.values()}
    link = ReadingList.courses.through
    course_lists: dict[int, list[str]] = defaultdict(list)
    for ids in _chunks(course_ids):
        for course_id, code in link.objects.filter(course_id__in=ids).values_list(
            "course_id", "readinglist__code"
        ):
            course_lists[course_id].append(code)
    codes = {r.get("reading_list_code", "") for _l, r in raw_rows} | {
        code for have in course_lists.values() for code in have
    }
    codes |= {f"{code}-{section}" if section else code for code, section in courses}
    lists: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(c for c in codes if c):
        for values in ReadingList.objects.filter(code__in=chunk).values(
            "pk", "code", "version", "content_version", *LIST_FIELDS
        ):
            lists[values["code"]] = values
    list_ids = [v["pk"] for v in lists.values()]
    list_courses: dict[int, set[int]] = defaultdict(set)
    collaborators: dict[int, dict[int, str]] = defaultdict(dict)
    sections: dict[int, list[dict[str, Any]]] = defaultdict(list)
    citations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    citation_tags: dict[int, set[int]] = defaultdict(set)
    public = dict(Tag.objects.filter(kind=TagKind.PUBLIC).values_list("name", "pk"))
    public_ids = set(public.values())
    for ids in _chunks(list_ids):
        for list_id, course_id in link.objects.filter(
            readinglist_id__in=ids
        ).values_list("readinglist_id", "course_id"):
            list_courses[list_id].add(course_id)
        for list_id, user_id, right in Collaborator.objects.filter(
            reading_list_id__in=ids
        ).values_list("reading_list_id", "user_id", "right"):
            collaborators[list_id][user_id] = right
        for values in (
            Section.objects.filter(reading_list_id__in=ids)
            .order_by("position", "id")
            .values(
                "pk",
                "reading_list_id",
                "name",
                "position",
                "is_default",
                "version",
                *SECTION_FIELDS,
            )
        ):
            sections[values["reading_list_id"]].append(values)
        for values in (
            Citation.objects.filter(reading_list_id__in=ids)
            .order_by("position", "id")
            .values(
                "pk",
                "reading_list_id",
                "position",
                "version",
                "rendered_style",
                *CITATION_FIELDS,
            )
        ):
            citations[values["reading_list_id"]].append(values)
        for citation_id, tag_id in Citation.tags.through.objects.filter(
            citation__reading_list_id__in=ids, tag_id__in=public_ids
        ).values_list("citation_id", "tag_id"):
            citation_tags[citation_id].add(tag_id)
    people = set()
    for _line, raw in raw_rows:
        people.update(split_multi(raw.get("owner_user_name", "")))
        if raw.get("reading_list_assigned_to"):
            people.add(raw["reading_list_assigned_to"])
    return _State(
        courses=courses,
        course_lists=course_lists,
        lists=lists,
        list_courses=list_courses,
        collaborators=collaborators,
        sections=sections,
        citations=citations,
        citation_tags=citation_tags,
        users=users_by_key(people),
        tags={name.lower(): pk for name, pk in public.items()},
        public_tag_ids=public_ids,
    )


# --- one row ------------------------------------------------------------------------


def _parse_row(
    line: int,
    raw: dict[str, str],
    present: set[str],
    state: _State,
    date_format: str,
    create_unknown: bool,
    result: LoadResult,
) -> _Row | None:
    problems: list[str] = []
    for name, limit in LIMITS.items():
        if len(raw.get(name, "")) > limit:
            problems.append(f"{name} is longer than {limit} characters")
    code = raw.get("coursecode", "")
    section_id = raw.get("section_id", "")
    label = f"{code}-{section_id}" if section_id else code
    course_id: int | None = None
    if code:
        found = state.courses.get((code, section_id))
        if found is None:
            problems.append(
                f"no course {code}"
                + (f" section {section_id}" if section_id else " without a section")
            )
        else:
            course_id = found[0]
    elif section_id:
        problems.append("section_id is given without coursecode")
    list_code = raw.get("reading_list_code", "")
    if not list_code and not code:
        problems.append("the row needs reading_list_code or coursecode")
    elif not list_code and course_id is not None:
        have = state.course_lists.get(course_id, [])
        if len(have) == 1:
            list_code = have[0]
        elif len(have) > 1:
            problems.append(
                f"course {label} has {len(have)} lists ({', '.join(sorted(have))}); "
                "name one in reading_list_code"
            )
        else:
            list_code = label
            other = state.lists.get(list_code)
            if other is not None:
                problems.append(
                    f"a list coded {list_code} exists and serves other courses; "
                    "name the list in reading_list_code"
                )

    list_fields: dict[str, Any] = {}
    for column, name in (
        ("reading_list_name", "name"),
        ("reading_list_description", "description"),
        ("reading_list_library_note", "library_note"),
        ("reading_list_instructor_note", "instructor_note"),
    ):
        if raw.get(column):
            list_fields[name] = raw[column]
    if raw.get("reading_list_subject"):
        list_fields["subjects"] = split_multi(raw["reading_list_subject"])
    statuses = {raw.get("reading_list_status", ""), raw.get("rlstatus", "")} - {""}
    if len(statuses) > 1:
        problems.append(
            "reading_list_status and RLStatus differ ("
            + ", ".join(sorted(statuses))
            + ")"
        )
    elif statuses:
        status = statuses.pop()
        if status.lower() not in LIST_STATUSES:
            problems.append(
                f"unknown reading_list_status {status!r}; one of "
                + ", ".join(ListStatus.values)
            )
        else:
            list_fields["status"] = LIST_STATUSES[status.lower()]
    visibility = raw.get("visibility", "")
    if visibility:
        key = visibility.upper().replace(" ", "_")
        if key not in VISIBILITY:
            problems.append(
                f"unknown visibility {visibility!r}; one of " + ", ".join(VISIBILITY)
            )
        else:
            list_fields["visibility"], access = VISIBILITY[key]
            if access:
                list_fields["material_access"] = access
    assigned = raw.get("reading_list_assigned_to", "")
    if assigned:
        librarian = state.users.get(assigned)
        if librarian is None:
            problems.append(f"reading_list_assigned_to: no user {assigned}")
        elif not librarian.is_library_staff:
            problems.append(
                f"reading_list_assigned_to: {assigned} is not library staff"
            )
        else:
            list_fields["assigned_librarian_id"] = librarian.pk
    owners = split_multi(raw.get("owner_user_name", ""))
    for owner in owners:
        if owner in state.users:
            continue
        if not create_unknown:
            problems.append(
                f"owner_user_name: no user {owner} (the institution's setting "
                "rejects unknown people; load them with the user file)"
            )
        else:
            problem = pending_user_problem(owner)
            if problem:
                problems.append(f"owner_user_name: {problem}")

    section_fields: dict[str, Any] = {}
    if raw.get("section_description"):
        section_fields["description"] = raw["section_description"]
    for column, name in (
        ("section_start_date", "start_date"),
        ("section_end_date", "end_date"),
    ):
        try:
            value = parse_date(raw.get(column, ""), date_format)
        except ValueError as exc:
            problems.append(f"{column}: {exc}")
        else:
            if value is not None:
                section_fields[name] = value
    if raw.get("section_tags"):
        section_fields["tags"] = split_multi(raw["section_tags"])

    citation = None
    if any(raw.get(c) for c in CITATION_COLUMNS):
        citation = _parse_citation(raw, present, state, problems)

    if problems:
        result.reject(line, "; ".join(problems), list_code or label)
        return None
    return _Row(
        line=line,
        list_code=list_code,
        course_id=course_id,
        course_label=label,
        list_fields=list_fields,
        owners=owners,
        section_name=raw.get("section_name", ""),
        section_fields=section_fields,
        citation=citation,
    )


def _parse_citation(
    raw: dict[str, str], present: set[str], state: _State, problems: list[str]
) -> _CitationRow | None:
    secondary = raw.get("citation_secondary_type", "").upper() or "BK"
    if secondary not in SECONDARY_TYPES:
        problems.append(
            f"unknown citation_secondary_type {raw['citation_secondary_type']!r}; "
            "one of " + ", ".join(SECONDARY_TYPES)
        )
        return None
    material_type, csl_type = SECONDARY_TYPES[secondary]
    status = raw.get("citation_status", "")
    if status and status.lower() not in CITATION_STATUSES:
        problems.append(
            f"unknown citation_status {status!r}; one of "
            + ", ".join(CitationStatus.values)
        )
    tag_ids: set[int] | None = None
    if "citation_tags" in present:
        tag_ids = set()
        unknown = []
        for name in split_multi(raw.get("citation_tags", "")):
            pk = state.tags.get(name.lower())
            if pk is None:
                unknown.append(name)
            else:
                tag_ids.add(pk)
        if unknown:
            problems.append(
                "unknown citation_tags "
                + ", ".join(unknown)
                + "; the public tags are "
                + ", ".join(sorted(state.tags))
            )
    metadata = citation_csl(raw, material_type, csl_type)
    title = str(metadata.get("title") or "")
    if not title.strip():
        problems.append("the citation has no citation_title")
    fields: dict[str, Any] = {}
    for column, name in (
        ("citation_public_note", "public_note"),
        ("citation_instructor_note", "instructor_note"),
        ("citation_library_note", "library_note"),
        ("license_type", "license_type"),
    ):
        if column in present:
            fields[name] = raw.get(column, "")
    names = metadata.get("author") or metadata.get("editor") or []
    return _CitationRow(
        external_id=raw.get("external_system_id", ""),
        material_type=material_type,
        secondary_type=secondary,
        metadata=metadata,
        title=title[:1000],
        author="; ".join(format_names(names).splitlines())[:1000],
        fields=fields,
        status=CITATION_STATUSES.get(status.lower()) if status else None,
        tag_ids=tag_ids,
    )


def citation_csl(
    raw: dict[str, str], material_type: str, csl_type: str | None = None
) -> dict[str, Any]:
    """The CSL-JSON record of a loader row (pure: no database)."""
    get = raw.get
    chapter_title = get("citation_chapter_title", "") or get(
        "rlterms_chapter_title", ""
    )
    title = get("citation_title", "")
    container = get("citation_journal_title", "")
    author = get("citation_author", "")
    container_author = ""
    if material_type == MaterialType.BOOK_CHAPTER and chapter_title:
        title, container = chapter_title, title or container
        if get("citation_chapter_author"):
            author, container_author = get("citation_chapter_author", ""), author
    pages = get("citation_pages", "")
    if not pages and get("citation_start_page"):
        pages = get("citation_start_page", "")
        if get("citation_end_page"):
            pages += "-" + get("citation_end_page", "")
    sources = [get("citation_source", "")] + [
        get(f"citation_source{n}", "") for n in range(1, 11)
    ]
    sources = [s for s in sources if s]
    csl = csl_from_fields(
        material_type,
        {
            "title": title,
            "container-title": container,
            "author": author,
            "editor": get("editor", ""),
            "issued": get("citation_publication_date", ""),
            "edition": get("citation_edition", ""),
            "ISBN": get("citation_isbn", ""),
            "ISSN": get("citation_issn", ""),
            "publisher": get("citation_publisher", ""),
            "publisher-place": get("citation_place_of_publication", ""),
            "volume": get("citation_volume", ""),
            "issue": get("citation_issue", ""),
            "page": pages,
            "DOI": get("citation_doi", ""),
            "chapter-number": get("citation_chapter", ""),
            "URL": sources[0] if sources else "",
            "note": get("citation_note", ""),
            "OCLC": get("citation_oclc", ""),
            "LCCN": get("citation_lccn", ""),
        },
    )
    if csl_type:
        csl["type"] = csl_type
    if container_author:
        csl["container-author"] = parse_names(container_author)
    extra = {
        "mms_id": get("citation_mms_id", ""),
        "original_system_id": get("citation_original_system_id", ""),
        "additional_person_name": get("additional_person_name", ""),
        "file_name": get("file_name", ""),
    }
    lectio: dict[str, Any] = {k: v for k, v in extra.items() if v}
    if len(sources) > 1:
        lectio["links"] = sources[1:]
    if lectio:
        csl.setdefault("lectio", {}).update(lectio)
    return csl


# --- the plan -----------------------------------------------------------------------


def _agree(
    target: dict[str, Any],
    lines: dict[str, int],
    wanted: dict[str, Any],
    line: int,
    what: str,
) -> str | None:
    """Takes the values of `wanted` not yet given; a different value for one given
    on an earlier line is a problem."""
    for name, value in wanted.items():
        if name in target and target[name] != value:
            return (
                f"{what} {name.replace('_id', '').replace('_', ' ')} differs from "
                f"line {lines[name]}"
            )
    for name, value in wanted.items():
        if name not in target:
            target[name] = value
            lines[name] = line
    return None


def _plan(
    rows: list[_Row],
    state: _State,
    rules: list[CitationStatusRule],
    style: str,
    result: LoadResult,
) -> dict[str, _ListPlan]:
    plans: dict[str, _ListPlan] = {}
    # Citations without an external id, by (list, section key, title, author, type):
    # the existing ones not yet matched, in order.
    unmatched: dict[str, dict[tuple[str, str, str, str], list[dict[str, Any]]]] = {}
    for row in rows:
        plan = plans.get(row.list_code)
        if plan is None:
            existing = state.lists.get(row.list_code)
            plan = _ListPlan(row.list_code, existing, row.line)
            plans[row.list_code] = plan
            unmatched[row.list_code] = _unmatched(plan, state)
        problem = _agree(plan.fields, plan.lines, row.list_fields, row.line, "list")
        section_key = row.section_name
        section: _SectionPlan | None = None
        if problem is None:
            section = plan.sections.get(section_key)
            if section is None:
                section = _SectionPlan(
                    row.section_name, _find_section(plan, state, section_key)
                )
                section.first_line = row.line
            problem = _agree(
                section.fields, section.lines, row.section_fields, row.line, "section"
            )
        citation: _CitationPlan | None = None
        if problem is None and row.citation is not None:
            ext = row.citation.external_id
            if ext and ext in plan.by_external:
                problem = (
                    f"external_system_id {ext} appears already on line "
                    f"{plan.by_external[ext]} for list {plan.code}"
                )
            else:
                citation = _CitationPlan(
                    row, section_key, _match(plan, state, unmatched, row, section_key)
                )
        if problem is not None or section is None:
            result.reject(row.line, problem or "", row.list_code)
            continue
        plan.sections.setdefault(section_key, section)
        if row.course_id is not None:
            plan.course_ids.add(row.course_id)
        for owner in row.owners:
            plan.owners.setdefault(owner, row.line)
        if citation is not None:
            if row.citation and row.citation.external_id:
                plan.by_external[row.citation.external_id] = row.line
            plan.citations.append(citation)

    for plan in plans.values():
        _settle_list(plan, state)
        for section in plan.sections.values():
            _settle_section(section)
        for citation in plan.citations:
            _settle_citation(citation, plan, state, rules, style)
    return plans


def _unmatched(
    plan: _ListPlan, state: _State
) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    if plan.existing is None:
        return out
    sections = {s["pk"]: s for s in state.sections.get(plan.existing["pk"], [])}
    default = _default_section(state.sections.get(plan.existing["pk"], []))
    for citation in state.citations.get(plan.existing["pk"], []):
        if citation["external_id"]:
            continue
        section = sections.get(citation["section_id"])
        name = section["name"] if section else ""
        keys = {name}
        if default is not None and citation["section_id"] == default["pk"]:
            keys.add("")
        secondary = citation["secondary_type"] or IMPLIED_SECONDARY.get(
            citation["material_type"], ""
        )
        for key in keys:
            out[(key, citation["title"], citation["author"], secondary)].append(
                citation
            )
    return out


def _default_section(sections: list[dict[str, Any]]) -> dict[str, Any] | None:
    for section in sections:
        if section["is_default"]:
            return section
    return sections[0] if sections else None


def _find_section(plan: _ListPlan, state: _State, key: str) -> dict[str, Any] | None:
    if plan.existing is None:
        return None
    sections = state.sections.get(plan.existing["pk"], [])
    if not key:
        return _default_section(sections)
    for section in sections:
        if section["name"] == key:
            return section
    return None


def _match(
    plan: _ListPlan,
    state: _State,
    unmatched: dict[str, dict[tuple[str, str, str, str], list[dict[str, Any]]]],
    row: _Row,
    section_key: str,
) -> dict[str, Any] | None:
    assert row.citation is not None
    if plan.existing is None:
        return None
    if row.citation.external_id:
        for citation in state.citations.get(plan.existing["pk"], []):
            if citation["external_id"] == row.citation.external_id:
                return citation
        return None
    queue = unmatched[plan.code].get(
        (
            section_key,
            row.citation.title,
            row.citation.author,
            row.citation.secondary_type,
        )
    )
    if queue:
        found = queue.pop(0)
        # A citation of the default section is queued under its name and "" too.
        for other in unmatched[plan.code].values():
            if other is not queue and found in other:
                other.remove(found)
        return found
    return None


def _settle_list(plan: _ListPlan, state: _State) -> None:
    existing = plan.existing
    if existing is None:
        plan.fields.setdefault("name", plan.code)
        plan.new_courses = set(plan.course_ids)
        plan.new_owners = list(plan.owners)
        return
    plan.changed = [
        name
        for name, value in plan.fields.items()
        if name in LIST_FIELDS and existing.get(name) != value
    ]
    linked = state.list_courses.get(existing["pk"], set())
    plan.new_courses = plan.course_ids - linked
    rights = state.collaborators.get(existing["pk"], {})
    plan.new_owners = [
        key
        for key in plan.owners
        if key not in state.users
        or rights.get(state.users[key].pk) != CollaboratorRight.OWNER
    ]


def _settle_section(section: _SectionPlan) -> None:
    if section.existing is None:
        return
    section.pk = section.existing["pk"]
    section.changed = [
        name
        for name, value in section.fields.items()
        if section.existing.get(name) != value
    ]


def _settle_citation(
    citation: _CitationPlan,
    plan: _ListPlan,
    state: _State,
    rules: list[CitationStatusRule],
    style: str,
) -> None:
    data = citation.row.citation
    assert data is not None
    existing = citation.existing
    values: dict[str, Any] = {
        "material_type": data.material_type,
        "secondary_type": data.secondary_type,
        "title": data.title,
        "author": data.author,
        "external_id": data.external_id,
        **data.fields,
    }
    if existing is None:
        values["metadata"] = data.metadata
        values["status"] = data.status or _initial_status(
            plan, data.material_type, data.metadata, rules
        )
        citation.values = values
        citation.render = True
        return
    values["metadata"] = _merge(existing["metadata"] or {}, data.metadata)
    if data.status:
        values["status"] = data.status
    if not data.external_id:
        values.pop("external_id")
    section = plan.sections[citation.section_key]
    if section.existing is None or existing["section_id"] != section.existing["pk"]:
        values["section_id"] = None  # moves: filled in when the section exists
    citation.values = values
    citation.changed = [
        name
        for name, value in values.items()
        if name == "section_id" or existing.get(name) != value
    ]
    if data.tag_ids is not None:
        citation.tags_changed = data.tag_ids != state.citation_tags.get(
            existing["pk"], set()
        )
    citation.render = (
        "metadata" in citation.changed or existing["rendered_style"] != style
    )


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in old.items() if k not in MANAGED_CSL and k != "lectio"}
    merged.update({k: v for k, v in new.items() if k != "lectio"})
    lectio = {
        k: v for k, v in (old.get("lectio") or {}).items() if k not in MANAGED_LECTIO
    }
    lectio.update(new.get("lectio") or {})
    if lectio:
        merged["lectio"] = lectio
    return merged


def _initial_status(
    plan: _ListPlan,
    material_type: str,
    metadata: dict[str, Any],
    rules: list[CitationStatusRule],
) -> str:
    """As the services: the institution's rules, else a task for the library when
    the list is with it."""
    facts = availability_facts(metadata)
    for rule in rules:
        if rule.material_type and rule.material_type != material_type:
            continue
        if rule.availability and rule.availability not in facts:
            continue
        return rule.status
    status = plan.fields.get("status") or (plan.existing or {}).get("status")
    if status in WITH_LIBRARY and (
        InstitutionSettings.cached().send_updates_automatically
    ):
        return CitationStatus.READY_FOR_PROCESSING
    return CitationStatus.BEING_PREPARED


def _touched(plan: _ListPlan) -> bool:
    return bool(
        plan.existing is None
        or plan.changed
        or plan.new_courses
        or plan.new_owners
        or any(s.existing is None or s.changed for s in plan.sections.values())
        or any(
            c.existing is None or c.changed or c.tags_changed or c.render
            for c in plan.citations
        )
    )


def _count(plans: dict[str, _ListPlan], result: LoadResult) -> None:
    counts = result.counts
    for plan in plans.values():
        list_new = plan.existing is None
        list_changed = bool(plan.changed or plan.new_courses or plan.new_owners)
        counts[
            "lists_created"
            if list_new
            else "lists_updated"
            if _touched(plan)
            else "lists_unchanged"
        ] += 1
        seen_sections: set[str] = set()
        rows_with_citation = {c.row.line for c in plan.citations}
        for section in plan.sections.values():
            if section.existing is None:
                counts["sections_created"] += 1
            elif section.changed:
                counts["sections_updated"] += 1
        for citation in plan.citations:
            if citation.existing is None:
                outcome = "created"
            elif citation.changed or citation.tags_changed:
                outcome = "updated"
            else:
                outcome = "unchanged"
            counts[f"citations_{outcome}"] += 1
            counts[outcome] += 1
        # Rows without a citation: the first row of a section tells its outcome.
        for key, section in plan.sections.items():
            if section.first_line in rows_with_citation or key in seen_sections:
                continue
            seen_sections.add(key)
            if list_new or section.existing is None:
                counts["created"] += 1
            elif section.changed or (
                section.first_line == plan.first_line and list_changed
            ):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1


# --- formatting ---------------------------------------------------------------------


def _render(citations: list[_CitationPlan], style: str) -> None:
    """Formats each distinct record once; many records go to worker processes
    (citeproc is pure Python, several milliseconds a record)."""
    keys = {
        json.dumps(c.values["metadata"], sort_keys=True, ensure_ascii=False)
        for c in citations
    }
    ordered = sorted(keys)
    workers = int(
        getattr(settings, "LECTIO_RENDER_PROCESSES", min(os.cpu_count() or 1, 8))
    )
    records = [json.loads(key) for key in ordered]
    if len(ordered) >= PARALLEL_FROM and workers > 1:
        # The workers import only the formatting module (no Django), so they start
        # the same under the command line, the web server and the task worker.
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("spawn")
        ) as pool:
            rendered = list(
                pool.map(
                    render_citation_html,
                    records,
                    repeat(style),
                    chunksize=max(1, len(ordered) // (workers * 4)),
                )
            )
    else:
        rendered = [render_citation_html(record, style) for record in records]
    html = dict(zip(ordered, rendered, strict=True))
    for citation in citations:
        key = json.dumps(
            citation.values["metadata"], sort_keys=True, ensure_ascii=False
        )
        citation.values["rendered_html"] = html[key]
        citation.values["rendered_style"] = style
        if citation.existing is not None:
            for name in ("rendered_html", "rendered_style"):
                if citation.existing.get(name) != citation.values[name]:
                    citation.changed.append(name)


# --- writing ------------------------------------------------------------------------


def _check_unchanged(plans: dict[str, _ListPlan]) -> None:
    """The file was checked against the database outside this transaction; refuse
    if one of its lists changed since (or a new code was taken) rather than
    overwrite someone's edit."""
    existing = {p.existing["pk"]: p.existing for p in plans.values() if p.existing}
    found = 0
    for chunk in _chunks(existing):
        for pk, version, content in (
            ReadingList.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", "version", "content_version")
        ):
            found += 1
            if (version, content) != (
                existing[pk]["version"],
                existing[pk]["content_version"],
            ):
                raise _Stale(
                    f"the list {existing[pk]['code']} changed while the file was "
                    "being loaded; nothing was changed, load the file again"
                )
    if found != len(existing):
        raise _Stale("a list was deleted while the file was being loaded")
    new_codes = [p.code for p in plans.values() if p.existing is None]
    for chunk in _chunks(new_codes):
        taken = list(
            ReadingList.objects.filter(code__in=chunk).values_list("code", flat=True)[
                :1
            ]
        )
        if taken:
            raise _Stale(
                f"a list coded {taken[0]} was made while the file was being loaded; "
                "nothing was changed, load the file again"
            )


def _apply(
    plans: dict[str, _ListPlan], state: _State, style: str, options: LoadOptions
) -> None:
    actor = options.actor if getattr(options.actor, "pk", None) else None
    total = sum(len(p.citations) for p in plans.values())
    tick = Throttle(options.progress, max(total, 1))
    courses_by_id = dict(state.courses.values())
    touched: list[_ListPlan] = [p for p in plans.values() if _touched(p)]

    # Lists.
    new_lists = [p for p in touched if p.existing is None]
    for plan in new_lists:
        plan.fields.setdefault("status", ListStatus.BEING_PREPARED)
    objs = [
        ReadingList(
            code=plan.code,
            created_by=actor,
            processing_department_id=(
                courses_by_id.get(min(plan.course_ids)) if plan.course_ids else None
            ),
            **{k: v for k, v in plan.fields.items() if k in LIST_FIELDS},
        )
        for plan in new_lists
    ]
    ReadingList.objects.bulk_create(objs, batch_size=BATCH)
    ids: dict[str, int] = {}
    for chunk in _chunks(p.code for p in new_lists):
        ids.update(ReadingList.objects.filter(code__in=chunk).values_list("code", "pk"))
    for plan in new_lists:
        plan.pk = ids[plan.code]
    for plan in touched:
        if plan.existing is not None:
            plan.pk = plan.existing["pk"]
            if plan.changed:
                ReadingList.objects.filter(pk=plan.pk).update(
                    version=F("version") + 1,
                    **{name: plan.fields[name] for name in plan.changed},
                )
    link = ReadingList.courses.through
    link.objects.bulk_create(
        [
            link(readinglist_id=plan.pk, course_id=course_id)
            for plan in touched
            for course_id in sorted(plan.new_courses)
        ],
        batch_size=BATCH,
    )
    for plan in touched:
        rights = state.collaborators.get(plan.pk or 0, {}) if plan.existing else {}
        for key in plan.new_owners:
            user = state.users[key]
            if user.pk in rights:
                Collaborator.objects.filter(
                    reading_list_id=plan.pk, user_id=user.pk
                ).update(right=CollaboratorRight.OWNER)
            else:
                Collaborator.objects.create(
                    reading_list_id=plan.pk, user=user, right=CollaboratorRight.OWNER
                )
                rights[user.pk] = CollaboratorRight.OWNER

    # Sections: new ones after the list's last, in file order.
    for plan in touched:
        existing_sections = (
            state.sections.get(plan.pk or 0, []) if plan.existing else []
        )
        position = max((s["position"] for s in existing_sections), default=-1) + 1
        # A new list's default section: the rows' unnamed one, else one named like
        # the default, else one made below.
        default_key = (
            ""
            if "" in plan.sections or DEFAULT_SECTION_NAME not in plan.sections
            else DEFAULT_SECTION_NAME
        )
        for key, section in plan.sections.items():
            if section.existing is None:
                new_section = Section.objects.create(
                    reading_list_id=plan.pk,
                    name=section.name or DEFAULT_SECTION_NAME,
                    is_default=not existing_sections and key == default_key,
                    position=position,
                    **section.fields,
                )
                position += 1
                section.pk = new_section.pk
            elif section.changed:
                assert section.pk is not None
                Section.objects.filter(pk=section.pk).update(
                    version=F("version") + 1,
                    **{name: section.fields[name] for name in section.changed},
                )
        if plan.existing is None and default_key not in plan.sections:
            # Every list has a default section for items added without one.
            Section.objects.create(
                reading_list_id=plan.pk,
                name=DEFAULT_SECTION_NAME,
                is_default=True,
                position=position,
            )

    # Citations.
    last_position: dict[int, int] = {}
    if any(p.existing for p in touched):
        for plan in touched:
            for old in state.citations.get(plan.pk or 0, []) if plan.existing else []:
                sid = old["section_id"]
                last_position[sid] = max(last_position.get(sid, -1), old["position"])
    creates: list[tuple[_CitationPlan, Citation]] = []
    updates: list[tuple[_CitationPlan, dict[str, Any]]] = []
    done = 0
    for plan in touched:
        for citation in plan.citations:
            section_pk = plan.sections[citation.section_key].pk
            assert section_pk is not None
            done += 1
            if citation.existing is None:
                position = last_position.get(section_pk, -1) + 1
                last_position[section_pk] = position
                creates.append(
                    (
                        citation,
                        Citation(
                            reading_list_id=plan.pk,
                            section_id=section_pk,
                            position=position,
                            created_by=actor,
                            **citation.values,
                        ),
                    )
                )
                continue
            fields = {
                name: citation.values[name]
                for name in citation.changed
                if name != "section_id"
            }
            if "section_id" in citation.changed:
                if section_pk == citation.existing["section_id"]:
                    citation.changed.remove("section_id")
                else:
                    position = last_position.get(section_pk, -1) + 1
                    last_position[section_pk] = position
                    fields["section_id"] = section_pk
                    fields["position"] = position
            if fields:
                updates.append((citation, fields))
            tick(done)
    made = Citation.objects.bulk_create([c for _p, c in creates], batch_size=BATCH)
    tags = Citation.tags.through
    links = []
    for (citation, _obj), obj in zip(creates, made, strict=True):
        assert obj.pk is not None, "the database did not return the new ids"
        for tag_id in sorted(citation.row.citation.tag_ids or ()):  # type: ignore[union-attr]
            links.append(tags(citation_id=obj.pk, tag_id=tag_id))
    now = timezone.now()
    for citation, fields in updates:
        assert citation.existing is not None
        Citation.objects.filter(pk=citation.existing["pk"]).update(
            version=F("version") + 1, updated_at=now, **fields
        )
    for plan in touched:
        for citation in plan.citations:
            if citation.existing is None or not citation.tags_changed:
                continue
            pk = citation.existing["pk"]
            tags.objects.filter(
                citation_id=pk, tag_id__in=state.public_tag_ids
            ).delete()
            for tag_id in sorted(citation.row.citation.tag_ids or ()):  # type: ignore[union-attr]
                links.append(tags(citation_id=pk, tag_id=tag_id))
    tags.objects.bulk_create(links, batch_size=BATCH)
    tick(total)

    # Readers' cached views refresh; one audit event a list.
    for chunk in _chunks(p.pk for p in touched):
        ReadingList.objects.filter(pk__in=chunk).update(
            content_version=F("content_version") + 1, updated_at=now
        )
        content_changed(list(chunk))
    Event.objects.bulk_create(
        [_event(plan, actor, options.file_name) for plan in touched], batch_size=BATCH
    )


def _event(plan: _ListPlan, actor: User | None, file_name: str) -> Event:
    citations = {
        "created": sum(1 for c in plan.citations if c.existing is None),
        "updated": sum(
            1
            for c in plan.citations
            if c.existing is not None and (c.changed or c.tags_changed)
        ),
    }
    sections = sum(1 for s in plan.sections.values() if s.existing is None)
    params = {
        "file": file_name,
        "citations_created": citations["created"],
        "citations_updated": citations["updated"],
        "sections_created": sections,
        "changed": plan.changed,
        "courses_added": sorted(plan.new_courses),
        "owners_added": plan.new_owners,
    }
    if plan.existing is None:
        verb = "list.create"
        summary = (
            f"Created the list “{plan.fields.get('name', plan.code)}” from a "
            f"reading-list file ({citations['created']} citations)"
        )
    else:
        verb = "list.load"
        summary = (
            f"Loaded from a reading-list file: {citations['created']} citations "
            f"added, {citations['updated']} changed, {sections} sections added"
        )
    return Event(
        actor_id=actor.pk if actor is not None else None,
        verb=verb,
        target_type="list",
        target_id=plan.pk,
        list_id=plan.pk,
        summary=summary[:500],
        params=params,
    )
