"""Our import measured against the import test cases of Zotero's translators (shared
conformance data, kept outside the repository)."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lectio.citations import conformance
from lectio.citations.formats.common import Entry
from lectio.lists.models import MaterialType

CASES = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "conformance"
    / "zotero-import-cases.json"
)
needs_cases = pytest.mark.skipif(
    not CASES.exists(),
    reason="the Zotero import cases (../shared/conformance/zotero-import-cases.json) are not here",
)
# Floors a little under the shares reached (see docs/citation-formats.md).
FLOOR = {"ris": 0.93, "bibtex": 0.92, "csl-json": 1.0, "endnote-xml": 0.9}
OVERALL_FLOOR = 0.93


@pytest.fixture(scope="module")
def reports():
    return conformance.run(conformance.load_cases(CASES))


@needs_cases
def test_overall_share_of_expected_fields_stays_above_the_floor(reports):
    total = conformance.overall(reports)
    assert total.total > 900
    assert total.share >= OVERALL_FLOOR, conformance.table(reports)


@needs_cases
@pytest.mark.parametrize("name", sorted(FLOOR))
def test_each_format_stays_above_its_floor(reports, name):
    [report] = [r for r in reports if r.format == name]
    assert report.overall.share >= FLOOR[name], conformance.table([report])


@needs_cases
def test_command_prints_the_table_and_json():
    out = StringIO()
    call_command(
        "citation_conformance", "--format", "bibtex", "--cases", str(CASES), stdout=out
    )
    assert out.getvalue().splitlines()[0].split() == ["field", "bibtex"]
    out = StringIO()
    call_command("citation_conformance", "--json", "--cases", str(CASES), stdout=out)
    data = json.loads(out.getvalue())
    assert [r["format"] for r in data["reports"]] == [
        "ris",
        "bibtex",
        "csl-json",
        "endnote-xml",
    ]
    assert data["overall"]["share"] >= OVERALL_FLOOR


def test_fields_are_compared_the_documented_way():
    item = {
        "itemType": "bookSection",
        "title": "  Caf\u0065\u0301  ",
        "bookTitle": "Book",
        "date": "0000 Year",
        "pages": "1–15",
        "DOI": "10.1/ABC",
        "creators": [
            {"lastName": "Hall", "firstName": "Stuart", "creatorType": "author"},
            {"lastName": "Editor", "creatorType": "editor", "fieldMode": 1},
            {"lastName": "Someone", "creatorType": "contributor", "fieldMode": 1},
        ],
    }
    entry = Entry(
        MaterialType.BOOK_CHAPTER,
        {
            "type": "chapter",
            "title": "Café",
            "container-title": "Book",
            "issued": {"literal": "Year"},
            "page": "1--15",
            "DOI": "10.1/abc",
            "author": [{"family": "Hall", "given": "Stuart"}],
            "editor": [{"literal": "Editor"}],
            "publisher": "Extra",
        },
    )
    report = conformance.Report(translator="test", format="test")
    conformance._run_case(
        report, 0, {"input": "", "items": [item]}, lambda _text: _result(entry)
    )
    assert report.differences == []
    assert report.overall.matched == report.overall.total == 7
    assert report.extra["publisher"] == 1


def _result(entry):
    from lectio.citations.formats.common import ParseResult

    return ParseResult(entries=[entry])
