"""The library's reports and a list's Usage page over a large university with a
term of use: `lectio generate-data` (size `l` for the product figure: 25,000 lists,
1,000,000 citations) plus 10 million generated usage events, rolled up.

The usage is written straight as the daily counts `roll_up` would have made of
those events (DailyUsage, DailyReach, RolledUpDay: the same rows, columns and
grouping), since 10 million raw events through the ORM and the roll-up would take
hours here; the different students behind each count are those that many events
drawn at random from the list's students would have. Events per list follow its
students and a popularity drawn once; opens of a list's items are skewed (the
first items and a few favourites take most). It is made once, for 10 million
events at 25,000 lists and in proportion for smaller data sets
(`LECTIO_BENCH_USAGE_EVENTS` sets the number), and kept; a run on a database that
has them already reuses them. Completed purchases and digitizations with costs
are added once too (generated data has no requests).

Measured in this process through Django's test client, as a librarian: every
report without filters and for one term; and the Usage page of the list with the
most use, as its instructor. The product figure: under 300 ms median each.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks.data import client_for
from benchmarks.harness import Benchmark, Figures, Options, Result, Skip

MAX_MS = 300.0
FULL_EVENTS = 10_000_000
FULL_LISTS = 25_000
DAYS = 112  # sixteen weeks of term, up to yesterday
MARK = "bench-reports"  # the kind of link of one DailyReach row: usage made


def _events_wanted(lists: int) -> int:
    configured = os.environ.get("LECTIO_BENCH_USAGE_EVENTS")
    if configured:
        return int(configured)
    return max(100_000, round(FULL_EVENTS * lists / FULL_LISTS))


def _people(events: int, students: int) -> int:
    """Different students behind `events` events drawn at random among
    `students`: the expected number, rounded."""
    if students <= 0 or events <= 0:
        return 0
    return max(1, min(events, round(students * (1 - (1 - 1 / students) ** events))))


def make_usage(events_wanted: int, *, seed: int = 9, log: Any = print) -> int:
    """Daily counts of `events_wanted` student events over the published lists,
    written in bulk. Returns the number of events they stand for."""
    from lectio.analytics.models import DailyReach, DailyUsage, RolledUpDay, Scope
    from lectio.core.generate import BulkWriter, GenerateReport, _d
    from lectio.courses.models import CourseRole, Enrolment
    from lectio.lists.models import Citation, ReadingList
    from lectio.lists.statuses import CitationStatus, PublicationStatus

    rng = random.Random(seed)
    started = time.perf_counter()
    lists = list(
        ReadingList.objects.filter(
            publication_status=PublicationStatus.PUBLISHED
        ).values_list("pk", flat=True)
    )
    if not lists:
        raise Skip("no published lists: run `lectio generate-data` first")
    enrolled: Counter[int] = Counter()
    list_of_course: dict[int, list[int]] = defaultdict(list)
    for list_id, course_id in ReadingList.courses.through.objects.filter(
        readinglist_id__in=lists
    ).values_list("readinglist_id", "course_id"):
        list_of_course[course_id].append(list_id)
    for course_id, n in (
        Enrolment.objects.filter(role=CourseRole.STUDENT)
        .values_list("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    ):
        for list_id in list_of_course.get(course_id, []):
            enrolled[list_id] += n
    items: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, list_id, section_id in (
        Citation.objects.filter(
            status=CitationStatus.COMPLETE, reading_list_id__in=lists
        )
        .order_by("reading_list_id", "section__position", "position", "id")
        .values_list("pk", "reading_list_id", "section_id")
        .iterator(chunk_size=20_000)
    ):
        items[list_id].append((pk, section_id))
    active = [pk for pk in lists if items.get(pk) and enrolled.get(pk)]
    if not active:
        raise Skip("no published list with students and items")
    weight = {pk: enrolled[pk] * rng.lognormvariate(0, 1) for pk in active}
    total_weight = sum(weight.values())
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=DAYS - i) for i in range(DAYS)]
    # Weekdays busier than weekends; the first weeks of term busier than the rest.
    day_weight = [
        (0.4 if d.weekday() >= 5 else 1.0) * (1.4 - 0.6 * i / DAYS)
        for i, d in enumerate(days)
    ]
    day_total = sum(day_weight)
    log(
        f"  usage: {events_wanted:,} events over {len(active):,} lists and "
        f"{DAYS} days ({time.perf_counter() - started:.1f} s to read the lists)"
    )
    report = GenerateReport(run=0, scale=0, vendor=connection.vendor)
    writer = BulkWriter(report, sys.stderr, batch_size=20_000)
    usage_rows: list[tuple] = []
    reach_rows: list[tuple] = []
    made = 0
    counts = {"usage": 0, "reach": 0}

    def flush(final: bool = False) -> None:
        if len(usage_rows) >= 200_000 or (final and usage_rows):
            counts["usage"] += writer.write(
                DailyUsage,
                (
                    "day",
                    "kind",
                    "role",
                    "channel",
                    "list_id",
                    "section_id",
                    "citation_id",
                    "events",
                    "people",
                ),
                usage_rows,
            )
            usage_rows.clear()
        if len(reach_rows) >= 200_000 or (final and reach_rows):
            counts["reach"] += writer.write(
                DailyReach,
                (
                    "day",
                    "scope",
                    "kind",
                    "role",
                    "list_id",
                    "section_id",
                    "detail",
                    "events",
                    "people",
                ),
                reach_rows,
            )
            reach_rows.clear()

    links = ("details", "find_it", "full_text", "file")
    for list_id in active:
        students = enrolled[list_id]
        list_items = items[list_id]
        # Opens favour the first items and a few favourites.
        item_weights = [
            (1 / (1 + i) ** 0.8) * (4 if rng.random() < 0.05 else 1)
            for i in range(len(list_items))
        ]
        cumulative = []
        running = 0.0
        for w in item_weights:
            running += w
            cumulative.append(running)
        list_events = events_wanted * weight[list_id] / total_weight
        for day, dw in zip(days, day_weight, strict=True):
            expected = list_events * dw / day_total
            n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            if n <= 0:
                continue
            made += n
            d = _d(day)
            views = max(1, round(n * 0.4))
            opens = n - views
            by_channel = {
                "direct": round(views * 0.7),
                "lms": views - round(views * 0.7),
            }
            for channel, v in by_channel.items():
                if v:
                    usage_rows.append(
                        (
                            d,
                            "list_view",
                            "student",
                            channel,
                            list_id,
                            None,
                            None,
                            v,
                            _people(v, students),
                        )
                    )
            reach_rows.append(
                (
                    d,
                    Scope.LIST,
                    "list_view",
                    "student",
                    list_id,
                    None,
                    "",
                    views,
                    _people(views, students),
                )
            )
            if opens <= 0:
                continue
            picks = Counter(
                rng.choices(range(len(list_items)), cum_weights=cumulative, k=opens)
            )
            by_section: Counter[int] = Counter()
            for index, k in picks.items():
                citation_id, section_id = list_items[index]
                by_section[section_id] += k
                direct = round(k * 0.7)
                for channel, c in (("direct", direct), ("lms", k - direct)):
                    if c:
                        usage_rows.append(
                            (
                                d,
                                "citation_open",
                                "student",
                                channel,
                                list_id,
                                section_id,
                                citation_id,
                                c,
                                _people(c, students),
                            )
                        )
            reach_rows.append(
                (
                    d,
                    Scope.LIST,
                    "citation_open",
                    "student",
                    list_id,
                    None,
                    "",
                    opens,
                    _people(opens, students),
                )
            )
            for section_id, k in by_section.items():
                reach_rows.append(
                    (
                        d,
                        Scope.SECTION,
                        "citation_open",
                        "student",
                        list_id,
                        section_id,
                        "",
                        k,
                        _people(k, students),
                    )
                )
            share = [0.45, 0.3, 0.2, 0.05]
            left = opens
            for i, detail in enumerate(links):
                k = left if i == len(links) - 1 else round(opens * share[i])
                k = min(k, left)
                left -= k
                if k:
                    reach_rows.append(
                        (
                            d,
                            Scope.LINK,
                            "citation_open",
                            "student",
                            list_id,
                            None,
                            detail,
                            k,
                            _people(k, students),
                        )
                    )
        flush()
    flush(final=True)
    RolledUpDay.objects.bulk_create(
        [RolledUpDay(day=day) for day in days], ignore_conflicts=True
    )
    # The mark: the next run reuses what was made.
    DailyReach.objects.create(
        day=days[0],
        scope=Scope.LINK,
        kind="bench",
        role="bench",
        list_id=0,
        detail=MARK,
        events=made,
        people=0,
    )
    _term_totals(days, log)
    _analyze()
    log(
        f"  usage: {made:,} events as {counts['usage']:,} DailyUsage and "
        f"{counts['reach']:,} DailyReach rows in {time.perf_counter() - started:.1f} s"
    )
    return made


def make_requests(n: int, *, seed: int = 10) -> int:
    """Done purchases and digitizations with a cost, on the most used lists' items."""
    from lectio.lists.models import Citation
    from lectio.workflow.models import ProcessingRequest, RequestKind, RequestState

    rng = random.Random(seed)
    citations = list(
        Citation.objects.filter(
            status="Complete", reading_list__publication_status="Published"
        )
        .order_by("id")
        .values_list("pk", "reading_list_id")[: n * 3]
    )
    if not citations:
        return 0
    chosen = rng.sample(citations, min(n, len(citations)))
    now = timezone.now()
    rows = []
    for i, (citation_id, list_id) in enumerate(chosen):
        purchase = i % 3 != 0
        rows.append(
            ProcessingRequest(
                citation_id=citation_id,
                reading_list_id=list_id,
                kind=RequestKind.PURCHASE if purchase else RequestKind.DIGITIZATION,
                state=RequestState.DONE,
                copies=rng.randint(1, 6) if purchase else None,
                page_ranges=""
                if purchase
                else f"{rng.randint(1, 50)}-{rng.randint(51, 90)}",
                cost=Decimal(rng.randint(500, 15000)) / 100
                if rng.random() < 0.8
                else None,
                closed_at=now - datetime.timedelta(days=rng.randint(1, DAYS)),
            )
        )
    ProcessingRequest.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _term_totals(days: list[datetime.date], log: Any) -> None:
    """The per-term, weekly and per-span item totals, as the roll-up rebuilds
    them."""
    from lectio.analytics.recording import (
        span_use_rebuild,
        term_use_rebuild,
        terms_of_days,
        week_use_rebuild,
        weeks_of_days,
    )

    started = time.perf_counter()
    rows = term_use_rebuild(terms_of_days(days))
    log(f"  term totals: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = week_use_rebuild(weeks_of_days(days))
    log(f"  weekly totals: {rows:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rows = span_use_rebuild(weeks_of_days(days))
    log(f"  spans of weeks: {rows:,} rows in {time.perf_counter() - started:.1f} s")


def _analyze() -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map that lets
    it read the usage tables' indexes alone, as autovacuum leaves them in use."""
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )


def _made() -> int | None:
    from lectio.analytics.models import DailyReach

    row = DailyReach.objects.filter(kind="bench", detail=MARK).first()
    return row.events if row else None


def _time(client: Any, path: str, repeat: int, warmup: int) -> tuple[Figures, int, int]:
    for _ in range(warmup):
        client.get(path)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return (
        Figures.from_seconds(samples),
        len(queries.captured_queries),
        len(response.content),
    )


def _time_call(call: Any, repeat: int, warmup: int) -> Figures:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return Figures.from_seconds(samples)


def _run(options: Options) -> list[Result]:
    from lectio.accounts.models import User
    from lectio.analytics import library
    from lectio.analytics.models import DailyReach
    from lectio.courses.models import Term
    from lectio.lists.models import ReadingList

    lists = ReadingList.objects.count()
    if lists < 1000:
        return [
            Result(
                "reports",
                "library reports",
                "skipped",
                reason="needs generated data: run `lectio generate-data --size l` first",
            )
        ]
    librarian = User.objects.filter(role="librarian").order_by("pk").first()
    if librarian is None:
        return [Result("reports", "library reports", "skipped", reason="no librarian")]
    events = _made()
    if events is None:
        options.log("Making the usage data (once; kept for later runs)...")
        events = make_usage(_events_wanted(lists), log=options.log)
        made = make_requests(max(200, lists // 5))
        options.log(f"  requests: {made:,} done purchases and digitizations")
    from lectio.analytics.models import RolledUpDay, TermItemUse, WeekItemUse

    if not TermItemUse.objects.exists() or not WeekItemUse.objects.exists():
        # Usage made before the totals existed.
        _term_totals(
            list(RolledUpDay.objects.values_list("day", flat=True)), options.log
        )
        _analyze()
    # The term whose dates hold today (else the latest).
    today = timezone.localdate()
    term = (
        Term.objects.filter(start_date__lte=today, end_date__gte=today)
        .order_by("pk")
        .first()
        or Term.objects.order_by("-start_date").first()
    )
    from lectio.analytics.models import ReportSnapshot

    # The pages of slow reports show snapshots: the warm-up makes them afresh.
    ReportSnapshot.objects.all().delete()
    client = client_for(librarian)
    repeat = max(5, options.repeat // 3)
    warmup = min(options.warmup, 2)
    results = []
    cases: list[tuple[str, dict[str, str]]] = [("all", {})]
    if term:
        cases.append((f"term={term.code}", {"term": term.code}))
    # The use reports with dates instead of a term: the last four weeks; a month
    # from a Tuesday to a Saturday (the most days around its whole weeks, which
    # are read from the daily counts); and the term's days so far.
    yesterday = today - datetime.timedelta(days=1)
    saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7 or 7)
    ranges = [
        (yesterday - datetime.timedelta(days=27), yesterday),
        (saturday - datetime.timedelta(days=32), saturday),
    ]
    if term and term.start_date:
        ranges.append((term.start_date, today))
    dated = {"item-use", "cost-per-use"}
    for name in library.REPORTS:
        these = list(cases)
        if name in dated:
            these += [
                (
                    f"from={a.isoformat()},to={b.isoformat()}",
                    {"from": a.isoformat(), "to": b.isoformat()},
                )
                for a, b in ranges
            ]
        for label, params in these:
            path = reverse("analytics:report", args=[name])
            if params:
                path += "?" + urlencode(params)
            figures, queries, size = _time(client, path, repeat, warmup)
            snapshot = library.REPORTS[name].snapshots
            results.append(
                Result(
                    f"reports[{name},{label}]",
                    f"library report {name}, {label}"
                    + (
                        " (the page: rows counted up to 5 minutes ago)"
                        if snapshot
                        else ""
                    ),
                    "ok",
                    measured=figures,
                    max_ms=MAX_MS,
                    extra={"queries": queries, "bytes": size, "events": events},
                )
            )
            if snapshot:
                # What the background recount (and a first view of a scope, and
                # the downloads) take: counting on the spot.
                filters = library.parse_filters(params)
                counted = _time_call(
                    lambda f=filters, n=name: library.run(n, f), repeat, warmup
                )
                results.append(
                    Result(
                        f"reports[{name},{label},counted now]",
                        f"library report {name}, {label}, counted on the spot",
                        "ok",
                        measured=counted,
                        extra={"events": events},
                    )
                )
    client.logout()
    busiest = (
        DailyReach.objects.filter(scope="list", kind="list_view")
        .values("list_id")
        .annotate(n=Sum("events"))
        .order_by("-n")
        .values_list("list_id", flat=True)
        .first()
    )
    reading_list = ReadingList.objects.filter(pk=busiest).first() if busiest else None
    owner = reading_list.created_by if reading_list else None
    if reading_list is not None and owner is not None:
        client = client_for(owner)
        path = reverse("analytics:list_usage", args=[reading_list.pk])
        figures, queries, size = _time(client, path, repeat, warmup)
        results.append(
            Result(
                "reports[list_usage]",
                f"a list's Usage page (the busiest, {reading_list.citations.count()} items)",
                "ok",
                measured=figures,
                max_ms=MAX_MS,
                extra={"queries": queries, "bytes": size, "list_id": reading_list.pk},
            )
        )
        client.logout()
    return results


BENCHMARKS = [
    Benchmark(
        name="reports",
        description="library reports and a list's Usage page, with 10 million events",
        run=_run,
        slow=True,
    )
]
