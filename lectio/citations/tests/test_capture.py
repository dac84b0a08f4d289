"""Cite It! and adding by identifier: pages and lookups through the guarded client,
answered by a fake transport from saved pages and recorded responses (no network),
the catalog first, remote lookups only when the institution allows them; the
/citeit/ page for every role; the `lectio cite` command against a local server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from lectio.accounts.models import InstitutionSettings
from lectio.catalog.models import Record, RecordIdentifier
from lectio.citations import capture
from lectio.citations.capture import NotAnIdentifier, lookup, recognise
from lectio.core.http_guard import FetchRefused
from lectio.lists.models import Citation

DATA = Path(__file__).parent / "data"
PUBLIC = "93.184.216.34"


class Web:
    """The outside web as the guarded client sees it in these tests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        # The guarded client connects to the address it checked; the name is in
        # the Host header.
        host, path = request.headers["host"], request.url.path
        if host == "publisher.example.org" and path.endswith(".html"):
            body = (DATA / "harvest" / path.rsplit("/", 1)[1]).read_bytes()
            return httpx.Response(
                200, content=body, headers={"content-type": "text/html; charset=utf-8"}
            )
        if host == "publisher.example.org" and path == "/gone":
            return httpx.Response(
                404, text="gone", headers={"content-type": "text/html"}
            )
        if host == "doi.org":
            assert "citationstyles" in request.headers["accept"]
            return httpx.Response(
                200,
                content=(DATA / "lookup" / "doi-csl.json").read_bytes(),
                headers={"content-type": "application/vnd.citationstyles.csl+json"},
            )
        if host == "openlibrary.org":
            return httpx.Response(
                200,
                content=(DATA / "lookup" / "openlibrary-isbn.json").read_bytes(),
                headers={"content-type": "application/json"},
            )
        if host == "eutils.ncbi.nlm.nih.gov":
            return httpx.Response(
                200,
                content=(DATA / "lookup" / "pubmed-esummary.json").read_bytes(),
                headers={"content-type": "application/json"},
            )
        return httpx.Response(404, headers={"content-type": "text/html"})


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Web:
    test = Web()
    monkeypatch.setattr(capture, "TRANSPORT", httpx.MockTransport(test.handle))
    monkeypatch.setattr(capture, "RESOLVE", lambda host, port: [PUBLIC])
    return test


@pytest.fixture
def remote_on(db: None) -> Iterator[None]:
    row = InstitutionSettings.current()
    row.remote_lookups = True
    row.save()
    InstitutionSettings.forget_cached()
    yield
    InstitutionSettings.forget_cached()


@pytest.fixture
def catalog_book(db: None) -> Record:
    record = Record.objects.create(
        control_number="ocm-test-1",
        title="How to read a book",
        author="Adler, Mortimer J.",
        publisher="Touchstone",
        year=1972,
        format="book",
        isbns=["9780671212094"],
    )
    RecordIdentifier.objects.create(record=record, kind="isbn", value="9780671212094")
    return record


# --- recognising what was pasted ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("978-0-671-21209-4", ("isbn", "9780671212094")),
        ("0671212095", ("isbn", "9780671212094")),
        ("10.1080/03075079.2019.1606187", ("doi", "10.1080/03075079.2019.1606187")),
        (
            "https://doi.org/10.1080/03075079.2019.1606187",
            ("doi", "10.1080/03075079.2019.1606187"),
        ),
        ("0307-5079", ("issn", "0307-5079")),
        ("PMID: 31452104", ("pmid", "31452104")),
        ("31452104", ("pmid", "31452104")),
        ("https://www.example.org/page", ("url", "https://www.example.org/page")),
        ("the title of a book", None),
        ("", None),
    ],
)
def test_recognise(text: str, expected: tuple[str, str] | None) -> None:
    assert recognise(text) == expected


def test_text_that_is_no_identifier_is_refused_with_a_reason(db: None) -> None:
    with pytest.raises(NotAnIdentifier, match="not a DOI, ISBN"):
        lookup("reading the canon")


# --- the catalog first, remote lookups only when allowed ---------------------------


def test_an_isbn_in_the_catalog_comes_from_the_record(
    web: Web, catalog_book: Record, remote_on: None
) -> None:
    found = lookup("0-671-21209-5")

    assert (found.source, found.record) == ("catalog", catalog_book)
    assert found.csl["title"] == "How to read a book"
    assert found.csl["publisher"] == "Touchstone"
    assert not web.requests  # never asked outside


def test_nothing_leaves_lectio_when_remote_lookups_are_off(web: Web, db: None) -> None:
    for text in ("10.1080/03075079.2019.1606187", "9780226467436", "pmid:31452104"):
        found = lookup(text)
        assert found.source == "typed"
        assert "switched off" in found.notes[0]
    assert not web.requests
    assert lookup("9780226467436").csl == {"type": "book", "ISBN": "9780226467436"}


def test_a_doi_by_content_negotiation(web: Web, remote_on: None) -> None:
    found = lookup("doi:10.1080/03075079.2019.1606187")

    assert (found.source, found.material_type) == ("doi.org", "article")
    assert found.csl["title"] == (
        "Reading lists and the reading experience of undergraduates"
    )
    assert found.csl["container-title"] == "Studies in Higher Education"
    assert found.csl["author"][0] == {"family": "Brookman", "given": "Helen"}
    assert (found.csl["volume"], found.csl["issue"], found.csl["page"]) == (
        "46",
        "3",
        "489-502",
    )
    assert str(web.requests[0].url).startswith("https://")
    assert web.requests[0].headers["host"] == "doi.org"


def test_an_isbn_from_open_library(web: Web, remote_on: None) -> None:
    found = lookup("978-0-226-46743-6")

    assert (found.source, found.material_type) == ("Open Library", "book")
    assert found.csl == {
        "type": "book",
        "title": "How to read a book: the classic guide to intelligent reading",
        "ISBN": "9780226467436",
        "author": [{"literal": "Mortimer J. Adler"}, {"literal": "Charles Van Doren"}],
        "publisher": "Simon and Schuster",
        "publisher-place": "New York",
        "issued": {"date-parts": [[1972]]},
        "number-of-pages": "426",
    }


def test_a_pubmed_id_from_pubmed(web: Web, remote_on: None) -> None:
    found = lookup("PMID 31452104")

    assert (found.source, found.material_type) == ("PubMed", "article")
    assert found.csl["title"] == (
        "Twelve tips to promote a feedback culture with a growth mind-set"
    )
    assert found.csl["author"][:2] == [
        {"family": "Ramani", "given": "S"},
        {"family": "Könings", "given": "KD"},
    ]
    assert found.csl["container-title"] == "Medical teacher"
    assert found.csl["DOI"] == "10.1080/0142159x.2018.1432850"
    assert found.csl["issued"] == {"date-parts": [[2019]]}


# --- pages -------------------------------------------------------------------------


def test_a_page_is_harvested(web: Web, db: None) -> None:
    found = capture.cite_url("https://publisher.example.org/a/highwire-article.html")

    assert found.material_type == "article"
    assert found.csl["DOI"] == "10.5555/jlp.2023.012"
    assert found.page_read


def test_a_page_that_answers_an_error_still_gives_its_address(
    web: Web, db: None
) -> None:
    found = capture.cite_url("https://publisher.example.org/gone", title_hint="Old")

    assert found.csl == {
        "type": "webpage",
        "title": "Old",
        "URL": "https://publisher.example.org/gone",
    }
    assert not found.page_read
    assert "404" in found.notes[0]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://localhost:8000/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_a_private_address_is_never_fetched(web: Web, db: None, url: str) -> None:
    with pytest.raises(FetchRefused):
        capture.cite_url(url)
    assert not web.requests


# --- the page ----------------------------------------------------------------------


def test_instructor_cites_a_page_and_adds_it_to_a_section(
    web: Web, client_for: Any, instructor: Any, reading_list: Any
) -> None:
    client = client_for(instructor)
    week1 = reading_list.sections.get(name="Week 1")

    page = client.get(
        "/citeit/",
        {
            "url": "https://publisher.example.org/a/highwire-article.html",
            "title": "Tab title",
            "selection": "Read <b>pages 45-50</b> first.",
        },
    )

    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="Journal of Library Pedagogy"' in body
    assert 'value="10.5555/jlp.2023.012"' in body
    assert "Read pages 45-50 first." in body  # the selection, without its markup
    assert f'value="{week1.pk}"' in body

    before = Citation.objects.count()
    response = client.post(
        "/citeit/",
        {
            "material_type": "article",
            "section": week1.pk,
            "bib_title": "Teaching with primary sources",
            "bib_author": "Okafor, Adaeze\nLindqvist, Per",
            "bib_container_title": "Journal of Library Pedagogy",
            "bib_doi": "10.5555/jlp.2023.012",
            "bib_issued": "2023",
            "public_note": "Read pages 45-50 first.",
        },
    )

    assert response.status_code == 302
    assert Citation.objects.count() == before + 1
    added = Citation.objects.latest("pk")
    assert (added.section, added.material_type) == (week1, "article")
    assert added.metadata["DOI"] == "10.5555/jlp.2023.012"
    assert added.metadata["author"][1] == {"family": "Lindqvist", "given": "Per"}


def test_an_isbn_from_the_catalog_links_the_citation_to_the_record(
    web: Web,
    client_for: Any,
    instructor: Any,
    reading_list: Any,
    catalog_book: Record,
) -> None:
    client = client_for(instructor)
    page = client.get(
        "/citeit/", {"identifier": "9780671212094", "list": reading_list.pk}
    )
    assert f'name="record" value="{catalog_book.pk}"' in page.content.decode()
    section = reading_list.sections.get(name="Week 1")

    client.post(
        "/citeit/",
        {
            "material_type": "book",
            "section": section.pk,
            "record": catalog_book.pk,
            "bib_title": "How to read a book",
        },
    )

    assert Citation.objects.latest("pk").catalog_record == catalog_book


def test_a_section_of_a_list_one_may_not_edit_is_refused(
    web: Web, client_for: Any, other_instructor: Any, reading_list: Any
) -> None:
    before = Citation.objects.count()
    response = client_for(other_instructor).post(
        "/citeit/",
        {
            "material_type": "book",
            "section": reading_list.sections.first().pk,
            "bib_title": "Sneaked in",
        },
    )
    assert response.status_code == 400
    assert "Choose the list and section" in response.content.decode()
    assert Citation.objects.count() == before


def test_a_refused_address_says_why_and_keeps_the_title(
    web: Web, client_for: Any, instructor: Any
) -> None:
    response = client_for(instructor).get(
        "/citeit/", {"url": "http://10.0.0.7/intranet", "title": "Staff wiki"}
    )
    body = response.content.decode()
    assert "Lectio did not fetch that address" in body
    assert 'value="Staff wiki"' in body
    assert not web.requests


def test_change_type_keeps_what_was_typed(
    web: Web, client_for: Any, instructor: Any, reading_list: Any
) -> None:
    response = client_for(instructor).post(
        "/citeit/",
        {
            "material_type": "website",
            "change_type": "1",
            "bib_title": "Kept title",
            "section": reading_list.sections.first().pk,
        },
    )
    assert response.status_code == 200
    assert 'value="Kept title"' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("guest", 302),
        ("student", 200),
        ("instructor", 200),
        ("librarian", 200),
        ("admin", 200),
    ],
)
@pytest.mark.parametrize("path", ["/citeit/", "/citeit/install/"])
def test_url_matrix(
    web: Web,
    client_for: Any,
    request: pytest.FixtureRequest,
    role: str,
    status: int,
    path: str,
) -> None:
    client = Client() if role == "guest" else client_for(request.getfixturevalue(role))
    response = client.get(path)
    assert response.status_code == status
    if role == "guest":
        assert response["Location"].startswith("/login/?next=")


def test_the_cite_it_routes_are_in_this_matrix() -> None:
    # The import and export routes have the matrix of test_url_matrix.py.
    from lectio.citations.urls import urlpatterns

    assert {"citeit", "install"} <= {p.name for p in urlpatterns}


def test_the_install_page_carries_the_bookmarklet(
    client_for: Any, instructor: Any
) -> None:
    body = client_for(instructor).get("/citeit/install/").content.decode()
    assert 'href="javascript:(function(){' in body
    assert "http://testserver/citeit/?url=" in body


def test_the_page_shows_a_few_queries(
    web: Web,
    client_for: Any,
    instructor: Any,
    reading_list: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(instructor)
    with django_assert_max_num_queries(12):
        client.get(
            "/citeit/", {"url": "https://publisher.example.org/a/jsonld-book.html"}
        )


# --- the command -------------------------------------------------------------------


@pytest.fixture
def local_site() -> Iterator[int]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(DATA / "harvest"))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_cite_command_harvests_a_local_page_it_is_allowed_to_reach(
    db: None, local_site: int
) -> None:
    out = StringIO()
    with override_settings(LECTIO_FETCH_ALLOW=[f"127.0.0.1:{local_site}"]):
        call_command(
            "cite", f"http://127.0.0.1:{local_site}/coins-chapter.html", stdout=out
        )
        assert "title          Close reading as method   [coins]" in out.getvalue()

        out = StringIO()
        call_command(
            "cite",
            f"http://127.0.0.1:{local_site}/jsonld-book.html",
            "--json",
            stdout=out,
        )
        assert '"ISBN": "9780306406157"' in out.getvalue()

        with pytest.raises(CommandError, match="could not be read"):
            call_command(
                "cite",
                f"http://127.0.0.1:{local_site}/missing.html",
                stdout=StringIO(),
                stderr=StringIO(),
            )


def test_cite_command_refuses_a_local_page_without_the_setting(
    db: None, local_site: int
) -> None:
    with pytest.raises(CommandError, match="refused") as error:
        call_command("cite", f"http://127.0.0.1:{local_site}/bare.html")
    assert error.value.returncode == 2
