"""Checking URLs politely: at most `per_host` requests to one host at a time, HEAD
first and GET when HEAD is refused or fails, retries with backoff for answers that
may pass (timeouts, 429, 5xx). No ORM: `check_urls` takes URLs and returns outcomes;
`tasks.check_links` reads the citations and records the results.

Every request goes through the guarded client (`core.http_guard.fetch`), so a URL
that points inside the institution's network is refused, never fetched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lectio.core import http_guard

# Answers that say the link is gone.
BROKEN_CODES = frozenset({400, 404, 410, 451})
# Answers worth asking again after a pause.
RETRY_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})
# HEAD answers that mean "ask with GET" (servers that do not do HEAD).
HEAD_REFUSED = frozenset({403, 405, 406, 501})
# A GET reads at most this much: the checker wants the status, not the page.
GET_BYTES = 64 * 1024


@dataclass
class Outcome:
    url: str
    status: str  # "ok", "broken" or "unsure" (LinkStatus values)
    status_code: int | None = None
    method: str = ""
    error: str = ""
    attempts: int = 0
    elapsed_ms: int = 0


Fetch = Callable[..., http_guard.FetchResult]


class HostLimits:
    """A semaphore per host, made on first use."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.BoundedSemaphore] = {}

    def __call__(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            semaphore = self._hosts.get(host)
            if semaphore is None:
                semaphore = threading.BoundedSemaphore(self.per_host)
                self._hosts[host] = semaphore
            return semaphore


def _ask(fetch: Fetch, url: str, method: str, **kwargs: Any) -> tuple[int | None, str]:
    """(status code, error): the code when the site answered."""
    try:
        result = fetch(
            url,
            method=method,
            accept=(),
            max_bytes=GET_BYTES,
            **kwargs,
        )
    except http_guard.FetchRefused as refused:
        text = str(refused)
        if "larger than" in text:
            # Refused only for its size: the site answered with content.
            return 200, ""
        return None, f"refused: {text}"
    except http_guard.FetchFailed as failed:
        return None, str(failed)
    return result.status, ""


def check_one(
    url: str,
    *,
    fetch: Fetch = http_guard.fetch,
    retries: int = 2,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    fetch_kwargs: dict[str, Any] | None = None,
) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(url=url, status="unsure")
    kwargs = fetch_kwargs or {}
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        outcome.attempts = attempt + 1
        code, error = _ask(fetch, url, "HEAD", **kwargs)
        outcome.method = "HEAD"
        if error.startswith("refused"):
            outcome.error = error[:300]
            break
        if code is None or code in HEAD_REFUSED or code in RETRY_CODES:
            code, error = _ask(fetch, url, "GET", **kwargs)
            outcome.method = "GET"
        outcome.status_code, outcome.error = code, error[:300]
        if error.startswith("refused"):
            break
        if code is not None and code not in RETRY_CODES:
            if code < 400 or code in (401, 403):
                # 401 and 403: the site is there and wants a login (licensed).
                outcome.status = "ok"
            elif code in BROKEN_CODES or 400 <= code < 500:
                outcome.status = "broken"
            break
    outcome.elapsed_ms = int((time.monotonic() - started) * 1000)
    return outcome


def check_urls(
    urls: Iterable[str],
    *,
    per_host: int = 2,
    workers: int = 16,
    retries: int = 2,
    backoff: float = 1.0,
    fetch: Fetch = http_guard.fetch,
    sleep: Callable[[float], None] = time.sleep,
    fetch_kwargs: dict[str, Any] | None = None,
) -> list[Outcome]:
    """Checks each URL once, in parallel across hosts and at most `per_host` at a
    time on any one host. Outcomes come back in the order of `urls`."""
    unique = list(dict.fromkeys(urls))
    limits = HostLimits(per_host)
    # Hosts taken in turn, so workers waiting for a busy host do not hold up the
    # others.
    by_host: dict[str, list[str]] = {}
    for url in unique:
        by_host.setdefault((urlsplit(url).hostname or "").lower(), []).append(url)
    queues = list(by_host.values())
    order = [
        q[i]
        for i in range(max(map(len, queues), default=0))
        for q in queues
        if i < len(q)
    ]

    def run(url: str) -> Outcome:
        host = (urlsplit(url).hostname or "").lower()
        with limits(host):
            return check_one(
                url,
                fetch=fetch,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
                fetch_kwargs=fetch_kwargs,
            )

    if not unique:
        return []
    size = max(1, min(workers, len(unique), per_host * len(by_host)))
    with ThreadPoolExecutor(max_workers=size) as pool:
        done = dict(zip(order, pool.map(run, order), strict=True))
    return [done[url] for url in unique]
