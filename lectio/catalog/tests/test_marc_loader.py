"""The MARC loader and `lectio load-marc` over pymarc's test files (data/LICENSE)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pymarc
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.catalog import loader
from lectio.catalog.loader import MarcOptions, RecordReject, load_marc
from lectio.catalog.models import Record, RecordIdentifier
from lectio.core.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).parent / "data"


def _copy(tmp_path: Path, *names: str) -> list[Path]:
    out = []
    for name in names:
        target = tmp_path / name
        shutil.copy(DATA / name, target)
        out.append(target)
    return out


def test_load_binary_and_xml_files(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "test.dat", "marc8.dat", "diacritic.dat", "batch.xml")
    result = load_marc(paths)
    assert result.ok
    assert result.counts["created"] == 10 + 1 + 1 + 2
    assert Record.objects.count() == 14
    record = Record.objects.get(control_number="17091269")
    assert record.title == "Amateur media"
    assert record.isbns == ["9780415782654", "9780203112021"]
    assert set(
        RecordIdentifier.objects.filter(record=record).values_list("kind", "value")
    ) == {
        ("isbn", "9780415782654"),
        ("isbn", "9780203112021"),
        ("lccn", "2011052495"),
    }
    marc8 = Record.objects.get(control_number="2")
    source = json.loads(marc8.source)
    [uniform] = [f["240"] for f in source["fields"] if "240" in f]
    assert uniform["subfields"][0]["a"] == "De la solitude à la communauté."
    assert Record.objects.get(control_number="5637241").format == "audio"
    event = Event.objects.get(verb="catalog_loaded")
    assert event.params["counts"]["created"] == 14


def test_reload_unchanged_writes_nothing(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "test.dat", "batch.xml")
    load_marc(paths)
    before = dict(Record.objects.values_list("id", "updated_at"))
    with CaptureQueriesContext(connection) as queries:
        result = load_marc(paths)
    assert result.counts["unchanged"] == 12
    assert result.counts["created"] == result.counts["updated"] == 0
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert dict(Record.objects.values_list("id", "updated_at")) == before
    assert Event.objects.filter(verb="catalog_loaded").count() == 1


def test_changed_record_updated_and_identifiers_replaced(tmp_path: Path) -> None:
    [path] = _copy(tmp_path, "one.dat")
    load_marc([path])
    record = Record.objects.get(control_number="fol05731351")
    old_id = record.id
    with path.open("rb") as handle:
        marc = next(pymarc.MARCReader(handle))
    assert marc is not None
    marc.remove_fields("020")
    marc["245"]["a"] = "ActivePerl, second thoughts /"
    marc.add_field(
        pymarc.Field(
            tag="020",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "9780262510875")],
        )
    )
    path.write_bytes(marc.as_marc())
    result = load_marc([path])
    assert (result.counts["updated"], result.counts["created"]) == (1, 0)
    record.refresh_from_db()
    assert record.id == old_id
    assert record.title == "ActivePerl, second thoughts"
    assert record.isbns == ["9780262510875"]
    assert set(
        RecordIdentifier.objects.filter(record=record, kind="isbn").values_list(
            "value", flat=True
        )
    ) == {"9780262510875"}


def test_bad_records_reported_with_position_and_rest_loaded(tmp_path: Path) -> None:
    # bad_records.mrc: damaged directories and addresses, a bad byte, a record
    # without a control number; put good records before and after it.
    good = (DATA / "one.dat").read_bytes()
    bad = (DATA / "bad_records.mrc").read_bytes()
    more = (DATA / "multi_isbn.dat").read_bytes()
    path = tmp_path / "mixed.mrc"
    # The last record of bad_records.mrc is cut short: the good one goes before it.
    cut = bad.rindex(b"\x1d", 0, len(bad) - 1) + 1
    path.write_bytes(good + bad[:cut] + more + bad[cut:])
    result = load_marc([path])
    assert result.counts["created"] == 2
    assert set(Record.objects.values_list("control_number", flat=True)) == {
        "fol05731351",
        "4612195",
    }
    assert result.rejects
    first = result.rejects[0]
    assert isinstance(first, RecordReject)
    assert (first.file, first.line, first.offset) == ("mixed.mrc", 2, len(good))
    assert "control number" in first.reason
    reasons = " | ".join(r.reason for r in result.rejects)
    assert "base address" in reasons and "directory" in reasons
    assert str(first).startswith(f"mixed.mrc: record 2 (byte {len(good)})")


def test_truncated_file_loads_what_is_whole(tmp_path: Path) -> None:
    data = (DATA / "test.dat").read_bytes()
    path = tmp_path / "cut.mrc"
    path.write_bytes(data[: len(data) - 300])
    result = load_marc([path])
    assert result.counts["created"] == 9
    [reject] = result.rejects
    assert reject.line == 10
    assert "cut short" in reject.reason


def test_invalid_utf8_record_rejected(tmp_path: Path) -> None:
    [path] = _copy(tmp_path, "one.dat")
    data = bytearray(path.read_bytes())
    at = data.index(b"ActivePerl")
    data[at] = 0xFF
    path.write_bytes(bytes(data) + (DATA / "multi_isbn.dat").read_bytes())
    result = load_marc([path])
    assert result.counts["created"] == 1
    [reject] = result.rejects
    assert "UTF-8" in reject.reason and reject.line == 1


def test_broken_xml_keeps_the_records_before(tmp_path: Path) -> None:
    text = (DATA / "batch.xml").read_text()
    path = tmp_path / "broken.xml"
    path.write_text(text[: text.rindex("<marc:record")] + "<marc:record><marc:le")
    result = load_marc([path])
    assert result.counts["created"] == 1
    assert "not well-formed" in result.rejects[-1].reason


def test_bad_leader_in_xml_rejects_that_record(tmp_path: Path) -> None:
    [path] = _copy(tmp_path, "bad_tag.xml")
    result = load_marc([path])
    assert "leader" in result.rejects[0].reason


def test_not_marc_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    result = load_marc([path])
    assert "neither a MARC21" in result.rejects[0].reason
    assert result.rejects[0].line == 0


def test_dry_run_counts_and_writes_nothing(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "test.dat")
    result = load_marc(paths, options=MarcOptions(dry_run=True))
    assert result.counts["created"] == 10
    assert not Record.objects.exists()


def test_pipelined_reading_gives_the_same_result(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "test.dat", "bad_records.mrc", "regression45.dat")
    seen: list[tuple[int, int, int]] = []
    result = load_marc(
        paths,
        options=MarcOptions(pipeline=True, batch_size=4),
        progress=lambda records, done, total: seen.append((records, done, total)),
    )
    assert result.counts["created"] == 10 + 12
    assert len(result.rejects) == 9
    assert seen[-1][1] == seen[-1][2]
    again = load_marc(paths, options=MarcOptions(pipeline=False, batch_size=4))
    assert again.counts["unchanged"] == 22


def test_repeated_control_number_in_a_batch(tmp_path: Path) -> None:
    one = (DATA / "one.dat").read_bytes()
    path = tmp_path / "twice.mrc"
    path.write_bytes(one + one)
    result = load_marc([path])
    assert result.counts["created"] == 1
    assert result.counts["repeated"] == 1
    assert Record.objects.count() == 1


def test_command_counts_report_and_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _copy(tmp_path, "test.dat", "bad_records.mrc")
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_marc", *map(str, paths))
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "created 10" in out and "rejected 9" in out
    report = tmp_path / "test.dat.rejects.txt"
    assert "bad_records.mrc: record 2 (byte 127)" in report.read_text()
    assert "reject report" in err
    call_command("load_marc", str(paths[0]))
    out, _err = capsys.readouterr()
    assert "unchanged 10" in out and "rejected 0" in out


def test_two_readers_number_rejects_from_the_start_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lectio.catalog import loader

    monkeypatch.setattr(loader, "PIPELINE_BYTES", 1000)
    records = (DATA / "test.dat").read_bytes()
    bad = (DATA / "bad_records.mrc").read_bytes()
    cut = bad.rindex(b"\x1d", 0, len(bad) - 1) + 1
    path = tmp_path / "big.mrc"
    # 10 good records, then bad_records.mrc without its cut-short last record.
    path.write_bytes(records + bad[:cut])
    parts = loader.plan([path], 2)
    assert len(parts) == 2 and parts[1].start > 0
    result = load_marc([path], options=MarcOptions(pipeline=True, batch_size=3))
    assert result.counts["created"] == 10
    assert [r.line for r in result.rejects] == list(range(11, 19))
    first = result.rejects[0]
    assert isinstance(first, RecordReject) and first.offset == len(records)
    assert result.records_read == 18


def _indexed_documents(
    monkeypatch: pytest.MonkeyPatch, paths: list[Path], options: MarcOptions
) -> list:
    """The documents the load hands to the search backend, the last one of each
    record (a record changed later in the load is indexed again)."""
    from lectio.catalog import search

    backend_class = type(search._backend())
    inserted: list = []
    original = backend_class.insert

    def insert(self, docs):  # type: ignore[no-untyped-def]
        inserted.extend(docs)
        return original(self, docs)

    monkeypatch.setattr(backend_class, "insert", insert)
    result = load_marc(paths, options=options)
    assert result.counts["created"]
    last = {d.record_id: d for d in inserted}
    return [last[k] for k in sorted(last)]


@pytest.mark.parametrize("pipeline", [False, True])
def test_documents_from_readers_are_those_made_from_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pipeline: bool
) -> None:
    """The readers build the search documents of new records from the values they
    write; they are exactly what indexing the stored rows gives."""
    from lectio.catalog import search

    names = [p.name for p in DATA.iterdir() if p.suffix in (".dat", ".mrc", ".xml")]
    paths = _copy(tmp_path, *sorted(names))
    docs = _indexed_documents(
        monkeypatch, paths, MarcOptions(pipeline=pipeline, batch_size=5)
    )
    ids = list(Record.objects.order_by("id").values_list("id", flat=True))
    assert [d.record_id for d in docs] == ids
    assert docs == sorted(search._documents(ids), key=lambda d: d.record_id)


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["Darwin, Charles", 'caf\u00e9 "quoted" \\ tab\t'],
        [{"name": "Darwin", "role": "author"}, {"url": "http://x/\u2603", "note": ""}],
        [{"name": "x", "n": 1}],
        [1, None, True],
        [["nested"]],
        {"a": "b"},
        None,
    ],
)
def test_json_text_is_what_json_dumps_writes(value: object) -> None:
    assert loader.json_text(value) == json.dumps(value)
