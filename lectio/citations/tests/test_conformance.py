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
# The shares reached (docs/citation-formats.md): a reading that matches fewer
# expected fields fails here. Raise them when a mapping gets better.
FLOOR = {"ris": 0.951, "bibtex": 0.941, "csl-json": 1.0, "endnote-xml": 0.91}
OVERALL_FLOOR = 0.947
STORED_FLOOR = {"ris": 0.961, "bibtex": 0.943}
# Matched / expected per field, as documented; each field's share stays at least
# this high.
FIELD_FLOOR = {
    "ris": {
        "type": (88, 98),
        "title": (93, 95),
        "creators": (73, 90),
        "date": (95, 95),
        "container-title": (30, 37),
        "volume": (42, 42),
        "issue": (15, 16),
        "page": (41, 41),
        "ISBN": (23, 23),
        "ISSN": (12, 13),
        "DOI": (5, 5),
        "URL": (91, 91),
        "publisher": (62, 62),
        "publisher-place": (60, 60),
        "edition": (14, 14),
        "collection-title": (17, 18),
        "collection-number": (8, 8),
        "number-of-volumes": (9, 11),
        "number-of-pages": (9, 10),
        "title-short": (36, 36),
        "call-number": (65, 66),
        "archive": (40, 40),
        "language": (50, 50),
        "abstract": (92, 92),
    },
    "bibtex": {
        "type": (34, 34),
        "title": (30, 34),
        "creators": (20, 25),
        "date": (22, 22),
        "container-title": (9, 10),
        "volume": (8, 8),
        "issue": (4, 4),
        "page": (10, 10),
        "ISBN": (3, 3),
        "ISSN": (2, 2),
        "DOI": (7, 7),
        "URL": (13, 13),
        "publisher": (10, 11),
        "publisher-place": (4, 4),
        "edition": (2, 2),
        "collection-title": (1, 1),
        "title-short": (1, 1),
        "language": (3, 3),
        "abstract": (1, 1),
    },
}


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
@pytest.mark.parametrize("name", sorted(STORED_FLOOR))
def test_each_format_stays_above_its_floor_on_all_stored_fields(reports, name):
    [report] = [r for r in reports if r.format == name]
    assert report.stored_overall.share >= STORED_FLOOR[name], conformance.table(
        [report]
    )


@needs_cases
@pytest.mark.parametrize(
    ("name", "field"),
    [(name, field) for name, fields in FIELD_FLOOR.items() for field in fields],
)
def test_each_field_stays_at_its_documented_share(reports, name, field):
    [report] = [r for r in reports if r.format == name]
    matched, total = FIELD_FLOOR[name][field]
    tally = report.fields[field]
    assert tally.total > 0
    assert tally.share >= matched / total, (
        f"{name} {field}: {tally.matched}/{tally.total}, was {matched}/{total}\n"
        + "\n".join(
            f"case {d.case} item {d.item}: expected {d.expected!r}, got {d.actual!r}"
            for d in report.differences
            if d.field == field
        )
    )


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
    [ris] = [r for r in data["reports"] if r["format"] == "ris"]
    assert ris["fields"]["call-number"]["total"] > 0
    assert ris["stored_overall"]["share"] >= STORED_FLOOR["ris"]


def test_fields_are_compared_the_documented_way():
    item = {
        "itemType": "bookSection",
        "title": "  Caf\u0065\u0301  ",
        "bookTitle": "Book",
        "date": "0000 Year",
        "pages": "1–15",
        "DOI": "10.1/ABC",
        "shortTitle": "Short",
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
            "title-short": "Other",
        },
    )
    report = conformance.Report(translator="test", format="test")
    conformance._run_case(
        report, 0, {"input": "", "items": [item]}, lambda _text: _result(entry)
    )
    # A further stored field is measured apart: it does not make the item unequal.
    assert [(d.field, d.expected, d.actual) for d in report.differences] == [
        ("title-short", "Short", "Other")
    ]
    assert report.overall.matched == report.overall.total == 7
    assert (report.stored_overall.matched, report.stored_overall.total) == (7, 8)
    assert report.items.matched == 1
    assert report.extra["publisher"] == 1


def _result(entry):
    from lectio.citations.formats.common import ParseResult

    return ParseResult(entries=[entry])
