"""Grouping citations into works. Pure: no ORM.

A citation's keys, strongest first:
- `r:ID`, the catalog record it is linked to;
- `i:ISBN13` for each valid ISBN (not for a chapter or an article, whose ISBN is the
  book's, or the journal's);
- `d:DOI`;
- `t:TITLE|SURNAME`, the normalised title and the first author's (or editor's)
  surname.
Citations sharing any key are one work (union-find over the keys), so a record-linked
citation, an unlinked one with the same ISBN and a third with only the same title and
author all count as one title."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lectio.core.identifiers import normalize_doi, normalize_isbn
from lectio.lists.locate import citation_names, normalise_title

# Material types whose ISBN belongs to the book that holds them.
_PART_TYPES = {"book_chapter", "article", "conference_paper"}
# Longer keys are cut (the column holds 300 characters).
_MAX_KEY = 300


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    if isinstance(value, int):
        return [str(value)]
    return []


def title_key(title: str, metadata: dict[str, Any]) -> str | None:
    normal = normalise_title(title or str(metadata.get("title") or ""))
    if not normal:
        return None
    names = citation_names(metadata)
    surname = names[0][0] if names else ""
    return f"t:{normal}|{surname}"[:_MAX_KEY]


def citation_keys(
    *,
    metadata: dict[str, Any],
    material_type: str,
    record_id: int | None,
    title: str = "",
) -> list[str]:
    """The keys of one citation, strongest first (see the module's docstring)."""
    metadata = metadata if isinstance(metadata, dict) else {}
    keys: list[str] = []
    if record_id:
        keys.append(f"r:{record_id}")
    if material_type not in _PART_TYPES:
        for text in _texts(metadata.get("ISBN")):
            for part in text.replace(";", ",").split(","):
                isbn = normalize_isbn(part)
                if isbn and f"i:{isbn}" not in keys:
                    keys.append(f"i:{isbn}")
    for text in _texts(metadata.get("DOI")):
        doi = normalize_doi(text)
        if doi and f"d:{doi}"[:_MAX_KEY] not in keys:
            keys.append(f"d:{doi}"[:_MAX_KEY])
    key = title_key(title, metadata)
    if key:
        keys.append(key)
    return keys


def _rank(key: str) -> tuple[int, str]:
    order = {"r": 0, "d": 1, "i": 2, "t": 3}
    kind, _colon, rest = key.partition(":")
    if kind == "r" and rest.isdigit():
        return (0, f"{int(rest):020d}")
    return (order.get(kind, 4), rest)


def canonical(keys: Iterable[str]) -> str:
    """The key a work is stored under: its lowest record, else its DOI, ISBN or
    title key (the first in order)."""
    return min(keys, key=_rank)


def group(key_lists: Sequence[Sequence[str]]) -> list[int]:
    """Union-find over the keys: for each input (a citation's keys) the index of
    its group, groups numbered by first appearance. An input without keys is a
    group of its own."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    for keys in key_lists:
        for key in keys:
            parent.setdefault(key, key)
        for key in keys[1:]:
            a, b = find(keys[0]), find(key)
            if a != b:
                parent[b] = a
    numbers: dict[str, int] = {}
    out: list[int] = []
    lonely = 0
    for keys in key_lists:
        if not keys:
            lonely += 1
            out.append(-lonely)
            continue
        out.append(numbers.setdefault(find(keys[0]), len(numbers)))
    return out
