"""A MARC21 bibliographic record (a pymarc `Record`) mapped to the fields of a catalog
record, its identifiers and a checksum. Pure: no database.

`map_record(record)` returns a `MappedRecord` or raises `MarcError` with the reason
the record cannot be loaded (no control number, no title). The mapping follows the
Library of Congress MARC21 bibliographic format:

- control number: 001, else the first 035 $a;
- title 245 $a $n $p, subtitle $b, responsibility $c (ISBD punctuation stripped);
- contributors 100/110/111 then 700/710/711, role from $e (relator term) or $4
  (relator code), "author" when neither is given; author = the first contributor;
- edition 250; place, publisher and date from 264 (second indicator 1), else 260;
  year from 008/07-10, else the first four-digit year of the date;
- extent 300; series 490 and 830; subjects 600-655 with subdivisions joined by " -- ";
- ISBN 020 $a, ISSN 022 $a, LCCN 010 $a, OCLC number 035 $a "(OCoLC)...",
  DOI 024 (first indicator 7, $2 doi);
- language 008/35-37, else 041 $a; format from leader/06-07, 007, 008 and 502;
- summary 520, links 856 $u with the note from $z, $3 or $y.

The source record is kept as MARC-in-JSON (the text pymarc's `as_json` writes); the
checksum is a hash of that text and of `MAPPING_VERSION`, so a reload recognises an
unchanged record without comparing fields, and a change to this mapping updates every
record on the next load.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from typing import Any

from pymarc import Record

from lectio.catalog.marcread import LightRecord
from lectio.core.identifiers import (
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)

# Bump when the mapping changes, so records loaded before are updated on a reload.
MAPPING_VERSION = "1"


class MarcError(ValueError):
    """The record cannot be loaded; the message says why."""


@dataclass(slots=True)
class MappedRecord:
    control_number: str
    # The values of `catalog.models.Record`'s fields, by field name.
    fields: dict[str, Any]
    # (kind, normalised value): isbn, issn, lccn, oclc, doi.
    identifiers: list[tuple[str, str]]
    source: str
    checksum: str
    # Holdings found in the record (852, 876, 949), one dict per copy.
    items: list[dict[str, str]] = field(default_factory=list)


# Relator codes (https://www.loc.gov/marc/relators/) most often met, as terms.
RELATORS = {
    "act": "actor",
    "adp": "adapter",
    "ann": "annotator",
    "arr": "arranger",
    "art": "artist",
    "aui": "author of introduction",
    "aut": "author",
    "chr": "choreographer",
    "cmp": "composer",
    "cnd": "conductor",
    "com": "compiler",
    "cre": "creator",
    "ctb": "contributor",
    "cwt": "commentator",
    "drt": "director",
    "dub": "dubious author",
    "edc": "editor of compilation",
    "edt": "editor",
    "fmo": "former owner",
    "ill": "illustrator",
    "isb": "issuing body",
    "itr": "instrumentalist",
    "ive": "interviewee",
    "ivr": "interviewer",
    "lbt": "librettist",
    "lyr": "lyricist",
    "nrt": "narrator",
    "orm": "organizer",
    "oth": "other",
    "pbl": "publisher",
    "pht": "photographer",
    "pro": "producer",
    "prf": "performer",
    "pta": "patent applicant",
    "red": "redaktor",
    "res": "researcher",
    "rev": "reviewer",
    "sng": "singer",
    "spk": "speaker",
    "sponsor": "sponsor",
    "spn": "sponsor",
    "ths": "thesis advisor",
    "trl": "translator",
    "voc": "vocalist",
    "wam": "writer of accompanying material",
    "wit": "witness",
}

# Subfields that make up a name heading (the rest are roles, links, numbers).
_NAME_CODES = {
    "100": "abcdqj",
    "700": "abcdqj",
    "110": "abcdn",
    "710": "abcdn",
    "111": "acdenq",
    "711": "acdenq",
}
_SUBJECT_TAGS = ("600", "610", "611", "630", "650", "651", "655")
_SUBDIVISIONS = "vxyz"
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_TRAILING = " /:;,=+"
# 008/07-10 of 9999 means "not yet ended"; years outside these are mistakes.
MIN_YEAR, MAX_YEAR = 500, 2200


def clean(text: str) -> str:
    """A subfield value without the ISBD punctuation that ends it (" /", " :", " ;",
    ",", "=", a final full stop) and with runs of spaces collapsed."""
    text = " ".join(text.split())
    text = text.rstrip(_TRAILING)
    if text.endswith(".") and not text.endswith(".."):
        # Keep the full stop of an initial or abbreviation ("Smith, J.", "Co.").
        word = text.rsplit(" ", 1)[-1]
        if not (len(word) == 2 and word[0].isalpha() and word[0].isupper()):
            text = text[:-1]
        text = text.rstrip(_TRAILING)
    return text


def _join(subfields: list[tuple[str, str]], codes: str) -> str:
    return clean(" ".join(v for c, v in subfields if c in codes and v.strip()))


def _first(subfields: list[tuple[str, str]], code: str) -> str:
    for c, v in subfields:
        if c == code and v.strip():
            return v
    return ""


def _all(subfields: list[tuple[str, str]], code: str) -> list[str]:
    return [v for c, v in subfields if c == code and v.strip()]


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _role(subfields: list[tuple[str, str]]) -> str:
    terms = [clean(v).lower() for v in _all(subfields, "e")]
    if not terms:
        terms = [
            RELATORS.get(code, code)
            for code in (clean(v).lower() for v in _all(subfields, "4"))
            if code and not code.startswith("http")
        ]
    terms = _dedupe(terms)
    return ", ".join(terms) if terms else "author"


def _subject(subfields: list[tuple[str, str]]) -> str:
    head: list[str] = []
    parts: list[str] = []
    for code, value in subfields:
        if code.isdigit() or code == "e" or not value.strip():
            continue
        if code in _SUBDIVISIONS:
            parts.append(clean(value))
        elif parts:
            parts[-1] = clean(parts[-1] + " " + value)
        else:
            head.append(value)
    main = clean(" ".join(head))
    return " -- ".join(p for p in [main, *parts] if p)


def _format(leader: str, f007: str, f008: str, thesis: bool) -> str:
    kind = leader[6:7]
    level = leader[7:8]
    if kind in ("a", "t"):
        if thesis and level not in ("s", "i", "a", "b"):
            return "thesis"
        if level in ("s", "i"):
            return "journal"
        if level in ("a", "b"):
            return "article"
        if f007[:1] == "c" or f008[23:24] in ("o", "q", "s"):
            return "ebook"
        if kind == "t":
            return "manuscript"
        return "book"
    if kind in ("c", "d"):
        return "music_score"
    if kind in ("e", "f"):
        return "map"
    if kind == "g":
        return "video"
    if kind in ("i", "j"):
        return "audio"
    if kind == "m":
        return "computer_file"
    return "other"


_encode = json.JSONEncoder().encode
# The C function `json.dumps` uses for every string (ensure_ascii).
_quote = encode_basestring_ascii


def source_json(record: Record | LightRecord) -> str:
    """The record as MARC-in-JSON, the same text as pymarc's `Record.as_json()`
    (and `json.dumps` of its `as_dict()`): written here string by string, without
    building the dictionaries first."""
    try:
        parts: list[str] = []
        append = parts.append
        for f in record.fields:
            if f.control_field:
                data = f.data
                append(
                    f"{{{_quote(f.tag)}: {'null' if data is None else _quote(data)}}}"
                )
            else:
                ind = f._indicators or ("", "")
                subfields = ", ".join(
                    [f"{{{_quote(c)}: {_quote(v)}}}" for c, v in f.subfields]
                )
                append(
                    f'{{{_quote(f.tag)}: {{"ind1": {_quote(ind[0])}, '
                    f'"ind2": {_quote(ind[1])}, "subfields": [{subfields}]}}}}'
                )
        return f'{{"leader": {_quote(str(record.leader))}, "fields": [{", ".join(parts)}]}}'
    except TypeError:  # a value that is not text: let the encoder write it
        return _source_json_slow(record)


def _source_json_slow(record: Record | LightRecord) -> str:
    fields: list[dict[str, Any]] = []
    for f in record.fields:
        if f.control_field:
            fields.append({f.tag: f.data})
        else:
            ind = f._indicators or ("", "")
            fields.append(
                {
                    f.tag: {
                        "ind1": ind[0],
                        "ind2": ind[1],
                        "subfields": [{c: v} for c, v in f.subfields],
                    }
                }
            )
    return _encode({"leader": str(record.leader), "fields": fields})


def map_record(record: Record | LightRecord) -> MappedRecord:
    """The catalog fields of `record`; raises MarcError when it cannot be loaded."""
    fields: dict[str, list[Any]] = {}
    for f in record.fields:
        fields.setdefault(f.tag, []).append(f)

    def control(tag: str) -> str:
        found = fields.get(tag)
        return (found[0].data or "") if found else ""

    def subs(tag: str) -> list[list[tuple[str, str]]]:
        # The mapping only reads them: no copies.
        return [f.subfields for f in fields.get(tag, ())]

    control_number = control("001").strip()
    if not control_number:
        for sf in subs("035"):
            value = _first(sf, "a").strip()
            if value:
                control_number = value
                break
    if not control_number:
        raise MarcError("the record has no control number (001 or 035)")
    if len(control_number) > 64:
        raise MarcError(
            f"the control number {control_number[:70]!r}... is longer than 64 "
            "characters"
        )

    t245 = subs("245")
    title = _join(t245[0], "anp") if t245 else ""
    if not title:
        raise MarcError("the record has no title (245 $a)")
    subtitle = _join(t245[0], "b") if t245 else ""
    responsibility = _join(t245[0], "c") if t245 else ""

    contributors: list[dict[str, str]] = []
    for tag in ("100", "110", "111", "700", "710", "711"):
        for sf in subs(tag):
            name = _join(sf, _NAME_CODES[tag])
            if name:
                contributors.append({"name": name, "role": _role(sf)})

    edition = ""
    e250 = subs("250")
    if e250:
        edition = _join(e250[0], "ab")

    imprint: list[tuple[str, str]] | None = None
    for f in fields.get("264", ()):
        if f.indicator2 == "1":
            imprint = list(f.subfields)
            break
    if imprint is None:
        i260 = subs("260")
        imprint = i260[0] if i260 else None
    place = publisher = date = ""
    if imprint is not None:
        place = clean(_first(imprint, "a"))
        publisher = clean(_first(imprint, "b"))
        date = clean(_first(imprint, "c"))

    f008 = control("008")
    year: int | None = None
    digits = f008[7:11]
    if len(digits) == 4 and digits.isdigit() and MIN_YEAR <= int(digits) <= MAX_YEAR:
        year = int(digits)
    elif date:
        match = _YEAR.search(date)
        if match and MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
            year = int(match.group(1))

    extent = ""
    e300 = subs("300")
    if e300:
        extent = _join(e300[0], "abcefg")

    series = _dedupe(
        [_join(sf, "av") for sf in subs("490")]
        + [_join(sf, "anpv") for sf in subs("830")]
    )
    subjects = _dedupe([_subject(sf) for tag in _SUBJECT_TAGS for sf in subs(tag)])

    isbns = _dedupe(
        [normalize_isbn(v) or "" for sf in subs("020") for v in _all(sf, "a")]
    )
    issns = _dedupe(
        [normalize_issn(v) or "" for sf in subs("022") for v in _all(sf, "a")]
    )
    lccn = ""
    for sf in subs("010"):
        value = _first(sf, "a")
        if value:
            lccn = normalize_lccn(value) or value.strip()
            break
    oclcs: list[str] = []
    for sf in subs("035"):
        for value in _all(sf, "a"):
            if value.strip().startswith("(OCoLC)"):
                number = normalize_oclc(value)
                if number:
                    oclcs.append(number)
    oclcs = _dedupe(oclcs)
    dois: list[str] = []
    for f in fields.get("024", ()):
        sf = list(f.subfields)
        if f.indicator1 == "7" and _first(sf, "2").strip().lower() == "doi":
            doi = normalize_doi(_first(sf, "a"))
            if doi:
                dois.append(doi)
    dois = _dedupe(dois)

    language = f008[35:38].strip().lower()
    if not (len(language) == 3 and language.isalpha()):
        language = ""
        for sf in subs("041"):
            value = _first(sf, "a").strip().lower()
            if value:
                language = value[:3]
                break

    f007 = control("007")
    record_format = _format(str(record.leader), f007, f008, "502" in fields)

    summary = "\n\n".join(
        _dedupe([" ".join(_join(sf, "ab").split()) for sf in subs("520")])
    )
    urls: list[dict[str, str]] = []
    for sf in subs("856"):
        note = clean(_first(sf, "z") or _first(sf, "3") or _first(sf, "y"))
        for url in _all(sf, "u"):
            urls.append({"url": url.strip(), "note": note})

    source = source_json(record)
    checksum = hashlib.sha1(
        (MAPPING_VERSION + source).encode("utf-8", "surrogatepass")
    ).hexdigest()

    identifiers: list[tuple[str, str]] = (
        [("isbn", v) for v in isbns]
        + [("issn", v) for v in issns]
        + ([("lccn", lccn)] if lccn and normalize_lccn(lccn) == lccn else [])
        + [("oclc", v) for v in oclcs]
        + [("doi", v) for v in dois]
    )
    return MappedRecord(
        control_number=control_number,
        fields={
            "title": title,
            "subtitle": subtitle,
            "responsibility": responsibility,
            "contributors": contributors,
            "author": contributors[0]["name"] if contributors else "",
            "edition": edition,
            "publisher": publisher,
            "place": place,
            "date": date,
            "year": year,
            "extent": extent,
            "series": series,
            "subjects": subjects,
            "isbns": isbns,
            "issns": issns,
            "lccn": lccn,
            "oclc": oclcs[0] if oclcs else "",
            "language": language,
            "format": record_format,
            "summary": summary,
            "urls": urls,
        },
        identifiers=identifiers,
        source=source,
        checksum=checksum,
        items=holdings(fields),
    )


def holdings(fields: dict[str, list[Any]]) -> list[dict[str, str]]:
    """Copies described in the record: 852 (location, call number, $p barcode),
    876 ($p barcode, $j status) and the common local 949 ($a call number, $b
    location, $i barcode, $l library). Only copies with a barcode."""
    items: dict[str, dict[str, str]] = {}
    for f in fields.get("852", ()):
        sf = list(f.subfields)
        barcode = _first(sf, "p").strip()
        if barcode:
            items[barcode] = {
                "barcode": barcode,
                "library": _first(sf, "b").strip(),
                "location": _first(sf, "c").strip(),
                "call_number": " ".join(
                    v.strip() for v in (_first(sf, "h"), _first(sf, "i")) if v.strip()
                ),
            }
    for f in fields.get("876", ()):
        sf = list(f.subfields)
        barcode = _first(sf, "p").strip()
        if barcode:
            item = items.setdefault(barcode, {"barcode": barcode})
            status = _first(sf, "j").strip()
            if status:
                item["status"] = status
    for f in fields.get("949", ()):
        sf = list(f.subfields)
        barcode = _first(sf, "i").strip()
        if barcode and barcode not in items:
            items[barcode] = {
                "barcode": barcode,
                "library": _first(sf, "l").strip(),
                "location": _first(sf, "b").strip(),
                "call_number": _first(sf, "a").strip(),
            }
    return list(items.values())
