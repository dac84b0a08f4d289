"""The MARC loader: MARC21 (binary, UTF-8 or MARC-8) and MARCXML files into catalog
records, their identifiers and the copies their holdings fields describe.

Files are streamed, never held: a binary file is read a record at a time, a MARCXML
file is fed to an incremental XML parser in blocks. Each record is mapped by
`catalog.marc`; a record that cannot be read or mapped (a broken directory, bad
UTF-8, a truncated end of file, no control number, no title) becomes a reject naming
the file, the record's number in it and its byte offset, and is skipped. The rest load.

Records are written in batches, each in its own transaction: the batch's control
numbers are looked up in one query; a record whose checksum is the same is left alone
(a reload of the same file writes nothing); a changed record is updated and its
identifiers replaced; a new one is inserted with ids taken from the table's sequence.
Then the search index is brought up to date for the created and changed records, in
the same transaction. An interrupted load keeps the batches written so far; running
it again carries on (the records already loaded are unchanged). A load that created
or changed records ends with one more transaction, its event row, in which the
apps that follow the catalog hear of it once (`extensions.records_changed`).

On a large file the reading and mapping runs in a second process (forked) that hands
the main process batches ready to write, so parsing and writing overlap.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import time
import traceback
import unicodedata
import warnings
import xml.sax
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _quote
from pathlib import Path
from typing import IO, Any, Protocol, cast

from django.db import connection, transaction
from django.utils import timezone
from pymarc import Record
from pymarc.marcxml import XmlHandler

from lectio.catalog.extensions import records_changed
from lectio.catalog.marc import MappedRecord, MarcError, map_record
from lectio.catalog.marcread import FastMARCReader, LightRecord
from lectio.catalog.models import Record as CatalogRecord
from lectio.catalog.models import RecordIdentifier
from lectio.catalog.search.base import Document
from lectio.catalog.search.base import document as search_document
from lectio.core.bulksql import BulkSql
from lectio.core.events import event_record
from lectio.core.loading import LoadOptions, LoadResult, Reject

BATCH = 1000
# Files at least this big are parsed in a second process while the first writes.
PIPELINE_BYTES = 4 * 1024 * 1024
XML_BLOCK = 256 * 1024
END_OF_RECORD = b"\x1d"

# The record columns the loader writes, in order (id, control number and the
# timestamps are added around them).
FIELDS: tuple[str, ...] = (
    "title",
    "subtitle",
    "responsibility",
    "contributors",
    "author",
    "edition",
    "publisher",
    "place",
    "date",
    "year",
    "extent",
    "series",
    "subjects",
    "isbns",
    "issns",
    "lccn",
    "oclc",
    "language",
    "format",
    "summary",
    "urls",
    "source",
    "checksum",
)
JSON_FIELDS = frozenset(
    f.name
    for f in CatalogRecord._meta.get_fields()
    if f.get_internal_type() == "JSONField"  # type: ignore[union-attr]
)
MAX_LENGTHS: dict[str, int | None] = {
    name: getattr(CatalogRecord._meta.get_field(name), "max_length", None)
    for name in FIELDS
}


@dataclass(frozen=True)
class RecordReject(Reject):
    """A record that was skipped: `line` is its number in the file (1-based)."""

    file: str = ""
    offset: int = -1

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        if self.line:
            where += f"record {self.line}"
            if self.offset >= 0:
                where += f" (byte {self.offset})"
        else:
            where += "file"
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "file": self.file, "offset": self.offset}


class MarcProgress(Protocol):
    def __call__(self, records: int, done_bytes: int, total_bytes: int) -> None: ...


@dataclass(slots=True)
class Parsed:
    """One record read and mapped, ready to write."""

    control_number: str
    values: tuple[Any, ...]  # FIELDS, as the database driver takes them
    checksum: str
    identifiers: list[tuple[str, str]]
    items: list[dict[str, str]]
    # The search document's text fields (title, people, other, summary, meta) as
    # `search.base.document` makes them from the written values; None when the
    # load does not index.
    document: tuple[str, str, str, str, str] | None = None


@dataclass
class Batch:
    records: list[Parsed] = field(default_factory=list)
    # Record numbers count from the start of the part (see `Part`).
    rejects: list[tuple[int, RecordReject]] = field(default_factory=list)
    records_read: int = 0  # by this reader so far, rejects included
    bytes_done: int = 0  # by this reader so far
    # Records in each part finished so far (part index: count).
    part_counts: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Part:
    """A stretch of a file read by one reader: the records that start at or after
    `start` and before `end` (-1: the end of the file). A big MARC21 file is cut in
    parts at record terminators so that two processes can read it at once."""

    index: int  # among all the parts of the load, in file order
    path: Path
    kind: str  # "marc", "xml" or "" (neither)
    start: int = 0
    end: int = -1


@dataclass
class MarcLoadResult(LoadResult):
    records_read: int = 0
    created_ids: list[int] = field(default_factory=list)

    def report_text(self) -> str:
        return "".join(f"{r}\n" for r in self.rejects)

    def summary(self) -> str:
        parts = [
            f"{name} {self.counts.get(name, 0)}"
            for name in ("created", "updated", "unchanged")
        ]
        if self.counts.get("repeated"):
            parts.append(f"repeated {self.counts['repeated']}")
        if self.counts.get("items"):
            parts.append(f"items {self.counts['items']}")
        parts.append(f"rejected {len(self.rejects)}")
        return ", ".join(parts)


# --- reading --------------------------------------------------------------------------


def detect(head: bytes) -> str:
    """ "marc" or "xml" from the first bytes of a file; "" when it is neither."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "xml"
    if len(text) >= 5 and text[:5].isdigit():
        return "marc"
    return ""


# (record number in the file, byte offset, record or None, why it is None)
Read = tuple[int, int, Record | LightRecord | None, str]


def read_marc(handle: IO[bytes], end: int = -1) -> Iterator[Read]:
    """The records of a MARC21 transmission file from the handle's position (up to
    the record starting at `end`, when given). MARC-8 or UTF-8 by each record's
    leader/09; a plain UTF-8 record is decoded by `marcread`'s fast path. A record pymarc cannot decode comes back as None with the reason; after
    a record whose length or end is wrong, reading resumes after the next record
    terminator."""
    reader = FastMARCReader(handle)
    number = 0
    while True:
        offset = handle.tell()
        if 0 <= end <= offset:
            return
        try:
            record = next(reader)
        except StopIteration:
            return
        number += 1
        if record is not None:
            yield number, offset, record, ""
            continue
        exc = reader.current_exception
        reason = _describe(exc)
        yield number, offset, None, reason
        name = type(exc).__name__
        if name in ("RecordLengthInvalid", "EndOfRecordNotFound"):
            if not _resync(handle, offset + 1):
                return
        elif name == "TruncatedRecord":
            return


def _resync(handle: IO[bytes], start: int) -> bool:
    """Moves to just after the next record terminator from `start`; False at the
    end of the file."""
    handle.seek(start)
    position = start
    while True:
        block = handle.read(65536)
        if not block:
            return False
        found = block.find(END_OF_RECORD)
        if found >= 0:
            handle.seek(position + found + 1)
            return True
        position += len(block)


_REASONS = {
    "TruncatedRecord": "the record is cut short (the file ends in the middle of it)",
    "RecordLengthInvalid": "the record does not start with its length "
    "(five digits); the file is damaged here",
    "EndOfRecordNotFound": "the record does not end where its length says",
    "RecordLeaderInvalid": "the record's leader is invalid",
    "BaseAddressNotFound": "the leader gives no base address of data",
    "BaseAddressInvalid": "the leader's base address of data is beyond the record",
    "RecordDirectoryInvalid": "the record's directory is damaged",
}


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "the record cannot be read"
    name = type(exc).__name__
    if name in _REASONS:
        return _REASONS[name]
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"the record is not valid {exc.encoding.upper()} "
            f"(byte {exc.start} of the field); check leader/09 (a = UTF-8, "
            "blank = MARC-8)"
        )
    return f"the record cannot be read: {exc}"


class _Collect(XmlHandler):
    """Collects the records parsed so far; a record whose elements pymarc refuses
    (a bad leader, a field without a tag) is collected as its reason instead."""

    def __init__(self) -> None:
        super().__init__(strict=False)
        self.done: list[Record | str] = []
        self.bad = ""

    def startElementNS(self, name: Any, qname: Any, attrs: Any) -> None:
        try:
            super().startElementNS(name, qname, attrs)
        except Exception as exc:  # noqa: BLE001 - one bad record, not the file
            self.bad = self.bad or _xml_reason(name, exc)

    def endElementNS(self, name: Any, qname: Any) -> None:
        if name[1] == "record" and self.bad:
            self.done.append(self.bad)
            self.bad = ""
            self._record = None
            self._field = None
            return
        try:
            super().endElementNS(name, qname)
        except Exception as exc:  # noqa: BLE001 - one bad record, not the file
            self.bad = self.bad or _xml_reason(name, exc)

    def process_record(self, record: Record) -> None:
        self.done.append(record)


def _xml_reason(name: Any, exc: BaseException) -> str:
    element = name[1] if isinstance(name, tuple) else str(name)
    if type(exc).__name__ == "RecordLeaderInvalid":
        return "the record's leader is not 24 characters"
    if isinstance(exc, KeyError):
        return f"a <{element}> element lacks its {exc} attribute"
    return f"the <{element}> element cannot be read: {exc}"


def read_xml(handle: IO[bytes]) -> Iterator[Read]:
    """The records of a MARCXML file, parsed incrementally. The offset of a record is
    where the block holding its end starts. A file that is not well-formed ends
    with a reject at the point where parsing stopped."""
    parser = xml.sax.make_parser()
    handler = _Collect()
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    number = 0
    offset = 0
    while True:
        block = handle.read(XML_BLOCK)
        try:
            if block:
                parser.feed(block)  # type: ignore[attr-defined]
            else:
                parser.close()  # type: ignore[attr-defined]
        except xml.sax.SAXParseException as exc:
            yield from _drain(handler, number, offset)
            number += len(handler.done)
            handler.done.clear()
            yield (
                number + 1,
                offset,
                None,
                f"the XML is not well-formed (line {exc.getLineNumber()}, column "
                f"{exc.getColumnNumber()}: {exc.getMessage()}); "
                "nothing after this point was read",
            )
            return
        yield from _drain(handler, number, offset)
        number += len(handler.done)
        handler.done.clear()
        if not block:
            return
        offset += len(block)


def _drain(handler: _Collect, number: int, offset: int) -> Iterator[Read]:
    for done in handler.done:
        number += 1
        if isinstance(done, str):
            yield number, offset, None, done
        else:
            yield number, offset, done, ""


def _cut(name: str, value: str) -> str:
    limit = MAX_LENGTHS[name]
    return value[:limit] if limit and len(value) > limit else value


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def json_text(value: Any) -> str:
    """`json.dumps(value)`, written string by string for the mapping's shapes (a
    list of strings, or of dictionaries of strings) and by `json.dumps` otherwise."""
    if type(value) is not list:
        return json.dumps(value)
    items = []
    for item in value:
        if type(item) is str:
            items.append(_quote(item))
        elif type(item) is dict and all(
            type(k) is str and type(v) is str for k, v in item.items()
        ):
            pairs = ", ".join([f"{_quote(k)}: {_quote(v)}" for k, v in item.items()])
            items.append("{" + pairs + "}")
        else:
            return json.dumps(value)
    return "[" + ", ".join(items) + "]"


def _prepare(mapped: MappedRecord, index: bool = True) -> Parsed:
    fields = mapped.fields
    values: list[Any] = []
    # The values as the database gives them back (what the search document of
    # the record is made of).
    stored: dict[str, Any] = {}
    for name in FIELDS:
        if name == "source":
            values.append(mapped.source)
        elif name == "checksum":
            values.append(mapped.checksum)
        elif name in JSON_FIELDS:
            value = fields[name]
            text = json_text(value)
            if "\\u" in text:
                value = _nfc(value)
                text = json_text(value)
            values.append(text)
            stored[name] = value
        elif name == "year":
            values.append(fields[name])
            stored[name] = fields[name]
        else:
            value = fields[name]
            if not value.isascii():
                value = unicodedata.normalize("NFC", value)
            value = _cut(name, value)
            values.append(value)
            stored[name] = value
    document = None
    if index:
        # A new record is not yet available nor on reserve (see `_Writer.write`).
        stored.update(id=0, available_now=False, on_reserve=False)
        doc = search_document(stored)
        document = (doc.title, doc.people, doc.other, doc.summary, doc.meta)
    return Parsed(
        control_number=mapped.control_number,
        values=tuple(values),
        checksum=mapped.checksum,
        identifiers=[(k, v) for k, v in mapped.identifiers if len(v) <= 64],
        items=mapped.items,
        document=document,
    )


def plan(paths: Sequence[Path], readers: int = 1) -> list[Part]:
    """The parts of these files: one per file, or for a MARC21 file big enough,
    one per reader, cut just after a record terminator."""
    parts: list[Part] = []
    for path in paths:
        with path.open("rb") as handle:
            kind = detect(handle.read(512))
            size = path.stat().st_size
            cuts = [0]
            if kind == "marc" and readers > 1 and size >= PIPELINE_BYTES:
                for k in range(1, readers):
                    handle.seek(size * k // readers)
                    if (
                        _resync(handle, size * k // readers)
                        and handle.tell() > cuts[-1]
                    ):
                        cuts.append(handle.tell())
        for i, cut in enumerate(cuts):
            end = cuts[i + 1] if i + 1 < len(cuts) else -1
            parts.append(Part(len(parts), path, kind, cut, end))
    return parts


def parse_files(
    paths: Sequence[Path], batch_size: int = BATCH, index: bool = True
) -> Iterator[Batch]:
    """Batches of mapped records and rejects, in file order."""
    return parse_parts(plan(paths), batch_size, index)


def parse_parts(
    parts: Sequence[Part], batch_size: int = BATCH, index: bool = True
) -> Iterator[Batch]:
    """Batches of mapped records and rejects, part after part (with their search
    documents when `index`). pymarc's warnings about odd but readable fields (three
    indicators, a non-ASCII subfield code) are silenced: the record loads."""
    logging.getLogger("pymarc").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield from _parse_parts(parts, batch_size, index)


def _parse_parts(
    parts: Sequence[Part], batch_size: int, index: bool
) -> Iterator[Batch]:
    batch = Batch()
    read = 0
    done_before = 0
    for part in parts:
        name = part.path.name
        if not part.kind:
            batch.rejects.append(
                (
                    part.index,
                    RecordReject(
                        0,
                        "this is neither a MARC21 (ISO 2709) nor a MARCXML file",
                        file=name,
                    ),
                )
            )
            batch.part_counts[part.index] = 0
            continue
        with part.path.open("rb") as handle:
            handle.seek(part.start)
            reader = (
                read_xml(handle) if part.kind == "xml" else read_marc(handle, part.end)
            )
            number = 0
            for number, offset, record, reason in reader:
                read += 1
                batch.records_read = read
                if record is None:
                    batch.rejects.append(
                        (
                            part.index,
                            RecordReject(number, reason, file=name, offset=offset),
                        )
                    )
                    continue
                try:
                    mapped = map_record(record)
                except MarcError as exc:
                    batch.rejects.append(
                        (
                            part.index,
                            RecordReject(number, str(exc), file=name, offset=offset),
                        )
                    )
                    continue
                except Exception as exc:  # noqa: BLE001 - one bad record, not the file
                    batch.rejects.append(
                        (
                            part.index,
                            RecordReject(
                                number,
                                f"the record cannot be mapped: {exc!r}",
                                file=name,
                                offset=offset,
                            ),
                        )
                    )
                    continue
                batch.records.append(_prepare(mapped, index))
                if len(batch.records) >= batch_size:
                    batch.bytes_done = done_before + handle.tell() - part.start
                    yield batch
                    batch = Batch(records_read=read)
            batch.part_counts[part.index] = number
            end = part.end if part.end >= 0 else part.path.stat().st_size
            done_before += end - part.start
    batch.bytes_done = done_before
    yield batch


def _child(parts: Sequence[Part], batch_size: int, index: bool, conn: Any) -> None:
    try:
        for batch in parse_parts(parts, batch_size, index):
            # The records as plain tuples: pickled and unpickled in half the time
            # of the dataclasses (the writing process does the unpickling).
            records = [
                (
                    p.control_number,
                    p.values,
                    p.checksum,
                    p.identifiers,
                    p.items,
                    p.document,
                )
                for p in batch.records
            ]
            batch.records = []
            conn.send(("batch", (batch, records)))
        conn.send(("end", None))
    except BaseException:  # noqa: BLE001 - reported to the parent
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def pipelined(
    parts: Sequence[Part], batch_size: int = BATCH, readers: int = 2, index: bool = True
) -> Iterator[tuple[int, Batch]]:
    """`parse_parts` run in `readers` forked processes, the parts dealt out in turn;
    (reader, batch) as they arrive through pipes (a pipe blocks its reader when the
    writer is behind, so memory stays bounded)."""
    context = multiprocessing.get_context("fork")
    readers = max(1, min(readers, len(parts)))
    receivers: dict[Any, int] = {}
    processes = []
    for i in range(readers):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(list(parts[i::readers]), batch_size, index, send),
            daemon=True,
        )
        process.start()
        send.close()
        receivers[receive] = i
        processes.append(process)
    try:
        while receivers:
            for ready in multiprocessing.connection.wait(list(receivers)):
                receive = cast(Any, ready)
                try:
                    kind, payload = receive.recv()
                except EOFError:
                    raise RuntimeError(
                        "a MARC reading process ended unexpectedly"
                    ) from None
                if kind == "batch":
                    batch, records = payload
                    batch.records = [Parsed(*r) for r in records]
                    yield receivers[receive], batch
                elif kind == "error":
                    raise RuntimeError(f"reading the MARC files failed:\n{payload}")
                else:
                    receive.close()
                    del receivers[receive]
    finally:
        for receive in receivers:
            receive.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()


# --- writing --------------------------------------------------------------------------


@dataclass
class MarcOptions:
    dry_run: bool = False
    actor: Any = None
    batch_size: int = BATCH
    # None: reading in other processes for files of PIPELINE_BYTES or more.
    pipeline: bool | None = None
    # How many processes read and map records (a big MARC21 file is cut in as
    # many parts) while this one writes.
    readers: int = 2
    # Bring the search index up to date for the records written.
    index: bool = True


class _Writer:
    def __init__(self, options: MarcOptions, result: MarcLoadResult) -> None:
        self.options = options
        self.result = result
        self.db = BulkSql()
        self.table = CatalogRecord._meta.db_table
        self.id_table = RecordIdentifier._meta.db_table
        qn = self.db.qn
        self.select_sql = (
            f"SELECT control_number, id, checksum FROM {qn(self.table)} WHERE "
        )
        sets = ", ".join(f"{qn(name)} = %s" for name in (*FIELDS, "updated_at"))
        self.update_sql = f"UPDATE {qn(self.table)} SET {sets} WHERE id = %s"

    def existing(self, keys: list[str]) -> dict[str, tuple[int, str]]:
        where, param = self.db.any_of("control_number", keys, "text")
        return {
            key: (pk, checksum)
            for key, pk, checksum in self.db.select(self.select_sql + where, [param])
        }

    def write(self, records: list[Parsed]) -> None:
        result = self.result
        # A control number twice in one batch: the later copy wins, the earlier
        # counts as read and is otherwise ignored, as if loaded and then replaced.
        unique: dict[str, Parsed] = {}
        for parsed in records:
            unique.pop(parsed.control_number, None)
            unique[parsed.control_number] = parsed
        if len(unique) < len(records):
            result.counts["repeated"] += len(records) - len(unique)
        have = self.existing(list(unique))
        new: list[Parsed] = []
        changed: list[tuple[int, Parsed]] = []
        for key, parsed in unique.items():
            found = have.get(key)
            if found is None:
                new.append(parsed)
            elif found[1] != parsed.checksum:
                changed.append((found[0], parsed))
            else:
                result.counts["unchanged"] += 1
        result.counts["created"] += len(new)
        result.counts["updated"] += len(changed)
        if self.options.dry_run or not (new or changed):
            return
        with transaction.atomic():
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            ids = list(self.db.new_ids(self.table, len(new))) if new else []
            self.db.insert(
                self.table,
                ("id", "control_number", *FIELDS, "created_at", "updated_at"),
                [
                    (pk, parsed.control_number, *parsed.values, now, now)
                    for pk, parsed in zip(ids, new, strict=True)
                ],
                {"available_now": False, "on_reserve": False},
            )
            if changed:
                changed_ids = [pk for pk, _p in changed]
                self.db.executemany(
                    self.update_sql,
                    [(*parsed.values, now, pk) for pk, parsed in changed],
                )
                where, param = self.db.any_of("record_id", changed_ids, "bigint")
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {self.db.qn(self.id_table)} WHERE {where}",
                        [param],
                    )
            else:
                changed_ids = []
            written = list(zip(ids, new, strict=True)) + changed
            self.db.insert(
                self.id_table,
                ("record_id", "kind", "value"),
                [
                    (pk, kind, value)
                    for pk, parsed in written
                    for kind, value in dict.fromkeys(parsed.identifiers)
                ],
            )
            with_items = [(pk, parsed.items) for pk, parsed in written if parsed.items]
            if with_items:
                from lectio.catalog.items_loader import upsert_marc_items

                result.counts["items"] += upsert_marc_items(with_items)
            if self.options.index:
                from lectio.catalog.search import index_documents, index_records

                # New records are indexed from the documents the readers made;
                # a changed one from its row (it keeps its availability flags).
                index_documents(
                    [
                        _document(pk, parsed)
                        for pk, parsed in zip(ids, new, strict=True)
                    ],
                    new=True,
                )
                index_records(changed_ids)
        result.created_ids.extend(ids)


_FORMAT, _YEAR, _LANGUAGE = (FIELDS.index(n) for n in ("format", "year", "language"))


def _document(pk: int, parsed: Parsed) -> Document:
    """The search document of a new record from what its reader made."""
    if parsed.document is None:
        raise ValueError("the record was read without its search document")
    title, people, other, summary, meta = parsed.document
    values = parsed.values
    return Document(
        record_id=pk,
        title=title,
        people=people,
        other=other,
        summary=summary,
        meta=meta,
        format=values[_FORMAT] or "",
        year=values[_YEAR],
        language=values[_LANGUAGE] or "",
    )


def load_marc(
    paths: Iterable[str | Path],
    *,
    options: MarcOptions | LoadOptions | None = None,
    progress: MarcProgress | None = None,
) -> MarcLoadResult:
    """Loads MARC21 / MARCXML files (see the module's description). Counts created,
    updated, unchanged; each skipped record is a `RecordReject`."""
    if isinstance(options, LoadOptions):
        options = MarcOptions(dry_run=options.dry_run, actor=options.actor)
    options = options or MarcOptions()
    files = [Path(p) for p in paths]
    result = MarcLoadResult()
    for name in ("created", "updated", "unchanged"):
        result.counts[name] = 0
    total = sum(p.stat().st_size for p in files)
    pipeline = options.pipeline
    if pipeline is None:
        pipeline = total >= PIPELINE_BYTES and (os.cpu_count() or 1) > 1
    readers = options.readers if pipeline else 1
    parts = plan(files, readers)
    batches: Iterable[tuple[int, Batch]] = (
        pipelined(parts, options.batch_size, readers, options.index)
        if pipeline
        else ((0, b) for b in parse_parts(parts, options.batch_size, options.index))
    )
    writer = _Writer(options, result)
    read: dict[int, int] = {}
    done: dict[int, int] = {}
    counts: dict[int, int] = {}
    rejects: list[tuple[int, RecordReject]] = []
    for reader, batch in batches:
        rejects.extend(batch.rejects)
        counts.update(batch.part_counts)
        if batch.records:
            writer.write(batch.records)
        read[reader] = batch.records_read
        done[reader] = batch.bytes_done
        result.records_read = sum(read.values())
        if progress is not None:
            progress(result.records_read, sum(done.values()), total)
    result.rejects.extend(_numbered(parts, counts, rejects))
    result.applied = not options.dry_run
    if not options.dry_run and (result.counts["created"] or result.counts["updated"]):
        names = ", ".join(p.name for p in files)
        with transaction.atomic():
            event_record(
                actor=options.actor,
                verb="catalog_loaded",
                target_type="record",
                target_id=None,
                summary=f"{names} {result.summary()}",
                params={
                    "files": [p.name for p in files],
                    "counts": result.counts_dict(),
                },
            )
            records_changed()
    return result


def _numbered(
    parts: Sequence[Part],
    counts: dict[int, int],
    rejects: list[tuple[int, RecordReject]],
) -> list[RecordReject]:
    """Rejects numbered from the start of their file rather than of their part,
    in file order."""
    before: dict[int, int] = {}
    running: dict[Path, int] = {}
    for part in parts:
        before[part.index] = running.get(part.path, 0)
        running[part.path] = before[part.index] + counts.get(part.index, 0)
    out = [
        dataclasses.replace(reject, line=reject.line + before[index])
        if reject.line
        else reject
        for index, reject in sorted(rejects, key=lambda r: (r[0], r[1].line))
    ]
    return out


# --- the command line's progress line ---------------------------------------------------


class TerminalProgress:
    """ "records 12,000 (1,850/s) 42%" on one updating line, at most twice a second."""

    def __init__(self, stream: Any, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.next_at = 0.0
        self.shown = False

    def __call__(self, records: int, done_bytes: int, total_bytes: int) -> None:
        now = self.clock()
        if now < self.next_at and done_bytes < total_bytes:
            return
        self.next_at = now + 0.5
        rate = records / max(now - self.started, 1e-6)
        percent = 100 * done_bytes // total_bytes if total_bytes else 100
        self.stream.write(f"\rrecords {records:,} ({rate:,.0f}/s) {percent}%   ")
        self.stream.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
