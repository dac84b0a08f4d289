"""Mapping real MARC records (pymarc's test files, see data/LICENSE) to catalog
fields. No database."""

from __future__ import annotations

import json
from pathlib import Path

import pymarc
import pytest
from pymarc import Field, Indicators, Record, Subfield

from lectio.catalog.marc import MarcError, clean, map_record

DATA = Path(__file__).parent / "data"


def _records(name: str) -> list[Record]:
    with (DATA / name).open("rb") as handle:
        return [r for r in pymarc.MARCReader(handle) if r is not None]


def _record(*fields: Field, leader: str = "00000cam a2200000 a 4500") -> Record:
    record = Record(leader=leader)
    for f in fields:
        record.add_field(f)
    return record


def _df(tag: str, *subs: tuple[str, str], ind: str = "  ") -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind[0], ind[1]),
        subfields=[Subfield(c, v) for c, v in subs],
    )


def test_book_from_test_dat() -> None:
    mapped = map_record(_records("test.dat")[0])
    f = mapped.fields
    assert mapped.control_number == "fol05731351"
    assert f["title"] == "ActivePerl with ASP and ADO"
    assert f["responsibility"] == "Tobias Martinsson"
    assert f["contributors"] == [
        {"name": "Martinsson, Tobias, 1976-", "role": "author"}
    ]
    assert f["author"] == "Martinsson, Tobias, 1976-"
    assert (f["place"], f["publisher"], f["date"], f["year"]) == (
        "New York",
        "John Wiley & Sons",
        "2000",
        2000,
    )
    assert f["extent"].startswith("xxi, 289 p. : ill. ; 23 cm.")
    assert f["subjects"] == [
        "Active server pages",
        "ActiveX",
        "Perl (Computer program language)",
    ]
    assert f["isbns"] == ["9780471383147"]
    assert f["lccn"] == "00020737"
    assert (f["language"], f["format"]) == ("eng", "book")
    assert ("isbn", "9780471383147") in mapped.identifiers
    assert ("lccn", "00020737") in mapped.identifiers


def test_subtitle_and_subject_subdivisions() -> None:
    mapped = map_record(_records("diacritic.dat")[0])
    f = mapped.fields
    assert f["title"] == "Amateur media"
    assert f["subtitle"] == "social, cultural and legal perspectives"
    assert "Social media -- Law and legislation" in f["subjects"]
    # Print and online ISBNs, ISBN-13 normalised.
    assert f["isbns"] == ["9780415782654", "9780203112021"]


def test_several_isbns_converted_to_isbn13() -> None:
    mapped = map_record(_records("multi_isbn.dat")[0])
    assert mapped.fields["isbns"] == [
        "9780914378280",
        "9780914378297",
        "9780914378266",
    ]


def test_marc8_record_decoded_to_unicode() -> None:
    [record] = _records("marc8.dat")
    assert record.leader[9] == " "  # MARC-8
    mapped = map_record(record)
    assert mapped.fields["title"] == "Escape from loneliness"
    # The uniform title (240) is kept in the source, decoded from MARC-8.
    source = json.loads(mapped.source)
    titles = [f["240"] for f in source["fields"] if "240" in f]
    assert titles[0]["subfields"][0]["a"] == "De la solitude à la communauté."


def test_source_is_marc_in_json_and_checksum_stable() -> None:
    record = _records("one.dat")[0]
    first = map_record(record)
    assert json.loads(first.source) == json.loads(record.as_json())
    assert map_record(record).checksum == first.checksum
    record.add_field(_df("500", ("a", "A note.")))
    assert map_record(record).checksum != first.checksum


def test_photograph_record_with_roles_series_summary_and_urls() -> None:
    mapped = map_record(_records("regression45.dat")[0])
    f = mapped.fields
    assert f["contributors"][0]["role"] == "photographer"
    assert f["language"] == "rus"
    assert f["format"] == "other"
    assert f["series"] and f["summary"].startswith("At the beginning")
    assert f["urls"][0]["url"].startswith("http://hdl.loc.gov/")
    assert f["urls"][0]["note"]


def test_contributor_roles_from_relator_terms_and_codes() -> None:
    record = _record(
        Field(tag="001", data=" x1 "),
        _df("100", ("a", "Hobsbawm, Eric,"), ("e", "editor."), ind="1 "),
        _df("245", ("a", "The invention of tradition /"), ("c", "edited by E. H.")),
        _df("700", ("a", "Ranger, T. O.,"), ("4", "edt"), ind="1 "),
        _df("700", ("a", "Smith, Jane,"), ("4", "trl"), ind="1 "),
        _df("710", ("a", "Past and Present Society."), ind="2 "),
    )
    mapped = map_record(record)
    assert mapped.control_number == "x1"
    assert mapped.fields["title"] == "The invention of tradition"
    assert mapped.fields["contributors"] == [
        {"name": "Hobsbawm, Eric", "role": "editor"},
        {"name": "Ranger, T. O.", "role": "editor"},
        {"name": "Smith, Jane", "role": "translator"},
        {"name": "Past and Present Society", "role": "author"},
    ]
    assert mapped.fields["author"] == "Hobsbawm, Eric"


def test_264_preferred_to_260_and_year_from_the_date() -> None:
    record = _record(
        Field(tag="001", data="x2"),
        Field(tag="008", data="190101s19uu    enk           000 0 eng d"),
        _df("245", ("a", "Title :"), ("b", "sub.")),
        _df("260", ("a", "Old :"), ("b", "Old Press,"), ("c", "1900.")),
        _df("264", ("a", "London :"), ("b", "Verso,"), ("c", "[2006]"), ind=" 1"),
    )
    f = map_record(record).fields
    assert (f["place"], f["publisher"], f["date"], f["year"]) == (
        "London",
        "Verso",
        "[2006]",
        2006,
    )
    assert (f["title"], f["subtitle"]) == ("Title", "sub")


@pytest.mark.parametrize(
    ("leader", "extra", "expected"),
    [
        ("00000cas a2200000 a 4500", [], "journal"),
        ("00000cab a2200000 a 4500", [], "article"),
        ("00000cam a2200000 a 4500", [Field(tag="007", data="cr |||")], "ebook"),
        ("00000ctm a2200000 a 4500", [_df("502", ("a", "Thesis (Ph.D.)"))], "thesis"),
        ("00000cgm a2200000 a 4500", [], "video"),
        ("00000cjm a2200000 a 4500", [], "audio"),
        ("00000ccm a2200000 a 4500", [], "music_score"),
        ("00000cem a2200000 a 4500", [], "map"),
        ("00000cmm a2200000 a 4500", [], "computer_file"),
        ("00000ctm a2200000 a 4500", [], "manuscript"),
    ],
)
def test_format(leader: str, extra: list[Field], expected: str) -> None:
    record = _record(
        Field(tag="001", data="f"), _df("245", ("a", "T")), *extra, leader=leader
    )
    assert map_record(record).fields["format"] == expected


def test_ebook_from_008_form_of_item() -> None:
    record = _record(
        Field(tag="001", data="f"),
        Field(tag="008", data="200101s2020    nyu     o     000 0 eng d"),
        _df("245", ("a", "T")),
    )
    assert map_record(record).fields["format"] == "ebook"


def test_identifiers_issn_oclc_doi_and_cancelled_isbn_ignored() -> None:
    record = _record(
        Field(tag="001", data="i1"),
        _df("245", ("a", "Nature.")),
        _df("020", ("a", "0-14-013584-7 (pbk.)"), ("z", "9780000000002")),
        _df("022", ("a", "0028-0836")),
        _df("035", ("a", "(OCoLC)ocm01586310")),
        _df("035", ("a", "(DLC)12345")),
        _df("024", ("a", "10.1038/35057062"), ("2", "doi"), ind="7 "),
        _df("041", ("a", "fre")),
    )
    mapped = map_record(record)
    f = mapped.fields
    assert f["isbns"] == ["9780140135848"]
    assert f["issns"] == ["0028-0836"]
    assert f["oclc"] == "1586310"
    assert f["language"] == "fre"
    assert sorted(mapped.identifiers) == [
        ("doi", "10.1038/35057062"),
        ("isbn", "9780140135848"),
        ("issn", "0028-0836"),
        ("oclc", "1586310"),
    ]


def test_control_number_from_035_when_no_001() -> None:
    record = _record(_df("035", ("a", "(OCoLC)99")), _df("245", ("a", "T")))
    assert map_record(record).control_number == "(OCoLC)99"


def test_no_control_number_or_no_title_is_an_error() -> None:
    with pytest.raises(MarcError, match="control number"):
        map_record(_record(_df("245", ("a", "T"))))
    with pytest.raises(MarcError, match="title"):
        map_record(_record(Field(tag="001", data="n1")))


def test_holdings_fields_become_items() -> None:
    record = _record(
        Field(tag="001", data="h1"),
        _df("245", ("a", "T")),
        _df(
            "852",
            ("b", "MAIN"),
            ("c", "STACKS"),
            ("h", "QA76"),
            ("i", ".K5"),
            ("p", "B1"),
        ),
        _df("876", ("p", "B1"), ("j", "on loan")),
        _df("949", ("a", "QA76 .K5 c.2"), ("b", "RES"), ("i", "B2"), ("l", "LAW")),
    )
    items = map_record(record).items
    assert items == [
        {
            "barcode": "B1",
            "library": "MAIN",
            "location": "STACKS",
            "call_number": "QA76 .K5",
            "status": "on loan",
        },
        {
            "barcode": "B2",
            "library": "LAW",
            "location": "RES",
            "call_number": "QA76 .K5 c.2",
        },
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title /", "Title"),
        ("Title :", "Title"),
        ("Title.", "Title"),
        ("Smith, J.", "Smith, J."),
        ("1899.", "1899"),
        ("  a   b ;", "a b"),
    ],
)
def test_clean(text: str, expected: str) -> None:
    assert clean(text) == expected
