"""Uploading a file to a citation through the page, in a real browser: the page
passes axe-core's WCAG 2.2 AA rules (with and without a refusal shown), a refused
PDF says why, and a student of the course opens the file from the reading view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.core.tests import file_samples as samples
from lectio.lists.models import CitationFile, ReadingList

from .conftest import describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]


def test_instructor_uploads_a_file_and_a_student_opens_it(
    page: Page,
    new_page: Callable[..., Page],
    login: Login,
    instructor: User,
    student: User,
    published_list: ReadingList,
    axe_violations: AxeRun,
    tmp_path: Path,
) -> None:
    citation = published_list.citations.get(title="The Canon and Its Critics")
    good = tmp_path / "Week 1 reading.pdf"
    good.write_bytes(samples.pdf())
    active = tmp_path / "scripted.pdf"
    active.write_bytes(samples.pdf_with_javascript())

    login(page, instructor)
    page.goto(f"/lists/{published_list.pk}/")
    page.locator(f"#c{citation.pk}").get_by_role("link", name="Add a file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Files:")
    assert describe_violations(axe_violations(page)) == ""

    page.get_by_label("File *").set_input_files(str(active))
    page.get_by_label("I own it or have permission to share it").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("This PDF contains JavaScript")).to_be_visible()
    assert describe_violations(axe_violations(page)) == ""
    assert not CitationFile.objects.exists()

    page.get_by_label("File *").set_input_files(str(good))
    page.get_by_label("I own it or have permission to share it").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("is uploaded")
    expect(page.get_by_role("link", name="Week 1 reading.pdf")).to_be_visible()
    assert describe_violations(axe_violations(page)) == ""

    student_page = new_page()
    login(student_page, student)
    student_page.goto(f"/lists/{published_list.pk}/")
    link = student_page.locator(f"#c{citation.pk}").get_by_role(
        "link", name="Week 1 reading.pdf"
    )
    expect(link).to_be_visible()
    assert describe_violations(axe_violations(student_page)) == ""
    answer = student_page.request.get(link.get_attribute("href") or "")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.body() == samples.pdf()
