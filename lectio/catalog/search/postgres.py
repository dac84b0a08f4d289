"""PostgreSQL full-text engine.

`catalog_search` holds one row per record: the key (`skey`, see base.py), a tsvector
built here from the pre-tokenised fields (title weight A, people B, subjects, series
and publisher C, summary D, the filter tokens after them, and the title's words
again as t_word for title-only matching; one unused position
between fields so a phrase never runs from one field into the next, as FTS5 columns
keep it), the token text of each field for ranking, and the facet columns (format,
year, language, and the availability flags kept in step by triggers). The tsvector and tsquery are
written as literals, so PostgreSQL's own parser, stemming and stop words never touch
them: both engines see the same words. A GIN index answers `@@`; a B-tree on `skey`
gives the key order.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from lectio.catalog.search.base import FIELDS, KEY_BITS, Backend, Document, Match

TABLE = "catalog_search"


WEIGHT = dict(zip(FIELDS, "ABCD", strict=True))
MAX_POSITIONS = 256  # PostgreSQL keeps at most 256 positions of a lexeme
# Title-length buckets as words (b_0 ... b_40, the last for 40 words and more): the
# first N matches in key order are read bucket by bucket, so PostgreSQL visits about
# N rows instead of every match (see `_in_key_order`).
BUCKETS = 40


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(doc: Document) -> str:
    positions: dict[str, list[str]] = {}
    pos = 1
    for name, toks in zip(FIELDS, doc.field_tokens(), strict=True):
        weight = WEIGHT[name]
        for token in toks:
            entry = positions.setdefault(token, [])
            if len(entry) < MAX_POSITIONS:
                entry.append(f"{pos}{weight}")
            if name == "title":
                # The title's words once more as t_ words at the same positions:
                # a title-only search is then a plain GIN lookup (no recheck of
                # weights) with statistics of its own.
                title = positions.setdefault("t_" + token, [])
                if len(title) < MAX_POSITIONS:
                    title.append(str(pos))
            pos += 1
        pos += 1
    bucket = min(doc.skey >> KEY_BITS, BUCKETS)
    for token in [*doc.meta.split(), f"b_{bucket}"]:
        positions.setdefault(token, []).append(f"{pos}D")
        pos += 1
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def tsquery(match: Match) -> str:
    """The tsquery literal of a match ('' when it has no condition at all)."""
    word = (lambda t: "t_" + t) if match.title_only else (lambda t: t)
    parts = [_lexeme(word(t)) for t in match.terms]
    for phrase in match.phrases:
        parts.append("(" + " <-> ".join(_lexeme(word(t)) for t in phrase) + ")")
    if match.prefix:
        parts.append(_lexeme(word(match.prefix)) + ":*")
    for group in match.meta_any:
        if group == ("a_1",):
            continue  # every document
        parts.append("(" + " | ".join(_lexeme(t) for t in group) + ")")
    return " & ".join(parts)


def _conditions(match: Match) -> tuple[list[str], list[str]]:
    query = tsquery(match)
    conditions, params = [], []
    if query:
        conditions.append("s.doc @@ %s::tsquery")
        params.append(query)
    if match.available_now:
        conditions.append("s.available_now")
    if match.on_reserve:
        conditions.append("s.on_reserve")
    return conditions, params


def _select(match: Match, columns: str) -> tuple[str, list]:
    conditions, params = _conditions(match)
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    return f"SELECT {columns} FROM {TABLE} s{where}", params


# Up to this many matches are read in one go and sorted here; more than that, and
# they are read bucket by bucket.
PROBE = 2000


def _in_key_order(match: Match, columns: str, limit: int) -> list[tuple]:
    """The first `limit` matches in key order (`columns` then the key, per row).

    A match set of up to PROBE rows is read whole (one bitmap scan) and sorted
    here. A bigger one is read by title-length bucket: one statement of a part per
    bucket (that bucket's matches, sorted), appended in bucket order, so PostgreSQL
    stops at the LIMIT after the first few buckets instead of reading every match
    of a common word. (Part by part is slow for a rare word, which is why the probe
    comes first.)"""
    conditions, params = _conditions(match)
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    probe = max(limit, PROBE)
    query = tsquery(match)
    with connection.cursor() as cursor:
        if not (query and _likely_matches(cursor, match) > probe):
            # A rare word: PostgreSQL's own estimate leads it to the GIN index.
            cursor.execute(
                f"SELECT {columns}, s.skey FROM {TABLE} s{where} LIMIT %s",
                [*params, probe + 1],
            )
            rows = cursor.fetchall()
            if len(rows) <= probe:
                rows.sort(key=lambda row: row[-1])
                return rows[:limit]
        if not query:
            cursor.execute(
                f"SELECT {columns}, s.skey FROM {TABLE} s{where} "
                "ORDER BY s.skey LIMIT %s",
                [*params, limit],
            )
            return list(cursor.fetchall())
    flags = "".join(
        f" AND s.{flag}"
        for flag in ("available_now", "on_reserve")
        if getattr(match, flag)
    )
    parts: list[str] = []
    params = []
    for bucket in range(BUCKETS + 1):
        parts.append(
            f"(SELECT {columns}, s.skey FROM {TABLE} s "
            f"WHERE s.doc @@ %s::tsquery{flags} ORDER BY s.skey LIMIT %s)"
        )
        params += [f"({query}) & 'b_{bucket}'", str(limit)]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # Each part through the GIN index (not by walking the key index, testing
        # every row), and the parts one after the other, in order: PostgreSQL then
        # stops at the LIMIT.
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
            "SET LOCAL max_parallel_workers_per_gather = 0"
        )
        cursor.execute(" UNION ALL ".join(parts) + " LIMIT %s", [*params, limit])
        return list(cursor.fetchall())


_STATISTICS: dict[str, tuple[float, dict[str, float]]] = {}


def _likely_matches(cursor: Any, match: Match) -> float:
    """About how many documents match, from PostgreSQL's statistics of the
    commonest words (ANALYZE keeps them for a tsvector column). Only the way of reading depends on it, never the answer,
    so statistics of another day do no harm."""
    stats = _STATISTICS.get(connection.settings_dict["NAME"])
    if stats is None:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], "
            "s.most_common_elem_freqs FROM pg_class c LEFT JOIN pg_stats s "
            "ON s.tablename = c.relname AND s.attname = 'doc' WHERE c.relname = %s",
            [TABLE],
        )
        row = cursor.fetchone()
        rows, words, freqs = row or (0, None, None)
        stats = (
            max(float(rows or 0), 0.0),
            dict(zip(words or [], freqs or [], strict=False)),
        )
        _STATISTICS[connection.settings_dict["NAME"]] = stats
    total, frequency = stats
    words = [*match.terms, *(w for p in match.phrases for w in p)]
    if match.title_only:
        words = ["t_" + w for w in words]
    if match.prefix or not words:
        return 0.0
    # A word missing from the statistics is rarer than all of them; words are taken
    # as independent (a common pair that mostly comes together, "united states",
    # is underestimated and then read twice: once whole up to the probe, then by
    # bucket).
    estimate = total
    for word in set(words):
        estimate *= frequency.get(word, 0.0)
    return estimate


class PostgresBackend(Backend):
    def insert(self, docs: list[Document]) -> None:
        if not docs:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (record_id, skey, doc, title, people, other, "
                "summary, format, year, language, available_now, on_reserve) "
                "VALUES (%s, %s, %s::tsvector, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        d.record_id,
                        d.skey,
                        tsvector(d),
                        d.title,
                        d.people,
                        d.other,
                        d.summary,
                        d.format,
                        d.year,
                        d.language,
                        d.available_now,
                        d.on_reserve,
                    )
                    for d in docs
                ],
            )

    def delete(self, record_ids: list[int]) -> None:
        if record_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE record_id = ANY(%s)", [list(record_ids)]
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
        _STATISTICS.clear()

    def keys(self, match: Match, limit: int) -> list[int]:
        return [row[-1] for row in _in_key_order(match, "1", limit)]

    def count(self, match: Match, cap: int) -> int:
        sql, params = _select(match, "1")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) m", [*params, cap])
            return int(cursor.fetchone()[0])

    def fields(self, keys: list[int]) -> dict[int, tuple[str, str, str, str]]:
        if not keys:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT skey, title, people, other, summary FROM {TABLE} "
                "WHERE skey = ANY(%s)",
                [list(keys)],
            )
            return {key: tuple(values) for key, *values in cursor.fetchall()}  # type: ignore[misc]

    def facet_rows(self, match: Match, limit: int) -> list[tuple]:
        rows = _in_key_order(
            match, "s.format, s.year, s.language, s.available_now, s.on_reserve", limit
        )
        return [(row[-1], *row[:-1]) for row in rows]
