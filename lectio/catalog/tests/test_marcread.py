"""The fast MARC21 reader gives what pymarc's reader gives: the same records (as
the mapping and the stored MARC-in-JSON see them), the same errors, the same place
in the file; on pymarc's test files, damaged copies of them and, when the benchmark
data is at hand, the Library of Congress records."""

from __future__ import annotations

import io
import logging
import random
import warnings
from pathlib import Path
from typing import Any

import pytest
from pymarc import MARCReader

from lectio.catalog.marc import MarcError, map_record, source_json
from lectio.catalog.marcread import FastMARCReader, LightRecord, decode_utf8

DATA = Path(__file__).parent / "data"
BINARY = sorted(p for p in DATA.iterdir() if p.suffix in (".dat", ".mrc"))


def _outcome(record: Any, reader: Any) -> tuple:
    if record is None:
        exc = reader.current_exception
        return ("unreadable", type(exc).__name__, str(exc))
    try:
        return ("record", map_record(record), source_json(record))
    except MarcError as exc:
        return ("rejected", str(exc))


def _both(data: bytes, limit: int | None = None) -> int:
    """Reads `data` with both readers and asserts they agree; how many records the
    fast path decoded itself."""
    logging.getLogger("pymarc").setLevel(logging.CRITICAL)
    slow = MARCReader(io.BytesIO(data), to_unicode=True, utf8_handling="strict")
    fast = FastMARCReader(io.BytesIO(data))
    light = 0
    number = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while limit is None or number < limit:
            expected = next(slow, StopIteration)
            got = next(fast, StopIteration)
            if expected is StopIteration or got is StopIteration:
                assert expected is got, f"record {number + 1}"
                break
            number += 1
            light += isinstance(got, LightRecord)
            assert _outcome(got, fast) == _outcome(expected, slow), f"record {number}"
            assert fast.file_handle.tell() == slow.file_handle.tell()
    return light


@pytest.mark.parametrize("path", BINARY, ids=lambda p: p.name)
def test_source_is_the_text_pymarc_writes(path: Path) -> None:
    logging.getLogger("pymarc").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = [
            r
            for r in MARCReader(io.BytesIO(path.read_bytes()), utf8_handling="replace")
            if r is not None
        ]
    assert records
    for record in records:
        assert source_json(record) == record.as_json()


@pytest.mark.parametrize("path", BINARY, ids=lambda p: p.name)
def test_test_files_read_as_pymarc_reads_them(path: Path) -> None:
    _both(path.read_bytes())


def test_utf8_records_take_the_fast_path() -> None:
    assert _both((DATA / "one.dat").read_bytes()) == 1
    assert decode_utf8((DATA / "marc8.dat").read_bytes()) is None


def _utf8_record() -> bytes:
    data = (DATA / "one.dat").read_bytes()
    assert data[9:10] == b"a"
    return data


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        (9, b" "),  # leader/09: MARC-8
        (12, b"x"),  # base address not a number
        (12, b"9"),  # base address beyond the record
        (0, b"9"),  # length longer than the record
        (30, b"x"),  # directory entry length
        (35, b"x"),  # directory entry offset
    ],
)
def test_damaged_leader_and_directory_read_as_pymarc_reads_them(
    offset: int, value: bytes
) -> None:
    data = bytearray(_utf8_record())
    data[offset : offset + len(value)] = value
    _both(bytes(data) + _utf8_record())


def test_odd_fields_read_as_pymarc_reads_them() -> None:
    record = _utf8_record()
    base = int(record[12:17])
    start = base + int(record[24 + 12 * 3 + 7 : 24 + 12 * 3 + 12])  # 4th field
    for change in (
        lambda d: d[:start] + b"1\x1f" + d[start + 2 :],  # one indicator
        lambda d: d[:start] + b"\xc3\xa9" + d[start + 2 :],  # non-ASCII indicators
        lambda d: d[: start + 3] + b"\xe9" + d[start + 4 :],  # bad subfield code
        lambda d: d[: start + 5] + b"\xff" + d[start + 6 :],  # bad UTF-8
        lambda d: d[: start + 5] + b"\xc3\xa9" + d[start + 7 :],  # good UTF-8
    ):
        _both(change(record) + record)


def test_random_damage_reads_as_pymarc_reads_it() -> None:
    good = _utf8_record() + (DATA / "diacritic.dat").read_bytes()
    rng = random.Random(2709)
    for _ in range(400):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.choice(
                [0x1D, 0x1E, 0x1F, 0x20, 0x30, 0x39, 0x61, 0x80, 0xC3, 0xFF]
            )
        _both(bytes(data))


def test_library_of_congress_records_read_as_pymarc_reads_them() -> None:
    from benchmarks.lc_records import RECORDS, cache_dir

    path = cache_dir() / RECORDS
    if not path.is_file():
        pytest.skip("the LC records are not at hand (see benchmarks/lc_records.py)")
    with path.open("rb") as handle:
        data = handle.read(4 * 1024 * 1024)
    assert _both(data, limit=3000) >= 2900
