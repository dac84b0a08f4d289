"""Grouping citations into works: by record, ISBN or DOI, else title and author."""

from __future__ import annotations

from lectio.analytics.suggestions.works import canonical, citation_keys, group


def keys(material_type: str = "book", record_id: int | None = None, **csl: object):
    return citation_keys(
        metadata=dict(csl), material_type=material_type, record_id=record_id
    )


def test_a_citation_has_its_record_identifiers_and_title_as_keys() -> None:
    found = keys(
        record_id=7,
        title="The Age of Revolution: Europe, 1789–1848",
        author=[{"family": "Hobsbawm", "given": "Eric"}],
        ISBN="0-679-77253-7 (pbk.)",
        DOI="https://doi.org/10.1000/ABC",
    )

    assert found == [
        "r:7",
        "i:9780679772538",
        "d:10.1000/abc",
        "t:the age of revolution europe 1789 1848|hobsbawm",
    ]


def test_a_chapter_does_not_take_its_books_isbn() -> None:
    found = keys(
        "book_chapter",
        title="The invention of tradition",
        author=[{"family": "Trevor-Roper", "given": "Hugh"}],
        ISBN="9780521437738",
    )

    assert found == ["t:the invention of tradition|trevor roper"]


def test_an_invalid_isbn_is_left_out() -> None:
    assert keys(title="X", ISBN="9780679772539") == ["t:x|"]


def test_citations_sharing_any_key_are_one_work() -> None:
    linked = keys(record_id=3, title="Citizens", ISBN="9780394559483")
    same_isbn = keys(title="Citizens: a chronicle", ISBN="0394559487")
    same_title = keys(title="Citizens: A Chronicle")
    other = keys(title="Something else", ISBN="9780140135848")

    assert group([linked, same_isbn, same_title, other]) == [0, 0, 0, 1]


def test_the_work_is_stored_under_its_record_else_its_doi() -> None:
    assert canonical(["t:a|b", "i:9780394559483", "r:12", "r:3"]) == "r:3"
    assert canonical(["t:a|b", "i:9780394559483", "d:10.1/x"]) == "d:10.1/x"
    assert canonical(["t:a|b"]) == "t:a|b"
