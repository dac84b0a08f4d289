"""`link_check`: the broken-link checker on 10,000 links against a local test server
(issue figure: under 2 minutes, never more than 2 connections per host at a time).

A threaded HTTP server on 127.0.0.2 answers HEAD and GET after a 2 ms pause (404 for
one link in ten, 405 to HEAD for one in twenty, so those are asked again with GET).
The 10,000 URLs are spread over 5 host names that the checker's resolver maps to
that address (the guarded client allows it for the run only). Measured: the wall
time of `checker.check_urls` over all of them with the defaults (2 per host, 16
workers, 2 retries), the peak number of requests in flight per host as the checker
sends them, and the outcomes. Nothing is written to the database.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from django.test import override_settings

from benchmarks.harness import Benchmark, Figures, Options, Result

NAME = "link_check"
DESCRIPTION = (
    "The link checker on 10,000 links over 5 hosts of a local server "
    "(< 2 minutes, at most 2 requests per host at a time)"
)
LINKS = 10_000
HOSTS = 5
MAX_MS = 120_000.0
ADDRESS = "127.0.0.2"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def _answer(self, body: bool) -> None:
        time.sleep(0.002)
        n = int(self.path.rsplit("/", 1)[-1] or 0)
        if n % 10 == 3:
            self.send_response(404)
        elif n % 20 == 7 and not body:
            self.send_response(405)
        else:
            self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:  # noqa: N802 (the standard library's name)
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def _run(options: Options) -> list[Result]:
    from lectio.core.http_guard import fetch
    from lectio.linking import checker

    server = _Server((ADDRESS, 0), _Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lock = threading.Lock()
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    def counted(url: str, **kwargs: Any) -> Any:
        host = urlsplit(url).hostname or ""
        with lock:
            in_flight[host] += 1
            peak[host] = max(peak[host], in_flight[host])
        try:
            return fetch(url, **kwargs)
        finally:
            with lock:
                in_flight[host] -= 1

    urls = [f"http://h{n % HOSTS}.links.example:{port}/page/{n}" for n in range(LINKS)]
    try:
        with override_settings(
            LECTIO_FETCH_ALLOW_ADDRESSES=[ADDRESS],
            LECTIO_FETCH_PORTS=(80, 443, port),
            LECTIO_FETCH_RATE=0,
        ):
            started = time.perf_counter()
            outcomes = checker.check_urls(
                urls,
                fetch=counted,
                fetch_kwargs={"resolve": lambda host, p: [ADDRESS]},
            )
            elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    options.log(f"  {LINKS} links in {elapsed:.1f} s")
    statuses = Counter(o.status for o in outcomes)
    extra = {
        "links": LINKS,
        "hosts": HOSTS,
        "seconds": round(elapsed, 1),
        "links_per_second": round(LINKS / elapsed, 1),
        "peak_per_host": max(peak.values()),
        "ok": statuses["ok"],
        "broken": statuses["broken"],
        "unsure": statuses["unsure"],
        "get_after_head": sum(1 for o in outcomes if o.method == "GET"),
    }
    return [
        Result(
            NAME,
            DESCRIPTION,
            "ok",
            measured=Figures.from_seconds([elapsed]),
            extra=extra,
            max_ms=MAX_MS,
        )
    ]


BENCHMARKS = [Benchmark(name=NAME, description=DESCRIPTION, run=_run, slow=True)]
