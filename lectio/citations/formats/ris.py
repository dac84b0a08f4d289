"""RIS (EndNote, Zotero, Mendeley, databases): read with rispy's line reader, mapped
to CSL-JSON by the tables below; written back with the same tables.

A tag means different things in different reference types (EndNote's RIS
definition: A2 is the editor of a chapter's book but the series editor of a
book; SP is the pages of an article but the page count of a book), so the
mapping is a default table with per-type exceptions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from rispy import RisParser

from lectio.citations.formats.common import (
    NAME_ROLES,
    Entry,
    EntryError,
    ParseResult,
    clean_record,
    csl_type_for,
    date_text,
    decode,
    doi_from_link,
    file_error,
    looks_binary,
    material_from_csl,
    name_text,
    parse_date,
    split_name,
    too_big,
)
from lectio.lists.models import MaterialType

# RIS reference type -> CSL type.
RIS_TYPES: dict[str, str] = {
    "ABST": "article-journal",
    "AGGR": "document",
    "ANCIENT": "classic",
    "ART": "graphic",
    "ADVS": "motion_picture",
    "BILL": "bill",
    "BLOG": "post-weblog",
    "BOOK": "book",
    "CASE": "legal_case",
    "CHAP": "chapter",
    "CHART": "graphic",
    "CLSWK": "classic",
    "COMP": "software",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "CTLG": "document",
    "DATA": "dataset",
    "DBASE": "dataset",
    "DICT": "entry-dictionary",
    "EBOOK": "book",
    "ECHAP": "chapter",
    "EDBOOK": "book",
    "EJOUR": "article-journal",
    "ELEC": "webpage",
    "ENCYC": "entry-encyclopedia",
    "EQUA": "document",
    "FIGURE": "graphic",
    "GEN": "document",
    "GOVDOC": "report",
    "GRANT": "document",
    "HEAR": "hearing",
    "ICOMM": "personal_communication",
    "INPR": "article-journal",
    "JFULL": "periodical",
    "JOUR": "article-journal",
    "LEGAL": "legislation",
    "MANSCPT": "manuscript",
    "MAP": "map",
    "MGZN": "article-magazine",
    "MPCT": "motion_picture",
    "MULTI": "motion_picture",
    "MUSIC": "song",
    "NEWS": "article-newspaper",
    "PAMP": "pamphlet",
    "PAT": "patent",
    "PCOMM": "personal_communication",
    "RPRT": "report",
    "SER": "book",
    "SLIDE": "speech",
    "SOUND": "song",
    "STAND": "standard",
    "STAT": "legislation",
    "THES": "thesis",
    "UNBILL": "bill",
    "UNPB": "manuscript",
    "VIDEO": "motion_picture",
    "WEB": "webpage",
}
# What RIS type a CSL type is written as.
CSL_TO_RIS: dict[str, str] = {
    "article": "JOUR",
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "review": "JOUR",
    "review-book": "JOUR",
    "periodical": "JFULL",
    "book": "BOOK",
    "classic": "CLSWK",
    "chapter": "CHAP",
    "entry": "CHAP",
    "entry-dictionary": "DICT",
    "entry-encyclopedia": "ENCYC",
    "thesis": "THES",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "standard": "STAND",
    "webpage": "ELEC",
    "post": "BLOG",
    "post-weblog": "BLOG",
    "motion_picture": "VIDEO",
    "broadcast": "VIDEO",
    "song": "SOUND",
    "legislation": "STAT",
    "legal_case": "CASE",
    "bill": "BILL",
    "hearing": "HEAR",
    "patent": "PAT",
    "manuscript": "MANSCPT",
    "map": "MAP",
    "graphic": "ART",
    "dataset": "DATA",
    "software": "COMP",
    "personal_communication": "PCOMM",
    "pamphlet": "PAMP",
    "speech": "SLIDE",
    "document": "GEN",
}
# Types whose primary creators (AU, A1) are CSL "director" or "composer".
_PRIMARY_ROLE = {
    "EDBOOK": "editor",
    "MUSIC": "composer",
    "SOUND": "composer",
}
# Secondary creator tags: the default meaning, then per-type exceptions. None: a
# role Lectio does not keep (performer, producer, counsel, sponsor of a paper...).
_ROLES_DEFAULT = {"A2": "editor", "A3": "collection-editor", "A4": "translator"}
_ROLES: dict[str, dict[str, str | None]] = {
    "BOOK": {"A2": "collection-editor", "A3": "editor"},
    "EDBOOK": {"A2": "collection-editor", "A3": None},
    "CLSWK": {"A2": "collection-editor"},
    "COMP": {"A2": "collection-editor"},
    "MAP": {"A2": "collection-editor"},
    "RPRT": {"A2": "collection-editor", "A3": None, "A4": None},
    "UNPB": {"A2": "collection-editor"},
    "WEB": {"A2": "collection-editor"},
    "ELEC": {"A2": "collection-editor"},
    "MULTI": {"A2": "collection-editor"},
    "ADVS": {"A2": None, "A3": None, "A4": None},
    "MPCT": {"A2": None, "A3": None, "A4": None},
    "VIDEO": {"A2": None, "A3": None, "A4": None},
    "MUSIC": {"A2": "author", "A3": "collection-editor", "A4": None},
    "SOUND": {"A2": "author", "A3": None, "A4": None},
    "BILL": {"A2": "author"},
    # A2 of a case is the law report it is printed in (read as its container).
    "CASE": {"A2": None, "A3": None, "A4": None},
    "PAT": {"A2": None, "A3": None},
    "THES": {"A2": None, "A3": None},
    "CONF": {"A4": None},
    "DATA": {"A2": None, "A4": None},
    "PCOMM": {"A2": "recipient"},
    "ICOMM": {"A2": "recipient"},
    "CTLG": {"A2": None},
    "PAMP": {"A2": None},
    "LEGAL": {"A2": None},
    "GOVDOC": {"A2": None},
    "CHART": {"A2": None},
    "EQUA": {"A2": None},
    "FIGURE": {"A2": None},
    "BLOG": {"A3": None},
    "SER": {"A4": None},
    "GEN": {"A3": None},
}
# Types where T2 is a series, not the work the item is part of.
_T2_IS_SERIES = {
    "BOOK",
    "EDBOOK",
    "EBOOK",
    "CLSWK",
    "COMP",
    "CTLG",
    "MAP",
    "MPCT",
    "MULTI",
    "RPRT",
    "SER",
    "UNPB",
    "WEB",
    "ELEC",
    "CHART",
    "EQUA",
    "FIGURE",
    "THES",
    "ADVS",
    "CONF",
    "CPAPER",
}
# Types where SP is not the pages of the item (a page count, a description, a
# running time), so it goes to "number-of-pages" or is dropped.
_SP_IS_COUNT = {"BOOK", "EDBOOK", "EBOOK", "CLSWK", "THES", "MANSCPT", "SER"}
_SP_NOT_PAGES = {
    "ART",
    "BLOG",
    "CHART",
    "COMP",
    "EQUA",
    "FIGURE",
    "MAP",
    "MPCT",
    "WEB",
    "ELEC",
    "ADVS",
}
# Types where VL is not a volume.
_VL_NOT_VOLUME = {
    "BLOG",
    "WEB",
    "ELEC",
    "COMP",
    "THES",
    "CHART",
    "EQUA",
    "FIGURE",
    "PAT",
    "ART",
    "HEAR",
    "ADVS",
}
# Types where M1 is the issue.
_M1_IS_ISSUE = {"JOUR", "EJOUR", "GRANT", "GEN", "CPAPER", "CONF"}
# Types where ET is the edition (elsewhere a date, a session, a version...).
_ET_NOT_EDITION = {
    "AGGR",
    "DBASE",
    "JOUR",
    "BILL",
    "HEAR",
    "CASE",
    "CHART",
    "EQUA",
    "FIGURE",
    "COMP",
    "DATA",
    "GRANT",
    "MANSCPT",
    "PCOMM",
}
# Types where CY is not a place.
_CY_NOT_PLACE = {"CASE", "BILL", "CONF", "CPAPER"}
_DA_ACCESSED = {"AGGR", "CASE", "DBASE", "EJOUR", "EBOOK", "MULTI"}
# Types where NV is the number of volumes (elsewhere a frequency, a catalog or
# session number, a version...); a chapter gives it in M1.
_NV_IS_VOLUMES = {
    "ANCIENT",
    "BOOK",
    "CLSWK",
    "CONF",
    "DICT",
    "ECHAP",
    "EDBOOK",
    "ENCYC",
    "GEN",
    "HEAR",
    "MUSIC",
    "SER",
}
# Types where M1 is the volume in the series (SV elsewhere; a case's SV is its
# docket number).
_M1_IS_SERIES_VOLUME = {"BOOK", "CLSWK", "CTLG", "ECHAP", "EDBOOK", "PAMP", "SER"}
_KEYWORD_TAGS = ("KW",)
_NOTE_TAGS = ("N1",)
_ABSTRACT_TAGS = ("AB", "N2")
_END = "ER"
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?:\s(.*))?\s*$")


class _TagReader(RisParser):
    """rispy's record loop, keeping every tag as written (a list of values in file
    order) and continuation lines joined to the value they continue."""

    DEFAULT_MAPPING: ClassVar[dict[str, str]] = {"TY": "TY"}  # type: ignore[misc]

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        match = _TAG_LINE.match(line.rstrip("\r"))
        if match:
            return match.group(1), (match.group(2) or "").strip()
        return None, line.strip()

    def _add_tag(
        self,
        record: dict,
        tag: str | None,
        content: str,
        extend_multiline: bool = False,
    ) -> None:
        pairs = record.setdefault("_pairs", [])
        if extend_multiline or tag is None:
            if content and pairs:
                pairs[-1][1] = f"{pairs[-1][1]}\n{content}"
            return
        pairs.append([tag, content])


def parse_bytes(data: bytes) -> ParseResult:
    return parse(decode(data))


def parse(text: str) -> ParseResult:
    """The entries of a RIS file; each broken entry (no type line, no end line,
    nothing usable) is an error with its number and line, the rest still come."""
    try:
        return _parse(text)
    except Exception as exc:  # noqa: BLE001 - a file must never break the import
        return file_error(f"the file could not be read as RIS ({type(exc).__name__})")


def _parse(text: str) -> ParseResult:
    if (result := too_big(text)) is not None:
        return result
    if looks_binary(text):
        return file_error("this is not a text file")
    text = text.lstrip("\ufeff")
    result = ParseResult()
    records = list(_records(text.splitlines()))
    if not records:
        return file_error(
            "no RIS entries found: a RIS file has entries that start with a "
            '"TY  - " line and end with an "ER  - " line'
        )
    reader = _TagReader()
    for number, (line, lines, complete) in enumerate(records, start=1):
        source = "\n".join(lines)
        if not complete:
            result.errors.append(
                EntryError(
                    number=number,
                    line=line,
                    reason='the entry has no end line ("ER  - "); the file may be cut short',
                )
            )
            continue
        parsed = reader.parse_lines(iter(lines))
        pairs: list[list[str]] = parsed[0].get("_pairs", []) if parsed else []
        ris_type = ""
        if parsed:
            ris_type = str(parsed[0].get("TY") or "").strip().upper()
        csl = _csl(ris_type, pairs)
        if not any(
            csl.get(k) for k in ("title", "container-title", "author", "editor")
        ):
            result.errors.append(
                EntryError(
                    number=number,
                    line=line,
                    reason="the entry has no title, journal, author or editor",
                )
            )
            continue
        material = _material(ris_type, csl)
        result.entries.append(
            Entry(material_type=material, csl=csl, source=source, line=line)
        )
    return result


def _records(lines: list[str]) -> Iterable[tuple[int, list[str], bool]]:
    """(first line number, lines, ended with ER) for each TY ... ER record."""
    current: list[str] | None = None
    start = 0
    for number, raw in enumerate(lines, start=1):
        match = _TAG_LINE.match(raw.rstrip("\r"))
        tag = match.group(1) if match else None
        if tag == "TY":
            if current is not None:
                yield start, current, False
            current, start = [raw], number
        elif current is not None:
            current.append(raw)
            if tag == _END:
                yield start, current, True
                current = None
    if current is not None:
        yield start, current, False


def _material(ris_type: str, csl: dict[str, Any]) -> str:
    if ris_type == "EBOOK":
        return MaterialType.EBOOK
    if ris_type == "JFULL":
        return MaterialType.JOURNAL
    return material_from_csl(str(csl.get("type")))


def _first(tags: dict[str, list[str]], *names: str) -> str:
    for name in names:
        for value in tags.get(name, []):
            value = " ".join(value.split())
            if value:
                return value
    return ""


def _csl(ris_type: str, pairs: list[list[str]]) -> dict[str, Any]:
    tags: dict[str, list[str]] = {}
    for tag, value in pairs:
        tags.setdefault(tag, []).append(value)
    csl: dict[str, Any] = {"type": RIS_TYPES.get(ris_type, "document")}
    t2_series = ris_type in _T2_IS_SERIES
    csl["title"] = _first(tags, "TI", "T1", "CT") or (
        _first(tags, "BT") if ris_type in ("BOOK", "EBOOK", "EDBOOK") else ""
    )
    if ris_type in ("CONF", "CPAPER"):
        # T2 names the conference; the proceedings are C3 (or BT in older files).
        csl["container-title"] = _first(tags, "C3", "BT")
        csl["event-title"] = _first(tags, "T2")
        csl["collection-title"] = _first(tags, "T3")
        csl["event-place"] = _first(tags, "CY")
        csl["publisher-place"] = _first(tags, "C1")
    elif ris_type in ("WEB", "ELEC"):
        csl["container-title"] = _first(tags, "J2", "JO", "JF", "JA")
        csl["collection-title"] = _first(tags, "T2", "T3")
    elif ris_type == "CASE":
        csl["container-title"] = _first(tags, "A2", "T2")
        csl["authority"] = _first(tags, "PB")
    elif ris_type == "BILL":
        # The code the bill amends: T2, or CY in Reference Manager's files.
        csl["container-title"] = _first(tags, "T2", "CY")
        csl["collection-title"] = _first(tags, "T3")
    elif t2_series:
        csl["container-title"] = ""
        csl["collection-title"] = _first(tags, "T2", "T3")
    else:
        csl["container-title"] = _first(tags, "T2", "JF", "JO", "BT", "JA", "J2")
        csl["collection-title"] = _first(tags, "T3")
    # Creators, in file order within each role.
    primary = _PRIMARY_ROLE.get(ris_type, "author")
    roles: dict[str, list[dict[str, str]]] = {}
    overrides = _ROLES.get(ris_type, {})
    for tag, value in pairs:
        if tag in ("AU", "A1"):
            role: str | None = primary
        elif tag == "ED":
            role = "editor"
        elif tag in _ROLES_DEFAULT:
            role = overrides.get(tag, _ROLES_DEFAULT[tag])
        else:
            continue
        if role is None:
            continue
        roles.setdefault(role, []).extend(_names(value))
    for role in NAME_ROLES:
        if role in roles:
            csl[role] = roles[role]
    # Dates: DA, then the deprecated Y1, then PY (the year alone). In a few types
    # DA is the day the user looked the item up, not when it was published.
    order = ("PY", "Y1") if ris_type in _DA_ACCESSED else ("DA", "Y1", "PY")
    issued = None
    for tag in order:
        for value in tags.get(tag, []):
            found = parse_date(value.strip(" /"))
            if found and "date-parts" in found and "literal" not in found:
                issued = found
                break
            if found and issued is None:
                issued = found
        if issued and "date-parts" in issued:
            break
    if issued:
        csl["issued"] = issued
    accessed_text = _first(tags, "Y2")
    if accessed_text:
        accessed = parse_date(accessed_text.strip("/"))
        if accessed and "date-parts" in accessed:
            csl["accessed"] = {"date-parts": accessed["date-parts"]}
    # Pages.
    start, end = _first(tags, "SP"), _first(tags, "EP")
    if ris_type in _SP_IS_COUNT:
        if start:
            csl["number-of-pages"] = start
        # EndNote puts the pages cited from a book in SE.
        start = _first(tags, "SE") if ris_type in ("BOOK", "EDBOOK") else ""
        end = ""
    elif ris_type in _SP_NOT_PAGES:
        start = ""
    if start:
        csl["page"] = f"{start}-{end}" if end and end != start else start
    if ris_type not in _VL_NOT_VOLUME:
        csl["volume"] = _first(tags, "VL")
    # A patent's IS is its number (read below), not an issue.
    csl["issue"] = (
        ""
        if ris_type == "PAT"
        else _first(tags, "IS")
        or (_first(tags, "M1") if ris_type in _M1_IS_ISSUE else "")
    )
    if ris_type not in _ET_NOT_EDITION:
        csl["edition"] = _first(tags, "ET")
    if ris_type != "CASE":
        csl["publisher"] = _first(tags, "PB")
    if ris_type not in _CY_NOT_PLACE:
        csl["publisher-place"] = _first(tags, "CY", "PP")
    if ris_type == "GEN" and (
        _first(tags, "JO", "JF", "JA", "J2")
        or (
            csl.get("container-title")
            and (csl.get("volume") or csl.get("issue"))
            and not any(_ISBN.match(" ".join(v.split())) for v in tags.get("SN", []))
        )
    ):
        # A generic record with a journal's name, or a container with a volume
        # or an issue and no ISBN, is an article (databases that write GEN for
        # everything).
        csl["type"] = "article-journal"
    # Identifiers: SN holds an ISBN for books and an ISSN for serials.
    serial = ris_type in _SERIAL_TYPES or csl["type"] == "article-journal"
    for value in tags.get("SN", []):
        _identifier(csl, value, ris_type, serial)
    csl["DOI"] = (
        _doi(_first(tags, "DO"))
        or _doi_in(tags.get("N1", []) + tags.get("M3", []))
        or next(
            (
                doi
                for tag in ("UR", "L1", "L2", "L3", "L4")
                for value in tags.get(tag, [])
                if (doi := doi_from_link(value))
            ),
            "",
        )
    )
    csl["URL"] = _first(tags, "UR", "L2")
    csl["language"] = _first(tags, "LA")
    csl["title-short"] = _first(tags, "ST")
    # H2 is a library's call number in Citavi's and union catalogues' files
    # (after H1, the library); CN is the standard tag.
    csl["call-number"] = _first(tags, "CN", "H2")
    csl["archive"] = _first(tags, "DB")
    if ris_type in _NV_IS_VOLUMES:
        csl["number-of-volumes"] = _first(tags, "NV")
    elif ris_type == "CHAP":
        csl["number-of-volumes"] = _first(tags, "M1")
    if ris_type != "CASE":
        csl["collection-number"] = _first(tags, "SV") or (
            _first(tags, "M1") if ris_type in _M1_IS_SERIES_VOLUME else ""
        )
    csl["abstract"] = "\n\n".join(
        " ".join(v.split())
        for t in _ABSTRACT_TAGS
        for v in tags.get(t, [])
        if v.strip()
    )
    keywords: list[str] = []
    for value in tags.get("KW", []):
        for word in value.splitlines():
            word = word.strip()
            if word and word not in keywords:
                keywords.append(word)
    csl["keyword"] = keywords
    notes = [v for v in tags.get("N1", []) if v.strip()]
    if any(_REFMAN_RECORD.match(n) for n in notes):
        notes = _refman_notes(ris_type, csl, tags, notes)
    csl["note"] = "\n".join(notes)
    if ris_type in ("CHAP", "ECHAP"):
        csl["chapter-number"] = _first(tags, "SE")
    if ris_type in ("THES", "RPRT"):
        csl["genre"] = _first(tags, "M3")
    if ris_type in ("RPRT", "PAT", "BILL", "GOVDOC", "STAND"):
        csl["number"] = _first(tags, "M1") if ris_type != "PAT" else _first(tags, "IS")
    return clean_record(csl)


# Reference Manager writes the fields its RIS has no tag for as labelled notes
# ("N1  - Volume ID: 12") and, in books and chapters, the edition in VL.
_REFMAN_RECORD = re.compile(r"^Record (ID|Number):", re.IGNORECASE)
_REFMAN_LABEL = re.compile(r"^([A-Za-z][A-Za-z ./]{2,40}):\s+(.+)$", re.DOTALL)
_REFMAN_FIELDS = {
    "volume id": "volume",
    "issue id": "issue",
    "proceedings title": "container-title",
    "place of publication": "publisher-place",
    "publisher name": "publisher",
    "edition": "edition",
    "series title": "collection-title",
    "isbn": "ISBN",
    "language": "language",
    "call number": "call-number",
    "series volume id": "collection-number",
}


def _refman_notes(
    ris_type: str, csl: dict[str, Any], tags: dict[str, list[str]], notes: list[str]
) -> list[str]:
    """Fields from Reference Manager's labelled notes; the notes it used are
    dropped, the others kept."""
    found: dict[str, str] = {}
    kept = []
    for note in notes:
        match = _REFMAN_LABEL.match(note.strip())
        key = _REFMAN_FIELDS.get(match.group(1).strip().lower()) if match else None
        if match and key:
            found.setdefault(key, " ".join(match.group(2).split()))
        elif not _REFMAN_RECORD.match(note):
            kept.append(note)
    if ris_type in ("BOOK", "CHAP"):
        # Its books keep the edition in VL and the volume in IS or a note.
        csl["edition"] = csl.get("edition") or _first(tags, "VL")
        csl["volume"] = found.pop("volume", "") or _first(tags, "IS")
        csl["issue"] = ""
    if ris_type in ("CONF", "CPAPER") and not csl.get("publisher-place"):
        # ... and a paper's place of publication in CY.
        csl["publisher-place"] = csl.pop("event-place", "")
    for key, value in found.items():
        if not csl.get(key):
            csl[key] = value
    return kept


def _names(value: str) -> list[dict[str, str]]:
    out = []
    for line in value.splitlines():
        name = split_name(line)
        if name:
            out.append(name)
    return out


_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_ISBN = re.compile(r"^(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]$")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_SERIAL_TYPES = {"JOUR", "JFULL", "MGZN", "NEWS", "EJOUR", "ABST", "INPR", "DATA"}


def _identifier(csl: dict[str, Any], value: str, ris_type: str, serial: bool) -> None:
    value = " ".join(value.split())
    if not value:
        return
    if _ISSN.match(value):
        key = "ISSN"
    elif _ISBN.match(value):
        key = "ISBN"
    else:
        key = "ISSN" if serial else "ISBN"
        if ris_type in ("RPRT", "PAT", "STAND", "DBASE"):
            csl.setdefault("number", value)
            return
    if not csl.get(key):
        csl[key] = value


def _doi(value: str) -> str:
    value = value.strip()
    match = _DOI.search(value)
    return match.group(0).rstrip(".,;") if match else ""


def _doi_in(values: list[str]) -> str:
    for value in values:
        if "doi" in value.lower():
            found = _doi(value)
            if found:
                return found
    return ""


# --- writing -------------------------------------------------------------------------


def dumps(entries: Iterable[Entry]) -> str:
    """RIS text for the entries (CRLF line ends would also do; LF is what
    Zotero and EndNote write on export)."""
    return "".join(_record(entry) for entry in entries)


def _record(entry: Entry) -> str:
    csl = entry.csl
    csl_type = str(csl.get("type") or csl_type_for(entry.material_type))
    ris_type = CSL_TO_RIS.get(csl_type, "GEN")
    if entry.material_type == MaterialType.EBOOK:
        ris_type = "EBOOK"
    elif entry.material_type == MaterialType.JOURNAL and ris_type == "JOUR":
        ris_type = "JFULL"
    lines = [("TY", ris_type)]
    add = lines.append
    primary = _PRIMARY_ROLE.get(ris_type, "author")
    overrides = _ROLES.get(ris_type, {})
    for name in csl.get(primary) or []:
        add(("AU", _one_line(name_text(name))))
    tag_for_role: dict[str, str] = {}
    for tag in ("A4", "A3", "A2"):
        role = overrides.get(tag, _ROLES_DEFAULT[tag])
        if role:
            tag_for_role[role] = tag
    for role in NAME_ROLES:
        if role == primary:
            continue
        name_tag = tag_for_role.get(role)
        if name_tag is None and role == "editor":
            name_tag = "ED"
        if name_tag is None:
            continue
        for name in csl.get(role) or []:
            add((name_tag, _one_line(name_text(name))))
    add(("TI", _one_line(csl.get("title"))))
    container = _one_line(csl.get("container-title"))
    series = _one_line(csl.get("collection-title"))
    if ris_type in ("CONF", "CPAPER"):
        add(("C3", container))
        add(("T2", _one_line(csl.get("event-title"))))
        add(("T3", series))
        add(("CY", _one_line(csl.get("event-place"))))
        add(("C1", _one_line(csl.get("publisher-place"))))
    elif ris_type in ("WEB", "ELEC"):
        add(("J2", container))
        add(("T2", series))
    elif ris_type == "CASE":
        add(("T2", container))
        add(("PB", _one_line(csl.get("authority"))))
    elif ris_type in _T2_IS_SERIES:
        add(("T2", series))
    else:
        add(("T2", container))
        add(("T3", series))
    issued = csl.get("issued")
    if issued:
        text = date_text(issued)
        parts = (
            (issued.get("date-parts") or [[]])[0] if isinstance(issued, dict) else []
        )
        if parts and not (isinstance(issued, dict) and issued.get("literal")):
            full = "/".join(str(p).zfill(2) for p in parts)
            full += "/" if len(parts) < 3 else ""
            if ris_type in _DA_ACCESSED:
                # DA of these types is when the item was looked at: the whole
                # date goes in PY.
                add(("PY", full))
            else:
                add(("PY", str(parts[0])))
                add(("DA", full))
        else:
            add(("PY", _one_line(text)))
    page = str(csl.get("page") or "")
    if page and ris_type not in _SP_IS_COUNT and ris_type not in _SP_NOT_PAGES:
        start, sep, end = page.partition("-")
        if not sep:
            start, sep, end = page.partition("–")
        add(("SP", start.strip()))
        if end.strip():
            add(("EP", end.strip()))
    if ris_type in _SP_IS_COUNT:
        add(("SP", _one_line(csl.get("number-of-pages"))))
        if ris_type in ("BOOK", "EDBOOK"):
            add(("SE", _one_line(page)))
    if ris_type not in _VL_NOT_VOLUME:
        add(("VL", _one_line(csl.get("volume"))))
    add(("IS", _one_line(csl.get("issue"))))
    if ris_type not in _ET_NOT_EDITION:
        add(("ET", _one_line(csl.get("edition"))))
    if ris_type != "CASE":
        add(("PB", _one_line(csl.get("publisher"))))
    if ris_type not in _CY_NOT_PLACE:
        add(("CY", _one_line(csl.get("publisher-place"))))
    add(("SN", _one_line(csl.get("ISBN"))))
    add(("SN", _one_line(csl.get("ISSN"))))
    add(("DO", _one_line(csl.get("DOI"))))
    add(("UR", _one_line(csl.get("URL"))))
    add(("LA", _one_line(csl.get("language"))))
    add(("ST", _one_line(csl.get("title-short"))))
    add(("CN", _one_line(csl.get("call-number"))))
    add(("DB", _one_line(csl.get("archive"))))
    if ris_type in _NV_IS_VOLUMES:
        add(("NV", _one_line(csl.get("number-of-volumes"))))
    elif ris_type == "CHAP":
        add(("M1", _one_line(csl.get("number-of-volumes"))))
    if ris_type != "CASE":
        add(("SV", _one_line(csl.get("collection-number"))))
    accessed = csl.get("accessed")
    if isinstance(accessed, dict) and accessed.get("date-parts"):
        add(("Y2", "/".join(str(p).zfill(2) for p in accessed["date-parts"][0])))
    if ris_type == "CHAP":
        add(("SE", _one_line(csl.get("chapter-number"))))
    if ris_type in ("THES", "RPRT"):
        add(("M3", _one_line(csl.get("genre"))))
    if ris_type in ("RPRT", "BILL", "GOVDOC", "STAND"):
        add(("M1", _one_line(csl.get("number"))))
    for keyword in csl.get("keyword") or []:
        add(("KW", _one_line(keyword)))
    add(("AB", _one_line(csl.get("abstract"))))
    note = str(csl.get("note") or "")
    for part in note.splitlines():
        add(("N1", _one_line(part)))
    out = [f"{tag}  - {value}" for tag, value in lines if value]
    out.append("ER  - ")
    return "\n".join(out) + "\n\n"


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())
