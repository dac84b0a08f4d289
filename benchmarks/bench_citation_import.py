"""Import of a 5,000-entry RIS file into a list section, end to end (issue figure:
under 10 s): the file kept for the person (`pending_import_create`), the preview
read from it (`pending_preview`: parse, what each entry becomes, duplicates against
the section), and the confirmation (`pending_import_confirm`: the file read again,
every entry added through `citation_add_many` in one transaction, one event). Each round
runs in a transaction that is rolled back afterwards (outside the timed part), so
every round imports into the same empty section.

Baseline, in the same run: reading the same file alone (`formats.parse_bytes`), so
the report says what the import costs beyond parsing.

The file is generated here (books, chapters, articles, web pages; every 50th entry
repeats an earlier one, so the preview has duplicates to flag). More than 200
entries are formatted in the background afterwards (`imports.RENDER_INLINE_UP_TO`):
that work is not part of the import and not timed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from benchmarks.harness import Benchmark, Figures, Options, Result

ENTRIES = 5000
MAX_MS = 10_000.0
LIST_CODE = "BENCH-IMPORT"
USERNAME = "bench-importer"


def ris_file(entries: int = ENTRIES) -> bytes:
    kinds = ("BOOK", "CHAP", "JOUR", "ELEC")
    lines: list[str] = []
    for n in range(entries):
        seed = n - 37 if n % 50 == 49 else n  # a repeat of an earlier entry
        kind = kinds[seed % len(kinds)]
        lines += [
            f"TY  - {kind}",
            f"AU  - Author{seed % 997}, Given{seed % 13}",
            f"AU  - Second{seed % 89}, Other",
            f"TI  - A study of subject {seed} in {seed % 17} parts",
            f"PY  - {1950 + seed % 70}",
        ]
        if kind == "JOUR":
            lines += [
                f"T2  - Journal of Topic {seed % 40}",
                f"VL  - {seed % 60}",
                f"IS  - {seed % 4 + 1}",
                f"SP  - {seed % 300 + 1}",
                f"EP  - {seed % 300 + 20}",
                f"DO  - 10.5555/bench.{seed}",
            ]
        elif kind in ("BOOK", "CHAP"):
            lines += [f"PB  - Press {seed % 30}", "CY  - London"]
            if kind == "CHAP":
                lines += [
                    f"T2  - Collected Essays {seed % 200}",
                    "SP  - 10",
                    "EP  - 30",
                ]
        else:
            lines += [f"UR  - https://example.org/page/{seed}"]
        lines += ["ER  - ", ""]
    return "\n".join(lines).encode("utf-8")


@dataclass
class Context:
    data: bytes
    user: Any
    reading_list: Any
    section: Any


def _setup() -> Context:
    from lectio.accounts.models import Role, User
    from lectio.lists import services
    from lectio.lists.models import ReadingList

    user, _created = User.objects.get_or_create(
        username=USERNAME, defaults={"role": Role.INSTRUCTOR}
    )
    reading_list = ReadingList.objects.filter(code=LIST_CODE).first()
    if reading_list is None:
        reading_list = services.reading_list_create(
            actor=user, name="Import benchmark", code=LIST_CODE
        )
    section = reading_list.sections.get(is_default=True)
    if section.citations.exists():
        raise RuntimeError(f"{LIST_CODE} has citations; delete the list first")
    return Context(ris_file(), user, reading_list, section)


def _import(context: Context) -> tuple[int, int, int]:
    from lectio.citations import imports

    pending = imports.pending_import_create(
        actor=context.user,
        reading_list=context.reading_list,
        section=context.section,
        data=context.data,
        file_name="bench.ris",
    )
    preview = imports.pending_preview(pending)
    chosen = {e.number for e in preview.entries if e.checked}
    outcome = imports.pending_import_confirm(
        actor=context.user, pending=pending, chosen=chosen
    )
    return len(preview.entries), preview.duplicate_count, len(outcome.added)


def _rolled_back(context: Context) -> tuple[float, tuple[int, int, int]]:
    with transaction.atomic():
        started = time.perf_counter()
        counts = _import(context)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, counts


def _run(options: Options) -> list[Result]:
    context = _setup()
    repeat = max(1, min(options.repeat, 3))
    from lectio.citations import formats

    samples: list[float] = []
    parsing: list[float] = []
    counts = (0, 0, 0)
    for i in range(repeat):
        started = time.perf_counter()
        formats.parse_bytes(context.data, "ris")
        parsing.append(time.perf_counter() - started)
        elapsed, counts = _rolled_back(context)
        samples.append(elapsed)
        options.log(f"  round {i + 1}: {elapsed * 1000:.0f} ms")
    measured = Figures.from_seconds(samples)
    baseline = Figures.from_seconds(parsing)
    entries, duplicates, added = counts
    return [
        Result(
            NAME,
            DESCRIPTION,
            "ok",
            measured=measured,
            baseline=baseline,
            baseline_label="reading the file alone (formats.parse_bytes)",
            ratio=measured.median_ms / baseline.median_ms,
            max_ms=MAX_MS,
            extra={
                "entries": entries,
                "duplicates": duplicates,
                "added": added,
                "file_bytes": len(context.data),
                "entries_per_s": round(added / (measured.median_ms / 1000)),
            },
        )
    ]


NAME = "citation_import_5000"
DESCRIPTION = (
    "import of a 5,000-entry RIS file into a list section: keep, preview, confirm"
)
BENCHMARKS = [Benchmark(name=NAME, description=DESCRIPTION, run=_run)]
