"""Whatever arrives, parsing gives entries and errors and never raises."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lectio.citations import formats
from lectio.citations.formats import bibtex, common, csljson, endnote_xml, ris

READERS = [ris, bibtex, csljson, endnote_xml]
FRAGMENTS = st.sampled_from(
    [
        "TY  - JOUR\n",
        "ER  - \n",
        "AU  - ",
        "T1  - ",
        "PY  - ",
        "DA  - //",
        "SP  - ",
        "@article{",
        "@string{x = ",
        "}",
        "{",
        '"',
        " # ",
        "title = ",
        "author = ",
        " and ",
        "\\'",
        "\\v{",
        "$^{",
        "--",
        "~",
        "[",
        "]",
        '{"type": ',
        '"date-parts"',
        "null",
        "\x00",
        "\ufeff",
        "\r\n",
        "\n",
        ", ",
        "2019",
        "é",
        "\\",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=60).map("".join),
)


def _check(result):
    assert isinstance(result, common.ParseResult)
    for entry in result.entries:
        assert entry.csl.get("type")
        assert isinstance(entry.material_type, str)
    for error in result.errors:
        assert error.reason


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_parse_never_raises_on_any_text(text):
    for reader in READERS:
        _check(reader.parse(text))
    _check(formats.parse(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_parse_bytes_never_raises_on_any_bytes(data):
    for reader in READERS:
        _check(reader.parse_bytes(data))
    _check(formats.parse_bytes(data))


@pytest.mark.parametrize("reader", READERS)
def test_binary_data_is_one_file_error(reader):
    data = bytes(random.Random(5).randrange(256) for _ in range(5000))
    result = reader.parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + data)
    assert result.entries == []
    assert len(result.errors) == 1
    assert result.errors[0].number == 0


@pytest.mark.parametrize("reader", READERS)
def test_a_huge_file_is_refused_whole_and_fast(reader):
    result = reader.parse("A" * (common.MAX_CHARS + 1))
    assert result.entries == []
    assert "split it into smaller files" in result.errors[0].reason


def test_ten_megabytes_of_garbage_give_errors_not_a_hang():
    garbage = ("lorem ipsum { dolor } @ sit -- amet\n" * 300_000)[:10_000_000]
    for reader in READERS:
        _check(reader.parse(garbage))


def test_latin1_and_utf16_files_read_like_utf8():
    text = "TY  - BOOK\nAU  - Müller, Jürgen\nTI  - Größe\nER  - \n"
    for data in (
        text.encode(),
        text.encode("latin-1"),
        text.encode("utf-16"),
        b"\xef\xbb\xbf" + text.encode(),
    ):
        [entry] = ris.parse_bytes(data).entries
        assert entry.csl["author"] == [{"family": "Müller", "given": "Jürgen"}]
        assert entry.csl["title"] == "Größe"


def test_unknown_text_is_not_guessed_into_a_format():
    result = formats.parse("hello\nworld\n")
    assert result.entries == []
    assert "not RIS, BibTeX, CSL-JSON or EndNote XML" in result.errors[0].reason


def test_the_format_is_guessed_from_the_text():
    assert formats.guess_format("\ufeff\nTY  - JOUR\nER  - \n") == "ris"
    assert formats.guess_format("% comment\n@article{a, title={x}}") == "bibtex"
    assert formats.guess_format('  [{"type": "book"}]') == "csl-json"
