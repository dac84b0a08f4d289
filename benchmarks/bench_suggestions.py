"""Suggestions of related material over a large university (generate-data --size l:
25,000 lists, 1,000,000 citations).

- `suggestions_refresh`: counting everything again for the whole institution
  (`lectio suggestions-refresh`): works, co-citations, similar records. The product
  figure: under 10 minutes.
- `suggestions_citation`: a citation's suggestions as its page loads them (GET
  /suggestions/citations/ID/, the htmx fragment) for the benchmark student, over the
  items of BENCH-300 in turn, precomputed. The product figure: under 50 ms median
  server time, with a fixed number of queries.
- `suggestions_pending`: the background job after a typical change (`lectio
  suggestions-refresh --pending`): an item added to a published list of a few dozen
  items (a title other lists cite), then the job; the item removed, then the job
  again. Timed: the job alone.
- `suggestions_similar`: the background job after a catalog load (`lectio
  suggestions-refresh --similar`): the similar records counted again and nothing
  else, against the whole-institution refresh, the two run in turn (`--repeat`
  rounds, at most 3; slow). It needs a catalog: `lectio load-marc` of the LC records
  (`benchmarks/lc_records.py`), beside the generated lists.

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
SIMILAR_ROUNDS = 3


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


def _pending(options: Options) -> list[Result]:
    from django.db.models import Count

    from lectio.analytics.suggestions.models import CoCitation
    from lectio.analytics.suggestions.refresh import refresh_pending
    from lectio.lists import services
    from lectio.lists.models import Citation, ReadingList
    from lectio.lists.statuses import PublicationStatus

    name = "suggestions_pending"
    description = (
        "suggestions: the job after one item is added to or removed from a list"
    )
    if not CoCitation.objects.exists():
        reason = "no suggestions counted: run `lectio bench suggestions_refresh`"
        return [Result(name, description, "skipped", reason=reason)]
    # A published list of typical length, and a title other lists cite that it
    # does not.
    target = (
        ReadingList.objects.filter(publication_status=PublicationStatus.PUBLISHED)
        .annotate(n=Count("citations"))
        .filter(n__gte=20, n__lte=60)
        .order_by("id")
        .first()
    )
    if target is None:
        reason = "no published list of 20 to 60 items"
        return [Result(name, description, "skipped", reason=reason)]
    donor = (
        Citation.objects.filter(
            reading_list__publication_status=PublicationStatus.PUBLISHED,
            status="Complete",
        )
        .exclude(reading_list=target)
        .order_by("id")
        .first()
    )
    assert donor is not None
    actor = target.created_by or donor.created_by
    if actor is None:
        reason = "the list has no creator to act as"
        return [Result(name, description, "skipped", reason=reason)]
    refresh_pending()  # whatever was pending before, untimed
    added_s: list[float] = []
    removed_s: list[float] = []
    moved = 0
    for _n in range(max(3, options.repeat // 3)):
        citation = services.citation_add(
            actor=actor,
            reading_list=target,
            material_type=donor.material_type,
            metadata=dict(donor.metadata),
            status="Complete",
        )
        started = time.perf_counter()
        summary = refresh_pending()
        added_s.append(time.perf_counter() - started)
        moved = summary.cocitations
        services.citation_delete(actor=actor, citation=citation)
        started = time.perf_counter()
        refresh_pending()
        removed_s.append(time.perf_counter() - started)
    measured = Figures.from_seconds(added_s + removed_s)
    return [
        Result(
            name,
            description,
            "ok",
            measured=measured,
            extra={
                "list_items": target.citations.count(),
                "added_median_ms": round(Figures.from_seconds(added_s).median_ms, 1),
                "removed_median_ms": round(
                    Figures.from_seconds(removed_s).median_ms, 1
                ),
                "cocitations_counted": moved,
                "database": connection.vendor,
            },
        )
    ]


def _similar(options: Options) -> list[Result]:
    from lectio.analytics.suggestions.refresh import refresh_all, refresh_similar
    from lectio.catalog.models import Record

    name = "suggestions_similar"
    description = "suggestions: the job after a catalog load vs the full refresh"
    records = Record.objects.count()
    if records < 10_000:
        reason = "needs a catalog: `lectio load-marc` the LC records first"
        return [Result(name, description, "skipped", reason=reason)]
    similar_s: list[float] = []
    all_s: list[float] = []
    found = 0
    for _n in range(max(1, min(options.repeat, SIMILAR_ROUNDS))):
        started = time.perf_counter()
        found = refresh_similar(progress=options.log).similar
        similar_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        refresh_all(progress=options.log)
        all_s.append(time.perf_counter() - started)
    measured = Figures.from_seconds(similar_s)
    baseline = Figures.from_seconds(all_s)
    return [
        Result(
            name,
            description,
            "ok",
            measured=measured,
            baseline=baseline,
            baseline_label="lectio suggestions-refresh (everything)",
            ratio=measured.median_ms / baseline.median_ms,
            extra={
                "records": records,
                "similar": found,
                "citations": _citations(),
                "database": connection.vendor,
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
    Benchmark(
        name="suggestions_pending",
        description="suggestions: the job after a typical list change",
        run=_pending,
    ),
    Benchmark(
        name="suggestions_similar",
        description="suggestions: the job after a catalog load vs the full refresh",
        run=_similar,
        slow=True,
    ),
]
