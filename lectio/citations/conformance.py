"""How closely Lectio's import reads what Zotero's import translators read from the
same files: our parse of each test case of a translator, compared field by field
with the items Zotero expects. Pure: no database.

Rules (also in docs/citation-formats.md):
- Items are paired in file order; an item we did not produce misses all its fields.
- Fields: item type (Zotero's type mapped to a material type through ZOTERO_MATERIAL),
  title, creators, date, container title, volume, issue, pages, ISBN, ISSN, DOI, URL,
  publisher, place, edition. Zotero's type-specific fields count as their base field
  (a thesis's university is its publisher, a case's reporter its container title).
- A field counts when Zotero gives a value; it matches when ours agrees after
  Unicode NFC and whitespace normalisation. Pages: any dash is a hyphen. DOI: case
  does not matter. Date: the year, month and day Zotero gives; a date with no year
  on Zotero's side (its "0000 ..." form) matches one with no year on ours. Values
  we read where Zotero has none are counted apart ("extra"): mostly fields Zotero's
  item type has no place for (an artwork's publisher, a blog post's editor).
- Creators are one field: the names of each role in order. Zotero's roles are taken
  the way Zotero itself exports CSL-JSON: the item type's primary creator is the
  author, editor / series editor / translator / book author / composer / director /
  interviewer / recipient / reviewed author map to their CSL roles, and roles CSL has
  no variable for (performer, producer, cast member, counsel, contributor, ...) are
  left out on both sides: Lectio does not keep them.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lectio.citations.formats import bibtex, csljson, endnote_xml, ris
from lectio.citations.formats.common import Entry, ParseResult, parse_date
from lectio.lists.models import MaterialType

# Translator file -> our reader.
READERS: dict[str, tuple[str, Callable[[str], ParseResult]]] = {
    "RIS.js": ("ris", ris.parse),
    "BibTeX.js": ("bibtex", bibtex.parse),
    "CSL JSON.js": ("csl-json", csljson.parse),
    "Endnote XML.js": ("endnote-xml", endnote_xml.parse),
}
FIELDS = (
    "type",
    "title",
    "creators",
    "date",
    "container-title",
    "volume",
    "issue",
    "page",
    "ISBN",
    "ISSN",
    "DOI",
    "URL",
    "publisher",
    "publisher-place",
    "edition",
)
# Further fields Lectio keeps (in a citation's metadata) and Zotero's items carry:
# measured and shown apart, so the figures on the fields above stay comparable.
STORED_FIELDS = (
    "collection-title",
    "collection-number",
    "number-of-volumes",
    "number-of-pages",
    "title-short",
    "call-number",
    "archive",
    "language",
    "abstract",
)
ALL_FIELDS = FIELDS + STORED_FIELDS
# Zotero item types -> Lectio material types.
ZOTERO_MATERIAL: dict[str, str] = {
    "journalArticle": MaterialType.ARTICLE,
    "magazineArticle": MaterialType.ARTICLE,
    "newspaperArticle": MaterialType.ARTICLE,
    "preprint": MaterialType.ARTICLE,
    "book": MaterialType.BOOK,
    "bookSection": MaterialType.BOOK_CHAPTER,
    "encyclopediaArticle": MaterialType.BOOK_CHAPTER,
    "dictionaryEntry": MaterialType.BOOK_CHAPTER,
    "thesis": MaterialType.THESIS,
    "conferencePaper": MaterialType.CONFERENCE_PAPER,
    "report": MaterialType.REPORT,
    "standard": MaterialType.REPORT,
    "webpage": MaterialType.WEBSITE,
    "blogPost": MaterialType.WEBSITE,
    "forumPost": MaterialType.WEBSITE,
    "film": MaterialType.VIDEO,
    "videoRecording": MaterialType.VIDEO,
    "tvBroadcast": MaterialType.VIDEO,
    "audioRecording": MaterialType.AUDIO,
    "podcast": MaterialType.AUDIO,
    "radioBroadcast": MaterialType.AUDIO,
    "case": MaterialType.LEGAL_DOCUMENT,
    "statute": MaterialType.LEGAL_DOCUMENT,
    "bill": MaterialType.LEGAL_DOCUMENT,
    "hearing": MaterialType.LEGAL_DOCUMENT,
    "note": MaterialType.NOTE,
}
# Zotero has no e-book type: an e-book of ours is its book.
_SAME_MATERIAL: dict[str, str] = {MaterialType.EBOOK: MaterialType.BOOK}
# The primary creator type of each Zotero item type (exported to CSL as author).
ZOTERO_PRIMARY: dict[str, str] = {
    "artwork": "artist",
    "audioRecording": "performer",
    "bill": "sponsor",
    "computerProgram": "programmer",
    "film": "director",
    "hearing": "contributor",
    "interview": "interviewee",
    "map": "cartographer",
    "patent": "inventor",
    "podcast": "podcaster",
    "presentation": "presenter",
    "radioBroadcast": "director",
    "tvBroadcast": "director",
    "videoRecording": "director",
}
ZOTERO_ROLES: dict[str, str] = {
    "author": "author",
    "editor": "editor",
    "seriesEditor": "collection-editor",
    "translator": "translator",
    "bookAuthor": "container-author",
    "composer": "composer",
    "director": "director",
    "interviewer": "interviewer",
    "recipient": "recipient",
    "reviewedAuthor": "reviewed-author",
}
# Zotero fields (base field first) for each compared field.
ZOTERO_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "caseName", "nameOfAct", "subject"),
    "date": ("date", "issueDate", "dateDecided", "dateEnacted"),
    "container-title": (
        "publicationTitle",
        "bookTitle",
        "proceedingsTitle",
        "websiteTitle",
        "blogTitle",
        "forumTitle",
        "dictionaryTitle",
        "encyclopediaTitle",
        "programTitle",
        "reporter",
        "code",
    ),
    "volume": ("volume", "codeVolume", "reporterVolume"),
    "issue": ("issue",),
    "page": ("pages", "codePages", "firstPage"),
    "ISBN": ("ISBN",),
    "ISSN": ("ISSN",),
    "DOI": ("DOI",),
    "URL": ("url",),
    "publisher": (
        "publisher",
        "institution",
        "university",
        "company",
        "label",
        "distributor",
        "studio",
        "network",
        "repository",
    ),
    "publisher-place": ("place",),
    "edition": ("edition",),
    "collection-title": ("series",),
    "collection-number": ("seriesNumber",),
    "number-of-volumes": ("numberOfVolumes",),
    "number-of-pages": ("numPages",),
    "title-short": ("shortTitle",),
    "call-number": ("callNumber",),
    "archive": ("archive",),
    "language": ("language",),
    "abstract": ("abstractNote",),
}
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})


@dataclass
class Difference:
    translator: str
    case: int
    item: int
    field: str
    expected: Any
    actual: Any


@dataclass
class Tally:
    matched: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.matched += int(ok)

    @property
    def share(self) -> float:
        return self.matched / self.total if self.total else 1.0


@dataclass
class Report:
    translator: str
    format: str
    cases: Tally = field(default_factory=Tally)
    items: Tally = field(default_factory=Tally)
    fields: dict[str, Tally] = field(
        default_factory=lambda: {f: Tally() for f in ALL_FIELDS}
    )
    differences: list[Difference] = field(default_factory=list)
    # Values we read that Zotero's item has no value for (often a field its item
    # type lacks, such as an artwork's publisher).
    extra: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALL_FIELDS, 0))

    @property
    def overall(self) -> Tally:
        """The share on the compared fields (FIELDS)."""
        return _sum(self.fields[f] for f in FIELDS)

    @property
    def stored_overall(self) -> Tally:
        """The share on the compared and the further stored fields together."""
        return _sum(self.fields[f] for f in ALL_FIELDS)

    def as_dict(self) -> dict[str, Any]:
        return {
            "translator": self.translator,
            "format": self.format,
            "cases": _tally(self.cases),
            "items": _tally(self.items),
            "fields": {k: _tally(v) for k, v in self.fields.items()},
            "extra": self.extra,
            "overall": _tally(self.overall),
            "stored_overall": _tally(self.stored_overall),
            "differences": [vars(d) for d in self.differences],
        }


def _sum(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out.matched += t.matched
        out.total += t.total
    return out


def _tally(t: Tally) -> dict[str, Any]:
    return {"matched": t.matched, "total": t.total, "share": round(t.share, 4)}


def load_cases(path: Path) -> dict[str, list[dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, list[dict[str, Any]]] = json.load(handle)
    return data


def run(
    cases: dict[str, list[dict[str, Any]]], formats: Iterable[str] | None = None
) -> list[Report]:
    wanted = set(formats) if formats else None
    reports = []
    for translator, (name, reader) in READERS.items():
        if wanted is not None and name not in wanted:
            continue
        report = Report(translator=translator, format=name)
        for number, case in enumerate(cases.get(translator, [])):
            if case.get("type") != "import" or not isinstance(case.get("items"), list):
                continue
            _run_case(report, number, case, reader)
        reports.append(report)
    return reports


def _run_case(
    report: Report,
    number: int,
    case: dict[str, Any],
    reader: Callable[[str], ParseResult],
) -> None:
    result = reader(case["input"])
    ok_case = len(result.entries) == len(case["items"])
    for index, item in enumerate(case["items"]):
        entry = result.entries[index] if index < len(result.entries) else None
        expected = expected_fields(item)
        actual = actual_fields(entry) if entry is not None else {}
        ok_item = entry is not None
        for name in ALL_FIELDS:
            want, got = expected.get(name), actual.get(name)
            if not want and not got:
                continue
            same = _same(name, want, got)
            if not want:
                # A value Zotero does not give: counted apart, not in the share.
                report.extra[name] += 1
                continue
            report.fields[name].add(same)
            if not same:
                # Items and cases count as equal on the compared fields alone.
                ok_item = ok_item and name not in FIELDS
                report.differences.append(
                    Difference(report.translator, number, index, name, want, got)
                )
        report.items.add(ok_item)
        ok_case = ok_case and ok_item
    report.cases.add(ok_case)


def _norm(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value or "").split()))


def _same(name: str, want: Any, got: Any) -> bool:
    if name == "date":
        return _date_key(want) == _date_key(got)
    if name == "creators":
        return bool(want == got)
    want_text, got_text = _norm(want), _norm(got)
    if name == "page":
        want_text = want_text.translate(_DASHES).replace("--", "-").replace(" ", "")
        got_text = got_text.translate(_DASHES).replace("--", "-").replace(" ", "")
    if name == "DOI":
        return want_text.lower() == got_text.lower()
    return want_text == got_text


def _date_key(value: Any) -> tuple[Any, ...]:
    """(year, month, day) as far as given; () when there is no year."""
    if not value:
        return ()
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if parts and parts[0] and not value.get("literal"):
            return tuple(int(p) for p in parts[0][:3])
        if parts and parts[0] and int(parts[0][0]) > 0:
            return tuple(int(p) for p in parts[0][:3])
        value = value.get("literal", "")
    text = str(value)
    if text.startswith("0000"):
        return ()
    parsed = parse_date(text)
    if parsed and parsed.get("date-parts") and int(parsed["date-parts"][0][0]) > 0:
        return tuple(int(p) for p in parsed["date-parts"][0][:3])
    return ()


def expected_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of a Zotero item, in our terms."""
    out: dict[str, Any] = {}
    item_type = item.get("itemType", "")
    out["type"] = ZOTERO_MATERIAL.get(item_type, MaterialType.OTHER)
    for name, keys in ZOTERO_FIELDS.items():
        for key in keys:
            if item.get(key):
                out[name] = item[key]
                break
    primary = ZOTERO_PRIMARY.get(item_type, "author")
    names: dict[str, list[tuple[str, str]]] = {}
    for creator in item.get("creators") or []:
        kind = creator.get("creatorType", "author")
        role = "author" if kind == primary else ZOTERO_ROLES.get(kind)
        if role is None:
            continue
        names.setdefault(role, []).append(_zotero_name(creator))
    out["creators"] = dict(sorted(names.items()))
    return out


def _zotero_name(creator: dict[str, Any]) -> tuple[str, str]:
    if "name" in creator:
        return (_norm(creator["name"]), "")
    if creator.get("fieldMode") == 1 or not creator.get("firstName"):
        return (_norm(creator.get("lastName")), "")
    return (_norm(creator.get("lastName")), _norm(creator.get("firstName")))


def actual_fields(entry: Entry) -> dict[str, Any]:
    csl = entry.csl
    out: dict[str, Any] = {
        "type": _SAME_MATERIAL.get(entry.material_type, entry.material_type)
    }
    for name in ALL_FIELDS:
        if name in ("type", "creators", "date"):
            continue
        if csl.get(name):
            out[name] = csl[name]
    if csl.get("issued"):
        out["date"] = csl["issued"]
    names: dict[str, list[tuple[str, str]]] = {}
    for role in set(ZOTERO_ROLES.values()):
        for name in csl.get(role) or []:
            if name.get("literal"):
                names.setdefault(role, []).append((_norm(name["literal"]), ""))
            else:
                given = ", ".join(
                    p for p in (name.get("given"), name.get("suffix")) if p
                )
                names.setdefault(role, []).append(
                    (_norm(name.get("family")), _norm(given))
                )
    out["creators"] = dict(sorted(names.items()))
    return out


def table(reports: list[Report]) -> str:
    """The per-field table as plain text."""
    lines = []
    header = f"{'field':<18}" + "".join(f"{r.format:>20}" for r in reports)
    if len(reports) > 1:
        header += f"{'all':>20}"
    lines.append(header)

    def cell(t: Tally) -> str:
        return f"{t.matched}/{t.total} {t.share * 100:5.1f}%"

    for name in FIELDS:
        row = f"{name:<18}" + "".join(f"{cell(r.fields[name]):>20}" for r in reports)
        if len(reports) > 1:
            total = Tally(
                sum(r.fields[name].matched for r in reports),
                sum(r.fields[name].total for r in reports),
            )
            row += f"{cell(total):>20}"
        lines.append(row)
    row = f"{'extra values':<18}" + "".join(
        f"{sum(r.extra[f] for f in FIELDS):>20}" for r in reports
    )
    if len(reports) > 1:
        row += f"{sum(sum(r.extra[f] for f in FIELDS) for r in reports):>20}"
    lines.append(row)
    rows: list[tuple[str, Callable[[Report], Tally]]] = [
        ("fields (overall)", lambda r: r.overall),
        ("items", lambda r: r.items),
        ("cases", lambda r: r.cases),
    ]
    rows += [(name, _field_getter(name)) for name in STORED_FIELDS]
    rows.append(("all stored fields", lambda r: r.stored_overall))
    for label, get in rows:
        if label == STORED_FIELDS[0]:
            lines.append("further stored fields:")
        row = f"{label:<18}" + "".join(f"{cell(get(r)):>20}" for r in reports)
        if len(reports) > 1:
            total = _sum(get(r) for r in reports)
            row += f"{cell(total):>20}"
        lines.append(row)
    return "\n".join(lines)


def _field_getter(name: str) -> Callable[[Report], Tally]:
    def get(report: Report) -> Tally:
        return report.fields[name]

    return get


def overall(reports: list[Report]) -> Tally:
    return Tally(
        sum(r.overall.matched for r in reports), sum(r.overall.total for r in reports)
    )
