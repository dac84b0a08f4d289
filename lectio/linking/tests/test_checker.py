"""The link checker: HEAD then GET, retries with backoff, what counts as broken, at
most two requests per host at a time (with a fake fetch, and against a local server
through the guarded client)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from lectio.core.http_guard import FetchFailed, FetchRefused, FetchResult, fetch
from lectio.linking import checker


class FakeFetch:
    """Answers by URL path: /ok, /gone (404), /nohead (405 to HEAD), /flaky (503
    twice, then 200), /down (always 503), /unreachable, /private (refused),
    /login (401), /big (too large to read)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.flaky = Counter[str]()

    def __call__(self, url: str, *, method: str, **kwargs: Any) -> FetchResult:
        host = urlsplit(url).hostname or ""
        with self.lock:
            self.calls.append((method, url))
            self.active[host] += 1
            self.peak[host] = max(self.peak[host], self.active[host])
        try:
            if self.delay:
                time.sleep(self.delay)
            return self._answer(url, method)
        finally:
            with self.lock:
                self.active[host] -= 1

    def _answer(self, url: str, method: str) -> FetchResult:
        path = urlsplit(url).path
        status = 200
        if path == "/gone":
            status = 404
        elif path == "/nohead" and method == "HEAD":
            status = 405
        elif path == "/flaky":
            self.flaky[url] += 1
            status = 503 if self.flaky[url] <= 4 else 200
        elif path == "/down":
            status = 503
        elif path == "/unreachable":
            raise FetchFailed("the site could not be reached")
        elif path == "/private":
            raise FetchRefused("the address is not a public one")
        elif path == "/big" and method == "GET":
            raise FetchRefused("the content is larger than Lectio fetches")
        elif path == "/big":
            status = 405
        elif path == "/login":
            status = 401
        return FetchResult(url, url, status, "text/html", b"")


@pytest.mark.parametrize(
    ("path", "status", "code", "method"),
    [
        ("/ok", "ok", 200, "HEAD"),
        ("/gone", "broken", 404, "HEAD"),
        ("/nohead", "ok", 200, "GET"),
        ("/flaky", "ok", 200, "HEAD"),  # 503 to HEAD and GET twice, then 200
        ("/down", "unsure", 503, "GET"),
        ("/unreachable", "unsure", None, "GET"),
        ("/private", "unsure", None, "HEAD"),
        ("/login", "ok", 401, "HEAD"),
        ("/big", "ok", 200, "GET"),
    ],
)
def test_outcomes(path: str, status: str, code: int | None, method: str) -> None:
    sleeps: list[float] = []
    fetch = FakeFetch()

    outcome = checker.check_one(
        "https://a.example" + path, fetch=fetch, sleep=sleeps.append, backoff=0.5
    )

    assert (outcome.status, outcome.status_code, outcome.method) == (
        status,
        code,
        method,
    )


def test_retries_back_off_and_a_refused_address_is_not_retried() -> None:
    sleeps: list[float] = []
    fetch = FakeFetch()

    down = checker.check_one(
        "https://a.example/down", fetch=fetch, sleep=sleeps.append, backoff=0.5
    )
    private = checker.check_one(
        "https://a.example/private", fetch=fetch, sleep=sleeps.append, backoff=0.5
    )

    assert down.attempts == 3
    assert sleeps == [0.5, 1.0]
    assert private.attempts == 1
    assert [c for c in fetch.calls if c[1].endswith("/private")] == [
        ("HEAD", "https://a.example/private")
    ]


def test_never_more_than_two_at_a_time_on_one_host() -> None:
    fetch = FakeFetch(delay=0.01)
    urls = [f"https://h{n % 3}.example/ok?{n}" for n in range(60)]
    urls += [f"https://solo{n}.example/ok" for n in range(10)]

    outcomes = checker.check_urls(urls, fetch=fetch, per_host=2, workers=16)

    assert [o.url for o in outcomes] == urls
    assert all(o.status == "ok" for o in outcomes)
    assert max(fetch.peak.values()) == 2
    assert fetch.peak["h0.example"] == 2


def test_each_url_is_checked_once() -> None:
    fetch = FakeFetch()
    outcomes = checker.check_urls(
        ["https://a.example/ok", "https://a.example/ok"], fetch=fetch
    )
    assert len(outcomes) == 1
    assert fetch.calls == [("HEAD", "https://a.example/ok")]


# --- against a local server, through the guarded client ----------------------------


class _Site(BaseHTTPRequestHandler):
    lock = threading.Lock()
    active = 0
    peak = 0
    methods: Counter[str] = Counter()

    def _answer(self, body: bool) -> None:
        cls = type(self)
        with cls.lock:
            cls.active += 1
            cls.peak = max(cls.peak, cls.active)
            cls.methods[self.command] += 1
        try:
            time.sleep(0.002)
            if self.path.startswith("/gone"):
                self.send_response(404)
            elif self.path.startswith("/nohead") and not body:
                self.send_response(405)
            else:
                self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "2")
            self.end_headers()
            if body:
                self.wfile.write(b"ok")
        finally:
            with cls.lock:
                cls.active -= 1

    def do_HEAD(self) -> None:  # noqa: N802 (the standard library's name)
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Site.active = _Site.peak = 0
    _Site.methods.clear()
    port = server.server_address[1]
    with override_settings(
        LECTIO_FETCH_ALLOW_ADDRESSES=["127.0.0.2"],
        LECTIO_FETCH_PORTS=(80, 443, port),
        LECTIO_FETCH_RATE=0,
    ):
        yield port
    server.shutdown()
    server.server_close()


def test_a_local_site_is_checked_politely_through_the_guarded_client(
    site: int,
) -> None:
    urls = [f"http://links.example:{site}/page/{n}" for n in range(150)]
    urls += [f"http://links.example:{site}/gone/{n}" for n in range(30)]
    urls += [f"http://links.example:{site}/nohead/{n}" for n in range(20)]

    lock = threading.Lock()
    in_flight = Counter[str]()
    peak = Counter[str]()

    def counted(url: str, **kwargs: Any) -> FetchResult:
        # Counted where the checker sends: the server sees a request's end a little
        # after the client has its answer, so its own count can overlap by one.
        host = urlsplit(url).hostname or ""
        with lock:
            in_flight[host] += 1
            peak[host] = max(peak[host], in_flight[host])
        try:
            return fetch(url, **kwargs)
        finally:
            with lock:
                in_flight[host] -= 1

    started = time.monotonic()
    outcomes = checker.check_urls(
        urls,
        per_host=2,
        workers=8,
        fetch=counted,
        fetch_kwargs={"resolve": lambda host, port: ["127.0.0.2"]},
    )
    elapsed = time.monotonic() - started

    statuses = Counter(o.status for o in outcomes)
    assert statuses == {"ok": 170, "broken": 30}
    assert peak == {"links.example": 2}
    assert _Site.peak <= 3
    assert _Site.methods == {"HEAD": 200, "GET": 20}
    assert elapsed < 30
