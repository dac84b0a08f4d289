from lectio.citations.formats import bibtex
from lectio.citations.formats.common import Entry
from lectio.lists.models import MaterialType


def _one(text):
    result = bibtex.parse(text)
    assert result.errors == []
    assert len(result.entries) == 1
    return result.entries[0]


def test_string_macros_concatenation_and_month_names_resolve():
    entry = _one(
        '@String(stefan = "Stefan Sweig")\n@String(and = " and ")\n'
        "@book{s42, author = stefan # and # {Xavier D{\\'e}coret}, "
        "title = {The {impossible} book}, year = 1942, month = mar}\n"
    )
    assert entry.csl["author"] == [
        {"family": "Sweig", "given": "Stefan"},
        {"family": "Décoret", "given": "Xavier"},
    ]
    assert entry.csl["title"] == "The impossible book"
    assert entry.csl["issued"] == {"date-parts": [[1942, 3]]}


def test_names_follow_bibtex_rules():
    entry = _one(
        "@book{h, title = {T}, author = {von Hicks, III, Michael and "
        "Milton {Abramowitz} and {World Health Organization} and others}}"
    )
    assert entry.csl["author"] == [
        {"family": "von Hicks", "given": "Michael", "suffix": "III"},
        {"family": "Abramowitz", "given": "Milton"},
        {"literal": "World Health Organization"},
    ]


def test_entry_types_map_to_material_types():
    cases = {
        "article": MaterialType.ARTICLE,
        "book": MaterialType.BOOK,
        "incollection": MaterialType.BOOK_CHAPTER,
        "inbook": MaterialType.BOOK_CHAPTER,
        "inproceedings": MaterialType.CONFERENCE_PAPER,
        "phdthesis": MaterialType.THESIS,
        "techreport": MaterialType.REPORT,
        "online": MaterialType.WEBSITE,
        "periodical": MaterialType.JOURNAL,
        "misc": MaterialType.OTHER,
        "madeup": MaterialType.OTHER,
    }
    for entry_type, material in cases.items():
        entry = _one(f"@{entry_type}{{k, title = {{x}}}}")
        assert entry.material_type == material, entry_type


def test_thesis_school_and_report_institution_are_the_publisher():
    thesis = _one("@phdthesis{t, title={T}, school={Paderborn}}")
    report = _one("@techreport{r, title={R}, institution={IETF}, number={RFC 1}}")
    assert thesis.csl["publisher"] == "Paderborn"
    assert report.csl["publisher"] == "IETF"
    assert report.csl["number"] == "RFC 1"


def test_an_unclosed_entry_is_an_error_and_the_next_entries_still_come():
    result = bibtex.parse(
        "@article{a, title={First}}\n@article{b, title={Broken\n"
        "@book{c, title={Third}}\n"
    )
    assert [e.csl["title"] for e in result.entries] == ["First", "Third"]
    assert [(e.number, e.line) for e in result.errors] == [(2, 2)]
    assert "not closed" in result.errors[0].reason


def test_two_entries_with_one_key_are_both_kept():
    result = bibtex.parse("@article{k, title={A}}\n@article{k, title={B}}\n")
    assert [e.csl["title"] for e in result.entries] == ["A", "B"]


def test_text_without_entries_is_one_file_error():
    result = bibtex.parse("just some text\nwith no entries at all\n")
    assert result.entries == []
    assert [(e.number, e.reason[:24]) for e in result.errors] == [
        (0, "no BibTeX entries found:")
    ]


def test_keys_are_author_year_word_and_unique():
    entries = [
        Entry(
            MaterialType.BOOK,
            {
                "type": "book",
                "title": "The Yankee Years",
                "author": [{"family": "Torre", "given": "Joe"}],
                "issued": {"date-parts": [[2008]]},
            },
        ),
        Entry(
            MaterialType.BOOK,
            {
                "type": "book",
                "title": "The Yankee Years",
                "author": [{"family": "Torre", "given": "Joe"}],
                "issued": {"date-parts": [[2008]]},
            },
        ),
        Entry(MaterialType.OTHER, {"type": "document", "title": "Ölçü"}),
    ]
    text = bibtex.dumps(entries)
    assert "@book{torre2008yankee," in text
    assert "@book{torre2008yankeea," in text
    assert "@misc{anonolcu," in text
    assert bibtex.dumps(entries) == text


def test_dumps_escapes_latex_and_doubles_page_dashes():
    entry = Entry(
        MaterialType.ARTICLE,
        {
            "type": "article-journal",
            "title": "50% of R&D",
            "page": "1-15",
            "author": [{"family": "Eliáš", "given": "Marek"}],
        },
    )
    text = bibtex.dumps([entry])
    assert r"title = {50\% of R\&D}" in text
    assert "pages = {1--15}" in text
    assert "author = {Eliáš, Marek}" in text


def test_a_year_in_words_keeps_the_words_and_the_year():
    entry = _one("@article{a, title={T}, year={Spring 2019}}")
    assert entry.csl["issued"] == {"date-parts": [[2019]], "literal": "Spring 2019"}
    back = _one(bibtex.dumps([entry]))
    assert back.csl["issued"] == entry.csl["issued"]
    assert "issued" not in _one("@article{b, title={T}, year={????}}").csl


def test_a_field_run_into_the_one_before_by_a_missing_comma_is_split_off():
    entry = _one(
        "@article{m,\ntitle = {Escaped, characters}\n"
        "file = {:C$\\backslash$:/a.pdf:pdf},\n"
        'journal = "A {B} C"\n  year = 2000,\nnote = {one line\nx = y}\n}\n'
    )
    assert entry.csl["title"] == "Escaped, characters"
    assert entry.csl["container-title"] == "A B C"
    assert entry.csl["issued"] == {"date-parts": [[2000]]}
    # Inside braces a line that looks like a field is still the value.
    assert entry.csl["note"] == "one line x = y"


def test_short_title_series_number_and_volumes_are_read_and_written():
    entry = _one(
        "@book{b, title = {The long title}, shorttitle = {Long}, "
        "series = {Lecture Notes}, number = {12}, volumes = {3}}"
    )
    assert entry.csl["title-short"] == "Long"
    assert entry.csl["collection-title"] == "Lecture Notes"
    assert entry.csl["collection-number"] == "12"
    assert entry.csl["number-of-volumes"] == "3"
    assert "number" not in entry.csl
    again = _one(bibtex.dumps([entry]))
    for key in ("title-short", "collection-title", "collection-number"):
        assert again.csl[key] == entry.csl[key], key
    assert again.csl["number-of-volumes"] == "3"
    report = _one("@techreport{r, title = {R}, institution = {I}, number = {TR-7}}")
    assert report.csl["number"] == "TR-7"


def test_an_organisation_written_without_double_braces_stays_one_name():
    entry = _one(
        "@misc{o, title = {T}, author = {Corporation for Digital Scholarship and "
        "Royal Society of Chemistry and Jean de la Fontaine and Ludwig van Beethoven}}"
    )
    assert entry.csl["author"] == [
        {"literal": "Corporation for Digital Scholarship"},
        {"literal": "Royal Society of Chemistry"},
        {"family": "de la Fontaine", "given": "Jean"},
        {"family": "van Beethoven", "given": "Ludwig"},
    ]


def test_a_doi_address_in_url_gives_the_doi_when_doi_is_absent():
    entry = _one("@article{a, title = {A}, url = {https://doi.org/10.1000/abc}}")
    assert entry.csl["DOI"] == "10.1000/abc"
    given = _one(
        "@article{a, title = {A}, doi = {10.1/x}, url = {https://doi.org/10.2/y}}"
    )
    assert given.csl["DOI"] == "10.1/x"
