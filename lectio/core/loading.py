"""What every loader shares: reading a delimited file safely, numbered reject lines,
counts, the two apply modes, progress, and running a loader as a background job.

A loader is a function `load(data: bytes, options: LoadOptions) -> LoadResult`
registered in LOADERS under its kind. It validates the whole file first (every bad row
becomes a Reject naming its line), then applies inside one transaction: all-or-nothing
applies nothing when any row was rejected; valid-only applies the good rows. Either way
the database is never left half-loaded: a failure while applying rolls everything back.
"""

from __future__ import annotations

import csv
import datetime
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Literal, Protocol

from django.conf import settings

Mode = Literal["all_or_nothing", "valid_only"]
MODES: tuple[Mode, ...] = ("all_or_nothing", "valid_only")

# The kinds of loader and where each lives. The API, the upload page, the jobs and the
# commands all look loaders up here.
LOADERS: dict[str, str] = {
    "courses": "lectio.courses.loader.load",
    "users": "lectio.accounts.loader.load_users",
    "enrolments": "lectio.courses.enrolment_loader.load",
    "lists": "lectio.lists.loader.load",
}


def max_file_bytes() -> int:
    return int(getattr(settings, "LECTIO_LOADER_MAX_BYTES", 64 * 1024 * 1024))


class ProgressFn(Protocol):
    def __call__(self, done: int, total: int) -> None: ...


def no_progress(done: int, total: int) -> None:
    return None


@dataclass
class LoadOptions:
    mode: Mode = "all_or_nothing"
    # strftime format of dates in the file; None takes the institution's setting.
    date_format: str | None = None
    # Validate and report, change nothing.
    dry_run: bool = False
    # Who the changes are recorded as (audit events); None for the command line.
    actor: Any = None
    progress: ProgressFn = no_progress
    file_name: str = ""


@dataclass(frozen=True)
class Reject:
    line: int  # 1-based line of the file; 0 for the file as a whole
    reason: str
    key: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        key = f" ({self.key})" if self.key else ""
        return f"{where}{key}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "key": self.key, "reason": self.reason}


@dataclass
class LoadResult:
    counts: Counter[str] = field(default_factory=Counter)
    rejects: list[Reject] = field(default_factory=list)
    # False when nothing was written (dry run, or all-or-nothing with rejects).
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejects

    def reject(self, line: int, reason: str, key: str = "") -> None:
        self.rejects.append(Reject(line, reason, key))

    def summary(self) -> str:
        order = ["created", "updated", "unchanged", "deleted", "rolled_over"]
        parts = [
            f"{name.replace('_', ' ')} {self.counts.get(name, 0)}" for name in order
        ]
        parts += [
            f"{name.replace('_', ' ')} {n}"
            for name, n in sorted(self.counts.items())
            if name not in order and name != "rejected"
        ]
        parts.append(f"rejected {len(self.rejects)}")
        text = ", ".join(parts)
        if not self.applied and self.rejects:
            text += " (nothing was changed)"
        return text

    def report_text(self) -> str:
        return "".join(f"{r}\n" for r in sorted(self.rejects, key=lambda r: r.line))

    def counts_dict(self) -> dict[str, int]:
        out = dict(self.counts)
        out["rejected"] = len(self.rejects)
        return out


class FileRejected(Exception):
    """The file as a whole cannot be read: too big, not text, wrong delimiter, no
    header. Loaders turn it into one reject at line 0 (or the line it names)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 with or without a BOM; refuses anything else with the
    position of the first bad byte."""
    check_size(len(data))
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        raise FileRejected("the file is UTF-16; save it as UTF-8")
    if b"\x00" in data[:4096]:
        raise FileRejected("this is not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            f"the file is not UTF-8 (byte {exc.start + 1}); save it as UTF-8",
            line=line,
        ) from exc


def check_size(size: int) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise FileRejected(
            f"the file is {size / 1_048_576:.0f} MB; files up to "
            f"{limit / 1_048_576:.0f} MB are accepted (split it into smaller files)"
        )


_DELIMITER_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}


def _guess_delimiter(line: str, expected: str) -> str | None:
    counts = {d: line.count(d) for d in _DELIMITER_NAMES if d != expected}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def read_rows(
    text: str, *, delimiter: str, width: int | None = None, quoted: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every non-blank record of `text`, header included.
    CRLF, LF and CR line ends all work; quoted cells may hold the delimiter and line
    breaks (the line number is the record's first line). With `quoted=False` (plain
    tab-separated files) a quote mark is an ordinary character. With `width`, a first
    line split into a different number of cells because another delimiter was used
    raises FileRejected naming it."""
    first = text.split("\n", 1)[0]
    if delimiter not in first:
        other = _guess_delimiter(first, delimiter)
        if other is not None and (width is None or width > 1):
            raise FileRejected(
                f"no {_DELIMITER_NAMES[delimiter]} in the header; the file looks "
                f"{_DELIMITER_NAMES[other]}-separated, and this loader reads "
                f"{_DELIMITER_NAMES[delimiter]}-separated files",
                line=1,
            )
    lines = None if quoted else _plain_lines(text)
    if lines is not None:
        # Without quoting a record is a line: str.split does what the csv module
        # does, several times faster.
        for line, line_text in enumerate(lines, 1):
            if line_text and not line_text.isspace():
                yield line, line_text.split(delimiter)
        return
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        strict=False,
        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
    )
    line = 1
    try:
        for cells in reader:
            start = line
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            yield start, cells
    except csv.Error as exc:
        raise FileRejected(f"cannot read the file: {exc}", line=line) from exc


# Line breaks that str.splitlines honours and the csv module does not, and NUL (which
# the csv module refuses): a text holding any takes the csv module's path.
_ODD_ASCII = ("\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
_ODD_OTHER = ("\x85", "\u2028", "\u2029")


def _plain_lines(text: str) -> list[str] | None:
    """The lines of `text` when splitting it into lines and cells by hand gives what
    the csv module (without quoting) gives: no odd line breaks, no cell over the
    csv module's size limit. None otherwise."""
    for odd in _ODD_ASCII if text.isascii() else _ODD_ASCII + _ODD_OTHER:
        if odd in text:
            return None
    lines = text.splitlines()
    limit = csv.field_size_limit()
    if len(text) > limit and max(map(len, lines), default=0) > limit:
        return None
    return lines


def read_dicts(
    text: str,
    *,
    result: LoadResult,
    delimiter: str = ",",
    required: Sequence[str] = (),
    known: Sequence[str] | None = None,
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """A file with a header row of column names (case and spaces ignored). Returns the
    header and an iterator of (line, {column: stripped value}); a short row is padded
    with empty values. Raises FileRejected when a required column is missing or, with
    `known`, a column is not one of them. A row with more cells than the header is
    rejected into `result` and not yielded."""
    rows = read_rows(text, delimiter=delimiter)
    try:
        _line, header_cells = next(rows)
    except StopIteration:
        raise FileRejected("the file is empty") from None
    header = [normalise_name(c) for c in header_cells]
    missing = [c for c in required if c not in header]
    if missing:
        raise FileRejected(
            "the header lacks the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing),
            line=1,
        )
    if known is not None:
        allowed = set(known)
        unknown = [c for c in header if c and c not in allowed]
        if unknown:
            raise FileRejected(
                "unknown column"
                + ("s " if len(unknown) > 1 else " ")
                + ", ".join(unknown),
                line=1,
            )
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    if duplicates:
        raise FileRejected("the header repeats " + ", ".join(duplicates), line=1)

    def dicts() -> Iterator[tuple[int, dict[str, str]]]:
        for line, cells in rows:
            if len(cells) > len(header) and any(
                c.strip() for c in cells[len(header) :]
            ):
                result.reject(
                    line,
                    f"the row has {len(cells)} cells and the header {len(header)}; "
                    "a value with a comma needs quotes",
                )
                continue
            yield (
                line,
                {
                    name: (cells[i].strip() if i < len(cells) else "")
                    for i, name in enumerate(header)
                    if name
                },
            )

    return header, dicts()


def normalise_name(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def split_multi(value: str) -> list[str]:
    """A multi-value cell: comma-separated (semicolons too), trimmed, no blanks,
    first occurrence kept."""
    seen: dict[str, None] = {}
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def parse_date(value: str, fmt: str) -> datetime.date | None:
    """A date cell in the configured format; blank is None. ValueError names the
    format in words a person can act on."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, fmt).date()
    except ValueError:
        example = datetime.date(2026, 9, 1).strftime(fmt)
        raise ValueError(
            f"{value!r} is not a date in the format {fmt} (for example {example})"
        ) from None


def parse_int(value: str, name: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{name} {number} is negative")
    return number


class Throttle:
    """Calls `progress` at most every `seconds` (and always for the last row)."""

    def __init__(self, progress: ProgressFn, total: int, seconds: float = 0.5) -> None:
        self.progress = progress
        self.total = total
        self.seconds = seconds
        self.next_at = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if done >= self.total or now >= self.next_at:
            self.next_at = now + self.seconds
            self.progress(done, self.total)


def loader(kind: str) -> Callable[[bytes, LoadOptions], LoadResult]:
    try:
        dotted = LOADERS[kind]
    except KeyError:
        raise ValueError(
            f"unknown loader {kind!r}; one of {', '.join(sorted(LOADERS))}"
        ) from None
    module, _dot, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


def run_file(kind: str, data: bytes, options: LoadOptions) -> LoadResult:
    """Runs loader `kind` over `data`; a file that cannot be read at all comes back
    as a result with one reject and nothing applied."""
    load = loader(kind)
    try:
        return load(data, options)
    except FileRejected as exc:
        result = LoadResult()
        result.reject(exc.line, exc.reason)
        return result
