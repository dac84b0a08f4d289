"""An instructor who teaches LIT101 builds, arranges, shares and publishes a reading
list through the pages, with mouse and keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from lectio.accounts.models import Role, User
from lectio.core.factories import UserFactory, make_list
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists import services
from lectio.lists.models import Citation, Collaborator, ReadingList, Section, Tag
from lectio.lists.statuses import CitationStatus, ListStatus, PublicationStatus

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def page_order(page: Page, section: Section) -> list[int]:
    """Citation ids in the order the editor page shows them in `section`."""
    return page.locator(f"#s{section.pk} [data-citation]").evaluate_all(
        "items => items.map(item => Number(item.dataset.citation))"
    )


def db_order(section: Section) -> list[int]:
    return list(
        Citation.objects.filter(section=section)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )


def test_instructor_builds_a_list_with_citations_of_several_types(
    page: Page,
    login: Login,
    instructor: User,
    course: Course,
    default_tags: dict[str, Tag],
    screenshot: Callable[[Page, str], None],
) -> None:
    login(page, instructor)
    expect(page).to_have_url(re.compile(r"/lists/$"))
    expect(heading(page)).to_have_text("My lists")

    # A list for the course taught, from the course's card.
    page.get_by_role("link", name="Create a list for this course").click()
    expect(heading(page)).to_have_text("New list")
    expect(page.get_by_label("LIT101 Reading the Canon")).to_be_checked()
    page.get_by_role("textbox", name="Name", exact=True).fill("Canon and critics")
    page.get_by_role("button", name="Create list").click()
    expect(heading(page)).to_have_text("Canon and critics")
    expect(page.get_by_role("status")).to_contain_text("List created")
    reading_list = ReadingList.objects.get(name="Canon and critics")
    assert list(reading_list.courses.all()) == [course]
    assert reading_list.status == ListStatus.BEING_PREPARED

    page.get_by_label("Section name").fill("Week 1")
    page.get_by_role("button", name="Add section").click()
    week1 = page.get_by_role("region", name="Week 1")
    expect(week1.get_by_role("heading", name="Week 1")).to_be_visible()
    section = reading_list.sections.get(name="Week 1")

    # A book, tagged Essential; "Add and add another" comes back to the form.
    week1.get_by_label("Add a citation of type").select_option(label="Book")
    week1.get_by_role("button", name="Add to Week 1").click()
    expect(heading(page)).to_have_text("Add a citation")
    expect(page.get_by_role("combobox", name="Section", exact=True)).to_have_value(
        str(section.pk)
    )
    page.get_by_role("textbox", name="Title", exact=True).fill(
        "The Canon and Its Critics"
    )
    page.get_by_label("Authors").fill("Hooks, Bell")
    page.get_by_label("Year or date").fill("1994")
    page.get_by_role("textbox", name="Publisher", exact=True).fill("Routledge")
    page.get_by_label("Place of publication").fill("New York")
    page.get_by_label("Essential").check()
    page.get_by_role("button", name="Add and add another").click()
    expect(page.get_by_role("status")).to_contain_text("Citation added.")
    expect(heading(page)).to_have_text("Add a citation")

    # An article: the form changes its fields for the new type, keeping what was typed.
    page.get_by_role("textbox", name="Title", exact=True).fill(
        "Reading Against the Grain"
    )
    page.get_by_label("Material type").select_option(label="Article")
    page.get_by_role("button", name="Change type").click()
    expect(page.get_by_label("Article title")).to_have_value(
        "Reading Against the Grain"
    )
    expect(page.get_by_label("Journal title")).to_be_visible()
    expect(page.get_by_label("Place of publication")).to_have_count(0)
    page.get_by_label("Authors").fill("Freire, Paulo\nMacedo, Donaldo")
    page.get_by_label("Year or date").fill("1995")
    page.get_by_label("Journal title").fill("Harvard Educational Review")
    page.get_by_label("Volume").fill("65")
    page.get_by_label("Issue").fill("3")
    page.get_by_label("Pages").fill("377-402")
    page.get_by_role("button", name="Add citation", exact=True).click()
    expect(heading(page)).to_have_text("Canon and critics")

    # A website needs its URL: the error shows next to the field, then it is fixed.
    week1.get_by_label("Add a citation of type").select_option(label="Website")
    week1.get_by_role("button", name="Add to Week 1").click()
    page.get_by_label("Page title").fill("Close Reading, Explained")
    page.get_by_role("button", name="Add citation", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Please correct the fields marked below."
    )
    url_input = page.get_by_label("Web address (URL)")
    url_field = page.locator(".field", has=url_input)
    expect(url_field.locator(".error")).to_have_text("This field is required.")
    expect(url_input).to_have_attribute("aria-invalid", "true")
    expect(url_input).to_have_accessible_description("This field is required.")
    expect(page.get_by_label("Page title")).to_have_value("Close Reading, Explained")
    assert reading_list.citations.count() == 2
    screenshot(page, "citation-form-with-error")
    url_input.fill("https://example.org/close-reading")
    page.get_by_role("button", name="Add citation", exact=True).click()
    expect(heading(page)).to_have_text("Canon and critics")

    book, article, website = (Citation.objects.get(pk=pk) for pk in db_order(section))
    assert [book.material_type, article.material_type, website.material_type] == [
        "book",
        "article",
        "website",
    ]
    assert [t.name for t in book.tags.all()] == ["Essential"]
    assert book.metadata["author"] == [{"family": "Hooks", "given": "Bell"}]
    assert article.metadata["container-title"] == "Harvard Educational Review"
    assert website.metadata["URL"] == "https://example.org/close-reading"
    assert page_order(page, section) == [book.pk, article.pk, website.pk]
    book_item = page.locator(f"#c{book.pk}")
    expect(book_item.locator(".ref")).to_contain_text(
        "Hooks, B. (1994). The Canon and Its Critics. Routledge."
    )
    expect(book_item.locator(".badge.tag")).to_have_text(["Essential"])
    expect(page.locator(f"#c{article.pk} .ref")).to_contain_text(
        "Freire, P., & Macedo, D. (1995). Reading Against the Grain."
    )

    # Edit the article: a new title and a note for students.
    page.locator(f"#c{article.pk}").get_by_role("link", name="Edit").click()
    expect(heading(page)).to_have_text("Edit citation")
    page.get_by_label("Article title").fill("Reading Against the Grain, Revisited")
    page.get_by_label("Public note").fill("Skim the second half.")
    page.get_by_role("button", name="Save citation").click()
    expect(page.get_by_role("status")).to_contain_text("Citation saved.")
    article_item = page.locator(f"#c{article.pk}")
    expect(article_item.locator(".ref")).to_contain_text(
        "Reading Against the Grain, Revisited"
    )
    expect(article_item.locator(".note")).to_contain_text("Skim the second half.")
    article.refresh_from_db()
    assert article.title == "Reading Against the Grain, Revisited"
    assert article.version == 2
    screenshot(page, "editor-list")


@pytest.fixture
def arranged_list(instructor: User, course: Course) -> ReadingList:
    """Week 1 holds A, B, C; the default section Resources holds D."""
    return make_list(
        owner=instructor,
        courses=[course],
        name="Arranging",
        sections=["Week 1"],
        citations=[
            {"title": "A Book", "section": "Week 1"},
            {"title": "B Book", "section": "Week 1"},
            {"title": "C Book", "section": "Week 1"},
            {"title": "D Book"},
        ],
    )


def test_instructor_arranges_citations_with_keyboard_select_and_drag(
    page: Page, login: Login, instructor: User, arranged_list: ReadingList
) -> None:
    resources = arranged_list.sections.get(is_default=True)
    week1 = arranged_list.sections.get(name="Week 1")
    a, b, c = db_order(week1)
    (d,) = db_order(resources)
    login(page, instructor)
    page.goto(f"/lists/{arranged_list.pk}/")
    assert page_order(page, week1) == [a, b, c]

    # Keyboard: focus C's "Move up" and press Enter.
    move_up = page.locator(f"#c{c}").get_by_role("button", name="Move up")
    move_up.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert db_order(week1) == [a, c, b]
    assert page_order(page, week1) == [a, c, b]
    expect(page).to_have_url(re.compile(rf"#c{c}$"))
    # The page comes back at the moved citation: Tab continues from there.
    page.keyboard.press("Tab")
    expect(page.locator(f"#c{c} :focus")).to_have_count(1)

    # And down again, the same way.
    page.locator(f"#c{a}").get_by_role("button", name="Move down").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert db_order(week1) == [c, a, b]
    assert page_order(page, week1) == [c, a, b]

    # "Move to section": B goes to the end of Resources.
    item_b = page.locator(f"#c{b}")
    item_b.get_by_label("Move to section").select_option(label="Resources")
    item_b.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(f"#s{resources.pk} #c{b}")).to_be_visible()
    assert db_order(resources) == [d, b]
    assert db_order(week1) == [c, a]

    # Drag and drop by the handle: A dropped on C goes before it; the page reloads
    # after saving (after a same-document jump to the moved item's anchor, so wait
    # for the load).
    source, target = page.locator(f"#c{a} .drag-handle"), page.locator(f"#c{c}")
    with (
        page.expect_event("load"),
        page.expect_response(
            lambda r: (
                r.url.endswith(f"/citations/{a}/move/") and r.request.method == "POST"
            )
        ) as move,
    ):
        source.drag_to(target)
    assert move.value.status == 200
    assert db_order(week1) == [a, c]
    assert page_order(page, week1) == [a, c]

    # Delete D, after confirming.
    page.locator(f"#c{d}").get_by_role("link", name="Delete").click()
    expect(heading(page)).to_have_text("Confirm deletion")
    expect(page.get_by_text("Delete the citation “D Book”?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Citation removed.")
    expect(page.locator(f"#c{d}")).to_have_count(0)
    assert not Citation.objects.filter(pk=d).exists()
    assert db_order(resources) == [b]
    moves = Event.objects.filter(list_id=arranged_list.pk, verb="citation.move")
    assert moves.count() == 4


def test_instructor_shares_sends_publishes_and_previews(
    page: Page, login: Login, instructor: User, librarian: User, course: Course
) -> None:
    reading_list = make_list(
        owner=instructor,
        courses=[course],
        name="Canon and critics",
        sections=["Week 1"],
        citations=[
            {"title": "The Canon and Its Critics", "section": "Week 1"},
            {
                "title": "Close Reading, Explained",
                "section": "Week 1",
                "material_type": "website",
                "metadata": {
                    "type": "webpage",
                    "title": "Close Reading, Explained",
                    "URL": "https://example.org/close-reading",
                },
            },
        ],
    )
    eda = UserFactory.create(
        username="eda", first_name="Eda", last_name="Editor", role=Role.INSTRUCTOR
    )
    login(page, instructor)
    page.goto(f"/lists/{reading_list.pk}/")
    actions = page.get_by_role("navigation", name="List actions")

    # A collaborator who can edit, found by user name.
    actions.get_by_role("link", name="Collaborators").click()
    expect(heading(page)).to_have_text("Collaborators")
    page.get_by_label("User name or e-mail").fill("eda")
    page.get_by_label("Can edit").check()
    page.get_by_role("button", name="Save collaborator").click()
    expect(page.get_by_role("status")).to_contain_text("Collaborator saved.")
    row = page.get_by_role("row", name=re.compile("Eda Editor"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("Can edit")
    assert (
        Collaborator.objects.get(reading_list=reading_list, user=eda).right == "editor"
    )

    # Send to the library.
    page.get_by_role("link", name=f"← {reading_list.name}").click()
    badges = page.locator(".list-header .list-meta")
    expect(badges).to_contain_text("Being prepared")
    actions.get_by_role("button", name="Send to library").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The list is with the library now."
    )
    expect(badges.locator(".badge").first).to_have_text("Ready for processing")
    expect(actions.get_by_role("button", name="Send to library")).to_have_count(0)
    reading_list.refresh_from_db()
    assert reading_list.status == ListStatus.READY_FOR_PROCESSING

    # The library completes the website (its own pages are tested elsewhere).
    website = reading_list.citations.get(material_type="website")
    for status in (CitationStatus.IN_PROCESS, CitationStatus.COMPLETE):
        services.citation_set_status(actor=librarian, citation=website, status=status)

    # Publish to the course's students.
    actions.get_by_role("link", name="Publish").click()
    expect(heading(page)).to_have_text("Publish “Canon and critics”")
    page.get_by_role("group", name="Who may see the list").get_by_label(
        "Students of the course"
    ).check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("The list is published.")
    expect(badges).to_contain_text("Published")
    expect(badges).to_contain_text("Students of the course")
    reading_list.refresh_from_db()
    assert reading_list.publication_status == PublicationStatus.PUBLISHED
    assert reading_list.visibility == "course"

    # History tells what happened, newest first.
    actions.get_by_role("link", name="History").click()
    expect(heading(page)).to_have_text("History of “Canon and critics”")
    timeline = page.locator(".timeline li")
    expect(timeline.first).to_contain_text(
        "Published the list, visible to: Students of the course"
    )
    for text in (
        "Created the list “Canon and critics”",
        "Added the section “Week 1”",
        "Added “The Canon and Its Critics” to Week 1",
        "Eda Editor: Can edit",
        "Sent the list to the library (2 items ready for processing)",
        "“Close Reading, Explained”: In process → Complete",
    ):
        expect(timeline.filter(has_text=text)).to_have_count(1)
    expect(timeline.filter(has_text="Ines Instructor").first).to_be_visible()

    # The student view: only what the library has completed.
    page.get_by_role("link", name="← Canon and critics").click()
    actions.get_by_role("link", name="Student view").click()
    expect(page.get_by_role("note")).to_contain_text(
        "Preview: this is what students see."
    )
    expect(page.locator(".citation")).to_have_count(1)
    expect(page.locator(f"#c{website.pk}")).to_contain_text("Close Reading, Explained")
    expect(page.get_by_text("The Canon and Its Critics")).to_have_count(0)
