"""The library's pages through the test client: the whole flow from the task list to a
completed list, and what each page does with good and bad input.

Who may open which page is the URL matrix's business (test_url_matrix.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import User
from lectio.core.factories import add_citation, make_list
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists import processing
from lectio.lists.models import Citation, CitationStatusRule, ReadingList, Tag
from lectio.workflow import services as workflow
from lectio.workflow.models import (
    CopyrightRule,
    Message,
    NotificationPreference,
    ProcessingRequest,
    PurchaseRatio,
)
from lectio.workflow.tests.conftest import item

pytestmark = pytest.mark.django_db

CANON = "The Canon and Its Critics"  # Complete
GRAIN = "Reading Against the Grain"  # ReadyForProcessing once sent
CLOSE = "Close Reading, Explained"  # Complete (website)
ANTHOLOGIES = "On Anthologies"  # InProcess (book chapter)


def flash(response: Any) -> list[str]:
    """The messages shown on the page a followed redirect ended on."""
    return [str(m) for m in response.context["messages"]]


def text(response: Any) -> str:
    return response.content.decode()


def work_url(reading_list: ReadingList) -> str:
    return reverse("workflow:work", args=[reading_list.pk])


def fresh(reading_list: ReadingList) -> ReadingList:
    return ReadingList.objects.get(pk=reading_list.pk)


# --- the whole flow --------------------------------------------------------------------


def test_librarian_takes_requests_declines_and_completes_and_the_instructor_sees_it(
    client: Client,
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    librarian: User,
    default_rules: dict[str, Any],
    default_tags: dict[str, Tag],
) -> None:
    Course.objects.filter(pk=course.pk).update(participants=45)
    item(sent_list, CANON).tags.add(default_tags["Essential"])
    canon, anthologies, grain = (
        item(sent_list, t) for t in (CANON, ANTHOLOGIES, GRAIN)
    )
    client.force_login(librarian)

    # The list waits under Unassigned.
    unassigned = client.get(reverse("workflow:tasks") + "?tab=unassigned")
    assert [r.pk for r in unassigned.context["page"].rows] == [sent_list.pk]

    taken = client.post(reverse("workflow:take", args=[sent_list.pk]), follow=True)
    assert taken.redirect_chain == [(work_url(sent_list), 302)]
    assert flash(taken) == ["The list is yours now."]

    digitized = client.post(
        reverse("workflow:request_new", args=[anthologies.pk]),
        {"kind": "digitization", "page_ranges": "12-30", "total_pages": "400"},
    )
    assert digitized["Location"] == work_url(sent_list) + f"#c{anthologies.pk}"
    assert flash(client.get(digitized["Location"])) == ["Request sent."]
    purchase_form = client.get(reverse("workflow:request_new", args=[canon.pk]))
    assert "Suggested for a purchase: 5 copies" in text(purchase_form)
    bought = client.post(
        reverse("workflow:request_new", args=[canon.pk]),
        {"kind": "purchase"},
        follow=True,
    )
    assert flash(bought) == ["Request sent."]

    declined = client.post(
        reverse("workflow:citations_status", args=[sent_list.pk]),
        {
            "citation_ids": [grain.pk],
            "status": "Declined",
            "reason": "Out of print; try the 2nd edition.",
        },
        follow=True,
    )
    assert flash(declined) == ["Status changed."]
    completed_item = client.post(
        reverse("workflow:citations_status", args=[sent_list.pk]),
        {"citation_ids": [anthologies.pk], "status": "Complete"},
    )
    assert completed_item["Location"] == work_url(sent_list) + f"#c{anthologies.pk}"
    assert flash(client.get(completed_item["Location"])) == ["Status changed."]
    finished = client.post(
        reverse("workflow:complete", args=[sent_list.pk]), follow=True
    )
    assert flash(finished) == ["The list is complete."]

    stored = fresh(sent_list)
    assert (stored.status, stored.assigned_librarian_id) == ("Complete", librarian.pk)
    assert dict(stored.citations.values_list("title", "status")) == {
        CANON: "Complete",
        GRAIN: "Declined",
        CLOSE: "Complete",
        ANTHOLOGIES: "Complete",
    }
    assert list(
        ProcessingRequest.objects.order_by("id").values_list(
            "citation_id", "kind", "state", "page_ranges", "copies", "created_by_id"
        )
    ) == [
        (anthologies.pk, "digitization", "New", "12-30", None, librarian.pk),
        (canon.pk, "purchase", "New", "", 5, librarian.pk),
    ]
    assert item(sent_list, ANTHOLOGIES).copyright_status == "Approved"
    assert list(
        Event.objects.filter(list_id=sent_list.pk, actor=librarian)
        .order_by("id")
        .values_list("verb", flat=True)
    ) == [
        "list.take",
        "request.create",
        "citation.copyright",
        "list.status",
        "request.create",
        "citation.status",
        "citation.status",
        "list.status",
    ]

    # The instructor sees the reason and the requests on the list's editor page.
    client.force_login(instructor)
    page = text(client.get(reverse("lists:detail", args=[sent_list.pk])))
    assert "Out of print; try the 2nd edition." in page
    assert "Digitization</span> New · pages 12-30" in page
    assert "Purchase</span> New" in page


def test_the_instructor_sees_a_request_change_state(
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    default_rules: dict[str, Any],
) -> None:
    anthologies = item(sent_list, ANTHOLOGIES)
    request = workflow.request_create(
        actor=instructor, citation=anthologies, kind="digitization", page_ranges="3-9"
    )
    client.force_login(librarian)
    client.post(
        reverse("workflow:request_state", args=[request.pk]), {"state": "InProgress"}
    )
    client.post(
        reverse("workflow:request_state", args=[request.pk]),
        {"state": "Rejected", "reason": "Already online"},
    )

    client.force_login(instructor)
    page = text(client.get(reverse("lists:detail", args=[sent_list.pk])))

    assert "Digitization</span> Rejected · pages 3-9 · Already online" in page


# --- taking and assigning ---------------------------------------------------------------


def test_taking_a_list_someone_has_says_who_and_changes_nothing(
    client: Client,
    sent_list: ReadingList,
    librarian: User,
    other_librarian: User,
    snapshot: Any,
) -> None:
    processing.reading_list_take(actor=other_librarian, reading_list=sent_list)
    before = snapshot()
    client.force_login(librarian)

    response = client.post(reverse("workflow:take", args=[sent_list.pk]))

    assert snapshot() == before
    page = client.get(response["Location"])
    assert flash(page) == ["Lou Loaner has already taken this list."]
    assert "Assigned to Lou Loaner." in text(page)


def test_assigning_from_the_work_page(
    client: Client, sent_list: ReadingList, librarian: User, other_librarian: User
) -> None:
    client.force_login(librarian)

    response = client.post(
        reverse("workflow:assign", args=[sent_list.pk]),
        {"assignee": other_librarian.pk},
        follow=True,
    )

    assert flash(response) == ["Assignment saved."]
    assert fresh(sent_list).assigned_librarian_id == other_librarian.pk


def test_releasing_from_the_work_page(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)
    client.force_login(librarian)

    client.post(reverse("workflow:assign", args=[sent_list.pk]), {"assignee": ""})

    assert fresh(sent_list).assigned_librarian_id is None


def test_assigning_to_someone_outside_the_library_is_refused(
    client: Client,
    sent_list: ReadingList,
    librarian: User,
    instructor: User,
    snapshot: Any,
) -> None:
    client.force_login(librarian)
    before = snapshot()

    response = client.post(
        reverse("workflow:assign", args=[sent_list.pk]), {"assignee": instructor.pk}
    )

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == ["Choose a librarian."]


def test_bulk_assign_from_the_task_list(
    client: Client,
    sent_list: ReadingList,
    course: Course,
    instructor: User,
    librarian: User,
    other_librarian: User,
) -> None:
    second = make_list(
        owner=instructor, courses=[course], name="Second", send_to_library=True
    )
    client.force_login(librarian)
    back = reverse("workflow:tasks") + "?tab=unassigned&q=canon"

    response = client.post(
        reverse("workflow:bulk_assign"),
        {
            "list_ids": [sent_list.pk, second.pk],
            "assignee": other_librarian.pk,
            "next": back,
        },
    )

    assert response["Location"] == back
    assert sorted(
        ReadingList.objects.values_list("assigned_librarian_id", flat=True)
    ) == [other_librarian.pk, other_librarian.pk]
    followed = client.get(back)
    assert flash(followed) == ["2 lists assigned."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"assignee": "me"}, "Choose at least one list."),
        ({"list_ids": ["x"]}, "Choose at least one list."),
        ({"list_ids": ["LIST"], "assignee": "987654"}, "Choose a librarian."),
        ({"list_ids": ["LIST", "987654"]}, "One of the lists does not exist."),
    ],
)
def test_bulk_assign_refusals_change_nothing(
    data: dict[str, Any],
    message: str,
    client: Client,
    sent_list: ReadingList,
    librarian: User,
    snapshot: Any,
) -> None:
    processing.reading_list_take(actor=librarian, reading_list=sent_list)
    data = {
        key: [str(sent_list.pk) if v == "LIST" else v for v in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }
    client.force_login(librarian)
    before = snapshot()

    response = client.post(reverse("workflow:bulk_assign"), data, follow=True)

    assert response.redirect_chain == [(reverse("workflow:tasks"), 302)]
    assert flash(response) == [message]
    assert snapshot() == before


def test_bulk_assign_goes_back_only_to_library_pages(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    client.force_login(librarian)

    response = client.post(
        reverse("workflow:bulk_assign"),
        {"list_ids": [sent_list.pk], "next": "https://evil.example/library/"},
    )

    assert response["Location"] == "/library/tasks/"


# --- working the list ---------------------------------------------------------------------


def test_start_processing_from_the_work_page(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    client.force_login(librarian)
    page = text(client.get(work_url(sent_list)))
    assert "Start processing" in page

    response = client.post(reverse("workflow:start", args=[sent_list.pk]), follow=True)

    assert flash(response) == ["Processing started."]
    assert fresh(sent_list).status == "BeingProcessed"
    assert "Start processing" not in text(response)


def test_start_processing_a_list_not_sent_shows_the_allowed_statuses(
    client: Client, reading_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    client.force_login(librarian)
    before = snapshot()

    response = client.post(reverse("workflow:start", args=[reading_list.pk]))

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == [
        "Cannot change list status from Being prepared to Being processed; "
        "allowed: Inactive, Ready for processing."
    ]


def test_completing_with_open_items_needs_a_reason(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    client.force_login(librarian)

    refused = client.post(
        reverse("workflow:complete", args=[sent_list.pk]), follow=True
    )
    forced = client.post(
        reverse("workflow:complete", args=[sent_list.pk]),
        {"complete-reason": "The rest comes next term"},
        follow=True,
    )

    assert flash(refused) == [
        "2 items are not complete or declined yet. Finish them, or give a reason "
        "to complete the list anyway."
    ]
    assert flash(forced) == ["The list is complete."]
    assert Event.objects.get(verb="list.complete_forced").params == {
        "open": 2,
        "reason": "The rest comes next term",
    }


def test_a_bulk_change_with_an_illegal_transition_names_the_item(
    client: Client, sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    client.force_login(librarian)
    ids = [item(sent_list, t).pk for t in (GRAIN, CANON)]
    before = snapshot()

    response = client.post(
        reverse("workflow:citations_status", args=[sent_list.pk]),
        {"citation_ids": ids, "status": "BeingPrepared"},
    )

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == [
        "“The Canon and Its Critics”: Cannot change citation status from Complete "
        "to Being prepared; allowed: In process, Inactive, Ready for processing."
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"status": "Complete"},
        {"citation_ids": ["CITATION"]},
        {"citation_ids": ["CITATION"], "status": "Lost"},
    ],
)
def test_a_bulk_change_without_items_or_status_changes_nothing(
    data: dict[str, Any],
    client: Client,
    sent_list: ReadingList,
    librarian: User,
    snapshot: Any,
) -> None:
    if "citation_ids" in data:
        data = {**data, "citation_ids": [item(sent_list, GRAIN).pk]}
    client.force_login(librarian)
    before = snapshot()

    response = client.post(
        reverse("workflow:citations_status", args=[sent_list.pk]), data
    )

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == ["Choose items and a status."]


def test_declining_without_a_reason_through_the_page_changes_nothing(
    client: Client, sent_list: ReadingList, librarian: User, snapshot: Any
) -> None:
    client.force_login(librarian)
    before = snapshot()

    response = client.post(
        reverse("workflow:citations_status", args=[sent_list.pk]),
        {"citation_ids": [item(sent_list, GRAIN).pk], "status": "Declined"},
    )

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == [
        "Say why the item is declined; the instructor will see it."
    ]


@pytest.mark.parametrize(
    ("show", "titles"),
    [
        ("", [CANON, GRAIN, CLOSE, ANTHOLOGIES]),
        ("ready", [GRAIN]),
        ("in_process", [ANTHOLOGIES]),
        ("complete", [CANON, CLOSE]),
        ("declined", []),
        ("digitization", [ANTHOLOGIES]),
        ("messages", [CLOSE]),
        ("unknown", [CANON, GRAIN, CLOSE, ANTHOLOGIES]),
    ],
)
def test_the_work_page_filters_items(
    show: str,
    titles: list[str],
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    default_rules: dict[str, Any],
) -> None:
    # Two digitization requests (one closed) still show the item once.
    for pages in ("1-4", "7-9"):
        request = workflow.request_create(
            actor=instructor,
            citation=item(sent_list, ANTHOLOGIES),
            kind="digitization",
            page_ranges=pages,
        )
        if pages == "1-4":
            workflow.request_set_state(actor=librarian, request=request, state="Done")
    workflow.message_post(
        actor=instructor,
        reading_list=sent_list,
        citation=item(sent_list, CLOSE),
        body="Is this link still good?",
    )
    workflow.message_post(actor=instructor, reading_list=sent_list, body="Thanks!")
    client.force_login(librarian)

    response = client.get(work_url(sent_list) + f"?show={show}")

    # Sections in order: Resources (default) first, then Week 1.
    shown = [c.title for c, _requests, _targets in response.context["citations"]]
    order = [CLOSE, ANTHOLOGIES, CANON, GRAIN]
    assert shown == [t for t in order if t in titles]


def test_the_work_page_shows_news_and_clears_the_alert(
    client: Client, sent_list: ReadingList, instructor: User, librarian: User
) -> None:
    add_citation(sent_list, actor=instructor, title="A late addition")
    client.force_login(librarian)

    tasks = client.get(reverse("workflow:tasks") + "?has_alerts=on")
    assert [r.pk for r in tasks.context["page"].rows] == [sent_list.pk]
    first = client.get(work_url(sent_list))
    second = client.get(work_url(sent_list))

    assert [e.summary for e in first.context["news"]] == [
        "Added “A late addition” to Resources"
    ]
    assert "News since you last looked" in text(first)
    assert list(second.context["news"]) == []
    assert fresh(sent_list).library_seen_at is not None
    after = client.get(reverse("workflow:tasks") + "?has_alerts=on")
    assert list(after.context["page"].rows) == []


def test_library_note_tags_and_copyright_through_the_page(
    client: Client,
    sent_list: ReadingList,
    librarian: User,
    library_tags: dict[str, Tag],
) -> None:
    grain = item(sent_list, GRAIN)
    client.force_login(librarian)
    form = client.get(reverse("workflow:citation_library", args=[grain.pk]))
    assert "Check edition" in text(form)

    response = client.post(
        reverse("workflow:citation_library", args=[grain.pk]),
        {
            "library_note": "Ask the vendor",
            "tags": [library_tags["internal"].pk],
            "copyright_status": "SelfDeclared",
        },
    )

    assert response["Location"] == work_url(sent_list) + f"#c{grain.pk}"
    stored = item(sent_list, GRAIN)
    assert (stored.library_note, stored.copyright_status) == (
        "Ask the vendor",
        "SelfDeclared",
    )
    assert list(stored.tags.values_list("name", flat=True)) == ["Vendor: Dawson"]


def test_a_public_tag_cannot_be_chosen_on_the_library_page(
    client: Client,
    sent_list: ReadingList,
    librarian: User,
    library_tags: dict[str, Tag],
    snapshot: Any,
) -> None:
    grain = item(sent_list, GRAIN)
    client.force_login(librarian)
    before = snapshot()

    response = client.post(
        reverse("workflow:citation_library", args=[grain.pk]),
        {
            "library_note": "x",
            "tags": [library_tags["public"].pk],
            "copyright_status": "Approved",
        },
    )

    assert response.status_code == 200
    assert "tags" in response.context["form"].errors
    assert snapshot() == before


# --- requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"kind": "digitization", "page_ranges": "12-a"},
            "“12-a” is not a page or page range.",
        ),
        ({"kind": "digitization"}, "Say which pages to digitize, e.g. 12-30, 45-51."),
        (
            {"kind": "digitization", "page_ranges": "1-90", "total_pages": "80"},
            "Pages 1-90 go past the end of the work (80 pages).",
        ),
    ],
)
def test_a_bad_request_is_shown_again_with_the_error(
    data: dict[str, str],
    error: str,
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    snapshot: Any,
) -> None:
    client.force_login(instructor)
    before = snapshot()

    response = client.post(
        reverse("workflow:request_new", args=[item(sent_list, ANTHOLOGIES).pk]), data
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [error]
    assert error in text(response)
    assert snapshot() == before


def test_a_second_open_request_through_the_page_is_refused(
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    default_rules: dict[str, Any],
) -> None:
    client.force_login(instructor)
    url = reverse("workflow:request_new", args=[item(sent_list, ANTHOLOGIES).pk])
    first = client.post(url, {"kind": "digitization", "page_ranges": "1-5"})

    second = client.post(url, {"kind": "digitization", "page_ranges": "9-12"})

    assert first["Location"] == reverse("lists:detail", args=[sent_list.pk]) + (
        f"#c{item(sent_list, ANTHOLOGIES).pk}"
    )
    assert second.context["form"].non_field_errors() == [
        "This item already has an open digitization request."
    ]
    assert ProcessingRequest.objects.count() == 1


def test_an_instructor_cancels_their_request(
    client: Client, sent_list: ReadingList, instructor: User
) -> None:
    grain = item(sent_list, GRAIN)
    request = workflow.request_create(actor=instructor, citation=grain, kind="hold")
    client.force_login(instructor)

    response = client.post(
        reverse("workflow:request_state", args=[request.pk]), {"state": "Cancelled"}
    )

    assert response["Location"] == reverse("lists:detail", args=[sent_list.pk]) + (
        f"#c{grain.pk}"
    )
    assert ProcessingRequest.objects.get().state == "Cancelled"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"state": "Rejected"}, "Say why the request is rejected."),
        ({"state": "Teleported"}, "Unknown request state."),
        (
            {"state": "New"},
            "Cannot change request state from New to New; "
            "allowed: Cancelled, Done, In progress, Rejected.",
        ),
    ],
)
def test_a_refused_request_change_says_why_and_changes_nothing(
    data: dict[str, str],
    message: str,
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    snapshot: Any,
) -> None:
    request = workflow.request_create(
        actor=instructor, citation=item(sent_list, GRAIN), kind="hold"
    )
    client.force_login(librarian)
    before = snapshot()

    response = client.post(reverse("workflow:request_state", args=[request.pk]), data)

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == [message]


def test_an_instructor_cannot_finish_their_request(
    client: Client, sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    request = workflow.request_create(
        actor=instructor, citation=item(sent_list, GRAIN), kind="hold"
    )
    client.force_login(instructor)
    before = snapshot()

    response = client.post(
        reverse("workflow:request_state", args=[request.pk]), {"state": "Done"}
    )

    assert snapshot() == before
    assert flash(client.get(response["Location"])) == [
        "Only the library can change this request."
    ]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/library/requests/hold/", "/library/requests/hold/"),
        ("//evil.example/", None),
        ("https://evil.example/", None),
    ],
)
def test_a_request_change_goes_back_only_to_this_site(
    next_url: str,
    expected: str | None,
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
) -> None:
    grain = item(sent_list, GRAIN)
    request = workflow.request_create(actor=instructor, citation=grain, kind="hold")
    client.force_login(librarian)

    response = client.post(
        reverse("workflow:request_state", args=[request.pk]),
        {"state": "InProgress", "next": next_url},
    )

    assert response["Location"] == (expected or work_url(sent_list) + f"#c{grain.pk}")


def test_the_queue_lists_open_and_closed_requests(
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
) -> None:
    grain, canon = item(sent_list, GRAIN), item(sent_list, CANON)
    open_one = workflow.request_create(
        actor=instructor, citation=grain, kind="reserves", details="Two-hour loan"
    )
    closed = workflow.request_create(actor=instructor, citation=canon, kind="reserves")
    workflow.request_set_state(actor=librarian, request=closed, state="Done")
    client.force_login(librarian)

    opened = client.get(reverse("workflow:queue", args=["reserves"]))
    done = client.get(reverse("workflow:queue", args=["reserves"]) + "?state=closed")

    assert [(r.pk, targets) for r, targets in opened.context["rows"]] == [
        (open_one.pk, ["Cancelled", "Done", "InProgress", "Rejected"])
    ]
    assert [(r.pk, targets) for r, targets in done.context["rows"]] == [(closed.pk, [])]
    assert "Two-hour loan" in text(opened)
    assert "Reading the Canon: core reading" in text(opened)


# --- discussion ---------------------------------------------------------------------------


def test_an_instructor_writes_to_the_library_about_an_item(
    client: Client, sent_list: ReadingList, instructor: User
) -> None:
    canon = item(sent_list, CANON)
    client.force_login(instructor)
    url = reverse("workflow:discussion", args=[sent_list.pk])

    response = client.post(
        url, {"body": "Is the 3rd edition fine?", "citation": canon.pk}
    )

    assert response["Location"] == f"{url}?citation={canon.pk}"
    assert list(Message.objects.values_list("citation_id", "body", "by_library")) == [
        (canon.pk, "Is the 3rd edition fine?", False)
    ]
    assert fresh(sent_list).library_alert_at is not None
    thread = client.get(response["Location"])
    assert "Is the 3rd edition fine?" in text(thread)
    assert "Discussion about “The Canon and Its Critics”" in text(thread)


def test_a_message_form_goes_back_only_to_this_site(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    client.force_login(librarian)
    url = reverse("workflow:discussion", args=[sent_list.pk])

    to_work = client.post(url, {"body": "One", "next": work_url(sent_list) + "#talk-h"})
    elsewhere = client.post(url, {"body": "Two", "next": "//evil.example/"})

    assert to_work["Location"] == work_url(sent_list) + "#talk-h"
    assert elsewhere["Location"] == url


def test_an_empty_message_is_shown_again_and_nothing_is_sent(
    client: Client, sent_list: ReadingList, instructor: User, snapshot: Any
) -> None:
    client.force_login(instructor)
    before = snapshot()

    response = client.post(
        reverse("workflow:discussion", args=[sent_list.pk]), {"body": "   "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"body": ["This field is required."]}
    assert snapshot() == before


def test_the_work_page_shows_the_discussion(
    client: Client, sent_list: ReadingList, instructor: User, librarian: User
) -> None:
    workflow.message_post(
        actor=instructor, reading_list=sent_list, body="Hello library"
    )
    client.force_login(librarian)

    response = client.get(work_url(sent_list))

    assert [m.body for m in response.context["discussion"]] == ["Hello library"]
    assert "Hello library" in text(response)


def test_notification_settings_are_saved(client: Client, librarian: User) -> None:
    client.force_login(librarian)
    url = reverse("workflow:notifications")

    client.post(url, {"daily_digest": "on"})
    on = NotificationPreference.objects.get(user=librarian).daily_digest
    client.post(url, {})
    off = NotificationPreference.objects.get(user=librarian).daily_digest

    assert (on, off) == (True, False)
    assert 'name="daily_digest" >' in text(client.get(url))
    client.post(url, {"daily_digest": "on"})
    assert 'name="daily_digest" checked>' in text(client.get(url))


# --- the task list page -----------------------------------------------------------------


def test_the_filter_state_is_in_the_url(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    client.force_login(librarian)

    response = client.get(
        reverse("workflow:tasks") + "?tab=mine&q=Canon&status=ReadyForProcessing&page=1"
    )

    assert response.context["tab"] == "mine"
    assert response.context["page_query"] == (
        "tab=mine&q=Canon&status=ReadyForProcessing"
    )
    assert [
        (key, count, url) for key, _label, count, url in response.context["tabs"]
    ] == [
        ("all", 1, "?tab=all&q=Canon&status=ReadyForProcessing"),
        ("mine", 0, "?tab=mine&q=Canon&status=ReadyForProcessing"),
        ("unassigned", 1, "?tab=unassigned&q=Canon&status=ReadyForProcessing"),
        ("others", 0, "?tab=others&q=Canon&status=ReadyForProcessing"),
    ]
    page = text(response)
    assert 'href="?tab=unassigned&amp;q=Canon&amp;status=ReadyForProcessing"' in page
    assert 'name="q" value="Canon"' in page


def test_the_task_list_pages_keep_the_filters(client: Client, librarian: User) -> None:
    ReadingList.objects.bulk_create(
        ReadingList(code=f"RL-{n:02}", name=f"List {n:02}", status="ReadyForProcessing")
        for n in range(30)
    )
    client.force_login(librarian)

    first = client.get(reverse("workflow:tasks") + "?q=List&sort=name")
    second = client.get(reverse("workflow:tasks") + "?q=List&sort=name&page=2")

    assert 'href="?tab=all&amp;q=List&amp;sort=name&page=2" rel="next"' in text(first)
    assert [r.name for r in second.context["page"].rows] == [
        f"List {n:02}" for n in range(25, 30)
    ]
    assert "Page 2 of 2 (30 lists)" in text(second)


@pytest.fixture
def core_lists(
    sent_list: ReadingList, course: Course, instructor: User
) -> list[ReadingList]:
    """Three lists with the library; two have "core" in their name."""
    return [
        sent_list,
        make_list(
            owner=instructor,
            courses=[course],
            name="Another core list",
            send_to_library=True,
        ),
        make_list(
            owner=instructor,
            courses=[course],
            name="Something else",
            send_to_library=True,
        ),
    ]


def test_the_sort_in_the_url_applies_with_the_filters(
    client: Client, core_lists: list[ReadingList], librarian: User
) -> None:
    client.force_login(librarian)

    response = client.get(reverse("workflow:tasks") + "?q=core&sort=name")

    assert [r.name for r in response.context["page"].rows] == [
        "Another core list",
        "Reading the Canon: core reading",
    ]


def test_a_descending_sort_in_the_url_keeps_the_filters(
    client: Client, core_lists: list[ReadingList], librarian: User
) -> None:
    client.force_login(librarian)

    response = client.get(reverse("workflow:tasks") + "?q=core&sort=-name")

    assert [r.name for r in response.context["page"].rows] == [
        "Reading the Canon: core reading",
        "Another core list",
    ]


def test_an_htmx_request_gets_only_the_results(
    client: Client, sent_list: ReadingList, librarian: User
) -> None:
    client.force_login(librarian)
    url = reverse("workflow:tasks") + "?tab=unassigned"

    fragment = client.get(url, headers={"HX-Request": "true"})
    full = client.get(url)

    body = text(fragment).strip()
    assert body.startswith('<div id="results">')
    assert body.endswith("</div>")
    assert "<html" not in body and "<h1>" not in body
    assert "Reading the Canon: core reading" in body
    assert "HX-Request" in [v.strip() for v in fragment["Vary"].split(",")]
    assert "HX-Request" in [v.strip() for v in full["Vary"].split(",")]
    assert "<html" in text(full)


def test_home_shows_the_counts_that_need_action(
    client: Client,
    sent_list: ReadingList,
    instructor: User,
    librarian: User,
    default_rules: dict[str, Any],
) -> None:
    workflow.request_create(
        actor=instructor,
        citation=item(sent_list, ANTHOLOGIES),
        kind="digitization",
        page_ranges="1-3",
    )
    client.force_login(librarian)

    response = client.get(reverse("workflow:home"))

    assert "1 unassigned list with the library" in text(response)
    assert "0 lists ready for processing" in text(response)
    assert ("digitization", "Digitization", 1) in [
        (k, str(label), n) for k, label, n in response.context["queues"]
    ]


# --- rules ------------------------------------------------------------------------------


def test_an_administrator_adds_a_copyright_rule(client: Client, admin: User) -> None:
    client.force_login(admin)
    CopyrightRule.objects.all().delete()

    response = client.post(
        reverse("workflow:rules"),
        {
            "rule_kind": "copyright",
            "copyright-name": "Old works",
            "copyright-published_before": "1900",
            "copyright-outcome": "NotRequired",
        },
    )

    assert response["Location"] == reverse("workflow:rules")
    assert list(
        CopyrightRule.objects.values_list(
            "position", "name", "material_type", "published_before", "outcome"
        )
    ) == [(0, "Old works", "", 1900, "NotRequired")]


def test_a_copyright_rule_without_a_condition_is_refused(
    client: Client, admin: User, snapshot: Any
) -> None:
    client.force_login(admin)
    before = snapshot()

    response = client.post(
        reverse("workflow:rules"),
        {
            "rule_kind": "copyright",
            "copyright-name": "Everything",
            "copyright-outcome": "Approved",
        },
    )

    assert response.status_code == 200
    assert response.context["forms"]["copyright"].non_field_errors() == [
        "Give the rule at least one condition."
    ]
    assert snapshot() == before


def test_a_purchase_ratio_is_set_per_tag(
    client: Client, admin: User, default_rules: dict[str, Any], default_tags: Any
) -> None:
    client.force_login(admin)

    client.post(
        reverse("workflow:rules"),
        {
            "rule_kind": "purchase",
            "purchase-tag": default_tags["Essential"].pk,
            "purchase-students_per_copy": "15",
        },
    )

    assert (
        PurchaseRatio.objects.get(tag=default_tags["Essential"]).students_per_copy == 15
    )
    assert PurchaseRatio.objects.count() == 2


def test_status_rules_are_moved_and_removed(client: Client, admin: User) -> None:
    first = CitationStatusRule.objects.create(
        position=0, material_type="website", status="Complete"
    )
    second = CitationStatusRule.objects.create(
        position=1, material_type="video", status="Complete"
    )
    client.force_login(admin)

    client.post(
        reverse("workflow:rule_move", args=["status", second.pk]), {"direction": "up"}
    )
    moved = list(
        CitationStatusRule.objects.order_by("position").values_list("pk", flat=True)
    )
    client.post(reverse("workflow:rule_delete", args=["status", first.pk]))

    assert moved == [second.pk, first.pk]
    assert list(CitationStatusRule.objects.values_list("pk", flat=True)) == [second.pk]


def test_removing_an_unknown_rule_says_so(
    client: Client, admin: User, snapshot: Any
) -> None:
    client.force_login(admin)
    before = snapshot()

    response = client.post(
        reverse("workflow:rule_delete", args=["copyright", 987654]), follow=True
    )
    other_kind = client.post(
        reverse("workflow:rule_delete", args=["teleport", 1]), follow=True
    )

    assert flash(response) == ["No such rule."]
    assert flash(other_kind) == ["No such rule."]
    assert snapshot() == before


def test_a_status_rule_added_in_the_browser_applies_to_new_items(
    client: Client, admin: User, reading_list: ReadingList, instructor: User
) -> None:
    client.force_login(admin)
    client.post(
        reverse("workflow:rules"),
        {
            "rule_kind": "status",
            "status-material_type": "website",
            "status-availability": "",
            "status-status": "Complete",
        },
    )

    added = add_citation(
        reading_list,
        actor=instructor,
        title="A page",
        material_type="website",
        metadata={"type": "webpage", "title": "A page"},
    )

    assert Citation.objects.get(pk=added.pk).status == "Complete"
