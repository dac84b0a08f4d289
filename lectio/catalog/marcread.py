"""Reading MARC21 transmission files: pymarc's `MARCReader`, with a fast path for
the common record (UTF-8, leader/09 "a", two indicators, ASCII subfield codes).

pymarc builds a `Field` object, an `Indicators` and a `Subfield` per subfield and
checks the leader on every access; for such a record `decode_utf8` makes the same
tags, indicators, subfield codes and values as plain tuples in `LightRecord` /
`LightField` (the attributes `catalog.marc.map_record` reads). Any record it is not
sure about (MARC-8, bad UTF-8, a missing or extra indicator, a non-ASCII subfield
code, a damaged leader or directory) is handed to pymarc, which decodes it or
raises as it always has. Pure: no database.
"""

from __future__ import annotations

from typing import Any

from pymarc import MARCReader, Record
from pymarc.exceptions import (
    EndOfRecordNotFound,
    FatalReaderError,
    RecordLengthInvalid,
    TruncatedRecord,
)

LEADER_LEN = 24
DIRECTORY_ENTRY_LEN = 12
SUBFIELD = b"\x1f"
END_OF_RECORD = 0x1D


class LightField:
    """A field as pymarc's `Field` presents it to the mapping."""

    __slots__ = ("tag", "data", "_indicators", "subfields", "control_field")

    def __init__(
        self,
        tag: str,
        data: str | None,
        indicators: tuple[str, str] | None,
        subfields: list[tuple[str, str]],
    ) -> None:
        self.tag = tag
        self.data = data
        self._indicators = indicators
        self.subfields = subfields
        self.control_field = indicators is None

    @property
    def indicator1(self) -> str:
        return self._indicators[0] if self._indicators else ""

    @property
    def indicator2(self) -> str:
        return self._indicators[1] if self._indicators else ""


class LightRecord:
    """A record as pymarc's `Record` presents it to the mapping."""

    __slots__ = ("leader", "fields")

    def __init__(self, leader: str, fields: list[LightField]) -> None:
        self.leader = leader
        self.fields = fields


def decode_utf8(marc: bytes) -> LightRecord | None:
    """The record in `marc` (one whole record, as pymarc's reader cuts it), or None
    when pymarc should decode it: the same fields pymarc's
    `Record(marc, to_unicode=True, utf8_handling="strict")` has whenever this
    returns a record."""
    if len(marc) < LEADER_LEN or not marc[:LEADER_LEN].isascii():
        return None
    leader = marc[:LEADER_LEN].decode("ascii")
    if leader[9] != "a":
        return None
    head = marc[12:17]
    length = marc[:5]
    if not (head.isdigit() and length.isdigit()):
        return None
    base = int(head)
    if not 0 < base < len(marc) or len(marc) < int(length):
        return None
    directory = marc[LEADER_LEN : base - 1]
    if not directory or len(directory) % DIRECTORY_ENTRY_LEN or not directory.isascii():
        return None
    if marc.isascii():
        return _decode_ascii(leader, marc.decode("ascii"), base)
    fields: list[LightField] = []
    append = fields.append
    for start in range(0, len(directory), DIRECTORY_ENTRY_LEN):
        entry = directory[start : start + DIRECTORY_ENTRY_LEN]
        size = entry[3:7]
        offset = entry[7:12]
        if not (size.isdigit() and offset.isdigit()):
            return None
        begin = base + int(offset)
        data = marc[begin : begin + int(size) - 1]
        tag = entry[:3].decode("ascii")
        try:
            if tag < "010" and tag.isdigit():
                append(LightField(tag, data.decode("utf-8"), None, []))
                continue
            subs = data.split(SUBFIELD)
            indicators = subs[0]
            if len(indicators) != 2 or not indicators.isascii():
                return None
            subfields = []
            for sub in subs[1:]:
                if not sub:
                    continue
                if sub[0] >= 0x80:
                    return None
                subfields.append((chr(sub[0]), sub[1:].decode("utf-8")))
        except UnicodeDecodeError:
            return None
        text = indicators.decode("ascii")
        append(LightField(tag, None, (text[0], text[1]), subfields))
    return LightRecord(leader, fields)


def _decode_ascii(leader: str, text: str, base: int) -> LightRecord | None:
    """`decode_utf8` of a record that is all ASCII (most are): decoded once as a
    whole, its byte offsets are its character offsets, so fields and subfields are
    cut from the text without decoding each."""
    fields: list[LightField] = []
    append = fields.append
    for start in range(LEADER_LEN, base - 1, DIRECTORY_ENTRY_LEN):
        size = text[start + 3 : start + 7]
        offset = text[start + 7 : start + 12]
        if not (size.isdigit() and offset.isdigit()):
            return None
        begin = base + int(offset)
        data = text[begin : begin + int(size) - 1]
        tag = text[start : start + 3]
        if tag < "010" and tag.isdigit():
            append(LightField(tag, data, None, []))
            continue
        subs = data.split("\x1f")
        indicators = subs[0]
        if len(indicators) != 2:
            return None
        append(
            LightField(
                tag,
                None,
                (indicators[0], indicators[1]),
                [(sub[0], sub[1:]) for sub in subs[1:] if sub],
            )
        )
    return LightRecord(leader, fields)


class FastMARCReader(MARCReader):
    """pymarc's `MARCReader` (to_unicode, strict UTF-8) whose records come from
    `decode_utf8` when it can, from pymarc's `Record` otherwise. Reading, the
    errors it reports in `current_exception` and where it stops are pymarc 5's
    `MARCReader.__next__`, line for line."""

    _current_chunk: Any = None
    _current_exception: Any = None

    def __init__(self, handle: Any) -> None:
        super().__init__(handle, to_unicode=True, utf8_handling="strict")

    def __next__(self) -> Any:
        if self._current_exception and isinstance(
            self._current_exception, FatalReaderError
        ):
            raise StopIteration
        self._current_chunk = None
        self._current_exception = None
        self._current_chunk = first5 = self.file_handle.read(5)
        if not first5:
            raise StopIteration
        if len(first5) < 5:
            self._current_exception = TruncatedRecord()
            return None
        try:
            length = int(first5)
        except ValueError:
            self._current_exception = RecordLengthInvalid()
            return None
        chunk = first5 + self.file_handle.read(length - 5)
        self._current_chunk = chunk
        if len(chunk) < length:
            self._current_exception = TruncatedRecord()
            return None
        if chunk[-1] != END_OF_RECORD:
            self._current_exception = EndOfRecordNotFound()
            return None
        try:
            light = decode_utf8(chunk)
        except Exception:  # noqa: BLE001 - pymarc decides what is wrong
            light = None
        if light is not None:
            return light
        try:
            return Record(
                chunk,
                to_unicode=self.to_unicode,
                force_utf8=self.force_utf8,
                hide_utf8_warnings=self.hide_utf8_warnings,
                utf8_handling=self.utf8_handling,
                file_encoding=self.file_encoding,
            )
        except Exception as ex:  # noqa: BLE001 - reported as pymarc does
            self._current_exception = ex
            return None
