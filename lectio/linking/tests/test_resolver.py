from __future__ import annotations

import datetime

import pytest

from lectio.catalog.models import IdentifierKind, ItemStatus, RecordFormat
from lectio.catalog.tests.test_views_support import add_copy, make_record
from lectio.linking import openurl
from lectio.linking.models import LinkingSettings, OptionKind, ProxyScope
from lectio.linking.resolver import coverage, proxied_url, resolve
from lectio.linking.tests.support import (
    ARTICLE_DOI,
    BOOK_ISBN,
    SCIENCE_ISSN,
    identify,
    make_catalog,
    portfolio,
)

PROXY = "https://proxy.example.edu/login?url="
TODAY = datetime.date(2026, 12, 6)


def article(**extra: str) -> openurl.OpenURL:
    pairs = {
        "url_ver": "Z39.88-2004",
        "rft_val_fmt": "info:ofi/fmt:kev:mtx:journal",
        "rft.atitle": "Isolation of a common receptor",
        "rft.jtitle": "Science",
        "rft.issn": SCIENCE_ISSN,
        "rft.date": "1997",
        "rft.volume": "275",
    }
    pairs.update(extra)
    parsed = openurl.parse_pairs(list(pairs.items()))
    assert parsed.understood
    return parsed


def settings_row(**fields: object) -> LinkingSettings:
    row = LinkingSettings.current()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


@pytest.mark.django_db
def test_article_by_issn_offers_the_covering_portfolios_in_preference_order() -> None:
    catalog = make_catalog()
    row = settings_row(proxy_prefix=PROXY)

    resolution = resolve(article(), settings_row=row, today=TODAY)

    assert resolution.matched_by == "issn"
    assert [(o.kind, o.provider, o.url) for o in resolution.options] == [
        (
            OptionKind.LICENSED,
            "AAAS",
            PROXY + "https://www.science.org/journal/science",
        ),
        (OptionKind.OPEN_ACCESS, "Open Archive", "https://archive.example.org/science"),
    ]
    assert [o.portfolio_id for o in resolution.not_covering] == [catalog.old_archive.pk]
    assert resolution.one_click_target == ""


@pytest.mark.django_db
def test_preference_order_puts_open_access_first() -> None:
    make_catalog()
    row = settings_row(preference=["open_access", "print", "licensed"])

    resolution = resolve(article(), settings_row=row, today=TODAY)

    assert [o.provider for o in resolution.options] == ["Open Archive", "AAAS"]


@pytest.mark.django_db
def test_one_good_option_is_the_one_click_target() -> None:
    make_catalog()
    row = settings_row(proxy_prefix=PROXY)

    resolution = resolve(
        article(**{"rft.date": "2015-03"}), settings_row=row, today=TODAY
    )

    assert [o.provider for o in resolution.options] == ["AAAS"]
    assert resolution.one_click_target == (
        PROXY + "https://www.science.org/journal/science"
    )


@pytest.mark.django_db
def test_doi_finds_the_article_record_before_the_journal() -> None:
    make_catalog()
    record = make_record(
        "Isolation of a common receptor",
        format=RecordFormat.ARTICLE,
        isbns=[],
        urls=[{"url": "https://www.science.org/doi/10.1126/x", "note": "AAAS"}],
    )
    identify(record, IdentifierKind.DOI, ARTICLE_DOI)
    row = settings_row(proxy_prefix=PROXY, proxy_skip_hosts="www.science.org")

    resolution = resolve(
        article(rft_id="info:doi/" + ARTICLE_DOI), settings_row=row, today=TODAY
    )

    assert resolution.matched_by == "doi"
    assert [r.pk for r in resolution.records] == [record.pk]
    # The journal's portfolios still come by ISSN, and the record's own link.
    urls = [o.url for o in resolution.options]
    assert "https://www.science.org/doi/10.1126/x" in urls
    assert "https://www.science.org/journal/science" in urls
    assert resolution.doi_url == "https://doi.org/" + ARTICLE_DOI


@pytest.mark.django_db
def test_book_by_isbn_offers_print_copies_with_availability_and_hold() -> None:
    catalog = make_catalog()
    query = openurl.parse_query("genre=book&isbn=0-19-286092-5&title=The+Selfish+Gene")

    resolution = resolve(query, settings_row=settings_row(), today=TODAY)

    assert resolution.matched_by == "isbn"
    (option,) = resolution.options
    assert option.kind == OptionKind.PRINT
    assert option.availability is not None
    assert option.availability.items_available == 1
    assert option.label == "Available (1 of 2 copies)"
    assert option.hold_url == f"/catalog/records/{catalog.book.pk}/hold/"
    assert [i.status for i in option.items] == [
        ItemStatus.AVAILABLE,
        ItemStatus.ON_LOAN,
    ]


@pytest.mark.django_db
def test_title_is_used_when_no_identifier_matches() -> None:
    catalog = make_catalog()
    query = openurl.parse_query("genre=book&title=the+selfish+gene")

    resolution = resolve(query, settings_row=settings_row(), today=TODAY)

    assert resolution.matched_by == "title"
    assert [r.pk for r in resolution.records] == [catalog.book.pk]


@pytest.mark.django_db
def test_a_loosely_similar_title_is_not_a_match() -> None:
    make_catalog()
    query = openurl.parse_query("genre=book&title=The+Selfish+Genius+of+Crowds")

    resolution = resolve(query, settings_row=settings_row(), today=TODAY)

    assert resolution.records == []
    assert resolution.options == []


@pytest.mark.django_db
def test_unknown_year_keeps_options_but_not_one_click() -> None:
    make_catalog()
    query = openurl.parse_query("genre=journal&title=Science&issn=0036-8075")

    resolution = resolve(query, settings_row=settings_row(), today=TODAY)

    assert len(resolution.options) == 3
    assert all(not o.certain for o in resolution.options)
    assert resolution.one_click_target == ""


@pytest.mark.django_db
def test_inactive_and_non_web_portfolios_are_never_offered() -> None:
    catalog = make_catalog()
    portfolio(
        catalog.journal, issn=SCIENCE_ISSN, url="https://gone.example/", active=False
    )
    portfolio(catalog.journal, issn=SCIENCE_ISSN, url="ftp://files.example/science")

    resolution = resolve(article(), settings_row=settings_row(), today=TODAY)

    assert {o.provider for o in resolution.options} == {"AAAS", "Open Archive"}


def test_proxy_only_for_licensed_and_not_for_skipped_hosts() -> None:
    row = LinkingSettings(proxy_prefix=PROXY, proxy_skip_hosts="sso.example.org")
    assert proxied_url("https://a.example/x?y=1", licensed=True, settings_row=row) == (
        PROXY + "https://a.example/x?y=1"
    )
    assert proxied_url("https://a.example/x", licensed=False, settings_row=row) == (
        "https://a.example/x"
    )
    assert proxied_url(
        "https://SSO.example.org/x", licensed=True, settings_row=row
    ) == ("https://SSO.example.org/x")
    row.proxy_scope = ProxyScope.NONE
    assert proxied_url("https://a.example/x", licensed=True, settings_row=row) == (
        "https://a.example/x"
    )


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (None, None, (True, False)),
        (1989, None, (False, True)),
        (1990, None, (True, False)),  # the first year, month unknown
        (1990, 3, (True, True)),
        (1997, None, (True, True)),
        (2005, None, (True, False)),
        (2006, None, (False, True)),
    ],
)
def test_coverage_dates(year: int | None, month: int | None, expected: tuple) -> None:
    from lectio.catalog.models import Portfolio

    p = Portfolio(
        coverage_from=datetime.date(1990, 3, 1), coverage_to=datetime.date(2005, 6, 30)
    )
    assert coverage(p, year, month, TODAY) == expected


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2024, None, (True, True)),
        # 12 months back from December 2026: from December 2025 on is embargoed.
        (2025, None, (True, False)),
        (2026, None, (False, True)),
        (2025, 11, (True, True)),
        (2025, 12, (False, True)),
    ],
)
def test_embargo(year: int, month: int | None, expected: tuple) -> None:
    from lectio.catalog.models import Portfolio

    p = Portfolio(embargo_months=12)
    assert coverage(p, year, month, TODAY) == expected


@pytest.mark.django_db
def test_resolving_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries: object,
) -> None:
    make_catalog()
    book = make_record("Another", isbns=[BOOK_ISBN])
    identify(book, IdentifierKind.ISBN, BOOK_ISBN)
    add_copy(book)
    row = settings_row()
    query = openurl.parse_query("genre=book&isbn=0192860925")
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        resolution = resolve(query, settings_row=row, today=TODAY)
    assert len(resolution.options) == 2
