"""Each metadata source of a page as CSL-JSON (see the package's docstring for the
order of trust)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from lectio.citations.formats.common import parse_date, split_name
from lectio.citations.harvest.page import Page
from lectio.citations.harvest.text import clean_text
from lectio.core.identifiers import normalize_doi, normalize_isbn, normalize_issn

MAX_AUTHORS = 100
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)")
_ISBN_IN_TEXT = re.compile(
    r"\bISBN(?:-1[03])?:?\s*((?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx])\b", re.I
)


def _all(page: Page, *names: str) -> list[str]:
    wanted = {n.lower() for n in names}
    return [clean_text(v) for k, v in page.metas if k in wanted and clean_text(v)]


def _first(page: Page, *names: str) -> str:
    for name in names:
        values = _all(page, name)
        if values:
            return values[0]
    return ""


def _names(values: Iterable[str]) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    for value in values:
        # "A; B" in one tag is several people.
        for part in re.split(r"\s*;\s*", value):
            name = split_name(part)
            if name and name not in names:
                names.append(name)
            if len(names) >= MAX_AUTHORS:
                return names
    return names


def _date(value: str) -> dict[str, Any] | None:
    value = clean_text(value, 100)
    if not value:
        return None
    iso = re.match(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", value)
    if iso:
        parts = [int(p) for p in iso.groups() if p]
        if len(parts) > 1 and not 1 <= parts[1] <= 12:
            parts = parts[:1]
        if len(parts) > 2 and not 1 <= parts[2] <= 31:
            parts = parts[:2]
        return {"date-parts": [parts]}
    return parse_date(value)


def _pages(first: str, last: str) -> str:
    first, last = clean_text(first, 20), clean_text(last, 20)
    if first and last and first != last:
        return f"{first}-{last}"
    return first


def _put(csl: dict[str, Any], key: str, value: Any) -> None:
    if value:
        csl[key] = value


def highwire(page: Page) -> dict[str, Any]:
    csl: dict[str, Any] = {}
    _put(csl, "title", _first(page, "citation_title"))
    _put(csl, "author", _names(_all(page, "citation_author", "citation_authors")))
    _put(csl, "editor", _names(_all(page, "citation_editor")))
    journal = _first(page, "citation_journal_title")
    book = _first(page, "citation_book_title", "citation_inbook_title")
    conference = _first(page, "citation_conference_title")
    _put(csl, "container-title", journal or book or conference)
    _put(csl, "publisher", _first(page, "citation_publisher"))
    date = _first(
        page, "citation_publication_date", "citation_date", "citation_online_date"
    )
    _put(csl, "issued", _date(date) if date else None)
    _put(csl, "volume", _first(page, "citation_volume"))
    _put(csl, "issue", _first(page, "citation_issue"))
    _put(
        csl,
        "page",
        _pages(_first(page, "citation_firstpage"), _first(page, "citation_lastpage")),
    )
    _put(csl, "DOI", normalize_doi(_first(page, "citation_doi")) or "")
    _put(csl, "ISBN", normalize_isbn(_first(page, "citation_isbn")) or "")
    _put(csl, "ISSN", normalize_issn(_first(page, "citation_issn")) or "")
    _put(csl, "language", _first(page, "citation_language"))
    _put(csl, "URL", _first(page, "citation_abstract_html_url", "citation_public_url"))
    _put(csl, "abstract", _first(page, "citation_abstract"))
    institution = _first(
        page,
        "citation_dissertation_institution",
        "citation_technical_report_institution",
    )
    if institution:
        csl.setdefault("publisher", institution)
    _put(csl, "number", _first(page, "citation_technical_report_number"))
    if journal:
        csl["type"] = "article-journal"
    elif book and csl.get("title") and book != csl.get("title"):
        csl["type"] = "chapter"
    elif conference:
        csl["type"] = "paper-conference"
    elif _first(page, "citation_dissertation_institution"):
        csl["type"] = "thesis"
    elif _first(page, "citation_technical_report_institution"):
        csl["type"] = "report"
    elif csl.get("ISBN"):
        csl["type"] = "book"
    return csl


def dublin_core(page: Page) -> dict[str, Any]:
    csl: dict[str, Any] = {}
    _put(csl, "title", _first(page, "dc.title", "dcterms.title"))
    _put(
        csl,
        "author",
        _names(_all(page, "dc.creator", "dcterms.creator", "dc.creator.personalname")),
    )
    _put(csl, "publisher", _first(page, "dc.publisher", "dcterms.publisher"))
    date = _first(
        page,
        "dc.date",
        "dcterms.issued",
        "dcterms.date",
        "dcterms.created",
        "dc.date.issued",
    )
    _put(csl, "issued", _date(date) if date else None)
    _put(csl, "language", _first(page, "dc.language", "dcterms.language"))
    _put(
        csl,
        "abstract",
        _first(page, "dc.description", "dcterms.abstract", "dcterms.description"),
    )
    _put(
        csl,
        "container-title",
        _first(page, "dcterms.ispartof", "dc.source", "dc.relation.ispartof"),
    )
    for identifier in _all(page, "dc.identifier", "dcterms.identifier"):
        if "DOI" not in csl and normalize_doi(identifier):
            csl["DOI"] = normalize_doi(identifier)
        elif "ISBN" not in csl and identifier.lower().startswith(("isbn", "urn:isbn")):
            _put(csl, "ISBN", normalize_isbn(identifier.split(":")[-1]) or "")
    kind = _first(page, "dc.type", "dcterms.type").lower()
    if "article" in kind:
        csl["type"] = "article-journal"
    elif "book" in kind:
        csl["type"] = "book"
    elif "thesis" in kind or "dissertation" in kind:
        csl["type"] = "thesis"
    elif "video" in kind or "moving" in kind:
        csl["type"] = "motion_picture"
    return csl


def prism(page: Page) -> dict[str, Any]:
    csl: dict[str, Any] = {}
    _put(csl, "container-title", _first(page, "prism.publicationname"))
    _put(csl, "volume", _first(page, "prism.volume"))
    _put(csl, "issue", _first(page, "prism.number", "prism.issueidentifier"))
    _put(
        csl,
        "page",
        _pages(_first(page, "prism.startingpage"), _first(page, "prism.endingpage")),
    )
    _put(csl, "DOI", normalize_doi(_first(page, "prism.doi")) or "")
    _put(csl, "ISSN", normalize_issn(_first(page, "prism.issn", "prism.eissn")) or "")
    _put(csl, "ISBN", normalize_isbn(_first(page, "prism.isbn")) or "")
    date = _first(page, "prism.publicationdate", "prism.coverdate")
    _put(csl, "issued", _date(date) if date else None)
    if csl.get("container-title") and (csl.get("volume") or csl.get("ISSN")):
        csl["type"] = "article-journal"
    return csl


SCHEMA_TYPES = {
    "scholarlyarticle": "article-journal",
    "medicalscholarlyarticle": "article-journal",
    "article": "article",
    "newsarticle": "article-newspaper",
    "reportagenewsarticle": "article-newspaper",
    "blogposting": "post-weblog",
    "book": "book",
    "chapter": "chapter",
    "thesis": "thesis",
    "report": "report",
    "videoobject": "motion_picture",
    "movie": "motion_picture",
    "audioobject": "song",
    "podcastepisode": "song",
    "dataset": "dataset",
    "creativework": "webpage",
    "webpage": "webpage",
}


def _schema_type(item: dict[str, Any]) -> str:
    kinds = item.get("@type")
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        if isinstance(kind, str):
            found = SCHEMA_TYPES.get(kind.rsplit("/", 1)[-1].lower())
            if found:
                return found
    return ""


def _schema_text(value: Any) -> str:
    if isinstance(value, dict):
        return clean_text(value.get("name") or value.get("@value") or "")
    if isinstance(value, list):
        return _schema_text(value[0]) if value else ""
    return clean_text(value)


def _schema_names(value: Any) -> list[dict[str, str]]:
    people = value if isinstance(value, list) else [value]
    names: list[dict[str, str]] = []
    for person in people[:MAX_AUTHORS]:
        if isinstance(person, dict):
            family = clean_text(person.get("familyName"))
            given = clean_text(person.get("givenName"))
            if family:
                name = {"family": family, **({"given": given} if given else {})}
            else:
                literal = clean_text(person.get("name"))
                name = (split_name(literal) or {}) if literal else {}
        else:
            text = clean_text(person)
            name = (split_name(text) or {}) if text else {}
        if name and name not in names:
            names.append(name)
    return names


def schema_org(page: Page) -> dict[str, Any]:
    """The first schema.org item of a kind Lectio cites (not a site's breadcrumb or
    organisation), as CSL-JSON."""
    items = [i for i in page.structured if _schema_type(i)]
    if not items:
        return {}
    # Prefer the most specific kind: a ScholarlyArticle over the WebPage holding it.
    items.sort(key=lambda i: _schema_type(i) == "webpage")
    item = items[0]
    csl: dict[str, Any] = {"type": _schema_type(item)}
    _put(csl, "title", _schema_text(item.get("headline") or item.get("name")))
    _put(csl, "author", _schema_names(item.get("author") or item.get("creator") or []))
    _put(csl, "editor", _schema_names(item.get("editor") or []))
    date = _schema_text(item.get("datePublished") or item.get("dateCreated"))
    _put(csl, "issued", _date(date) if date else None)
    _put(csl, "publisher", _schema_text(item.get("publisher")))
    part = item.get("isPartOf")
    while isinstance(part, list):
        part = part[0] if part else None
    if isinstance(part, dict):
        kind = str(part.get("@type", "")).lower()
        if "volume" in kind:
            _put(csl, "volume", _schema_text(part.get("volumeNumber")))
        if "issue" in kind:
            _put(csl, "issue", _schema_text(part.get("issueNumber")))
        holder = part.get("isPartOf") if "issue" in kind or "volume" in kind else part
        while (
            isinstance(holder, dict) and "issue" in str(holder.get("@type", "")).lower()
        ):
            holder = holder.get("isPartOf")
        if isinstance(holder, dict):
            _put(csl, "container-title", _schema_text(holder.get("name")))
            _put(csl, "ISSN", normalize_issn(_schema_text(holder.get("issn"))) or "")
    elif part:
        _put(csl, "container-title", _schema_text(part))
    _put(csl, "ISBN", normalize_isbn(_schema_text(item.get("isbn"))) or "")
    _put(csl, "ISSN", normalize_issn(_schema_text(item.get("issn"))) or "")
    identifiers = item.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
        value = _schema_text(
            identifier.get("value") if isinstance(identifier, dict) else identifier
        )
        if value and "DOI" not in csl and normalize_doi(value):
            csl["DOI"] = normalize_doi(value)
    _put(
        csl,
        "page",
        _schema_text(item.get("pagination"))
        or _pages(
            _schema_text(item.get("pageStart")), _schema_text(item.get("pageEnd"))
        ),
    )
    _put(csl, "edition", _schema_text(item.get("bookEdition")))
    _put(csl, "language", _schema_text(item.get("inLanguage")))
    _put(csl, "abstract", _schema_text(item.get("description") or item.get("abstract")))
    _put(csl, "URL", _schema_text(item.get("url")))
    return csl


COINS_GENRES = {
    "article": "article-journal",
    "journal": "article-journal",
    "book": "book",
    "bookitem": "chapter",
    "proceeding": "paper-conference",
    "conference": "paper-conference",
    "report": "report",
    "document": "report",
    "dissertation": "thesis",
}


def coins(page: Page) -> dict[str, Any]:
    """The first COinS span's OpenURL (Z39.88-2004 KEV) as CSL-JSON."""
    for title in page.coins[:5]:
        pairs = parse_qsl(html.unescape(title)[:20_000], keep_blank_values=False)
        values: dict[str, list[str]] = {}
        for key, value in pairs[:500]:
            values.setdefault(key, []).append(clean_text(value))
        one = {k: v[0] for k, v in values.items() if v and v[0]}
        if not one:
            continue
        csl: dict[str, Any] = {}
        fmt = one.get("rft_val_fmt", "")
        genre = one.get("rft.genre", "").lower()
        csl_type = COINS_GENRES.get(genre, "")
        if not csl_type and fmt.endswith(":journal"):
            csl_type = "article-journal"
        if not csl_type and fmt.endswith(":book"):
            csl_type = "book"
        if not csl_type and fmt.endswith(":dissertation"):
            csl_type = "thesis"
        _put(csl, "type", csl_type)
        _put(
            csl,
            "title",
            one.get("rft.atitle") or one.get("rft.btitle") or one.get("rft.title"),
        )
        if csl_type in ("article-journal", "chapter", "paper-conference"):
            _put(
                csl,
                "container-title",
                one.get("rft.jtitle") or one.get("rft.btitle") or one.get("rft.title")
                if one.get("rft.atitle")
                else "",
            )
        authors = values.get("rft.au", [])
        if not authors and one.get("rft.aulast"):
            first = one.get("rft.aufirst") or one.get("rft.auinit", "")
            authors = [f"{one['rft.aulast']}, {first}".strip(", ")]
        _put(csl, "author", _names(authors))
        _put(csl, "issued", _date(one["rft.date"]) if one.get("rft.date") else None)
        _put(csl, "volume", one.get("rft.volume", ""))
        _put(csl, "issue", one.get("rft.issue", ""))
        _put(
            csl,
            "page",
            one.get("rft.pages")
            or _pages(one.get("rft.spage", ""), one.get("rft.epage", "")),
        )
        _put(csl, "publisher", one.get("rft.pub", ""))
        _put(csl, "publisher-place", one.get("rft.place", ""))
        _put(csl, "ISBN", normalize_isbn(one.get("rft.isbn", "")) or "")
        _put(csl, "ISSN", normalize_issn(one.get("rft.issn", "")) or "")
        for identifier in values.get("rft_id", []):
            if "DOI" not in csl and normalize_doi(identifier):
                csl["DOI"] = normalize_doi(identifier)
        return csl
    return {}


def open_graph(page: Page) -> dict[str, Any]:
    csl: dict[str, Any] = {}
    _put(csl, "title", _first(page, "og:title", "twitter:title"))
    _put(csl, "container-title", _first(page, "og:site_name"))
    _put(csl, "author", _names(_all(page, "article:author", "book:author", "author")))
    date = _first(page, "article:published_time", "book:release_date")
    _put(csl, "issued", _date(date) if date else None)
    _put(csl, "ISBN", normalize_isbn(_first(page, "book:isbn")) or "")
    _put(csl, "URL", _first(page, "og:url"))
    _put(csl, "abstract", _first(page, "og:description", "description"))
    kind = _first(page, "og:type").lower()
    if kind.startswith("video"):
        csl["type"] = "motion_picture"
    elif kind.startswith("music"):
        csl["type"] = "song"
    elif kind == "book":
        csl["type"] = "book"
    elif kind == "article":
        csl["type"] = "webpage"
    return csl


def from_text(page: Page) -> dict[str, Any]:
    """Identifiers in the page's words: a DOI, an ISBN after the word ISBN."""
    csl: dict[str, Any] = {}
    match = _DOI_IN_TEXT.search(page.text)
    if match:
        _put(csl, "DOI", normalize_doi(match.group(1)) or "")
    match = _ISBN_IN_TEXT.search(page.text)
    if match:
        _put(csl, "ISBN", normalize_isbn(match.group(1)) or "")
    return csl


SOURCES = (
    ("highwire", highwire),
    ("dublin-core", dublin_core),
    ("prism", prism),
    ("schema.org", schema_org),
    ("coins", coins),
    ("open-graph", open_graph),
)
