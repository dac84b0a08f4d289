"""Importing a reference manager's file into a list section and exporting citations,
in a real browser: the pages pass axe-core's WCAG 2.2 AA rules, the preview table is
usable by keyboard and label, the downloads arrive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.citations.tests.test_imports import RIS
from lectio.lists.models import ReadingList

from .conftest import describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]


def test_instructor_imports_a_ris_file_after_checking_the_preview(
    page: Page,
    login: Login,
    instructor: User,
    reading_list: ReadingList,
    axe_violations: AxeRun,
    tmp_path: Path,
) -> None:
    path = tmp_path / "from-zotero.ris"
    path.write_bytes(RIS)
    login(page, instructor)
    page.goto(f"/lists/{reading_list.pk}/")

    page.get_by_role("link", name="Import citations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import citations")
    assert describe_violations(axe_violations(page)) == ""
    page.get_by_label("Citation file").set_input_files(str(path))
    page.get_by_label("Import into section").select_option(label="Week 1")
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    table = page.get_by_role("table", name="What each entry becomes")
    expect(table.get_by_role("row")).to_have_count(4)  # header + 3 entries
    expect(page.get_by_text("the entry has no title")).to_be_visible()
    assert describe_violations(axe_violations(page)) == ""
    secular = page.get_by_role("checkbox", name="Import entry 4: Secular Criticism")
    expect(secular).to_be_checked()
    secular.uncheck()
    page.get_by_role("button", name="Import the ticked citations").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Imported 2 citations into Week 1."
    )
    week1 = page.locator(f"#s{reading_list.sections.get(name='Week 1').pk}")
    expect(week1.get_by_text("When We Dead Awaken")).to_be_visible()
    expect(week1.get_by_text("Secular Criticism")).to_have_count(0)
    assert reading_list.citations.filter(title="Teaching to Transgress").count() == 1


def test_student_exports_a_bibliography_from_the_reading_view(
    page: Page,
    login: Login,
    student: User,
    published_list: ReadingList,
    axe_violations: AxeRun,
) -> None:
    login(page, student)
    page.goto(f"/lists/{published_list.pk}/")
    # The reading view carries a COinS span for each citation it shows.
    expect(page.locator("span.Z3988")).to_have_count(2)

    page.get_by_role("link", name="Export citations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export citations")
    assert describe_violations(axe_violations(page)) == ""
    page.get_by_label("PDF bibliography").check()
    page.get_by_label("Citation style").select_option(label="MLA 9th edition")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()

    download = download_info.value
    code = published_list.code.lower()
    assert download.suggested_filename == f"{code}-modern-language-association.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
