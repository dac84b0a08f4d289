"""Cite It!'s harvesting: saved pages of each kind of metadata, in order of trust,
hostile pages, and any input at all."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lectio.citations.harvest import clean_text, extract

DATA = Path(__file__).parent / "data" / "harvest"
URL = "https://publisher.example.org/article/1"


def page(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_highwire_tags_win_over_every_other_source() -> None:
    found = extract(page("highwire-article.html"), URL)

    assert found.material_type == "article"
    assert found.csl == {
        "type": "article-journal",
        "title": "Teaching with primary sources: a study of seminar reading lists",
        "author": [
            {"family": "Okafor", "given": "Adaeze"},
            {"family": "Lindqvist", "given": "Per"},
            {"family": "Rahman", "given": "S."},
        ],
        "container-title": "Journal of Library Pedagogy",
        "publisher": "University Press of Example",
        "issued": {"date-parts": [[2023, 4, 17]]},
        "volume": "12",
        "issue": "2",
        "page": "45-67",
        "DOI": "10.5555/jlp.2023.012",
        "ISSN": "1234-5679",
        "language": "en",
        # Highwire has no abstract here: the next source that has one gives it.
        "abstract": "How instructors choose primary sources for seminars.",
        "URL": URL,
    }
    assert found.sources["title"] == "highwire"
    assert found.sources["abstract"] == "schema.org"
    assert found.sources["URL"] == "address"


def test_dublin_core_thesis() -> None:
    found = extract(page("dublin-core-thesis.html"), URL)

    assert found.material_type == "thesis"
    assert found.csl["title"] == (
        "Reading lists and student outcomes in first-year history"
    )
    assert found.csl["author"] == [{"family": "Moreau", "given": "Camille"}]
    assert found.csl["publisher"] == "Lectio University"
    assert found.csl["DOI"] == "10.5555/thesis.4411"
    assert found.csl["issued"] == {"date-parts": [[2021]]}
    assert found.csl["abstract"] == "A study of required readings."


def test_prism_fills_the_journal_details_dublin_core_lacks() -> None:
    found = extract(page("prism-article.html"), URL)

    assert found.material_type == "article"
    assert {k: found.csl[k] for k in ("title", "container-title", "volume")} == {
        "title": "Seminar design for large classes",
        "container-title": "Teaching Review",
        "volume": "8",
    }
    assert (found.csl["issue"], found.csl["page"], found.csl["ISSN"]) == (
        "3",
        "11-19",
        "0317-8471",
    )
    assert found.sources["title"] == "dublin-core"
    assert found.sources["volume"] == "prism"


def test_json_ld_book_inside_a_graph() -> None:
    found = extract(page("jsonld-book.html"), URL)

    assert found.material_type == "book"
    assert found.csl["title"] == "The Reading Mind"
    assert found.csl["ISBN"] == "9780306406157"
    assert found.csl["author"] == [{"family": "Willingham", "given": "Daniel"}]
    assert found.csl["publisher"] == "Jossey-Bass"
    assert found.csl["issued"] == {"date-parts": [[2017, 3]]}
    assert found.csl["edition"] == "1st"


def test_microdata_video() -> None:
    found = extract(page("microdata-video.html"), URL)

    assert found.material_type == "video"
    assert found.csl["title"] == "The French Revolution in Ten Minutes"
    assert found.csl["author"] == [{"literal": "Hélène Dubois"}]
    assert found.csl["publisher"] == "History Channel Online"
    assert found.csl["URL"] == "https://video.example.org/watch/fr-rev"
    assert found.csl["issued"] == {"date-parts": [[2019, 9, 2]]}


def test_coins_book_chapter() -> None:
    found = extract(page("coins-chapter.html"), URL)

    assert found.material_type == "book_chapter"
    assert found.csl["title"] == "Close reading as method"
    assert found.csl["container-title"] == "Methods in Literary Studies"
    assert found.csl["author"] == [
        {"family": "Smith", "given": "Zadie"},
        {"family": "Jones", "given": "Q."},
    ]
    assert (found.csl["page"], found.csl["publisher"], found.csl["ISBN"]) == (
        "101-120",
        "Routledge",
        "9780306406157",
    )


def test_open_graph_news_page_and_a_doi_in_the_text() -> None:
    found = extract(page("opengraph-news.html"), URL)

    assert found.material_type == "website"
    assert found.csl["title"] == "Libraries extend opening hours for exams"
    assert found.csl["container-title"] == "The Daily Example"
    assert found.csl["URL"] == "https://news.example.com/2024/05/libraries"
    assert found.csl["DOI"] == "10.5555/news.77"
    assert found.sources["DOI"] == "page text"


def test_a_page_with_no_metadata_still_gives_its_title_and_address() -> None:
    found = extract(page("bare.html"), URL)

    assert found.material_type == "website"
    assert found.csl == {
        "type": "webpage",
        "title": "A page with nothing but a title",
        "URL": URL,
    }
    assert not found.found_metadata


def test_the_tab_title_stands_in_when_the_page_has_none() -> None:
    found = extract("", URL, title_hint="What the browser showed")
    assert found.csl["title"] == "What the browser showed"


def test_script_and_markup_in_metadata_never_come_through() -> None:
    found = extract(page("hostile.html"), URL)

    text = repr(found.csl)
    for bad in ("<", ">", "script", "onerror", "onload", "alert", "\x00", "\x07"):
        assert bad not in text, bad
    assert found.csl["title"] == "Safe title & more"
    assert found.csl["author"] == [{"family": "Evil", "given": "Eve"}]
    assert found.csl["container-title"] == "Journal of Control"
    # An ISBN that only a script would write is not in the page's text.
    assert "ISBN" not in found.csl


def test_clean_text_strips_markup_escaped_twice() -> None:
    assert clean_text("&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt; text") == "bold text"
    assert clean_text("a <i>b</i>\n\n c") == "a b c"
    assert clean_text("x" * 5000, 10) == "x" * 10


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>/=\"' &;#abcmetaspnZ3988itlecon:-_.{}[]")),
        max_size=400,
    )
)
def test_any_page_gives_a_citation_and_never_raises(document: str) -> None:
    found = extract(document, URL)
    assert found.csl["URL"] == URL
    assert found.material_type
    # A lone "<" is text ("a < b"); nothing that could open a tag survives.
    assert not re.search(r"<[a-zA-Z/!?]", repr(found.csl))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_inside_real_tags_is_cleaned(value: str) -> None:
    document = (
        f'<html><head><meta name="citation_title" content="{value}">'
        f"<title>{value}</title></head></html>"
    )
    found = extract(document, URL)
    assert not re.search(r"<[a-zA-Z/!?]", repr(found.csl))
