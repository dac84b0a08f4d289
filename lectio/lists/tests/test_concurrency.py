"""Two people changing one list at the same moment, over real HTTP.

A live server (threaded: one thread and one database connection per request) takes
requests sent from several threads at once. Every test proves its requests really
overlapped: they meet at a barrier inside the server before any view code runs, and
a serial server would break it. No sleeps: barriers and events order everything.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import User
from lectio.core.factories import add_citation
from lectio.lists import services
from lectio.lists.models import Citation, ReadingList, Section

pytestmark = [pytest.mark.concurrency, pytest.mark.timeout(120)]

CANON = "The Canon and Its Critics"
CONFLICT = "Someone else changed this while you were editing it"
ROUNDS = 20
# Any 32 characters: the CSRF cookie holds the secret, the header repeats it.
CSRF_SECRET = "concurrencytestsecret0123456789a"


# --- HTTP from several threads ----------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


class Browser:
    """One person's session against the live server (stdlib http.client: one
    connection per request, so requests from several threads never share one)."""

    def __init__(self, base_url: str, user: User | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies = {settings.CSRF_COOKIE_NAME: CSRF_SECRET}
        if user is not None:
            login = Client()
            login.force_login(user)
            name = settings.SESSION_COOKIE_NAME
            self.cookies[name] = login.cookies[name].value

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body = urlencode(data or {}, doseq=True) if method == "POST" else None
        sent = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": CSRF_SECRET,
            "Connection": "close",
            **(headers or {}),
        }
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, Any], **headers: str) -> Reply:
        return self.request("POST", path, data, headers)


def together(*calls: Callable[[], Reply]) -> list[Reply]:
    """Runs the calls in threads released at one moment; their replies in order."""
    start = threading.Barrier(len(calls))
    replies: list[Reply | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Reply]) -> None:
        try:
            start.wait(timeout=10)
            replies[index] = call()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [
        threading.Thread(target=run, args=(i, call), daemon=True)
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t for t in threads if t.is_alive()], "a request never came back"
    assert not errors, errors
    return replies  # type: ignore[return-value]


# --- inside the server ---------------------------------------------------------------


class Gate:
    """Requests carrying `X-Gate: <key>` wait for each other at a barrier as they
    enter the server. If the server handled them one at a time the barrier would
    break (recorded in `broken`): passing it proves they overlapped."""

    def __init__(self) -> None:
        self.barriers: dict[str, threading.Barrier] = {}
        self.broken: list[str] = []
        self.passed = 0
        self._lock = threading.Lock()

    def open(self, parties: int) -> dict[str, str]:
        key = str(len(self.barriers))
        self.barriers[key] = threading.Barrier(parties)
        return {"X-Gate": key}

    def on_request(self, sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        barrier = self.barriers.get(environ.get("HTTP_X_GATE", ""))
        if barrier is None:
            return
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            self.broken.append(environ["PATH_INFO"])
        else:
            with self._lock:
                self.passed += 1


@pytest.fixture
def gate() -> Iterator[Gate]:
    probe = Gate()
    request_started.connect(probe.on_request, dispatch_uid="lists-concurrency-gate")
    yield probe
    request_started.disconnect(dispatch_uid="lists-concurrency-gate")
    assert probe.broken == [], "requests did not overlap in the server"


class Race:
    """Orders two requests at the database, deterministically: the one marked
    `X-Race: first` stops at its first write (inside its transaction, holding the
    list's lock) until the one marked `second` has read the citation; the second
    goes on only once the first got there. So the first commits first and the
    second acts on what it read before: the classic stale read-then-write."""

    def __init__(self) -> None:
        self.second_has_read = threading.Event()
        self.first_in_transaction = threading.Event()
        self._local = threading.local()

    def on_start(self, sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        role = environ.get("HTTP_X_RACE")
        if role not in ("first", "second"):
            return

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any):
            if role == "first" and sql.lstrip().upper().startswith(
                ("UPDATE", "DELETE", "INSERT")
            ):
                self.first_in_transaction.set()
                self.second_has_read.wait(timeout=10)
            result = execute(sql, params, many, context)
            if role == "second" and 'FROM "lists_citation"' in sql:
                self.second_has_read.set()
                # Go on only once the first holds its lock, so it commits first.
                self.first_in_transaction.wait(timeout=10)
            return result

        connection.execute_wrappers.append(wrapper)
        self._local.wrapper = wrapper

    def on_finish(self, sender: Any, **kwargs: Any) -> None:
        wrapper = getattr(self._local, "wrapper", None)
        if wrapper is not None:
            connection.execute_wrappers.remove(wrapper)
            self._local.wrapper = None


@pytest.fixture
def race() -> Iterator[Race]:
    ordering = Race()
    request_started.connect(ordering.on_start, dispatch_uid="lists-concurrency-race")
    request_finished.connect(ordering.on_finish, dispatch_uid="lists-concurrency-race")
    yield ordering
    request_started.disconnect(dispatch_uid="lists-concurrency-race")
    request_finished.disconnect(dispatch_uid="lists-concurrency-race")


@pytest.fixture
def browsers(
    live_server: Any, instructor: User, collaborator_editor: User
) -> dict[str, Browser]:
    """The list's instructor and its "can edit" collaborator, each logged in."""
    return {
        "instructor": Browser(live_server.url, instructor),
        "editor": Browser(live_server.url, collaborator_editor),
    }


def loaded_version(page: Reply) -> int:
    assert page.status == 200, page.status
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, "the form carries no version"
    return int(found.group(1))


def positions(section: Section) -> list[int]:
    return list(
        Citation.objects.filter(section=section)
        .order_by("position", "id")
        .values_list("position", flat=True)
    )


def contiguous(reading_list: ReadingList) -> dict[str, list[int]]:
    """Sections whose positions are not 0..n-1 (should be none)."""
    wrong = {}
    for section in reading_list.sections.all():
        found = positions(section)
        if found != list(range(len(found))):
            wrong[section.name] = found
    return wrong


# --- (a) and (b): two editors, one form, one moment ------------------------------------


def test_two_editors_saving_one_citation_never_lose_an_update(
    gate: Gate, browsers: dict[str, Browser], reading_list: ReadingList
) -> None:
    canon = reading_list.citations.get(title=CANON)
    url = reverse("lists:citation_edit", args=[canon.pk])
    outcomes = []

    for round_no in range(ROUNDS):
        versions = {who: loaded_version(b.get(url)) for who, b in browsers.items()}
        assert len(set(versions.values())) == 1  # both start from the same version
        version = versions["instructor"]
        headers = gate.open(2)
        who_order = list(browsers)
        replies = together(
            *(
                partial(
                    browsers[who].post,
                    url,
                    {
                        "material_type": "book",
                        "bib_title": f"{who} {round_no}",
                        "version": version,
                    },
                    **headers,
                )
                for who in who_order
            )
        )
        statuses = sorted(r.status for r in replies)
        outcomes.append(statuses)
        if statuses != [302, 409]:
            continue
        winner = who_order[[r.status for r in replies].index(302)]
        loser = next(r for r in replies if r.status == 409)
        assert loser.headers["X-Current-Version"] == str(version + 1)
        assert CONFLICT in loser.text
        stored = Citation.objects.get(pk=canon.pk)
        assert (stored.title, stored.version) == (f"{winner} {round_no}", version + 1)

    assert outcomes == [[302, 409]] * ROUNDS  # never two winners, never a crash
    assert gate.passed == 2 * ROUNDS
    assert Citation.objects.get(pk=canon.pk).version == 1 + ROUNDS


def test_two_editors_saving_list_details_never_lose_an_update(
    gate: Gate, browsers: dict[str, Browser], reading_list: ReadingList, course
) -> None:
    url = reverse("lists:edit", args=[reading_list.pk])
    outcomes = []
    start_version = ReadingList.objects.get(pk=reading_list.pk).version

    for round_no in range(ROUNDS):
        version = loaded_version(browsers["instructor"].get(url))
        assert loaded_version(browsers["editor"].get(url)) == version
        headers = gate.open(2)
        who_order = list(browsers)
        replies = together(
            *(
                partial(
                    browsers[who].post,
                    url,
                    {
                        "name": f"{who} {round_no}",
                        "description": f"by {who}",
                        "courses": [course.pk],
                        "version": version,
                    },
                    **headers,
                )
                for who in who_order
            )
        )
        statuses = sorted(r.status for r in replies)
        outcomes.append(statuses)
        if statuses != [302, 409]:
            continue
        winner = who_order[[r.status for r in replies].index(302)]
        loser = next(r for r in replies if r.status == 409)
        assert loser.headers["X-Current-Version"] == str(version + 1)
        stored = ReadingList.objects.get(pk=reading_list.pk)
        assert (stored.name, stored.description, stored.version) == (
            f"{winner} {round_no}",
            f"by {winner}",
            version + 1,
        )

    assert outcomes == [[302, 409]] * ROUNDS
    assert ReadingList.objects.get(pk=reading_list.pk).version == (
        start_version + ROUNDS
    )


# --- (c) reordering from several places at once -------------------------------------


@pytest.fixture
def week1(reading_list: ReadingList, instructor: User) -> Section:
    """Week 1 with eight citations."""
    week = reading_list.sections.get(name="Week 1")
    for n in range(6):
        add_citation(reading_list, actor=instructor, title=f"Extra {n}", section=week)
    assert positions(week) == list(range(8))
    return week


def test_concurrent_reorders_keep_positions_contiguous_and_unique(
    gate: Gate,
    browsers: dict[str, Browser],
    reading_list: ReadingList,
    week1: Section,
) -> None:
    chooser = random.Random(20261125)
    people = list(browsers.values())
    ids = list(week1.citations.values_list("pk", flat=True))

    for _round in range(5):
        moves = []
        for n, citation_id in enumerate(ids):
            data: dict[str, Any] = {"section": week1.pk}
            if n % 3 == 2:
                data["direction"] = chooser.choice(["up", "down"])
            else:
                data["position"] = chooser.randrange(len(ids))
            moves.append((people[n % 2], citation_id, data))
        headers = gate.open(len(moves))
        replies = together(
            *(
                partial(
                    who.post,
                    reverse("lists:citation_move", args=[pk]),
                    data,
                    Accept="application/json",
                    **headers,
                )
                for who, pk, data in moves
            )
        )

        assert [r.status for r in replies] == [200] * len(moves)
        assert {r.json()["citation"] for r in replies} == set(ids)
        assert positions(week1) == list(range(len(ids)))
        assert set(week1.citations.values_list("pk", flat=True)) == set(ids)
    assert gate.passed == 5 * len(ids)


STALE_MOVE = (
    "citation_move acts on the citation as the view read it before the list lock: "
    "lectio/lists/services.py citation_move takes `source_section_id = "
    "citation.section_id` (and moves the row) from the object the selector loaded "
    "outside the transaction. A move or delete committed in between leaves a gap "
    "(or moves a deleted row and records an event for it). Fix: after _lock_list, "
    "re-read the citation (Citation.objects.filter(pk=...).first(); refuse if gone) "
    "and use its current section_id."
)


def test_two_moves_of_one_citation_to_different_sections_leave_no_gap(
    race: Race,
    browsers: dict[str, Browser],
    reading_list: ReadingList,
    instructor: User,
) -> None:
    week1 = reading_list.sections.get(name="Week 1")
    week2 = services.section_add(actor=instructor, reading_list=reading_list, name="W2")
    week3 = services.section_add(actor=instructor, reading_list=reading_list, name="W3")
    add_citation(reading_list, actor=instructor, title="Already in W2", section=week2)
    canon = reading_list.citations.get(title=CANON)
    url = reverse("lists:citation_move", args=[canon.pk])

    first, second = together(
        lambda: browsers["instructor"].post(
            url, {"section": week2.pk, "position": 0}, **{"X-Race": "first"}
        ),
        lambda: browsers["editor"].post(
            url, {"section": week3.pk}, **{"X-Race": "second"}
        ),
    )

    assert race.first_in_transaction.is_set() and race.second_has_read.is_set()
    assert (first.status, second.status) == (302, 302)
    assert Citation.objects.get(pk=canon.pk).section_id == week3.pk
    assert contiguous(reading_list) == {}
    assert positions(week1) == [0]


def test_moving_a_citation_someone_is_deleting_leaves_no_gap(
    race: Race,
    browsers: dict[str, Browser],
    reading_list: ReadingList,
    instructor: User,
) -> None:
    week1 = reading_list.sections.get(name="Week 1")
    add_citation(reading_list, actor=instructor, title="Third", section=week1)
    grain = reading_list.citations.get(title="Reading Against the Grain")

    deleted, moved = together(
        lambda: browsers["instructor"].post(
            reverse("lists:citation_delete", args=[grain.pk]), {}, **{"X-Race": "first"}
        ),
        lambda: browsers["editor"].post(
            reverse("lists:citation_move", args=[grain.pk]),
            {"section": week1.pk, "position": 0},
            **{"X-Race": "second"},
        ),
    )

    assert race.first_in_transaction.is_set() and race.second_has_read.is_set()
    assert deleted.status == 302
    assert moved.status in (302, 404)  # refused or a no-op: either way, no harm
    assert not Citation.objects.filter(pk=grain.pk).exists()
    assert positions(week1) == [0, 1]


# --- (d) adding at the same time ------------------------------------------------------


def test_concurrent_adds_all_succeed_with_unique_positions(
    gate: Gate, browsers: dict[str, Browser], reading_list: ReadingList
) -> None:
    week1 = reading_list.sections.get(name="Week 1")
    before = week1.citations.count()
    people = list(browsers.values())
    citation_adds = 8
    section_adds = 4
    headers = gate.open(citation_adds + section_adds)
    add_url = reverse("lists:citation_add", args=[reading_list.pk])
    section_url = reverse("lists:section_add", args=[reading_list.pk])

    replies = together(
        *(
            partial(
                people[n % 2].post,
                add_url,
                {
                    "material_type": "book",
                    "bib_title": f"Added {n}",
                    "section": week1.pk,
                },
                **headers,
            )
            for n in range(citation_adds)
        ),
        *(
            partial(people[n % 2].post, section_url, {"name": f"Part {n}"}, **headers)
            for n in range(section_adds)
        ),
    )

    assert [r.status for r in replies] == [302] * (citation_adds + section_adds), [
        (r.status, r.body[:200]) for r in replies if r.status != 302
    ]
    assert positions(week1) == list(range(before + citation_adds))
    assert sorted(
        week1.citations.filter(title__startswith="Added ").values_list(
            "title", flat=True
        )
    ) == sorted(f"Added {n}" for n in range(citation_adds))
    sections = list(reading_list.sections.values_list("position", flat=True))
    assert sections == list(range(2 + section_adds))
    assert gate.passed == citation_adds + section_adds
