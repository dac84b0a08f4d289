"""A fetched page's metadata as found: meta tags, the title, COinS spans, the text,
and schema.org items (JSON-LD and microdata, read with extruct)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

MAX_HTML = 5 * 2**20


@dataclass
class Page:
    metas: list[tuple[str, str]]  # (name or property, lower-cased; content)
    title: str
    coins: list[str]
    text: str
    structured: list[dict[str, Any]]  # schema.org items (JSON-LD and microdata)
    canonical: str = ""


def _tree(document: str) -> Any:
    import lxml.html

    try:
        return lxml.html.document_fromstring(document)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None


def _structured(document: str, url: str) -> list[dict[str, Any]]:
    try:
        import extruct

        data = extruct.extract(
            document,
            base_url=url or None,
            syntaxes=["json-ld", "microdata"],
            uniform=True,
            errors="ignore",
        )
    except Exception:  # extruct gives up on broken JSON-LD in many ways
        return []
    items: list[dict[str, Any]] = []

    def walk(value: Any, depth: int = 0) -> None:
        if depth > 4:
            return
        if isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict):
            if "@graph" in value:
                walk(value["@graph"], depth + 1)
            if "@type" in value:
                items.append(value)

    for syntax in ("json-ld", "microdata"):
        walk(data.get(syntax) or [])
    return items


def read_page(document: str, url: str = "") -> Page:
    document = document[:MAX_HTML]
    tree = _tree(document)
    metas: list[tuple[str, str]] = []
    title = ""
    coins: list[str] = []
    text = ""
    canonical = ""
    if tree is not None:
        for meta in tree.iter("meta"):
            key = meta.get("name") or meta.get("property") or meta.get("itemprop")
            content = meta.get("content")
            if key and content is not None:
                metas.append((key.strip().lower(), content))
        found = tree.find(".//title")
        if found is not None and found.text_content():
            title = found.text_content()
        for span in tree.iter("span"):
            classes = (span.get("class") or "").split()
            if "Z3988" in classes and span.get("title"):
                coins.append(span.get("title"))
        for link in tree.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
                canonical = urljoin(url, link.get("href"))
        for bad in tree.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        body = tree.find("body")
        text = (body if body is not None else tree).text_content()[:200_000]
    return Page(
        metas=metas,
        title=title,
        coins=coins,
        text=text,
        structured=_structured(document, url),
        canonical=canonical,
    )
