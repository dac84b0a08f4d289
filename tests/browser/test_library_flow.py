"""The library's side, end to end in the browser: an instructor sends a list, a
librarian takes it, requests a digitization and a purchase, talks with the instructor
about an item, declines one item and completes the rest and the list; the instructor
sees every step and the enrolled student reads the Complete items. Everyone logs in
through the login form in a browser context of their own."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from lectio.accounts.models import User
from lectio.core.factories import make_list
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists import processing, services
from lectio.lists.models import Citation, ReadingList, Tag
from lectio.lists.statuses import CitationStatus, ListStatus, PublicationStatus
from lectio.workflow.models import Message, ProcessingRequest

pytestmark = pytest.mark.browser

Login = Callable[[Page, User], None]
NewPage = Callable[..., Page]
Shoot = Callable[[Page, str], None]

BOOK = "The Canon and Its Critics"
ARTICLE = "Reading Against the Grain"
CHAPTER = "On Anthologies"
WEBSITE = "Close Reading, Explained"
DECLINE_REASON = "Out of print and no e-book licence; please choose another reading."


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def flash(page: Page) -> Locator:
    """The messages the page shows after an action (successes and errors alike)."""
    return page.get_by_role("status")


def item(reading_list: ReadingList, title: str) -> Citation:
    return reading_list.citations.get(title=title)


@pytest.fixture
def course_list(
    instructor: User,
    course: Course,
    default_tags: dict[str, Tag],
    default_rules: None,
) -> ReadingList:
    """LIT101 (45 students) and its list, still being prepared: an Essential book, an
    article and a chapter in Week 1, a website in Resources."""
    Course.objects.filter(pk=course.pk).update(participants=45)
    return make_list(
        owner=instructor,
        courses=[course],
        name="Canon and critics",
        sections=["Week 1"],
        citations=[
            {
                "title": BOOK,
                "section": "Week 1",
                "tag_ids": [default_tags["Essential"].pk],
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
    )


def test_librarian_processes_a_sent_list_and_the_instructor_and_student_see_it(
    new_page: NewPage,
    login: Login,
    instructor: User,
    librarian: User,
    student: User,
    course_list: ReadingList,
    screenshot: Shoot,
) -> None:
    book, article, chapter, website = (
        item(course_list, title) for title in (BOOK, ARTICLE, CHAPTER, WEBSITE)
    )

    # The instructor sends the list to the library.
    teacher = new_page()
    login(teacher, instructor)
    teacher.goto(f"/lists/{course_list.pk}/")
    list_actions = teacher.get_by_role("navigation", name="List actions")
    list_actions.get_by_role("button", name="Send to library").click()
    expect(flash(teacher)).to_contain_text("The list is with the library now.")
    course_list.refresh_from_db()
    assert course_list.status == ListStatus.READY_FOR_PROCESSING
    assert course_list.assigned_librarian is None

    # The librarian lands on the library's home, with the counts that need action.
    lib = new_page()
    login(lib, librarian)
    expect(lib).to_have_url(re.compile(r"/library/$"))
    expect(heading(lib)).to_have_text("Library work")
    expect(
        lib.get_by_role("link", name="1 unassigned list with the library")
    ).to_be_visible()
    expect(lib.get_by_role("link", name="0 lists ready for processing")).to_be_visible()

    # The task list: the list waits under Unassigned; every tab shows its count.
    lib.get_by_role("link", name="Open the task list").click()
    expect(heading(lib)).to_have_text("Reading list task list")
    tabs = lib.get_by_role("navigation", name="Task list tabs").get_by_role("link")
    expect(tabs).to_have_text(
        ["All 1", "Assigned to me 0", "Unassigned 1", "Assigned to others 0"]
    )
    tabs.filter(has_text="Unassigned").click()
    expect(lib).to_have_url(re.compile(r"[?&]tab=unassigned"))
    expect(tabs.filter(has_text="Unassigned")).to_have_attribute("aria-current", "page")
    row = lib.get_by_role("row", name=re.compile("Canon and critics"))
    expect(row.get_by_role("cell").nth(2)).to_have_text("LIT101")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Ready for processing")
    expect(row.get_by_role("cell").nth(4)).to_contain_text("Ready for processing: 4")
    expect(row.get_by_role("cell").nth(5)).to_have_text("nobody")
    screenshot(lib, "library-task-list")

    # Open it and take it.
    row.get_by_role("link", name="Canon and critics").click()
    expect(heading(lib)).to_have_text("Canon and critics")
    header = lib.locator(".list-header")
    expect(header).to_contain_text("Nobody has taken this list yet.")
    expect(header).to_contain_text("LIT101 · 45 students")
    header.get_by_role("button", name="Take this list").click()
    expect(flash(lib)).to_have_text("The list is yours now.")
    expect(header).to_contain_text("Assigned to Lia Librarian.")
    expect(header.get_by_role("button", name="Take this list")).to_have_count(0)
    course_list.refresh_from_db()
    assert course_list.assigned_librarian == librarian

    # A digitization of pages 12-30 of a 400-page book: within the default "Up to
    # 10% of a work" rule, so copyright is approved at once.
    book_item = lib.locator(f"#c{book.pk}")
    book_item.get_by_role("link", name="New request").click()
    expect(heading(lib)).to_have_text("New request")
    expect(lib.locator("main")).to_contain_text(
        "Suggested for a purchase: 5 copies, from the item's tag and the course size."
    )
    lib.get_by_label("Kind of request").select_option(label="Digitization")
    # Without the pages the request is refused, and nothing is made.
    lib.get_by_role("button", name="Send request").click()
    expect(lib.get_by_role("alert")).to_have_text(
        "Say which pages to digitize, e.g. 12-30, 45-51."
    )
    assert not ProcessingRequest.objects.exists()
    lib.get_by_label("Pages", exact=True).fill("12-30")
    lib.get_by_label("Pages in the whole work").fill("400")
    lib.get_by_role("button", name="Send request").click()
    expect(flash(lib)).to_have_text("Request sent.")
    expect(heading(lib)).to_have_text("Canon and critics")
    expect(lib).to_have_url(re.compile(rf"#c{book.pk}$"))
    expect(book_item.locator(".badge", has_text="Copyright:")).to_have_text(
        "Copyright: Approved"
    )
    expect(book_item.locator(".requests > li")).to_have_text(
        [re.compile(r"^Digitization New · pages 12-30\b")]
    )
    # Work has started: the list is being processed.
    expect(header.locator(".badge").first).to_have_text("Being processed")

    # A purchase: the copies are suggested from the Essential tag, 1 per 10 students.
    book_item.get_by_role("link", name="New request").click()
    lib.get_by_label("Kind of request").select_option(label="Purchase")
    lib.get_by_role("button", name="Send request").click()
    expect(flash(lib)).to_have_text("Request sent.")
    expect(book_item.locator(".requests > li")).to_have_text(
        [
            re.compile(r"^Digitization New · pages 12-30\b"),
            re.compile(r"^Purchase New · 5 copies\b"),
        ]
    )
    digitization, purchase = ProcessingRequest.objects.order_by("pk")
    assert (digitization.kind, digitization.page_ranges) == ("digitization", "12-30")
    assert (purchase.kind, purchase.copies) == ("purchase", 5)
    book.refresh_from_db()
    assert book.copyright_status == "Approved"

    # A question to the instructor about the article, from the item's "Discuss".
    lib.locator(f"#c{article.pk}").get_by_role("link", name="Discuss").click()
    expect(heading(lib)).to_have_text(f"Discussion about “{ARTICLE}”")
    expect(lib.locator("main")).to_contain_text("No messages yet.")
    lib.get_by_label("Message").fill("Is a 1995 article still the one you want?")
    lib.get_by_role("button", name="Send message").click()
    expect(flash(lib)).to_have_text("Message sent.")
    thread = lib.locator(".thread > li")
    expect(thread).to_have_count(1)
    expect(thread.first).to_contain_text("Lia Librarian Library")
    expect(thread.first).to_contain_text(f"about “{ARTICLE}”")
    expect(thread.first).to_contain_text("Is a 1995 article still the one you want?")

    # The instructor finds the question on the list's discussion page and answers.
    teacher.goto(f"/lists/{course_list.pk}/")
    discussion_link = list_actions.get_by_role(
        "link", name=re.compile("^Discussion with the library")
    )
    expect(discussion_link.locator(".badge")).to_have_text("1")
    discussion_link.click()
    expect(heading(teacher)).to_have_text("Discussion with the library")
    teacher_thread = teacher.locator(".thread > li")
    expect(teacher_thread).to_have_count(1)
    expect(teacher_thread.first).to_contain_text(f"about “{ARTICLE}”")
    expect(teacher_thread.first).to_contain_text(
        "Is a 1995 article still the one you want?"
    )
    teacher.get_by_label("Message").fill("No, it is dated now. Drop it, please.")
    teacher.get_by_role("button", name="Send message").click()
    expect(flash(teacher)).to_have_text("Message sent.")
    expect(teacher_thread).to_have_count(2)
    assert [m.by_library for m in Message.objects.order_by("pk")] == [True, False]

    # The librarian's task list flags the list; its page has the news and the reply.
    lib.goto("/library/tasks/?tab=mine")
    mine = lib.get_by_role("row", name=re.compile("Canon and critics"))
    expect(mine.locator(".badge", has_text="News")).to_be_visible()
    mine.get_by_role("link", name="Canon and critics").click()
    news = lib.get_by_role("region", name="News since you last looked")
    expect(news.locator("li")).to_have_count(1)
    expect(news.locator("li")).to_contain_text("Ines Instructor: Wrote to the library")
    talk = lib.get_by_role("region", name="Discussion with the instructors")
    expect(talk.locator(".thread > li")).to_have_count(2)
    expect(talk.locator(".thread > li").last).to_contain_text(
        "No, it is dated now. Drop it, please."
    )
    screenshot(lib, "library-work")
    # Seen now: the news is not shown again.
    lib.reload()
    expect(heading(lib)).to_have_text("Canon and critics")
    expect(news).to_have_count(0)

    # Declining needs a reason: without one the page says so and nothing changes.
    events = Event.objects.count()
    change = lib.get_by_role("group", name="Change the selected items")
    article_item = lib.locator(f"#c{article.pk}")
    article_item.get_by_role("checkbox", name="Select").check()
    change.get_by_label("Set status to").select_option(label="Declined")
    change.get_by_role("button", name="Apply to selected").click()
    expect(lib.locator(".message-error")).to_have_text(
        "Say why the item is declined; the instructor will see it."
    )
    expect(article_item.locator(".badge.status-ReadyForProcessing")).to_have_text(
        "Ready for processing"
    )
    article.refresh_from_db()
    assert (article.status, article.decline_reason) == (
        CitationStatus.READY_FOR_PROCESSING,
        "",
    )
    assert Event.objects.count() == events
    # With the reason it is declined, and the page shows why.
    article_item.get_by_role("checkbox", name="Select").check()
    change.get_by_label("Set status to").select_option(label="Declined")
    change.get_by_label("Reason (required to decline").fill(DECLINE_REASON)
    change.get_by_role("button", name="Apply to selected").click()
    expect(flash(lib)).to_have_text("Status changed.")
    expect(article_item.locator(".badge.status-Declined")).to_have_text("Declined")
    expect(article_item.locator(".note")).to_have_text(f"Declined: {DECLINE_REASON}")

    # The list cannot be completed while items are still open, unless with a reason.
    events = Event.objects.count()
    finish = lib.get_by_role("region", name="Complete the list")
    expect(finish).to_contain_text("3 items are still open.")
    finish.get_by_role("button", name="Complete the list").click()
    expect(lib.locator(".message-error")).to_have_text(
        "3 items are not complete or declined yet. Finish them, or give a reason to "
        "complete the list anyway."
    )
    course_list.refresh_from_db()
    assert course_list.status == ListStatus.BEING_PROCESSED
    assert Event.objects.count() == events

    # The rest are completed: the book with its own button, the others together.
    book_item.get_by_role("button", name="Set Complete").click()
    expect(flash(lib)).to_have_text("Status changed.")
    expect(book_item.locator(".badge.status-Complete")).to_have_text("Complete")
    for done in (chapter, website):
        lib.locator(f"#c{done.pk}").get_by_role("checkbox", name="Select").check()
    change.get_by_label("Set status to").select_option(label="Complete")
    change.get_by_role("button", name="Apply to selected").click()
    expect(flash(lib)).to_have_text("Status changed.")
    for done in (chapter, website):
        expect(lib.locator(f"#c{done.pk} .badge.status-Complete")).to_be_visible()

    # The digitization is done; the purchase is on its way.
    requests = book_item.locator(".requests > li")
    requests.filter(has_text="Digitization").get_by_role("button", name="Done").click()
    expect(flash(lib)).to_have_text("Request updated.")
    requests.filter(has_text="Purchase").get_by_role("button", name="Start").click()
    expect(flash(lib)).to_have_text("Request updated.")
    expect(requests).to_have_text(
        [
            re.compile(r"^Digitization Done · pages 12-30\s*$"),
            re.compile(r"^Purchase In progress · 5 copies\b"),
        ]
    )

    # Every item is done now: the list is completed.
    expect(finish).not_to_contain_text("still open")
    finish.get_by_role("button", name="Complete the list").click()
    expect(flash(lib)).to_have_text("The list is complete.")
    expect(finish.locator("p")).to_have_text("The list is Complete.")
    expect(header.locator(".badge").first).to_have_text("Complete")
    course_list.refresh_from_db()
    assert course_list.status == ListStatus.COMPLETE
    assert {c.title: c.status for c in course_list.citations.all()} == {
        BOOK: CitationStatus.COMPLETE,
        ARTICLE: CitationStatus.DECLINED,
        CHAPTER: CitationStatus.COMPLETE,
        WEBSITE: CitationStatus.COMPLETE,
    }

    # The instructor's list shows every step: statuses, requests, the reason.
    teacher.goto(f"/lists/{course_list.pk}/")
    expect(teacher.locator(".list-header .list-meta .badge").first).to_have_text(
        "Complete"
    )
    teacher_book = teacher.locator(f"#c{book.pk}")
    expect(teacher_book.locator(".badge.status-Complete")).to_have_text("Complete")
    expect(
        teacher_book.get_by_role("list", name="Requests to the library").locator("li")
    ).to_have_text(["Digitization Done · pages 12-30", "Purchase In progress"])
    teacher_article = teacher.locator(f"#c{article.pk}")
    expect(teacher_article.locator(".badge.status-Declined")).to_have_text("Declined")
    expect(teacher_article.locator(".note")).to_have_text(f"Declined: {DECLINE_REASON}")
    for done in (chapter, website):
        expect(teacher.locator(f"#c{done.pk} .badge.status-Complete")).to_be_visible()
    expect(discussion_link.locator(".badge")).to_have_text("2")

    # History lists the events, with who did them.
    list_actions.get_by_role("link", name="History").click()
    expect(heading(teacher)).to_have_text("History of “Canon and critics”")
    timeline = teacher.locator(".timeline li")
    expect(timeline.first).to_contain_text(
        "Lia Librarian: Status changed from Being processed to Complete"
    )
    for text in (
        "Ines Instructor: Sent the list to the library (4 items ready for processing)",
        "Lia Librarian: Lia Librarian took the list",
        f"Lia Librarian: Digitization requested for “{BOOK}”",
        f"Lia Librarian: Copyright of “{BOOK}”: Not determined → Approved",
        "Lia Librarian: Status changed from Ready for processing to Being processed",
        f"Lia Librarian: Purchase requested for “{BOOK}”",
        f"Lia Librarian: Wrote to the instructors about “{ARTICLE}”",
        "Ines Instructor: Wrote to the library",
        f"Lia Librarian: “{ARTICLE}”: Ready for processing → Declined",
        f"Lia Librarian: “{BOOK}”: Ready for processing → Complete",
        f"Lia Librarian: “{CHAPTER}”: Ready for processing → Complete",
        f"Lia Librarian: “{WEBSITE}”: Ready for processing → Complete",
        "Lia Librarian: Digitization request: New → Done",
        "Lia Librarian: Purchase request: New → In progress",
    ):
        expect(timeline.filter(has_text=text)).to_have_count(1)

    # Published by the instructor, the list shows the student only Complete items.
    teacher.get_by_role("link", name="← Canon and critics").click()
    list_actions.get_by_role("link", name="Publish").click()
    teacher.get_by_role("group", name="Who may see the list").get_by_label(
        "Students of the course"
    ).check()
    teacher.get_by_role("button", name="Publish").click()
    expect(flash(teacher)).to_contain_text("The list is published.")
    course_list.refresh_from_db()
    assert course_list.publication_status == PublicationStatus.PUBLISHED

    reader = new_page()
    login(reader, student)
    expect(reader).to_have_url(re.compile(r"/courses/$"))
    reader.get_by_role("link", name="Canon and critics").click()
    expect(heading(reader)).to_have_text("Canon and critics")
    expect(reader.locator(".citation")).to_have_count(3)
    for done in (book, chapter, website):
        expect(reader.locator(f"#c{done.pk}")).to_contain_text(done.title)
    expect(reader.get_by_text(ARTICLE)).to_have_count(0)


def test_second_librarian_is_told_who_has_already_taken_the_list(
    new_page: NewPage,
    login: Login,
    instructor: User,
    librarian: User,
    other_librarian: User,
    course_list: ReadingList,
) -> None:
    services.reading_list_send_to_library(actor=instructor, reading_list=course_list)
    first, second = new_page(), new_page()
    login(first, librarian)
    login(second, other_librarian)
    # Both open the unassigned list.
    for page in (first, second):
        page.goto(f"/library/lists/{course_list.pk}/")
        expect(page.locator(".list-header")).to_contain_text(
            "Nobody has taken this list yet."
        )

    first.get_by_role("button", name="Take this list").click()
    expect(flash(first)).to_have_text("The list is yours now.")
    course_list.refresh_from_db()
    taken_version = course_list.version
    events = Event.objects.count()

    # The second, on a page that still says nobody has it, is refused and told who.
    second.get_by_role("button", name="Take this list").click()
    expect(second.locator(".message-error")).to_have_text(
        "Lia Librarian has already taken this list."
    )
    expect(second.locator(".list-header")).to_contain_text("Assigned to Lia Librarian.")
    course_list.refresh_from_db()
    assert course_list.assigned_librarian == librarian

    # Opening the list again later: it says who has it, and taking is still refused.
    second.goto("/library/tasks/?tab=others")
    tabs = second.get_by_role("navigation", name="Task list tabs").get_by_role("link")
    expect(tabs).to_have_text(
        ["All 1", "Assigned to me 0", "Unassigned 0", "Assigned to others 1"]
    )
    row = second.get_by_role("row", name=re.compile("Canon and critics"))
    expect(row.get_by_role("cell").nth(5)).to_have_text("Lia Librarian")
    row.get_by_role("link", name="Canon and critics").click()
    expect(second.locator(".list-header")).to_contain_text("Assigned to Lia Librarian.")
    second.get_by_role("button", name="Take this list").click()
    expect(second.locator(".message-error")).to_have_text(
        "Lia Librarian has already taken this list."
    )
    course_list.refresh_from_db()
    assert course_list.assigned_librarian == librarian
    assert course_list.version == taken_version
    assert Event.objects.count() == events


def test_completing_counts_every_open_item_whatever_the_filter(
    page: Page,
    login: Login,
    instructor: User,
    librarian: User,
    course_list: ReadingList,
) -> None:
    services.reading_list_send_to_library(actor=instructor, reading_list=course_list)
    processing.citations_set_status(
        actor=librarian,
        reading_list=course_list,
        citation_ids=[item(course_list, ARTICLE).pk],
        status=CitationStatus.DECLINED,
        reason=DECLINE_REASON,
    )
    login(page, librarian)
    page.goto(f"/library/lists/{course_list.pk}/")
    show = page.get_by_role("navigation", name="Show items")
    show.get_by_role("link", name="Declined").click()
    expect(page.locator(".work-item")).to_have_count(1)
    finish = page.get_by_role("region", name="Complete the list")
    expect(finish).to_contain_text("3 items are still open.")


def test_following_a_tab_leaves_the_filters_panel_closed(
    page: Page,
    login: Login,
    instructor: User,
    librarian: User,
    course_list: ReadingList,
) -> None:
    services.reading_list_send_to_library(actor=instructor, reading_list=course_list)
    login(page, librarian)
    page.goto("/library/tasks/")
    filters = page.locator("details.filters")
    expect(filters).to_have_js_property("open", False)
    tabs = page.get_by_role("navigation", name="Task list tabs")
    tabs.get_by_role("link", name="Unassigned").click()
    expect(page).to_have_url(re.compile(r"[?&]tab=unassigned"))
    expect(filters).to_have_js_property("open", False)


def test_assign_choices_name_librarians_as_the_page_does(
    page: Page,
    login: Login,
    instructor: User,
    librarian: User,
    course_list: ReadingList,
) -> None:
    services.reading_list_send_to_library(actor=instructor, reading_list=course_list)
    processing.reading_list_take(actor=librarian, reading_list=course_list)
    login(page, librarian)
    page.goto(f"/library/lists/{course_list.pk}/")
    expect(page.locator(".list-header")).to_contain_text("Assigned to Lia Librarian.")
    assign_to = page.get_by_label("Assign to")
    expect(assign_to.locator("option:checked")).to_have_text("Lia Librarian")
