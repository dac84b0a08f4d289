"""The librarian's task list over a large university (generate-data --size l: 25,000
lists, 1,000,000 citations): the first page of every tab and of every single filter,
rendered in this process through Django's test client.

The product figure: under 100 ms median server time each, with a fixed number of
queries, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.data import client_for, healthz_path
from benchmarks.harness import Benchmark, Figures, Options, Result, Skip

MAX_MS = 100.0


def _cases() -> list[tuple[str, dict[str, str]]]:
    from lectio.courses.models import Course, Department, Term

    dept = Department.objects.order_by("pk").first()
    term = Term.objects.order_by("pk").first()
    course = Course.objects.order_by("pk").first()
    cases: list[tuple[str, dict[str, str]]] = [
        (f"tab={tab}", {"tab": tab}) for tab in ("all", "mine", "unassigned", "others")
    ]
    cases += [
        ("status=Complete", {"status": "Complete"}),
        ("publication=Published", {"publication_status": "Published"}),
        ("has_alerts", {"has_alerts": "on"}),
        ("open_request=digitization", {"open_request": "digitization"}),
        ("submit_by", {"submit_by": "2027-01-31"}),
        ("sort=name", {"sort": "name"}),
        ("sort=-sent", {"sort": "-sent"}),
    ]
    if dept:
        cases.append(("processing_department", {"processing_department": str(dept.pk)}))
        cases.append(("academic_department", {"academic_department": str(dept.pk)}))
    if term:
        cases.append(("term", {"term": str(term.pk)}))
    if course:
        cases.append(("course", {"course": course.code[:4]}))
        cases.append(("q=course code", {"q": course.code}))
    cases.append(("q=word", {"q": "history"}))
    return cases


@dataclass
class Context:
    client: Client
    url: str


def _setup() -> Context:
    from lectio.accounts.models import User
    from lectio.lists.models import ReadingList

    if ReadingList.objects.count() < 1000:
        raise Skip("needs generated data: run `lectio generate-data --size l` first")
    librarian = User.objects.filter(role="librarian").order_by("pk").first()
    if librarian is None:
        raise Skip("no librarian in the database")
    return Context(client_for(librarian), reverse("workflow:tasks"))


def _time(client: Client, path: str, repeat: int, warmup: int) -> Figures:
    import time

    for _ in range(warmup):
        client.get(path)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    return Figures.from_seconds(samples)


def _run(options: Options) -> list[Result]:
    try:
        context = _setup()
    except Skip as skip:
        return [Result("task_list", "librarian task list", "skipped", reason=str(skip))]
    repeat = max(5, options.repeat // 3)
    baseline = _time(context.client, healthz_path(), repeat, options.warmup)
    results = []
    for label, params in _cases():
        path = f"{context.url}?{urlencode(params)}"
        measured = _time(context.client, path, repeat, min(options.warmup, 3))
        with CaptureQueriesContext(connection) as queries:
            response = context.client.get(path)
        results.append(
            Result(
                f"task_list[{label}]",
                f"task list, first page, {label}",
                "ok",
                measured=measured,
                baseline=baseline,
                baseline_label="GET /healthz",
                ratio=measured.median_ms / baseline.median_ms,
                max_ms=MAX_MS,
                extra={
                    "queries": len(queries.captured_queries),
                    "bytes": len(response.content),
                },
            )
        )
    context.client.logout()
    return results


BENCHMARKS = [
    Benchmark(
        name="task_list",
        description="librarian task list: first page of each tab and filter",
        run=_run,
        slow=True,
    )
]
