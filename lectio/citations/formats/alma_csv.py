"""The CSV of Leganto's list export: a few preamble lines, then one row a citation
with its section, in the columns institutions' scripts already read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import translation

from lectio.citations.formats.common import Entry, date_text, name_text
from lectio.lists.models import MaterialType

COLUMNS = (
    "Section Name",
    "Section Description",
    "Section Start date",
    "Section End date",
    "Section Tags",
    "Item Type",
    "Item Title",
    "Item Chapter Title",
    "Item Author",
    "Item Chapter Author",
    "Item Journal Title",
    "Item Publication Date",
    "Item Edition",
    "Item ISBN",
    "Item ISSN",
    "Item LCCN",
    "Item OCLC Number",
    "Item Publisher",
    "Item Place of publication",
    "Item Volume",
    "Item Issue",
    "Item Pages",
    "Item Start page",
    "Item End page",
    "Item Editor",
    "Item DOI",
    "Item Chapter Number",
    "Item Source",
    "Item Notes",
    "Item Availability",
    "Item Due Date",
    "Item Tags",
    "Item Public note",
    "Permalink to Citation",
)
# A cell a spreadsheet would run as a formula gets a leading apostrophe.
_FORMULA_START = ("=", "+", "@", "\t", "\r")


@dataclass
class RowContext:
    """What a row says beyond the citation's record: its section and the list's
    view of it (filled by the export service)."""

    section_name: str = ""
    section_description: str = ""
    section_start: str = ""
    section_end: str = ""
    section_tags: str = ""
    availability: str = ""
    due_date: str = ""
    tags: str = ""
    public_note: str = ""
    permalink: str = ""


def item_type(material_type: str) -> str:
    """The material type's English name, as Leganto's export writes it."""
    try:
        label = MaterialType(material_type).label
    except ValueError:
        return str(material_type)
    with translation.override("en"):
        return str(label)


def _names(names: object) -> str:
    if not isinstance(names, list):
        return ""
    return "; ".join(name_text(n) for n in names if isinstance(n, dict))


def row(entry: Entry, context: RowContext | None = None) -> dict[str, str]:
    csl = entry.csl
    ctx = context or RowContext()
    lectio = csl.get("lectio") if isinstance(csl.get("lectio"), dict) else {}
    chapter = entry.material_type == MaterialType.BOOK_CHAPTER
    title = str(csl.get("title") or "")
    container = str(csl.get("container-title") or "")
    author = _names(csl.get("author"))
    page = str(csl.get("page") or "")
    start, sep, end = page.replace("–", "-").partition("-")
    values = {
        "Section Name": ctx.section_name,
        "Section Description": ctx.section_description,
        "Section Start date": ctx.section_start,
        "Section End date": ctx.section_end,
        "Section Tags": ctx.section_tags,
        "Item Type": item_type(entry.material_type),
        # A chapter row names the book as the item and the chapter apart.
        "Item Title": container if chapter and container else title,
        "Item Chapter Title": title if chapter and container else "",
        "Item Author": _names(csl.get("container-author")) if chapter else author,
        "Item Chapter Author": author if chapter else "",
        "Item Journal Title": "" if chapter else container,
        "Item Publication Date": date_text(csl.get("issued"))
        if csl.get("issued")
        else "",
        "Item Edition": str(csl.get("edition") or ""),
        "Item ISBN": str(csl.get("ISBN") or ""),
        "Item ISSN": str(csl.get("ISSN") or ""),
        "Item LCCN": str((lectio or {}).get("LCCN") or ""),
        "Item OCLC Number": str((lectio or {}).get("OCLC") or ""),
        "Item Publisher": str(csl.get("publisher") or ""),
        "Item Place of publication": str(csl.get("publisher-place") or ""),
        "Item Volume": str(csl.get("volume") or ""),
        "Item Issue": str(csl.get("issue") or ""),
        "Item Pages": page,
        "Item Start page": start.strip() if page else "",
        "Item End page": end.strip() if sep else "",
        "Item Editor": _names(csl.get("editor")),
        "Item DOI": str(csl.get("DOI") or ""),
        "Item Chapter Number": str(csl.get("chapter-number") or ""),
        "Item Source": str(csl.get("URL") or ""),
        "Item Notes": str(csl.get("note") or ""),
        "Item Availability": ctx.availability,
        "Item Due Date": ctx.due_date,
        "Item Tags": ctx.tags,
        "Item Public note": ctx.public_note,
        "Permalink to Citation": ctx.permalink,
    }
    return {k: _safe(v) for k, v in values.items()}


def _safe(value: str) -> str:
    value = " ".join(str(value).split()) if "\n" not in value else value
    if value.startswith(_FORMULA_START) or (
        value.startswith("-") and not value[1:2].isdigit()
    ):
        return "'" + value
    return value


def dumps(
    entries: Iterable[Entry],
    contexts: Iterable[RowContext] | None = None,
    preamble: Sequence[str] = (),
) -> str:
    """The CSV text: each preamble line (the list's name, course...) as a one-cell
    row, an empty row, the header, then the citations."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in preamble:
        writer.writerow([_safe(line)])
    if preamble:
        writer.writerow([])
    writer.writerow(COLUMNS)
    context_list = list(contexts) if contexts is not None else None
    for index, entry in enumerate(entries):
        ctx = (
            context_list[index] if context_list and index < len(context_list) else None
        )
        values = row(entry, ctx)
        writer.writerow([values[c] for c in COLUMNS])
    return out.getvalue()
