"""Each sample file in data/<format>/ parses to its .expected.json."""

import json
from pathlib import Path

import pytest

from lectio.citations.formats import bibtex, csljson, endnote_xml, ris

DATA = Path(__file__).parent / "data"
CASES = [
    (ris, DATA / "ris" / "mixed.ris"),
    (bibtex, DATA / "bibtex" / "mixed.bib"),
    (csljson, DATA / "csljson" / "book.json"),
    (endnote_xml, DATA / "endnote" / "sample.xml"),
]


@pytest.mark.parametrize(
    ("reader", "path"), CASES, ids=lambda v: getattr(v, "name", "")
)
def test_sample_file_parses_to_its_expected_records(reader, path):
    result = reader.parse(path.read_text(encoding="utf-8"))
    got = {
        "entries": [
            {"material_type": str(e.material_type), "line": e.line, "csl": e.csl}
            for e in result.entries
        ],
        "errors": [vars(e) for e in result.errors],
    }
    expected = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    assert got == expected


@pytest.mark.parametrize(
    ("reader", "path"), CASES, ids=lambda v: getattr(v, "name", "")
)
def test_each_entry_keeps_its_source_text(reader, path):
    text = path.read_text(encoding="utf-8")
    for entry in reader.parse(text).entries:
        assert entry.source
        if reader in (ris, bibtex):
            assert entry.source.strip() in text


@pytest.mark.parametrize(
    ("reader", "path"), CASES, ids=lambda v: getattr(v, "name", "")
)
def test_every_sample_entry_formats_in_the_default_style(reader, path):
    from lectio.lists.rendering import render_citation_html

    for entry in reader.parse(path.read_text(encoding="utf-8")).entries:
        html = render_citation_html(entry.csl)
        assert entry.csl["title"].split(":")[0][:20] in html
