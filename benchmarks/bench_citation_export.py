"""Export of a 300-citation list as a bibliography in APA, to DOCX and to PDF
(issue figure: under 3 s each), on BENCH-300 from `lectio generate-data --size s`.

Each round is what the export page does after its selector: the sections and
citations read (`exports.export_sections`, editor's view: the whole list), each
citation's formatted text taken from the stored form when it is already in APA
(else formatted), then the document written. Baseline, in the same run: the same
list exported as RIS, the cheapest format.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from benchmarks.data import bench_list
from benchmarks.harness import Benchmark, Figures, Options, Result

MAX_MS = 3000.0
STYLE = "apa"


@dataclass
class Context:
    reading_list: Any
    citations: int


def _setup() -> Context:
    reading_list = bench_list("BENCH-300")
    return Context(reading_list, reading_list.citations.count())


def _export(context: Context, format: str) -> int:
    from lectio.citations import exports
    from lectio.lists.permissions import Right

    exported = exports.export_file(
        reading_list=context.reading_list,
        right=Right.MANAGE,
        format=format,
        style=STYLE,
    )
    return len(exported.content)


def _timed(context: Context, format: str) -> tuple[float, int]:
    started = time.perf_counter()
    size = _export(context, format)
    return time.perf_counter() - started, size


def _runner(format: str) -> Any:
    def run(options: Options) -> list[Result]:
        context = _setup()
        repeat = max(1, min(options.repeat, 10))
        for _ in range(min(options.warmup, 1)):
            _export(context, format)
            _export(context, "ris")
        measured: list[float] = []
        baseline: list[float] = []
        size = 0
        for _ in range(repeat):
            elapsed, size = _timed(context, format)
            measured.append(elapsed)
            baseline.append(_timed(context, "ris")[0])
        meas, base = Figures.from_seconds(measured), Figures.from_seconds(baseline)
        return [
            Result(
                f"citation_export_{format}",
                f"BENCH-300 ({context.citations} citations) as a {format.upper()} "
                "bibliography in APA",
                "ok",
                measured=meas,
                baseline=base,
                baseline_label="the same list as RIS",
                ratio=meas.median_ms / base.median_ms if base.median_ms else None,
                max_ms=MAX_MS,
                extra={"citations": context.citations, "bytes": size},
            )
        ]

    return run


BENCHMARKS = [
    Benchmark(
        name="citation_export_docx",
        description="BENCH-300 as a DOCX bibliography in APA (target under 3 s)",
        run=_runner("docx"),
    ),
    Benchmark(
        name="citation_export_pdf",
        description="BENCH-300 as a PDF bibliography in APA (target under 3 s)",
        run=_runner("pdf"),
    ),
]
