"""Catalog search: one interface, two engines (SQLite FTS5, PostgreSQL full text).

    search(SearchQuery(text="origin of species", formats=("book",))) -> SearchResult
    suggest("origin of sp") -> ["On the origin of species", ...]
    index_records(ids) / delete_records(ids) / rebuild_index()

Whoever writes records calls `index_records` in the same transaction (the MARC
loader does, per batch). The availability flags are read from the records at query
time, so `availability.refresh` needs no re-indexing. See docs/search.md for the
query syntax, the ranking and what the speed choices cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.utils.translation import gettext as _

from lectio.catalog.models import Record, RecordFormat, RecordIdentifier
from lectio.catalog.search import base
from lectio.catalog.search.base import Match, to_key_id
from lectio.core.identifiers import identify

__all__ = [
    "FacetValue",
    "SearchQuery",
    "SearchResult",
    "delete_records",
    "index_documents",
    "index_records",
    "rebuild_index",
    "search",
    "suggest",
]

# Ranked window: the candidates scored per query (title matches first, then matches
# anywhere, each in key order). Pages beyond it widen the window to reach them.
RANKED = 100
# The facets and the total are counted over at most this many matches (the first
# in key order): beyond it, `facets_partial` and `total_capped` say so and `total`
# is COUNT_CAP ("500 or more"). See docs/search.md for why.
FACET_LIMIT = 500
COUNT_CAP = FACET_LIMIT
MAX_WINDOW = 10_000
FACET_KEYS = ("format", "year", "language", "available_now", "on_reserve")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    formats: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    languages: tuple[str, ...] = ()
    available_now: bool = False
    on_reserve: bool = False
    limit: int = 20
    offset: int = 0
    facets: bool = True


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    total: int
    records: list[Record]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    identifier: tuple[str, str] | None = None
    message: str = ""
    # True when the facets were counted over the first FACET_LIMIT matches only.
    facets_partial: bool = False
    # True when there are more than COUNT_CAP matches: `total` is then COUNT_CAP.
    total_capped: bool = False


def _backend() -> base.Backend:
    if connection.vendor == "postgresql":
        from lectio.catalog.search.postgres import PostgresBackend

        return PostgresBackend()
    from lectio.catalog.search.sqlite import SqliteBackend

    return SqliteBackend()


# --- indexing ------------------------------------------------------------------------


def _documents(ids: list[int]) -> list[base.Document]:
    rows = Record.objects.filter(id__in=ids).order_by().values(*base.DOCUMENT_FIELDS)
    return [base.document(row) for row in rows]


def index_records(record_ids: Iterable[int]) -> None:
    """(Re)index these records; ids that no longer exist leave the index."""
    ids = sorted(set(record_ids))
    backend = _backend()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        backend.delete(chunk)
        backend.insert(_documents(chunk))


def index_documents(docs: list[base.Document], *, new: bool = False) -> None:
    """(Re)index records from their documents, made by `base.document` from the
    values just written (as `index_records` would make them from the rows). `new`:
    the records were just created (ids are never given out twice), so they have no
    index entries to remove first."""
    backend = _backend()
    for start in range(0, len(docs), 2000):
        chunk = docs[start : start + 2000]
        if not new:
            backend.delete([d.record_id for d in chunk])
        backend.insert(chunk)


def delete_records(record_ids: Iterable[int]) -> None:
    ids = sorted(set(record_ids))
    backend = _backend()
    for start in range(0, len(ids), 2000):
        backend.delete(ids[start : start + 2000])


def rebuild_index() -> int:
    """Index every record afresh; returns how many."""
    backend = _backend()
    backend.clear()
    count = 0
    last = 0
    while True:
        ids = list(
            Record.objects.filter(id__gt=last)
            .order_by("id")
            .values_list("id", flat=True)[:2000]
        )
        if not ids:
            break
        backend.insert(_documents(ids))
        count += len(ids)
        last = ids[-1]
    backend.optimize()
    return count


# --- searching -----------------------------------------------------------------------


def _empty(
    message: str = "", identifier: tuple[str, str] | None = None
) -> SearchResult:
    return SearchResult(
        total=0,
        records=[],
        facets={k: [] for k in FACET_KEYS},
        identifier=identifier,
        message=message,
    )


def _page_records(ids: list[int]) -> list[Record]:
    found = Record.objects.defer("source").in_bulk(ids)
    return [found[i] for i in ids if i in found]


LANGUAGE_NAMES = {
    "eng": "English",
    "fre": "French",
    "ger": "German",
    "spa": "Spanish",
    "ita": "Italian",
    "rus": "Russian",
    "por": "Portuguese",
    "chi": "Chinese",
    "jpn": "Japanese",
    "lat": "Latin",
    "dut": "Dutch",
    "swe": "Swedish",
    "pol": "Polish",
    "heb": "Hebrew",
    "ara": "Arabic",
    "gre": "Greek, Modern",
    "grc": "Greek, Ancient",
    "dan": "Danish",
    "nor": "Norwegian",
    "cze": "Czech",
    "hun": "Hungarian",
    "fin": "Finnish",
    "kor": "Korean",
    "tur": "Turkish",
    "yid": "Yiddish",
    "und": "Undetermined",
    "mul": "Multiple languages",
}


def language_label(code: str) -> str:
    name = LANGUAGE_NAMES.get(code)
    return _(name) if name else code


def _facets(rows: list[tuple]) -> dict[str, list[FacetValue]]:
    formats: dict[str, int] = {}
    decades: dict[int, int] = {}
    languages: dict[str, int] = {}
    available = reserve = 0
    for fmt, year, language, available_now, on_reserve in rows:
        formats[fmt] = formats.get(fmt, 0) + 1
        if year is not None:
            decades[year // 10 * 10] = decades.get(year // 10 * 10, 0) + 1
        if language:
            languages[language] = languages.get(language, 0) + 1
        available += bool(available_now)
        reserve += bool(on_reserve)
    format_labels = dict(RecordFormat.choices)
    return {
        "format": [
            FacetValue(v, str(format_labels.get(v, v)), n)
            for v, n in sorted(formats.items(), key=lambda x: (-x[1], x[0]))
        ],
        "year": [
            FacetValue(str(d), _("%(decade)ds") % {"decade": d}, n)
            for d, n in sorted(decades.items(), reverse=True)
        ],
        "language": [
            FacetValue(v, language_label(v), n)
            for v, n in sorted(languages.items(), key=lambda x: (-x[1], x[0]))
        ],
        "available_now": [FacetValue("true", _("Available now"), available)]
        if available
        else [],
        "on_reserve": [FacetValue("true", _("On course reserve"), reserve)]
        if reserve
        else [],
    }


def _filters(query: SearchQuery) -> tuple[tuple[str, ...], ...]:
    groups: list[tuple[str, ...]] = []
    if query.formats:
        groups.append(
            tuple(sorted({"f_" + "".join(base.tokens(f)) for f in query.formats}))
        )
    if query.languages:
        langs = {"".join(base.tokens(code)) for code in query.languages}
        groups.append(tuple(sorted("l_" + code for code in langs if code)) or ("l_",))
    if query.year_from is not None or query.year_to is not None:
        groups.append(base.year_cover(query.year_from, query.year_to) or ("y_",))
    return tuple(groups)


def _identifier_search(
    query: SearchQuery, identifier: tuple[str, str], limit: int, offset: int
) -> SearchResult:
    kind, value = identifier
    # Two index lookups (the identifier, then its records by id): a subquery lets
    # the planner walk the records in id order instead.
    ids = list(
        RecordIdentifier.objects.filter(kind=kind, value=value)
        .order_by("record_id")
        .values_list("record_id", flat=True)[:MAX_WINDOW]
    )
    rows = Record.objects.filter(id__in=ids)
    if query.formats:
        rows = rows.filter(format__in=query.formats)
    if query.languages:
        rows = rows.filter(language__in=query.languages)
    if query.year_from is not None:
        rows = rows.filter(year__gte=query.year_from)
    if query.year_to is not None:
        rows = rows.filter(year__lte=query.year_to)
    if query.available_now:
        rows = rows.filter(available_now=True)
    if query.on_reserve:
        rows = rows.filter(on_reserve=True)
    found = list(rows.defer("source").order_by("id")[:MAX_WINDOW])
    result = SearchResult(
        total=len(found),
        records=found[offset : offset + limit],
        facets=_facets(
            [
                (r.format, r.year, r.language, r.available_now, r.on_reserve)
                for r in found
            ]
        )
        if query.facets
        else {k: [] for k in FACET_KEYS},
        identifier=identifier,
    )
    if not found:
        result.message = _("No record has the %(kind)s %(value)s.") % {
            "kind": kind.upper(),
            "value": value,
        }
    return result


def search(query: SearchQuery) -> SearchResult:
    """Ranked records for `query`, this page, with facets. Never raises for any text:
    what cannot be searched comes back empty with a `message`."""
    limit = max(1, min(int(query.limit), 100))
    offset = max(0, min(int(query.offset), MAX_WINDOW - limit))
    text = base.clean(query.text).strip()
    if (
        query.year_from is not None
        and query.year_to is not None
        and query.year_from > query.year_to
    ):
        return _empty(_("The first year comes after the last year."))
    identifier = identify(text) if text else None
    if identifier:
        return _identifier_search(query, identifier, limit, offset)
    parsed = base.parse(text)
    message = ""
    if parsed.truncated:
        message = _(
            "Only the first %(chars)d characters and %(count)d words were searched."
        ) % {"chars": base.MAX_QUERY_CHARS, "count": base.MAX_TERMS}
    filters = _filters(query)
    words = bool(parsed.terms or parsed.phrases)
    if not words:
        if parsed.stop:
            return _empty(
                _(
                    "Only very common words (like “the” or “of”): add a more specific word."
                )
            )
        if text:
            return _empty(
                _("There are no words to search for: type letters or numbers.")
            )
        if not (filters or query.available_now or query.on_reserve):
            return _empty(_("Type words to search for."))
    match = Match(
        terms=tuple(parsed.terms),
        phrases=tuple(tuple(p) for p in parsed.phrases),
        meta_any=filters if (filters or words) else (("a_1",),),
        available_now=query.available_now,
        on_reserve=query.on_reserve,
    )
    backend = _backend()
    window = max(RANKED, offset + limit)
    # The first matches in key order, with their facet columns: all of them when
    # there are no more than FACET_LIMIT (then the total and the facets are exact).
    rows = backend.facet_rows(match, FACET_LIMIT + 1)
    complete = len(rows) <= FACET_LIMIT
    total = len(rows)
    if not words:
        keys = [row[0] for row in rows[: offset + limit]]
        if len(keys) < offset + limit and not complete:
            keys = backend.keys(match, offset + limit)
        page = keys[offset:]
    else:
        keys = backend.keys(replace(match, title_only=True), window)
        if len(keys) < window:
            seen = set(keys)
            anywhere = [row[0] for row in rows[:window]]
            if len(anywhere) < window and not complete:
                anywhere = backend.keys(match, window)
            keys += [k for k in anywhere if k not in seen]
        fields = backend.fields(keys)
        scorer = base.Scorer(parsed)
        keys.sort(
            key=lambda k: (-scorer(fields.get(k, ("", "", "", ""))), to_key_id(k))
        )
        page = keys[offset : offset + limit]
    facets: dict[str, list[FacetValue]] = {k: [] for k in FACET_KEYS}
    partial = not complete
    if query.facets:
        facets = _facets([row[1:] for row in rows[:FACET_LIMIT]])
    capped = total > COUNT_CAP
    return SearchResult(
        total=min(total, COUNT_CAP),
        total_capped=capped,
        records=_page_records([to_key_id(k) for k in page]),
        facets=facets,
        message=message,
        facets_partial=partial,
    )


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Titles that start like what has been typed: every complete word in the
    title, the last (unfinished) word as a prefix. Shortest titles first."""
    limit = max(1, min(int(limit), 20))
    text = base.clean(prefix)[: base.MAX_QUERY_CHARS]
    words = base.tokens(text)
    if not words:
        return []
    last = words[-1]
    complete = list(dict.fromkeys(words[:-1]))[: base.MAX_TERMS]
    if not complete and len(last) < 2:
        return []
    match = Match(terms=tuple(complete), prefix=last, title_only=True)
    keys = _backend().keys(match, limit * 8)
    titles = dict(
        Record.objects.filter(id__in=[to_key_id(k) for k in keys]).values_list(
            "id", "title"
        )
    )
    out: list[str] = []
    seen: set[str] = set()
    for key in keys:
        title = (titles.get(to_key_id(key)) or "").strip().rstrip(" /:;,.").strip()
        folded = title.casefold()
        if title and folded not in seen:
            seen.add(folded)
            out.append(title)
            if len(out) >= limit:
                break
    return out
