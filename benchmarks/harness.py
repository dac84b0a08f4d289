"""What a benchmark is, how it is timed, and what it reports.

A benchmark module (`benchmarks/bench_*.py`) defines `BENCHMARKS`, a list of
`Benchmark`. A timed benchmark gives a `setup` that returns a context (or raises
`Skip` when the data it needs is missing), a `measured` and a `baseline` callable
that each take the context, and optionally a target: the largest acceptable ratio of
the measured time to the baseline time. `lectio bench` runs the two interleaved, so
both see the same machine, and reports medians, spread and the ratio.

A benchmark that measures something else (a server under load) gives `run` instead,
returning finished `Result`s.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


class Skip(Exception):
    """The benchmark cannot run here (missing data, a view not written yet...)."""


@dataclass
class Options:
    repeat: int = 30
    warmup: int = 3
    duration: float = 5.0
    connections: int = 16
    servers: tuple[str, ...] = ("gunicorn", "granian")
    log: Callable[[str], None] = print


@dataclass
class Figures:
    """Timings of one side of a benchmark, in milliseconds, and the rate they give."""

    n: int
    median_ms: float
    p10_ms: float | None
    p90_ms: float | None
    mean_ms: float | None
    rps: float

    @classmethod
    def from_seconds(cls, samples: list[float]) -> Figures:
        ms = sorted(s * 1000 for s in samples)
        median = statistics.median(ms)
        return cls(
            n=len(ms),
            median_ms=median,
            p10_ms=_percentile(ms, 10),
            p90_ms=_percentile(ms, 90),
            mean_ms=statistics.fmean(ms),
            rps=1000 / median if median > 0 else 0.0,
        )


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (
        rank - low
    )


@dataclass
class Result:
    name: str
    description: str
    status: str  # "ok", "skipped" or "error"
    reason: str = ""
    measured: Figures | None = None
    baseline: Figures | None = None
    baseline_label: str = ""
    # Measured time / baseline time (for a server: baseline rate / measured rate).
    ratio: float | None = None
    max_ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # An absolute target on the measured median (server time), where the figure is one.
    max_ms: float | None = None

    @property
    def target_met(self) -> bool | None:
        verdicts = []
        if self.ratio is not None and self.max_ratio is not None:
            verdicts.append(self.ratio <= self.max_ratio)
        if self.max_ms is not None and self.measured is not None:
            verdicts.append(self.measured.median_ms <= self.max_ms)
        return all(verdicts) if verdicts else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target_met"] = self.target_met
        return data


@dataclass
class Benchmark:
    name: str
    description: str
    setup: Callable[[], Any] | None = None
    measured: Callable[[Any], None] | None = None
    baseline: Callable[[Any], None] | None = None
    baseline_label: str = ""
    max_ratio: float | None = None
    teardown: Callable[[Any], None] | None = None
    # Figures about the context worth reporting (query counts, response size).
    details: Callable[[Any], dict[str, Any]] | None = None
    # For benchmarks that are not a timed pair: returns the results themselves.
    run: Callable[[Options], list[Result]] | None = None
    slow: bool = False

    def execute(self, options: Options) -> list[Result]:
        try:
            if self.run is not None:
                return self.run(options)
            return [self._timed(options)]
        except Skip as skip:
            return [Result(self.name, self.description, "skipped", reason=str(skip))]

    def _timed(self, options: Options) -> Result:
        assert self.setup and self.measured and self.baseline
        context = self.setup()
        try:
            for _ in range(options.warmup):
                self.baseline(context)
                self.measured(context)
            base: list[float] = []
            meas: list[float] = []
            clock = time.perf_counter
            for i in range(options.repeat):
                # Alternate which goes first so neither always runs on a warmer cache.
                pair = (
                    ((self.baseline, base), (self.measured, meas))
                    if i % 2 == 0
                    else ((self.measured, meas), (self.baseline, base))
                )
                for func, samples in pair:
                    started = clock()
                    func(context)
                    samples.append(clock() - started)
            extra = self.details(context) if self.details else {}
        finally:
            if self.teardown:
                self.teardown(context)
        measured, baseline = Figures.from_seconds(meas), Figures.from_seconds(base)
        if measured.p10_ms and baseline.p10_ms:
            # On a busy machine the longer request is preempted more often, which
            # inflates the median ratio; the ratio of the fast tails is steadier.
            extra = {"ratio_p10": round(measured.p10_ms / baseline.p10_ms, 2), **extra}
        return Result(
            self.name,
            self.description,
            "ok",
            measured=measured,
            baseline=baseline,
            baseline_label=self.baseline_label,
            ratio=measured.median_ms / baseline.median_ms
            if baseline.median_ms
            else None,
            max_ratio=self.max_ratio,
            extra=extra,
        )
