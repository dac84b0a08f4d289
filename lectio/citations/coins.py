"""COinS: each citation on a list page as an OpenURL ContextObject in a span, so
reference managers (Zotero's connector, Mendeley's importer) pick it up. Pure."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.utils.html import escape

from lectio.core.identifiers import normalize_doi

_JOURNAL_TYPES = {"article-journal", "article-magazine", "article-newspaper", "article"}
_BOOK_TYPES = {"book", "chapter", "paper-conference", "report", "thesis"}


def _text(csl: dict[str, Any], key: str) -> str:
    value = csl.get(key)
    return " ".join(str(value).split()) if isinstance(value, str | int) else ""


def _date(csl: dict[str, Any]) -> str:
    issued = csl.get("issued")
    if not isinstance(issued, dict):
        return ""
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list):
        numbers = [p for p in parts[0][:3] if isinstance(p, int | str) and str(p)]
        if numbers and str(numbers[0]).isdigit():
            return "-".join(
                f"{int(p):04d}" if i == 0 else f"{int(p):02d}"
                for i, p in enumerate(numbers)
                if str(p).isdigit()
            )
    return _text(issued, "literal")


def _names(csl: dict[str, Any], role: str) -> list[dict[str, Any]]:
    names = csl.get(role)
    return [n for n in names if isinstance(n, dict)] if isinstance(names, list) else []


def kev_pairs(csl: dict[str, Any]) -> list[tuple[str, str]]:
    """The ContextObject's keys and values (journal, book or Dublin Core format, as
    the CSL type says), empty values left out."""
    csl_type = str(csl.get("type") or "")
    pairs: list[tuple[str, str]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rfr_id", "info:sid/lectio"),
    ]
    doi = normalize_doi(_text(csl, "DOI"))
    if doi:
        pairs.append(("rft_id", "info:doi/" + doi))
    url = _text(csl, "URL")
    if url.lower().startswith(("http://", "https://")):
        pairs.append(("rft_id", url))
    title = _text(csl, "title")
    container = _text(csl, "container-title")
    page = _text(csl, "page").replace("–", "-")
    authors = _names(csl, "author")
    if csl_type in _JOURNAL_TYPES:
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
            ("rft.genre", "article"),
            ("rft.atitle", title),
            ("rft.jtitle", container),
            ("rft.volume", _text(csl, "volume")),
            ("rft.issue", _text(csl, "issue")),
            ("rft.pages", page),
            ("rft.issn", _text(csl, "ISSN")),
        ]
        prefix = "rft."
    elif csl_type in _BOOK_TYPES:
        part = csl_type in ("chapter", "paper-conference")
        genre = {
            "chapter": "bookitem",
            "paper-conference": "proceeding",
            "report": "report",
        }.get(csl_type, "book")
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
            ("rft.genre", genre),
            ("rft.atitle" if part else "rft.btitle", title),
            ("rft.btitle" if part else "rft.series", container if part else ""),
            ("rft.pub", _text(csl, "publisher")),
            ("rft.place", _text(csl, "publisher-place")),
            ("rft.edition", _text(csl, "edition")),
            ("rft.pages", page),
            ("rft.isbn", _text(csl, "ISBN")),
        ]
        prefix = "rft."
    else:
        pairs += [
            ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
            ("rft.type", csl_type or "document"),
            ("rft.title", title),
            ("rft.source", container),
            ("rft.publisher", _text(csl, "publisher")),
        ]
        prefix = ""
    pairs.append(("rft.date", _date(csl)))
    if prefix:
        for index, name in enumerate(authors):
            if name.get("literal"):
                pairs.append(("rft.aucorp", str(name["literal"])))
                continue
            family, given = str(name.get("family") or ""), str(name.get("given") or "")
            if index == 0:
                pairs += [("rft.aulast", family), ("rft.aufirst", given)]
            pairs.append(("rft.au", f"{family}, {given}" if given else family))
    else:
        for name in authors:
            literal = name.get("literal")
            family, given = str(name.get("family") or ""), str(name.get("given") or "")
            pairs.append(
                ("rft.creator", str(literal) if literal else f"{family}, {given}")
            )
    return [(k, " ".join(v.split())) for k, v in pairs if v and v.strip(" ,")]


def kev(csl: dict[str, Any]) -> str:
    return urlencode(kev_pairs(csl), quote_via=quote)


def coins_span(csl: dict[str, Any]) -> str:
    """The span itself: empty, so readers of the page see and hear nothing of it."""
    return f'<span class="Z3988" title="{escape(kev(csl))}"></span>'
