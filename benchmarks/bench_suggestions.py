"""Suggestions of related material over a large university (generate-data --size l:
25,000 lists, 1,000,000 citations).

- `suggestions_refresh`: counting everything again for the whole institution
  (`lectio suggestions-refresh`): works, co-citations, similar records. The product
  figure: under 10 minutes.
- `suggestions_citation`: a citation's suggestions as its page loads them (GET
  /suggestions/citations/ID/, the htmx fragment) for the benchmark student, over the
  items of BENCH-300 in turn, precomputed. The product figure: under 50 ms median
  server time, with a fixed number of queries.

Run the refresh first (it is first in this file): the lookup needs its counts.
"""

from __future__ import annotations

import time
from itertools import cycle

from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from benchmarks.data import bench_list, bench_student, client_for, healthz_path
from benchmarks.harness import Benchmark, Figures, Options, Result, Skip

REFRESH_MAX_MS = 10 * 60 * 1000.0
LOOKUP_MAX_MS = 50.0


def _refresh(options: Options) -> list[Result]:
    from lectio.analytics.suggestions.refresh import refresh_all
    from lectio.lists.models import ReadingList

    name, description = "suggestions_refresh", "suggestions: whole-institution refresh"
    if ReadingList.objects.count() < 1000:
        reason = "needs generated data: run `lectio generate-data --size m` or l first"
        return [Result(name, description, "skipped", reason=reason)]
    started = time.perf_counter()
    summary = refresh_all(progress=options.log)
    took = time.perf_counter() - started
    return [
        Result(
            name,
            description,
            "ok",
            measured=Figures.from_seconds([took]),
            max_ms=REFRESH_MAX_MS,
            extra={
                **summary.as_dict(),
                "citations": _citations(),
                "database": connection.vendor,
            },
        )
    ]


def _citations() -> int:
    from lectio.lists.models import Citation

    return Citation.objects.count()


def _time(client: object, paths: list[str], repeat: int) -> Figures:
    samples = []
    get = client.get  # type: ignore[attr-defined]
    for path, _n in zip(cycle(paths), range(repeat), strict=False):
        started = time.perf_counter()
        response = get(path, HTTP_HX_REQUEST="true")
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    return Figures.from_seconds(samples)


def _lookup(options: Options) -> list[Result]:
    from lectio.analytics.suggestions.models import CoCitation

    name = "suggestions_citation"
    description = "suggestions for a citation of BENCH-300 (precomputed), in process"
    try:
        reading_list = bench_list("BENCH-300")
        student = bench_student()
        if not CoCitation.objects.exists():
            raise Skip("no suggestions counted: run `lectio bench suggestions_refresh`")
    except Skip as skip:
        return [Result(name, description, "skipped", reason=str(skip))]
    ids = list(
        reading_list.citations.filter(status="Complete")
        .order_by("id")
        .values_list("id", flat=True)[:50]
    )
    paths = [reverse("suggestions:citation", args=[pk]) for pk in ids]
    client = client_for(student)
    repeat = max(options.repeat, len(paths))
    _time(client, paths, options.warmup)
    baseline_figures = _time(client, [healthz_path()], repeat)
    measured = _time(client, paths, repeat)
    found = 0
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(paths[0], HTTP_HX_REQUEST="true")
    # A list's first lookup after a change works out its items' keys (then cached
    # per content version).
    cold = []
    for path in paths[:10]:
        cache.clear()
        started = time.perf_counter()
        client.get(path, HTTP_HX_REQUEST="true")
        cold.append(time.perf_counter() - started)
    client.force_login(student)
    for path in paths:
        if b"work-item" in client.get(path, HTTP_HX_REQUEST="true").content:
            found += 1
    client.logout()
    return [
        Result(
            name,
            description,
            "ok",
            measured=measured,
            baseline=baseline_figures,
            baseline_label="GET /healthz",
            ratio=measured.median_ms / baseline_figures.median_ms,
            max_ms=LOOKUP_MAX_MS,
            extra={
                "queries": len(executed),
                "first_lookup_of_a_list_ms": round(
                    Figures.from_seconds(cold).median_ms, 1
                ),
                "bytes": len(response.content),
                "citations_with_suggestions": f"{found} of {len(paths)}",
            },
        )
    ]


BENCHMARKS = [
    Benchmark(
        name="suggestions_refresh",
        description="suggestions: whole-institution refresh",
        run=_refresh,
        slow=True,
    ),
    Benchmark(
        name="suggestions_citation",
        description="suggestions for a citation, precomputed",
        run=_lookup,
    ),
]
