"""The import and export pages: the flow, what each person gets, and query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lectio.citations.models import PendingImport
from lectio.citations.tests.test_imports import RIS
from lectio.core.factories import add_citation
from lectio.lists.models import Citation, ReadingList


def _upload(client: Any, reading_list: ReadingList, data: bytes = RIS) -> str:
    week1 = reading_list.sections.get(name="Week 1")
    response = client.post(
        reverse("citations:import_start", args=[reading_list.pk]),
        {
            "file": SimpleUploadedFile("mine.ris", data),
            "section": week1.pk,
            "format": "",
        },
    )
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_upload_preview_confirm(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    client = client_for(instructor)
    review = _upload(client, reading_list)

    page = client.get(review)

    html = page.content.decode()
    assert page.status_code == 200
    assert "<caption>What each entry becomes</caption>" in html
    assert html.count('<th scope="col">') == 7 + 3  # entries and errors tables
    assert re.findall(
        r'name="entry" value="(\d+)" id="entry-\d+"( checked)?', html
    ) == [
        ("1", " checked"),
        ("2", " checked"),
        ("4", " checked"),
    ]
    assert '<label for="entry-2" class="visually-hidden">Import entry 2: When We' in (
        html
    )
    assert "the entry has no title" in html
    assert not Citation.objects.filter(title="Teaching to Transgress").exists()

    done = client.post(review, {"entry": ["2", "4"], "confirm": "1"}, follow=True)

    week1 = reading_list.sections.get(name="Week 1")
    assert done.redirect_chain[0][0] == (
        reverse("lists:detail", args=[reading_list.pk]) + f"#s{week1.pk}"
    )
    assert "Imported 2 citations into Week 1." in done.content.decode()
    assert list(
        week1.citations.order_by("position").values_list("title", flat=True)
    ) == [
        "The Canon and Its Critics",
        "Reading Against the Grain",
        "When We Dead Awaken",
        "Secular Criticism",
    ]
    assert not PendingImport.objects.exists()
    # The same address again: the file is gone, and the page says so.
    gone = client.get(review)
    assert gone.status_code == 410
    assert "Nothing from it was added" in gone.content.decode()


def test_a_duplicate_is_shown_unticked(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    week1 = reading_list.sections.get(name="Week 1")
    add_citation(
        reading_list,
        actor=instructor,
        section=week1,
        material_type="article",
        metadata={"type": "article-journal", "title": "x", "DOI": "10.2307/375215"},
    )
    client = client_for(instructor)

    html = client.get(_upload(client, reading_list)).content.decode()

    assert re.findall(
        r'name="entry" value="(\d+)" id="entry-\d+"( checked)?', html
    ) == [
        ("1", " checked"),
        ("2", ""),
        ("4", " checked"),
    ]
    assert "Already in Week 1: “x”." in html


def test_cancel_forgets_the_file_and_adds_nothing(
    reading_list: ReadingList, instructor: Any, client_for: Any, snapshot: Any
) -> None:
    client = client_for(instructor)
    before = snapshot()
    review = _upload(client, reading_list)

    response = client.post(review, {"cancel": "1", "entry": ["1"]})

    assert response.status_code == 302
    assert snapshot() == before


def test_an_expired_file_is_a_clear_message(
    reading_list: ReadingList, instructor: Any, client_for: Any, snapshot: Any
) -> None:
    client = client_for(instructor)
    review = _upload(client, reading_list)
    PendingImport.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    before = snapshot()

    response = client.post(review, {"entry": ["1"], "confirm": "1"})

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert snapshot() == before


def test_the_list_may_change_between_preview_and_confirm(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    client = client_for(instructor)
    review = _upload(client, reading_list)
    add_citation(reading_list, actor=instructor, title="Added meanwhile")

    response = client.post(review, {"entry": ["1"], "confirm": "1"})

    assert response.status_code == 302
    assert Citation.objects.filter(title="Teaching to Transgress").count() == 1


def test_confirming_nothing_says_so(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    client = client_for(instructor)
    review = _upload(client, reading_list)

    response = client.post(review, {"confirm": "1"})

    assert response.status_code == 400
    assert "No entries were chosen to import." in response.content.decode()
    assert PendingImport.objects.count() == 1


def test_an_unreadable_upload_shows_why(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    client = client_for(instructor)

    html = client.get(_upload(client, reading_list, b"\x00garbage" * 1000)).content

    assert b"the file" in html
    assert b"The file gave no citations to import." in html
    assert b'name="confirm"' not in html


def test_the_import_form_needs_a_file_or_text(
    reading_list: ReadingList, instructor: Any, client_for: Any, snapshot: Any
) -> None:
    before = snapshot()

    response = client_for(instructor).post(
        reverse("citations:import_start", args=[reading_list.pk]),
        {"section": reading_list.sections.first().pk},
    )

    assert response.status_code == 400
    assert "Choose a file or paste some citations." in response.content.decode()
    assert snapshot() == before


def test_export_downloads_an_attachment(
    published_list: ReadingList, student: Any, client_for: Any
) -> None:
    response = client_for(student).get(
        reverse("citations:export", args=[published_list.pk]),
        {"format": "ris"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems"
    code = published_list.code.lower()
    assert response["Content-Disposition"] == f'attachment; filename="{code}.ris"'
    text = response.content.decode()
    # Only the Complete citations: what the student may read.
    assert text.count("TY  - ") == 2
    assert "Reading Against the Grain" not in text


def test_a_student_cannot_export_what_they_may_not_read(
    published_list: ReadingList, student: Any, client_for: Any
) -> None:
    hidden = Citation.objects.get(title="Reading Against the Grain")

    response = client_for(student).get(
        reverse("citations:export", args=[published_list.pk]),
        {"format": "ris", "citations": [hidden.pk]},
    )

    assert response.status_code == 400
    assert b"Reading Against the Grain" not in response.content


def test_export_page_offers_formats_styles_sections_and_citations(
    published_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    html = (
        client_for(instructor)
        .get(reverse("citations:export", args=[published_list.pk]))
        .content.decode()
    )

    for label in ("RIS", "BibTeX", "CSL-JSON", "PDF bibliography", "OSCOLA"):
        assert label in html
    assert html.count('name="citations"') == 4
    assert re.search(r'<option value=""[^>]*>All sections</option>', html)


def test_export_selection_in_a_style(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    chosen = Citation.objects.get(title="The Canon and Its Critics")

    response = client_for(instructor).get(
        reverse("citations:export", args=[reading_list.pk]),
        {"format": "html", "style": "ieee", "citations": [chosen.pk]},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "[1] " in html and "Canon and Its Critics" in html
    assert "On Anthologies" not in html


def test_export_page_queries_stay_flat(
    reading_list: ReadingList,
    instructor: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(instructor)
    url = reverse("citations:export", args=[reading_list.pk])
    client.get(url)
    for n in range(30):
        add_citation(reading_list, actor=instructor, title=f"More {n}")

    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url, {"format": "csv"}).status_code == 200


def test_import_preview_queries_stay_flat(
    reading_list: ReadingList,
    instructor: Any,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(instructor)
    review = _upload(client, reading_list, RIS * 20)

    with django_assert_max_num_queries(7):
        assert client.get(review).status_code == 200


def test_the_editor_shows_import_and_export(
    reading_list: ReadingList, instructor: Any, client_for: Any
) -> None:
    html = (
        client_for(instructor)
        .get(reverse("lists:detail", args=[reading_list.pk]))
        .content.decode()
    )

    assert reverse("citations:import_start", args=[reading_list.pk]) in html
    assert reverse("citations:export", args=[reading_list.pk]) in html
