"""COinS: the ContextObject each list page carries for every citation."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from lectio.citations.coins import coins_span, kev, kev_pairs


def test_an_article_is_a_journal_context_object() -> None:
    csl = {
        "type": "article-journal",
        "title": "When We Dead Awaken",
        "container-title": "College English",
        "author": [
            {"family": "Rich", "given": "Adrienne"},
            {"literal": "The Collective"},
        ],
        "volume": "34",
        "issue": "1",
        "page": "18–30",
        "issued": {"date-parts": [[1972, 10]]},
        "ISSN": "0010-0994",
        "DOI": "https://doi.org/10.2307/375215",
    }

    assert kev_pairs(csl) == [
        ("ctx_ver", "Z39.88-2004"),
        ("rfr_id", "info:sid/lectio"),
        ("rft_id", "info:doi/10.2307/375215"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rft.genre", "article"),
        ("rft.atitle", "When We Dead Awaken"),
        ("rft.jtitle", "College English"),
        ("rft.volume", "34"),
        ("rft.issue", "1"),
        ("rft.pages", "18-30"),
        ("rft.issn", "0010-0994"),
        ("rft.date", "1972-10"),
        ("rft.aulast", "Rich"),
        ("rft.aufirst", "Adrienne"),
        ("rft.au", "Rich, Adrienne"),
        ("rft.aucorp", "The Collective"),
    ]


def test_a_chapter_names_its_book() -> None:
    pairs = dict(
        kev_pairs(
            {
                "type": "chapter",
                "title": "Thick Description",
                "container-title": "The Interpretation of Cultures",
                "publisher": "Basic Books",
                "ISBN": "9780465097197",
                "issued": {"date-parts": [[1973]]},
            }
        )
    )

    assert (pairs["rft.genre"], pairs["rft.atitle"], pairs["rft.btitle"]) == (
        "bookitem",
        "Thick Description",
        "The Interpretation of Cultures",
    )
    assert (pairs["rft.isbn"], pairs["rft.pub"], pairs["rft.date"]) == (
        "9780465097197",
        "Basic Books",
        "1973",
    )


def test_a_web_page_is_dublin_core_with_its_address() -> None:
    pairs = kev_pairs(
        {
            "type": "webpage",
            "title": "Close Reading",
            "URL": "https://example.org/a?b=c&d",
            "author": [{"family": "Doe", "given": "Jo"}],
        }
    )

    assert ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc") in pairs
    assert ("rft_id", "https://example.org/a?b=c&d") in pairs
    assert ("rft.creator", "Doe, Jo") in pairs


def test_the_span_is_escaped_and_decodes_back() -> None:
    csl = {"type": "book", "title": 'Tom & "Jerry" <b>', "author": [{"literal": "A&B"}]}

    span = coins_span(csl)

    assert span.startswith('<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;')
    assert "<b>" not in span and '"Jerry"' not in span
    assert dict(parse_qsl(kev(csl)))["rft.btitle"] == 'Tom & "Jerry" <b>'


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "title",
                "container-title",
                "page",
                "DOI",
                "URL",
                "author",
                "issued",
            ]
        ),
        st.one_of(
            st.text(),
            st.integers(),
            st.lists(
                st.dictionaries(
                    st.sampled_from(["family", "given", "literal"]), st.text()
                )
            ),
            st.dictionaries(
                st.sampled_from(["date-parts", "literal"]),
                st.lists(st.lists(st.integers())),
            ),
        ),
    )
)
def test_any_record_gives_a_span_and_never_raises(csl: dict[str, Any]) -> None:
    span = coins_span(csl)

    assert span.startswith('<span class="Z3988" title="ctx_ver=Z39.88-2004')
    assert "<" not in span[1:-7]


def test_the_reading_view_and_the_editor_carry_one_span_a_citation(
    published_list: Any, student: Any, instructor: Any, client_for: Any
) -> None:
    url = reverse("lists:detail", args=[published_list.pk])

    as_student = client_for(student).get(url).content.decode()
    as_instructor = client_for(instructor).get(url).content.decode()

    assert as_student.count('class="Z3988"') == 2  # the two Complete citations
    assert as_instructor.count('class="Z3988"') == 4
    assert "rft.btitle=The%20Canon%20and%20Its%20Critics" in as_student
