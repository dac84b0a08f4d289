"""Two librarians take the same list at the same moment, through real HTTP requests to
a live server, from two threads released together by a barrier: exactly one wins, the
other is told who has the list, and the database holds the winner.

The test client calls the application in-process, one request at a time, so it cannot
race two requests; these go over sockets to the live server, which serves each in a
thread of its own with its own database connection.
"""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.factories import UserFactory
from lectio.core.models import Event
from lectio.lists.models import ReadingList
from lectio.lists.statuses import ListStatus

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
TIMEOUT = 60


@dataclass
class Browser:
    """One person's browser: cookies kept between requests, redirects not followed."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """(status, Location, body)."""
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=TIMEOUT
        )
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": self.base_url + path,
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.getheader("Location") or "", content
        finally:
            connection.close()

    def get(self, path: str) -> str:
        status, _location, content = self.request("GET", path)
        assert status == 200, (path, status)
        return content

    def post_and_follow(self, path: str, form: dict[str, str]) -> str:
        form = {**form, "csrfmiddlewaretoken": self.cookies[settings.CSRF_COOKIE_NAME]}
        status, location, content = self.request("POST", path, form)
        assert status == 302, (path, status, content[:500])
        return self.get(urlsplit(location).path)


def logged_in(base_url: str, user: User, first_page: str) -> Browser:
    login = Client()
    login.force_login(user)
    browser = Browser(
        base_url,
        {
            settings.SESSION_COOKIE_NAME: login.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
        },
    )
    browser.get(first_page)  # a page with a form: sets the CSRF cookie
    assert settings.CSRF_COOKIE_NAME in browser.cookies
    return browser


def flash_messages(page: str) -> list[str]:
    return re.findall(r'<p class="message message-\w+">([^<]*)</p>', page)


def test_two_librarians_taking_one_list_at_once_exactly_one_wins(
    live_server: Any,
) -> None:
    InstitutionSettings.current()
    people = {
        "librarian": UserFactory.create(
            username="librarian",
            first_name="Lia",
            last_name="Librarian",
            role=Role.LIBRARIAN,
        ),
        "other_librarian": UserFactory.create(
            username="other_librarian",
            first_name="Lou",
            last_name="Loaner",
            role=Role.LIBRARIAN,
        ),
    }
    lists = [
        ReadingList.objects.create(
            code=f"RACE-{n:02}",
            name=f"Race {n:02}",
            status=ListStatus.READY_FOR_PROCESSING,
        )
        for n in range(ROUNDS)
    ]
    first_page = reverse("workflow:work", args=[lists[0].pk])
    browsers = {
        name: logged_in(live_server.url, user, first_page)
        for name, user in people.items()
    }
    names = {"librarian": "Lia Librarian", "other_librarian": "Lou Loaner"}
    winners = []

    with ThreadPoolExecutor(max_workers=2) as pool:
        for reading_list in lists:
            barrier = threading.Barrier(2, timeout=TIMEOUT)
            path = reverse("workflow:take", args=[reading_list.pk])

            def take(browser: Browser, path: str = path, barrier: Any = barrier) -> str:
                barrier.wait()
                return browser.post_and_follow(path, {})

            futures = {name: pool.submit(take, b) for name, b in browsers.items()}
            pages = {name: f.result(timeout=TIMEOUT) for name, f in futures.items()}

            stored = ReadingList.objects.select_related("assigned_librarian").get(
                pk=reading_list.pk
            )
            assert stored.assigned_librarian is not None, reading_list.code
            winner = stored.assigned_librarian.username
            loser = next(name for name in people if name != winner)
            winners.append(winner)
            assert flash_messages(pages[winner]) == ["The list is yours now."]
            assert flash_messages(pages[loser]) == [
                f"{names[winner]} has already taken this list."
            ]
            assert f"Assigned to {names[winner]}." in pages[loser]
            assert list(
                Event.objects.filter(
                    list_id=reading_list.pk, verb="list.take"
                ).values_list("actor__username", flat=True)
            ) == [winner]
            assert stored.version == 2

    assert len(winners) == ROUNDS
