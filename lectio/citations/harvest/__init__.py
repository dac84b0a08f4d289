"""Cite It!: a citation from a web page's own metadata. Pure: HTML in, CSL-JSON out.

Sources, in order of trust (a field comes from the first source that has it):

1. Highwire Press `citation_*` meta tags (publishers, repositories, Google Scholar's
   own recommendation);
2. Dublin Core (`DC.*`, `dc.*`, `dcterms.*`);
3. PRISM (`prism.*`);
4. schema.org as JSON-LD and microdata (ScholarlyArticle, Article, Book, Chapter,
   CreativeWork, VideoObject, WebPage, ...), read with extruct;
5. COinS (`<span class="Z3988" title="...">`, an OpenURL in the page);
6. Open Graph (`og:*`, `article:*`, `book:*`);
7. the page's `<title>`.

DOIs and ISBNs anywhere in the page's text count when no source names one. The
material type follows from what was found (a journal title: an article; a book
title beside a chapter: a book chapter; an ISBN alone: a book; a video: a video;
else a web page). Every harvested string is stripped of markup with nh3 before it
leaves this module, so nothing from the page is ever stored or shown as HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lectio.citations.formats.common import csl_type_for, material_from_csl
from lectio.citations.harvest.page import read_page
from lectio.citations.harvest.sources import SOURCES, from_text
from lectio.citations.harvest.text import clean_text

__all__ = ["Harvest", "clean_text", "extract", "harvest_json"]


@dataclass
class Harvest:
    """What a page gave: the CSL-JSON record, Lectio's material type, which source
    each field came from, and whether the page had any metadata beyond a title."""

    material_type: str
    csl: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def found_metadata(self) -> bool:
        return any(s not in ("title", "address") for s in self.sources.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "material_type": self.material_type,
            "csl": self.csl,
            "sources": self.sources,
        }


def extract(document: str, url: str = "", *, title_hint: str = "") -> Harvest:
    """A citation from the page `document` fetched from `url`. `title_hint` (what
    the bookmarklet read from the browser's tab) stands in when the page names no
    title at all. Never raises on any input."""
    page = read_page(document or "", url)
    csl: dict[str, Any] = {}
    sources: dict[str, str] = {}
    kinds: list[str] = []
    for name, source in SOURCES:
        try:
            found = source(page)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        if found.get("type"):
            kinds.append(found["type"])
        for key, value in found.items():
            if key != "type" and key not in csl and value:
                csl[key] = value
                sources[key] = name
    for key, value in from_text(page).items():
        if key not in csl:
            csl[key] = value
            sources[key] = "page text"
    if "title" not in csl:
        title = clean_text(page.title, 500) or clean_text(title_hint, 500)
        if title:
            csl["title"] = title
            sources["title"] = "title"
    if "URL" not in csl and url:
        csl["URL"] = clean_text(page.canonical or url, 2000)
        sources["URL"] = "address"
    csl_type = kinds[0] if kinds else ""
    if not csl_type:
        if csl.get("ISBN") and not csl.get("container-title"):
            csl_type = "book"
        elif csl.get("container-title") and (csl.get("volume") or csl.get("ISSN")):
            csl_type = "article-journal"
        else:
            csl_type = "webpage"
    material = material_from_csl(csl_type)
    csl["type"] = csl_type_for(material)
    return Harvest(material_type=material, csl=csl, sources=sources)


def harvest_json(harvest: Harvest) -> str:
    return json.dumps(harvest.as_json(), ensure_ascii=False, indent=2, sort_keys=True)
