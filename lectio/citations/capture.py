"""Getting a citation in from outside: Cite It! (a web page's own metadata) and adding
by identifier (a DOI, ISBN, ISSN, PubMed id, OCLC number or address pasted into the
add form).

Every request leaves through the guarded client (`core/http_guard.py`). ISBNs, ISSNs,
OCLC numbers and LCCNs are looked up in Lectio's catalog first; DOIs, ISBNs the
catalog lacks and PubMed ids are looked up at doi.org (content negotiation for
CSL-JSON), Open Library and PubMed only when the institution switched remote lookups
on. What comes back is CSL-JSON for the citation form to prefill: nothing is saved
here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from lectio.accounts.models import InstitutionSettings
from lectio.catalog.models import Record, RecordIdentifier
from lectio.citations.formats import csljson
from lectio.citations.formats.common import csl_type_for, split_name
from lectio.citations.harvest import Harvest, clean_text, extract
from lectio.core import http_guard
from lectio.core.identifiers import identify
from lectio.lists.from_catalog import csl_from_record, material_type_for
from lectio.lists.models import MaterialType

HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_MAX_BYTES = 3 * 2**20
CSL_JSON_TYPE = "application/vnd.citationstyles.csl+json"

# Tests give the guarded client a transport and a resolver of their own.
TRANSPORT: httpx.BaseTransport | None = None
RESOLVE: http_guard.Resolver = http_guard.system_resolve


def guarded_fetch(url: str, **options: Any) -> http_guard.FetchResult:
    return http_guard.fetch(url, transport=TRANSPORT, resolve=RESOLVE, **options)


@dataclass
class Captured:
    """What Cite It! or a lookup found, for the form to prefill."""

    material_type: str
    csl: dict[str, Any]
    source: str  # "page", "catalog", "doi.org", "Open Library", "PubMed", "typed"
    record: Record | None = None  # the catalog record it came from
    notes: list[str] = field(default_factory=list)  # what the person should know
    sources: dict[str, str] = field(default_factory=dict)  # field -> page source
    page_read: bool = True  # False: the page could not be fetched or answered an error

    def as_json(self) -> dict[str, Any]:
        return {
            "material_type": self.material_type,
            "csl": self.csl,
            "source": self.source,
            "record": self.record.pk if self.record else None,
            "notes": self.notes,
            "sources": self.sources,
            "page_read": self.page_read,
        }


# --- Cite It! ----------------------------------------------------------------------


def cite_url(
    url: str, *, user_key: str | None = None, title_hint: str = ""
) -> Captured:
    """The citation a web page gives. A page Lectio may not fetch raises
    http_guard.FetchRefused (the caller says why); a page that could not be read
    still gives its address and the title the browser showed."""
    url = url.strip()
    notes: list[str] = []
    document = ""
    try:
        result = guarded_fetch(
            url, accept=HTML_TYPES, user_key=user_key, max_bytes=PAGE_MAX_BYTES
        )
    except http_guard.FetchFailed as exc:
        notes.append(_("The page could not be read: %(reason)s.") % {"reason": exc})
        final = url
    else:
        final = result.final_url
        if result.status >= 400:
            notes.append(
                _("The page answered %(status)d; only its address is used.")
                % {"status": result.status}
            )
        else:
            document = result.text
    harvest: Harvest = extract(document, final, title_hint=title_hint)
    if not harvest.found_metadata and document:
        notes.append(_("The page describes itself only by its title."))
    return Captured(
        material_type=harvest.material_type,
        csl=harvest.csl,
        source="page",
        notes=notes,
        sources=harvest.sources,
        page_read=bool(document),
    )


# --- adding by identifier ------------------------------------------------------------

_PMID = re.compile(r"^(?:pmid:?\s*|pubmed:?\s*)?(\d{1,9})$", re.IGNORECASE)


def recognise(text: str) -> tuple[str, str] | None:
    """(kind, normal form) of a pasted identifier: isbn, issn, doi, oclc, lccn,
    pmid or url; None when it is none of them."""
    text = text.strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        found = identify(text)  # a doi.org address is a DOI
        return found if found else ("url", text)
    match = _PMID.match(text)
    # "pmid:..." or eight digits or fewer that are not an ISBN or ISSN: PubMed.
    if (
        match
        and (text.lower().startswith(("pmid", "pubmed")) or len(text) <= 8)
        and not identify(text)
    ):
        return ("pmid", match.group(1))
    return identify(text)


def _from_catalog(kind: str, value: str) -> Captured | None:
    match = (
        RecordIdentifier.objects.filter(kind=kind, value=value)
        .select_related("record")
        .order_by("record_id")
        .first()
    )
    if match is None:
        return None
    record = match.record
    return Captured(
        material_type=material_type_for(record),
        csl=csl_from_record(record),
        source="catalog",
        record=record,
    )


def _lookup_json(url: str, accept: tuple[str, ...]) -> Any:
    timeout = float(getattr(settings, "LECTIO_LOOKUP_TIMEOUT", 8.0))
    try:
        result = guarded_fetch(url, accept=accept, timeout=timeout)
    except (http_guard.FetchRefused, http_guard.FetchFailed):
        return None
    if result.status != 200:
        return None
    try:
        return json.loads(result.content)
    except ValueError:
        return None


def _doi_remote(doi: str) -> Captured | None:
    data = _lookup_json(f"https://doi.org/{doi}", (CSL_JSON_TYPE, "application/json"))
    if not isinstance(data, dict):
        return None
    parsed = csljson.parse(json.dumps(data))
    if not parsed.entries:
        return None
    entry = parsed.entries[0]
    csl = {k: v for k, v in entry.csl.items() if k not in ("reference", "license")}
    csl.setdefault("DOI", doi)
    return Captured(material_type=entry.material_type, csl=csl, source="doi.org")


def _isbn_remote(isbn: str) -> Captured | None:
    data = _lookup_json(
        f"https://openlibrary.org/api/books?bibkeys=ISBN:{isbn}&format=json&jscmd=data",
        ("application/json",),
    )
    book = data.get(f"ISBN:{isbn}") if isinstance(data, dict) else None
    if not isinstance(book, dict) or not book.get("title"):
        return None
    title = clean_text(book.get("title"), 500)
    subtitle = clean_text(book.get("subtitle"), 500)
    csl: dict[str, Any] = {
        "type": "book",
        "title": f"{title}: {subtitle}" if subtitle else title,
        "ISBN": isbn,
    }
    authors = [
        split_name(clean_text(a.get("name"), 200))
        for a in book.get("authors") or []
        if isinstance(a, dict)
    ]
    if authors := [a for a in authors if a]:
        csl["author"] = authors
    publishers = [p for p in book.get("publishers") or [] if isinstance(p, dict)]
    if publishers:
        csl["publisher"] = clean_text(publishers[0].get("name"), 300)
    places = [p for p in book.get("publish_places") or [] if isinstance(p, dict)]
    if places:
        csl["publisher-place"] = clean_text(places[0].get("name"), 300)
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(book.get("publish_date") or ""))
    if year:
        csl["issued"] = {"date-parts": [[int(year.group(1))]]}
    if isinstance(book.get("number_of_pages"), int):
        csl["number-of-pages"] = str(book["number_of_pages"])
    return Captured(
        material_type=MaterialType.BOOK,
        csl={k: v for k, v in csl.items() if v},
        source="Open Library",
    )


def _pmid_remote(pmid: str) -> Captured | None:
    data = _lookup_json(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi?"
        f"db=pubmed&id={pmid}&retmode=json",
        ("application/json", "text/plain"),
    )
    result = data.get("result") if isinstance(data, dict) else None
    item = result.get(pmid) if isinstance(result, dict) else None
    if not isinstance(item, dict) or not item.get("title"):
        return None
    csl: dict[str, Any] = {
        "type": "article-journal",
        "title": clean_text(item.get("title"), 1000).rstrip("."),
        "container-title": clean_text(
            item.get("fulljournalname") or item.get("source"), 300
        ),
        "volume": clean_text(item.get("volume"), 50),
        "issue": clean_text(item.get("issue"), 50),
        "page": clean_text(item.get("pages"), 50),
        "ISSN": clean_text(item.get("issn") or item.get("essn"), 20),
        "lectio": {"PMID": pmid},
    }
    authors = []
    for author in item.get("authors") or []:
        if isinstance(author, dict) and author.get("authtype", "Author") == "Author":
            # PubMed writes "Family GI": the initials are the last word.
            family, _sep, initials = clean_text(author.get("name"), 200).rpartition(" ")
            authors.append(
                {"family": family, "given": initials}
                if family
                else {"literal": initials}
            )
    if authors:
        csl["author"] = authors
    year = re.match(r"(\d{4})", str(item.get("pubdate") or ""))
    if year:
        csl["issued"] = {"date-parts": [[int(year.group(1))]]}
    for article_id in item.get("articleids") or []:
        if isinstance(article_id, dict) and article_id.get("idtype") == "doi":
            csl["DOI"] = clean_text(article_id.get("value"), 200).lower()
    return Captured(
        material_type=MaterialType.ARTICLE,
        csl={k: v for k, v in csl.items() if v},
        source="PubMed",
    )


TYPED = {
    "isbn": (MaterialType.BOOK, "ISBN"),
    "issn": (MaterialType.JOURNAL, "ISSN"),
    "doi": (MaterialType.ARTICLE, "DOI"),
}


class NotAnIdentifier(Exception):
    pass


def lookup(text: str, *, user_key: str | None = None) -> Captured:
    """A citation for a pasted identifier. Raises NotAnIdentifier for text that is
    none, and http_guard.FetchRefused for an address Lectio may not fetch."""
    found = recognise(text)
    if found is None:
        raise NotAnIdentifier(
            _(
                "That is not a DOI, ISBN, ISSN, PubMed id, OCLC number or web "
                "address Lectio recognises."
            )
        )
    kind, value = found
    if kind == "url":
        return cite_url(value, user_key=user_key)
    if kind in ("isbn", "issn", "oclc", "lccn", "doi"):
        captured = _from_catalog(kind, value)
        if captured is not None:
            return captured
    remote = InstitutionSettings.cached().remote_lookups
    if remote:
        lookups = {"doi": _doi_remote, "isbn": _isbn_remote, "pmid": _pmid_remote}
        if kind in lookups:
            captured = lookups[kind](value)
            if captured is not None:
                return captured
    material, field_name = TYPED.get(kind, (MaterialType.ARTICLE, ""))
    csl: dict[str, Any] = {}
    if field_name:
        csl[field_name] = value
    elif kind == "pmid":
        csl["lectio"] = {"PMID": value}
    elif kind in ("oclc", "lccn"):
        material = MaterialType.BOOK
        csl["lectio"] = {kind.upper(): value}
    csl["type"] = csl_type_for(material)
    note = (
        _("Nothing was found for it; fill in the rest.")
        if remote or kind not in ("doi", "isbn", "pmid")
        else _(
            "The catalog does not have it, and looking it up outside Lectio is "
            "switched off; fill in the rest."
        )
    )
    return Captured(material_type=material, csl=csl, source="typed", notes=[note])
