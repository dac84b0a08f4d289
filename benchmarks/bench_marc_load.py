"""`marc_load`: the MARC loader over the 250,000 Library of Congress records.

Measured: `load_marc` of the whole file (read, decode, map, compare with the
database, write records and identifiers, index them for search) into the configured
database, in a fresh process each round. Baseline: pymarc merely reading and
decoding the same file (`for record in MARCReader(file): pass`), also in a fresh
process, in the same run. Goal: at most 2.5 times the baseline, with peak memory
under 1 GB (the loader streams the file and writes in batches).

Each round loads into the same state: the records a round created (ids above the
highest id before it) are deleted afterwards, with their identifiers and index
entries. The database must not hold the LC records already (the benchmark is skipped
when it does: it would measure a rerun instead). Peak memory is each process's
maximum resident set size as the kernel counts it (the loader's main process and the
processes that read and map records for it, reported separately and summed: the
readers' figure is the larger of the two, counted twice in the total). The CPU seconds of each side (all its
processes) are reported too: on a busy machine they say what the load costs better
than the wall-clock times do.

The file (240 MB) is fetched once with pip, see `benchmarks/lc_records.py`. A round
takes one to two minutes; the number of rounds is `--repeat`, at most 3.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from benchmarks.harness import Benchmark, Figures, Options, Result, Skip
from benchmarks.lc_records import RECORD_COUNT, lc_file

NAME = "marc_load"
DESCRIPTION = "load-marc of 250,000 LC records vs pymarc reading them"
MAX_RATIO = 2.5
MAX_ROUNDS = 3
MEMORY_LIMIT_MB = 1024
READERS = 2  # the loader's reading processes (MarcOptions.readers)

BASELINE = """
import sys
from pymarc import MARCReader
count = 0
with open(sys.argv[1], "rb") as handle:
    for record in MARCReader(handle):
        count += 1
print(count)
"""

MEASURED = """
import json, resource, sys
import django
django.setup()
from lectio.catalog.loader import MarcOptions, load_marc
result = load_marc([sys.argv[1]], options=MarcOptions())
print(json.dumps({
    "counts": result.counts_dict(),
    "read": result.records_read,
    "rss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "rss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child(code: str, path: Path, cpu: list[float]) -> tuple[float, str]:
    """Runs `code` in a fresh Python; (wall seconds, last line of its output).
    Appends the CPU seconds it and its own children used to `cpu`."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "lectio.settings")
    cpu_before = _cpu_children()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    cpu.append(_cpu_children() - cpu_before)
    if done.returncode != 0:
        raise RuntimeError(f"the child process failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def _top_id() -> int:
    from lectio.catalog.models import Record

    return Record.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _delete_above(top: int) -> None:
    """Removes the records a round created (ids above `top`), with their
    identifiers, the copies their holdings fields made and their index entries."""
    from lectio.catalog import search
    from lectio.catalog.models import Item, Record, RecordIdentifier

    ids = list(
        Record.objects.filter(id__gt=top).order_by("id").values_list("id", flat=True)
    )
    qn = connection.ops.quote_name
    for start in range(0, len(ids), 20_000):
        chunk = ids[start : start + 20_000]
        low, high = chunk[0], chunk[-1]
        with transaction.atomic():
            search.delete_records(chunk)
            with connection.cursor() as cursor:
                for model in (RecordIdentifier, Item):
                    cursor.execute(
                        f"DELETE FROM {qn(model._meta.db_table)} "
                        "WHERE record_id >= %s AND record_id <= %s",
                        [low, high],
                    )
                cursor.execute(
                    f"DELETE FROM {qn(Record._meta.db_table)} "
                    "WHERE id >= %s AND id <= %s",
                    [low, high],
                )


def _already_loaded(path: Path) -> bool:
    from pymarc import MARCReader

    from lectio.catalog.models import Record

    keys = []
    with path.open("rb") as handle:
        for record in MARCReader(handle):
            if record is not None and record["001"] is not None:
                keys.append(record["001"].data.strip())
            if len(keys) >= 200:
                break
    return Record.objects.filter(control_number__in=keys).exists()


def _run(options: Options) -> list[Result]:
    path = lc_file()
    if _already_loaded(path):
        raise Skip(
            "this database already holds the LC records; run the benchmark on one "
            "without them (it measures a first load)"
        )
    rounds = max(1, min(options.repeat, MAX_ROUNDS))
    # Read the file once so both sides start with it in the page cache.
    with path.open("rb") as handle:
        while handle.read(8 * 1024 * 1024):
            pass
    base: list[float] = []
    meas: list[float] = []
    reports: list[dict[str, Any]] = []
    base_cpu: list[float] = []
    meas_cpu: list[float] = []
    for i in range(rounds):
        top = _top_id()
        order = ("baseline", "measured") if i % 2 == 0 else ("measured", "baseline")
        for side in order:
            if side == "baseline":
                seconds, out = _child(BASELINE, path, base_cpu)
                if int(out) < RECORD_COUNT * 0.99:
                    raise RuntimeError(f"pymarc read only {out} records")
                base.append(seconds)
            else:
                try:
                    seconds, out = _child(MEASURED, path, meas_cpu)
                    report = json.loads(out)
                    options.log(f"  round {i + 1}: loader {seconds:.1f} s {out}")
                finally:
                    _delete_above(top)
                meas.append(seconds)
                reports.append(report)
            cpu_used = (base_cpu if side == "baseline" else meas_cpu)[-1]
            options.log(
                f"  round {i + 1}: {side} {seconds:.1f} s wall, {cpu_used:.1f} s CPU"
            )
    measured, baseline = Figures.from_seconds(meas), Figures.from_seconds(base)
    last = reports[-1]
    rss_self = max(r["rss_self_kb"] for r in reports) / 1024
    rss_children = max(r["rss_children_kb"] for r in reports) / 1024
    # The kernel gives the largest reader's peak; counted once per reader.
    peak = rss_self + READERS * rss_children
    counts = last["counts"]
    return [
        Result(
            NAME,
            DESCRIPTION,
            "ok",
            measured=measured,
            baseline=baseline,
            baseline_label="pymarc reads and decodes the file",
            ratio=measured.median_ms / baseline.median_ms,
            max_ratio=MAX_RATIO,
            extra={
                "records": last["read"],
                "created": counts.get("created", 0),
                "rejected": counts.get("rejected", 0),
                "records_per_s": round(last["read"] / statistics.median(meas)),
                "peak_rss_loader_mb": round(rss_self),
                "peak_rss_reader_mb": round(rss_children),
                "peak_rss_total_mb": round(peak),
                "memory_ok": peak < MEMORY_LIMIT_MB,
                # CPU seconds (all processes): what the load costs whatever else
                # the machine is doing.
                "cpu_s_measured": round(statistics.median(meas_cpu), 1),
                "cpu_s_baseline": round(statistics.median(base_cpu), 1),
                "cpu_ratio": round(
                    statistics.median(meas_cpu) / statistics.median(base_cpu), 2
                ),
                "rounds": rounds,
                "database": connection.vendor,
            },
        )
    ]


BENCHMARKS = [Benchmark(name=NAME, description=DESCRIPTION, run=_run, slow=True)]
