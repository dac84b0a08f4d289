"""OpenURL parsing and building: golden files (tests/data/openurl/input/NAME.txt is
a query string, NAME.xml an XML context object; expected/NAME.json what it means),
the standard's own examples among them, and properties over any input."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lectio.linking import openurl

DATA = Path(__file__).parent / "data" / "openurl"
INPUTS = sorted((DATA / "input").iterdir())
# Set to rewrite the expected files after a deliberate change; review the diff.
REWRITE = os.environ.get("LECTIO_REWRITE_GOLDEN") == "1"


def parse_file(path: Path) -> openurl.OpenURL:
    data = path.read_bytes()
    if path.suffix == ".xml":
        return openurl.parse_xml(data)
    return openurl.parse_query(data)


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_golden(path: Path) -> None:
    got = parse_file(path).as_dict()
    expected_path = DATA / "expected" / f"{path.stem}.json"
    if REWRITE:
        expected_path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(expected_path.read_text())


def test_every_expected_file_has_its_input() -> None:
    stems = {p.stem for p in INPUTS}
    assert {p.stem for p in (DATA / "expected").iterdir()} == stems


def test_the_standards_kev_and_xml_examples_mean_the_same() -> None:
    kev = parse_file(DATA / "input" / "z3988_kev_journal.txt")
    xml = parse_file(DATA / "input" / "z3988_xml_journal.xml")
    for name in ("atitle", "jtitle", "volume", "spage", "epage", "year", "doi"):
        assert getattr(kev, name) == getattr(xml, name), name
    assert kev.pmid == xml.pmid == "9036860"
    assert kev.authors[0].last == xml.authors[0].last == "Bergelson"
    assert kev.referrer == xml.referrer == "info:sid/elsevier.com:ScienceDirect"


def test_xml_carried_in_kev_reads_like_the_document() -> None:
    carried = parse_file(DATA / "input" / "kev_carrying_xml.txt")
    document = parse_file(DATA / "input" / "xml_book.xml")
    assert carried.as_dict() == document.as_dict()


def test_oversized_input_is_refused_whole() -> None:
    query = "rft.atitle=" + "a" * openurl.MAX_INPUT
    result = openurl.parse_query(query)
    assert not result.understood
    assert [p.code for p in result.problems] == ["too_large"]
    assert result.atitle == ""


def test_a_long_value_is_cut_and_reported() -> None:
    result = openurl.parse_query("genre=article&atitle=" + "x" * 3000)
    assert result.understood
    assert len(result.atitle) == openurl.MAX_VALUE
    assert [(p.code, p.key) for p in result.problems] == [("truncated", "atitle")]


def test_control_characters_are_removed() -> None:
    result = openurl.parse_query("genre=book&title=Ab%00c%1Bd&isbn=0198526636")
    assert result.btitle == "Abcd"


def test_several_isbns_keep_the_first_valid_one_without_a_problem() -> None:
    result = openurl.parse_query(
        "url_ver=Z39.88-2004&rft.btitle=X&rft.isbn=123&rft.isbn=0198526636"
    )
    assert result.isbn == "9780198526636"
    assert result.problems == []


def test_unknown_version_is_reported_but_read() -> None:
    result = openurl.parse_query("url_ver=Z39.99&rft.jtitle=Nature&rft.issn=0028-0836")
    assert result.understood
    assert result.issn == "0028-0836"
    assert [p.code for p in result.problems] == ["unknown_version"]


def test_build_article() -> None:
    metadata = {
        "type": "article-journal",
        "title": "Isolation of a common receptor",
        "container-title": "Science",
        "author": [
            {"family": "Bergelson", "given": "J. M."},
            {"family": "Cunningham", "given": "J. A."},
        ],
        "volume": "275",
        "issue": "5304",
        "page": "1320–1323",
        "issued": {"date-parts": [[1997, 2, 28]]},
        "ISSN": "0036-8075",
        "DOI": "https://doi.org/10.1126/SCIENCE.275.5304.1320",
    }
    assert openurl.build_pairs(metadata, "article") == [
        ("url_ver", "Z39.88-2004"),
        ("ctx_ver", "Z39.88-2004"),
        ("ctx_enc", "info:ofi/enc:UTF-8"),
        ("rfr_id", "info:sid/lectio"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rft.genre", "article"),
        ("rft.atitle", "Isolation of a common receptor"),
        ("rft.jtitle", "Science"),
        ("rft.aulast", "Bergelson"),
        ("rft.aufirst", "J. M."),
        ("rft.au", "Cunningham, J. A."),
        ("rft.volume", "275"),
        ("rft.issue", "5304"),
        ("rft.spage", "1320"),
        ("rft.epage", "1323"),
        ("rft.pages", "1320-1323"),
        ("rft.date", "1997-02-28"),
        ("rft.issn", "0036-8075"),
        ("rft_id", "info:doi/10.1126/science.275.5304.1320"),
    ]


def test_build_book_chapter_with_lectio_identifiers() -> None:
    metadata = {
        "title": "On reading",
        "container-title": "Essays",
        "editor": [{"literal": "Open University"}],
        "ISBN": "0-19-852663-6 (pbk.)",
        "issued": {"literal": "c1994"},
        "lectio": {"OCLC": "(OCoLC)ocm00012345", "LCCN": "n 78-890351"},
    }
    assert openurl.build_pairs(metadata, "book_chapter") == [
        ("url_ver", "Z39.88-2004"),
        ("ctx_ver", "Z39.88-2004"),
        ("ctx_enc", "info:ofi/enc:UTF-8"),
        ("rfr_id", "info:sid/lectio"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
        ("rft.genre", "bookitem"),
        ("rft.atitle", "On reading"),
        ("rft.btitle", "Essays"),
        ("rft.aucorp", "Open University"),
        ("rft.date", "c1994"),
        ("rft.isbn", "9780198526636"),
        ("rft_id", "info:oclcnum/12345"),
        ("rft_id", "info:lccn/n78890351"),
    ]


@pytest.mark.parametrize(
    "material_type", ["article", "book", "book_chapter", "thesis", "website", "other"]
)
def test_what_build_writes_parse_reads_back(material_type: str) -> None:
    metadata = {
        "title": "Pedagogy & <Hope>",
        "container-title": "Radical Teacher",
        "author": [{"family": "Freire", "given": "Paulo"}],
        "volume": "3",
        "page": "7-9",
        "issued": {"date-parts": [[1994]]},
        "ISBN": "9780826477903",
        "DOI": "10.5195/rt.1994.7",
    }
    parsed = openurl.parse_query(openurl.build(metadata, material_type))
    assert parsed.understood
    assert parsed.version == "1.0"
    assert parsed.main_title in ("Pedagogy & <Hope>", "Radical Teacher")
    assert parsed.doi == "10.5195/rt.1994.7"
    assert parsed.year == 1994
    assert parsed.authors[0].last == "Freire"
    assert parsed.problems == []


def test_rebuilt_pairs_read_back_the_same() -> None:
    original = parse_file(DATA / "input" / "google_scholar_01.txt")
    again = openurl.parse_query(openurl.encode_pairs(openurl.to_pairs(original)))
    for name in ("atitle", "jtitle", "issn", "volume", "issue", "spage", "doi", "year"):
        assert getattr(again, name) == getattr(original, name), name
    assert again.version == "1.0"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_query_string_is_read_without_raising(text: str) -> None:
    result = openurl.parse_query(text)
    assert isinstance(result, openurl.OpenURL)
    assert result.understood == (
        result.version != "" and not any(p.fatal for p in result.problems)
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_without_raising(data: bytes) -> None:
    openurl.parse_query(data)
    openurl.parse_xml(data)


KEYS = st.sampled_from(
    [
        "url_ver",
        "rft_val_fmt",
        "rft.atitle",
        "rft.jtitle",
        "rft.issn",
        "rft.isbn",
        "rft.date",
        "rft.au",
        "rft.aulast",
        "rft_id",
        "genre",
        "title",
        "id",
        "issn",
        "date",
        "spage",
        "pages",
        "url_ctx_fmt",
        "url_ctx_val",
        "ctx_enc",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(KEYS, st.text(max_size=60)), max_size=12))
def test_any_mix_of_openurl_keys_is_read_without_raising(
    pairs: list[tuple[str, str]],
) -> None:
    result = openurl.parse_pairs(pairs)
    openurl.parse_query(openurl.encode_pairs(pairs))
    if result.understood:
        assert result.main_title or result.has_identifier or result.oclc or result.lccn


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["title", "container-title", "volume", "page", "ISSN", "ISBN", "DOI"]
        ),
        st.text(max_size=40),
    ),
    st.sampled_from(["article", "book", "book_chapter", "thesis", "other"]),
)
def test_build_of_any_metadata_is_a_readable_openurl(
    metadata: dict[str, str], material_type: str
) -> None:
    query = openurl.build(metadata, material_type)
    assert dict(parse_qsl(query))["url_ver"] == "Z39.88-2004"
    openurl.parse_query(query)
