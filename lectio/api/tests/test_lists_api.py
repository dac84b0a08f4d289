"""Lists, sections, citations and collaborators through the API: the browser's
rules, the same services (audit events), versions for edits (409 when stale),
400 naming the field, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.services import api_key_create
from lectio.core.factories import make_list
from lectio.core.models import Event
from lectio.lists import services
from lectio.lists.models import Citation, Collaborator, ReadingList, Section

LISTS = "/api/v1/lists"


def key(user, *scopes: str) -> dict[str, str]:
    name = f"k-{user.username}-{'-'.join(scopes)}"
    _key, secret = api_key_create(actor=None, name=name, scopes=list(scopes), user=user)
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def send(client, method, url, data, headers):
    return getattr(client, method)(
        url, data, content_type="application/json", **headers
    )


# --- lists -------------------------------------------------------------------------


def test_instructor_creates_a_list_for_a_course_they_teach(client, instructor, course):
    headers = key(instructor, "lists:write")
    response = send(
        client,
        "post",
        LISTS,
        {"name": "Week by week", "courses": [course.pk], "code": "RL-LIT"},
        headers,
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["name"], body["version"]) == (
        "RL-LIT",
        "Week by week",
        1,
    )
    assert [c["code"] for c in body["courses"]] == ["LIT101"]
    created = ReadingList.objects.get(code="RL-LIT")
    assert Collaborator.objects.get(reading_list=created).user == instructor
    assert Event.objects.filter(verb="list.create", list_id=created.pk).count() == 1


def test_instructor_cannot_attach_a_course_they_do_not_teach(
    client, instructor, other_course
):
    response = send(
        client,
        "post",
        LISTS,
        {"name": "Not mine", "courses": [other_course.pk]},
        key(instructor, "lists:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "courses"
    assert not ReadingList.objects.filter(name="Not mine").exists()


def test_unknown_course_is_400_naming_courses(client, librarian, db):
    response = send(
        client,
        "post",
        LISTS,
        {"name": "X", "courses": [987654]},
        key(librarian, "lists:write"),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "courses", "message": "no course with the id 987654."}
    ]


def test_student_cannot_create_lists(client, student):
    response = send(
        client, "post", LISTS, {"name": "Mine"}, key(student, "lists:write")
    )
    assert response.status_code == 403
    assert not ReadingList.objects.exists()


def test_editor_sees_every_item_with_notes(client, instructor, reading_list):
    body = client.get(
        f"{LISTS}/{reading_list.pk}", **key(instructor, "lists:read")
    ).json()
    assert body["right"] == "manage"
    titles = [c["title"] for s in body["sections"] for c in s["citations"]]
    assert sorted(titles) == sorted(
        [
            "The Canon and Its Critics",
            "Reading Against the Grain",
            "Close Reading, Explained",
            "On Anthologies",
        ]
    )
    citation = body["sections"][0]["citations"][0]
    assert citation["instructor_note"] == ""
    assert citation["library_note"] is None
    assert body["library_note"] is None


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_student_reads_a_published_list_as_in_the_browser(
    client, student, reading_list
):
    body = client.get(f"{LISTS}/{reading_list.pk}", **key(student, "lists:read")).json()
    assert body["right"] == "read"
    titles = sorted(c["title"] for s in body["sections"] for c in s["citations"])
    assert titles == ["Close Reading, Explained", "The Canon and Its Critics"]
    assert all(
        c["instructor_note"] is None for s in body["sections"] for c in s["citations"]
    )
    assert body["instructor_note"] is None


def test_student_cannot_see_a_draft_list(client, student, reading_list):
    headers = key(student, "lists:read")
    assert client.get(f"{LISTS}/{reading_list.pk}", **headers).status_code == 404
    assert client.get(LISTS, **headers).json()["total"] == 0


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_list_index_shows_what_each_person_may_read(
    client, student, other_student, other_instructor, librarian, reading_list
):
    make_list(owner=other_instructor, name="Private draft")
    seen = {
        user.username: [
            r["name"]
            for r in client.get(LISTS, **key(user, "lists:read")).json()["results"]
        ]
        for user in (student, other_student, other_instructor, librarian)
    }
    assert seen == {
        "student": ["Reading the Canon: core reading"],
        "other_student": [],
        "other_instructor": ["Private draft"],
        "librarian": ["Private draft", "Reading the Canon: core reading"],
    }


def test_list_filters(client, librarian, reading_list, course, instructor):
    make_list(owner=instructor, name="Other list")
    headers = key(librarian, "lists:read")

    def names(params):
        return [
            r["name"] for r in client.get(LISTS, params, **headers).json()["results"]
        ]

    assert names({"course": course.pk}) == ["Reading the Canon: core reading"]
    assert names({"q": "other"}) == ["Other list"]
    assert names({"code": reading_list.code}) == ["Reading the Canon: core reading"]
    assert names({"status": "BeingPrepared", "publication_status": "Draft"}) == [
        "Other list",
        "Reading the Canon: core reading",
    ]
    assert names({"status": "Complete"}) == []


def test_patch_with_version_then_stale_version_is_409(client, instructor, reading_list):
    headers = key(instructor, "lists:write")
    url = f"{LISTS}/{reading_list.pk}"
    first = send(
        client, "patch", url, {"version": reading_list.version, "name": "New"}, headers
    )
    assert first.status_code == 200
    assert first.json()["version"] == reading_list.version + 1

    stale = send(
        client, "patch", url, {"version": reading_list.version, "name": "Lost"}, headers
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == reading_list.version + 1
    assert ReadingList.objects.get(pk=reading_list.pk).name == "New"


def test_patch_keeps_fields_not_sent(client, instructor, reading_list):
    ReadingList.objects.filter(pk=reading_list.pk).update(description="Keep me")
    send(
        client,
        "patch",
        f"{LISTS}/{reading_list.pk}",
        {"version": reading_list.version, "due_back_date": "2026-12-01"},
        key(instructor, "lists:write"),
    )
    stored = ReadingList.objects.get(pk=reading_list.pk)
    assert (stored.name, stored.description, str(stored.due_back_date)) == (
        "Reading the Canon: core reading",
        "Keep me",
        "2026-12-01",
    )
    assert stored.courses.count() == 1


def test_editor_cannot_change_courses_or_delete(
    client, collaborator_editor, reading_list
):
    headers = key(collaborator_editor, "lists:write")
    url = f"{LISTS}/{reading_list.pk}"
    response = send(
        client, "patch", url, {"version": reading_list.version, "courses": []}, headers
    )
    assert response.status_code == 403
    assert client.delete(url, **headers).status_code == 403
    assert ReadingList.objects.get(pk=reading_list.pk).courses.count() == 1


def test_manager_deletes_a_list(client, instructor, reading_list):
    response = client.delete(
        f"{LISTS}/{reading_list.pk}", **key(instructor, "lists:write")
    )
    assert response.status_code == 204
    assert not ReadingList.objects.filter(pk=reading_list.pk).exists()
    assert Event.objects.filter(verb="list.delete", list_id=reading_list.pk).exists()


def test_send_and_publish(client, instructor, reading_list):
    headers = key(instructor, "lists:write")
    sent = client.post(f"{LISTS}/{reading_list.pk}/send", **headers)
    assert sent.json()["status"] == "ReadyForProcessing"
    published = send(
        client,
        "post",
        f"{LISTS}/{reading_list.pk}/publish",
        {"visibility": "institution"},
        headers,
    )
    assert (published.json()["publication_status"], published.json()["visibility"]) == (
        "Published",
        "institution",
    )
    archived = send(
        client,
        "post",
        f"{LISTS}/{reading_list.pk}/publication",
        {"publication_status": "Archived"},
        headers,
    )
    assert archived.json()["publication_status"] == "Archived"


# --- sections ----------------------------------------------------------------------


def test_sections_add_update_move_delete(client, instructor, reading_list):
    headers = key(instructor, "lists:write")
    added = send(
        client,
        "post",
        f"{LISTS}/{reading_list.pk}/sections",
        {"name": "Week 2"},
        headers,
    )
    assert added.status_code == 201
    section = added.json()
    assert (section["name"], section["position"], section["list_id"]) == (
        "Week 2",
        2,
        reading_list.pk,
    )

    url = f"/api/v1/sections/{section['id']}"
    changed = send(
        client, "patch", url, {"version": 1, "description": "Poems"}, headers
    )
    assert changed.json()["description"] == "Poems"
    assert changed.json()["name"] == "Week 2"
    stale = send(client, "patch", url, {"version": 1, "name": "Lost"}, headers)
    assert stale.status_code == 409

    moved = send(client, "post", f"{url}/move", {"position": 0}, headers)
    assert moved.json()["position"] == 0
    order = list(
        Section.objects.filter(reading_list=reading_list)
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert order[0] == "Week 2"

    assert client.delete(url, **headers).status_code == 204
    assert not Section.objects.filter(pk=section["id"]).exists()


def test_section_dates_in_the_wrong_order_are_refused(client, instructor, reading_list):
    section = reading_list.sections.get(name="Week 1")
    response = send(
        client,
        "patch",
        f"/api/v1/sections/{section.pk}",
        {
            "version": section.version,
            "start_date": "2026-10-10",
            "end_date": "2026-10-01",
        },
        key(instructor, "lists:write"),
    )
    assert response.status_code == 400


# --- citations ---------------------------------------------------------------------


def test_add_citation_to_the_default_section(client, instructor, reading_list):
    response = send(
        client,
        "post",
        f"{LISTS}/{reading_list.pk}/citations",
        {
            "material_type": "book",
            "metadata": {
                "title": "Middlemarch",
                "author": [{"family": "Eliot", "given": "George"}],
            },
            "public_note": "Read it all",
        },
        key(instructor, "lists:write"),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    default = reading_list.sections.get(is_default=True)
    assert body["section_id"] == default.pk
    assert body["metadata"]["type"] == "book"
    assert body["author"] == "Eliot, George"
    assert body["status"] == "BeingPrepared"
    assert Event.objects.filter(verb="citation.add", target_id=body["id"]).exists()


def test_citation_without_title_or_with_foreign_section_is_400(
    client, instructor, reading_list, other_instructor
):
    headers = key(instructor, "lists:write")
    url = f"{LISTS}/{reading_list.pk}/citations"
    no_title = send(
        client, "post", url, {"material_type": "book", "metadata": {}}, headers
    )
    assert no_title.status_code == 400
    assert no_title.json()["errors"][0]["field"] == "metadata.title"

    foreign = make_list(owner=other_instructor, name="Theirs").sections.first()
    wrong = send(
        client,
        "post",
        url,
        {"material_type": "book", "metadata": {"title": "X"}, "section_id": foreign.pk},
        headers,
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "section_id"

    bad_type = send(
        client,
        "post",
        url,
        {"material_type": "scroll", "metadata": {"title": "X"}},
        headers,
    )
    assert bad_type.status_code == 400
    assert bad_type.json()["errors"][0]["field"] == "material_type"
    assert reading_list.citations.count() == 4


def test_citation_update_with_version(client, instructor, reading_list):
    citation = reading_list.citations.get(title="On Anthologies")
    headers = key(instructor, "lists:write")
    url = f"/api/v1/citations/{citation.pk}"
    ok = send(
        client,
        "patch",
        url,
        {"version": citation.version, "public_note": "Pages 1-20"},
        headers,
    )
    assert ok.status_code == 200
    assert ok.json()["public_note"] == "Pages 1-20"
    assert ok.json()["title"] == "On Anthologies"
    stale = send(
        client, "patch", url, {"version": citation.version, "public_note": "x"}, headers
    )
    assert stale.status_code == 409
    assert Citation.objects.get(pk=citation.pk).public_note == "Pages 1-20"


def test_citation_move_and_delete(client, instructor, reading_list):
    headers = key(instructor, "lists:write")
    week1 = reading_list.sections.get(name="Week 1")
    citation = reading_list.citations.get(title="On Anthologies")
    moved = send(
        client,
        "post",
        f"/api/v1/citations/{citation.pk}/move",
        {"section_id": week1.pk, "position": 0},
        headers,
    )
    assert moved.status_code == 200
    assert (moved.json()["section_id"], moved.json()["position"]) == (week1.pk, 0)
    assert (
        client.delete(f"/api/v1/citations/{citation.pk}", **headers).status_code == 204
    )
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_citation_status_instructor_sends_library_completes(
    client, instructor, librarian, reading_list
):
    citation = reading_list.citations.get(title="Reading Against the Grain")
    url = f"/api/v1/citations/{citation.pk}/status"
    instructor_key = key(instructor, "lists:write")

    refused = send(client, "post", url, {"status": "Complete"}, instructor_key)
    assert refused.status_code == 403
    sent = send(client, "post", url, {"status": "ReadyForProcessing"}, instructor_key)
    assert sent.json()["status"] == "ReadyForProcessing"

    done = send(
        client, "post", url, {"status": "InProcess"}, key(librarian, "lists:write")
    )
    assert done.status_code == 200
    assert Citation.objects.get(pk=citation.pk).status == "InProcess"


def test_student_cannot_edit_a_citation(client, student, reading_list):
    citation = reading_list.citations.first()
    response = send(
        client,
        "patch",
        f"/api/v1/citations/{citation.pk}",
        {"version": citation.version, "public_note": "mine"},
        key(student, "lists:write"),
    )
    assert response.status_code == 404
    assert Citation.objects.get(pk=citation.pk).public_note == ""


# --- collaborators -----------------------------------------------------------------


def test_collaborators_list_set_remove(
    client, instructor, other_instructor, reading_list
):
    headers = key(instructor, "lists:write")
    base = f"{LISTS}/{reading_list.pk}/collaborators"
    put = send(client, "put", f"{base}/other_instructor", {"right": "editor"}, headers)
    assert put.status_code == 200
    assert put.json()["right"] == "editor"
    listed = client.get(base, **headers).json()
    assert listed["total"] == 2
    assert [r["username"] for r in listed["results"]] == [
        "instructor",
        "other_instructor",
    ]

    assert client.delete(f"{base}/other_instructor", **headers).status_code == 204
    assert not Collaborator.objects.filter(
        reading_list=reading_list, user=other_instructor
    ).exists()
    assert client.delete(f"{base}/nobody", **headers).status_code == 404


def test_editor_cannot_manage_collaborators(client, collaborator_editor, reading_list):
    response = send(
        client,
        "put",
        f"{LISTS}/{reading_list.pk}/collaborators/editor",
        {"right": "owner"},
        key(collaborator_editor, "lists:write"),
    )
    assert response.status_code == 403
    assert (
        Collaborator.objects.get(
            reading_list=reading_list, user=collaborator_editor
        ).right
        == "editor"
    )


# --- query counts ------------------------------------------------------------------


def test_list_index_query_count_is_constant(client, instructor, librarian, course):
    headers = key(librarian, "lists:read")
    make_list(owner=instructor, courses=[course], name="L0")
    with CaptureQueriesContext(connection) as one:
        assert client.get(LISTS, **headers).status_code == 200
    for n in range(1, 25):
        make_list(owner=instructor, courses=[course], name=f"L{n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(LISTS, **headers).json()["total"] == 25
    assert len(many) == len(one) <= 5


def test_list_index_query_count_for_a_student_is_constant(
    client, student, instructor, course
):
    headers = key(student, "lists:read")
    make_list(owner=instructor, courses=[course], name="L0", visibility="course")
    with CaptureQueriesContext(connection) as one:
        assert client.get(LISTS, **headers).json()["total"] == 1
    for n in range(1, 25):
        make_list(owner=instructor, courses=[course], name=f"L{n}", visibility="course")
    with CaptureQueriesContext(connection) as many:
        assert client.get(LISTS, **headers).json()["total"] == 25
    assert len(many) == len(one) <= 5


def test_list_detail_query_count_is_constant(client, instructor, course):
    headers = key(instructor, "lists:read")
    small = make_list(owner=instructor, courses=[course], citations=[{"title": "One"}])
    big = make_list(
        owner=instructor,
        courses=[course],
        sections=["A", "B", "C"],
        citations=[{"title": f"Item {n}", "section": "ABC"[n % 3]} for n in range(40)],
    )
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{LISTS}/{small.pk}", **headers).status_code == 200
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{LISTS}/{big.pk}", **headers).json()
    assert sum(len(s["citations"]) for s in body["sections"]) == 40
    assert len(many) == len(one) <= 8


def test_collaborator_list_query_count_is_constant(client, instructor, reading_list):
    from lectio.core.factories import UserFactory

    headers = key(instructor, "lists:read")
    url = f"{LISTS}/{reading_list.pk}/collaborators"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url, **headers).json()["total"] == 1
    for n in range(25):
        services.collaborator_set(
            actor=instructor,
            reading_list=reading_list,
            user=UserFactory.create(username=f"helper{n}"),
            right="editor",
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, **headers).json()["total"] == 26
    assert len(many) == len(one) <= 6


def test_session_writes_need_the_csrf_token(instructor, reading_list):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(instructor)
    assert browser.get(f"{LISTS}/{reading_list.pk}").status_code == 200
    response = browser.delete(f"{LISTS}/{reading_list.pk}")
    assert response.status_code == 403
    assert ReadingList.objects.filter(pk=reading_list.pk).exists()
