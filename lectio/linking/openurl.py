"""OpenURL: reading OpenURL 1.0 (Z39.88-2004) and 0.1 requests, and writing 1.0.

Pure: no ORM, no network. `parse_query` reads a raw query string (or form body) in
either version, key/encoded-value (KEV) pairs or the XML context object carried in
`url_ctx_val`; `parse_xml` reads an XML context object document. Both return one
`OpenURL` with what the link describes (the referent) and the problems met on the
way. A problem is `fatal` when the link cannot be understood at all; anything whose
meaning is clear (trailing spaces, a format name not in the registry, a Latin-1
query string, a bad ISSN next to a good title) is tolerated and reported.

`build` writes an OpenURL 1.0 KEV query string for a citation from its CSL-JSON
metadata and material type, for Lectio's own resolver or an external one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote_to_bytes
from xml.parsers import expat

from django.utils.translation import gettext_lazy as _

from lectio.core.identifiers import (
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)

# The longest query string or XML document read; anything longer is refused whole
# rather than read in part.
MAX_INPUT = 16 * 1024
# The longest single value kept (a title, an author); longer ones are cut.
MAX_VALUE = 1000
MAX_AUTHORS = 50

VERSION_1_0 = "Z39.88-2004"
KEV_FORMAT_PREFIX = "info:ofi/fmt:kev:mtx:"
XML_FORMAT_PREFIX = "info:ofi/fmt:xml:xsd:"
XML_CTX_FORMAT = "info:ofi/fmt:xml:xsd:ctx"
REGISTERED_FORMATS = ("journal", "book", "dissertation", "patent")
CTX_NS = "info:ofi/fmt:xml:xsd:ctx"
REFERRER = "info:sid/lectio"

MESSAGES = {
    "empty": _("The link carries no description of what to find."),
    "too_large": _("The link is too long to read."),
    "not_openurl": _("The link is not an OpenURL."),
    "nothing_to_find": _("The link names no title and no identifier to look for."),
    "bad_xml": _("The link's XML description cannot be read."),
    "xml_entities": _("The link's XML declares entities, which are not accepted."),
    "by_reference": _(
        "The link points to its description elsewhere instead of carrying it."
    ),
    "encoding": _("The link was not in UTF-8; it was read as Latin-1."),
    "bad_percent": _("Part of the link is not properly encoded."),
    "unregistered_format": _("The link names a format OpenURL does not define."),
    "unknown_version": _("The link names an OpenURL version Lectio does not know."),
    "bad_issn": _("The ISSN in the link is not valid."),
    "bad_eissn": _("The electronic ISSN in the link is not valid."),
    "bad_isbn": _("The ISBN in the link is not valid."),
    "bad_doi": _("The DOI in the link is not valid."),
    "bad_pmid": _("The PubMed id in the link is not valid."),
    "bad_oclc": _("The OCLC number in the link is not valid."),
    "bad_date": _("The date in the link has no year."),
    "truncated": _("A value in the link was too long and was shortened."),
    "repeated": _("A value that may appear once appears several times."),
    "unknown_identifier": _("An identifier in the link is of a kind Lectio ignores."),
}


@dataclass(frozen=True)
class Problem:
    code: str
    # The key the problem is about ("rft.issn"), when there is one.
    key: str = ""
    fatal: bool = False

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, self.code))


@dataclass
class Author:
    last: str = ""
    first: str = ""
    initials: str = ""
    # A corporate or otherwise unsplit name.
    literal: str = ""

    @property
    def display(self) -> str:
        if self.literal:
            return self.literal
        given = self.first or self.initials
        return f"{self.last}, {given}" if self.last and given else self.last or given


@dataclass
class OpenURL:
    """What an OpenURL describes. Identifiers are in their normal forms
    (`core.identifiers`); texts are stripped of control characters and surrounding
    space; `format` is one of REGISTERED_FORMATS or "" when it cannot be told."""

    version: str = ""  # "1.0", "0.1" or "" (not understood)
    form: str = ""  # "kev" or "xml"
    format: str = ""
    genre: str = ""
    atitle: str = ""
    jtitle: str = ""
    btitle: str = ""
    # A title the link does not say the kind of (0.1 `title`, 1.0 `rft.title`).
    title: str = ""
    stitle: str = ""
    issn: str = ""
    eissn: str = ""
    isbn: str = ""
    volume: str = ""
    issue: str = ""
    part: str = ""
    spage: str = ""
    epage: str = ""
    pages: str = ""
    artnum: str = ""
    date: str = ""
    year: int | None = None
    authors: list[Author] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    edition: str = ""
    series: str = ""
    institution: str = ""  # a dissertation's
    degree: str = ""
    patent_number: str = ""
    doi: str = ""
    pmid: str = ""
    oclc: str = ""
    lccn: str = ""
    # Other referent identifiers as given (info:..., urn:..., http...).
    other_ids: list[str] = field(default_factory=list)
    referrer: str = ""  # rfr_id or sid
    # rfr_dat: the referrer's private data, for the referrer alone (never sent on).
    referrer_data: str = ""
    services: list[str] = field(default_factory=list)  # svc_id
    problems: list[Problem] = field(default_factory=list)

    @property
    def container_title(self) -> str:
        return self.jtitle or self.btitle or (self.title if self.atitle else "")

    @property
    def main_title(self) -> str:
        """The title of the thing to fetch: the article, chapter or the book."""
        return self.atitle or self.btitle or self.jtitle or self.title

    @property
    def understood(self) -> bool:
        return self.version != "" and not any(p.fatal for p in self.problems)

    @property
    def has_identifier(self) -> bool:
        return bool(self.doi or self.pmid or self.issn or self.eissn or self.isbn)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "authors":
                value = [{k: v for k, v in vars(a).items() if v} for a in value]
            elif name == "problems":
                value = [
                    {"code": p.code, "key": p.key, "fatal": p.fatal} for p in value
                ]
            if value not in ("", None, []):
                out[name] = value
        return out


# --- reading ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)(1[4-9]\d\d|20\d\d|2100)(?!\d)")
_PMID = re.compile(r"^\d{1,9}$")


def _clean(value: str) -> str:
    value = unicodedata.normalize("NFC", _CONTROL.sub("", value))
    return _SPACE.sub(" ", value).strip()


def _decode(raw: bytes, fallback: bool) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        if fallback:
            return raw.decode("latin-1"), True
        return raw.decode("utf-8", "replace"), True


_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _kev_pairs(query: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """(key, value) pairs of a KEV string: `+` is a space, bad `%` escapes are taken
    literally, and values that are not UTF-8 are read as Latin-1 (databases still
    send ISO-8859-1 links) with a problem noted."""
    if _PERCENT.search(query):
        problems.append(Problem("bad_percent"))
        query = _PERCENT.sub("%25", query)
    raw: list[tuple[bytes, bytes]] = []
    for chunk in query.split("&"):
        if not chunk:
            continue
        key, _eq, value = chunk.partition("=")
        raw.append(
            (
                unquote_to_bytes(key.replace("+", " ")),
                unquote_to_bytes(value.replace("+", " ")),
            )
        )
    # ctx_enc names the character set; anything but UTF-8 means Latin-1 in practice.
    latin = any(k.strip() == b"ctx_enc" and b"8859-1" in v.upper() for k, v in raw if k)
    pairs = []
    misread = False
    for key_bytes, value_bytes in raw:
        key, bad_key = _decode(key_bytes, fallback=True)
        if latin:
            # Declared Latin-1, but senders often send UTF-8 regardless.
            value, bad_value = _decode(value_bytes, fallback=True)
            bad_value = False
        else:
            value, bad_value = _decode(value_bytes, fallback=True)
        misread = misread or bad_key or bad_value
        pairs.append((_clean(key), value))
    if misread:
        problems.append(Problem("encoding"))
    return pairs


# 1.0 KEV keys (after `rft.`) and 0.1 keys that mean the same field. A key that
# may repeat (au) is handled apart.
_FIELDS = {
    "atitle": "atitle",
    "jtitle": "jtitle",
    "btitle": "btitle",
    "title": "title",
    "stitle": "stitle",
    "issn": "issn",
    "eissn": "eissn",
    "isbn": "isbn",
    "volume": "volume",
    "issue": "issue",
    "part": "part",
    "spage": "spage",
    "epage": "epage",
    "pages": "pages",
    "artnum": "artnum",
    "date": "date",
    "pub": "publisher",
    "publisher": "publisher",
    "place": "place",
    "edition": "edition",
    "series": "series",
    "inst": "institution",
    "degree": "degree",
    "number": "patent_number",
    "genre": "genre",
}
_AUTHOR_KEYS = ("aulast", "aufirst", "auinit", "auinit1", "auinitm", "ausuffix")
_OPENURL_01_KEYS = set(_FIELDS) | set(_AUTHOR_KEYS) | {"id", "sid", "pid", "coden"}

# Genres and the format they belong to (1.0 journal and book matrices, 0.1 genres).
_GENRE_FORMAT = {
    "article": "journal",
    "journal": "journal",
    "issue": "journal",
    "preprint": "journal",
    "book": "book",
    "bookitem": "book",
    "report": "book",
    "document": "book",
    "proceeding": "journal",
    "conference": "journal",
    "dissertation": "dissertation",
    "thesis": "dissertation",
    "patent": "patent",
}


def parse_query(query: str | bytes) -> OpenURL:
    """Reads a query string (or urlencoded form body) of either OpenURL version.
    Never raises."""
    result = OpenURL(form="kev")
    try:
        if isinstance(query, bytes):
            if len(query) > MAX_INPUT:
                return _fatal(result, "too_large")
            query = query.decode("latin-1")
        if len(query) > MAX_INPUT:
            return _fatal(result, "too_large")
        query = query.lstrip("?")
        if not query.strip():
            return _fatal(result, "empty")
        pairs = _kev_pairs(query, result.problems)
        return _from_pairs(result, pairs)
    except Exception:  # a link that breaks the reader is not understood
        return _fatal(OpenURL(form="kev"), "not_openurl")


def parse_pairs(pairs: list[tuple[str, str]]) -> OpenURL:
    """Reads already-decoded (key, value) pairs (a POSTed form). Never raises."""
    result = OpenURL(form="kev")
    try:
        if sum(len(k) + len(v) + 2 for k, v in pairs) > MAX_INPUT:
            return _fatal(result, "too_large")
        if not pairs:
            return _fatal(result, "empty")
        return _from_pairs(result, [(_clean(k), v) for k, v in pairs])
    except Exception:
        return _fatal(OpenURL(form="kev"), "not_openurl")


def refused(code: str, form: str = "kev") -> OpenURL:
    """A link refused before it is read (for example a body over MAX_INPUT)."""
    return _fatal(OpenURL(form=form), code)


def _fatal(result: OpenURL, code: str, key: str = "") -> OpenURL:
    result.version = ""
    result.problems.append(Problem(code, key, fatal=True))
    return result


def _from_pairs(result: OpenURL, pairs: list[tuple[str, str]]) -> OpenURL:
    keys = {k for k, _v in pairs}
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)
    ctx_fmt = _clean(first.get("url_ctx_fmt", ""))
    if ctx_fmt == XML_CTX_FORMAT or "url_ctx_val" in keys:
        if "url_ctx_val" not in keys:
            return _fatal(result, "by_reference", "url_ctx_ref")
        xml = parse_xml(first["url_ctx_val"])
        xml.problems = result.problems + xml.problems
        return xml
    if "url_ctx_ref" in keys:
        return _fatal(result, "by_reference", "url_ctx_ref")
    is_10 = (
        any(k.startswith(("rft.", "rft_")) for k in keys)
        or "url_ver" in keys
        or "ctx_ver" in keys
    )
    if is_10:
        version = _clean(first.get("url_ver") or first.get("ctx_ver") or VERSION_1_0)
        if version.upper() != VERSION_1_0.upper():
            result.problems.append(Problem("unknown_version", "url_ver"))
        result.version = "1.0"
        metadata = [(k[4:], v) for k, v in pairs if k.startswith("rft.")]
        _read_metadata(result, metadata, prefix="rft.")
        for key, value in pairs:
            if key == "rft_id":
                _read_identifier(result, value, "rft_id")
        fmt = _clean(first.get("rft_val_fmt", ""))
        _read_format(result, fmt, KEV_FORMAT_PREFIX)
        result.referrer = _cut(result, _clean(first.get("rfr_id", "")), "rfr_id")
        result.referrer_data = _cut(result, _clean(first.get("rfr_dat", "")), "rfr_dat")
        result.services = [
            _cut(result, _clean(v), "svc_id") for k, v in pairs if k == "svc_id" and v
        ]
        # Some senders put 0.1 keys next to the 1.0 ones; they fill gaps only.
        legacy = [(k, v) for k, v in pairs if k in _OPENURL_01_KEYS]
        if legacy:
            _read_01(result, legacy, fill_only=True)
    elif keys & _OPENURL_01_KEYS:
        result.version = "0.1"
        _read_01(result, pairs, fill_only=False)
    else:
        return _fatal(result, "not_openurl")
    return _finish(result)


def _read_01(result: OpenURL, pairs: list[tuple[str, str]], fill_only: bool) -> None:
    metadata = [(k, v) for k, v in pairs if k in _FIELDS or k in _AUTHOR_KEYS]
    _read_metadata(result, metadata, prefix="", fill_only=fill_only)
    for key, value in pairs:
        if key in ("id", "pid") and value:
            _read_identifier(result, value, key, legacy=True)
        elif key == "sid" and value and not result.referrer:
            result.referrer = _cut(result, _clean(value), "sid")
    if not fill_only and result.genre:
        result.format = result.format or _GENRE_FORMAT.get(result.genre, "")
    if not result.format:
        result.format = _GENRE_FORMAT.get(result.genre, "")


def _cut(result: OpenURL, value: str, key: str) -> str:
    if len(value) > MAX_VALUE:
        if not any(p.code == "truncated" and p.key == key for p in result.problems):
            result.problems.append(Problem("truncated", key))
        return value[:MAX_VALUE].rstrip()
    return value


def _read_metadata(
    result: OpenURL,
    metadata: list[tuple[str, str]],
    prefix: str,
    fill_only: bool = False,
) -> None:
    """Reads the referent's metadata keys (without their `rft.` prefix)."""
    seen: dict[str, str] = {}
    author = Author()
    extra_authors: list[Author] = []
    bad_numbers: dict[str, str] = {}
    for key, raw in metadata:
        value = _cut(result, _clean(raw), prefix + key)
        if not value:
            continue
        if key == "au":
            if len(extra_authors) < MAX_AUTHORS:
                extra_authors.append(_split_name(value))
            continue
        if key == "aucorp":
            if len(extra_authors) < MAX_AUTHORS:
                extra_authors.append(Author(literal=value))
            continue
        if key in _AUTHOR_KEYS:
            if key == "aulast":
                author.last = author.last or value
            elif key == "aufirst":
                author.first = author.first or value
            elif key in ("auinit", "auinit1"):
                author.initials = author.initials or value
            elif key == "auinitm":
                author.initials = (author.initials + value).strip()
            continue
        name = _FIELDS.get(key)
        if name is None:
            continue
        if name in ("issn", "eissn", "isbn"):
            # Several ISBNs (print, electronic, each binding) are normal: the first
            # valid one is kept.
            normal = normalize_isbn(value) if name == "isbn" else normalize_issn(value)
            if normal and not getattr(result, name):
                setattr(result, name, normal)
            elif not normal:
                bad_numbers.setdefault(name, prefix + key)
            continue
        if key in seen:
            if seen[key] != value and not any(
                p.code == "repeated" and p.key == prefix + key for p in result.problems
            ):
                result.problems.append(Problem("repeated", prefix + key))
            continue
        seen[key] = value
        if fill_only and getattr(result, name):
            continue
        if name == "genre":
            value = value.lower()
        setattr(result, name, value)
    for name, key in bad_numbers.items():
        if not getattr(result, name):
            result.problems.append(Problem(f"bad_{name}", key))
    has_author = author.last or author.first or author.initials
    if has_author and not (fill_only and result.authors):
        result.authors.insert(0, author)
    for extra in extra_authors:
        if fill_only and result.authors:
            break
        if not any(a.display == extra.display for a in result.authors):
            result.authors.append(extra)


def _split_name(value: str) -> Author:
    if "," in value:
        last, _comma, first = value.partition(",")
        return Author(last=last.strip(), first=first.strip())
    return Author(literal=value)


def _read_identifier(result: OpenURL, raw: str, key: str, legacy: bool = False) -> None:
    """One referent identifier: `info:doi/`, `info:pmid/`, `urn:isbn:`, `urn:issn:`,
    `info:oclcnum/`, `info:lccn/`, a doi.org address; in 0.1 `doi:`, `pmid:`."""
    value = _clean(raw)
    if not value:
        return
    lowered = value.lower()
    kinds = (
        ("info:doi/", "doi"),
        ("doi:", "doi"),
        ("https://doi.org/", "doi"),
        ("http://doi.org/", "doi"),
        ("http://dx.doi.org/", "doi"),
        ("https://dx.doi.org/", "doi"),
        ("info:pmid/", "pmid"),
        ("pmid:", "pmid"),
        ("urn:isbn:", "isbn"),
        ("isbn:", "isbn"),
        ("urn:issn:", "issn"),
        ("issn:", "issn"),
        ("info:oclcnum/", "oclc"),
        ("oclcnum:", "oclc"),
        ("info:lccn/", "lccn"),
    )
    for prefix, kind in kinds:
        if lowered.startswith(prefix):
            rest = unquote_to_bytes(value[len(prefix) :]).decode("utf-8", "replace")
            normal: str | None
            if kind == "doi":
                normal = normalize_doi(rest)
            elif kind == "pmid":
                normal = rest.strip() if _PMID.match(rest.strip()) else None
            elif kind == "isbn":
                normal = normalize_isbn(rest)
            elif kind == "issn":
                normal = normalize_issn(rest)
            elif kind == "oclc":
                normal = normalize_oclc(rest)
            else:
                normal = normalize_lccn(rest)
            if not normal:
                result.problems.append(Problem(f"bad_{kind}", key))
            elif not getattr(result, kind):
                setattr(result, kind, normal)
            return
    if len(result.other_ids) < 10:
        result.other_ids.append(_cut(result, value, key))


def _read_format(result: OpenURL, fmt: str, prefix: str) -> None:
    """rft_val_fmt (or the XML format): tolerant of case, spaces and the wrong
    encoding prefix; a name outside the registry is reported and the format guessed
    from the genre."""
    if not fmt:
        result.format = result.format or _GENRE_FORMAT.get(result.genre, "")
        return
    name = fmt.strip().lower()
    for known_prefix in (KEV_FORMAT_PREFIX, XML_FORMAT_PREFIX, prefix):
        if name.startswith(known_prefix):
            name = name[len(known_prefix) :]
            break
    name = name.strip(" :/")
    if name in REGISTERED_FORMATS:
        result.format = name
        return
    if name in ("dc", "sch_svc"):
        result.format = _GENRE_FORMAT.get(result.genre, "")
        return
    result.problems.append(Problem("unregistered_format", "rft_val_fmt"))
    result.format = _GENRE_FORMAT.get(name) or _GENRE_FORMAT.get(result.genre, "")


def _finish(result: OpenURL) -> OpenURL:
    if result.date:
        match = _YEAR.search(result.date)
        if match:
            result.year = int(match.group(1))
        else:
            result.problems.append(Problem("bad_date", "date"))
    if result.spage and result.epage and not result.pages:
        result.pages = f"{result.spage}-{result.epage}"
    elif result.pages and not result.spage:
        start, _dash, end = result.pages.replace("–", "-").partition("-")
        result.spage = start.strip()
        result.epage = result.epage or end.strip()
    if not result.format:
        if result.atitle and (result.jtitle or result.issn or result.eissn):
            result.format = "journal"
        elif result.btitle or result.isbn:
            result.format = "book"
    if result.format == "journal" and result.title and not result.jtitle:
        result.jtitle, result.title = result.title, ""
    elif result.format == "book" and result.title and not result.btitle:
        result.btitle, result.title = result.title, ""
    if not result.genre and result.format == "journal" and result.atitle:
        result.genre = "article"
    if not (
        result.main_title
        or result.doi
        or result.pmid
        or result.issn
        or result.eissn
        or result.isbn
        or result.oclc
        or result.lccn
    ):
        return _fatal(result, "nothing_to_find")
    return result


# --- XML context objects -----------------------------------------------------------


@dataclass
class _Element:
    ns: str
    name: str
    attrs: dict[str, str]
    children: list[_Element] = field(default_factory=list)
    text: str = ""

    def find(self, name: str) -> _Element | None:
        return next((c for c in self.children if c.name == name), None)

    def findall(self, name: str) -> list[_Element]:
        return [c for c in self.children if c.name == name]


class _Refused(Exception):
    pass


def _parse_xml_tree(data: bytes) -> _Element:
    """A small tree from expat with DOCTYPEs and entity declarations refused (no
    entity expansion, no external fetches) and at most 2,000 elements."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = _Element("", "#root", {})
    stack = [root]
    count = 0

    def refuse(*_args: Any) -> Any:
        raise _Refused

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > 2000 or len(stack) > 50:
            raise _Refused
        ns, _sep, local = name.rpartition(" ")
        element = _Element(ns, local, attrs)
        stack[-1].children.append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if len(stack[-1].text) < MAX_VALUE * 2:
            stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    return root


def parse_xml(document: str | bytes) -> OpenURL:
    """Reads an XML context object (`ctx:context-objects` or one `ctx:context-object`,
    Z39.88-2004 Part 3) with its referent's metadata by value in the journal, book,
    dissertation or patent XML format. Never raises."""
    result = OpenURL(form="xml")
    try:
        data = document.encode("utf-8") if isinstance(document, str) else document
        if len(data) > MAX_INPUT:
            return _fatal(result, "too_large")
        if not data.strip():
            return _fatal(result, "empty")
        try:
            tree = _parse_xml_tree(data)
        except _Refused:
            return _fatal(result, "xml_entities")
        except expat.ExpatError:
            return _fatal(result, "bad_xml")
        return _from_xml(result, tree)
    except Exception:
        return _fatal(OpenURL(form="xml"), "bad_xml")


def _from_xml(result: OpenURL, tree: _Element) -> OpenURL:
    top = tree.children[0] if tree.children else None
    if top is None:
        return _fatal(result, "bad_xml")
    if top.name == "context-objects":
        top = top.find("context-object")
        if top is None:
            return _fatal(result, "not_openurl")
    if top.name != "context-object":
        return _fatal(result, "not_openurl")
    version = top.attrs.get("version", VERSION_1_0).strip()
    if version.upper() != VERSION_1_0.upper():
        result.problems.append(Problem("unknown_version", "version"))
    result.version = "1.0"
    referent = top.find("referent")
    if referent is None:
        return _fatal(result, "nothing_to_find")
    for identifier in referent.findall("identifier"):
        _read_identifier(result, identifier.text, "identifier")
    by_val = referent.find("metadata-by-val")
    if by_val is not None:
        fmt_element = by_val.find("format")
        fmt = _clean(fmt_element.text) if fmt_element is not None else ""
        metadata = by_val.find("metadata")
        pairs: list[tuple[str, str]] = []
        if metadata is not None:
            for entity in metadata.children:
                pairs.extend(_xml_metadata_pairs(entity))
        _read_metadata(result, pairs, prefix="")
        _read_format(result, fmt, XML_FORMAT_PREFIX)
    elif referent.find("metadata-by-ref") is not None and not result.has_identifier:
        result.problems.append(Problem("by_reference", "metadata-by-ref"))
    referrer = top.find("referrer")
    if referrer is not None:
        ids = referrer.findall("identifier")
        if ids:
            result.referrer = _cut(result, _clean(ids[0].text), "referrer")
    service = top.find("service-type")
    if service is not None:
        result.services = [
            _cut(result, _clean(i.text), "service-type")
            for i in service.findall("identifier")
            if _clean(i.text)
        ]
    return _finish(result)


def _xml_metadata_pairs(entity: _Element) -> list[tuple[str, str]]:
    """The metadata elements of a journal/book/... element as KEV-style pairs. XML
    authors come as `authors/author/{aulast,aufirst,...}` and `authors/au`; the
    first becomes the first-author keys, the rest `au`."""
    pairs: list[tuple[str, str]] = []
    for child in entity.children:
        if child.name == "authors":
            for index, author in enumerate(child.children):
                if author.name == "author" and author.children:
                    parts = {c.name: _clean(c.text) for c in author.children}
                    if index == 0:
                        pairs.extend((k, v) for k, v in parts.items())
                    else:
                        last = parts.get("aulast", "")
                        first = parts.get("aufirst") or parts.get("auinit", "")
                        name = f"{last}, {first}" if last and first else last or first
                        pairs.append(("au", name))
                elif author.name in ("au", "author"):
                    pairs.append(("au", author.text))
                elif author.name == "aucorp":
                    pairs.append(("aucorp", author.text))
        elif not child.children:
            pairs.append((child.name, child.text))
    return pairs


# --- writing ------------------------------------------------------------------------

# Lectio's material types and the OpenURL format and genre they are sent as.
_MATERIAL = {
    "article": ("journal", "article"),
    "journal": ("journal", "journal"),
    "conference_paper": ("journal", "proceeding"),
    "book": ("book", "book"),
    "ebook": ("book", "book"),
    "book_chapter": ("book", "bookitem"),
    "report": ("book", "report"),
    "thesis": ("dissertation", ""),
    "legal_document": ("book", "document"),
}


def _csl_year(csl: dict[str, Any]) -> str:
    issued = csl.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            return "-".join(
                f"{int(p):02d}" if i else str(int(p))
                for i, p in enumerate(parts[0][:3])
                if isinstance(p, int | str) and str(p).isdigit()
            )
        for key in ("literal", "raw"):
            if issued.get(key):
                return str(issued[key])
    if isinstance(issued, str | int):
        return str(issued)
    return ""


def _names(csl: dict[str, Any], role: str) -> list[dict[str, Any]]:
    names = csl.get(role)
    return [n for n in names if isinstance(n, dict)] if isinstance(names, list) else []


def build_pairs(metadata: dict[str, Any], material_type: str) -> list[tuple[str, str]]:
    """The OpenURL 1.0 KEV pairs for a citation's CSL-JSON metadata."""
    csl = metadata if isinstance(metadata, dict) else {}
    fmt, genre = _MATERIAL.get(material_type, ("", ""))

    def text(key: str) -> str:
        value = csl.get(key)
        return _clean(str(value))[:MAX_VALUE] if isinstance(value, str | int) else ""

    pairs: list[tuple[str, str]] = [
        ("url_ver", VERSION_1_0),
        ("ctx_ver", VERSION_1_0),
        ("ctx_enc", "info:ofi/enc:UTF-8"),
        ("rfr_id", REFERRER),
    ]
    if fmt:
        pairs.append(("rft_val_fmt", KEV_FORMAT_PREFIX + fmt))
    if genre:
        pairs.append(("rft.genre", genre))
    title, container = text("title"), text("container-title")
    if fmt == "journal":
        if genre == "journal":
            pairs.append(("rft.jtitle", title))
        else:
            pairs += [("rft.atitle", title), ("rft.jtitle", container)]
    elif fmt == "book":
        if genre == "bookitem":
            pairs += [("rft.atitle", title), ("rft.btitle", container)]
        else:
            pairs.append(("rft.btitle", title))
    else:
        pairs.append(("rft.title", title))
        if container:
            pairs.append(("rft.jtitle", container))
    authors = _names(csl, "author") or _names(csl, "editor")
    if authors:
        first = authors[0]
        if first.get("family"):
            pairs.append(("rft.aulast", _clean(str(first["family"]))))
            if first.get("given"):
                pairs.append(("rft.aufirst", _clean(str(first["given"]))))
        elif first.get("literal"):
            pairs.append(("rft.aucorp", _clean(str(first["literal"]))))
        for other in authors[1:MAX_AUTHORS]:
            name = ", ".join(
                _clean(str(other[k])) for k in ("family", "given") if other.get(k)
            ) or _clean(str(other.get("literal") or ""))
            if name:
                pairs.append(("rft.au", name))
    for key, name in (
        ("volume", "rft.volume"),
        ("issue", "rft.issue"),
        ("edition", "rft.edition"),
        ("publisher", "rft.pub"),
        ("publisher-place", "rft.place"),
    ):
        pairs.append((name, text(key)))
    page = text("page").replace("–", "-")
    if page:
        start, dash, end = page.partition("-")
        pairs.append(("rft.spage", start.strip()))
        if dash and end.strip():
            pairs.append(("rft.epage", end.strip()))
        pairs.append(("rft.pages", page))
    pairs.append(("rft.date", _clean(_csl_year(csl))))
    if fmt == "dissertation":
        pairs.append(("rft.inst", text("publisher")))
    for key in ("ISSN", "ISBN"):
        for raw in re.split(r"[,;\s]+", text(key)):
            normal = normalize_issn(raw) if key == "ISSN" else normalize_isbn(raw)
            if normal:
                pairs.append(("rft." + key.lower(), normal))
                break
    doi = normalize_doi(text("DOI"))
    if doi:
        pairs.append(("rft_id", "info:doi/" + doi))
    extra = csl.get("lectio") if isinstance(csl.get("lectio"), dict) else {}
    oclc = normalize_oclc(str(extra.get("OCLC") or "")) if extra else None
    if oclc:
        pairs.append(("rft_id", "info:oclcnum/" + oclc))
    lccn = normalize_lccn(str(extra.get("LCCN") or "")) if extra else None
    if lccn:
        pairs.append(("rft_id", "info:lccn/" + lccn))
    return [(k, v) for k, v in pairs if v]


def build(metadata: dict[str, Any], material_type: str) -> str:
    """An OpenURL 1.0 KEV query string (without `?`) for a citation."""
    return encode_pairs(build_pairs(metadata, material_type))


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='._')}={quote(v, safe='')}" for k, v in pairs)


def to_pairs(parsed: OpenURL) -> list[tuple[str, str]]:
    """A parsed OpenURL written back as clean 1.0 KEV pairs (what Lectio sends on to
    an external resolver: rebuilt, never the incoming string)."""
    pairs: list[tuple[str, str]] = [
        ("url_ver", VERSION_1_0),
        ("ctx_ver", VERSION_1_0),
        ("ctx_enc", "info:ofi/enc:UTF-8"),
        ("rfr_id", parsed.referrer or REFERRER),
    ]
    if parsed.format:
        pairs.append(("rft_val_fmt", KEV_FORMAT_PREFIX + parsed.format))
    for name in (
        "genre",
        "atitle",
        "jtitle",
        "btitle",
        "title",
        "stitle",
        "issn",
        "eissn",
        "isbn",
        "volume",
        "issue",
        "part",
        "spage",
        "epage",
        "pages",
        "artnum",
        "date",
        "place",
        "edition",
        "series",
    ):
        pairs.append(("rft." + name, getattr(parsed, name)))
    pairs.append(("rft.pub", parsed.publisher))
    if parsed.format == "dissertation":
        pairs.append(("rft.inst", parsed.institution))
    if parsed.authors:
        first = parsed.authors[0]
        if first.literal:
            pairs.append(("rft.au", first.literal))
        else:
            pairs += [
                ("rft.aulast", first.last),
                ("rft.aufirst", first.first),
                ("rft.auinit", first.initials if not first.first else ""),
            ]
        pairs += [("rft.au", a.display) for a in parsed.authors[1:]]
    for kind, value in (
        ("info:doi/", parsed.doi),
        ("info:pmid/", parsed.pmid),
        ("info:oclcnum/", parsed.oclc),
        ("info:lccn/", parsed.lccn),
    ):
        if value:
            pairs.append(("rft_id", kind + value))
    return [(k, v) for k, v in pairs if v]
