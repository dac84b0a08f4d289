"""Places where apps above `lists` add to its pages without `lists` importing them.

An app registers a provider in its AppConfig.ready(); the list editor calls each one
with the list and its citations and shows the HTML it returns (already escaped).

Two more hooks serve every page that shows citations (the reading view, the editor,
a citation's page):
- citation linkers: HTML from the citation's own content (metadata and material
  type) alone, so the reading view may cache it with the rest of the list body;
- record linkers: live HTML per linked catalog record and the citation it is shown
  on (read on every request, next to the record's availability)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EditorExtras:
    list_html: list[str] = field(default_factory=list)
    citation_html: dict[int, list[str]] = field(default_factory=dict)


EditorProvider = Callable[[Any, Any, Sequence[Any]], EditorExtras]
EDITOR_PROVIDERS: list[EditorProvider] = []


def register_editor_provider(provider: EditorProvider) -> None:
    if provider not in EDITOR_PROVIDERS:
        EDITOR_PROVIDERS.append(provider)


def editor_extras(
    user: Any, reading_list: Any, citations: Sequence[Any]
) -> EditorExtras:
    merged = EditorExtras()
    for provider in EDITOR_PROVIDERS:
        extras = provider(user, reading_list, citations)
        merged.list_html += extras.list_html
        for citation_id, parts in extras.citation_html.items():
            merged.citation_html.setdefault(citation_id, []).extend(parts)
    return merged


# (citation id, CSL-JSON metadata, material type) -> escaped HTML. Must depend on
# nothing but its arguments: the reading view caches the result per content_version.
CitationLinker = Callable[[int, dict[str, Any], str], str]
CITATION_LINKERS: list[CitationLinker] = []


def register_citation_linker(linker: CitationLinker) -> None:
    if linker not in CITATION_LINKERS:
        CITATION_LINKERS.append(linker)


def citation_links(
    citation_id: int, metadata: dict[str, Any], material_type: str
) -> str:
    return "".join(
        linker(citation_id, metadata, material_type) for linker in CITATION_LINKERS
    )


# {(record id, citation id or None)} -> escaped HTML by that pair; read live, a fixed
# number of queries. The citation is the one the HTML is shown on (None on a record's
# own page), so a link may say where it was followed from.
RecordKey = tuple[int, int | None]
RecordLinker = Callable[[set[RecordKey]], dict[RecordKey, str]]
RECORD_LINKERS: list[RecordLinker] = []


def register_record_linker(linker: RecordLinker) -> None:
    if linker not in RECORD_LINKERS:
        RECORD_LINKERS.append(linker)


def record_links(keys: set[RecordKey]) -> dict[RecordKey, str]:
    merged: dict[RecordKey, str] = {}
    if not keys:
        return merged
    for linker in RECORD_LINKERS:
        for key, html in linker(keys).items():
            merged[key] = merged.get(key, "") + html
    return merged


# HTML added to each citation of the reading view, from its record alone: it is
# cached with the view's body (per content_version), so it may depend on nothing else.
ReaderCitationProvider = Callable[[dict[str, Any]], str]
READER_CITATION_PROVIDERS: list[ReaderCitationProvider] = []


def register_reader_citation_provider(provider: ReaderCitationProvider) -> None:
    if provider not in READER_CITATION_PROVIDERS:
        READER_CITATION_PROVIDERS.append(provider)


def reader_citation_extras(metadata: dict[str, Any]) -> str:
    return "".join(provider(metadata) for provider in READER_CITATION_PROVIDERS)


# (actor, citation, details) -> None: called inside the transaction of an upload
# whose uploader says the file needs copyright clearance; the workflow app opens a
# copyright-clearance request for the library.
ClearanceRequester = Callable[[Any, Any, str], None]
CLEARANCE_REQUESTERS: list[ClearanceRequester] = []


def register_clearance_requester(requester: ClearanceRequester) -> None:
    if requester not in CLEARANCE_REQUESTERS:
        CLEARANCE_REQUESTERS.append(requester)


def request_clearance(actor: Any, citation: Any, details: str) -> None:
    for requester in CLEARANCE_REQUESTERS:
        requester(actor, citation, details)


# Live HTML placed after the body of a list page: (user, reading list, citation or
# None, page) -> escaped HTML, `page` being "editor", "reader" (the reading view or
# an editor's preview of it) or "citation" (a citation's page). Called on every
# request, so a provider should cost no query (load its content separately).
PagePanel = Callable[[Any, Any, Any, str], str]
PAGE_PANELS: list[PagePanel] = []


def register_page_panel(panel: PagePanel) -> None:
    if panel not in PAGE_PANELS:
        PAGE_PANELS.append(panel)


def page_panels(user: Any, reading_list: Any, citation: Any, page: str) -> str:
    return "".join(panel(user, reading_list, citation, page) for panel in PAGE_PANELS)


# Called with the ids of lists whose content changed (whatever bumps their
# content_version: items, sections, publication), inside the transaction of the
# change. A listener should be cheap: mark, and do the work later.
ContentListener = Callable[[Sequence[int]], None]
CONTENT_LISTENERS: list[ContentListener] = []


def register_content_listener(listener: ContentListener) -> None:
    if listener not in CONTENT_LISTENERS:
        CONTENT_LISTENERS.append(listener)


def content_changed(list_ids: Sequence[int]) -> None:
    for listener in CONTENT_LISTENERS:
        listener(list_ids)
