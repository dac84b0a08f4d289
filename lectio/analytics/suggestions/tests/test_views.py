"""The suggestions on a list's pages: where they appear, adding one, bad input, and
the fixed number of queries they cost."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import InstitutionSettings
from lectio.analytics.suggestions.models import Work
from lectio.analytics.suggestions.refresh import refresh_all
from lectio.analytics.suggestions.tests.conftest import World, cite, work
from lectio.catalog.models import Record
from lectio.lists.models import Citation

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_list_page_holds_a_panel_that_loads_the_suggestions(
    world: World, instructor: Any, student: Any
) -> None:
    citation = world.ours.citations.get(title="The age of revolution")
    list_url = reverse("suggestions:list", args=[world.ours.pk])

    editor = logged_in(instructor).get(reverse("lists:detail", args=[world.ours.pk]))
    reader = logged_in(student).get(reverse("lists:detail", args=[world.ours.pk]))
    item = logged_in(student).get(reverse("lists:citation_detail", args=[citation.pk]))

    assert f'hx-get="{list_url}"' in editor.content.decode()
    assert "Others teaching this also assign" in editor.content.decode()
    assert f'hx-get="{list_url}?view=reader"' in reader.content.decode()
    assert "You may also find useful" in reader.content.decode()
    citation_url = reverse("suggestions:citation", args=[citation.pk])
    assert f'hx-get="{citation_url}"' in item.content.decode()


def test_the_fragment_explains_each_suggestion(world: World, student: Any) -> None:
    refresh_all()

    response = logged_in(student).get(
        reverse("suggestions:list", args=[world.ours.pk]), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" not in html  # the fragment only
    assert "You may also find useful" in html
    assert "On 2 other lists (2 courses) with “The age of revolution”" in html
    assert "HX-Request" in response["Vary"]


def test_an_editors_preview_shows_the_readers_suggestions(
    world: World, instructor: Any
) -> None:
    refresh_all()

    response = logged_in(instructor).get(
        reverse("suggestions:list", args=[world.ours.pk]) + "?view=reader"
    )

    html = response.content.decode()
    assert "You may also find useful" in html
    assert "Add to section" not in html


def test_a_list_with_nothing_to_suggest_says_so(world: World, student: Any) -> None:
    response = logged_in(student).get(reverse("suggestions:list", args=[world.ours.pk]))

    assert response.status_code == 200
    assert "No suggestions for this list yet." in response.content.decode()


def test_adding_a_suggestion_with_a_record_links_the_citation_to_it(
    world: World, instructor: Any
) -> None:
    record = Record.objects.create(control_number="cap-1", title="The age of capital")
    capital = world.l1.citations.get(title="The age of capital")
    Citation.objects.filter(pk=capital.pk).update(catalog_record=record)
    refresh_all()
    work_row = Work.objects.get(title="The age of capital")
    assert work_row.record_id == record.pk
    section = world.ours.sections.get()

    response = logged_in(instructor).post(
        reverse("suggestions:add", args=[world.ours.pk]),
        {"work": work_row.pk, "section": section.pk},
    )

    added = world.ours.citations.get(catalog_record=record)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#c{added.pk}")
    assert added.section_id == section.pk
    assert added.title == "The age of capital"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"work": "x"},
        {"work": "999999"},
        {"record": "999999"},
        {"work": "WORK", "record": "1"},
        {"work": "WORK", "section": "nope"},
        {"work": "WORK", "section": "OTHER"},
    ],
)
def test_bad_input_adds_nothing_and_says_why(
    world: World, instructor: Any, data: dict[str, str]
) -> None:
    refresh_all()
    capital = Work.objects.get(title="The age of capital")
    other_section = world.l1.sections.get()
    data = {
        k: str(capital.pk)
        if v == "WORK"
        else str(other_section.pk)
        if v == "OTHER"
        else v
        for k, v in data.items()
    }
    before = Citation.objects.count()

    response = logged_in(instructor).post(
        reverse("suggestions:add", args=[world.ours.pk]), data
    )

    assert response.status_code == 302
    assert Citation.objects.count() == before
    errors = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(errors) == 1


def test_a_title_the_list_has_now_cannot_be_added_again(
    world: World, instructor: Any
) -> None:
    refresh_all()
    capital = Work.objects.get(title="The age of capital")
    cite(world.ours, instructor, work("The age of capital", "9780679772545"))
    before = Citation.objects.count()

    response = logged_in(instructor).post(
        reverse("suggestions:add", args=[world.ours.pk]), {"work": capital.pk}
    )

    assert Citation.objects.count() == before
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "That is not a suggestion for this list (it may be on it already)."
    ]


# The fragment: session, user, the list with its permission facts, the list's items
# (cold: kept per content version), their works, the co-citations, which of those
# the list has, the similar records; an editor's add buttons also read the sections.
READER_COLD, READER_WARM = 8, 7
EDITOR_COLD, EDITOR_WARM = 9, 8


@pytest.mark.parametrize("extra", [0, 40])
def test_the_suggestions_cost_the_same_queries_whatever_the_lists_size(
    world: World,
    instructor: Any,
    student: Any,
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    for n in range(extra):
        cite(world.ours, instructor, work(f"Extra {n}", "", f"Writer{n}"))
    subjects = ["Revolutions -- Europe"]
    anchor = Record.objects.create(control_number="q1", title="A", subjects=subjects)
    Record.objects.create(control_number="q2", title="Revolutions", subjects=subjects)
    age = world.ours.citations.get(title="The age of revolution")
    Citation.objects.filter(pk=age.pk).update(catalog_record=anchor)
    refresh_all()
    url = reverse("suggestions:list", args=[world.ours.pk])
    InstitutionSettings.cached()

    for client, cold, warm, text in (
        (logged_in(student), READER_COLD, READER_WARM, "Revolutions"),
        (logged_in(instructor), EDITOR_COLD, EDITOR_WARM, "Add to section"),
    ):
        cache.clear()
        with django_assert_num_queries(cold):
            response = client.get(url, HTTP_HX_REQUEST="true")
        assert "The age of capital" in response.content.decode()
        assert text in response.content.decode()
        with django_assert_num_queries(warm):
            client.get(url, HTTP_HX_REQUEST="true")
