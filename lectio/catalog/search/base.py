"""What both search backends share: the tokenizer, the indexed document, the parsed
query, ranking and facets. The backends (sqlite.py, postgres.py) only find keys.

Why the work is split this way: both databases are asked the same yes/no question
("which documents contain all these tokens / this phrase, in this column"), which
FTS5 and a tsvector answer identically when they are handed the same tokens. Words
are therefore cut and normalised here, in Python, and the engines never apply their
own stemming or stop words. Ranking is done here as well, from the stored token
text of a bounded candidate set, so the same data gives the same order on both.

The document key (`skey`) orders the candidates: `title length bucket << 40 | id`,
so among the matches the engines hand back first the records with the shortest
titles (the ones a title ranking puts first anyway) and, within a length, the
lowest id. FTS5 returns matches in rowid order and stops at the LIMIT; PostgreSQL
reads them in `skey` order.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KEY_BITS = 40
KEY_MASK = (1 << KEY_BITS) - 1
MAX_BUCKET = 1023

# Limits on what is indexed per field (in tokens), identical on both engines and
# well inside PostgreSQL's 16,383 positions per document.
FIELD_LIMITS = {"title": 200, "people": 300, "other": 600, "summary": 1500}
FIELDS = ("title", "people", "other", "summary")
MAX_TOKEN = 64

# Query limits.
MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MAX_SCORED_TOKENS = 64
MAX_PHRASES = 4

STOP_WORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "not",
        "near",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "will",
        "with",
    )
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TOKEN = re.compile(r"[^\W_]+")


@functools.cache
def _no_combining() -> dict[int, None]:
    """A `str.translate` table deleting every combining character."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def tokens(text: str | None) -> list[str]:
    """The searchable words of `text`: compatibility-decomposed, accents dropped,
    case-folded, split at anything that is not a letter or a digit."""
    if not text:
        return []
    if text.isascii():
        # ASCII has no decompositions and no combining marks, and its case-folding
        # is lower-casing: the same words as below, without their cost.
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = text.translate(_no_combining()).casefold()
    return [t if len(t) <= MAX_TOKEN else t[:MAX_TOKEN] for t in _TOKEN.findall(text)]


def _join(values: Iterable[str], limit: int) -> list[str]:
    # The values' tokens one after the other: a space never joins or splits a
    # word, so one call on the joined text gives them (in a fraction of the time).
    return tokens(" ".join([v for v in values if v]))[:limit]


def _strings(value: object) -> list[str]:
    """The text values of a JSON list field (strings, or dicts with a name/title)."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    out = []
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, dict):
                for k in ("name", "title", "heading", "value"):
                    if isinstance(v.get(k), str):
                        out.append(v[k])
                        break
    return out


@dataclass
class Document:
    """One record as the index holds it: each field as space-separated tokens (the
    title with ` | ` between title and subtitle), and the filter tokens."""

    record_id: int
    title: str
    people: str
    other: str
    summary: str
    meta: str
    format: str = ""
    year: int | None = None
    language: str = ""
    available_now: bool = False
    on_reserve: bool = False

    @property
    def skey(self) -> int:
        bucket = min(len(self.title.replace(" | ", " ").split()), MAX_BUCKET)
        return (bucket << KEY_BITS) | self.record_id

    def field_tokens(self) -> list[list[str]]:
        return [getattr(self, f).replace(" | ", " ").split() for f in FIELDS]


def meta_tokens(fmt: str, year: int | None, language: str) -> list[str]:
    out = ["a_1"]
    if fmt:
        out.append("f_" + "".join(tokens(fmt)))
    if year is not None:
        out += [f"y_{year}", f"d_{year // 10}", f"c_{year // 100}"]
    lang = "".join(tokens(language))
    if lang:
        out.append("l_" + lang)
    return out


def document(row: dict) -> Document:
    """The index document of a record, from its field values (a `.values()` row)."""
    title = tokens(row["title"])[: FIELD_LIMITS["title"]]
    subtitle = tokens(row.get("subtitle") or "")[
        : max(0, FIELD_LIMITS["title"] - len(title))
    ]
    names = [
        c.get("name", "") for c in row.get("contributors") or [] if isinstance(c, dict)
    ]
    if row.get("author") and row["author"] not in names:
        names.insert(0, row["author"])
    names.append(row.get("responsibility") or "")
    people = _join(names, FIELD_LIMITS["people"])
    other = _join(
        _strings(row.get("subjects"))
        + _strings(row.get("series"))
        + [row.get("publisher") or ""],
        FIELD_LIMITS["other"],
    )
    summary = tokens(row.get("summary") or "")[: FIELD_LIMITS["summary"]]
    title_field = " ".join(title)
    if subtitle:
        title_field += " | " + " ".join(subtitle)
    return Document(
        record_id=row["id"],
        title=title_field,
        people=" ".join(people),
        other=" ".join(other),
        summary=" ".join(summary),
        meta=" ".join(
            meta_tokens(
                row.get("format") or "", row.get("year"), row.get("language") or ""
            )
        ),
        format=row.get("format") or "",
        year=row.get("year"),
        language=row.get("language") or "",
        available_now=bool(row.get("available_now")),
        on_reserve=bool(row.get("on_reserve")),
    )


DOCUMENT_FIELDS = (
    "id",
    "title",
    "subtitle",
    "contributors",
    "author",
    "responsibility",
    "subjects",
    "series",
    "publisher",
    "summary",
    "format",
    "year",
    "language",
    "available_now",
    "on_reserve",
)


# --- queries -------------------------------------------------------------------------


@dataclass
class Match:
    """A question to a backend: documents containing every `terms` token and every
    phrase (in the title only when `title_only`), whose filter tokens meet each of
    `meta_any` (one of each group), and the two availability flags on the record."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefix: str = ""
    title_only: bool = False
    meta_any: tuple[tuple[str, ...], ...] = ()
    available_now: bool = False
    on_reserve: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases or self.prefix or self.meta_any)


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)  # required words
    stop: list[str] = field(default_factory=list)  # common words, not required
    phrases: list[list[str]] = field(default_factory=list)
    sequence: list[str] = field(default_factory=list)  # every word, in order
    truncated: bool = False


def clean(text: str) -> str:
    text = _CONTROL.sub(" ", text or "")
    return unicodedata.normalize("NFC", text)


def parse(text: str) -> ParsedQuery:
    """Words, "quoted phrases" (a quote without its pair is ignored) and common words.
    Every other character, FTS syntax included, is only a separator."""
    parsed = ParsedQuery()
    text = clean(text)
    if len(text) > MAX_QUERY_CHARS:
        cut = text[: MAX_QUERY_CHARS + 1]
        # Cut at a space, so no word is left half-typed.
        text = cut[: cut.rfind(" ")] if " " in cut else cut[:MAX_QUERY_CHARS]
        parsed.truncated = True
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an unbalanced quote: the last one is ignored
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    seen: set[str] = set()
    for i, part in enumerate(parts):
        words = tokens(part)
        parsed.sequence.extend(words)
        if i % 2 == 1 and len(words) > 1:
            if len(parsed.phrases) < MAX_PHRASES:
                parsed.phrases.append(words[:MAX_TERMS])
            else:
                parsed.truncated = True
            continue
        for word in words:
            if word in seen:
                continue
            seen.add(word)
            if word in STOP_WORDS:
                parsed.stop.append(word)
            elif len(parsed.terms) < MAX_TERMS:
                parsed.terms.append(word)
            else:
                parsed.truncated = True
    if len(parsed.sequence) > MAX_SCORED_TOKENS:
        parsed.sequence = parsed.sequence[:MAX_SCORED_TOKENS]
    return parsed


def year_cover(year_from: int | None, year_to: int | None) -> tuple[str, ...]:
    """Filter tokens covering the years from..to: whole centuries and decades where
    they fit, single years at the edges (at most about 60 tokens)."""
    low = max(0, year_from if year_from is not None else 0)
    high = min(2999, year_to if year_to is not None else 2999)
    out: list[str] = []
    y = low
    while y <= high:
        if y % 100 == 0 and y + 99 <= high:
            out.append(f"c_{y // 100}")
            y += 100
        elif y % 10 == 0 and y + 9 <= high:
            out.append(f"d_{y // 10}")
            y += 10
        else:
            out.append(f"y_{y}")
            y += 1
    return tuple(out)


# --- ranking -------------------------------------------------------------------------

WEIGHTS = (10.0, 4.0, 2.0, 1.0)  # title, people, other, summary
AVERAGE_LENGTH = (8.0, 10.0, 20.0, 80.0)
K1 = 1.2
B = 0.75


class Scorer:
    """BM25-like per field, without document frequencies (every candidate holds
    every required word, so they would add about the same to each); common words
    count a fifth; a title that is the query, starts with it or holds it in order
    scores more. Computed from the stored token text of a candidate, so both engines
    give the same scores, rounded to 6 places."""

    def __init__(self, parsed: ParsedQuery) -> None:
        factors: dict[str, float] = {}
        for word in parsed.terms:
            factors[word] = 1.0
        for phrase in parsed.phrases:
            for word in phrase:
                factors[word] = 1.0
        for word in parsed.stop:
            factors.setdefault(word, 0.2)
        self.words = list(factors.items())
        self.sequence = parsed.sequence

    def __call__(self, fields: Sequence[str]) -> float:
        total = 0.0
        title_only: list[str] = []
        title_all: list[str] = []
        for i, text in enumerate(fields):
            if not text:
                continue
            toks = text.split()
            if i == 0:
                if "|" in toks:
                    cut = toks.index("|")
                    title_only = toks[:cut]
                    toks = title_only + toks[cut + 1 :]
                else:
                    title_only = toks
                title_all = toks
            norm = K1 * (1 - B + B * len(toks) / AVERAGE_LENGTH[i])
            weight = WEIGHTS[i] * (K1 + 1)
            for word, factor in self.words:
                tf = toks.count(word)
                if tf:
                    total += factor * weight * tf / (tf + norm)
        seq = self.sequence
        if seq and title_all:
            if seq in (title_only, title_all):
                total += 50.0
            elif title_all[: len(seq)] == seq:
                total += 20.0
            elif _contains(title_all, seq):
                total += 8.0
        return round(total, 6)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def to_key_id(key: int) -> int:
    return key & KEY_MASK


class Backend:
    """What an engine does: keep documents, and find keys (in key order) for a
    `Match`. Everything else is shared."""

    def insert(self, docs: list[Document]) -> None:
        raise NotImplementedError

    def delete(self, record_ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def optimize(self) -> None:
        """Compact the index after a bulk load (optional)."""

    def keys(self, match: Match, limit: int) -> list[int]:
        """The first `limit` matching keys, in key order."""
        raise NotImplementedError

    def count(self, match: Match, cap: int) -> int:
        """How many documents match, counting no further than `cap`."""
        raise NotImplementedError

    def fields(self, keys: list[int]) -> dict[int, tuple[str, str, str, str]]:
        """The stored token text (title, people, other, summary) of these keys."""
        raise NotImplementedError

    def facet_rows(self, match: Match, limit: int) -> list[tuple]:
        """(key, format, year, language, available_now, on_reserve) of the first
        `limit` matches, in key order."""
        raise NotImplementedError
