"""Snapshots of slow reports (lectio.analytics.snapshots): the page shows rows
counted a few minutes ago, the same as counting now; older rows are shown while one
background recount runs; too old, a gone term, or a new scope count on the spot;
the downloads and the API always count now."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lectio.analytics import library, snapshots
from lectio.analytics.models import ReportSnapshot
from lectio.core.factories import CourseFactory, TermFactory, make_list

pytestmark = pytest.mark.django_db

URL = reverse("analytics:report", args=["shared-titles"])


@pytest.fixture
def shared(db: None, course: Any, instructor: Any) -> dict[str, Any]:
    """Two lists of the course's term sharing one title."""
    term = course.terms.get()
    other = CourseFactory(code="LIT300", terms=[term])
    first = make_list(
        owner=instructor,
        courses=[course],
        name="One",
        citations=[{"title": "Shared Book", "status": "Complete"}],
    )
    make_list(
        owner=instructor,
        courses=[other],
        name="Two",
        citations=[{"title": "Shared Book", "status": "Complete"}],
    )
    return {"term": term, "first": first, "instructor": instructor}


def _titles(response: Any) -> list[tuple[str, int]]:
    rows = response.context["report"].tables[0].rows
    return [(row[0], row[2]) for row in rows]


def _add_third(instructor: Any, term: Any, title: str = "Shared Book") -> None:
    make_list(
        owner=instructor,
        courses=[CourseFactory(terms=[term])],
        name="Three",
        citations=[{"title": title, "status": "Complete"}],
    )


def _age(seconds: int) -> None:
    ReportSnapshot.objects.update(
        counted_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def _recounts() -> int:
    return DBTaskResult.objects.filter(
        task_path="lectio.analytics.snapshots.recount_snapshot"
    ).count()


def test_the_page_shows_what_counting_now_gives_and_keeps_it(
    shared: dict, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)
    live = library.run("shared-titles", library.Filters()).tables[0].rows

    first = client.get(URL)

    assert first.status_code == 200
    assert first.context["report"].tables[0].rows == live
    assert _titles(first) == [("Shared Book", 2)]
    snapshot = ReportSnapshot.objects.get()
    assert (snapshot.report, snapshot.scope) == ("shared-titles", "term=;department=")
    # A second view reads the snapshot and says when it was counted.
    again = client.get(URL)
    assert again.context["report"].tables[0].rows == live
    assert any("Counted at" in note for note in again.context["report"].notes)


def test_fresh_rows_are_shown_and_the_download_counts_now(
    shared: dict,
    client_for: Any,
    librarian: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(librarian)
    client.get(URL)
    _add_third(shared["instructor"], shared["term"])

    with django_capture_on_commit_callbacks(execute=True):
        assert _titles(client.get(URL)) == [("Shared Book", 2)]
    download = client.get(reverse("analytics:report_csv", args=["shared-titles"]))
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert ["Shared Book", "Title", "3", "3"] in lines
    assert _recounts() == 0


def test_older_rows_are_shown_while_one_recount_runs(
    shared: dict,
    client_for: Any,
    librarian: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(librarian)
    client.get(URL)
    _add_third(shared["instructor"], shared["term"])
    _age(settings.LECTIO_REPORT_FRESH_SECONDS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        shown = client.get(URL)
        client.get(URL)

    assert _titles(shown) == [("Shared Book", 2)]
    assert any("being counted again" in n for n in shown.context["report"].notes)
    assert _recounts() == 1  # two views, one job
    assert snapshots.recount(ReportSnapshot.objects.get().pk)
    after = client.get(URL)
    assert _titles(after) == [("Shared Book", 3)]
    assert ReportSnapshot.objects.get().recount_queued_at is None


def test_rows_too_old_are_counted_on_the_spot(
    shared: dict,
    client_for: Any,
    librarian: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(librarian)
    client.get(URL)
    _add_third(shared["instructor"], shared["term"])
    _age(settings.LECTIO_REPORT_STALE_SECONDS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        shown = client.get(URL)

    assert _titles(shown) == [("Shared Book", 3)]
    assert not any("Counted at" in n for n in shown.context["report"].notes)
    assert _recounts() == 0


def test_each_scope_has_its_own_rows(
    shared: dict, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)
    spring = TermFactory(code="SPR27")
    client.get(URL)
    by_term = client.get(URL, {"term": shared["term"].code})
    empty = client.get(URL, {"term": spring.code})

    assert _titles(by_term) == [("Shared Book", 2)]
    assert _titles(empty) == []
    assert ReportSnapshot.objects.count() == 3
    # A term that is gone takes its snapshot with it at the next recount.
    gone = ReportSnapshot.objects.get(scope=f"term={spring.pk};department=")
    spring.delete()
    assert not snapshots.recount(gone.pk)
    assert not ReportSnapshot.objects.filter(pk=gone.pk).exists()


def test_the_api_counts_now(shared: dict, client_for: Any, librarian: Any) -> None:
    client = client_for(librarian)
    client.get(URL)
    _add_third(shared["instructor"], shared["term"])

    answer = client.get("/api/v1/analytics/reports/shared-titles")

    assert answer.status_code == 200
    rows = answer.json()["tables"][0]["rows"]
    assert [(r["title"], r["lists"]) for r in rows] == [("Shared Book", 3)]


def test_a_recount_of_a_snapshot_that_is_gone_does_nothing(db: None) -> None:
    assert not snapshots.recount(12345)


def test_materials_from_a_snapshot_are_what_counting_now_gives(
    shared: dict, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)
    url = reverse("analytics:report", args=["materials"])
    live = library.run("materials", library.Filters())

    first = client.get(url)
    again = client.get(url)

    for page in (first, again):
        shown = page.context["report"]
        assert shown.tables[0].rows == live.tables[0].rows
        assert shown.chart == live.chart
    assert any("Counted at" in note for note in again.context["report"].notes)
    assert ReportSnapshot.objects.filter(report="materials").count() == 1
