"""Holds in a real browser: a student places a hold and sees it, the librarian marks it
ready from the queue, the student sees "Ready for pickup"; axe-core's WCAG 2.2 AA rules
on the hold form, my holds and the queue (light and dark), and the queue at the 400 px
LMS iframe width."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.catalog.models import (
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    PickupLocation,
    Record,
)
from lectio.lists import services as list_services
from lectio.lists.models import Citation, ReadingList
from lectio.workflow import services as workflow
from lectio.workflow.models import ProcessingRequest

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def record(db: None) -> Record:
    PickupLocation.objects.create(code="MAIN", name="Main library desk")
    PickupLocation.objects.create(code="SCI", name="Science library")
    record = Record.objects.create(
        control_number="b1",
        title="The Structure of Scientific Revolutions",
        author="Kuhn, Thomas S.",
        year=1962,
    )
    Item.objects.create(record=record, barcode="31234000111", location="Stacks")
    return record


def assert_accessible(page: Page, axe_violations: AxeRun, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe_violations(violations)}"


def test_student_places_a_hold_and_the_librarian_makes_it_ready(
    new_page: Callable[..., Page],
    login: Login,
    student: User,
    librarian: User,
    record: Record,
    axe_violations: AxeRun,
) -> None:
    page = new_page()
    login(page, student)
    page.goto(f"/catalog/records/{record.pk}/hold/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Place a hold")
    assert_accessible(page, axe_violations, "hold form")
    page.get_by_label("Pickup location").select_option(label="Science library")
    page.get_by_label("Note for the library").fill("Any edition will do")
    page.get_by_role("button", name="Place hold").click()

    expect(page).to_have_url(re.compile(r"/holds/$"))
    expect(page.get_by_text("Hold placed.")).to_be_visible()
    row = page.get_by_role("row", name="The Structure of Scientific Revolutions")
    expect(row).to_contain_text("Requested")
    expect(row).to_contain_text("Science library")
    assert_accessible(page, axe_violations, "my holds")

    library = new_page()
    login(library, librarian)
    library.goto("/library/holds/")
    expect(library.get_by_role("heading", level=1)).to_have_text("Hold queue")
    assert_accessible(library, axe_violations, "hold queue")
    library.get_by_label("Pickup location").select_option(label="Science library")
    library.get_by_role("button", name="Filter").click()
    queue_row = library.get_by_role("row", name="The Structure of Scientific")
    expect(queue_row).to_contain_text("Any edition will do")
    queue_row.get_by_role("button", name="Ready for pickup").click()
    expect(library.get_by_text("Ready for pickup.")).to_be_visible()
    expect(
        library.get_by_role("row", name="The Structure of Scientific")
    ).to_contain_text("Copy 31234000111")
    hold = Hold.objects.get()
    assert hold.status == HoldStatus.READY
    assert Item.objects.get().status == ItemStatus.ON_HOLD_SHELF

    page.reload()
    row = page.get_by_role("row", name="The Structure of Scientific Revolutions")
    expect(row).to_contain_text("Ready for pickup")
    expect(row).to_contain_text("Copy 31234000111")


def test_hold_pages_in_dark_mode_and_in_the_lms_iframe(
    new_page: Callable[..., Page],
    login: Login,
    student: User,
    librarian: User,
    record: Record,
    axe_violations: AxeRun,
) -> None:
    Hold.objects.create(
        record=record,
        requester=student,
        pickup_location=PickupLocation.objects.get(code="MAIN"),
        note="Before Friday, please",
    )
    dark = new_page(color_scheme="dark")
    login(dark, student)
    for url, what in (
        (f"/catalog/records/{record.pk}/hold/", "hold form (already held), dark"),
        ("/holds/", "my holds, dark"),
    ):
        dark.goto(url)
        assert_accessible(dark, axe_violations, what)
    narrow = new_page(viewport=LMS_IFRAME)
    login(narrow, librarian)
    narrow.goto("/library/pickup-locations/")
    assert_accessible(narrow, axe_violations, "pickup locations at 400 px")
    narrow.goto("/library/holds/")
    assert_accessible(narrow, axe_violations, "hold queue at 400 px")
    # Keyboard: the first action of the row is reachable and works with Enter.
    button = narrow.get_by_role("button", name="Fetching")
    button.focus()
    narrow.keyboard.press("Enter")
    expect(narrow.get_by_text("Being fetched.")).to_be_visible()
    assert Hold.objects.get().status == HoldStatus.IN_PROCESS


def test_librarian_puts_a_copy_on_reserve_from_a_request(
    page: Page,
    login: Login,
    instructor: User,
    librarian: User,
    reading_list: ReadingList,
    record: Record,
    axe_violations: AxeRun,
) -> None:
    list_services.reading_list_send_to_library(
        actor=instructor, reading_list=reading_list
    )
    citation = Citation.objects.get(
        reading_list=reading_list, title="The Canon and Its Critics"
    )
    Citation.objects.filter(pk=citation.pk).update(catalog_record=record)
    request = workflow.request_create(
        actor=instructor, citation=citation, kind="reserves"
    )
    login(page, librarian)
    page.goto(f"/library/lists/{reading_list.pk}/")
    page.locator(f"#c{citation.pk}").get_by_role("link", name="Put on reserve…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Put on reserve")
    assert_accessible(page, axe_violations, "put on reserve")
    page.get_by_label("31234000111").check()
    page.get_by_label("Loan policy").fill("3-hour loan")
    page.get_by_role("button", name="Put on reserve and complete the request").click()
    expect(page.get_by_text("is on reserve for LIT101")).to_be_visible()
    assert ProcessingRequest.objects.get(pk=request.pk).state == "Done"
    item = Item.objects.get()
    assert (item.location, item.loan_policy) == ("Course reserves", "3-hour loan")

    page.goto("/library/reserves/")
    row = page.get_by_role("row", name="The Structure of Scientific")
    expect(row).to_contain_text("Stacks")
    assert_accessible(page, axe_violations, "library reserves")
    row.get_by_label("Reason").fill("Instructor dropped it")
    row.get_by_role("button", name="End reserve").click()
    expect(page.get_by_text("Reserve ended.")).to_be_visible()
    assert Item.objects.get().location == "Stacks"
