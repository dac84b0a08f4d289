"""Accessibility of the library's pages in a real browser: axe-core's WCAG 2.2 AA rules
on every page of the librarian's, the instructor's and the administrator's side of the
library workflow, light and dark; the 400 px LMS iframe; the keyboard path through the
task list's tabs and a list's per-item buttons."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from lectio.accounts.models import User
from lectio.core.factories import make_list
from lectio.courses.models import Course
from lectio.lists import processing
from lectio.lists.models import ReadingList, Tag, TagKind
from lectio.lists.statuses import CitationStatus
from lectio.workflow import services as workflow
from lectio.workflow.models import RequestState

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]
Shoot = Callable[[Page, str], None]

BOOK = "The Canon and Its Critics"
ARTICLE = "Reading Against the Grain"
CHAPTER = "On Anthologies"
WEBSITE = "Close Reading, Explained"


@dataclass
class Scene:
    librarian: User
    instructor: User
    admin: User
    work_list: ReadingList
    urls: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def scene(
    instructor: User,
    librarian: User,
    other_librarian: User,
    admin: User,
    course: Course,
    default_tags: dict[str, Tag],
    default_rules: None,
) -> Scene:
    """A list the librarian is working on, with what its pages can show: open and
    closed requests, an approved copyright, library tags and a note, a note from the
    instructor, a declined item, a discussion and news from the instructor since the
    library last looked. Beside it, one list nobody has taken and one another
    librarian has, so that every tab of the task list has a row."""
    Course.objects.filter(pk=course.pk).update(participants=45)
    shared = Tag.objects.create(kind=TagKind.INSTRUCTOR_LIBRARY, name="Check edition")
    internal = Tag.objects.create(kind=TagKind.LIBRARY_INTERNAL, name="Vendor: Dawson")
    work_list = make_list(
        owner=instructor,
        courses=[course],
        name="Canon and critics",
        sections=["Week 1"],
        citations=[
            {
                "title": BOOK,
                "section": "Week 1",
                "tag_ids": [default_tags["Essential"].pk],
                "instructor_note": "The 1994 edition, please.",
            },
            {"title": ARTICLE, "section": "Week 1", "material_type": "article"},
            {"title": CHAPTER, "section": "Week 1", "material_type": "book_chapter"},
            {
                "title": WEBSITE,
                "material_type": "website",
                "metadata": {
                    "type": "webpage",
                    "title": WEBSITE,
                    "URL": "https://example.org/close-reading",
                },
            },
        ],
        send_to_library=True,
    )
    book, article, chapter = (
        work_list.citations.get(title=title) for title in (BOOK, ARTICLE, CHAPTER)
    )
    processing.reading_list_take(actor=librarian, reading_list=work_list)
    workflow.request_create(
        actor=librarian,
        citation=book,
        kind="digitization",
        page_ranges="12-30",
        total_pages=400,
    )
    workflow.request_create(actor=librarian, citation=book, kind="purchase")
    done = workflow.request_create(
        actor=librarian,
        citation=chapter,
        kind="digitization",
        page_ranges="1-5",
        total_pages=120,
    )
    for state in (RequestState.IN_PROGRESS, RequestState.DONE):
        workflow.request_set_state(actor=librarian, request=done, state=state)
    processing.citation_library_update(
        actor=librarian,
        citation=book,
        library_note="Two copies in stock already.",
        tag_ids=[shared.pk, internal.pk],
    )
    workflow.message_post(
        actor=librarian,
        reading_list=work_list,
        citation=article,
        body="Is a 1995 article still the one you want?",
    )
    processing.citations_set_status(
        actor=librarian,
        reading_list=work_list,
        citation_ids=[article.pk],
        status=CitationStatus.DECLINED,
        reason="Out of print and no e-book licence.",
    )
    processing.reading_list_mark_seen(actor=librarian, reading_list=work_list)
    # After the library last looked: news.
    workflow.message_post(
        actor=instructor,
        reading_list=work_list,
        body="No, it is dated now. Drop it, please.",
    )
    make_list(
        owner=instructor,
        courses=[course],
        name="Modern poetry",
        citations=[{"title": "Poems of the Century"}],
        send_to_library=True,
    )
    others = make_list(
        owner=instructor,
        courses=[course],
        name="Drama on stage",
        citations=[{"title": "The Empty Space"}],
        send_to_library=True,
    )
    processing.reading_list_take(actor=other_librarian, reading_list=others)
    work_list.refresh_from_db()
    work = f"/library/lists/{work_list.pk}/"
    discussion = f"/lists/{work_list.pk}/discussion/"
    return Scene(
        librarian=librarian,
        instructor=instructor,
        admin=admin,
        work_list=work_list,
        urls={
            "library home": "/library/",
            "task list, all": "/library/tasks/",
            "task list, assigned to me": "/library/tasks/?tab=mine",
            "task list, unassigned": "/library/tasks/?tab=unassigned",
            "task list, assigned to others": "/library/tasks/?tab=others",
            "task list, filters open": "/library/tasks/",
            "task list, filtered by htmx": "/library/tasks/",
            "task list, nothing matches": "/library/tasks/?q=nothing+like+this",
            "work page": work,
            "work page, declined items": f"{work}?show=declined",
            "request form with an error": f"/citations/{book.pk}/requests/new/",
            "digitization queue, open": "/library/requests/digitization/",
            "digitization queue, closed": "/library/requests/digitization/?state=closed",
            "purchase queue": "/library/requests/purchase/",
            "citation library page": f"/library/citations/{book.pk}/",
            "discussion about an item, librarian": f"{discussion}?citation={article.pk}",
            "discussion, librarian": discussion,
            "notification settings": "/settings/notifications/",
            "instructor list with requests": f"/lists/{work_list.pk}/",
            "discussion, instructor": discussion,
            "discussion about an item, instructor": f"{discussion}?citation={book.pk}",
            "instructor request form": f"/citations/{chapter.pk}/requests/new/",
            "rules": "/settings/rules/",
            "rules with an error": "/settings/rules/",
            "institution settings": "/settings/institution/",
            "link resolver settings": "/settings/linking/",
        },
    )


# Each role's pages, in the order they are visited with one login. The work page
# comes once per walk: opening it clears its news.
PAGES = {
    "librarian": [
        "library home",
        "task list, all",
        "task list, assigned to me",
        "task list, unassigned",
        "task list, assigned to others",
        "task list, filters open",
        "task list, filtered by htmx",
        "task list, nothing matches",
        "work page",
        "work page, declined items",
        "request form with an error",
        "digitization queue, open",
        "digitization queue, closed",
        "purchase queue",
        "citation library page",
        "discussion about an item, librarian",
        "discussion, librarian",
        "notification settings",
    ],
    "instructor": [
        "instructor list with requests",
        "discussion, instructor",
        "discussion about an item, instructor",
        "instructor request form",
    ],
    "admin": [
        "rules",
        "rules with an error",
        "institution settings",
        "link resolver settings",
    ],
}


def _filters(page: Page) -> Locator:
    return page.locator("details.filters")


def _visit(page: Page, scene: Scene, name: str) -> None:
    """Opens the page and brings it to the state named, for example with an error."""
    page.goto(scene.urls[name])
    expect(page.locator("h1")).to_be_visible()
    if name == "task list, filters open":
        _filters(page).get_by_text("Filters and sorting").click()
        expect(page.get_by_label("Search")).to_be_visible()
    elif name == "task list, filtered by htmx":
        _filters(page).get_by_text("Filters and sorting").click()
        page.get_by_label("Search").fill("poetry")
        with page.expect_response(
            lambda r: (
                "q=poetry" in r.url and r.request.headers.get("hx-request") == "true"
            )
        ):
            page.get_by_role("button", name="Apply").click()
        rows = page.locator("#results tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("Modern poetry")
    elif name == "work page":
        expect(
            page.get_by_role("region", name="News since you last looked")
        ).to_be_visible()
    elif name == "request form with an error":
        page.get_by_label("Kind of request").select_option(label="Digitization")
        page.get_by_label("Pages", exact=True).fill("12-30")
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("alert")).to_contain_text("already has an open")
    elif name == "rules with an error":
        copyright_rules = page.get_by_role(
            "region", name="Copyright of digitization requests"
        )
        copyright_rules.get_by_label("Name").fill("Anything goes")
        copyright_rules.get_by_role("button", name="Add copyright rule").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Give the rule at least one condition."
        )


def _walk(
    page: Page,
    scene: Scene,
    role: str,
    login: Login,
    check: Callable[[Page, str], str],
) -> dict[str, str]:
    """Visits the role's pages with one login; returns the problems `check` found,
    by page."""
    login(page, getattr(scene, role))
    problems = {}
    for name in PAGES[role]:
        _visit(page, scene, name)
        problem = check(page, name)
        if problem:
            problems[name] = f"{scene.urls[name]}\n{problem}"
    return problems


def _report(problems: dict[str, str]) -> str:
    return "\n\n".join(f"{name}: {text}" for name, text in problems.items())


# Violations known and reported, by page: left out of the sweep below, and checked on
# their own by a strict xfail, so the sweep still catches anything new on those pages.
KNOWN = {
    # "The whole list's discussion" sits 2 px under the "Send message" button: a
    # 19 px high link with 23 px of space around it (WCAG 2.5.8).
    "discussion about an item, librarian": {"target-size"},
    "discussion about an item, instructor": {"target-size"},
}


def _unknown_violations(axe_violations: AxeRun) -> Callable[[Page, str], str]:
    def check(page: Page, name: str) -> str:
        known = KNOWN.get(name, set())
        return describe_violations(
            [v for v in axe_violations(page) if v["id"] not in known]
        )

    return check


@pytest.mark.parametrize("role", PAGES)
def test_every_library_page_has_no_axe_violations(
    page: Page, scene: Scene, role: str, login: Login, axe_violations: AxeRun
) -> None:
    problems = _walk(page, scene, role, login, _unknown_violations(axe_violations))
    assert problems == {}, _report(problems)


@pytest.mark.parametrize("role", ["librarian", "instructor"])
def test_item_discussion_page_links_have_room_to_be_tapped(
    page: Page, scene: Scene, role: str, login: Login, axe_violations: AxeRun
) -> None:
    login(page, getattr(scene, role))
    name = f"discussion about an item, {role}"
    _visit(page, scene, name)
    violations = axe_violations(page, rules=["target-size"])
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("role", PAGES)
def test_library_pages_in_dark_mode_have_enough_colour_contrast(
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
        if name == "work page":
            screenshot(page, "library-work-dark")
        return describe_violations(axe_violations(page, rules=["color-contrast"]))

    problems = _walk(page, scene, role, login, contrast)
    assert problems == {}, _report(problems)


# The ids a page repeats, known and reported (axe-core's duplicate-id rules are no
# longer part of its WCAG tags, so the sweep above cannot see them).
KNOWN_DUPLICATE_IDS = {
    # The bulk form's and the completion form's "reason" textareas (BulkStatusForm
    # and CompleteForm, both unprefixed) are both id_reason.
    "work page": {"id_reason"},
}


@pytest.mark.parametrize("role", PAGES)
def test_library_pages_have_unique_ids(
    page: Page, scene: Scene, role: str, login: Login
) -> None:
    def duplicates(page: Page, name: str) -> str:
        repeated = set(
            page.evaluate(
                """() => Array.from(document.querySelectorAll('[id]'), e => e.id)
                    .filter((id, i, all) => all.indexOf(id) !== i)"""
            )
        )
        unknown = repeated - KNOWN_DUPLICATE_IDS.get(name, set())
        return f"repeated ids: {sorted(unknown)}" if unknown else ""

    problems = _walk(page, scene, role, login, duplicates)
    assert problems == {}, _report(problems)


def test_work_page_reason_fields_each_have_their_own_label(
    page: Page, scene: Scene, login: Login
) -> None:
    login(page, scene.librarian)
    _visit(page, scene, "work page")
    bulk = page.get_by_role("group", name="Change the selected items")
    finish = page.get_by_role("region", name="Complete the list")
    expect(
        bulk.get_by_role(
            "textbox",
            name="Reason (required to decline; the instructor sees it)",
            exact=True,
        )
    ).to_have_count(1)
    expect(
        finish.get_by_role(
            "textbox", name="Reason to complete with open items", exact=True
        )
    ).to_have_count(1)


def _horizontal_overflow(page: Page) -> str:
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


def test_task_list_and_work_page_fit_the_lms_iframe(
    new_page: Callable[..., Page], scene: Scene, login: Login, screenshot: Shoot
) -> None:
    page = new_page(viewport=LMS_IFRAME)
    login(page, scene.librarian)
    problems = {}
    for name in ("task list, all", "task list, filters open", "work page"):
        _visit(page, scene, name)
        if name == "work page":
            screenshot(page, "library-work-400px")
        problem = _horizontal_overflow(page)
        if problem:
            problems[name] = problem
    assert problems == {}, _report(problems)


def _tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Presses Tab until `target` has the focus; fails after `limit` presses."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab did not reach {target} in {limit} presses")


def test_tab_reaches_the_task_list_tabs_and_enter_follows_one(
    page: Page, scene: Scene, login: Login
) -> None:
    login(page, scene.librarian)
    page.goto("/library/tasks/")
    tabs = page.get_by_role("navigation", name="Task list tabs").get_by_role("link")
    expect(tabs).to_have_count(4)
    for index in range(4):
        _tab_to(page, tabs.nth(index), limit=60 if index == 0 else 1)
    expect(tabs.nth(3)).to_be_focused()
    # Back to "Unassigned" and follow it with Enter.
    page.keyboard.press("Shift+Tab")
    expect(tabs.nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]tab=unassigned"))
    expect(tabs.nth(2)).to_have_attribute("aria-current", "page")
    expect(page.locator("#results tbody tr")).to_have_count(1)


def test_tab_reaches_each_items_buttons_on_the_work_page(
    page: Page, scene: Scene, login: Login
) -> None:
    login(page, scene.librarian)
    chapter = scene.work_list.citations.get(title=CHAPTER)
    book = scene.work_list.citations.get(title=BOOK)
    page.goto(f"/library/lists/{scene.work_list.pk}/")
    book_item = page.locator(f"#c{book.pk}")
    chapter_item = page.locator(f"#c{chapter.pk}")
    # The book's controls in the order they are shown: pick, its open requests'
    # buttons, status buttons, then the links.
    book_controls = [
        book_item.get_by_role("checkbox", name="Select “The Canon and Its Critics”"),
        book_item.locator(".requests > li").first.get_by_role("button", name="Start"),
        book_item.locator(".requests > li").first.get_by_role("button", name="Done"),
        book_item.locator(".requests > li").first.get_by_role(
            "link", name="Reject or cancel…"
        ),
        # Forward steps first, the step back last.
        book_item.get_by_role("button", name="Set In process"),
        book_item.get_by_role("button", name="Set Complete"),
        book_item.get_by_role("button", name="Set Being prepared"),
        book_item.get_by_role("link", name="New request"),
        book_item.get_by_role("link", name="Library note, tags, copyright"),
        book_item.get_by_role("link", name="Discuss"),
    ]
    _tab_to(page, book_controls[0], limit=80)
    for control in book_controls[1:]:
        _tab_to(page, control, limit=4)
    # Further down, the chapter's "Set Complete" is reached too, and Enter presses it.
    set_complete = chapter_item.get_by_role("button", name="Set Complete")
    _tab_to(page, set_complete, limit=40)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Status changed.")
    expect(chapter_item.locator(".badge.status-Complete")).to_have_text("Complete")
    chapter.refresh_from_db()
    assert chapter.status == CitationStatus.COMPLETE
