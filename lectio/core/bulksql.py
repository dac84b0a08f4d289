"""Plain-SQL helpers for the bulk loaders, on both databases: ids taken from a
table's sequence in one statement, rows inserted by COPY on PostgreSQL and by
multi-row INSERTs on SQLite, "column is one of these values" as one parameter. The
ORM's per-object cost dominates at tens of thousands of rows; these do not."""

from __future__ import annotations

import datetime
import itertools
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


class BulkSql:
    """Plain-SQL helpers for the two databases."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.qn = connection.ops.quote_name

    def any_of(self, column: str, values: Iterable[Any], kind: str) -> tuple[str, Any]:
        """`column` is one of `values`, as one SQL parameter (an array on
        PostgreSQL, a JSON array on SQLite) rather than thousands."""
        values = list(values)
        if self.postgres:
            return f"{column} = ANY(%s::{kind}[])", values
        return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(values)

    def days(self) -> dict[Any, Any]:
        """Dates as the driver takes them, each converted once."""
        return DriverDays(self.postgres)

    def new_ids(self, table: str, n: int) -> Sequence[int]:
        """`n` unused ids of `table`, ascending, taken from its sequence (never given
        out again, as if the rows had been inserted one by one)."""
        qn = self.qn
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                    "FROM generate_series(1, %s)",
                    [table, n],
                )
                return sorted(pk for (pk,) in cursor.fetchall())
            # The sequence of an AUTOINCREMENT table; the update also takes the
            # write lock, so no one else can take the same ids.
            top = f"(SELECT coalesce(max(id), 0) FROM {qn(table)})"
            cursor.execute(
                f"UPDATE sqlite_sequence SET seq = max(seq, {top}) + %s "
                "WHERE name = %s",
                [n, table],
            )
            if cursor.rowcount:
                cursor.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = %s", [table]
                )
                last = cursor.fetchone()[0]
            else:
                cursor.execute(f"SELECT {top}")
                last = cursor.fetchone()[0] + n
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, last],
                )
        return range(last - n + 1, last + 1)

    def insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple],
        constants: dict[str, Any] | None = None,
        *,
        as_json: bool = False,
    ) -> None:
        """Inserts `rows`, each with the same `constants` (column: value). With
        `as_json` (rows of numbers) SQLite takes all the rows as one JSON array."""
        if not rows:
            return
        qn = self.qn
        fixed = list((constants or {}).items())
        cols = ", ".join(qn(c) for c in (*columns, *(name for name, _v in fixed)))
        extra = tuple(value for _name, value in fixed)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(
                    f"COPY {qn(table)} ({cols}) FROM STDIN"
                ) as copy:
                    write = copy.write_row
                    if extra:
                        for row in rows:
                            write(row + extra)
                    else:
                        for row in rows:
                            write(row)
            elif as_json:
                picks = ", ".join(
                    [f"json_extract(value, '$[{i}]')" for i in range(len(columns))]
                    + ["%s"] * len(extra)
                )
                cursor.execute(
                    f"INSERT INTO {qn(table)} ({cols}) SELECT {picks} "
                    "FROM json_each(%s)",
                    [*extra, json.dumps(rows)],
                )
            else:
                # Many rows to a statement, the constants written into it: SQLite
                # then runs a statement per few hundred rows instead of per row.
                one = (
                    "("
                    + ", ".join(["%s"] * len(columns) + [_literal(v) for v in extra])
                    + ")"
                )
                per = max(1, min(MULTI_ROWS, _max_params() // len(columns)))
                head = f"INSERT INTO {qn(table)} ({cols}) VALUES "
                whole = len(rows) - len(rows) % per
                if whole:
                    chain = itertools.chain.from_iterable
                    cursor.executemany(
                        head + ", ".join([one] * per),
                        [
                            list(chain(rows[start : start + per]))
                            for start in range(0, whole, per)
                        ],
                    )
                if whole < len(rows):
                    rest = rows[whole:]
                    cursor.execute(
                        head + ", ".join([one] * len(rest)),
                        list(itertools.chain.from_iterable(rest)),
                    )

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)

    def select(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


# Rows to an INSERT statement on SQLite (fewer when they would pass its limit of
# parameters).
MULTI_ROWS = 200


def _max_params() -> int:
    """How many parameters an SQLite statement may hold."""
    try:
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:  # Python before 3.11
        return 999


def _literal(value: Any) -> str:
    """A constant as an SQLite literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        # Quotes doubled for SQL, percent signs for the driver's %s placeholders.
        return "'" + value.replace("'", "''").replace("%", "%%") + "'"
    raise TypeError(f"no literal for {value!r}")


class DriverDays(dict[Any, Any]):
    """date -> what the driver takes for it (ISO text for SQLite), filled as used."""

    def __init__(self, postgres: bool) -> None:
        super().__init__({None: None})
        self.postgres = postgres

    def __missing__(self, day: datetime.date) -> Any:
        value = day if self.postgres else day.isoformat()
        self[day] = value
        return value
