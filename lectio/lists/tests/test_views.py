"""The list pages as an instructor and a student use them: forms, conflicts, moving
things around, marks, the reading view, deleting, duplicating, sharing, history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import User
from lectio.core.factories import UserFactory, add_citation, enrol
from lectio.core.models import Event
from lectio.lists import services
from lectio.lists.models import Citation, Collaborator, ReadingList, Section

pytestmark = pytest.mark.django_db

CANON = "The Canon and Its Critics"  # Week 1, book, Complete
GRAIN = "Reading Against the Grain"  # Week 1, article, BeingPrepared
CLOSE = "Close Reading, Explained"  # Resources, website, Complete
ANTHOLOGIES = "On Anthologies"  # Resources, book chapter, InProcess
CONFLICT = "Someone else changed this while you were editing it"


def section(reading_list: ReadingList, name: str) -> Section:
    return reading_list.sections.get(name=name)


def citation(reading_list: ReadingList, title: str) -> Citation:
    return reading_list.citations.get(title=title)


def order(section: Section) -> list[tuple[str, int]]:
    return list(
        Citation.objects.filter(section=section)
        .order_by("position", "id")
        .values_list("title", "position")
    )


def field_block(html: str, field_id: str) -> str:
    """The markup of one form field: its wrapper from the label to the closing div."""
    label = html.index(f'<label for="{field_id}"')
    start = html.rindex('<div class="field', 0, label)
    return html[start : html.index("</div>", label) + len("</div>")]


def labels(html: str) -> list[str]:
    return [
        text.strip() for text in re.findall(r'<label for="id_bib_[^"]*">([^<]*)', html)
    ]


# --- citation forms -----------------------------------------------------------------


@pytest.fixture
def add_url(reading_list: ReadingList) -> str:
    return reverse("lists:citation_add", args=[reading_list.pk])


def test_website_without_url_shows_the_error_next_to_the_url_field(
    client_for: Any, instructor: User, reading_list: ReadingList, add_url: str, snapshot
) -> None:
    before = snapshot()

    response = client_for(instructor).post(
        add_url, {"material_type": "website", "bib_title": "A website"}
    )

    assert response.status_code == 200
    block = field_block(response.content.decode(), "id_bib_url")
    assert block.startswith('<div class="field has-error">')
    assert 'aria-invalid="true"' in block
    assert (
        '<p class="error" id="id_bib_url_error">This field is required. </p>' in block
    )
    assert 'value="A website"' in response.content.decode()  # what was typed stays
    assert snapshot() == before


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "ftp://example.org/file", "example.org"]
)
def test_web_address_must_be_http_or_https(
    client_for: Any,
    instructor: User,
    add_url: str,
    snapshot,
    address: str,
) -> None:
    before = snapshot()

    response = client_for(instructor).post(
        add_url,
        {"material_type": "website", "bib_title": "A website", "bib_url": address},
    )

    assert response.status_code == 200
    block = field_block(response.content.decode(), "id_bib_url")
    assert (
        "Enter a web address starting with http:// or https://." in block
        and 'class="error"' in block
    )
    assert snapshot() == before


def test_website_with_an_https_address_is_added(
    client_for: Any, instructor: User, reading_list: ReadingList, add_url: str
) -> None:
    response = client_for(instructor).post(
        add_url,
        {
            "material_type": "website",
            "bib_title": "A website",
            "bib_url": "https://example.org/page",
            "section": section(reading_list, "Week 1").pk,
        },
    )

    added = citation(reading_list, "A website")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("lists:detail", args=[reading_list.pk]) + f"#c{added.pk}"
    )
    assert added.material_type == "website"
    assert added.metadata["URL"] == "https://example.org/page"
    assert order(section(reading_list, "Week 1"))[-1] == ("A website", 2)


def test_an_invalid_edit_saves_nothing(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    canon = citation(reading_list, CANON)
    before = snapshot()

    response = client_for(instructor).post(
        reverse("lists:citation_edit", args=[canon.pk]),
        {
            "material_type": "book",
            "bib_title": "",
            "bib_url": "javascript:alert(1)",
            "version": canon.version,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in field_block(html, "id_bib_title")
    assert "starting with http:// or https://" in field_block(html, "id_bib_url")
    assert snapshot() == before


def test_article_form_asks_for_journal_volume_issue_and_pages(
    client_for: Any, instructor: User, add_url: str
) -> None:
    response = client_for(instructor).get(add_url, {"type": "article"})

    assert response.status_code == 200
    assert labels(response.content.decode()) == [
        "Article title",
        "Authors",
        "Year or date",
        "Journal title",
        "Volume",
        "Issue",
        "Pages",
        "ISSN",
        "DOI",
        "Web address (URL)",
    ]


def test_book_form_asks_for_publisher_and_isbn(
    client_for: Any, instructor: User, add_url: str
) -> None:
    response = client_for(instructor).get(add_url, {"type": "book"})

    found = labels(response.content.decode())
    assert {"Title", "Publisher", "Place of publication", "ISBN", "Edition"} <= set(
        found
    )
    assert not {"Journal title", "Volume", "Issue"} & set(found)


def test_change_type_reshows_the_form_with_what_was_typed_and_saves_nothing(
    client_for: Any, instructor: User, reading_list: ReadingList, add_url: str, snapshot
) -> None:
    week1 = section(reading_list, "Week 1")
    before = snapshot()

    response = client_for(instructor).post(
        add_url,
        {
            "material_type": "article",
            "change_type": "1",
            "section": week1.pk,
            "bib_title": "Typed title",
            "bib_author": "Freire, Paulo",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Journal title" in labels(html)
    assert 'value="Typed title"' in field_block(html, "id_bib_title")
    assert "Freire, Paulo" in field_block(html, "id_bib_author")
    assert f'<option value="{week1.pk}" selected>' in html
    assert '<option value="article" selected>' in html
    assert "This field is required" not in html  # not validated yet
    assert snapshot() == before


def test_change_type_while_editing_keeps_typed_values_and_saves_nothing(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    canon = citation(reading_list, CANON)
    before = snapshot()

    response = client_for(instructor).post(
        reverse("lists:citation_edit", args=[canon.pk]),
        {
            "material_type": "article",
            "change_type": "1",
            "bib_title": "Retyped title",
            "version": canon.version,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert labels(html)[:4] == [
        "Article title",
        "Authors",
        "Year or date",
        "Journal title",
    ]
    assert 'value="Retyped title"' in field_block(html, "id_bib_title")
    assert snapshot() == before


# --- optimistic locking: two people, one form -----------------------------------------


def test_stale_list_edit_is_409_with_the_current_version_and_saves_nothing(
    client_for: Any, instructor: User, course, reading_list: ReadingList
) -> None:
    url = reverse("lists:edit", args=[reading_list.pk])
    client = client_for(instructor)
    loaded = reading_list.version
    assert f'name="version" value="{loaded}"' in client.get(url).content.decode()
    services.reading_list_update(  # a colleague saves first
        actor=instructor,
        reading_list=reading_list,
        expected_version=loaded,
        name="Their name",
    )

    response = client.post(
        url,
        {"name": "My name", "version": loaded, "courses": [course.pk]},
    )

    assert response.status_code == 409
    assert response["X-Current-Version"] == str(loaded + 1)
    html = response.content.decode()
    assert CONFLICT in html and f"now version {loaded + 1}" in html
    assert 'value="My name"' in html  # my typing is not thrown away
    reading_list.refresh_from_db()
    assert (reading_list.name, reading_list.version) == ("Their name", loaded + 1)


def test_stale_section_edit_is_409_and_saves_nothing(
    client_for: Any, instructor: User, reading_list: ReadingList
) -> None:
    week1 = section(reading_list, "Week 1")
    services.section_update(
        actor=instructor, section=week1, expected_version=1, name="Their week"
    )

    response = client_for(instructor).post(
        reverse("lists:section_edit", args=[week1.pk]),
        {"name": "My week", "version": 1},
    )

    assert response.status_code == 409
    assert response["X-Current-Version"] == "2"
    assert CONFLICT in response.content.decode()
    week1.refresh_from_db()
    assert (week1.name, week1.version) == ("Their week", 2)


def test_stale_citation_edit_is_409_and_saves_nothing(
    client_for: Any, instructor: User, collaborator_editor: User, reading_list
) -> None:
    canon = citation(reading_list, CANON)
    loaded = canon.version
    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=loaded,
        material_type="book",
        metadata={**canon.metadata, "title": "Their title"},
    )

    response = client_for(collaborator_editor).post(
        reverse("lists:citation_edit", args=[canon.pk]),
        {"material_type": "book", "bib_title": "My title", "version": loaded},
    )

    assert response.status_code == 409
    assert response["X-Current-Version"] == str(loaded + 1)
    html = response.content.decode()
    assert CONFLICT in html and 'value="My title"' in html
    canon.refresh_from_db()
    assert (canon.title, canon.version) == ("Their title", loaded + 1)


def test_fresh_citation_edit_saves_and_bumps_the_version(
    client_for: Any, instructor: User, reading_list: ReadingList
) -> None:
    canon = citation(reading_list, CANON)

    response = client_for(instructor).post(
        reverse("lists:citation_edit", args=[canon.pk]),
        {"material_type": "book", "bib_title": "New title", "version": canon.version},
    )

    assert response.status_code == 302
    stored = Citation.objects.get(pk=canon.pk)
    assert (stored.title, stored.version) == ("New title", canon.version + 1)


# --- moving citations -----------------------------------------------------------------


@pytest.fixture
def week1(reading_list: ReadingList, instructor: User) -> Section:
    """Week 1 with four citations: Canon, Grain, Third, Fourth."""
    week = section(reading_list, "Week 1")
    for title in ("Third", "Fourth"):
        add_citation(reading_list, actor=instructor, title=title, section=week)
    return week


def move(client: Any, item: Citation, **data: Any) -> Any:
    return client.post(reverse("lists:citation_move", args=[item.pk]), data)


def test_move_up_and_down_keeps_positions_contiguous(
    client_for: Any, instructor: User, reading_list: ReadingList, week1: Section
) -> None:
    client = client_for(instructor)
    by_title = {c.title: c for c in week1.citations.all()}

    assert move(client, by_title["Fourth"], direction="up").status_code == 302
    assert order(week1) == [(CANON, 0), (GRAIN, 1), ("Fourth", 2), ("Third", 3)]
    move(client, Citation.objects.get(pk=by_title[CANON].pk), direction="down")
    assert order(week1) == [(GRAIN, 0), (CANON, 1), ("Fourth", 2), ("Third", 3)]
    # At the ends, nothing moves.
    move(client, Citation.objects.get(pk=by_title[GRAIN].pk), direction="up")
    move(client, Citation.objects.get(pk=by_title["Third"].pk), direction="down")
    assert order(week1) == [(GRAIN, 0), (CANON, 1), ("Fourth", 2), ("Third", 3)]


def test_move_up_after_a_delete_still_moves(
    client_for: Any, instructor: User, reading_list: ReadingList, week1: Section
) -> None:
    client = client_for(instructor)
    client.post(
        reverse("lists:citation_delete", args=[citation(reading_list, GRAIN).pk])
    )

    response = move(client, citation(reading_list, "Fourth"), direction="up")

    assert response.status_code == 302
    assert order(week1) == [(CANON, 0), ("Fourth", 1), ("Third", 2)]


def test_move_to_another_section_appends_and_closes_the_gap(
    client_for: Any, instructor: User, reading_list: ReadingList, week1: Section
) -> None:
    resources = section(reading_list, "Resources")

    response = move(
        client_for(instructor), citation(reading_list, GRAIN), section=resources.pk
    )

    assert response.status_code == 302
    assert order(resources) == [(CLOSE, 0), (ANTHOLOGIES, 1), (GRAIN, 2)]
    assert order(week1) == [(CANON, 0), ("Third", 1), ("Fourth", 2)]


def test_drag_and_drop_answers_json(
    client_for: Any, instructor: User, reading_list: ReadingList, week1: Section
) -> None:
    resources = section(reading_list, "Resources")
    third = citation(reading_list, "Third")

    response = client_for(instructor).post(
        reverse("lists:citation_move", args=[third.pk]),
        {"section": resources.pk, "position": 1},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "citation": third.pk,
        "section": resources.pk,
        "position": 1,
    }
    assert order(resources) == [(CLOSE, 0), ("Third", 1), (ANTHOLOGIES, 2)]
    assert order(week1) == [(CANON, 0), (GRAIN, 1), ("Fourth", 2)]


def test_drag_and_drop_past_the_end_lands_last(
    client_for: Any, instructor: User, reading_list: ReadingList, week1: Section
) -> None:
    canon = citation(reading_list, CANON)

    response = client_for(instructor).post(
        reverse("lists:citation_move", args=[canon.pk]),
        {"section": week1.pk, "position": 99},
        headers={"Accept": "application/json"},
    )

    assert response.json() == {"citation": canon.pk, "section": week1.pk, "position": 3}
    assert order(week1) == [(GRAIN, 0), ("Third", 1), ("Fourth", 2), (CANON, 3)]


def test_drag_and_drop_with_a_bad_target_is_400_json(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    before = snapshot()

    response = client_for(instructor).post(
        reverse("lists:citation_move", args=[citation(reading_list, CANON).pk]),
        {"section": "nowhere"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"section"}
    assert snapshot() == before


def test_a_citation_cannot_be_moved_into_another_lists_section(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    other = services.reading_list_create(actor=instructor, name="Other list")
    before = snapshot()

    response = client_for(instructor).post(
        reverse("lists:citation_move", args=[citation(reading_list, CANON).pk]),
        {"section": other.sections.get().pk},
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_sections_move_up_and_down(
    client_for: Any, instructor: User, reading_list: ReadingList
) -> None:
    services.section_add(actor=instructor, reading_list=reading_list, name="Week 2")
    client = client_for(instructor)

    client.post(
        reverse("lists:section_move", args=[section(reading_list, "Week 2").pk]),
        {"direction": "up"},
    )
    response = client.post(
        reverse("lists:section_move", args=[section(reading_list, "Resources").pk]),
        {"direction": "down"},
        headers={"Accept": "application/json"},
    )

    assert response.json()["position"] == 1
    assert list(reading_list.sections.values_list("name", "position")) == [
        ("Week 2", 0),
        ("Resources", 1),
        ("Week 1", 2),
    ]


# --- a student's marks and the reading view -------------------------------------------


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_done_toggles_on_and_off(
    client_for: Any, student: User, reading_list: ReadingList
) -> None:
    client = client_for(student)
    canon = citation(reading_list, CANON)
    url = reverse("lists:marks", args=[reading_list.pk])

    first = client.post(url, {"done": canon.pk})
    page = client.get(reverse("lists:detail", args=[reading_list.pk])).content.decode()
    second = client.post(
        url, {"done": canon.pk}, headers={"Accept": "application/json"}
    )

    assert first.status_code == 302
    assert first["Location"].endswith(f"#c{canon.pk}")
    assert f'<li class="citation done" id="c{canon.pk}">' in page
    assert second.json() == {"citation": canon.pk, "done": False, "liked": False}
    mark = canon.marks.get(user=student)
    assert (mark.done, mark.liked) == (False, False)


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_like_is_separate_from_done(
    client_for: Any, student: User, reading_list: ReadingList
) -> None:
    client = client_for(student)
    canon = citation(reading_list, CANON)
    url = reverse("lists:marks", args=[reading_list.pk])
    json = {"Accept": "application/json"}

    client.post(url, {"done": canon.pk}, headers=json)
    response = client.post(url, {"like": canon.pk}, headers=json)

    assert response.json() == {"citation": canon.pk, "done": True, "liked": True}


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_marks_without_done_or_like_are_400(
    client_for: Any, student: User, reading_list: ReadingList, snapshot
) -> None:
    before = snapshot()

    response = client_for(student).post(reverse("lists:marks", args=[reading_list.pk]))

    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_student_sees_only_complete_citations(
    client_for: Any, student: User, reading_list: ReadingList
) -> None:
    response = client_for(student).get(reverse("lists:detail", args=[reading_list.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert CANON in html and CLOSE in html
    assert GRAIN not in html and ANTHOLOGIES not in html
    assert "2 items" in html
    assert 'name="done"' in html  # the reading view, not the editor
    assert "Send to library" not in html


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_student_sees_the_formatted_citation_and_its_tags(
    client_for: Any,
    instructor: User,
    student: User,
    reading_list: ReadingList,
    default_tags: dict,
) -> None:
    canon = citation(reading_list, CANON)
    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=canon.version,
        material_type=canon.material_type,
        metadata=canon.metadata,
        public_note="Start here.",
        tag_ids=[default_tags["Essential"].pk],
    )
    canon.refresh_from_db()

    html = (
        client_for(student)
        .get(reverse("lists:detail", args=[reading_list.pk]))
        .content.decode()
    )

    assert canon.rendered_html == (
        "Hooks, B. (1994). <i>The Canon and Its Critics</i>. Routledge."
    )
    assert f'<p class="ref" id="c{canon.pk}-ref">{canon.rendered_html}</p>' in html
    assert '<span class="badge tag">Essential</span>' in html
    assert '<p class="note">Start here.</p>' in html


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_reading_view_shows_an_edit_at_once(
    client_for: Any,
    instructor: User,
    student: User,
    reading_list: ReadingList,
) -> None:
    reader = Client()
    reader.force_login(student)
    url = reverse("lists:detail", args=[reading_list.pk])
    assert CANON in reader.get(url).content.decode()
    assert CANON in reader.get(url).content.decode()  # now from the body cache
    canon = citation(reading_list, CANON)

    client_for(instructor).post(
        reverse("lists:citation_edit", args=[canon.pk]),
        {"material_type": "book", "bib_title": "The Canon Revisited", "version": 1},
    )
    html = reader.get(url).content.decode()

    assert "The Canon Revisited" in html
    assert CANON not in html


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_reading_view_drops_a_citation_sent_back_to_the_library(
    client_for: Any, librarian: User, student: User, reading_list: ReadingList
) -> None:
    url = reverse("lists:detail", args=[reading_list.pk])
    client = client_for(student)
    assert CANON in client.get(url).content.decode()
    services.citation_set_status(
        actor=librarian,
        citation=citation(reading_list, CANON),
        status="ReadyForProcessing",
    )

    html = client.get(url).content.decode()

    assert CANON not in html and "1 item" in html


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_private_note_is_saved_and_shown_only_to_its_author(
    client_for: Any, student: User, reading_list: ReadingList, course
) -> None:
    canon = citation(reading_list, CANON)
    url = reverse("lists:citation_detail", args=[canon.pk])

    response = client_for(student).post(url, {"private_note": "Chapter 2 matters"})
    mine = client_for(student).get(url).content.decode()
    classmate = UserFactory.create(username="classmate")
    enrol(classmate, course)
    theirs = client_for(classmate).get(url).content.decode()

    assert response.status_code == 302
    assert "Chapter 2 matters" in mine
    assert "Chapter 2 matters" not in theirs


# --- deleting -------------------------------------------------------------------------


def test_deleting_a_section_asks_first(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    before = snapshot()

    response = client_for(instructor).get(
        reverse("lists:section_delete", args=[section(reading_list, "Week 1").pk])
    )

    assert response.status_code == 200
    assert (
        "Delete the section “Week 1” and its 2 citations?" in response.content.decode()
    )
    assert snapshot() == before


def test_deleting_a_section_deletes_its_citations(
    client_for: Any, instructor: User, reading_list: ReadingList
) -> None:
    week1 = section(reading_list, "Week 1")

    response = client_for(instructor).post(
        reverse("lists:section_delete", args=[week1.pk])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("lists:detail", args=[reading_list.pk])
    assert list(reading_list.sections.values_list("name", "position")) == [
        ("Resources", 0)
    ]
    assert sorted(reading_list.citations.values_list("title", flat=True)) == [
        CLOSE,
        ANTHOLOGIES,
    ]
    assert Event.objects.filter(
        list_id=reading_list.pk, verb="section.delete", target_id=week1.pk
    ).exists()


def test_the_last_section_cannot_be_deleted(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    services.section_delete(actor=instructor, section=section(reading_list, "Week 1"))
    client = client_for(instructor)
    editor_page = client.get(reverse("lists:detail", args=[reading_list.pk]))
    last = reading_list.sections.get()
    before = snapshot()

    response = client.post(reverse("lists:section_delete", args=[last.pk]), follow=True)

    assert response.redirect_chain == [
        (reverse("lists:detail", args=[reading_list.pk]), 302)
    ]
    assert "A list keeps at least one section." in response.content.decode()
    assert snapshot() == before
    delete_url = reverse("lists:section_delete", args=[last.pk])
    assert delete_url not in editor_page.content.decode()  # no button offered


def test_deleting_a_citation_asks_first_then_deletes(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    client = client_for(instructor)
    canon = citation(reading_list, CANON)
    url = reverse("lists:citation_delete", args=[canon.pk])
    before = snapshot()

    confirm = client.get(url)
    assert (
        "Delete the citation “The Canon and Its Critics”?" in confirm.content.decode()
    )
    assert snapshot() == before
    response = client.post(url)

    assert response.status_code == 302
    assert not Citation.objects.filter(pk=canon.pk).exists()
    assert order(section(reading_list, "Week 1")) == [(GRAIN, 0)]


# --- duplicate, collaborators, history --------------------------------------------


def test_duplicate_copies_sections_citations_and_tags(
    client_for: Any,
    instructor: User,
    collaborator_editor: User,
    reading_list: ReadingList,
    default_tags: dict,
) -> None:
    canon = citation(reading_list, CANON)
    canon.tags.add(default_tags["Essential"], default_tags["Optional"])

    response = client_for(collaborator_editor).post(
        reverse("lists:duplicate", args=[reading_list.pk]), {"name": "My copy"}
    )

    copy = ReadingList.objects.get(name="My copy")
    assert response.status_code == 302
    assert response["Location"] == reverse("lists:detail", args=[copy.pk])
    assert copy.pk != reading_list.pk and copy.code != reading_list.code
    assert copy.publication_status == "Draft"
    assert list(copy.sections.values_list("name", "position", "is_default")) == list(
        reading_list.sections.values_list("name", "position", "is_default")
    )

    def shape(rl: ReadingList) -> list[tuple]:
        return [
            (c.section.name, c.position, c.title, c.material_type, c.rendered_html)
            for c in rl.citations.select_related("section").order_by("title")
        ]

    assert shape(copy) == shape(reading_list)
    copied = copy.citations.get(title=CANON)
    assert sorted(copied.tags.values_list("name", flat=True)) == [
        "Essential",
        "Optional",
    ]
    assert set(copy.citations.values_list("status", flat=True)) == {"BeingPrepared"}
    assert list(copy.courses.all()) == list(reading_list.courses.all())
    assert copy.collaborators.get(user=collaborator_editor).right == "owner"
    assert reading_list.citations.count() == 4  # the original is untouched


@pytest.fixture
def newbie(db: None) -> User:
    # Has an account, not yet on the list.
    return UserFactory.create(username="newbie", email="Newbie@Example.edu")


@pytest.mark.parametrize("typed", ["newbie", "NEWBIE", "newbie@example.edu"])
def test_collaborator_is_added_by_username_or_email(
    client_for: Any, instructor: User, reading_list: ReadingList, newbie: User, typed
) -> None:
    response = client_for(instructor).post(
        reverse("lists:collaborators", args=[reading_list.pk]),
        {"username": typed, "right": "editor"},
    )

    assert response.status_code == 302
    assert Collaborator.objects.get(reading_list=reading_list, user=newbie).right == (
        "editor"
    )


def test_collaborator_rights_can_be_changed(
    client_for: Any, instructor: User, collaborator_editor: User, reading_list
) -> None:
    client_for(instructor).post(
        reverse("lists:collaborators", args=[reading_list.pk]),
        {"username": "editor", "right": "owner"},
    )

    assert (
        Collaborator.objects.get(
            reading_list=reading_list, user=collaborator_editor
        ).right
        == "owner"
    )


def test_unknown_collaborator_is_a_form_error(
    client_for: Any, instructor: User, reading_list: ReadingList, snapshot
) -> None:
    before = snapshot()

    response = client_for(instructor).post(
        reverse("lists:collaborators", args=[reading_list.pk]),
        {"username": "nobody@example.edu", "right": "editor"},
    )

    assert response.status_code == 200
    block = field_block(response.content.decode(), "id_username")
    assert "No user with that name or e-mail." in block
    assert snapshot() == before


def test_history_lists_what_happened_newest_first(
    client_for: Any, instructor: User, reading_list: ReadingList
) -> None:
    canon = citation(reading_list, CANON)
    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=canon.version,
        material_type="book",
        metadata={**canon.metadata, "title": "Canon, revised"},
    )

    response = client_for(instructor).get(
        reverse("lists:history", args=[reading_list.pk])
    )

    assert response.status_code == 200
    entries = re.findall(
        r"<li><time[^>]*>[^<]*</time> · <strong>([^<]*)</strong>: ([^<]*)</li>",
        response.content.decode(),
    )
    assert entries[0] == ("Ines Instructor", "Edited “Canon, revised”")
    assert entries[-1] == (
        "Ines Instructor",
        "Created the list “Reading the Canon: core reading”",
    )
    assert ("Ines Instructor", "Added “The Canon and Its Critics” to Week 1") in entries
    assert len(entries) == Event.objects.filter(list_id=reading_list.pk).count()


def test_an_edit_keeps_what_the_form_does_not_show(
    client_for: Any, instructor: User, reading_list: ReadingList
) -> None:
    """An imported abstract, keywords or translator survive an edit through the
    form; a field the form shows and the person emptied is gone."""
    canon = citation(reading_list, CANON)
    services.citation_update(
        actor=instructor,
        citation=canon,
        expected_version=canon.version,
        material_type="book",
        metadata={
            **canon.metadata,
            "abstract": "What the book argues.",
            "keyword": ["canon", "criticism"],
            "translator": [{"family": "Grey", "given": "Ann"}],
            "publisher": "Old Press",
            "lectio": {"OCLC": "123", "PMID": "999"},
        },
    )
    canon.refresh_from_db()

    response = client_for(instructor).post(
        reverse("lists:citation_edit", args=[canon.pk]),
        {
            "material_type": "book",
            "bib_title": "The Canon, revised",
            "bib_publisher": "",
            "bib_oclc": "",
            "version": canon.version,
        },
    )

    assert response.status_code == 302
    canon.refresh_from_db()
    assert canon.metadata["title"] == "The Canon, revised"
    assert canon.metadata["abstract"] == "What the book argues."
    assert canon.metadata["keyword"] == ["canon", "criticism"]
    assert canon.metadata["translator"] == [{"family": "Grey", "given": "Ann"}]
    assert "publisher" not in canon.metadata
    assert canon.metadata["lectio"] == {"PMID": "999"}
