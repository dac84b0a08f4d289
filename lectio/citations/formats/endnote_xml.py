"""EndNote XML (File > Export > XML in EndNote): each <record> is turned into the RIS
tags EndNote itself would write for it, then mapped like RIS, so the two formats
cannot drift apart. Read only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lectio.citations.formats import ris
from lectio.citations.formats.common import (
    Entry,
    EntryError,
    ParseResult,
    decode,
    file_error,
    too_big,
)

# EndNote reference type names -> RIS types.
REF_TYPES: dict[str, str] = {
    "aggregated database": "AGGR",
    "ancient text": "ANCIENT",
    "artwork": "ART",
    "audiovisual material": "ADVS",
    "bill": "BILL",
    "blog": "BLOG",
    "book": "BOOK",
    "book section": "CHAP",
    "case": "CASE",
    "catalog": "CTLG",
    "chart or table": "CHART",
    "classical work": "CLSWK",
    "computer program": "COMP",
    "conference paper": "CPAPER",
    "conference proceedings": "CONF",
    "dataset": "DATA",
    "dictionary": "DICT",
    "edited book": "EDBOOK",
    "electronic article": "EJOUR",
    "electronic book": "EBOOK",
    "electronic book section": "ECHAP",
    "encyclopedia": "ENCYC",
    "equation": "EQUA",
    "figure": "FIGURE",
    "film or broadcast": "MPCT",
    "generic": "GEN",
    "government document": "GOVDOC",
    "grant": "GRANT",
    "hearing": "HEAR",
    "journal article": "JOUR",
    "legal rule or regulation": "LEGAL",
    "magazine article": "MGZN",
    "manuscript": "MANSCPT",
    "map": "MAP",
    "music": "MUSIC",
    "newspaper article": "NEWS",
    "online database": "DBASE",
    "online multimedia": "MULTI",
    "pamphlet": "PAMP",
    "patent": "PAT",
    "personal communication": "PCOMM",
    "report": "RPRT",
    "serial": "SER",
    "standard": "STAND",
    "statute": "STAT",
    "thesis": "THES",
    "unpublished work": "UNPB",
    "web page": "ELEC",
}
# Element paths under <record> -> RIS tag (names are repeated per <author>, etc.).
_NAMES = {
    "contributors/authors/author": "AU",
    "contributors/secondary-authors/author": "A2",
    "contributors/tertiary-authors/author": "A3",
    "contributors/subsidiary-authors/author": "A4",
    "contributors/translated-authors/author": "TA",
}
_FIELDS = {
    "titles/title": "TI",
    "titles/secondary-title": "T2",
    "titles/tertiary-title": "T3",
    "titles/alt-title": "J2",
    "titles/short-title": "ST",
    "periodical/full-title": "JF",
    "periodical/abbr-1": "JA",
    "pages": "SP",
    "volume": "VL",
    "number": "IS",
    "issue": "IS",
    "edition": "ET",
    "section": "SE",
    "num-vols": "NV",
    "dates/year": "PY",
    "dates/pub-dates/date": "DA",
    "pub-location": "CY",
    "publisher": "PB",
    "isbn": "SN",
    "electronic-resource-num": "DO",
    "urls/related-urls/url": "UR",
    "urls/web-urls/url": "UR",
    "keywords/keyword": "KW",
    "abstract": "AB",
    "notes": "N1",
    "language": "LA",
    "work-type": "M3",
    "custom1": "C1",
    "custom3": "C3",
}


def parse_bytes(data: bytes) -> ParseResult:
    return parse(decode(data))


def parse(text: str) -> ParseResult:
    try:
        return _parse(text)
    except Exception as exc:  # noqa: BLE001 - a file must never break the import
        return file_error(
            f"the file could not be read as EndNote XML ({type(exc).__name__})"
        )


def _parse(text: str) -> ParseResult:
    if (result := too_big(text)) is not None:
        return result
    text = text.lstrip("\ufeff")
    head = text[:4096].upper()
    # No document type, no entities: nothing for an entity-expansion attack.
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        return file_error("the XML declares a document type or entities; refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        return file_error(f"this is not well-formed XML ({exc})", line)
    records = root.findall("./records/record") or root.findall(".//record")
    if not records:
        return file_error("no EndNote records found (<xml><records><record>...)")
    result = ParseResult()
    for number, record in enumerate(records, start=1):
        pairs = _pairs(record)
        ref_type = record.find("ref-type")
        name = (ref_type.get("name") or "") if ref_type is not None else ""
        ris_type = REF_TYPES.get(name.strip().lower(), "GEN")
        csl = ris._csl(ris_type, pairs)
        if not any(
            csl.get(k) for k in ("title", "container-title", "author", "editor")
        ):
            result.errors.append(
                EntryError(
                    number=number,
                    line=0,
                    reason="the record has no title, journal, author or editor",
                )
            )
            continue
        source = ET.tostring(record, encoding="unicode")
        result.entries.append(
            Entry(material_type=ris._material(ris_type, csl), csl=csl, source=source)
        )
    return result


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _pairs(record: ET.Element) -> list[list[str]]:
    pairs: list[list[str]] = []
    for path, tag in (*_NAMES.items(), *_FIELDS.items()):
        for element in record.findall(path):
            value = _text(element)
            if value:
                pairs.append([tag, value])
    return pairs
