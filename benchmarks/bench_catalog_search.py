"""`catalog_search`: catalog search over the 250,000 Library of Congress records.

Needs a database that holds the LC records, loaded and indexed by
`lectio load-marc BooksAll.2016.part01.utf8` (see benchmarks/lc_records.py for the
file); it is skipped otherwise. Nothing is written.

Measured, as server time (the `search()` call: the queries and the ranking, facets
and the page's records; not HTTP):
- 1-3 word queries with facets: 300 queries of one, two or three consecutive words
  of titles picked at random (fixed seed) from the file's title list. Goal: median
  under 15 ms, 95th percentile under 50 ms.
- exact ISBN: 100 ISBNs of records picked at random, hyphenated as ISBN-10 where
  there is one. Goal: under 5 ms.
- recall: 1,000 titles picked at random (fixed seed) from the title list (line i is
  the i-th record of the file, the i-th record loaded); searching the title finds
  that record in the first 10 results at least 99% of the time. Titles held by more
  than one record cannot single one out: `recall_same_title` counts a result with
  the same title words as found, `recall` only the record itself.

`results_digest` is a hash of every query's first 20 record ids: it is the same on
SQLite and PostgreSQL when both hold the same records. Each query runs once to warm
the caches, then `--repeat` times (at most 3). CPU milliseconds of this process are
reported beside the wall-clock figures: on SQLite they are the whole cost, and on a
busy machine they say more than the wall clock.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from typing import Any

from django.db import connection

from benchmarks.harness import Benchmark, Figures, Options, Result, Skip
from benchmarks.lc_records import RECORD_COUNT, lc_titles

NAME = "catalog_search"
DESCRIPTION = (
    "Catalog search over the 250,000 LC records: 1-3 word queries with facets "
    "(median < 15 ms, p95 < 50 ms), exact ISBN (< 5 ms), recall of 1,000 titles "
    "in the first 10 (>= 99%)"
)
SEED = 20161
WORD_QUERIES = 300
ISBN_QUERIES = 100
RECALL_TITLES = 1000


def _p95(ms: list[float]) -> float:
    ordered = sorted(ms)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _record_ids() -> list[int]:
    from lectio.catalog.models import Record

    return list(Record.objects.order_by("id").values_list("id", flat=True))


def _word_queries(titles: list[str], rng: random.Random) -> list[str]:
    from lectio.catalog.search.base import STOP_WORDS, tokens

    out: list[str] = []
    while len(out) < WORD_QUERIES:
        words = [w for w in tokens(rng.choice(titles)) if w not in STOP_WORDS]
        if not words:
            continue
        n = rng.choice((1, 2, 3))
        start = rng.randrange(max(1, len(words) - n + 1))
        out.append(" ".join(words[start : start + n]))
    return out


def _isbn_queries(rng: random.Random) -> list[str]:
    from lectio.catalog.models import RecordIdentifier
    from lectio.core.identifiers import isbn13_to_10

    values = sorted(
        RecordIdentifier.objects.filter(kind="isbn").values_list("value", flat=True)[
            :50_000
        ]
    )
    if not values:
        return []
    out = []
    for value in rng.sample(values, min(ISBN_QUERIES, len(values))):
        ten = isbn13_to_10(value)
        out.append(f"{ten[0]}-{ten[1:4]}-{ten[4:9]}-{ten[9]}" if ten else value)
    return out


def _timed(texts: list[str], repeat: int) -> tuple[list[float], list[float], list]:
    from lectio.catalog.search import SearchQuery, search

    wall: list[float] = []
    cpu: list[float] = []
    results = []
    for text in texts:  # warm-up
        search(SearchQuery(text=text))
    for _round in range(repeat):
        for text in texts:
            c0, t0 = time.process_time(), time.perf_counter()
            result = search(SearchQuery(text=text))
            wall.append(time.perf_counter() - t0)
            cpu.append((time.process_time() - c0) * 1000)
            if _round == 0:
                results.append(result)
    return wall, cpu, results


def _run(options: Options) -> list[Result]:
    from lectio.catalog.search import SearchQuery, search
    from lectio.catalog.search.base import tokens

    ids = _record_ids()
    if len(ids) < RECORD_COUNT * 0.99:
        raise Skip(
            f"the database holds {len(ids)} records: load the LC file first "
            "(lectio load-marc BooksAll.2016.part01.utf8)"
        )
    titles = lc_titles().read_text(encoding="utf-8").splitlines()
    rng = random.Random(SEED)
    repeat = max(1, min(options.repeat, 3))

    words = _word_queries(titles, rng)
    wall, cpu, results = _timed(words, repeat)
    digest = hashlib.sha256()
    for text, result in zip(words, results, strict=True):
        digest.update(f"{text}:{[r.pk for r in result.records]}\n".encode())
    options.log(f"  word queries: median {statistics.median(wall) * 1000:.1f} ms")

    isbns = _isbn_queries(rng)
    isbn_wall, isbn_cpu, isbn_results = _timed(isbns, repeat) if isbns else ([], [], [])
    isbn_found = sum(1 for r in isbn_results if r.records)

    picks = rng.sample(range(min(len(titles), len(ids))), RECALL_TITLES)
    found = same_title = 0
    recall_ms: list[float] = []
    misses: list[str] = []
    for line in picks:
        t0 = time.perf_counter()
        result = search(SearchQuery(text=titles[line], limit=10, facets=False))
        recall_ms.append((time.perf_counter() - t0) * 1000)
        top = [r.pk for r in result.records]
        wanted = tokens(titles[line])
        if ids[line] in top:
            found += 1
            same_title += 1
        elif any(tokens(r.title) == wanted for r in result.records):
            same_title += 1
        elif len(misses) < 10:
            misses.append(titles[line][:80])
    measured = Figures.from_seconds(wall)
    wall_ms = [s * 1000 for s in wall]
    isbn_ms = [s * 1000 for s in isbn_wall]
    extra: dict[str, Any] = {
        "database": connection.vendor,
        "records": len(ids),
        "word_queries": len(words),
        "p95_ms": round(_p95(wall_ms), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(_p95(cpu), 2),
        "isbn_queries": len(isbns),
        "isbn_found": isbn_found,
        "isbn_median_ms": round(statistics.median(isbn_ms), 2) if isbn_ms else None,
        "isbn_p95_ms": round(_p95(isbn_ms), 2) if isbn_ms else None,
        "isbn_cpu_median_ms": round(statistics.median(isbn_cpu), 2)
        if isbn_cpu
        else None,
        "recall": found / RECALL_TITLES,
        "recall_same_title": same_title / RECALL_TITLES,
        "recall_query_median_ms": round(statistics.median(recall_ms), 2),
        "recall_misses": misses,
        "results_digest": digest.hexdigest()[:16],
        "rounds": repeat,
        "targets": {
            "median_under_15": measured.median_ms < 15,
            "p95_under_50": _p95(wall_ms) < 50,
            "isbn_under_5": bool(isbn_ms) and statistics.median(isbn_ms) < 5,
            "recall_99": found / RECALL_TITLES >= 0.99,
        },
    }
    return [
        Result(NAME, DESCRIPTION, "ok", measured=measured, extra=extra, max_ms=15.0)
    ]


BENCHMARKS = [Benchmark(name=NAME, description=DESCRIPTION, run=_run, slow=True)]
