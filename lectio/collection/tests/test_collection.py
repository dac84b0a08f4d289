"""My collection: saving from lists the person may read and from the catalog,
folders and tags, copying to a list section (all or none), and nobody else's
collection ever reachable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lectio.catalog.models import Record
from lectio.collection import services
from lectio.collection.models import Folder, Item, Tag
from lectio.collection.services import CollectionError
from lectio.core.factories import UserFactory
from lectio.lists.models import Citation
from lectio.lists.statuses import CitationStatus


@pytest.fixture
def record(db: None) -> Record:
    return Record.objects.create(
        control_number="coll-1",
        title="Pedagogy of the Oppressed",
        author="Freire, Paulo",
        year=1970,
        format="book",
    )


def complete_citation(reading_list: Any) -> Citation:
    return reading_list.citations.filter(status=CitationStatus.COMPLETE).first()


def state() -> tuple[Any, ...]:
    return (
        sorted(Item.objects.values_list("pk", "owner_id", "folder_id", "title")),
        sorted(Folder.objects.values_list("pk", "name")),
        Citation.objects.count(),
    )


# --- saving ------------------------------------------------------------------------


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_a_student_saves_a_citation_of_a_list_they_read(
    client_for: Any, student: Any, reading_list: Any
) -> None:
    citation = complete_citation(reading_list)
    client = client_for(student)
    assert client.get(f"/collection/save/citation/{citation.pk}/").status_code == 200

    response = client.post(f"/collection/save/citation/{citation.pk}/")

    assert response.status_code == 302
    item = Item.objects.get(owner=student)
    assert (item.title, item.source_citation, item.material_type) == (
        citation.metadata["title"],
        citation,
        citation.material_type,
    )
    # Twice is once.
    client.post(f"/collection/save/citation/{citation.pk}/")
    assert Item.objects.filter(owner=student).count() == 1


def test_a_citation_one_may_not_read_cannot_be_saved(
    client_for: Any, student: Any, reading_list: Any
) -> None:
    # The list is a draft: its students do not see it.
    citation = complete_citation(reading_list)
    response = client_for(student).post(f"/collection/save/citation/{citation.pk}/")
    assert response.status_code == 404
    assert not Item.objects.exists()


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_an_unfinished_item_is_not_saved_by_a_student(
    client_for: Any, student: Any, reading_list: Any
) -> None:
    hidden = reading_list.citations.exclude(status=CitationStatus.COMPLETE).first()
    response = client_for(student).post(f"/collection/save/citation/{hidden.pk}/")
    assert response.status_code == 404


def test_a_catalog_record_is_saved_into_a_folder(
    client_for: Any, instructor: Any, record: Record
) -> None:
    folder = services.folder_create(owner=instructor, name="Week 3 ideas")

    response = client_for(instructor).post(
        f"/collection/save/record/{record.pk}/", {"folder": folder.pk}
    )

    assert response.status_code == 302
    item = Item.objects.get(owner=instructor)
    assert (item.folder, item.catalog_record, item.material_type) == (
        folder,
        record,
        "book",
    )
    assert item.metadata["author"] == [{"family": "Freire", "given": "Paulo"}]


def test_someone_elses_folder_is_not_found(
    client_for: Any, instructor: Any, student: Any, record: Record
) -> None:
    theirs = services.folder_create(owner=student, name="Private")
    response = client_for(instructor).post(
        f"/collection/save/record/{record.pk}/", {"folder": theirs.pk}
    )
    assert response.status_code == 404
    assert not Item.objects.exists()


# --- folders, tags, moving, removing -----------------------------------------------


def test_folders_have_unique_names_and_removing_one_keeps_its_items(
    instructor: Any, record: Record
) -> None:
    folder = services.folder_create(owner=instructor, name="Reading group")
    with pytest.raises(CollectionError, match="already"):
        services.folder_create(owner=instructor, name=" Reading   group ")
    item = services.item_save_from_record(
        owner=instructor, record=record, folder=folder
    )

    services.folder_delete(owner=instructor, folder=folder)

    item.refresh_from_db()
    assert item.folder is None


def test_tags_are_the_owners_own_and_shared_between_their_items(
    instructor: Any, student: Any, record: Record
) -> None:
    item = services.item_save_from_record(owner=instructor, record=record)
    services.item_update(
        owner=instructor,
        item=item,
        folder=None,
        note="for seminar 2",
        tags=services.parse_tags("theory, Theory , method"),
    )
    assert sorted(t.name for t in item.tags.all()) == ["method", "theory"]
    other = services.item_save(
        owner=student,
        material_type="book",
        metadata={"title": "Other"},
        tags=["theory"],
    )
    assert Tag.objects.filter(name__iexact="theory").count() == 2
    assert other.tags.get().owner == student


def test_the_page_filters_by_folder_tag_and_text(
    client_for: Any, instructor: Any, record: Record
) -> None:
    folder = services.folder_create(owner=instructor, name="Theory")
    services.item_save(
        owner=instructor,
        material_type="article",
        metadata={"title": "On method"},
        folder=folder,
        tags=["key"],
    )
    services.item_save_from_record(owner=instructor, record=record)
    client = client_for(instructor)

    everything = client.get("/collection/").content.decode()
    assert "On method" in everything and "Pedagogy of the Oppressed" in everything
    in_folder = client.get(f"/collection/?folder={folder.pk}").content.decode()
    assert "On method" in in_folder and "Pedagogy of the" not in in_folder
    tag = Tag.objects.get(name="key")
    assert (
        "Pedagogy of the"
        not in client.get(f"/collection/?tag={tag.pk}").content.decode()
    )
    assert "On method" not in client.get("/collection/?q=oppressed").content.decode()
    assert "On method" not in client.get("/collection/?folder=none").content.decode()


def test_move_and_remove_touch_only_ones_own_items(
    client_for: Any, instructor: Any, student: Any, record: Record
) -> None:
    mine = services.item_save_from_record(owner=instructor, record=record)
    theirs = services.item_save(
        owner=student, material_type="book", metadata={"title": "Theirs"}
    )
    client = client_for(instructor)

    client.post(
        "/collection/items/",
        {"item": [mine.pk, theirs.pk], "action": "delete"},
    )

    assert not Item.objects.filter(pk=mine.pk).exists()
    assert Item.objects.filter(pk=theirs.pk).exists()
    assert client.get(f"/collection/items/{theirs.pk}/").status_code == 404


# --- copying to a list -------------------------------------------------------------


def test_instructor_copies_chosen_items_to_a_section_in_order(
    client_for: Any, instructor: Any, reading_list: Any, record: Record
) -> None:
    first = services.item_save_from_record(owner=instructor, record=record)
    second = services.item_save(
        owner=instructor,
        material_type="article",
        metadata={"type": "article-journal", "title": "A saved article"},
    )
    section = reading_list.sections.get(name="Week 1")
    before = list(section.citations.values_list("pk", flat=True))

    response = client_for(instructor).post(
        "/collection/items/",
        {"item": [second.pk, first.pk], "action": "copy", "section": section.pk},
    )

    assert response.status_code == 302
    added = list(section.citations.exclude(pk__in=before).order_by("position"))
    assert [c.metadata["title"] for c in added] == [
        "Pedagogy of the Oppressed",
        "A saved article",
    ]
    assert added[0].catalog_record == record
    # The items stay in the collection.
    assert Item.objects.filter(owner=instructor).count() == 2


def test_copying_to_a_list_one_may_not_edit_changes_nothing(
    client_for: Any, other_instructor: Any, reading_list: Any, record: Record
) -> None:
    item = services.item_save_from_record(owner=other_instructor, record=record)
    before = state()

    client_for(other_instructor).post(
        "/collection/items/",
        {
            "item": [item.pk],
            "action": "copy",
            "section": reading_list.sections.first().pk,
        },
    )

    assert state() == before


def test_copy_is_all_or_none(instructor: Any, reading_list: Any) -> None:
    good = services.item_save(
        owner=instructor, material_type="book", metadata={"title": "Good"}
    )
    bad = services.item_save(
        owner=instructor, material_type="book", metadata={"title": "Bad"}
    )
    Item.objects.filter(pk=bad.pk).update(metadata={"title": ""})  # broken since
    before = state()

    with pytest.raises(Exception, match="title"):
        services.items_copy_to_section(
            owner=instructor,
            item_ids=[good.pk, bad.pk],
            section=reading_list.sections.first(),
        )

    assert state() == before


# --- Cite It! into the collection --------------------------------------------------


def test_cite_it_saves_to_the_collection(client_for: Any, student: Any) -> None:
    response = client_for(student).post(
        "/citeit/",
        {
            "material_type": "website",
            "section": "collection",
            "bib_title": "A page worth keeping",
            "bib_url": "https://example.org/keep",
        },
    )

    assert response.status_code == 302
    item = Item.objects.get(owner=student)
    assert item.metadata["URL"] == "https://example.org/keep"


# --- every route for every role ------------------------------------------------------

ROLES = ("guest", "student", "other_student", "instructor", "librarian", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_url_matrix(
    client_for: Any,
    request: pytest.FixtureRequest,
    role: str,
    record: Record,
    published_list: Any,
) -> None:
    owner = UserFactory()
    folder = services.folder_create(owner=owner, name="Owner's")
    item = services.item_save(
        owner=owner, material_type="book", metadata={"title": "Owner's"}
    )
    citation = complete_citation(published_list)
    client = Client() if role == "guest" else client_for(request.getfixturevalue(role))
    reads_list = role in ("student", "instructor", "librarian", "admin")
    cases = [
        ("get", "/collection/", {}, 200),
        ("post", "/collection/items/", {"item": item.pk, "action": "delete"}, 302),
        ("get", f"/collection/items/{item.pk}/", {}, 404),
        ("post", "/collection/folders/", {"name": "New"}, 302),
        ("post", f"/collection/folders/{folder.pk}/", {"delete": "1"}, 404),
        ("get", f"/collection/save/record/{record.pk}/", {}, 200),
        (
            "get",
            f"/collection/save/citation/{citation.pk}/",
            {},
            200 if reads_list else 404,
        ),
    ]
    before = state()
    for method, path, data, expected in cases:
        response = getattr(client, method)(path, data)
        if role == "guest":
            assert response.status_code == 302, path
            assert response["Location"].startswith("/login/?next="), path
        else:
            assert response.status_code == expected, (path, response.status_code)
    # Nobody removed the owner's item or folder.
    assert Item.objects.filter(pk=item.pk).exists()
    assert Folder.objects.filter(pk=folder.pk).exists()
    if role == "guest":
        assert state() == before


def test_every_collection_route_is_in_the_matrix() -> None:
    from lectio.collection.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {
        "home",
        "items",
        "item",
        "folder_add",
        "folder",
        "save_citation",
        "save_record",
    }


def test_the_page_takes_few_queries_whatever_its_length(
    client_for: Any, instructor: Any, django_assert_max_num_queries: Any
) -> None:
    folder = services.folder_create(owner=instructor, name="F")
    for n in range(30):
        services.item_save(
            owner=instructor,
            material_type="book",
            metadata={"title": f"Book {n}"},
            folder=folder,
            tags=["t"],
        )
    client = client_for(instructor)
    client.get("/collection/")
    with django_assert_max_num_queries(12):
        response = client.get("/collection/")
    assert response.content.decode().count('name="item"') == 30
