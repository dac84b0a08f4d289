"""Accessibility in a real browser: axe-core's WCAG 2.2 AA rules on every page of the
instructor, student and guest flows, light and dark; the 400 px LMS iframe; the
keyboard path through the skip link."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import Role, User
from lectio.analytics.suggestions.refresh import refresh_all
from lectio.core.factories import UserFactory, make_list
from lectio.courses.models import Course
from lectio.lists import services
from lectio.lists.models import CollaboratorRight, ReadingList, Tag
from lectio.lists.statuses import Visibility

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]
Shoot = Callable[[Page, str], None]


@dataclass
class Scene:
    instructor: User
    student: User
    course_list: ReadingList
    public_list: ReadingList
    urls: dict[str, str] = field(default_factory=dict)
    librarian: User | None = None


@pytest.fixture
def scene(
    instructor: User,
    student: User,
    librarian: User,
    course: Course,
    default_tags: dict[str, Tag],
) -> Scene:
    """A published course list with what the pages can show: sections, every
    citation status, tags, notes, a due date, a done and liked mark, a collaborator;
    and a list open to anyone."""
    course_list = make_list(
        owner=instructor,
        courses=[course],
        name="Reading the Canon: core reading",
        sections=["Week 1"],
        citations=[
            {
                "title": "The Canon and Its Critics",
                "section": "Week 1",
                "status": "Complete",
                "tag_ids": [default_tags["Essential"].pk],
                "public_note": "Read the introduction first.",
                "due_date": datetime.date(2026, 10, 5),
            },
            {
                "title": "Reading Against the Grain",
                "section": "Week 1",
                "material_type": "article",
                "status": "Complete",
            },
            {"title": "On Anthologies", "section": "Week 1", "status": "InProcess"},
            {
                "title": "Close Reading, Explained",
                "material_type": "website",
                "metadata": {
                    "type": "webpage",
                    "title": "Close Reading, Explained",
                    "URL": "https://example.org/close-reading",
                },
                "instructor_note": "Please check the link still works.",
            },
        ],
        visibility=Visibility.COURSE,
    )
    services.collaborator_set(
        actor=instructor,
        reading_list=course_list,
        user=UserFactory.create(
            username="eda", first_name="Eda", last_name="Editor", role=Role.INSTRUCTOR
        ),
        right=CollaboratorRight.EDITOR,
    )
    book = course_list.citations.get(title="The Canon and Its Critics")
    website = course_list.citations.get(material_type="website")
    services.citation_mark(user=student, citation=book, done=True, liked=True)
    public_list = make_list(
        owner=instructor,
        name="Open reading for everyone",
        citations=[
            {"title": "A Public Book", "status": "Complete"},
            {
                "title": "Poetry Glossary",
                "material_type": "website",
                "status": "Complete",
                "metadata": {
                    "type": "webpage",
                    "title": "Poetry Glossary",
                    "URL": "https://example.org/glossary",
                },
            },
        ],
        visibility=Visibility.PUBLIC,
    )
    # Two more lists citing the course list's first book with another title: a
    # suggestion for the course list.
    related = {
        "title": "Related Reading",
        "status": "Complete",
        "metadata": {"type": "book", "title": "Related Reading", "ISBN": ""},
    }
    for n in (1, 2):
        make_list(
            owner=instructor,
            name=f"Another course's reading {n}",
            citations=[
                {"title": "The Canon and Its Critics", "status": "Complete"},
                related,
            ],
            visibility=Visibility.INSTITUTION,
        )
    refresh_all()
    week1 = course_list.sections.get(name="Week 1")
    list_url = f"/lists/{course_list.pk}/"
    return Scene(
        instructor=instructor,
        student=student,
        librarian=librarian,
        course_list=course_list,
        public_list=public_list,
        urls={
            "my lists": "/lists/",
            "new list form": "/lists/new/",
            "editor list": list_url,
            "editor list, default section only": f"/lists/{public_list.pk}/",
            "list details form": f"{list_url}edit/",
            "citation add form with an error": (
                f"{list_url}citations/add/?section={week1.pk}&type=website"
            ),
            "citation edit form": f"/citations/{book.pk}/edit/",
            "section add form": f"{list_url}sections/add/",
            "section edit form": f"/sections/{week1.pk}/edit/",
            "publish form": f"{list_url}publish/",
            "collaborators": f"{list_url}collaborators/",
            "history": f"{list_url}history/",
            "usage": f"{list_url}usage/",
            "suggestions": f"/suggestions/lists/{course_list.pk}/",
            "student suggestions": f"/suggestions/lists/{course_list.pk}/",
            "confirm delete citation": f"/citations/{website.pk}/delete/",
            "confirm delete list": f"{list_url}delete/",
            "duplicate": f"{list_url}duplicate/",
            "student view preview": f"{list_url}?view=reader",
            "editor list with a message": "/lists/new/",
            "student courses": "/courses/",
            "student list": list_url,
            "citation detail": f"/citations/{book.pk}/",
            "find it": (
                "/openurl?genre=book&title=The+Canon+and+Its+Critics&isbn=0192860925"
            ),
            "link not understood": "/openurl?foo=bar",
            "forbidden edit page": f"{list_url}edit/",
            "login": "/login/",
            "login with an error": "/login/",
            "guest list": f"/lists/{public_list.pk}/",
            "guest citation detail": f"/citations/{public_list.citations.first().pk}/",
            "not found": "/no-such-page/",
            "reports": "/library/reports/",
            "report with a chart": "/library/reports/lists-by-status/",
            "report of use": "/library/reports/item-use/",
            "report with an error": "/library/reports/turnaround/?from=2026-10-01&to=2026-09-01",
        },
    )


# Each role's pages, in the order they are visited with one login.
PAGES = {
    "instructor": [
        "my lists",
        "new list form",
        "editor list",
        "editor list, default section only",
        "list details form",
        "citation add form with an error",
        "citation edit form",
        "section add form",
        "section edit form",
        "publish form",
        "collaborators",
        "history",
        "usage",
        "suggestions",
        "confirm delete citation",
        "confirm delete list",
        "duplicate",
        "student view preview",
        "editor list with a message",
    ],
    "student": [
        "student courses",
        "student list",
        "citation detail",
        "student suggestions",
        "find it",
        "link not understood",
        "forbidden edit page",
    ],
    "librarian": [
        "reports",
        "report with a chart",
        "report of use",
        "report with an error",
    ],
    "guest": [
        "login",
        "login with an error",
        "guest list",
        "guest citation detail",
        "not found",
    ],
}
# Pages whose formatted citations carry long unbreakable links (a DOI); see
# test_list_pages_fit_the_lms_iframe_with_long_links.
LONG_LINK_PAGES = {"editor list", "student view preview", "student list"}


def _visit(page: Page, scene: Scene, name: str) -> None:
    """Opens the page and brings it to the state named, for example with an error."""
    page.goto(scene.urls[name])
    if name == "citation add form with an error":
        page.get_by_role("textbox", name="Page title").fill("Close Reading, Explained")
        page.get_by_role("button", name="Add citation", exact=True).click()
        expect(page.get_by_role("alert")).to_be_visible()
    elif name == "login with an error":
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_be_visible()
    elif name in ("suggestions", "student suggestions", "editor list", "student list"):
        # The list pages load theirs after the page: axe sees them loaded.
        expect(page.locator("#suggestions")).to_contain_text("Related Reading")
    elif name == "editor list with a message":
        page.get_by_role("textbox", name="Name", exact=True).fill("A fresh list")
        page.get_by_role("button", name="Create list").click()
        expect(page.get_by_role("status")).to_contain_text("List created")
    expect(page.locator("h1")).to_be_visible()


def _walk(
    page: Page,
    scene: Scene,
    role: str,
    login: Login,
    check: Callable[[Page, str], str],
    skip: frozenset[str] | set[str] = frozenset(),
) -> dict[str, str]:
    """Visits the role's pages with one login; returns the problems `check` found,
    by page."""
    if role != "guest":
        login(page, getattr(scene, role))
    problems = {}
    for name in PAGES[role]:
        if name in skip:
            continue
        _visit(page, scene, name)
        problem = check(page, name)
        if problem:
            problems[name] = f"{scene.urls[name]}\n{problem}"
    return problems


def _report(problems: dict[str, str]) -> str:
    return "\n\n".join(f"{name}: {text}" for name, text in problems.items())


@pytest.mark.parametrize("role", PAGES)
def test_every_page_has_no_axe_violations(
    page: Page, scene: Scene, role: str, login: Login, axe_violations: AxeRun
) -> None:
    problems = _walk(
        page,
        scene,
        role,
        login,
        lambda page, name: describe_violations(axe_violations(page)),
    )
    assert problems == {}, _report(problems)


@pytest.mark.parametrize("role", PAGES)
def test_dark_mode_has_enough_colour_contrast(
    new_page: Callable[..., Page],
    scene: Scene,
    role: str,
    login: Login,
    axe_violations: AxeRun,
    screenshot: Shoot,
) -> None:
    page = new_page(color_scheme="dark")

    def contrast(page: Page, name: str) -> str:
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        if name in ("editor list", "student list"):
            screenshot(page, f"{name.replace(' ', '-')}-dark")
        return describe_violations(axe_violations(page, rules=["color-contrast"]))

    problems = _walk(page, scene, role, login, contrast)
    assert problems == {}, _report(problems)


def _horizontal_overflow(page: Page, name: str = "") -> str:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= LMS_IFRAME["width"]:
        return ""
    wide = page.evaluate(
        """limit => Array.from(document.querySelectorAll('main *'))
            .filter(e => e.getBoundingClientRect().right > limit)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                 + ' ' + (e.textContent || '').trim().slice(0, 60))
            .slice(-5)""",
        LMS_IFRAME["width"],
    )
    return f"scrollWidth {width} > {LMS_IFRAME['width']}:\n    " + "\n    ".join(wide)


@pytest.mark.parametrize("role", PAGES)
def test_pages_fit_the_lms_iframe_without_horizontal_scroll(
    new_page: Callable[..., Page], scene: Scene, role: str, login: Login
) -> None:
    page = new_page(viewport=LMS_IFRAME)
    problems = _walk(page, scene, role, login, _horizontal_overflow, LONG_LINK_PAGES)
    assert problems == {}, _report(problems)


@pytest.mark.parametrize("role", ["instructor", "student"])
def test_list_pages_fit_the_lms_iframe_with_long_links(
    new_page: Callable[..., Page],
    scene: Scene,
    role: str,
    login: Login,
    screenshot: Shoot,
) -> None:
    page = new_page(viewport=LMS_IFRAME)
    login(page, getattr(scene, role))
    page.goto(f"/lists/{scene.course_list.pk}/")
    expect(page.locator(".citation").first).to_be_visible()
    screenshot(page, f"{'editor' if role == 'instructor' else 'student'}-list-400px")
    problem = _horizontal_overflow(page)
    assert problem == "", problem


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(
    page: Page, scene: Scene, login: Login
) -> None:
    # A guest's reading view, then the instructor's editing view (the most controls).
    for role, url in (
        ("guest", f"/lists/{scene.public_list.pk}/"),
        ("instructor", f"/lists/{scene.course_list.pk}/"),
    ):
        if role == "instructor":
            login(page, scene.instructor)
        page.goto(url)
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to main content")
        expect(skip).to_be_focused()
        # Shown when focused: inside the viewport, not parked off-screen.
        box = skip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, role
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        # The next Tab lands on the first control of the content, not in the header.
        page.keyboard.press("Tab")
        expect(page.locator("main :focus")).to_have_count(1)
