"""Cite It! in a real browser: the instructor installs the bookmarklet, opens a saved
publisher page served by a local web server, clicks the bookmarklet, checks the
prefilled form in the window it opens, and adds the article to a section; adding by
identifier from the list's add form. axe-core's WCAG 2.2 AA rules on each page."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.lists.models import Citation

from .conftest import describe_violations

pytestmark = pytest.mark.browser

PAGES = (
    Path(__file__).parents[2] / "lectio" / "citations" / "tests" / "data" / "harvest"
)
AxeRun = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def publisher(settings: Any) -> Iterator[str]:
    """A publisher's site on this machine, which Lectio may fetch (named in
    LECTIO_FETCH_ALLOW, as an institution names an intranet host)."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(PAGES))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    settings.LECTIO_FETCH_ALLOW = [f"127.0.0.1:{port}"]
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_instructor_cites_a_publisher_page_with_the_bookmarklet(
    page: Page,
    login: Callable[[Page, User], None],
    instructor: User,
    reading_list: Any,
    publisher: str,
    axe_violations: AxeRun,
) -> None:
    login(page, instructor)
    page.get_by_role("link", name="Cite It!").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Install Cite It!")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    code = page.get_by_role("link", name="Cite It! (Lectio)").get_attribute("href")
    assert code and code.startswith("javascript:")

    # On the publisher's page, the bookmark runs there and opens Cite It!.
    page.goto(f"{publisher}/highwire-article.html")
    with page.context.expect_page() as opened:
        page.evaluate(code.removeprefix("javascript:"))
    citeit = opened.value
    citeit.wait_for_load_state()
    expect(citeit.get_by_role("heading", level=1)).to_have_text("Cite It!")
    expect(citeit.get_by_label("Article title")).to_have_value(
        "Teaching with primary sources: a study of seminar reading lists"
    )
    expect(citeit.get_by_label("Journal title")).to_have_value(
        "Journal of Library Pedagogy"
    )
    expect(citeit.get_by_label("DOI", exact=True)).to_have_value("10.5555/jlp.2023.012")
    violations = axe_violations(citeit)
    assert violations == [], describe_violations(violations)

    week1 = reading_list.sections.get(name="Week 1")
    citeit.get_by_label("Add to").select_option(label=f"{reading_list.name}: Week 1")
    citeit.get_by_role("button", name="Add citation").click()
    expect(citeit.get_by_role("status")).to_contain_text("Added to Week 1")
    added = Citation.objects.filter(section=week1).latest("pk")
    assert added.metadata["DOI"] == "10.5555/jlp.2023.012"
    assert added.material_type == "article"


def test_instructor_adds_by_identifier_from_the_add_form(
    page: Page,
    login: Callable[[Page, User], None],
    instructor: User,
    reading_list: Any,
    axe_violations: AxeRun,
) -> None:
    login(page, instructor)
    page.goto(f"/lists/{reading_list.pk}/citations/add/")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.get_by_role(
        "textbox", name="Add by DOI, ISBN, ISSN, PubMed id or web address"
    ).fill("978-0-306-40615-7")
    page.get_by_role("button", name="Look it up").click()

    # Not in the catalog, remote lookups off: the ISBN comes back, typed in.
    expect(page.get_by_label("ISBN", exact=True)).to_have_value("9780306406157")
    expect(page.get_by_text("switched off")).to_be_visible()
    page.get_by_role("textbox", name=re.compile(r"^Title")).fill("A book by its ISBN")
    page.get_by_role("button", name="Add citation").click()
    expect(page.get_by_role("status")).to_contain_text("Added to")
    assert Citation.objects.filter(
        reading_list=reading_list, metadata__title="A book by its ISBN"
    ).exists()
