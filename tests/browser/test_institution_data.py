"""The administrator's institution data pages in a real browser: uploading a course
file, watching its job finish on the job page (the progress polls by itself), the
reject report, API keys, the loader and rollover settings; axe-core's WCAG 2.2 AA
rules on each, light and dark; the 400 px LMS iframe; the error summary's links.

No worker runs here: the test runs the queued job itself while the job page is open,
as `lectio worker` would, and the page must notice on its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.core.jobs import job_execute
from lectio.core.models import Job, JobState
from lectio.courses.loader import COLUMNS
from lectio.courses.models import Course

from .conftest import LMS_IFRAME, describe_violations

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
AxeRun = Callable[..., list[dict[str, Any]]]
Shoot = Callable[[Page, str], None]


def field(label: str) -> re.Pattern[str]:
    """A field's label, with or without the mark of a required field."""
    return re.compile(rf"^{re.escape(label)}\s*\*?$")


def course_line(**cells: str) -> str:
    return "\t".join(cells.get(name, "") for name in COLUMNS) + "\n"


COMMON = {"TERM1": "AUT26", "START_DATE": "28/09/2026", "END_DATE": "11/12/2026"}
COURSE_FILE = (
    "\t".join(COLUMNS)
    + "\n"
    + course_line(
        COURSE_CODE="LIT101",
        COURSE_TITLE="Reading the Canon",
        SECTION_ID="01",
        ACAD_DEPT="LIT",
        PROC_DEPT="MAIN",
        **COMMON,
    )
    + course_line(
        COURSE_CODE="HIS201",
        COURSE_TITLE="Modern History",
        SECTION_ID="01",
        ACAD_DEPT="HIS",
        PROC_DEPT="MAIN",
        **COMMON,
    )
    + course_line(COURSE_CODE="BAD301", COURSE_TITLE="No department", SECTION_ID="01")
).encode()


def upload_course_file(page: Page) -> int:
    """Fills the upload form as a person would and sends it; returns the job's id."""
    page.goto("/institution/data/")
    page.get_by_label("Courses (Alma course loader file, tab-separated)").check()
    page.get_by_label(field("File")).set_input_files(
        files=[
            {
                "name": "autumn-courses.tsv",
                "mimeType": "text/tab-separated-values",
                "buffer": COURSE_FILE,
            }
        ]
    )
    page.get_by_label("Apply the valid rows only").check()
    page.get_by_label(field("Date format in the file")).fill("%d/%m/%Y")
    page.get_by_role("button", name="Load the file").click()
    expect(page).to_have_url(re.compile(r"/institution/jobs/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def run_queued_job(pk: int) -> Job:
    # What `lectio worker` does with the job the upload queued.
    return job_execute(Job.objects.get(pk=pk))


def test_admin_loads_a_course_file_and_the_job_page_follows_it_to_the_end(
    page: Page,
    admin: User,
    login: Login,
    axe_violations: AxeRun,
    screenshot: Shoot,
) -> None:
    login(page, admin)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Institution data").click()
    expect(nav.get_by_role("link", name="Institution data")).to_have_attribute(
        "aria-current", "page"
    )
    pk = upload_course_file(page)

    status = page.locator("#job-status")
    expect(status).to_have_text("Waiting to start.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Courses job {pk}")
    expect(page.get_by_label("Rows done")).to_have_attribute("value", "0")
    assert axe_violations(page) == [], describe_violations(axe_violations(page))

    assert run_queued_job(pk).state == JobState.DONE

    # No reload: the page polls and the status line says the job finished.
    expect(status).to_have_text("Finished.")
    bar = page.get_by_label("Rows done")
    expect(bar).to_have_text("100%")
    assert bar.get_attribute("value") == bar.get_attribute("max")
    counts = page.get_by_role("list", name="Counts")
    expect(counts.locator("[data-count=created] .n")).to_have_text("2")
    expect(counts.locator("[data-count=rejected] .n")).to_have_text("1")
    rejects = page.get_by_role("table", name="Rejected rows")
    expect(rejects.locator("tbody tr")).to_have_count(1)
    expect(rejects.locator("tbody tr td").first).to_have_text("4")
    expect(rejects).to_contain_text("PROC_DEPT")
    screenshot(page, "institution-job-finished")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the reject report")).click()
    download = download_info.value
    assert download.suggested_filename == f"courses-job-{pk}-rejects.txt"
    report = Path(download.path()).read_text(encoding="utf-8")
    assert report.startswith("line 4 (BAD301")
    assert "PROC_DEPT" in report

    assert sorted(Course.objects.values_list("code", flat=True)) == [
        "HIS201",
        "LIT101",
    ]
    # The job is listed on the data page with its counts.
    page.get_by_role("link", name="Institution data").first.click()
    recent = page.get_by_role("table", name="Recent jobs")
    expect(recent.get_by_role("link", name=f"Courses job {pk}")).to_be_visible()
    expect(recent).to_contain_text("Created: 2")


def test_upload_errors_are_summarised_and_each_links_to_its_field(
    page: Page, admin: User, login: Login, axe_violations: AxeRun
) -> None:
    login(page, admin)
    page.goto("/institution/data/")
    page.get_by_label(field("Date format in the file")).fill("DD/MM/YYYY")
    page.get_by_role("button", name="Load the file").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct these:")
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    links.filter(has_text=re.compile("^File:")).click()
    expect(page.get_by_label(field("File"))).to_be_focused()
    links.filter(has_text="Date format in the file:").click()
    expect(page.get_by_label(field("Date format in the file"))).to_be_focused()
    links.filter(has_text="What the file holds:").click()
    expect(
        page.get_by_label("Courses (Alma course loader file, tab-separated)")
    ).to_be_focused()
    # With the focus on the first kind, the arrow keys choose another.
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Users (CSV)")).to_be_checked()
    assert Job.objects.count() == 0


def test_admin_creates_an_api_key_sees_it_once_and_revokes_it(
    page: Page, admin: User, login: Login, axe_violations: AxeRun
) -> None:
    login(page, admin)
    page.goto("/institution/api-keys/")
    page.get_by_label(field("Name")).fill("SIS course feed")
    page.get_by_label("Courses, terms and departments").select_option(
        label="Read and write"
    )
    page.get_by_label("Loaders and jobs").select_option(label="Read and write")
    page.get_by_role("button", name="Create the key").click()

    new_key = page.get_by_role("textbox", name="Key")
    expect(new_key).to_have_value(re.compile(r"^lk_"))
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.reload()
    expect(page.get_by_role("textbox", name="Key")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="SIS course feed")
    expect(row).to_contain_text("Loaders and jobs: read and write")
    row.get_by_role("button", name="Revoke SIS course feed").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The key SIS course feed is revoked"
    )
    expect(page.get_by_role("row").filter(has_text="SIS course feed")).to_contain_text(
        "Revoked"
    )


def _admin_pages(
    page: Page, admin: User, login: Login
) -> dict[str, Callable[[], None]]:
    """Each page in a state worth checking, reached with the page's own controls."""
    login(page, admin)
    pk: dict[str, int] = {}

    def data() -> None:
        page.goto("/institution/data/")

    def job_queued() -> None:
        pk["job"] = upload_course_file(page)
        expect(page.locator("#job-status")).to_have_text("Waiting to start.")

    def job_finished() -> None:
        run_queued_job(pk["job"])
        expect(page.locator("#job-status")).to_have_text("Finished.")

    def new_key() -> None:
        page.goto("/institution/api-keys/")
        page.get_by_label(field("Name")).fill("Reporting")
        page.get_by_label("Analytics").select_option(label="Read")
        page.get_by_role("button", name="Create the key").click()
        expect(page.get_by_role("textbox", name="Key")).to_be_visible()

    def settings() -> None:
        page.goto("/settings/institution/")
        expect(page.get_by_role("heading", name="Rollover")).to_be_visible()

    return {
        "data page": data,
        "job, queued": job_queued,
        "job, finished": job_finished,
        "API keys with a new key": new_key,
        "institution settings": settings,
    }


def test_institution_data_pages_in_dark_mode_have_enough_contrast(
    new_page: Callable[..., Page],
    admin: User,
    login: Login,
    axe_violations: AxeRun,
    screenshot: Shoot,
) -> None:
    page = new_page(color_scheme="dark")
    problems = {}
    for name, visit in _admin_pages(page, admin, login).items():
        visit()
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        if name == "job, finished":
            screenshot(page, "institution-job-dark")
        found = describe_violations(axe_violations(page, rules=["color-contrast"]))
        if found:
            problems[name] = found
    assert problems == {}, problems


def _main_overflow(page: Page) -> str:
    """What sticks out of the main part sideways (wide tables scroll in their own
    box, which is fine)."""
    return page.evaluate(
        """() => {
            const main = document.querySelector('main');
            if (main.scrollWidth <= main.clientWidth) return '';
            const limit = main.getBoundingClientRect().right;
            const wide = Array.from(main.querySelectorAll('*'))
                .filter(e => !e.closest('.table-wrap'))
                .filter(e => e.getBoundingClientRect().right > limit + 1)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
            return `main scrollWidth ${main.scrollWidth} > ${main.clientWidth}: ${wide.slice(-5)}`;
        }"""
    )


def test_institution_data_pages_fit_400_px(
    new_page: Callable[..., Page],
    admin: User,
    login: Login,
    axe_violations: AxeRun,
    screenshot: Shoot,
) -> None:
    page = new_page(viewport=LMS_IFRAME)
    problems = {}
    for name, visit in _admin_pages(page, admin, login).items():
        visit()
        if name == "data page":
            screenshot(page, "institution-data-400px")
        found = _main_overflow(page) or describe_violations(axe_violations(page))
        if found:
            problems[name] = found
    assert problems == {}, problems


def test_administrators_navigation_fits_400_px(
    new_page: Callable[..., Page], admin: User, login: Login
) -> None:
    page = new_page(viewport=LMS_IFRAME)
    login(page, admin)
    page.goto("/institution/data/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= LMS_IFRAME["width"]
