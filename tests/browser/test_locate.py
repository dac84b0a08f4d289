"""Locate in a real browser: a librarian confirms a suggested catalog match from the
queue (htmx swaps the row), the student's list then shows the record's availability;
axe-core's WCAG 2.2 AA rules on the queue and on the list with availability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.catalog.models import Item, ItemStatus, Record
from lectio.core.factories import make_list
from lectio.courses.models import Course
from lectio.lists.models import Citation, CitationMatch, ReadingList

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]

TITLE = "Teaching to Transgress"
OTHER = "The Canon and Its Critics"


@dataclass
class Scene:
    reading_list: ReadingList
    citation: Citation
    match: CitationMatch
    record: Record


@pytest.fixture
def scene(instructor: User, course: Course) -> Scene:
    reading_list = make_list(
        owner=instructor,
        courses=[course],
        name="Pedagogy",
        citations=[
            {"title": TITLE, "status": "Complete"},
            {"title": OTHER, "status": "Complete"},
        ],
        visibility="course",
    )
    citation = reading_list.citations.get(title=TITLE)
    record = Record.objects.create(
        control_number="loc-1",
        title="Teaching to transgress",
        subtitle="education as the practice of freedom",
        author="Hooks, Bell",
        publisher="Routledge",
        year=1994,
        isbns=["9780415908085"],
    )
    Item.objects.create(record=record, barcode="b-1", status=ItemStatus.AVAILABLE)
    unrelated = Record.objects.create(control_number="loc-2", title="Canon wars")
    match = CitationMatch.objects.create(
        citation=citation, record=record, method="title", score=92.5
    )
    CitationMatch.objects.create(
        citation=reading_list.citations.get(title=OTHER),
        record=unrelated,
        method="title",
        score=86,
    )
    return Scene(reading_list, citation, match, record)


def test_a_librarian_confirms_a_suggestion_and_the_student_sees_availability(
    scene: Scene,
    page: Page,
    new_page: Callable[..., Page],
    login: Login,
    librarian: User,
    student: User,
    axe_violations: AxeRun,
) -> None:
    login(page, librarian)
    page.goto("/library/locate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Locate: suggested catalog matches"
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    row = page.locator(f"#m{scene.match.pk}")
    expect(row).to_contain_text("ISBN 9780415908085")
    expect(row).to_contain_text("93 / 100")
    row.get_by_role("button", name="Confirm").click()

    expect(page.locator(f"#m{scene.match.pk}")).to_contain_text(
        "Confirmed: the item is linked to this record."
    )
    assert (
        Citation.objects.get(pk=scene.citation.pk).catalog_record_id == scene.record.pk
    )
    # The other suggestion is still there to decide.
    expect(page.get_by_role("button", name="Reject")).to_have_count(1)

    student_page = new_page()
    login(student_page, student)
    student_page.goto(f"/lists/{scene.reading_list.pk}/")
    item = student_page.locator(f"#c{scene.citation.pk}")
    expect(item).to_contain_text("Available (1 of 1 copy)")
    violations = axe_violations(student_page)
    assert not violations, describe_violations(violations)
    item.get_by_role("link", name="Details and my note").click()
    expect(student_page.get_by_role("heading", name="In the library")).to_be_visible()
    expect(student_page.get_by_text("Available (1 of 1 copy)")).to_be_visible()
    violations = axe_violations(student_page)
    assert not violations, describe_violations(violations)


def test_the_editor_sees_availability_and_can_undo_a_link(
    scene: Scene, page: Page, login: Login, instructor: User, axe_violations: AxeRun
) -> None:
    Citation.objects.filter(pk=scene.citation.pk).update(catalog_record=scene.record)
    login(page, instructor)
    page.goto(f"/lists/{scene.reading_list.pk}/")
    expect(page.locator(f"#c{scene.citation.pk}")).to_contain_text(
        "Available (1 of 1 copy)"
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    page.goto(f"/citations/{scene.citation.pk}/")
    page.get_by_role("button", name="Not this record: remove the link").click()

    expect(
        page.get_by_text("The item is no longer linked to that record.")
    ).to_be_visible()
    assert Citation.objects.get(pk=scene.citation.pk).catalog_record_id is None


def test_rejecting_by_keyboard_keeps_focus_on_the_page(
    scene: Scene, page: Page, login: Login, librarian: User
) -> None:
    login(page, librarian)
    page.goto(f"/library/locate/?list={scene.reading_list.pk}")
    reject = page.locator(f"#m{scene.match.pk}").get_by_role("button", name="Reject")
    reject.focus()
    page.keyboard.press("Enter")

    expect(page.locator(f"#m{scene.match.pk}")).to_contain_text(
        "Rejected: this record will not be suggested again."
    )
    assert CitationMatch.objects.get(pk=scene.match.pk).state == "rejected"


def test_the_queue_fits_the_lms_iframe_and_passes_axe_in_dark_mode(
    scene: Scene,
    new_page: Callable[..., Page],
    login: Login,
    librarian: User,
    axe_violations: AxeRun,
) -> None:
    page = new_page(viewport=LMS_IFRAME, color_scheme="dark")
    login(page, librarian)
    page.goto("/library/locate/")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
