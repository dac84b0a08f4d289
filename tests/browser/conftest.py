"""Browser tests: Playwright (sync API) drives Debian's chromium against the live server.

One browser per session, a new context (cookies, storage, viewport, colour scheme) per
test. The live server is a thread of this process reading the same test database (a
file on SQLite), so tests arrange data with the services and factories, then act through
the pages as a person would: log in with the login form, click, type, press keys.

Set LECTIO_SCREENSHOT_DIR (for example docs/screenshots) to save the screenshots the
tests take for a visual review; when it is unset nothing is written.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from lectio.accounts.models import Role, User
from lectio.core.factories import PASSWORD, UserFactory
from lectio.lists.models import Tag

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
# The width of the LMS iframe the pages must fit in.
LMS_IFRAME = {"width": 400, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread, and Django refuses
    # database calls from a thread with a running loop; the tests' own ORM calls are
    # plain synchronous code, so the check is switched off while the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _live_database(transactional_db: None, default_tags: dict[str, Tag]) -> None:
    """The live server's thread sees only committed rows, so browser tests use a
    transactional database. It is emptied after each test, data-migration rows
    included: `default_tags` puts the Essential / Recommended / Optional tags back."""


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport=..., color_scheme="dark")`: a page in a new context whose
    relative URLs go to the live server."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture
def login() -> Callable[[Page, User], None]:
    """`login(page, user)`: logs in through the login form, lands on the home page."""

    def log_in(page: Page, user: User, password: str = PASSWORD) -> None:
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return log_in


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def axe_violations(axe: Axe) -> Callable[..., list[dict[str, Any]]]:
    """`axe_violations(page)`: axe-core's WCAG 2.2 AA violations on the page as it is
    now; `rules=[...]` runs only those rules."""

    def run(page: Page, rules: list[str] | None = None) -> list[dict[str, Any]]:
        run_only = (
            {"type": "rule", "values": rules}
            if rules
            else {"type": "tag", "values": WCAG_TAGS}
        )
        options = {"runOnly": run_only, "resultTypes": ["violations"]}
        return axe.run(page, options=options).response["violations"]

    return run


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """`screenshot(page, name)`: a full-page PNG for review, when asked for."""
    directory = os.environ.get("LECTIO_SCREENSHOT_DIR")

    def take(page: Page, name: str) -> None:
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def default_rules(default_tags: dict[str, Tag]) -> None:
    """The library rules a data migration ships (Essential 1 copy per 10 students,
    Recommended 1 per 30; up to 10% of a work, or one chapter, approved for
    digitization), put back by the migration's own code after a flush removed them."""
    migration = importlib.import_module("lectio.workflow.migrations.0003_default_rules")
    migration.create(django_apps, None)


@pytest.fixture
def other_librarian(db: None) -> User:
    # Library staff too: wants the lists the first librarian took.
    return UserFactory.create(
        username="other_librarian",
        first_name="Lou",
        last_name="Loaner",
        role=Role.LIBRARIAN,
    )
