"""Reading Alma citation objects (and their tags) into the arguments of Lectio's
citation services: material type, CSL-JSON metadata, notes, tags, section."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from lectio.api.alma import codes, inputs
from lectio.api.alma.errors import bad_input
from lectio.lists.models import MaterialType, Tag, TagKind
from lectio.lists.services import CSL_TYPES, parse_names

CITATION_FIELDS = (
    "id",
    "link",
    "status",
    "copyrights_status",
    "type",
    "secondary_type",
    "leganto_permalink",
    "file_link",
    "public_note",
    "instructor_note",
    "note",
    "license_type",
    "due_date",
    "last_modified_date",
    "external_id",
    "citation_tags",
    "section_info",
    "metadata",
)
METADATA_FIELDS = (
    "title",
    "article_title",
    "journal_title",
    "chapter_title",
    "author",
    "chapter_author",
    "editor",
    "publisher",
    "place_of_publication",
    "publication_date",
    "year",
    "edition",
    "isbn",
    "issn",
    "doi",
    "oclc",
    "lccn",
    "volume",
    "issue",
    "chapter",
    "pages",
    "start_page",
    "end_page",
    "source",
    "note",
    "mms_id",
    "additional_person_name",
    "call_number",
)
SECTION_FIELDS = ("id", "name", "description", "visibility")
# Straight copies from Alma's metadata to CSL-JSON.
COPIED = {
    "publisher": "publisher",
    "place_of_publication": "publisher-place",
    "edition": "edition",
    "isbn": "ISBN",
    "issn": "ISSN",
    "doi": "DOI",
    "volume": "volume",
    "issue": "issue",
    "chapter": "chapter-number",
    "source": "URL",
    "note": "note",
}


@dataclass
class CitationValues:
    material_type: str
    metadata: dict[str, Any]
    status: str | None = None
    public_note: str = ""
    instructor_note: str = ""
    due_date: datetime.date | None = None
    secondary_type: str = ""
    tags: list[Tag] | None = None  # None: the object named no tags
    section_id: int | None = None
    section_name: str = ""


def _material_type(data: dict[str, Any]) -> str:
    secondary = inputs.choice(
        data,
        "secondary_type",
        codes.SECONDARY_TYPE_IN,
        shown=codes.SECONDARY_TYPE.values(),
    )
    if secondary:
        return secondary
    broad = inputs.scalar(data, "type")
    if not broad:
        return MaterialType.BOOK
    broad = broad.upper()
    if broad == "CR":
        return MaterialType.ARTICLE
    if broad == "BK":
        return MaterialType.BOOK
    found = codes.SECONDARY_TYPE_IN.get(broad)
    if found is None:
        raise bad_input("type", f"unknown value “{broad}” (one of BK, CR).")
    return found


def _date_parts(text: str) -> dict[str, Any]:
    parts = text.replace("/", "-").split("-")
    if all(p.isdigit() for p in parts) and 1 <= len(parts) <= 3:
        return {"date-parts": [[int(p) for p in parts]]}
    return {"literal": text}


def read_metadata(material_type: str, data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("metadata")
    if raw is None or raw == "":
        raw = {}
    if not isinstance(raw, dict):
        raise bad_input("metadata", "expected an object.")
    inputs.check_keys(raw, METADATA_FIELDS, where="metadata")

    def get(key: str) -> str:
        return inputs.text(raw, key, max_length=2000, where="metadata")

    chapter = material_type == MaterialType.BOOK_CHAPTER
    article = material_type in codes.ARTICLE_TYPES
    csl: dict[str, Any] = {"type": CSL_TYPES.get(material_type, "document")}
    if chapter and get("chapter_title"):
        title, container = get("chapter_title"), get("title")
    elif article:
        title, container = get("article_title") or get("title"), get("journal_title")
    else:
        title, container = get("title") or get("article_title"), get("journal_title")
    if not title:
        raise bad_input("metadata.title", "required.")
    csl["title"] = title
    if container:
        csl["container-title"] = container
    for alma_key, csl_key in COPIED.items():
        if get(alma_key):
            csl[csl_key] = get(alma_key)
    authors = parse_names(get("author") or (get("chapter_author") if chapter else ""))
    if authors:
        csl["author"] = authors
    editors = parse_names(get("editor"))
    if editors:
        csl["editor"] = editors
    issued = get("publication_date") or get("year")
    if issued:
        csl["issued"] = _date_parts(issued)
    pages = get("pages")
    if not pages and get("start_page"):
        pages = "-".join(p for p in (get("start_page"), get("end_page")) if p)
    if pages:
        csl["page"] = pages
    for key in ("oclc", "lccn"):
        if get(key):
            csl.setdefault("lectio", {})[key.upper()] = get(key)
    return csl


def read_tags(items: list[Any], where: str = "citation_tags") -> list[Tag]:
    wanted: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            item = {"value": item}
        inputs.check_keys(item, ("type", "value"), where=f"{where}.citation_tag")
        kind = inputs.choice(
            item,
            "type",
            codes.TAG_KIND_IN,
            shown=codes.TAG_KIND.values(),
            where=f"{where}.citation_tag",
        )
        name = inputs.scalar(item, "value", where=f"{where}.citation_tag")
        if not name:
            raise bad_input(f"{where}.citation_tag.value", "required.")
        wanted.append((kind or TagKind.PUBLIC, name))
    tags = {(t.kind, t.name.lower()): t for t in Tag.objects.all()}
    out = []
    for kind, name in wanted:
        tag = tags.get((kind, name.lower()))
        if tag is None:
            raise bad_input(
                f"{where}.citation_tag.value",
                f"unknown tag “{name}” of type {codes.TAG_KIND[TagKind(kind)]}.",
            )
        if tag not in out:
            out.append(tag)
    return out


def read_citation(data: dict[str, Any]) -> CitationValues:
    inputs.check_keys(data, CITATION_FIELDS)
    material_type = _material_type(data)
    status = inputs.choice(
        data,
        "status",
        codes.CITATION_STATUS_IN,
        shown=codes.CITATION_STATUS_IN.values(),
    )
    # Copyright status is the library's (its workflow and rules); read, checked, kept.
    inputs.choice(
        data, "copyrights_status", codes.COPYRIGHT_IN, shown=codes.COPYRIGHT.values()
    )
    values = CitationValues(
        material_type=material_type,
        metadata=read_metadata(material_type, data),
        status=status,
        public_note=inputs.text(data, "public_note", max_length=5000),
        instructor_note=inputs.text(data, "instructor_note", max_length=5000),
        due_date=inputs.date_value(data, "due_date"),
        secondary_type=codes.SECONDARY_TYPE[MaterialType(material_type)],
    )
    if "citation_tags" in data:
        values.tags = read_tags(inputs.unwrap(data, "citation_tags", "citation_tag"))
    section = data.get("section_info")
    if section not in (None, ""):
        if not isinstance(section, dict):
            raise bad_input("section_info", "expected an object with id or name.")
        inputs.check_keys(section, SECTION_FIELDS, where="section_info")
        section_id = inputs.scalar(section, "id", where="section_info")
        if section_id:
            if not section_id.isdigit():
                raise bad_input("section_info.id", f"“{section_id}” is not an id.")
            values.section_id = int(section_id)
        else:
            values.section_name = inputs.text(
                section, "name", max_length=300, where="section_info"
            )
    return values
