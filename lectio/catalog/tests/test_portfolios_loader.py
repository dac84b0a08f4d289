"""`lectio load-portfolios` and the portfolio loader."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from lectio.catalog.models import Portfolio, Record, RecordIdentifier
from lectio.catalog.portfolios_loader import load
from lectio.core.loading import LoadOptions, LoadResult, Mode

pytestmark = pytest.mark.django_db

HEADER = (
    "portfolio_id,record,isbn,issn,title,url,provider,coverage_from,coverage_to,"
    "embargo_months,open_access,active\n"
)


@pytest.fixture
def records() -> dict[str, Record]:
    book = Record.objects.create(control_number="b1", title="Deep learning")
    RecordIdentifier.objects.create(record=book, kind="isbn", value="9780262035613")
    journal = Record.objects.create(
        control_number="j1", title="Nature", format="journal"
    )
    RecordIdentifier.objects.create(record=journal, kind="issn", value="0028-0836")
    return {"book": book, "journal": journal}


def _load(text: str, mode: Mode = "all_or_nothing") -> LoadResult:
    return load(
        text.encode(), LoadOptions(date_format="%Y-%m-%d", file_name="p.csv", mode=mode)
    )


def test_matched_by_control_number_isbn_and_issn(records: dict[str, Record]) -> None:
    text = (
        HEADER
        + "P1,b1,,,Deep learning,https://www.deeplearningbook.org/,MIT Press,,,,yes,\n"
        + "P2,,0-262-03561-8,,,https://mitpress.example/dl,MIT Press,,,,no,\n"
        + "P3,,,00280836,Nature,https://www.nature.com/,Springer Nature,"
        + "1869-11-04,,12,no,yes\n"
        + "P4,,,1061-4036,Nature Genetics,https://www.nature.com/ng/,Springer,,,,,\n"
    )
    result = _load(text)
    assert result.ok
    assert result.counts["created"] == 4
    assert result.counts["unlinked"] == 1
    p1, p2, p3, p4 = (Portfolio.objects.get(external_id=f"P{i}") for i in range(1, 5))
    assert p1.record == records["book"] and p1.open_access
    assert p2.record == records["book"] and p2.isbn == "9780262035613"
    assert p3.record == records["journal"]
    assert (p3.coverage_from, p3.embargo_months) == (datetime.date(1869, 11, 4), 12)
    assert p4.record is None and p4.issn == "1061-4036"
    records["book"].refresh_from_db()
    assert records["book"].available_now

    again = _load(text.replace(",12,no,yes", ",6,no,yes"))
    assert (again.counts["unchanged"], again.counts["updated"]) == (3, 1)


def test_rejects(records: dict[str, Record]) -> None:
    text = (
        HEADER
        + "P1,b1,,,,ftp://example.org/x,,,,,,\n"
        + "P2,zz,,,,https://example.org/,,,,,,\n"
        + "P3,b1,,,,https://example.org/,,2020-01-01,2019-01-01,,,\n"
        + "P4,b1,,,,https://example.org/,,,,-3,maybe,\n"
        + "P5,,123,,,https://example.org/,,,,,,\n"
        + "P6,b1,,,,https://example.org/,,,,,,\n"
    )
    result = _load(text)
    lines = {r.line: r.reason for r in result.rejects}
    assert set(lines) == {2, 3, 4, 5, 6}
    assert "not an http or https address" in lines[2]
    assert "control number zz" in lines[3]
    assert "after coverage_to" in lines[4]
    assert "negative" in lines[5] and "yes or no" in lines[5]
    assert "not a valid ISBN" in lines[6]
    assert not Portfolio.objects.exists()


def test_command(
    records: dict[str, Record], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "portfolios.csv"
    path.write_text(HEADER + "P1,b1,,,,https://example.org/dl,,,,,yes,\n")
    call_command("load_portfolios", str(path))
    assert "created 1" in capsys.readouterr()[0]
    path.write_text(HEADER + "P1,b1,,,,javascript:alert(1),,,,,yes,\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_portfolios", str(path))
    assert exit_info.value.code == 1
    assert Portfolio.objects.get().url == "https://example.org/dl"
