"""Rollover of 5,000 lists with about 200,000 citations (issue figure: under 10 s),
on the data of `lectio generate-data --size l` (25,000 lists, 1,000,000 citations).

Setup picks the generated courses, in id order, until their lists number 5,000, and
gives each a course in a term of its own (BENCH-ROLL; code kept, section suffixed
-RB; made once and kept for the next run). Each round rolls those courses over with
`lectio.lists.rollover.rollover_courses` (the code path of the loader, the job and
the command) inside a transaction that is then rolled back, so every round copies
the same rows onto an unchanged database. The rollback is outside the timed part and
reported beside it (`rollback_ms`).

Baseline, in the same run: a bare `INSERT ... SELECT` of the same citation rows into
a scratch table with no index, also rolled back: the database's own copying speed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction

from benchmarks.harness import Benchmark, Figures, Options, Result, Skip

LISTS = 5000
SCRATCH = "bench_rollover_scratch"
SELECTED = "bench_rollover_lists"
TARGET_TERM = "BENCH-ROLL"
MAX_MS = 10_000.0


@dataclass
class Context:
    pairs: list[tuple[int, int]]
    lists: int
    citations: int


def _setup() -> Context:
    from lectio.courses.models import Course, Term
    from lectio.lists.models import Citation, ReadingList

    if ReadingList.objects.count() < 10_000:
        raise Skip("needs generated data: run `lectio generate-data --size l` first")
    through = ReadingList.courses.through
    chosen: list[int] = []
    lists: set[int] = set()
    for course_id, list_id in (
        through.objects.exclude(course__terms__code=TARGET_TERM)
        .exclude(readinglist__rolled_from__isnull=False)
        .order_by("course_id", "readinglist_id")
        .values_list("course_id", "readinglist_id")
        .iterator(chunk_size=5000)
    ):
        if len(lists) >= LISTS and course_id != chosen[-1]:
            break
        if not chosen or chosen[-1] != course_id:
            chosen.append(course_id)
        lists.add(list_id)
    # Lists that serve a chosen course and another one are rolled over too.
    lists = set(
        through.objects.filter(course_id__in=chosen).values_list(
            "readinglist_id", flat=True
        )
    )
    term, _created = Term.objects.get_or_create(
        code=TARGET_TERM, defaults={"name": "Rollover benchmark term"}
    )
    olds = {c.pk: c for c in Course.objects.filter(pk__in=chosen)}
    wanted = {(olds[pk].code, f"{olds[pk].section}-RB"): pk for pk in chosen}
    existing = {
        (c.code, c.section): c.pk
        for c in Course.objects.filter(terms=term).only("code", "section")
    }
    missing = [key for key in wanted if key not in existing]
    with transaction.atomic():
        made = Course.objects.bulk_create(
            [
                Course(
                    code=code,
                    section=section,
                    name=olds[wanted[(code, section)]].name,
                    processing_department_id=olds[
                        wanted[(code, section)]
                    ].processing_department_id,
                )
                for code, section in missing
            ],
            batch_size=2000,
        )
        Course.terms.through.objects.bulk_create(
            [Course.terms.through(course_id=c.pk, term_id=term.pk) for c in made],
            batch_size=2000,
        )
    existing.update({(c.code, c.section): c.pk for c in made})
    pairs = [(old, existing[key]) for key, old in wanted.items()]
    q = connection.ops.quote_name
    citation_table = q(Citation._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cur.execute(f"DROP TABLE IF EXISTS {SELECTED}")
        cur.execute(
            f"CREATE TABLE {SCRATCH} AS SELECT * FROM {citation_table} WHERE 1 = 0"
        )
        cur.execute(f"CREATE TABLE {SELECTED} (id bigint PRIMARY KEY)")
        cur.executemany(
            f"INSERT INTO {SELECTED} (id) VALUES (%s)", [(pk,) for pk in sorted(lists)]
        )
        cur.execute(f"ANALYZE {SELECTED}")
    citations = Citation.objects.filter(reading_list_id__in=lists).count()
    return Context(pairs=pairs, lists=len(lists), citations=citations)


def _teardown() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cur.execute(f"DROP TABLE IF EXISTS {SELECTED}")


def _rolled_back(work: object) -> tuple[float, float, object]:
    """Runs `work()` in a transaction that is rolled back: (seconds of the work,
    seconds of the rollback, its result)."""
    clock = time.perf_counter
    started = clock()
    with transaction.atomic():
        result = work()  # type: ignore[operator]
        elapsed = clock() - started
        transaction.set_rollback(True)
        rollback_from = clock()
    return elapsed, clock() - rollback_from, result


def _rollover(context: Context) -> object:
    from lectio.lists.rollover import rollover_courses

    report = rollover_courses(context.pairs)
    if report.created != context.lists or report.citations != context.citations:
        raise RuntimeError(
            f"rolled over {report.created} lists, {report.citations} citations; "
            f"expected {context.lists}, {context.citations}"
        )
    return report


def _bare_copy(context: Context) -> object:
    from lectio.lists.models import Citation

    table = connection.ops.quote_name(Citation._meta.db_table)
    # The selection drives the join on both sides (SQLite: CROSS JOIN fixes the order).
    join = "JOIN" if connection.vendor == "postgresql" else "CROSS JOIN"
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {SCRATCH} SELECT c.* FROM {SELECTED} s {join} {table} c "
            "ON c.reading_list_id = s.id"
        )
        if cur.rowcount != context.citations:
            raise RuntimeError(f"copied {cur.rowcount} rows")
    return None


def _run(options: Options) -> list[Result]:
    name, description = "rollover", "rollover of 5,000 lists (about 200,000 citations)"
    try:
        context = _setup()
    except Skip as skip:
        return [Result(name, description, "skipped", reason=str(skip))]
    repeat = max(3, options.repeat // 6)
    measured: list[float] = []
    baseline: list[float] = []
    rollbacks: list[float] = []
    try:
        for _ in range(min(options.warmup, 1)):
            _rolled_back(lambda: _bare_copy(context))
            _rolled_back(lambda: _rollover(context))
        for i in range(repeat):
            sides = [("base", _bare_copy), ("meas", _rollover)]
            for side, func in sides if i % 2 == 0 else reversed(sides):
                elapsed, rollback, _ = _rolled_back(lambda f=func: f(context))
                if side == "base":
                    baseline.append(elapsed)
                else:
                    measured.append(elapsed)
                    rollbacks.append(rollback)
                options.log(f"  round {i + 1} {side}: {elapsed * 1000:.0f} ms")
    finally:
        _teardown()
    meas, base = Figures.from_seconds(measured), Figures.from_seconds(baseline)
    rolled = Figures.from_seconds(rollbacks)
    return [
        Result(
            name,
            description,
            "ok",
            measured=meas,
            baseline=base,
            baseline_label="bare INSERT ... SELECT of the same citation rows",
            ratio=meas.median_ms / base.median_ms if base.median_ms else None,
            max_ms=MAX_MS,
            extra={
                "lists": context.lists,
                "citations": context.citations,
                "courses": len(context.pairs),
                "lists_per_s": round(context.lists / (meas.median_ms / 1000)),
                "citations_per_s": round(context.citations / (meas.median_ms / 1000)),
                "baseline_rows_per_s": round(
                    context.citations / (base.median_ms / 1000)
                ),
                "rollback_ms": round(rolled.median_ms),
            },
        )
    ]


BENCHMARKS = [
    Benchmark(
        name="rollover",
        description="rollover of 5,000 lists with about 200,000 citations",
        run=_run,
        slow=True,
    )
]
