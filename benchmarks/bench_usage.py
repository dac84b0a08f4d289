"""What recording usage costs the request it belongs to: the student's view of
BENCH-300 with usage recording on and off, alternately, in this process.

The product figure: recording an event adds under 1 ms to the request (median of
the paired differences). The batch write after a response (one INSERT for
LECTIO_USAGE_BATCH events) lands in some requests' time, as in production; the mean
difference shows its share.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from benchmarks.data import (
    bench_list,
    bench_student,
    check_get,
    client_for,
    student_view_path,
)
from benchmarks.harness import Benchmark, Figures, Options, Result, Skip


def run(options: Options) -> list[Result]:
    try:
        from lectio.analytics.models import UsageEvent
        from lectio.core import usage
    except ImportError:
        raise Skip("usage recording is not there") from None
    reading_list = bench_list("BENCH-300")
    client = client_for(bench_student())
    path = student_view_path(reading_list)
    check_get(client, path)
    was = settings.LECTIO_USAGE
    last = UsageEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    on: list[float] = []
    off: list[float] = []
    clock = time.perf_counter
    try:
        for i in range(options.warmup + options.repeat):
            pair = (
                ((True, on), (False, off)) if i % 2 == 0 else ((False, off), (True, on))
            )
            for enabled, samples in pair:
                settings.LECTIO_USAGE = enabled
                started = clock()
                response = client.get(path)
                took = clock() - started
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path} answered {response.status_code}")
                if i >= options.warmup:
                    samples.append(took)
        usage.flush()
        mine = UsageEvent.objects.filter(list_id=reading_list.pk, pk__gt=last or 0)
        recorded = mine.count()
    finally:
        settings.LECTIO_USAGE = was
        usage.flush()
        # The benchmark's own events are not usage of the list.
        UsageEvent.objects.filter(list_id=reading_list.pk, pk__gt=last or 0).delete()
        client.logout()
    record_us, write_us = _record_and_write(usage, reading_list.pk)
    added = Figures.from_seconds([a - b for a, b in zip(on, off, strict=True)])
    baseline = Figures.from_seconds(off)
    return [
        Result(
            "usage_record",
            "student view of BENCH-300 with usage recording on, minus off (paired), "
            "in process",
            "ok",
            measured=added,
            baseline=baseline,
            baseline_label="the same view with recording off",
            extra={
                "events_recorded": recorded,
                "median_on_ms": round(Figures.from_seconds(on).median_ms, 3),
                "batch": settings.LECTIO_USAGE_BATCH,
                # Steadier on a busy machine than the paired page times:
                "record_call_us_median": record_us,
                "batch_write_us_per_event": write_us,
            },
            max_ms=1.0,
        )
    ]


def _record_and_write(usage: Any, list_id: int) -> tuple[float, float]:
    """record() alone (median of 2,000 calls, in microseconds) and the batch write
    per event (2,000 events in batches of 200)."""
    from lectio.analytics.models import UsageEvent

    class Request:
        user = bench_student()
        session: dict[str, Any] = {}

    request = Request()
    saved = settings.LECTIO_USAGE, settings.LECTIO_USAGE_BATCH
    settings.LECTIO_USAGE, settings.LECTIO_USAGE_BATCH = True, 10**9
    usage.flush()
    last = UsageEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    calls = []
    clock = time.perf_counter
    try:
        for _ in range(2000):
            started = clock()
            usage.record(request, "list_view", list_id=list_id)
            calls.append(clock() - started)
        writes = 0.0
        while usage.pending():
            batch = usage._buffer[200:]
            usage._buffer[:] = usage._buffer[:200]
            started = clock()
            usage.flush()
            writes += clock() - started
            usage._buffer[:] = batch
    finally:
        settings.LECTIO_USAGE, settings.LECTIO_USAGE_BATCH = saved
        UsageEvent.objects.filter(list_id=list_id, pk__gt=last or 0).delete()
    calls.sort()
    return round(calls[len(calls) // 2] * 1e6, 1), round(writes / 2000 * 1e6, 1)


BENCHMARKS: list[Any] = [
    Benchmark(
        name="usage_record",
        description="what recording a usage event adds to the request",
        run=run,
    )
]
