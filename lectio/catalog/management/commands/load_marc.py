"""`lectio load-marc FILE...`: MARC21 (binary, UTF-8 or MARC-8) and MARCXML records
into the catalog."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.catalog.loader import MarcOptions, TerminalProgress, load_marc


class Command(BaseCommand):
    help = (
        "Load catalog records from MARC21 files (binary, UTF-8 or MARC-8) or MARCXML. "
        "A record that cannot be read is reported with its position and skipped; "
        "an unchanged record is left alone, a changed one updated. Prints created / "
        "updated / unchanged / rejected counts, writes a reject report and exits 1 "
        "when records were rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="the MARC or MARCXML files")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and compare with the catalog, change nothing",
        )
        parser.add_argument(
            "--report",
            help="where to write the reject report (default: FIRST-FILE.rejects.txt)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="records written at a time"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        show = sys.stderr.isatty() and options["verbosity"] > 0
        progress = TerminalProgress(sys.stderr)
        result = load_marc(
            paths,
            options=MarcOptions(
                dry_run=options["dry_run"], batch_size=options["batch_size"]
            ),
            progress=progress if show else None,
        )
        progress.end()
        summary = f"records {result.records_read}: {result.summary()}"
        if options["dry_run"]:
            summary += " (dry run: nothing was changed)"
        self.stdout.write(summary)
        if result.rejects:
            first = paths[0]
            target = (
                Path(options["report"])
                if options.get("report")
                else first.with_name(first.name + ".rejects.txt")
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
