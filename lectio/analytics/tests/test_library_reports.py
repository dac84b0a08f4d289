"""The library's reports: each report's figures on small data, empty states, bad
filters, the students threshold, the downloads, who may see them (page and API),
and the pages' query counts."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lectio.accounts.models import InstitutionSettings, Role
from lectio.accounts.services import api_key_create
from lectio.analytics import library
from lectio.analytics.models import (
    DailyUsage,
    RolledUpDay,
    SpanItemUse,
    TermItemUse,
    UsageEvent,
    WeekItemUse,
)
from lectio.analytics.recording import (
    SPANS,
    roll_up,
    roll_up_and_purge,
    span_start,
    user_key,
    week_spans,
)
from lectio.analytics.reports import Hidden
from lectio.catalog.models import Item, Portfolio, Record
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    EnrolmentFactory,
    TermFactory,
    UserFactory,
    make_list,
)
from lectio.core.testing import LOGIN
from lectio.courses.models import CourseRole
from lectio.lists import services as list_services
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import ListStatus
from lectio.workflow import services as workflow_services
from lectio.workflow.models import ProcessingRequest, RequestKind, RequestState

NAMES = list(library.REPORTS)
TODAY = datetime.date(2026, 10, 20)


@pytest.fixture
def threshold(db: None) -> int:
    row = InstitutionSettings.current()
    row.analytics_min_group = 3
    row.save()
    InstitutionSettings.forget_cached()
    return 3


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def _complete(
    reading_list: ReadingList, sent: datetime.date, done: datetime.date, by: Any
) -> None:
    ReadingList.objects.filter(pk=reading_list.pk).update(
        status=ListStatus.COMPLETE,
        sent_to_library_at=_at(sent),
        completed_at=_at(done),
        completed_by=by,
    )


def _opens(
    citation: Citation, people: list[Any], day: datetime.date, times: int = 1
) -> None:
    for person in people:
        for _ in range(times):
            UsageEvent.objects.create(
                at=_at(day),
                kind="citation_open",
                user_key=user_key(person.pk),
                role="student",
                channel="direct",
                list_id=citation.reading_list_id,
                section_id=citation.section_id,
                citation_id=citation.pk,
            )


def _students(course: Any, n: int) -> list[Any]:
    people = []
    for _ in range(n):
        person = UserFactory(role=Role.STUDENT)
        EnrolmentFactory(user=person, course=course, role=CourseRole.STUDENT)
        people.append(person)
    return people


def _table(report: library.Report, key: str) -> list[dict[str, Any]]:
    return next(t for t in report.tables if t.key == key).records()


@pytest.fixture
def world(db: None, course: Any, instructor: Any, librarian: Any) -> dict[str, Any]:
    """Two departments' courses in the autumn term (LIT, from the shared fixtures,
    and HIS), and a spring course of LIT: lists in several statuses."""
    autumn = course.terms.get()
    autumn.start_date, autumn.end_date = datetime.date(2026, 9, 1), TODAY
    autumn.save()
    spring = TermFactory(code="SPR27", name="Spring 2027")
    history = DepartmentFactory(code="HIS", name="History")
    his = CourseFactory(
        code="HIS101",
        name="Modern History",
        academic_department=history,
        terms=[autumn],
        submit_lists_by=datetime.date(2026, 9, 15),
    )
    lit2 = CourseFactory(
        code="LIT202",
        name="Novels",
        academic_department=course.academic_department,
        terms=[spring],
    )
    course.submit_lists_by = datetime.date(2026, 9, 10)
    course.save()
    lit_list = make_list(
        owner=instructor,
        courses=[course],
        name="Canon",
        citations=[
            {"title": "The Canon", "material_type": "book", "status": "Complete"},
            {"title": "Shared Textbook", "material_type": "book", "status": "Complete"},
            {
                "title": "A Web Page",
                "material_type": "website",
                "status": "Complete",
                "metadata": {
                    "type": "webpage",
                    "title": "A Web Page",
                    "URL": "https://example.org/a",
                },
            },
        ],
        visibility="course",
    )
    his_list = make_list(
        owner=instructor,
        courses=[his],
        name="History",
        citations=[
            {"title": "Shared textbook", "material_type": "book", "status": "Complete"},
            {"title": "An Article", "material_type": "article", "status": "Complete"},
        ],
        visibility="course",
    )
    spring_list = make_list(owner=instructor, courses=[lit2], name="Spring")
    return {
        "autumn": autumn,
        "spring": spring,
        "lit": course.academic_department,
        "history": history,
        "lit_list": lit_list,
        "his_list": his_list,
        "spring_list": spring_list,
        "lit_course": course,
        "his_course": his,
        "librarian": librarian,
    }


def run(name: str, **params: str) -> library.Report:
    return library.run(name, library.parse_filters(params))


# --- each report ------------------------------------------------------------------


def test_lists_by_status_count_per_department_and_term(world: dict) -> None:
    _complete(
        world["his_list"],
        TODAY.replace(day=1),
        TODAY.replace(day=5),
        world["librarian"],
    )

    report = run("lists-by-status", term="AUT26")

    rows = _table(report, "by_department")
    assert [
        (r["department"], r["BeingPrepared"], r["Complete"], r["total"]) for r in rows
    ] == [
        ("History", 0, 1, 1),
        ("Literature", 1, 0, 1),
    ]
    assert {b.label: b.value for b in report.chart} == {
        "Being prepared": 1,
        "Complete": 1,
    }
    assert [r["total"] for r in _table(run("lists-by-status"), "by_department")] == [
        1,
        2,
    ]
    history_only = run("lists-by-status", term="AUT26", department="HIS")
    assert [r["department"] for r in _table(history_only, "by_department")] == [
        "History"
    ]


def test_lists_not_sent_name_late_and_missing_lists(
    world: dict, instructor: Any
) -> None:
    # LIT101's list was sent on time; HIS101's was sent late; a third course has
    # none at all.
    ReadingList.objects.filter(pk=world["lit_list"].pk).update(
        sent_to_library_at=_at(datetime.date(2026, 9, 9))
    )
    ReadingList.objects.filter(pk=world["his_list"].pk).update(
        sent_to_library_at=_at(datetime.date(2026, 9, 20))
    )
    CourseFactory(
        code="HIS300",
        name="No list",
        academic_department=world["history"],
        terms=[world["autumn"]],
        submit_lists_by=datetime.date(2026, 9, 1),
    )

    report = run("lists-not-sent", term="AUT26")

    rows = _table(report, "courses")
    assert [(r["course"], r["state"], r["days_late"]) for r in rows] == [
        ("HIS300", "No list", (timezone.localdate() - datetime.date(2026, 9, 1)).days),
        ("HIS101", "Sent late", 5),
    ]
    assert [(b.label, b.value) for b in report.chart] == [("History", 2)]
    # The dates filter the submit-by date.
    assert [
        r["course"]
        for r in _table(run("lists-not-sent", **{"from": "2026-09-10"}), "courses")
    ] == ["HIS101"]


def test_lists_not_sent_reads_the_day_in_the_institutions_time_zone(
    world: dict,
) -> None:
    # Sent at 23:30 on the submit-by day in Auckland is in time (11:30 that day in
    # UTC); 00:30 the next day there is late, though it is still the day in UTC.
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    due = datetime.date(2026, 9, 10)  # LIT101's submit-by date
    with timezone.override(auckland):
        for sent, late in (
            (datetime.datetime.combine(due, datetime.time(23, 30), auckland), False),
            (
                datetime.datetime.combine(
                    due + datetime.timedelta(days=1), datetime.time(0, 30), auckland
                ),
                True,
            ),
        ):
            ReadingList.objects.filter(pk=world["lit_list"].pk).update(
                sent_to_library_at=sent
            )
            ReadingList.objects.filter(pk=world["his_list"].pk).update(
                sent_to_library_at=_at(datetime.date(2026, 9, 1))
            )
            rows = _table(run("lists-not-sent", term="AUT26"), "courses")
            expected = [("LIT101", "Sent late", datetime.date(2026, 9, 11), 1)]
            assert [
                (r["course"], r["state"], r["sent_on"], r["days_late"]) for r in rows
            ] == (expected if late else [])


def test_lists_not_sent_page_makes_the_rows_it_shows_and_counts_them_all(
    world: dict, client_for: Any, librarian: Any, monkeypatch: Any
) -> None:
    for n in range(3):
        CourseFactory(
            code=f"HIS30{n}",
            academic_department=world["history"],
            terms=[world["autumn"]],
            submit_lists_by=datetime.date(2026, 9, 1 + n),
        )
    full = library.run("lists-not-sent", library.Filters())
    first = library.run("lists-not-sent", library.Filters(), rows=2)
    assert len(full.tables[0].rows) == 5  # three with no list, LIT101 and HIS101
    assert first.tables[0].rows == full.tables[0].rows[:2]
    assert first.tables[0].count == full.tables[0].count == 5
    assert first.chart == full.chart
    assert [r[0] for r in full.tables[0].rows] == [
        "HIS300",
        "HIS301",
        "HIS302",
        "LIT101",
        "HIS101",
    ]
    monkeypatch.setattr(library, "PAGE_ROWS", 2)
    client = client_for(librarian)
    page = client.get("/library/reports/lists-not-sent/").content.decode()
    assert "HIS301" in page and "LIT101" not in page
    assert "The first 2 of 5 rows" in page
    download = client.get("/library/reports/lists-not-sent/download.csv")
    assert b"LIT101" in download.content and b"HIS101" in download.content


def _late_course(
    world: dict, code: str, day: int, *, section: str = "", **fields: Any
) -> Any:
    return CourseFactory(
        code=code,
        section=section,
        academic_department=fields.pop("department", world["history"]),
        terms=[world["autumn"]],
        submit_lists_by=datetime.date(2026, 9, day),
        **fields,
    )


def _list_for(
    world: dict, course: Any, code: str, *, sent: int | None, status: str = ""
) -> None:
    made = make_list(owner=world["lit_list"].created_by, courses=[course])
    ReadingList.objects.filter(pk=made.pk).update(
        code=code,
        status=status or ListStatus.READY_FOR_PROCESSING,
        sent_to_library_at=_at(datetime.date(2026, 9, sent)) if sent else None,
    )


@pytest.mark.parametrize("due_days", [library.DUE_DAYS, 3, 0])
def test_lists_not_sent_page_shows_the_first_rows_of_the_whole_table(
    world: dict, due_days: int, monkeypatch: Any
) -> None:
    # Four submit-by dates: with more than DUE_DAYS in all the filtered courses'
    # own are read (two between the dates), and with more than DUE_DAYS of those
    # each sending becomes a day to compare: the same rows every time.
    monkeypatch.setattr(library, "DUE_DAYS", due_days)
    # Courses behind in several ways, on the same and different days: two late
    # lists of one course (either side of a page's end), one late and one in
    # time, a course whose only list is inactive (no list, then), sections of one
    # code; and courses that are not behind or expect no list.
    two = _late_course(world, "HIS400", 5)
    _list_for(world, two, "L-B", sent=None)
    _list_for(world, two, "L-A", sent=8)
    mixed = _late_course(world, "HIS401", 5)
    _list_for(world, mixed, "L-C", sent=4)
    _list_for(world, mixed, "L-D", sent=9)
    _list_for(world, _late_course(world, "HIS402", 5), "L-E", sent=1, status="Inactive")
    _late_course(world, "HIS403", 5, section="02")
    _late_course(world, "HIS403", 5, section="01")
    _list_for(world, _late_course(world, "HIS404", 5), "L-F", sent=5)
    _late_course(world, "HIS405", 5, no_list_expected=True)
    _late_course(world, "LIT500", 3, department=world["lit"])

    full = run("lists-not-sent")

    rows = [(r["course"], r["list"], r["state"]) for r in _table(full, "courses")]
    assert rows == [
        ("LIT500", "", "No list"),
        ("HIS400", "L-A", "Sent late"),
        ("HIS400", "L-B", "Not sent"),
        ("HIS401", "L-D", "Sent late"),
        ("HIS402", "", "No list"),
        ("HIS403-01", "", "No list"),
        ("HIS403-02", "", "No list"),
        ("LIT101", world["lit_list"].code, "Not sent"),
        ("HIS101", world["his_list"].code, "Not sent"),
    ]
    assert [(b.label, b.value) for b in full.chart] == [
        ("History", 7),
        ("Literature", 2),
    ]
    for params in (
        {},
        {"term": "AUT26"},
        {"department": "HIS"},
        {"from": "2026-09-04", "to": "2026-09-12"},
        {"term": "SPR27"},
    ):
        everything = run("lists-not-sent", **params)
        whole = everything.tables[0].rows
        filters = library.parse_filters(params)
        for n in range(len(whole) + 2):
            page = library.run("lists-not-sent", filters, rows=n)
            assert page.tables[0].rows == whole[:n], (params, n)
            assert page.tables[0].count == len(whole)
            assert page.chart == everything.chart
            assert page.tables[0].empty == everything.tables[0].empty
    by_history = run("lists-not-sent", department="HIS")
    assert [r["course"] for r in _table(by_history, "courses")][:2] == [
        "HIS400",
        "HIS400",
    ]
    assert [(b.label, b.value) for b in by_history.chart] == [("History", 7)]
    in_dates = run("lists-not-sent", **{"from": "2026-09-04", "to": "2026-09-12"})
    assert [r["course"] for r in _table(in_dates, "courses")] == [
        "HIS400",
        "HIS400",
        "HIS401",
        "HIS402",
        "HIS403-01",
        "HIS403-02",
        "LIT101",
    ]


def test_lists_not_sent_says_when_every_list_was_sent_in_time(world: dict) -> None:
    for reading_list in (world["lit_list"], world["his_list"]):
        ReadingList.objects.filter(pk=reading_list.pk).update(
            sent_to_library_at=_at(datetime.date(2026, 9, 1))
        )

    for rows in (None, 200):
        report = library.run("lists-not-sent", library.Filters(), rows=rows)
        assert report.tables[0].rows == []
        assert report.tables[0].count == 0
        assert report.tables[0].empty == "Every list was sent in time."
        assert report.chart == []
    spring = library.parse_filters({"term": "SPR27"})
    nothing = library.run("lists-not-sent", spring, rows=200)
    assert nothing.tables[0].empty == "Nothing matches these filters."


def test_turnaround_gives_median_and_mean_days(world: dict, admin: Any) -> None:
    _complete(
        world["lit_list"],
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 3),
        world["librarian"],
    )
    _complete(
        world["his_list"],
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 9),
        world["librarian"],
    )
    _complete(
        world["spring_list"],
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 2),
        admin,
    )

    report = run("turnaround")

    by_librarian = {r["name"]: r for r in _table(report, "by_librarian")}
    assert (
        by_librarian["Lia Librarian"]["lists"],
        by_librarian["Lia Librarian"]["median_days"],
        by_librarian["Lia Librarian"]["mean_days"],
    ) == (2, 5.0, 5.0)
    assert by_librarian["Ada Admin"]["median_days"] == 1.0
    by_dept = {r["name"]: r["lists"] for r in _table(report, "by_department")}
    assert sum(by_dept.values()) == 3
    # Completed after 5 September only: the History list.
    late = run("turnaround", **{"from": "2026-09-05", "to": "2026-09-30"})
    assert [r["lists"] for r in _table(late, "by_librarian")] == [1]


def test_completing_a_list_records_when_and_who(world: dict, librarian: Any) -> None:
    reading_list = world["lit_list"]
    list_services.reading_list_send_to_library(
        actor=world["lit_list"].created_by, reading_list=reading_list
    )
    list_services.reading_list_set_status(
        actor=librarian, reading_list=reading_list, status=ListStatus.BEING_PROCESSED
    )
    list_services.reading_list_set_status(
        actor=librarian, reading_list=reading_list, status=ListStatus.COMPLETE
    )

    reading_list.refresh_from_db()
    assert reading_list.completed_by == librarian
    assert reading_list.completed_at is not None
    assert reading_list.completed_at >= reading_list.sent_to_library_at


def _request(
    citation: Citation, kind: str, state: str, **extra: Any
) -> ProcessingRequest:
    return ProcessingRequest.objects.create(
        citation=citation,
        reading_list=citation.reading_list,
        kind=kind,
        state=state,
        **extra,
    )


def test_requests_by_kind_and_outcome(world: dict) -> None:
    canon, shared, _web = world["lit_list"].citations.order_by("id")
    _request(canon, RequestKind.PURCHASE, RequestState.DONE)
    _request(shared, RequestKind.PURCHASE, RequestState.REJECTED)
    _request(shared, RequestKind.DIGITIZATION, RequestState.NEW)

    report = run("requests")

    rows = {r["kind"]: r for r in _table(report, "by_kind")}
    assert (
        rows["Purchase"]["Done"],
        rows["Purchase"]["Rejected"],
        rows["Purchase"]["total"],
    ) == (1, 1, 2)
    assert rows["Digitization"]["New"] == 1
    assert _table(run("requests", department="HIS"), "by_kind") == []


def test_purchases_and_digitization_volumes_and_costs(world: dict) -> None:
    canon, shared, web = world["lit_list"].citations.order_by("id")
    now = timezone.now()
    _request(
        canon,
        RequestKind.PURCHASE,
        RequestState.DONE,
        copies=3,
        cost=Decimal("90.00"),
        closed_at=now,
    )
    _request(shared, RequestKind.PURCHASE, RequestState.DONE, copies=2, closed_at=now)
    _request(
        web,
        RequestKind.DIGITIZATION,
        RequestState.DONE,
        page_ranges="1-10, 15",
        cost=Decimal("12.50"),
        closed_at=now,
    )
    _request(web, RequestKind.PURCHASE, RequestState.CANCELLED, copies=9, closed_at=now)

    report = run("purchases-digitization")

    rows = {r["kind"]: r for r in _table(report, "done")}
    assert (
        rows["Purchase"]["done"],
        rows["Purchase"]["copies"],
        rows["Purchase"]["with_cost"],
        rows["Purchase"]["cost"],
        rows["Purchase"]["mean_cost"],
    ) == (2, 5, 1, Decimal("90.00"), Decimal("90.00"))
    assert (rows["Digitization"]["pages"], rows["Digitization"]["cost"]) == (
        11,
        Decimal("12.50"),
    )
    assert rows["Digitization"]["copies"] is None


def test_titles_on_several_lists_match_by_record_or_title(world: dict) -> None:
    record = Record.objects.create(control_number="r1", title="The Canon (catalog)")
    canon = world["lit_list"].citations.get(title="The Canon")
    article = world["his_list"].citations.get(title="An Article")
    Citation.objects.filter(pk__in=[canon.pk, article.pk]).update(catalog_record=record)

    rows = _table(run("shared-titles"), "titles")

    assert [(r["title"], r["matched_by"], r["lists"], r["courses"]) for r in rows] == [
        ("Shared Textbook", "Title", 2, 2),
        ("The Canon (catalog)", "Catalog record", 2, 2),
    ] or [(r["title"], r["matched_by"], r["lists"], r["courses"]) for r in rows] == [
        ("Shared textbook", "Title", 2, 2),
        ("The Canon (catalog)", "Catalog record", 2, 2),
    ]
    assert _table(run("shared-titles", department="HIS"), "titles") == []


def test_materials_by_type_and_availability(world: dict) -> None:
    printed = Record.objects.create(control_number="p", title="P")
    Item.objects.create(record=printed, barcode="b1")
    licensed = Record.objects.create(control_number="e", title="E")
    Portfolio.objects.create(
        record=licensed, external_id="e1", url="https://example.org/e"
    )
    free = Record.objects.create(control_number="o", title="O")
    Item.objects.create(record=free, barcode="b2")
    Portfolio.objects.create(
        record=free, external_id="o1", url="https://example.org/o", open_access=True
    )
    canon = world["lit_list"].citations.get(title="The Canon")
    shared = world["lit_list"].citations.get(title="Shared Textbook")
    article = world["his_list"].citations.get(title="An Article")
    canon.catalog_record, shared.catalog_record, article.catalog_record = (
        printed,
        licensed,
        free,
    )
    for c in (canon, shared, article):
        c.save(update_fields=["catalog_record"])

    rows = {r["material_type"]: r for r in _table(run("materials"), "by_type")}

    assert (
        rows["Book"]["print"],
        rows["Book"]["electronic"],
        rows["Book"]["none"],
        rows["Book"]["total"],
    ) == (1, 1, 1, 3)
    assert rows["Article"]["open_access"] == 1
    assert rows["Website"]["electronic"] == 1  # a web address, no catalog record


def test_item_use_ranks_items_and_hides_small_groups(
    threshold: int, world: dict
) -> None:
    canon, shared, web = world["lit_list"].citations.order_by("id")
    many = _students(world["lit_course"], 3)
    day = TODAY - datetime.timedelta(days=3)
    _opens(canon, many, day, times=2)  # 6 opens by 3 students
    _opens(shared, many[:1], day, times=4)  # 4 opens by 1 student
    roll_up(day=day)

    report = run(
        "item-use",
        **{
            "from": (TODAY - datetime.timedelta(days=10)).isoformat(),
            "to": TODAY.isoformat(),
        },
    )

    most = _table(report, "most_used")
    assert [(r["title"], r["opens"], r["students_busiest_day"]) for r in most] == [
        ("The Canon", 6, 3),
        ("Shared Textbook", 4, Hidden(3)),
    ]
    assert _table(report, "summary") == [
        {"what": "Items opened at least once", "items": 2}
    ]
    assert [r["title"] for r in _table(report, "never_opened")] == [
        "A Web Page",
        "Shared textbook",
        "An Article",
    ]
    assert report.period == (TODAY - datetime.timedelta(days=10), TODAY)


def test_item_use_counts_raw_events_of_days_not_rolled_up(
    threshold: int, world: dict
) -> None:
    canon = world["lit_list"].citations.order_by("id").first()
    people = _students(world["lit_course"], 3)
    rolled_day = timezone.localdate() - datetime.timedelta(days=2)
    _opens(canon, people, rolled_day)
    roll_up(day=rolled_day)
    _opens(canon, people, timezone.localdate())  # today: raw events only

    report = run("item-use")

    assert [
        (r["opens"], r["students_busiest_day"]) for r in _table(report, "most_used")
    ] == [(6, 3)]
    assert DailyUsage.objects.filter(citation_id=canon.pk).count() == 1


def test_cost_per_use_divides_the_cost_by_the_opens(
    threshold: int, world: dict
) -> None:
    canon, shared, _web = world["lit_list"].citations.order_by("id")
    _request(
        canon,
        RequestKind.PURCHASE,
        RequestState.DONE,
        cost=Decimal("30.00"),
        closed_at=timezone.now(),
    )
    _request(
        shared,
        RequestKind.DIGITIZATION,
        RequestState.DONE,
        cost=Decimal("5.00"),
        closed_at=timezone.now(),
    )
    people = _students(world["lit_course"], 3)
    _opens(canon, people, timezone.localdate(), times=4)

    rows = _table(run("cost-per-use"), "items")

    assert [
        (
            r["title"],
            r["cost"],
            r["opens"],
            r["students_busiest_day"],
            r["cost_per_open"],
        )
        for r in rows
    ] == [
        ("The Canon", Decimal("30.00"), 12, 3, Decimal("2.50")),
        ("Shared Textbook", Decimal("5.00"), 0, 0, None),
    ]


# --- empty states and bad filters -------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_report_has_an_empty_state(
    name: str, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)

    response = client.get(reverse("analytics:report", args=[name]))

    assert response.status_code == 200
    assert b'class="empty"' in response.content
    assert library.run(name, library.Filters()).empty


@pytest.mark.parametrize("name", NAMES)
def test_filters_that_match_nothing_show_an_empty_state(
    name: str, world: dict, client_for: Any, librarian: Any
) -> None:
    DepartmentFactory(code="EMPTY", name="Nobody here")

    response = client_for(librarian).get(
        reverse("analytics:report", args=[name]),
        {"department": "EMPTY", "term": "SPR27"},
    )

    assert response.status_code == 200
    assert b'class="empty"' in response.content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"term": "NOPE"}, "no term with the code NOPE"),
        ({"department": "NOPE"}, "no department with the code NOPE"),
        ({"from": "2026-10-01", "to": "2026-09-01"}, "ends before it starts"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most 400 days"),
        ({"from": "yesterday"}, "written like 2026-09-28"),
        ({"from": "1900-01-01"}, "between 2000 and 2100"),
    ],
)
@pytest.mark.parametrize("name", ["turnaround", "item-use"])
def test_bad_filters_say_why(
    name: str, params: dict, message: str, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)

    page = client.get(reverse("analytics:report", args=[name]), params)
    api = client.get(f"/api/v1/analytics/reports/{name}", params)
    download = client.get(reverse("analytics:report_csv", args=[name]), params)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert api.status_code == 400
    assert message in api.content.decode()
    assert download.status_code == 400


def test_a_term_not_begun_gives_an_empty_usage_report(world: dict) -> None:
    spring = world["spring"]
    spring.start_date = timezone.localdate() + datetime.timedelta(days=30)
    spring.end_date = spring.start_date + datetime.timedelta(days=90)
    spring.save()

    report = run("item-use", term="SPR27")

    assert report.empty
    assert report.period is not None and report.period[0] <= report.period[1]


# --- the threshold ----------------------------------------------------------------


def test_no_figure_about_too_few_students_is_on_the_page_the_files_or_the_api(
    threshold: int, world: dict, client_for: Any, librarian: Any
) -> None:
    canon, shared, _web = world["lit_list"].citations.order_by("id")
    two = _students(world["lit_course"], 2)
    _opens(shared, two, timezone.localdate(), times=7)  # 14 opens by 2 students
    _request(
        shared,
        RequestKind.PURCHASE,
        RequestState.DONE,
        cost=Decimal("7.00"),
        closed_at=timezone.now(),
    )
    client = client_for(librarian)

    for name in ("item-use", "cost-per-use"):
        page = client.get(reverse("analytics:report", args=[name])).content.decode()
        api = client.get(f"/api/v1/analytics/reports/{name}").json()
        text = client.get(reverse("analytics:report_csv", args=[name])).content.decode()

        assert "fewer than 3" in page
        assert "fewer than 3" in text
        rows = [
            r
            for t in api["tables"]
            for r in t["rows"]
            if r.get("title") == "Shared Textbook"
        ]
        assert rows and all(
            r["students_busiest_day"] == {"fewer_than": 3} for r in rows
        )
        assert all(r["opens"] == 14 for r in rows)  # events are not students
        # The number of students (2) appears in no students column.
        assert not re.search(r'"students_busiest_day": 2\b', str(api))


# --- downloads --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_downloads_parse(
    name: str, world: dict, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)
    report = library.run(name, library.Filters())

    as_csv = client.get(reverse("analytics:report_csv", args=[name]))
    as_xlsx = client.get(reverse("analytics:report_xlsx", args=[name]))

    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "attachment" in as_csv["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0] == [report.title]
    for table in report.tables:
        assert [c.label for c in table.columns] in lines
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    assert len(book.sheetnames) == len(report.tables)
    first = book[book.sheetnames[0]]
    values = [tuple(c for c in row) for row in first.iter_rows(values_only=True)]
    assert values[0][0] == report.title
    header = [c.label for c in report.tables[0].columns]
    assert tuple(header) in [tuple(v[: len(header)]) for v in values]
    data_rows = (
        len(values)
        - values.index(
            next(v for v in values if tuple(v[: len(header)]) == tuple(header))
        )
        - 1
    )
    assert data_rows == len(report.tables[0].rows)


def test_a_download_keeps_the_filters(
    world: dict, client_for: Any, librarian: Any
) -> None:
    client = client_for(librarian)

    text = client.get(
        reverse("analytics:report_csv", args=["lists-by-status"]), {"department": "HIS"}
    ).content.decode("utf-8-sig")

    assert "History" in text
    assert "Literature" not in text
    assert "department,HIS" in text


# --- who may see them -------------------------------------------------------------


def _urls() -> list[str]:
    urls = [reverse("analytics:reports")]
    for name in NAMES:
        urls += [
            reverse("analytics:report", args=[name]),
            reverse("analytics:report_csv", args=[name]),
            reverse("analytics:report_xlsx", args=[name]),
        ]
    return urls


EXPECTED = {
    "guest": 302,
    "student": 403,
    "instructor": 403,
    "librarian": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_reports_are_for_library_staff_only(
    role: str, request: pytest.FixtureRequest, client: Client, world: dict
) -> None:
    person = request.getfixturevalue(role) if role != "guest" else None
    if person is not None:
        client.force_login(person)

    for url in _urls():
        response = client.get(url)
        assert response.status_code == EXPECTED[role], url
        if role == "guest":
            assert response["Location"].startswith(reverse(LOGIN)), url
    for url in _urls():
        assert client.post(url).status_code in (405, 302 if role == "guest" else 405)


def test_every_reports_route_is_in_the_matrix() -> None:
    from django.urls import get_resolver

    patterns = {
        str(p.pattern)
        for p in get_resolver("lectio.analytics.urls").url_patterns
        if "reports" in str(p.pattern)
    }
    assert patterns == {
        "library/reports/",
        "library/reports/<slug:name>/",
        "library/reports/<slug:name>/download.csv",
        "library/reports/<slug:name>/download.xlsx",
    }


def test_an_unknown_report_is_404(client_for: Any, librarian: Any) -> None:
    client = client_for(librarian)

    assert client.get("/library/reports/no-such-report/").status_code == 404
    assert client.get("/api/v1/analytics/reports/no-such-report").status_code == 404


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_api_is_for_library_staff_only(
    role: str, request: pytest.FixtureRequest, client: Client, world: dict
) -> None:
    person = request.getfixturevalue(role) if role != "guest" else None
    if person is not None:
        client.force_login(person)
    expected = {
        "guest": 401,
        "student": 403,
        "instructor": 403,
        "librarian": 200,
        "admin": 200,
    }[role]

    assert client.get("/api/v1/analytics/reports").status_code == expected
    for name in NAMES:
        assert client.get(f"/api/v1/analytics/reports/{name}").status_code == expected


@pytest.mark.parametrize(
    ("owner", "scopes", "expected"),
    [
        ("librarian", ["analytics:read"], 200),
        ("admin", ["analytics:read"], 200),
        ("librarian", ["lists:read"], 403),
        ("instructor", ["analytics:read"], 403),
    ],
)
def test_api_keys_need_the_scope_and_a_library_owner(
    owner: str,
    scopes: list[str],
    expected: int,
    request: pytest.FixtureRequest,
    world: dict,
) -> None:
    user = request.getfixturevalue(owner)
    _key, secret = api_key_create(actor=None, name="reports", scopes=scopes, user=user)
    client = Client(HTTP_AUTHORIZATION=f"apikey {secret}")

    index = client.get("/api/v1/analytics/reports")
    one = client.get("/api/v1/analytics/reports/lists-by-status", {"term": "AUT26"})

    assert index.status_code == expected
    assert one.status_code == expected
    if expected == 200:
        assert [r["name"] for r in index.json()] == NAMES
        data = one.json()
        assert data["filters"] == {"term": "AUT26"}
        assert data["threshold"] == 10
        assert [r["department"] for r in data["tables"][0]["rows"]] == [
            "History",
            "Literature",
        ]


# --- cost, recorded by the library ---------------------------------------------------


def test_the_library_records_a_cost_when_a_purchase_is_done(
    world: dict, client_for: Any, librarian: Any, instructor: Any
) -> None:
    canon = world["lit_list"].citations.order_by("id").first()
    req = _request(canon, RequestKind.PURCHASE, RequestState.IN_PROGRESS)
    url = reverse("workflow:request_state", args=[req.pk])

    refused = client_for(librarian).post(url, {"state": "Done", "cost": "-4"})
    req.refresh_from_db()
    assert refused.status_code == 302
    assert (req.state, req.cost) == (RequestState.IN_PROGRESS, None)

    client_for(librarian).post(url, {"state": "Done", "cost": "45.20"})
    req.refresh_from_db()
    assert (req.state, req.cost) == (RequestState.DONE, Decimal("45.20"))
    queue = client_for(librarian).get(
        reverse("workflow:queue", args=["purchase"]) + "?state=closed"
    )
    assert "45.20" in queue.content.decode()


def test_an_instructor_cannot_record_a_cost(world: dict, instructor: Any) -> None:
    canon = world["lit_list"].citations.order_by("id").first()
    req = _request(canon, RequestKind.PURCHASE, RequestState.NEW, created_by=instructor)

    with pytest.raises(list_services.ServiceError):
        workflow_services.request_set_state(
            actor=instructor, request=req, state="Done", cost=Decimal(3)
        )
    req.refresh_from_db()
    assert (req.state, req.cost) == (RequestState.NEW, None)


def test_the_queue_offers_a_cost_field_for_purchases(
    world: dict, client_for: Any, librarian: Any
) -> None:
    canon = world["lit_list"].citations.order_by("id").first()
    req = _request(canon, RequestKind.PURCHASE, RequestState.NEW)

    page = (
        client_for(librarian)
        .get(reverse("workflow:queue", args=["purchase"]))
        .content.decode()
    )

    assert f'<label for="cost-{req.pk}">Cost</label>' in page


# --- query counts -----------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_report_pages_take_few_queries(
    name: str,
    world: dict,
    client_for: Any,
    librarian: Any,
    django_assert_max_num_queries: Any,
) -> None:
    canon = world["lit_list"].citations.order_by("id").first()
    _request(
        canon,
        RequestKind.PURCHASE,
        RequestState.DONE,
        cost=Decimal(1),
        closed_at=timezone.now(),
    )
    _complete(
        world["his_list"],
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 3),
        world["librarian"],
    )
    RolledUpDay.objects.create(day=timezone.localdate() - datetime.timedelta(days=1))
    client = client_for(librarian)
    url = reverse("analytics:report", args=[name])
    client.get(url, {"term": "AUT26"})

    with django_assert_max_num_queries(16):
        response = client.get(url, {"term": "AUT26"})
    assert response.status_code == 200


def test_the_index_lists_every_report(
    client_for: Any, librarian: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(librarian)
    client.get(reverse("analytics:reports"))

    with django_assert_max_num_queries(6):
        page = client.get(reverse("analytics:reports")).content.decode()

    for name in NAMES:
        assert reverse("analytics:report", args=[name]) in page


# --- the per-term totals ------------------------------------------------------------


def _this_term(world: dict) -> Any:
    term = world["autumn"]
    term.start_date = timezone.localdate() - datetime.timedelta(days=20)
    term.end_date = timezone.localdate() + datetime.timedelta(days=20)
    term.save()
    spring = world["spring"]
    spring.start_date = term.end_date + datetime.timedelta(days=30)
    spring.end_date = spring.start_date + datetime.timedelta(days=90)
    spring.save()
    return term


def test_the_roll_up_keeps_the_term_totals(threshold: int, world: dict) -> None:
    term = _this_term(world)
    canon, shared, _web = world["lit_list"].citations.order_by("id")
    people = _students(world["lit_course"], 3)
    day = timezone.localdate() - datetime.timedelta(days=2)
    _opens(canon, people, day, times=2)
    _opens(shared, people[:1], day)
    roll_up(day=day)

    totals = {
        (t.citation_id, t.opens, t.most_people_a_day)
        for t in TermItemUse.objects.filter(term_id=term.pk)
    }
    assert totals == {(canon.pk, 6, 3), (shared.pk, 1, 1)}
    # A second run gives the same rows; a day outside the term changes nothing.
    roll_up(day=day)
    outside = term.start_date - datetime.timedelta(days=3)
    _opens(canon, people, outside)
    roll_up(day=outside)
    assert {
        (t.citation_id, t.opens) for t in TermItemUse.objects.filter(term_id=term.pk)
    } == {(canon.pk, 6), (shared.pk, 1)}


def test_roll_up_and_purge_rebuilds_the_term_totals_once(
    threshold: int, world: dict
) -> None:
    term = _this_term(world)
    canon = world["lit_list"].citations.order_by("id").first()
    people = _students(world["lit_course"], 3)
    for back in (3, 2, 1):
        _opens(canon, people, timezone.localdate() - datetime.timedelta(days=back))

    roll_up_and_purge()

    row = TermItemUse.objects.get(term_id=term.pk, citation_id=canon.pk)
    assert (row.opens, row.most_people_a_day) == (9, 3)


def test_a_term_report_from_the_term_totals_matches_the_daily_counts(
    threshold: int, world: dict
) -> None:
    term = _this_term(world)
    canon, shared, web = world["lit_list"].citations.order_by("id")
    people = _students(world["lit_course"], 4)
    for back, citation, who in (
        (5, canon, people),
        (4, shared, people[:2]),
        (3, canon, people[:3]),
    ):
        day = timezone.localdate() - datetime.timedelta(days=back)
        _opens(citation, who, day)
        roll_up(day=day)
    _opens(web, people, timezone.localdate())  # today, not rolled up

    by_term = run("item-use", term=term.code)
    by_dates = run(
        "item-use",
        **{"from": term.start_date.isoformat(), "to": timezone.localdate().isoformat()},
    )
    by_default = run("item-use")  # the current term

    for report in (by_term, by_dates, by_default):
        assert [
            (r["title"], r["opens"], r["students_busiest_day"])
            for r in _table(report, "most_used")
        ] == [
            ("The Canon", 7, 4),
            ("A Web Page", 4, 4),
            ("Shared Textbook", 2, Hidden(3)),
        ]
        assert _table(report, "summary") == [
            {"what": "Items opened at least once", "items": 3}
        ]
    assert "the current term, Autumn 2026" in " ".join(by_default.notes)
    assert [r["title"] for r in _table(by_term, "never_opened")] == [
        "Shared textbook",
        "An Article",
    ]
    history = run("item-use", term=term.code, department="HIS")
    assert _table(history, "most_used") == []


def test_never_opened_items_read_in_small_pages_are_the_same(
    threshold: int, world: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    term = _this_term(world)
    reading_list = world["lit_list"]
    canon, shared, web = reading_list.citations.order_by("id")
    people = _students(reading_list.courses.first(), 2)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    _opens(canon, people, yesterday)
    roll_up(day=yesterday)
    _opens(web, people, timezone.localdate())  # today, not rolled up
    today = timezone.localdate()
    items = Citation.objects.filter(reading_list=reading_list)
    monkeypatch.setattr(library.ItemOpens, "PAGE", 1)
    by_term = library.ItemOpens(library.Filters(), yesterday, today, term)
    by_dates = library.ItemOpens(library.Filters(), yesterday, today, None)
    assert by_dates.term is None  # the daily counts, not the term's totals

    # By dates the first page holds only the opened first item: a second is read.
    for opens in (by_term, by_dates):
        assert opens.never_opened(items, 1) == [(shared.title, reading_list.code)]
        assert opens.never_opened(items, 5) == [(shared.title, reading_list.code)]


def test_dates_that_are_a_terms_days_read_its_totals_with_the_same_figures(
    threshold: int, world: dict
) -> None:
    term = _this_term(world)
    today = timezone.localdate()
    assert library.term_covering(term.start_date, today) == term
    assert library.term_covering(term.start_date, term.end_date) == term
    assert library.term_covering(term.start_date, today - datetime.timedelta(1)) is None
    assert library.term_covering(term.start_date + datetime.timedelta(1), today) is None
    canon, shared, web = world["lit_list"].citations.order_by("id")
    people = _students(world["lit_course"], 4)
    for back, citation, who in (
        (5, canon, people),
        (4, shared, people[:2]),
        (3, web, people[:3]),
        (2, canon, people[:1]),
    ):
        day = today - datetime.timedelta(days=back)
        _opens(citation, who, day)
        roll_up(day=day)
    _opens(web, people, today)  # today, not rolled up
    _request(canon, RequestKind.PURCHASE, RequestState.DONE, cost=Decimal("40.00"))

    # From the term's first day: its totals. From the day before (no use that
    # day): the daily counts. The figures must be the same.
    totals = {"from": term.start_date.isoformat(), "to": today.isoformat()}
    daily = {
        "from": (term.start_date - datetime.timedelta(days=1)).isoformat(),
        "to": today.isoformat(),
    }
    for name in ("item-use", "cost-per-use"):
        for extra in ({}, {"department": world["lit"].code}, {"department": "HIS"}):
            a = run(name, **totals, **extra)
            b = run(name, **daily, **extra)
            assert [t.rows for t in a.tables] == [t.rows for t in b.tables], (
                name,
                extra,
            )
            assert not any("current term" in note for note in a.notes)
    most = _table(run("item-use", **totals), "most_used")
    assert [(r["opens"], r["students_busiest_day"]) for r in most] == [
        (7, 4),
        (5, 4),
        (2, Hidden(3)),
    ]


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def test_the_roll_up_keeps_the_weekly_totals(threshold: int, world: dict) -> None:
    canon, shared, _web = world["lit_list"].citations.order_by("id")
    people = _students(world["lit_course"], 3)
    monday = _monday(timezone.localdate()) - datetime.timedelta(days=14)
    tuesday, sunday = monday + datetime.timedelta(1), monday + datetime.timedelta(6)
    _opens(canon, people, tuesday, times=2)
    _opens(canon, people[:1], sunday)
    _opens(shared, people[:2], sunday + datetime.timedelta(1))  # the next week
    for day in (tuesday, sunday, sunday + datetime.timedelta(1)):
        roll_up(day=day)
    roll_up(day=sunday)  # again: the same rows

    assert {
        (w.week, w.citation_id, w.list_id, w.opens, w.most_people_a_day)
        for w in WeekItemUse.objects.all()
    } == {
        (monday, canon.pk, canon.reading_list_id, 7, 3),
        (monday + datetime.timedelta(7), shared.pk, shared.reading_list_id, 2, 2),
    }


def test_whole_weeks_are_the_mondays_of_the_weeks_inside_the_dates() -> None:
    monday = datetime.date(2026, 11, 2)
    day = datetime.timedelta(days=1)
    assert library.whole_weeks(monday, monday + 6 * day) == (monday, monday)
    assert library.whole_weeks(monday, monday + 5 * day) is None
    assert library.whole_weeks(monday + day, monday + 13 * day) == (
        monday + 7 * day,
        monday + 7 * day,
    )
    assert library.whole_weeks(monday - day, monday + 20 * day) == (
        monday,
        monday + 14 * day,
    )


def test_dates_not_a_terms_read_weeks_and_days_with_the_daily_figures(
    threshold: int, world: dict
) -> None:
    """Whatever the dates, the weekly totals and the days around them give the
    figures of the daily counts alone, with or without a department."""
    today = timezone.localdate()
    first = _monday(today) - datetime.timedelta(days=21)
    term = _this_term(world)
    term.start_date = first - datetime.timedelta(days=10)  # no range is its days
    term.save()
    lit, his = world["lit_list"], world["his_list"]
    items = [*lit.citations.order_by("id"), *his.citations.order_by("id")]
    people = {lst.pk: _students(lst.courses.first(), 4) for lst in (lit, his)}
    for back in range((today - first).days + 1):
        day = first + datetime.timedelta(days=back)
        for n, citation in enumerate(items):
            who = people[citation.reading_list_id][: (back + n) % 5]
            if who and (back * 3 + n) % 4:
                _opens(citation, who, day, times=1 + (back + n) % 2)
        if day < today:
            roll_up(day=day)
    weekly = 0
    for start_back in (0, 1, 5, 7, 8, 13):
        for length in (0, 3, 6, 7, 9, 13, 14, 20):
            start = first + datetime.timedelta(days=start_back)
            end = min(start + datetime.timedelta(days=length), today)
            weekly += library.whole_weeks(start, end) is not None
            for extra in ({}, {"department": world["lit"].code}):
                lists = {lit.pk} if extra else {lit.pk, his.pk}
                expected = _daily_figures(start, end, lists)
                opens = library.ItemOpens(
                    library.parse_filters(extra), start, end, None
                )
                assert opens.term is None
                where = (start, end, extra)
                assert opens.for_ids(c.pk for c in items) == expected, where
                assert opens.count() == len(expected), where
                for n in (1, 2, len(items)):
                    for most in (True, False):
                        sign = -1 if most else 1
                        assert (
                            opens.ranked(n, most=most)
                            == sorted(
                                expected.items(),
                                key=lambda x, s=sign: (s * x[1][0], x[0]),
                            )[:n]
                        ), (where, n, most)
                never = [
                    c.title
                    for c in items
                    if c.pk not in expected and c.reading_list_id in lists
                ]
                shown = opens.never_opened(
                    Citation.objects.filter(reading_list_id__in=lists), 10
                )
                assert [title for title, _code in shown] == never, where
                assert expected or start == end  # not an empty comparison
    assert weekly > 20


def _daily_figures(
    start: datetime.date, end: datetime.date, lists: set[int]
) -> dict[int, tuple[int, int]]:
    """Students' opens per item from the daily counts and, for days not rolled
    up, the raw events, added up here: what every way of reading must give."""
    rolled = set(RolledUpDay.objects.values_list("day", flat=True))
    found: dict[int, tuple[int, int]] = {}
    per_day: dict[tuple[int, datetime.date], set[str]] = {}
    for row in DailyUsage.objects.filter(
        kind="citation_open", role="student", day__gte=start, day__lte=end
    ):
        if row.list_id in lists:
            found[row.citation_id] = library._plus(
                found.get(row.citation_id), (row.events, row.people)
            )
    for event in UsageEvent.objects.filter(kind="citation_open", role="student"):
        day = timezone.localtime(event.at).date()
        if start <= day <= end and day not in rolled and event.list_id in lists:
            per_day.setdefault((event.citation_id, day), set()).add(event.user_key)
            opens, people = found.get(event.citation_id, (0, 0))
            found[event.citation_id] = (opens + 1, people)
    for (citation, _day), keys in per_day.items():
        opens, people = found[citation]
        found[citation] = (opens, max(people, len(keys)))
    return found


def test_the_migration_fills_the_weeks_of_the_daily_counts_kept(
    threshold: int, world: dict
) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    canon, shared, _web = world["lit_list"].citations.order_by("id")
    people = _students(world["lit_course"], 2)
    monday = _monday(timezone.localdate()) - datetime.timedelta(days=14)
    for day, citation in ((monday, canon), (monday + datetime.timedelta(9), shared)):
        _opens(citation, people, day)
        roll_up(day=day)
    made = set(WeekItemUse.objects.values_list("week", "citation_id", "opens"))
    WeekItemUse.objects.all().delete()

    migration = importlib.import_module(
        "lectio.analytics.migrations.0005_week_item_use"
    )
    migration.fill_weeks(apps, SimpleNamespace(connection=connection))

    assert made == {
        (monday, canon.pk, 2),
        (monday + datetime.timedelta(7), shared.pk, 2),
    }
    assert set(WeekItemUse.objects.values_list("week", "citation_id", "opens")) == made


def test_whole_weeks_are_the_fewest_kept_spans() -> None:
    week = datetime.timedelta(weeks=1)
    first = span_start(datetime.date(2026, 11, 2), 32)  # a 32-week span begins
    assert week_spans(first, first + 31 * week) == [(first, 32)]
    assert week_spans(first + week, first + 4 * week) == [
        (first + week, 1),
        (first + 2 * week, 2),
        (first + 4 * week, 1),
    ]
    assert week_spans(first, first) == [(first, 1)]
    for start in range(0, 40):
        for length in range(0, 60, 3):
            a, b = first + start * week, first + (start + length) * week
            spans = week_spans(a, b)
            assert len(spans) <= 2 * len(SPANS) + 2
            at = a
            for monday, n in spans:  # in order, end to end, each a kept span
                assert monday == at and span_start(monday, n) == monday
                assert n == 1 or n in SPANS
                at = monday + n * week
            assert at == b + week


def _span_sums() -> set[tuple]:
    """Each span's opens per item, added up here from the weekly totals."""
    found: dict[tuple, int] = {}
    for row in WeekItemUse.objects.all():
        for n in SPANS:
            key = (span_start(row.week, n), n, row.citation_id, row.list_id)
            found[key] = found.get(key, 0) + row.opens
    return {(*key, opens) for key, opens in found.items()}


def _spans() -> set[tuple]:
    return set(
        SpanItemUse.objects.values_list(
            "first_week", "weeks", "citation_id", "list_id", "opens"
        )
    )


def test_the_roll_up_keeps_the_spans_of_weeks(threshold: int, world: dict) -> None:
    canon, shared, _web = world["lit_list"].citations.order_by("id")
    people = _students(world["lit_course"], 2)
    monday = _monday(timezone.localdate()) - datetime.timedelta(weeks=9)
    days = [monday + datetime.timedelta(days=d) for d in (0, 8, 20, 36, 50, 61)]
    for n, day in enumerate(days):
        _opens(canon if n % 2 else shared, people[: 1 + n % 2], day, times=1 + n)
        _opens(canon, people[:1], day)
    for day in days:
        roll_up(day=day)
    assert _spans() == _span_sums()
    assert {n for _f, n, *_rest in _spans()} == set(SPANS)
    # A day rolled up again with fewer opens: its spans follow.
    UsageEvent.objects.filter(at__date=days[2], citation_id=shared.pk).delete()
    roll_up(day=days[2])
    assert _spans() == _span_sums()

    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    made = _spans()
    SpanItemUse.objects.all().delete()
    migration = importlib.import_module(
        "lectio.analytics.migrations.0006_span_item_use"
    )
    migration.fill_spans(apps, SimpleNamespace(connection=connection))
    assert _spans() == made


def test_dates_over_many_weeks_rank_items_from_the_spans(
    threshold: int, world: dict
) -> None:
    """Ranges of up to nine weeks, read from spans, weeks and days added and
    taken away, rank and count the items as the daily counts do."""
    today = timezone.localdate()
    first = _monday(today) - datetime.timedelta(weeks=9)
    lit, his = world["lit_list"], world["his_list"]
    items = [*lit.citations.order_by("id"), *his.citations.order_by("id")]
    people = {lst.pk: _students(lst.courses.first(), 3) for lst in (lit, his)}
    for back in range(0, (today - first).days, 3):
        day = first + datetime.timedelta(days=back)
        for n, citation in enumerate(items):
            if (back + n) % 4:
                who = people[citation.reading_list_id][: 1 + (back + n) % 3]
                _opens(citation, who, day, times=1 + (back * n) % 3)
        roll_up(day=day)
    used: set[str] = set()
    for start_back in (0, 2, 5, 10):
        for length in (22, 27, 33, 45, 62):
            start = first + datetime.timedelta(days=start_back)
            end = min(start + datetime.timedelta(days=length), today)
            for extra in ({}, {"department": world["lit"].code}):
                lists = {lit.pk} if extra else {lit.pk, his.pk}
                expected = _daily_figures(start, end, lists)
                filters = library.parse_filters(extra)
                opens = library.ItemOpens(filters, start, end, None)
                where = (start, end, extra)
                used.update(
                    "span" if p.model is SpanItemUse else "taken" if p.sign < 0 else ""
                    for p in opens._ranking
                )
                assert opens.count() == len(expected), where
                for most in (True, False):
                    sign = -1 if most else 1
                    assert opens.ranked(len(items), most=most) == sorted(
                        expected.items(), key=lambda x, s=sign: (s * x[1][0], x[0])
                    ), where
    assert {"span", "taken"} <= used  # not only weeks and days added
