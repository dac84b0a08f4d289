"""A student of LIT101 finds and reads the course's list, marks items, keeps a private
note; a guest reads a list open to anyone; neither gets past what they may do."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from lectio.accounts.models import User
from lectio.core.factories import PASSWORD, make_list
from lectio.courses.models import Course
from lectio.lists.models import Citation, CitationInteraction, ReadingList, Tag
from lectio.lists.statuses import Visibility

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


@pytest.fixture
def course_list(
    instructor: User, course: Course, default_tags: dict[str, Tag]
) -> ReadingList:
    """Published to the course's students: two Complete items in Week 1, one the
    library is still processing, one still being prepared in Resources."""
    return make_list(
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
                "public_note": "Start with the introduction.",
            },
            {
                "title": "Reading Against the Grain",
                "section": "Week 1",
                "material_type": "article",
                "status": "Complete",
                "tag_ids": [default_tags["Recommended"].pk],
            },
            {"title": "On Anthologies", "section": "Week 1", "status": "InProcess"},
            {"title": "Draft Notes"},
        ],
        visibility=Visibility.COURSE,
    )


def citation(reading_list: ReadingList, title: str) -> Citation:
    return reading_list.citations.get(title=title)


def test_student_finds_the_course_list_and_reads_only_complete_items(
    page: Page,
    login: Login,
    student: User,
    instructor: User,
    course: Course,
    course_list: ReadingList,
    screenshot: Callable[[Page, str], None],
) -> None:
    make_list(owner=instructor, courses=[course], name="Next term's draft")
    login(page, student)
    expect(page).to_have_url(re.compile(r"/courses/$"))
    expect(heading(page)).to_have_text("My courses")
    card = page.locator(".card", has=page.get_by_role("heading", name="LIT101"))
    expect(card.get_by_role("link")).to_have_text([course_list.name])

    card.get_by_role("link", name=course_list.name).click()
    expect(heading(page)).to_have_text(course_list.name)
    expect(page.get_by_text("2 items")).to_be_visible()
    # One region per visible section; the suggestions panel is a region of its own.
    sections = page.get_by_role("region").and_(page.locator(":not(#suggestions)"))
    expect(sections).to_have_count(1)
    week1 = page.get_by_role("region", name="Week 1")
    items = week1.locator(".citation")
    expect(items).to_have_count(2)
    book = citation(course_list, "The Canon and Its Critics")
    article = citation(course_list, "Reading Against the Grain")
    expect(page.locator(f"#c{book.pk} .ref")).to_have_text(
        "Hooks, B. (1994). The Canon and Its Critics. Routledge."
    )
    expect(page.locator(f"#c{book.pk} .ref i")).to_have_text(
        "The Canon and Its Critics"
    )
    expect(page.locator(f"#c{article.pk} .ref")).to_have_text(
        "Freire, P., & Macedo, D. (1995). Reading Against the Grain. "
        "Harvard Educational Review, 65(3), 377–402. "
        "https://doi.org/10.17763/haer.65.3.12g1923330p1xhj8"
    )
    expect(page.locator(f"#c{book.pk} .badge.tag")).to_have_text(["Essential"])
    expect(page.locator(f"#c{article.pk} .badge.tag")).to_have_text(["Recommended"])
    expect(page.locator(f"#c{book.pk} .note")).to_have_text(
        "Start with the introduction."
    )
    expect(page.get_by_text("On Anthologies")).to_have_count(0)
    expect(page.get_by_text("Draft Notes")).to_have_count(0)
    # Readers get no editing controls.
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("navigation", name="List actions")).to_have_count(0)
    screenshot(page, "student-list")


def test_student_marks_done_and_likes_without_a_reload(
    page: Page, login: Login, student: User, course_list: ReadingList
) -> None:
    book = citation(course_list, "The Canon and Its Critics")
    article = citation(course_list, "Reading Against the Grain")
    login(page, student)
    page.goto(f"/lists/{course_list.pk}/")
    done = page.locator(f"#c{book.pk}").get_by_role("button", name="Done")
    like = page.locator(f"#c{article.pk}").get_by_role("button", name="Like")
    expect(done).to_have_attribute("aria-pressed", "false")
    # A marker on this document: a reload would lose it.
    page.evaluate("window.sameDocument = true")

    with page.expect_response(lambda r: r.url.endswith("/marks/")) as marked:
        done.click()
    assert marked.value.json() == {"citation": book.pk, "done": True, "liked": False}
    expect(done).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#c{book.pk}")).to_have_class(re.compile(r"\bdone\b"))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.sameDocument") is True
    mark = CitationInteraction.objects.get(user=student, citation=book)
    assert (mark.done, mark.liked) == (True, False)
    mark = CitationInteraction.objects.get(user=student, citation=article)
    assert (mark.done, mark.liked) == (False, True)

    page.reload()
    expect(done).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(
        page.locator(f"#c{article.pk}").get_by_role("button", name="Done")
    ).to_have_attribute("aria-pressed", "false")

    # Pressed again, it is undone.
    done.click()
    expect(done).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#c{book.pk}")).not_to_have_class(re.compile(r"\bdone\b"))
    mark = CitationInteraction.objects.get(user=student, citation=book)
    assert mark.done is False


def test_student_keeps_a_private_note_on_a_citation(
    page: Page, login: Login, student: User, course_list: ReadingList
) -> None:
    book = citation(course_list, "The Canon and Its Critics")
    login(page, student)
    page.goto(f"/lists/{course_list.pk}/")
    page.locator(f"#c{book.pk}").get_by_role("link", name="Details and my note").click()
    expect(heading(page)).to_have_text("The Canon and Its Critics")
    expect(page.locator(".badge.tag")).to_have_text(["Essential"])
    expect(page.get_by_role("row", name="Publisher Routledge")).to_be_visible()
    note = page.get_by_label("My private note")
    expect(note).to_have_value("")
    expect(note).to_have_accessible_description("Only you see this note.")
    note.fill("Compare with chapter 2 of the anthology.")
    page.get_by_role("button", name="Save my note").click()
    expect(page.get_by_role("status")).to_contain_text("Your note is saved.")

    page.reload()
    expect(page.get_by_label("My private note")).to_have_value(
        "Compare with chapter 2 of the anthology."
    )
    mark = CitationInteraction.objects.get(user=student, citation=book)
    assert mark.private_note == "Compare with chapter 2 of the anthology."
    assert (mark.done, mark.liked) == (False, False)

    page.get_by_role("link", name=f"← {course_list.name}").click()
    expect(page).to_have_url(re.compile(rf"/lists/{course_list.pk}/#c{book.pk}$"))


def test_guest_reads_a_list_open_to_anyone_with_the_link(
    page: Page, instructor: User
) -> None:
    public_list = make_list(
        owner=instructor,
        name="Open reading",
        citations=[{"title": "A Public Book", "status": "Complete"}],
        visibility=Visibility.PUBLIC,
    )
    page.goto(f"/lists/{public_list.pk}/")
    expect(heading(page)).to_have_text("Open reading")
    expect(page.locator(".citation .ref")).to_have_text(
        ["Hooks, B. (1994). A Public Book. Routledge."]
    )
    # Nothing to mark without an account; the way in is offered.
    expect(page.get_by_role("button", name="Done")).to_have_count(0)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_guest_is_sent_to_log_in_for_a_course_list_and_comes_back(
    page: Page, login: Login, student: User, course_list: ReadingList
) -> None:
    page.goto(f"/lists/{course_list.pk}/")
    expect(page).to_have_url(re.compile(rf"/login/\?next=/lists/{course_list.pk}/$"))
    expect(heading(page)).to_have_text("Log in to Lectio")
    expect(page.get_by_text("Reading Against the Grain")).to_have_count(0)

    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/lists/{course_list.pk}/$"))
    expect(heading(page)).to_have_text(course_list.name)


def test_student_cannot_open_the_edit_pages(
    page: Page, login: Login, student: User, course_list: ReadingList
) -> None:
    book = citation(course_list, "The Canon and Its Critics")
    before = (course_list.name, course_list.version, book.title, book.version)
    login(page, student)
    for url in (
        f"/lists/{course_list.pk}/edit/",
        f"/citations/{book.pk}/edit/",
        f"/lists/{course_list.pk}/publish/",
    ):
        response = page.goto(url)
        assert response is not None
        assert response.status == 403, url
        expect(page.get_by_role("button", name="Save")).to_have_count(0)
    # The editing view is not served on the list's own address either.
    page.goto(f"/lists/{course_list.pk}/")
    expect(page.get_by_role("navigation", name="List actions")).to_have_count(0)
    course_list.refresh_from_db()
    book.refresh_from_db()
    assert (course_list.name, course_list.version, book.title, book.version) == before


def test_refused_page_keeps_the_site_layout_and_a_way_back(
    page: Page, login: Login, student: User, course_list: ReadingList
) -> None:
    login(page, student)
    response = page.goto(f"/lists/{course_list.pk}/edit/")
    assert response is not None and response.status == 403
    # The page is loaded: count without waiting, so the expected failure is quick.
    assert page.get_by_role("navigation", name="Main").count() == 1
    assert page.get_by_role("link", name="My courses").count() == 1
