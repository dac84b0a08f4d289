"""CSL-JSON (Zotero, Mendeley, citeproc, DOI content negotiation): Lectio's own
record shape, so reading is mostly checking and normalising."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

from lectio.citations.formats.common import (
    NAME_ROLES,
    TEXT_FIELDS,
    Entry,
    EntryError,
    ParseResult,
    clean_record,
    csl_type_for,
    decode,
    file_error,
    material_from_csl,
    parse_date,
    too_big,
)
from lectio.lists.models import MaterialType

_DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")
_EXTRA_TEXT = (
    "collection-number",
    "volume-title",
    "part-number",
    "page-first",
    "original-title",
    "original-publisher",
    "original-publisher-place",
    "number-of-pages",
    "number-of-volumes",
    "medium",
    "event-place",
    "event-title",
    "source",
    "title-short",
    "container-title-short",
    "PMID",
    "PMCID",
    "call-number",
    "archive",
    "archive_location",
    "references",
    "section",
    "status",
    "version",
    "dimensions",
    "scale",
    "authority",
    "jurisdiction",
)


def parse_bytes(data: bytes) -> ParseResult:
    return parse(decode(data))


def parse(text: str) -> ParseResult:
    """Items of a CSL-JSON array (or a single item, or {"items": [...]})."""
    try:
        return _parse(text)
    except Exception as exc:  # noqa: BLE001 - a file must never break the import
        return file_error(
            f"the file could not be read as CSL-JSON ({type(exc).__name__})"
        )


def _parse(text: str) -> ParseResult:
    if (result := too_big(text)) is not None:
        return result
    text = text.lstrip("\ufeff")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0)
        return file_error(
            f"this is not JSON ({getattr(exc, 'msg', 'too deeply nested')})", line
        )
    items: list[Any]
    if isinstance(data, dict):
        inner = data.get("items")
        items = inner if isinstance(inner, list) else [data]
    elif isinstance(data, list):
        items = data
    else:
        return file_error("CSL-JSON is a list of items; this file holds a single value")
    result = ParseResult()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.errors.append(
                EntryError(number=number, line=0, reason="the item is not an object")
            )
            continue
        csl = record(item)
        if not any(
            csl.get(k) for k in ("title", "container-title", "author", "editor")
        ):
            result.errors.append(
                EntryError(
                    number=number,
                    line=0,
                    reason="the item has no title, container title, author or editor",
                )
            )
            continue
        material = material_from_csl(str(csl["type"]))
        chosen = (
            (item.get("lectio") or {}) if isinstance(item.get("lectio"), dict) else {}
        )
        if chosen.get("material_type") in MaterialType.values:
            material = chosen["material_type"]
        source = json.dumps(item, ensure_ascii=False, indent=1)
        result.entries.append(Entry(material_type=material, csl=csl, source=source))
    if not items:
        return file_error("the file holds no items")
    return result


def record(item: dict[str, Any]) -> dict[str, Any]:
    """Lectio's CSL record from one CSL-JSON item: known variables only, text as
    strings, names as lists of {family, given} / {literal}, dates as date-parts."""
    csl: dict[str, Any] = {"type": str(item.get("type") or "document")}
    for key in (*TEXT_FIELDS, *_EXTRA_TEXT):
        value = item.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            csl[key] = str(value)
    for role in NAME_ROLES:
        names = _names(item.get(role))
        if names:
            csl[role] = names
    for key in _DATE_FIELDS:
        date = _date(item.get(key))
        if date:
            csl[key] = date
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        csl["keyword"] = [k.strip() for k in keywords.split(",") if k.strip()]
    elif isinstance(keywords, list):
        csl["keyword"] = [str(k) for k in keywords if isinstance(k, str | int)]
    lectio = item.get("lectio")
    if isinstance(lectio, dict):
        kept = {
            k: v
            for k, v in lectio.items()
            if k != "material_type" and isinstance(v, str | int | list)
        }
        if kept:
            csl["lectio"] = kept
    return clean_record(csl)


def _names(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    out = []
    for name in value:
        if isinstance(name, str):
            name = {"literal": name}
        if not isinstance(name, dict):
            continue
        if name.get("literal"):
            out.append({"literal": " ".join(str(name["literal"]).split())})
            continue
        family = " ".join(
            str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p
        )
        given = " ".join(
            str(p) for p in (name.get("given"), name.get("dropping-particle")) if p
        )
        person = {"family": " ".join(family.split())}
        if given.strip():
            person["given"] = " ".join(given.split())
        if name.get("suffix"):
            person["suffix"] = str(name["suffix"])
        if person["family"]:
            out.append(person)
        elif given.strip():
            out.append({"literal": " ".join(given.split())})
    return out


def _date(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str | int):
        return parse_date(str(value))
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            first = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            first = []
        if first and first[0] != 0:
            out: dict[str, Any] = {"date-parts": [first]}
            if len(parts) > 1 and isinstance(parts[1], list) and parts[1]:
                with contextlib.suppress(TypeError, ValueError):
                    out["date-parts"].append([int(p) for p in parts[1][:3]])
            return out
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str) and value[key].strip():
            return parse_date(value[key])
    return None


def dumps(entries: Iterable[Entry]) -> str:
    """A CSL-JSON array; each item gets an id and, when the material type is not the
    one its CSL type implies (an e-book, a journal), lectio.material_type."""
    items = []
    for number, entry in enumerate(entries, start=1):
        item: dict[str, Any] = {"id": f"item-{number}"}
        item.update(entry.csl)
        item.setdefault("type", csl_type_for(entry.material_type))
        if material_from_csl(str(item["type"])) != entry.material_type:
            lectio = dict(item.get("lectio") or {})
            lectio["material_type"] = str(entry.material_type)
            item["lectio"] = lectio
        if isinstance(item.get("keyword"), list):
            item["keyword"] = ", ".join(item["keyword"])
        head = {"id": item.pop("id"), "type": item.pop("type")}
        items.append({**head, **dict(sorted(item.items()))})
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
