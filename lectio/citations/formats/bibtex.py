"""BibTeX and BibLaTeX: blocks split by bibtexparser (v2, no middleware), values
resolved here (@string macros, # concatenation, month names), LaTeX decoded to
Unicode, mapped to CSL-JSON; written back with stable author-year-word keys."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from lectio.citations.formats.common import (
    Entry,
    EntryError,
    ParseResult,
    clean_record,
    csl_type_for,
    decode,
    doi_from_link,
    file_error,
    latex_to_unicode,
    looks_binary,
    material_from_csl,
    month_number,
    parse_date,
    too_big,
    unicode_to_latex,
    year_of,
)
from lectio.lists.models import MaterialType

# BibTeX / BibLaTeX entry type -> CSL type.
BIBTEX_TYPES: dict[str, str] = {
    "article": "article-journal",
    "suppperiodical": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "book",
    "manual": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "unpublished": "manuscript",
    "patent": "patent",
    "periodical": "periodical",
    "dataset": "dataset",
    "software": "software",
    "video": "motion_picture",
    "movie": "motion_picture",
    "audio": "song",
    "music": "song",
    "jurisdiction": "legal_case",
    "legislation": "legislation",
    "legal": "legislation",
    "standard": "standard",
    "artwork": "graphic",
    "letter": "personal_communication",
    "misc": "document",
}
# What the CSL type implies for the number field: an issue, or a report's number.
_ISSUE_TYPES = {"article-journal", "periodical", "paper-conference", "document"}
# A material type the entry type does not say (an e-book is a @book) travels in a
# field of its own, which other programs ignore.
_MATERIAL_FIELD = "lectio-material"
# CSL type -> the BibTeX type it is written as.
CSL_TO_BIBTEX: dict[str, str] = {
    "article": "article",
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "review-book": "article",
    "book": "book",
    "classic": "book",
    "chapter": "incollection",
    "entry": "incollection",
    "entry-dictionary": "inreference",
    "entry-encyclopedia": "inreference",
    "paper-conference": "inproceedings",
    "thesis": "phdthesis",
    "report": "techreport",
    "standard": "standard",
    "webpage": "online",
    "post": "online",
    "post-weblog": "online",
    "manuscript": "unpublished",
    "patent": "patent",
    "periodical": "periodical",
    "dataset": "dataset",
    "software": "software",
    "motion_picture": "video",
    "broadcast": "video",
    "song": "audio",
    "legal_case": "jurisdiction",
    "legislation": "legislation",
    "bill": "legislation",
    "hearing": "legislation",
    "regulation": "legislation",
    "treaty": "legislation",
    "graphic": "artwork",
    "personal_communication": "letter",
}
_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
# Fields whose value is not LaTeX text.
_VERBATIM = {"url", "doi", "file", "eprint", "urldate", "isbn", "issn"}
_URLISH = re.compile(r"^(https?|ftp)://\S+$")
_PAGE_RANGE = re.compile(r"\s*(?:-{1,3}|–|—)\s*")
# Types whose "number" is the work's number in its series.
_SERIES_NUMBER_TYPES = {"book", "chapter", "entry-encyclopedia"}

# bibtexparser logs every failed block; the import reports them itself.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def parse_bytes(data: bytes) -> ParseResult:
    return parse(decode(data))


def parse(text: str) -> ParseResult:
    """The entries of a BibTeX file; a block that does not parse is an error with
    its number and line, the others still come."""
    try:
        return _parse(text)
    except Exception as exc:  # noqa: BLE001 - a file must never break the import
        return file_error(
            f"the file could not be read as BibTeX ({type(exc).__name__})"
        )


def _parse(text: str) -> ParseResult:
    if (result := too_big(text)) is not None:
        return result
    if looks_binary(text):
        return file_error("this is not a text file")
    text = text.lstrip("\ufeff")
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    result = ParseResult()
    number = 0
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.String):
            strings[block.key.lower()] = _value(str(block.value), strings)
            continue
        entry_block: model.Entry | None = None
        if isinstance(block, model.Entry):
            entry_block = block
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            # Two works sharing a key are still two works on a reading list.
            duplicate = block.ignore_error_block
            entry_block = duplicate if isinstance(duplicate, model.Entry) else None
        elif isinstance(block, model.ParsingFailedBlock):
            number += 1
            result.errors.append(
                EntryError(number=number, line=line, reason=_failure(block))
            )
            continue
        if entry_block is None:
            continue
        number += 1
        try:
            csl = _csl(entry_block, strings)
        except Exception as exc:  # noqa: BLE001 - one odd entry must not stop the rest
            result.errors.append(
                EntryError(
                    number=number,
                    line=line,
                    reason=f"the entry could not be read ({type(exc).__name__})",
                )
            )
            continue
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
        material = material_from_csl(str(csl["type"]))
        if entry_block.entry_type.lower() == "periodical":
            material = MaterialType.JOURNAL
        chosen = entry_block.fields_dict.get(_MATERIAL_FIELD)
        if chosen is not None:
            value = _value(str(chosen.value), strings).strip()
            if value in MaterialType.values:
                material = value
        result.entries.append(
            Entry(
                material_type=material, csl=csl, source=entry_block.raw or "", line=line
            )
        )
    if number == 0:
        return file_error(
            "no BibTeX entries found: a BibTeX file has entries like "
            "@article{key, title = {...}, ...}"
        )
    return result


def _failure(block: model.ParsingFailedBlock) -> str:
    error = block.error
    message = " ".join(str(getattr(error, "abort_reason", "") or error or "").split())
    if type(error).__name__ == "BlockAbortedException" or "closing" in message:
        return "the entry is not closed (an unbalanced brace or quote)"
    return "the entry could not be read: " + (message[:200] or "syntax error")


def _split_concatenation(raw: str) -> list[str]:
    if "#" not in raw:
        return [raw.strip()]
    parts: list[str] = []
    current: list[str] = []
    depth, quoted, escaped = 0, False, False
    for ch in raw:
        if escaped:
            # \{, \} and \# are characters, not structure.
            escaped = False
            current.append(ch)
            continue
        if ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _value(raw: str, strings: dict[str, str]) -> str:
    """A field's value: braces or quotes removed, macros and # resolved."""
    out = []
    for part in _split_concatenation(raw.strip()):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        elif part.lower()[:3] in _MONTHS and part.isalpha() and len(part) <= 9:
            out.append(str(_MONTHS.index(part.lower()[:3]) + 1))
        else:
            out.append(part)
    return "".join(out)


def _text(value: str) -> str:
    return " ".join(latex_to_unicode(value).split())


def _verbatim(value: str) -> str:
    value = re.sub(r"\\([_%&#~$])", r"\1", value)
    return "".join(value.replace("{", "").replace("}", "").split())


# A braced or quoted value, then a line that starts another field: the comma
# between the two fields is missing.
_NEXT_FIELD = re.compile(r"\s*\n\s*([A-Za-z][\w:.+-]*)\s*=\s*(\S.*)$", re.DOTALL)


def _fields(block: model.Entry) -> Iterable[tuple[str, str]]:
    """(name, raw value) of each field, with a field that a missing comma ran into
    the one before it split off again."""
    for f in block.fields:
        key, value = f.key.lower().strip(), str(f.value)
        while True:
            end = _delimited_end(value)
            match = _NEXT_FIELD.match(value, end) if end else None
            if match is None:
                yield key, value
                break
            yield key, value[:end]
            key, value = match.group(1).lower(), match.group(2).rstrip()


def _delimited_end(value: str) -> int:
    """Where the braced or quoted group that opens the value ends (0: none)."""
    if not value or value[0] not in '{"':
        return 0
    depth = 0
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and value[0] == "{":
                return index + 1
        elif char == '"' and index > 0 and depth == 0 and value[0] == '"':
            return index + 1
        index += 1
    return 0


def _csl(block: model.Entry, strings: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, str] = {}
    for key, value in _fields(block):
        if key not in raw:
            raw[key] = _value(value, strings)
    get = raw.get
    entry_type = block.entry_type.lower()
    csl_type = BIBTEX_TYPES.get(entry_type, "document")
    csl: dict[str, Any] = {"type": csl_type}
    csl["title"] = _text(get("title", ""))
    if get("subtitle"):
        csl["title"] = f"{csl['title']}: {_text(get('subtitle', ''))}".strip(": ")
    journal = get("fjournal") or get("journaltitle") or get("journal") or ""
    booktitle = get("booktitle") or ""
    if csl_type in ("chapter", "paper-conference", "entry-encyclopedia"):
        csl["container-title"] = _text(booktitle or journal)
    elif csl_type in ("book", "thesis", "report", "document"):
        csl["container-title"] = _text(journal)
    else:
        csl["container-title"] = _text(journal or booktitle)
    csl["collection-title"] = _text(get("series", ""))
    for role, key in (
        ("author", "author"),
        ("editor", "editor"),
        ("translator", "translator"),
        ("container-author", "bookauthor"),
    ):
        if get(key):
            csl[role] = _names(get(key, ""))
    csl["volume"] = _text(get("volume", ""))
    if csl_type in _ISSUE_TYPES:
        csl["issue"] = _text(get("issue", "") or get("number", ""))
        if get("issue"):
            csl["number"] = _text(get("number", ""))
    elif csl_type in _SERIES_NUMBER_TYPES:
        # A book's number is its number in the series (BibTeX's definition).
        csl["collection-number"] = _text(get("number", ""))
        csl["issue"] = _text(get("issue", ""))
    else:
        csl["number"] = _text(get("number", ""))
        csl["issue"] = _text(get("issue", ""))
    csl["number-of-volumes"] = _text(get("volumes", ""))
    pages = get("pages", "")
    csl["page"] = _PAGE_RANGE.sub("-", _text(pages.replace("--", "-"))) if pages else ""
    csl["number-of-pages"] = _text(get("pagetotal", ""))
    csl["edition"] = _text(get("edition", ""))
    csl["chapter-number"] = _text(get("chapter", ""))
    publisher = get("publisher") or ""
    if csl_type == "thesis":
        publisher = get("school") or get("institution") or publisher
    elif csl_type == "report":
        publisher = get("institution") or publisher
    elif csl_type in ("book", "paper-conference", "chapter", "document"):
        publisher = publisher or get("organization") or ""
    csl["publisher"] = _text(publisher)
    csl["publisher-place"] = _text(get("address", "") or get("location", ""))
    csl["event-title"] = _text(get("eventtitle", ""))
    csl["event-place"] = _text(get("venue", ""))
    csl["issued"] = _date(raw)
    csl["ISBN"] = _verbatim(get("isbn", ""))
    csl["ISSN"] = _verbatim(get("issn", ""))
    doi = _verbatim(get("doi", ""))
    for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
    csl["DOI"] = doi or doi_from_link(_verbatim(get("url", "")))
    url = _verbatim(get("url", ""))
    howpublished = get("howpublished", "")
    if not url and _URLISH.match(_verbatim(howpublished)):
        url = _verbatim(howpublished)
    elif howpublished and not _URLISH.match(_verbatim(howpublished)):
        csl["medium"] = _text(howpublished)
    csl["URL"] = url
    if get("urldate"):
        accessed = parse_date(get("urldate", ""))
        if accessed and "date-parts" in accessed:
            csl["accessed"] = {"date-parts": accessed["date-parts"]}
    csl["language"] = _text(get("language", "") or get("langid", ""))
    csl["abstract"] = _text(get("abstract", ""))
    csl["title-short"] = _text(get("shorttitle", ""))
    keywords = _text(get("keywords", ""))
    csl["keyword"] = [k.strip() for k in re.split(r"[,;]", keywords) if k.strip()]
    csl["note"] = _text(get("note", "") or get("annote", ""))
    csl["genre"] = _text(get("type", ""))
    if entry_type == "mastersthesis" and not csl["genre"]:
        csl["genre"] = "Master's thesis"
    lectio = {}
    for key, name in (("lccn", "LCCN"), ("oclc", "OCLC")):
        if get(key):
            lectio[name] = _verbatim(get(key, ""))
    if lectio:
        csl["lectio"] = lectio
    return clean_record(csl)


def _names(value: str) -> list[dict[str, str]]:
    out = []
    for name in split_multiple_persons_names(" ".join(value.split())):
        name = name.strip()
        if not name:
            continue
        if name.lower() == "others":
            continue
        if name.startswith("{") and name.endswith("}") and _balanced(name[1:-1]):
            out.append({"literal": _text(name[1:-1])})
            continue
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except Exception:  # noqa: BLE001 - keep the name as written
            out.append({"literal": _text(name)})
            continue
        if "," not in name and any(
            _text(word).lower() in _INSTITUTION_WORDS for word in parts.von
        ):
            # "Corporation for Digital Scholarship" written without the double
            # braces: a lower-case word that is no name particle ("for", "of",
            # "at") says this is an organisation, not a person.
            out.append({"literal": _text(name)})
            continue
        family = _text(" ".join(parts.von + parts.last))
        given = _text(" ".join(parts.first))
        suffix = _text(" ".join(parts.jr))
        if not family and given:
            out.append({"literal": given})
            continue
        person = {"family": family}
        if given:
            person["given"] = given
        if suffix:
            person["suffix"] = suffix
        if not given and not suffix:
            person = {"literal": family}
        out.append(person)
    return out


# Lower-case words of organisations' names that are no particle of a person's.
_INSTITUTION_WORDS = {"of", "for", "at", "the", "on"}


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _date(raw: dict[str, str]) -> dict[str, Any] | None:
    if raw.get("date"):
        return parse_date(raw["date"].split("/")[0])
    year = _text(raw.get("year", ""))
    if not year or not year[:4].isdigit() or int(year[:4]) == 0:
        # "Spring 2019", "n.d.", "????" (a key generator's unknown year).
        return parse_date(year) if year and year.strip("?") else None
    parts = [int(year[:4])]
    month = month_number(raw.get("month", "")) if raw.get("month") else None
    if month:
        parts.append(month)
        day = raw.get("day", "").strip()
        if day.isdigit() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


# --- writing -------------------------------------------------------------------------


def dumps(entries: Iterable[Entry]) -> str:
    """BibTeX for the entries, keys author-year-word, unique within the file."""
    taken: set[str] = set()
    return "\n".join(_record(entry, taken) for entry in entries)


def entry_key(csl: dict[str, Any], taken: set[str]) -> str:
    """family name of the first author (or editor) + year + first significant title
    word, ASCII lower case; a, b, c... added when already taken."""
    names = csl.get("author") or csl.get("editor") or []
    first = names[0] if names else {}
    who = str(first.get("family") or first.get("literal") or "anon")
    words = [
        w for w in re.findall(r"\w+", _ascii(str(csl.get("title") or ""))) if len(w) > 3
    ]
    word = words[0] if words else ""
    base = "".join(
        p
        for p in (
            _ascii(who).split()[-1] if _ascii(who).split() else "anon",
            year_of(csl.get("issued")),
            word,
        )
    ).lower()
    base = re.sub(r"[^a-z0-9]", "", base) or "item"
    key, n = base, 0
    while key in taken:
        key = base + _suffix(n)
        n += 1
    taken.add(key)
    return key


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return letters


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _record(entry: Entry, taken: set[str]) -> str:
    csl = entry.csl
    csl_type = str(csl.get("type") or csl_type_for(entry.material_type))
    entry_type = CSL_TO_BIBTEX.get(csl_type, "misc")
    if entry.material_type == MaterialType.JOURNAL:
        entry_type = "periodical"
    fields: list[tuple[str, str]] = []

    def add(name: str, value: Any, verbatim: bool = False) -> None:
        text = " ".join(str(value or "").split())
        if text:
            fields.append((name, text if verbatim else _escape(text)))

    for role, name in (
        ("author", "author"),
        ("editor", "editor"),
        ("translator", "translator"),
        ("container-author", "bookauthor"),
    ):
        if csl.get(role):
            fields.append((name, " and ".join(_name(n) for n in csl[role])))
    add("title", csl.get("title"))
    container = csl.get("container-title")
    if entry_type in ("incollection", "inproceedings", "inreference"):
        add("booktitle", container)
    else:
        add("journal", container)
    add("series", csl.get("collection-title"))
    add("volume", csl.get("volume"))
    if csl_type in _ISSUE_TYPES:
        if csl.get("number") and csl.get("issue"):
            add("number", csl.get("number"))
            add("issue", csl.get("issue"))
        else:
            add("number", csl.get("issue") or csl.get("number"))
    elif csl_type in _SERIES_NUMBER_TYPES:
        add("number", csl.get("collection-number"))
        add("issue", csl.get("issue"))
    else:
        add("number", csl.get("number"))
        add("issue", csl.get("issue"))
    add("volumes", csl.get("number-of-volumes"))
    if csl.get("page"):
        fields.append(("pages", _escape(str(csl["page"])).replace("-", "--")))
    add("pagetotal", csl.get("number-of-pages"))
    add("edition", csl.get("edition"))
    add("chapter", csl.get("chapter-number"))
    if entry_type == "phdthesis":
        add("school", csl.get("publisher"))
    elif entry_type == "techreport":
        add("institution", csl.get("publisher"))
    else:
        add("publisher", csl.get("publisher"))
    add("address", csl.get("publisher-place"))
    add("eventtitle", csl.get("event-title"))
    add("venue", csl.get("event-place"))
    issued = csl.get("issued") or {}
    parts = (issued.get("date-parts") or [[]])[0] if isinstance(issued, dict) else []
    if parts and not issued.get("literal"):
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", _MONTHS[int(parts[1]) - 1]))
        if len(parts) > 2:
            fields.append(("day", str(parts[2])))
    elif isinstance(issued, dict) and issued.get("literal"):
        add("year", issued["literal"])
    add("isbn", csl.get("ISBN"), verbatim=True)
    add("issn", csl.get("ISSN"), verbatim=True)
    add("doi", _escape_verbatim(csl.get("DOI")), verbatim=True)
    add("url", _escape_verbatim(csl.get("URL")), verbatim=True)
    accessed = (
        (csl.get("accessed") or {}).get("date-parts")
        if isinstance(csl.get("accessed"), dict)
        else None
    )
    if accessed and accessed[0]:
        add("urldate", "-".join(str(p).zfill(2) for p in accessed[0]), verbatim=True)
    add("language", csl.get("language"))
    add("abstract", csl.get("abstract"))
    add("shorttitle", csl.get("title-short"))
    add("keywords", ", ".join(csl.get("keyword") or []))
    add("note", csl.get("note"))
    add("type", csl.get("genre"))
    for key, name in (("LCCN", "lccn"), ("OCLC", "oclc")):
        add(name, (csl.get("lectio") or {}).get(key), verbatim=True)
    if (
        material_from_csl(csl_type) != entry.material_type
        and entry_type != "periodical"
    ):
        add(_MATERIAL_FIELD, entry.material_type, verbatim=True)
    key = entry_key(csl, taken)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _escape(text: str) -> str:
    # "--" would come back as a dash; keep the hyphens apart.
    return re.sub(r"-(?=-)", "-{}", unicode_to_latex(text))


def _escape_verbatim(value: Any) -> str:
    text = str(value or "")
    return text.replace("{", "%7B").replace("}", "%7D")


def _name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return "{" + _escape(str(name["literal"])) + "}"
    family = _escape(str(name.get("family") or ""))
    given = _escape(str(name.get("given") or ""))
    suffix = _escape(str(name.get("suffix") or ""))
    if " and " in f" {family} " or " and " in f" {given} ":
        return "{" + _escape(f"{family}, {given}") + "}"
    if " " in family and family.split()[0][:1].isupper():
        family = "{" + family + "}"
    if suffix:
        return f"{family}, {suffix}, {given}"
    return f"{family}, {given}" if given else family
