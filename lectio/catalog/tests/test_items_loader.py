"""`lectio load-items` and the item loader."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from lectio.catalog.items_loader import load
from lectio.catalog.models import (
    CourseReserve,
    Item,
    ItemStatus,
    Record,
    RecordIdentifier,
)
from lectio.core.factories import CourseFactory
from lectio.core.loading import FileRejected, LoadOptions, LoadResult, Mode

pytestmark = pytest.mark.django_db

HEADER = (
    "barcode,record,isbn,library,location,call_number,loan_policy,status,due_date\n"
)


@pytest.fixture
def records() -> tuple[Record, Record]:
    carr = Record.objects.create(control_number="c1", title="What is history?")
    RecordIdentifier.objects.create(record=carr, kind="isbn", value="9780140135848")
    knuth = Record.objects.create(control_number="k1", title="The art of programming")
    return carr, knuth


def _load(text: str, mode: Mode = "all_or_nothing") -> LoadResult:
    return load(
        text.encode(), LoadOptions(date_format="%Y-%m-%d", file_name="i.csv", mode=mode)
    )


def test_creates_updates_and_leaves_unchanged(records: tuple[Record, Record]) -> None:
    carr, knuth = records
    text = (
        HEADER
        + "B1,c1,,Main,Stacks,D16 .C3,Normal,,\n"
        + "B2,,0-14-013584-7,Main,Stacks,D16 .C3 c.2,Normal,On loan,2026-12-01\n"
        + "B3,k1,,Science,Stacks,QA76,Normal,missing,\n"
    )
    result = _load(text)
    assert result.ok and result.counts["created"] == 3
    b2 = Item.objects.get(barcode="B2")
    assert (b2.record_id, b2.status, b2.due_date) == (
        carr.id,
        ItemStatus.ON_LOAN,
        datetime.date(2026, 12, 1),
    )
    carr.refresh_from_db()
    knuth.refresh_from_db()
    assert carr.available_now and not knuth.available_now

    again = _load(text.replace("QA76,Normal,missing", "QA76,Normal,available"))
    assert again.counts["unchanged"] == 2
    assert again.counts["updated"] == 1
    b3 = Item.objects.get(barcode="B3")
    assert b3.status == ItemStatus.AVAILABLE and b3.version == 2
    knuth.refresh_from_db()
    assert knuth.available_now


def test_rejects_name_the_line_and_nothing_is_written(
    records: tuple[Record, Record],
) -> None:
    text = (
        HEADER
        + "B1,c1,,Main,Stacks,,,,\n"
        + "B2,nope,,Main,Stacks,,,,\n"
        + "B3,c1,,Main,Stacks,,,borrowed,\n"
        + "B4,c1,,Main,Stacks,,,on_loan,31/12/2026\n"
        + "B5,,9780000000000,Main,,,,,\n"
        + "B1,c1,,Main,Stacks,,,,\n"
    )
    result = _load(text)
    lines = {r.line: r.reason for r in result.rejects}
    assert set(lines) == {3, 4, 5, 6, 7}
    assert "control number nope" in lines[3]
    assert "status 'borrowed'" in lines[4]
    assert "31/12/2026" in lines[5]
    assert "not a valid ISBN" in lines[6]
    assert "already on line 2" in lines[7]
    assert not Item.objects.exists()

    valid = _load(text, mode="valid_only")
    assert valid.counts["created"] == 1
    assert Item.objects.count() == 1


def test_reserve_copy_keeps_its_reserve_location(
    records: tuple[Record, Record],
) -> None:
    carr, _knuth = records
    item = Item.objects.create(
        record=carr, barcode="R1", location="Short loan", loan_policy="2 hours"
    )
    reserve = CourseReserve.objects.create(
        item=item,
        course=CourseFactory.create(),
        reserve_location="Short loan",
        reserve_loan_policy="2 hours",
        original_location="Stacks",
        original_loan_policy="Normal",
    )
    _load(HEADER + "R1,c1,,Main,Level 3,D16,4 weeks,,\n")
    item.refresh_from_db()
    reserve.refresh_from_db()
    assert (item.location, item.loan_policy, item.call_number) == (
        "Short loan",
        "2 hours",
        "D16",
    )
    assert (reserve.original_location, reserve.original_loan_policy) == (
        "Level 3",
        "4 weeks",
    )


def test_command_exit_status(
    records: tuple[Record, Record], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "items.csv"
    path.write_text(HEADER + "B1,c1,,Main,Stacks,,,,\nB2,zz,,Main,,,,,\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_items", str(path), "--date-format", "%Y-%m-%d")
    assert exit_info.value.code == 1
    out, err = capsys.readouterr()
    assert "created 0" in out and "rejected 1" in out
    assert "line 3 (B2)" in (tmp_path / "items.csv.rejects.txt").read_text()
    with pytest.raises(SystemExit):
        call_command("load_items", str(path), "--valid-only")
    assert "created 1" in capsys.readouterr()[0]
    assert Item.objects.filter(barcode="B1").exists()


def test_file_without_barcode_column() -> None:
    with pytest.raises(FileRejected, match="barcode"):
        load(b"record,status\nc1,available\n", LoadOptions())


def test_command_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "items.csv"
    path.write_text("record,status\nc1,available\n")
    with pytest.raises(SystemExit):
        call_command("load_items", str(path))
    _out, err = capsys.readouterr()
    assert "lacks the column barcode" in err
