"""The shape of every `lectio load-*` command: FILE, --valid-only, --dry-run,
--date-format, --report; a progress bar on a terminal; created / updated / unchanged /
rejected counts; a reject report; exit status 1 when rows were rejected."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.core.loading import (
    FileRejected,
    LoadOptions,
    LoadResult,
    check_size,
    run_file,
)


class TerminalProgress:
    def __init__(self, stream: Any, label: str) -> None:
        self.stream = stream
        self.label = label
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not total:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


class LoaderCommand(BaseCommand):
    kind = ""
    what = "rows"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file to load")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="apply the valid rows even when others are rejected "
            "(default: all or nothing)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report, change nothing",
        )
        parser.add_argument(
            "--date-format",
            help="strftime format of the file's dates (default: institution setting)",
        )
        parser.add_argument(
            "--report",
            help="where to write the reject report (default: FILE.rejects.txt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            check_size(path.stat().st_size)
        except FileRejected as exc:
            result = LoadResult()
            result.reject(0, exc.reason)
            self.finish(path, result, options.get("report"))
            return
        data = path.read_bytes()
        progress = TerminalProgress(sys.stderr, self.what)
        show = sys.stderr.isatty() and options["verbosity"] > 0
        result = run_file(
            self.kind,
            data,
            LoadOptions(
                mode="valid_only" if options["valid_only"] else "all_or_nothing",
                date_format=options.get("date_format"),
                dry_run=options["dry_run"],
                progress=progress if show else (lambda done, total: None),
                file_name=path.name,
            ),
        )
        progress.end()
        self.finish(path, result, options.get("report"))

    def finish(self, path: Path, result: LoadResult, report: str | None) -> None:
        self.stdout.write(result.summary())
        if result.rejects:
            target = (
                Path(report) if report else path.with_name(path.name + ".rejects.txt")
            )
            try:
                target.write_text(result.report_text(), encoding="utf-8")
                where = f"reject report: {target}"
            except OSError as exc:
                where = f"could not write the reject report ({exc}); rejects follow"
                self.stderr.write(result.report_text())
            for reject in result.rejects[:20]:
                self.stderr.write(str(reject))
            if len(result.rejects) > 20:
                self.stderr.write(f"... and {len(result.rejects) - 20} more")
            self.stderr.write(where)
            sys.exit(1)
