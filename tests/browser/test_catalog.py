"""Discovery in a real browser: an instructor searches the catalog (with the
suggestions list), opens a record, adds it to a list with the inline picker and finds it
on the list; a student finds a course's reserves. axe-core's WCAG 2.2 AA rules on the
search, record and reserves pages, light and dark, and at the LMS iframe's width."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.catalog.models import ItemStatus, Record
from lectio.catalog.tests.test_views_support import (
    add_copy,
    add_portfolio,
    make_record,
    put_on_reserve,
)
from lectio.core.factories import make_list
from lectio.courses.models import Course
from lectio.lists.from_catalog import citation_add_from_record
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import CitationStatus, Visibility

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]
Shoot = Callable[[Page, str], None]


@pytest.fixture
def shelf(course: Course) -> dict[str, Record]:
    origin = make_record(
        "On the origin of species",
        subtitle="by means of natural selection",
        urls=[{"url": "https://archive.example.org/origin", "note": "Full text"}],
    )
    add_copy(origin)
    add_copy(origin, status=ItemStatus.ON_LOAN, due=datetime.date(2026, 12, 12))
    put_on_reserve(add_copy(origin), course)
    add_portfolio(origin, open_access=True)
    descent = make_record("The descent of man", year=1871, date="1871")
    add_copy(descent, status=ItemStatus.ON_LOAN, due=datetime.date(2026, 12, 1))
    return {"origin": origin, "descent": descent}


def test_instructor_finds_a_book_and_adds_it_to_a_list(
    page: Page,
    login: Login,
    instructor: User,
    reading_list: ReadingList,
    shelf: dict[str, Record],
    screenshot: Shoot,
) -> None:
    login(page, instructor)
    page.goto("/catalog/")
    search_box = page.get_by_role("combobox", name="Search the catalog")
    search_box.press_sequentially("on the or", delay=30)
    # The suggestions arrive in the box's list of options.
    expect(page.locator("#catalog-suggestions option")).to_have_count(1)
    assert (
        page.locator("#catalog-suggestions option").get_attribute("value")
        == "On the origin of species"
    )
    search_box.fill("darwin")
    search_box.press("Enter")
    expect(page.get_by_role("heading", name="2 results")).to_be_visible()
    results = page.locator("ol.results")
    expect(results).to_contain_text("Available (2 of 3 copies)")
    expect(page.get_by_role("group", name="Format")).to_contain_text("Book (2)")
    screenshot(page, "catalog-search")

    # A filter keeps the query.
    page.get_by_role("link", name="1870s").click()
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(page.get_by_role("combobox", name="Search the catalog")).to_have_value(
        "darwin"
    )
    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_role("heading", name="2 results")).to_be_visible()

    page.get_by_role("link", name="On the origin of species").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "On the origin of species"
    )
    expect(page.get_by_role("cell", name="On reserve for LIT101")).to_be_visible()
    screenshot(page, "catalog-record")

    # The picker opens inline (htmx), the list's default section chosen.
    page.get_by_role("link", name="Add to a list").click()
    picker = page.get_by_role("combobox", name="List and section")
    expect(picker).to_be_focused()
    week1 = reading_list.sections.get(name="Week 1")
    picker.select_option(str(week1.pk))
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Added “On the origin of species” to Week 1 on Reading the Canon"
    )
    citation = Citation.objects.get(catalog_record=shelf["origin"])
    assert citation.section_id == week1.pk
    assert citation.created_by_id == instructor.pk

    page.get_by_role("link", name="Open the list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reading_list.name)
    expect(page.locator(f"#c{citation.pk}")).to_contain_text(
        "On the origin of species: by means of natural selection"
    )

    # Twice in the same section: refused, with a message.
    page.goto(f"/catalog/records/{shelf['origin'].pk}/add/")
    page.get_by_role("combobox", name="List and section").select_option(str(week1.pk))
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("is already in Week 1")
    assert Citation.objects.filter(catalog_record=shelf["origin"]).count() == 1


def test_add_to_a_list_works_without_javascript(
    browser: Any,
    live_server: Any,
    instructor: User,
    reading_list: ReadingList,
    shelf: dict[str, Record],
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(instructor.username)
        page.get_by_label("Password").fill("lectio")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/catalog/records/{shelf['descent'].pk}/")
        page.get_by_role("link", name="Add to a list").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add to a list")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text(
            "Added “The descent of man” to Resources"
        )
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "The descent of man"
        )
    finally:
        context.close()
    assert Citation.objects.get(catalog_record=shelf["descent"]).section.is_default


@pytest.fixture
def reserves(course: Course, instructor: User, shelf: dict[str, Record]) -> ReadingList:
    published = make_list(
        owner=instructor,
        courses=[course],
        name="Evolution: core reading",
        visibility=Visibility.COURSE,
    )
    for record in shelf.values():
        citation = citation_add_from_record(
            actor=instructor, record=record, reading_list=published
        )
        Citation.objects.filter(pk=citation.pk).update(status=CitationStatus.COMPLETE)
    return published


def test_student_finds_a_courses_reserves(
    page: Page,
    login: Login,
    student: User,
    course: Course,
    reserves: ReadingList,
    shelf: dict[str, Record],
) -> None:
    login(page, student)
    page.goto("/reserves/")
    page.get_by_label("Instructor").fill("instructor")
    page.get_by_role("button", name="Find courses").click()
    expect(page.get_by_role("heading", name="1 course")).to_be_visible()
    expect(page.locator(".course-results")).to_contain_text("Evolution: core reading")
    page.get_by_role("link", name="LIT101 Reading the Canon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "LIT101 Reading the Canon"
    )
    reserve_table = page.get_by_role("table")
    expect(reserve_table).to_contain_text("Reserve desk")
    expect(reserve_table).to_contain_text("2-hour loan")
    expect(page.locator("ol.citations")).to_contain_text("The descent of man")
    expect(page.locator("ol.citations")).to_contain_text("On loan, due")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_discovery_pages_pass_axe(
    new_page: Callable[..., Page],
    login: Login,
    instructor: User,
    course: Course,
    reserves: ReadingList,
    shelf: dict[str, Record],
    axe_violations: AxeRun,
    scheme: str,
) -> None:
    origin = shelf["origin"]
    pages = {
        "search (empty)": "/catalog/",
        "search": "/catalog/?q=darwin",
        "search (nothing found)": "/catalog/?q=zanzibar&format=map",
        "search (bad year)": "/catalog/?q=darwin&year_from=1900&year_to=1800",
        "record": f"/catalog/records/{origin.pk}/",
        "add to list": f"/catalog/records/{origin.pk}/add/",
        "reserves (empty)": "/reserves/",
        "reserves": "/reserves/?q=LIT",
        "course reserves": f"/reserves/courses/{course.pk}/",
    }
    for viewport in (None, LMS_IFRAME):
        options: dict[str, Any] = {"color_scheme": scheme}
        if viewport:
            options["viewport"] = viewport
        page = new_page(**options)
        login(page, instructor)
        for name, url in pages.items():
            page.goto(url)
            violations = axe_violations(page)
            assert not violations, f"{name} ({scheme}, {viewport}):\n" + (
                describe_violations(violations)
            )
            if viewport:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= LMS_IFRAME["width"], f"{name} scrolls sideways"
        # The inline picker too.
        page.goto(f"/catalog/records/{origin.pk}/")
        page.get_by_role("link", name="Add to a list").click()
        expect(page.get_by_role("combobox", name="List and section")).to_be_visible()
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
