"""SQLite FTS5 engine.

`catalog_search_fts` is an FTS5 table whose rowid is the document key (see base.py):
columns title, people, other, summary hold the pre-tokenised words, `meta` the
filter tokens (f_book, l_eng, y_1987, d_198, c_19, and a_1 in every document). The
tokenizer is unicode61 without diacritic removal and with `_` as a word character,
so it splits exactly where base.tokens did. `catalog_search_doc` has one narrow row
per key (record id, format, year, language, the availability flags kept in step by
triggers): the facets and the availability filters read it, never the wide record
rows. FTS5 returns matches in rowid order and stops at a LIMIT, which is what makes
the bounded candidate set cheap.
"""

from __future__ import annotations

from django.db import connection

from lectio.catalog.search.base import Backend, Document, Match

FTS = "catalog_search_fts"
DOC = "catalog_search_doc"


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def expression(match: Match) -> str:
    """The FTS5 query of a match. Every token is quoted, so no user text is ever
    read as FTS5 syntax (the tokens are letters and digits only anyway)."""
    words = [_quote(t) for t in match.terms]
    words += [_quote(" ".join(p)) for p in match.phrases]
    if match.prefix:
        words.append(_quote(match.prefix) + " *")
    parts = []
    if words:
        columns = "{title}" if match.title_only else "{title people other summary}"
        parts.append(f"{columns} : (" + " AND ".join(words) + ")")
    for group in match.meta_any:
        parts.append("{meta} : (" + " OR ".join(_quote(t) for t in group) + ")")
    return " AND ".join(parts)


def _select(match: Match, columns: str, *, doc: bool = False) -> str:
    flags = []
    if match.available_now:
        flags.append("d.available_now")
    if match.on_reserve:
        flags.append("d.on_reserve")
    if not (flags or doc):
        return f"SELECT {columns} FROM {FTS} WHERE {FTS} MATCH %s"
    where = "".join(" AND " + f for f in flags)
    return (
        f"SELECT {columns} FROM {FTS} JOIN {DOC} d ON d.skey = {FTS}.rowid "
        f"WHERE {FTS} MATCH %s{where}"
    )


class SqliteBackend(Backend):
    def insert(self, docs: list[Document]) -> None:
        if not docs:
            return
        # In key order: FTS5 writes out its pending index data whenever a rowid is
        # not above the last one inserted in the transaction, so keys out of order
        # leave a small segment per document to be merged later (three times the
        # cost of the same documents in order).
        pairs = sorted(((d.skey, d) for d in docs), key=lambda pair: pair[0])
        keys = [key for key, _d in pairs]
        docs = [d for _key, d in pairs]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS} (rowid, title, people, other, summary, meta) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (key, d.title, d.people, d.other, d.summary, d.meta)
                    for key, d in zip(keys, docs, strict=True)
                ],
            )
            cursor.executemany(
                f"INSERT INTO {DOC} (skey, record_id, format, year, language, "
                "available_now, on_reserve) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        key,
                        d.record_id,
                        d.format,
                        d.year,
                        d.language,
                        d.available_now,
                        d.on_reserve,
                    )
                    for key, d in zip(keys, docs, strict=True)
                ],
            )

    def delete(self, record_ids: list[int]) -> None:
        if not record_ids:
            return
        marks = ", ".join(["%s"] * len(record_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {FTS} WHERE rowid IN "
                f"(SELECT skey FROM {DOC} WHERE record_id IN ({marks}))",
                record_ids,
            )
            cursor.execute(
                f"DELETE FROM {DOC} WHERE record_id IN ({marks})", record_ids
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS}")
            cursor.execute(f"DELETE FROM {DOC}")

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')")

    def keys(self, match: Match, limit: int) -> list[int]:
        sql = _select(match, f"{FTS}.rowid") + f" ORDER BY {FTS}.rowid LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression(match), limit])
            return [row[0] for row in cursor.fetchall()]

    def count(self, match: Match, cap: int) -> int:
        sql = f"SELECT count(*) FROM ({_select(match, '1')} LIMIT %s)"
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression(match), cap])
            return int(cursor.fetchone()[0])

    def fields(self, keys: list[int]) -> dict[int, tuple[str, str, str, str]]:
        out: dict[int, tuple[str, str, str, str]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT rowid, title, people, other, summary FROM {FTS} "
                    f"WHERE rowid IN ({marks})",
                    chunk,
                )
                for key, *values in cursor.fetchall():
                    out[key] = tuple(values)  # type: ignore[assignment]
        return out

    def facet_rows(self, match: Match, limit: int) -> list[tuple]:
        sql = _select(
            match,
            "d.skey, d.format, d.year, d.language, d.available_now, d.on_reserve",
            doc=True,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql + f" ORDER BY {FTS}.rowid LIMIT %s", [expression(match), limit]
            )
            return list(cursor.fetchall())
