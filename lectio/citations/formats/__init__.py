"""Citation file formats: RIS, BibTeX, CSL-JSON to read and write, EndNote XML to
read, Leganto's list CSV to write. Pure functions over Entry (material type + CSL-JSON record)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType

from lectio.citations.formats import bibtex, csljson, endnote_xml, ris
from lectio.citations.formats.common import (
    Entry,
    EntryError,
    ParseResult,
    decode,
    file_error,
)

READERS: dict[str, ModuleType] = {
    "ris": ris,
    "bibtex": bibtex,
    "csl-json": csljson,
    "endnote-xml": endnote_xml,
}
WRITERS: dict[str, ModuleType] = {"ris": ris, "bibtex": bibtex, "csl-json": csljson}

__all__ = [
    "READERS",
    "WRITERS",
    "Entry",
    "EntryError",
    "ParseResult",
    "dumps",
    "guess_format",
    "parse",
    "parse_bytes",
]


def guess_format(text: str) -> str | None:
    """The format a file's text looks like, from its first meaningful characters."""
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if head.startswith(("[", "{")):
        return "csl-json"
    if head.startswith("<"):
        return "endnote-xml"
    if head.startswith("%") or "@" in head[:200] and "{" in head:
        for line in head.splitlines():
            stripped = line.strip()
            if stripped.startswith("@"):
                return "bibtex"
    for line in head.splitlines():
        if ris._TAG_LINE.match(line) and line.startswith("TY"):
            return "ris"
    if "@" in head and "{" in head:
        return "bibtex"
    return None


def parse(text: str, format: str | None = None) -> ParseResult:
    name = format or guess_format(text)
    if name not in READERS:
        return file_error(
            "the file is not RIS, BibTeX, CSL-JSON or EndNote XML"
            if format is None
            else f"unknown format {format!r}"
        )
    reader: Callable[[str], ParseResult] = READERS[name].parse
    return reader(text)


def parse_bytes(data: bytes, format: str | None = None) -> ParseResult:
    """Bytes of a file in any of the encodings reference managers write."""
    return parse(decode(data), format)


def dumps(entries: Iterable[Entry], format: str) -> str:
    if format not in WRITERS:
        raise ValueError(f"unknown format {format!r}")
    writer: Callable[[Iterable[Entry]], str] = WRITERS[format].dumps
    return writer(entries)
