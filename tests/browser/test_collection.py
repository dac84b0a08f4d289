"""My collection in a real browser: a student saves a citation from a list they
read into a new folder; an instructor saves a catalog record and copies it onto a
list. axe-core's WCAG 2.2 AA rules on each page, and the 400 px LMS frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.catalog.models import Record
from lectio.collection.models import Item
from lectio.lists.models import Citation
from lectio.lists.statuses import CitationStatus

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

AxeRun = Callable[..., list[dict[str, Any]]]
Login = Callable[[Page, User], None]


def test_a_student_saves_a_citation_into_a_folder(
    page: Page,
    login: Login,
    student: User,
    published_list: Any,
    axe_violations: AxeRun,
) -> None:
    citation = published_list.citations.filter(status=CitationStatus.COMPLETE).first()
    login(page, student)
    page.get_by_role("link", name="My collection", exact=True).click()
    expect(page.get_by_text("Nothing saved yet.")).to_be_visible()
    page.get_by_label("New folder").fill("Essay sources")
    page.get_by_role("button", name="Make the folder").click()
    expect(page.get_by_role("status")).to_contain_text("Folder “Essay sources” made")

    page.goto(f"/citations/{citation.pk}/")
    page.get_by_role("link", name="Save to my collection").click()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    page.get_by_label("Folder").select_option(label="Essay sources")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("to your collection")

    page.get_by_role("link", name="My collection", exact=True).click()
    expect(page.get_by_role("link", name="Essay sources")).to_be_visible()
    expect(page.get_by_text(citation.metadata["title"])).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    item = Item.objects.get(owner=student)
    assert item.folder is not None and item.folder.name == "Essay sources"

    page.set_viewport_size(LMS_IFRAME)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_an_instructor_copies_a_saved_record_onto_a_list(
    page: Page,
    login: Login,
    instructor: User,
    reading_list: Any,
    axe_violations: AxeRun,
) -> None:
    record = Record.objects.create(
        control_number="browser-coll-1",
        title="Ways of Seeing",
        author="Berger, John",
        year=1972,
        format="book",
    )
    login(page, instructor)
    page.goto(f"/catalog/records/{record.pk}/")
    page.get_by_role("link", name="Save to my collection").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Ways of Seeing”")

    page.goto("/collection/")
    page.get_by_label("Ways of Seeing").check()
    page.get_by_label("Copy to").select_option(label=f"{reading_list.name}: Week 1")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    page.get_by_role("button", name="Copy to the list").click()

    expect(page.get_by_role("status")).to_contain_text("Copied 1 item to Week 1")
    added = Citation.objects.get(reading_list=reading_list, catalog_record=record)
    assert added.section.name == "Week 1"
