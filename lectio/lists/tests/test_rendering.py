"""Formatting citations: safe HTML in every bundled style."""

from __future__ import annotations

import pytest

from lectio.core.factories import article, book
from lectio.lists.rendering import DEFAULT_STYLE, STYLES, render_citation_html


# A style that fell back to the bare title has failed: every real entry names the
# author and the year.
@pytest.mark.parametrize("style", list(STYLES))
def test_every_bundled_style_renders_a_book(style):
    html = render_citation_html(book("Teaching to Transgress"), style)

    assert "Teaching to Transgress" in html
    assert "Hooks" in html
    assert "1994" in html
    assert not html.startswith(("[1]", "1."))


@pytest.mark.parametrize("style", list(STYLES))
def test_every_bundled_style_renders_an_article(style):
    html = render_citation_html(article("Pedagogy of Hope"), style)

    assert "Pedagogy of Hope" in html
    assert "Freire" in html
    assert "1995" in html
    assert "Harvard Educational Review" in html


def test_default_style_is_bundled():
    assert DEFAULT_STYLE in STYLES


def test_apa_book_exactly():
    assert render_citation_html(book("Teaching to Transgress")) == (
        "Hooks, B. (1994). <i>Teaching to Transgress</i>. Routledge."
    )


def test_markup_in_metadata_comes_out_escaped():
    html = render_citation_html(
        book('<script>alert("x")</script> & <b onclick="steal()">bold</b>')
    )

    assert html == (
        'Hooks, B. (1994). <i>&lt;script&gt;alert("x")&lt;/script&gt; &amp; '
        '&lt;b onclick="steal()"&gt;bold&lt;/b&gt;</i>. Routledge.'
    )


@pytest.mark.parametrize("style", list(STYLES))
def test_markup_is_escaped_in_every_style(style):
    html = render_citation_html(
        article("<img src=x onerror=alert(1)>", author=[{"literal": "<svg/onload=1>"}]),
        style,
    )

    assert "<img" not in html
    assert "<svg" not in html


def test_only_formatting_tags_survive_and_lose_their_attributes():
    html = render_citation_html(article("Pedagogy of Hope"), "nature")

    assert html == (
        "Freire, P. &amp; Macedo, D. Pedagogy of Hope. "
        "<i>Harvard Educational Review</i> <b>65</b>, 377–402 (1995)."
    )


def test_numeric_styles_drop_their_number():
    html = render_citation_html(book("Teaching to Transgress"), "elsevier-vancouver")

    assert html == "Hooks B. Teaching to Transgress. New York: Routledge; 1994."


def test_an_unknown_style_falls_back_to_the_escaped_title():
    assert render_citation_html(book("Fish & Chips"), "no-such-style") == (
        "Fish &amp; Chips"
    )


def test_a_malformed_record_falls_back_to_the_title():
    record = {"title": "Odd <dates>", "issued": {"date-parts": [["spring"]]}}

    assert render_citation_html(record) == "Odd &lt;dates&gt;"


def test_an_empty_record_does_not_raise():
    assert render_citation_html({}) == "(n.d.)."
