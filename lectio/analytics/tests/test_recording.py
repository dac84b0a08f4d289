"""Usage events: recorded where lists are used, in batches after responses, under a
pseudonymous key; erased with the person; rolled up into daily counts and purged."""

from __future__ import annotations

import datetime
import logging
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lectio.analytics import recording
from lectio.analytics.models import DailyUsage, UsageEvent
from lectio.analytics.recording import roll_up_and_purge, user_key
from lectio.core import usage
from lectio.core.factories import UserFactory
from lectio.lists.statuses import CitationStatus


def events() -> list[tuple[Any, ...]]:
    usage.flush()
    return list(
        UsageEvent.objects.order_by("pk").values_list(
            "kind", "user_key", "role", "channel", "list_id", "citation_id", "detail"
        )
    )


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_a_students_visit_is_recorded_under_a_key_not_their_account(
    usage_on: None, client_for: Any, student: Any, reading_list: Any
) -> None:
    client = client_for(student)
    citation = reading_list.citations.filter(status=CitationStatus.COMPLETE).first()

    client.get(f"/lists/{reading_list.pk}/")
    client.post(f"/lists/{reading_list.pk}/marks/", {"done": citation.pk})
    client.post(f"/lists/{reading_list.pk}/marks/", {"done": citation.pk})  # undone
    client.get(f"/citations/{citation.pk}/")

    key = user_key(student.pk)
    assert events() == [
        ("list_view", key, "student", "direct", reading_list.pk, None, ""),
        ("mark_done", key, "student", "direct", reading_list.pk, citation.pk, ""),
        (
            "citation_open",
            key,
            "student",
            "direct",
            reading_list.pk,
            citation.pk,
            "details",
        ),
    ]
    assert str(student.pk) != key and len(key) == 32
    assert not UsageEvent.objects.filter(user_key=str(student.pk)).exists()


@pytest.mark.parametrize("reading_list", ["published:public"], indirect=True)
def test_a_guest_and_a_visit_from_the_lms(
    usage_on: None, client_for: Any, student: Any, reading_list: Any
) -> None:
    Client().get(f"/lists/{reading_list.pk}/")
    client = client_for(student)
    session = client.session
    session["lti"] = {"platform": 1}
    session.save()
    client.get(f"/lists/{reading_list.pk}/")

    assert [(e[0], e[1], e[2], e[3]) for e in events()] == [
        ("list_view", "", "guest", "direct"),
        ("list_view", user_key(student.pk), "student", "lms"),
    ]


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_recording_adds_no_query_to_the_page(
    usage_on: None,
    client_for: Any,
    student: Any,
    reading_list: Any,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    client = client_for(student)
    client.get(f"/lists/{reading_list.pk}/")
    usage.flush()
    settings.LECTIO_USAGE = False
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as off:
        client.get(f"/lists/{reading_list.pk}/")
    settings.LECTIO_USAGE = True
    with django_assert_num_queries(len(off.captured_queries)):
        client.get(f"/lists/{reading_list.pk}/")
    assert usage.pending() == 1


def test_a_batch_is_written_after_a_response_once_due_in_one_insert(
    usage_on: None, settings: Any, django_assert_num_queries: Any, student: Any
) -> None:
    for _ in range(5):
        usage.record(None, "search", user=student)
    usage.flush_if_due()
    assert UsageEvent.objects.count() == 0  # not due: young and small

    settings.LECTIO_USAGE_SECONDS = 0
    with django_assert_num_queries(1):
        usage.flush_if_due()
    assert UsageEvent.objects.filter(kind="search").count() == 5

    settings.LECTIO_USAGE_SECONDS = 3600
    settings.LECTIO_USAGE_BATCH = 3
    for _ in range(3):
        usage.record(None, "search", user=student)
    assert usage.pending() == 0  # a full batch goes at once
    assert UsageEvent.objects.count() == 8


def test_an_unknown_kind_is_a_programming_error(usage_on: None) -> None:
    with pytest.raises(ValueError):
        usage.record(None, "list_viewed")


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_a_failing_write_never_fails_the_page(
    usage_on: None,
    client_for: Any,
    student: Any,
    reading_list: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(batch: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(usage, "SINK", broken)
    settings.LECTIO_USAGE_SECONDS = 0
    with caplog.at_level(logging.ERROR, logger="lectio.usage"):
        response = client_for(student).get(f"/lists/{reading_list.pk}/")
    assert response.status_code == 200
    assert "could not be written" in caplog.text


def test_erasing_a_person_erases_their_raw_events(usage_on: None) -> None:
    gone, stays = UserFactory(), UserFactory()
    for person in (gone, stays, gone):
        usage.record(None, "search", user=person)
    usage.flush()

    gone.delete()

    assert list(UsageEvent.objects.values_list("user_key", flat=True)) == [
        user_key(stays.pk)
    ]


# --- daily counts ------------------------------------------------------------------


def _event(
    at: datetime.datetime, who: str, kind: str = "list_view", **ids: Any
) -> None:
    UsageEvent.objects.create(
        at=at, kind=kind, user_key=who, role="student", channel="direct", **ids
    )


def test_days_are_rolled_up_once_and_old_raw_events_purged(
    usage_on: None, settings: Any
) -> None:
    settings.LECTIO_USAGE_KEEP_DAYS = 30
    zone = timezone.get_current_timezone()
    today = datetime.date(2026, 11, 20)
    old = datetime.datetime(2026, 10, 1, 10, tzinfo=zone)
    recent = datetime.datetime(2026, 11, 18, 23, 30, tzinfo=zone)
    for who in ("a", "b", "a"):
        _event(old, who, list_id=7)
    _event(recent, "a", list_id=7)
    _event(recent, "c", kind="like", list_id=7, citation_id=70)
    _event(datetime.datetime(2026, 11, 20, 9, tzinfo=zone), "d", list_id=7)  # today

    done = roll_up_and_purge(today=today)

    assert done["purged"] == 3  # the October ones, rolled up first
    rows = sorted(
        DailyUsage.objects.values_list("day", "kind", "list_id", "events", "people")
    )
    assert rows == [
        (datetime.date(2026, 10, 1), "list_view", 7, 3, 2),
        (datetime.date(2026, 11, 18), "like", 7, 1, 1),
        (datetime.date(2026, 11, 18), "list_view", 7, 1, 1),
    ]
    assert UsageEvent.objects.count() == 3  # today's and the kept ones
    again = roll_up_and_purge(today=today)
    assert again == {"days": 0, "rows": 0, "purged": 0}
    # Tomorrow, today's is rolled up too.
    roll_up_and_purge(today=today + datetime.timedelta(days=1))
    assert DailyUsage.objects.filter(day=today).get().people == 1


def test_usage_rollup_command(usage_on: None) -> None:
    out = StringIO()
    call_command("usage_rollup", stdout=out)
    assert "Rolled up 0 day(s)" in out.getvalue()
    assert recording.keep_days() == 30


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_an_export_is_recorded(
    usage_on: None, client_for: Any, student: Any, reading_list: Any
) -> None:
    response = client_for(student).get(
        f"/lists/{reading_list.pk}/export/", {"format": "ris"}
    )
    assert response.status_code == 200
    assert [(e[0], e[4], e[6]) for e in events()] == [
        ("export", reading_list.pk, "ris")
    ]
