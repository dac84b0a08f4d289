"""Places where apps above `lists` add to its pages without `lists` importing them.

An app registers a provider in its AppConfig.ready(); the list editor calls each one
with the list and its citations and shows the HTML it returns (already escaped)."""

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


# HTML added to each citation of the reading view, from its record alone: it is
# cached with the view's body (per content_version), so it may depend on nothing else.
ReaderCitationProvider = Callable[[dict[str, Any]], str]
READER_CITATION_PROVIDERS: list[ReaderCitationProvider] = []


def register_reader_citation_provider(provider: ReaderCitationProvider) -> None:
    if provider not in READER_CITATION_PROVIDERS:
        READER_CITATION_PROVIDERS.append(provider)


def reader_citation_extras(metadata: dict[str, Any]) -> str:
    return "".join(provider(metadata) for provider in READER_CITATION_PROVIDERS)
