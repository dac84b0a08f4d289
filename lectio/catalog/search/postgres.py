"""PostgreSQL full-text engine.

`catalog_search` holds one row per record: the key (`skey`, see base.py), a tsvector
built here from the pre-tokenised fields (title weight A, people B, subjects, series
and publisher C, summary D, the filter tokens after them; one unused position
between fields so a phrase never runs from one field into the next, as FTS5 columns
keep it), the token text of each field for ranking, and the facet columns (format,
year, language, and the availability flags kept in step by triggers). The tsvector and tsquery are
written as literals, so PostgreSQL's own parser, stemming and stop words never touch
them: both engines see the same words. A GIN index answers `@@`; a B-tree on `skey`
gives the key order.
"""

from __future__ import annotations

from django.db import connection

from lectio.catalog.search.base import FIELDS, Backend, Document, Match

TABLE = "catalog_search"


WEIGHT = dict(zip(FIELDS, "ABCD", strict=True))
MAX_POSITIONS = 256  # PostgreSQL keeps at most 256 positions of a lexeme


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
            pos += 1
        pos += 1
    for token in doc.meta.split():
        positions.setdefault(token, []).append(f"{pos}D")
        pos += 1
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def tsquery(match: Match) -> str:
    """The tsquery literal of a match ('' when it has no condition at all)."""
    label = ":A" if match.title_only else ""
    parts = [_lexeme(t) + label for t in match.terms]
    for phrase in match.phrases:
        parts.append("(" + " <-> ".join(_lexeme(t) + label for t in phrase) + ")")
    if match.prefix:
        parts.append(_lexeme(match.prefix) + ":*" + ("A" if match.title_only else ""))
    for group in match.meta_any:
        if group == ("a_1",):
            continue  # every document
        parts.append("(" + " | ".join(_lexeme(t) for t in group) + ")")
    return " & ".join(parts)


def _select(match: Match, columns: str) -> tuple[str, list]:
    query = tsquery(match)
    conditions, params = [], []
    if query:
        conditions.append("s.doc @@ %s::tsquery")
        params.append(query)
    if match.available_now:
        conditions.append("s.available_now")
    if match.on_reserve:
        conditions.append("s.on_reserve")
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    return f"SELECT {columns} FROM {TABLE} s{where}", params


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
            cursor.execute(f"DELETE FROM {TABLE}")

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def keys(self, match: Match, limit: int) -> list[int]:
        sql, params = _select(match, "s.skey")
        with connection.cursor() as cursor:
            cursor.execute(sql + " ORDER BY s.skey LIMIT %s", [*params, limit])
            return [row[0] for row in cursor.fetchall()]

    def count(self, match: Match) -> int:
        sql, params = _select(match, "count(*)")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
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
        sql, params = _select(
            match, "s.format, s.year, s.language, s.available_now, s.on_reserve"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql + " ORDER BY s.skey LIMIT %s", [*params, limit])
            return list(cursor.fetchall())
