"""`lectio bench [NAME...]`: run the benchmarks in benchmarks/ against this database."""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

REPO_ROOT = Path(settings.BASE_DIR).resolve().parent


def discover(directory: Path) -> list[Any]:
    """Every `BENCHMARKS` entry of benchmarks/bench_*.py, in file order."""
    if not (directory / "harness.py").exists():
        raise CommandError(
            f"No benchmarks in {directory}: run from a source checkout or pass --dir."
        )
    parent = str(directory.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    found: list[Any] = []
    for path in sorted(directory.glob("bench_*.py")):
        module = importlib.import_module(f"{directory.name}.{path.stem}")
        found.extend(getattr(module, "BENCHMARKS", []))
    return found


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


class Command(BaseCommand):
    help = (
        "Run the benchmarks (all, or those named; shell-style patterns work) against "
        "the current database, which `lectio generate-data` filled. Each reports its "
        "median, spread and the ratio to a baseline measured in the same run."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("names", nargs="*", metavar="NAME")
        parser.add_argument("--list", action="store_true", help="list the benchmarks")
        parser.add_argument(
            "--json", action="store_true", help="machine-readable output"
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=30,
            help="timed runs of each side (default 30)",
        )
        parser.add_argument(
            "--warmup", type=int, default=3, help="untimed runs first (default 3)"
        )
        parser.add_argument(
            "--duration",
            type=float,
            default=5.0,
            help="seconds of load per endpoint for the server benchmark (default 5)",
        )
        parser.add_argument(
            "--connections",
            type=int,
            default=16,
            help="concurrent connections for the server benchmark (default 16)",
        )
        parser.add_argument(
            "--server",
            action="append",
            choices=["gunicorn", "granian"],
            help="the server(s) the server benchmark starts (default: both)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="exit 1 if a benchmark misses its target or fails",
        )
        parser.add_argument(
            "--dir", type=Path, default=REPO_ROOT / "benchmarks", help=argparse.SUPPRESS
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmarks = discover(options["dir"].resolve())
        from benchmarks.harness import Options

        selected = self._select(benchmarks, options["names"])
        if options["list"]:
            for bench in selected:
                slow = " (slow)" if bench.slow else ""
                self.stdout.write(f"{bench.name:<20} {bench.description}{slow}")
            return
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "The database is not up to date: run `lectio migrate` first."
            )
        if options["repeat"] < 1 or options["warmup"] < 0:
            raise CommandError("--repeat must be at least 1 and --warmup at least 0.")
        as_json = options["json"]
        progress = self.stderr if as_json else self.stdout
        run_options = Options(
            repeat=options["repeat"],
            warmup=options["warmup"],
            duration=options["duration"],
            connections=options["connections"],
            servers=tuple(options["server"] or ("gunicorn", "granian")),
            log=lambda line: progress.write(line),
        )
        database = {
            "vendor": connection.vendor,
            "name": str(settings.DATABASES["default"]["NAME"]),
        }
        if not as_json:
            self.stdout.write(
                f"Benchmarks on {database['vendor']} {database['name']} "
                f"(repeat {run_options.repeat}, warm-up {run_options.warmup})"
            )
        results = []
        for bench in selected:
            progress.write(f"{bench.name} ...")
            for result in bench.execute(run_options):
                results.append(result)
                if not as_json:
                    self._print(result)
        if as_json:
            payload = {
                "database": database,
                "options": {
                    "repeat": run_options.repeat,
                    "warmup": run_options.warmup,
                    "duration": run_options.duration,
                    "connections": run_options.connections,
                },
                "results": [r.as_dict() for r in results],
            }
            self.stdout.write(json.dumps(payload, indent=2))
        failed = [r for r in results if r.status == "error" or r.target_met is False]
        if options["check"] and failed:
            raise SystemExit(1)

    def _select(self, benchmarks: list[Any], names: list[str]) -> list[Any]:
        if not names:
            return benchmarks
        selected = []
        for pattern in names:
            matches = [b for b in benchmarks if fnmatch.fnmatchcase(b.name, pattern)]
            if not matches:
                known = ", ".join(b.name for b in benchmarks)
                raise CommandError(
                    f"No benchmark named {pattern!r}; there are: {known}"
                )
            selected += [b for b in matches if b not in selected]
        return selected

    def _print(self, result: Any) -> None:
        out = self.stdout.write
        out(f"{result.name}: {result.description}")
        if result.status != "ok":
            out(f"  {result.status.upper()}: {result.reason}")
            return
        for label, figures, note in (
            ("measured", result.measured, ""),
            ("baseline", result.baseline, result.baseline_label),
        ):
            if figures is None:  # a benchmark with an absolute target only
                continue
            spread = f"p10-p90 {_ms(figures.p10_ms)}-{_ms(figures.p90_ms)} ms"
            if figures.p10_ms is None:
                spread = f"p90 {_ms(figures.p90_ms)} ms"
            out(
                f"  {label}  median {_ms(figures.median_ms):>7} ms  {spread:<24} "
                f"{figures.rps:>9,.1f} req/s  {note}".rstrip()
            )
        verdict = ""
        met = "met" if result.target_met else "MISSED"
        if result.max_ratio is not None:
            verdict = f"  target <= {result.max_ratio:g}x: {met}"
        if result.ratio is not None:
            out(f"  ratio     {result.ratio:.2f}x{verdict}")
        if result.max_ms is not None:
            out(f"  target    median <= {result.max_ms:g} ms: {met}")
        for key, value in result.extra.items():
            out(f"  {key}: {value}")
