"""Works without an author: the title takes the author's place once, not twice."""

import pytest

from lectio.lists.rendering import render_citation_html

WEBSITE = {
    "type": "webpage",
    "title": "Close Reading, Explained",
    "URL": "https://ex.org/a",
}


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "<i>Close Reading, Explained</i>. (n.d.). Retrieved https://ex.org/a"),
        (
            "harvard-cite-them-right",
            "<i>Close Reading, Explained</i> (no date) Available at: https://ex.org/a.",
        ),
        ("chicago-author-date", "“Close Reading, Explained”. n.d. https://ex.org/a."),
        (
            "modern-language-association",
            "<i>Close Reading, Explained</i>. https://ex.org/a.",
        ),
    ],
)
def test_title_appears_once_without_an_author(style, expected):
    assert render_citation_html(WEBSITE, style) == expected


def test_a_title_equal_to_the_author_name_is_kept():
    book = {
        "type": "book",
        "title": "Kuhn",
        "author": [{"family": "Kuhn", "given": "T."}],
    }
    assert render_citation_html(book) == "Kuhn, T. (n.d.). <i>Kuhn</i>."
