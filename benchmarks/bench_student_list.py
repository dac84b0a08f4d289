"""The student's reading view, rendered in this process through Django's test client.

The product figures: the view of a 300-item list serves at least a tenth of the
requests per second of a trivial view (ratio of times <= 10), and a 2,000-item list
costs at most seven times the 300-item one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.data import (
    bench_list,
    bench_student,
    check_get,
    client_for,
    healthz_path,
    student_view_path,
)
from benchmarks.harness import Benchmark


@dataclass
class Context:
    client: Client
    paths: dict[str, str]  # "healthz", "300", "2000"


def _get(context: Context, key: str) -> None:
    response = context.client.get(context.paths[key])
    if response.status_code != 200:
        raise RuntimeError(f"GET {context.paths[key]} answered {response.status_code}")


def _setup(*codes: str) -> Context:
    lists = {code: bench_list(f"BENCH-{code}") for code in codes}
    client = client_for(bench_student())
    paths = {"healthz": healthz_path()}
    paths.update({code: student_view_path(rl) for code, rl in lists.items()})
    for path in paths.values():
        check_get(client, path)
    return Context(client, paths)


def _forget_cached_bodies() -> bool:
    """Empties this process's cache of rendered list bodies, where the reading view
    has one, to count the queries of a first view."""
    try:
        from lectio.lists import reading
    except ImportError:
        return False
    forget = getattr(reading, "forget_bodies", None)
    if forget is None:
        return False
    forget()
    return True


def _details(key: str) -> Any:
    def details(context: Context) -> dict[str, Any]:
        path = context.paths[key]
        with CaptureQueriesContext(connection) as warm:
            response = context.client.get(path)
        figures = {
            "path": path,
            "queries": len(warm.captured_queries),
            "response_bytes": len(response.content),
        }
        if _forget_cached_bodies():
            with CaptureQueriesContext(connection) as cold:
                context.client.get(path)
            figures["queries_first_view"] = len(cold.captured_queries)
        return figures

    return details


def _teardown(context: Context) -> None:
    context.client.logout()  # deletes the benchmark's session row


BENCHMARKS = [
    Benchmark(
        name="student_list_300",
        description="student view of BENCH-300 (300 citations) vs GET /healthz, in process",
        setup=lambda: _setup("300"),
        measured=lambda c: _get(c, "300"),
        baseline=lambda c: _get(c, "healthz"),
        baseline_label="GET /healthz",
        max_ratio=10.0,
        details=_details("300"),
        teardown=_teardown,
    ),
    Benchmark(
        name="student_list_2000",
        description="student view of BENCH-2000 (2,000 citations) vs BENCH-300, in process",
        setup=lambda: _setup("300", "2000"),
        measured=lambda c: _get(c, "2000"),
        baseline=lambda c: _get(c, "300"),
        baseline_label="student view of BENCH-300",
        max_ratio=7.0,
        details=_details("2000"),
        teardown=_teardown,
    ),
]
