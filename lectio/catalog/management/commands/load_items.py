"""`lectio load-items FILE.csv`: physical copies of catalog records."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from lectio.catalog import items_loader
from lectio.core.loading import (
    FileRejected,
    LoadOptions,
    LoadResult,
    check_size,
)
from lectio.core.management.loader_command import LoaderCommand, TerminalProgress


class CatalogLoaderCommand(LoaderCommand):
    """A loader command whose loader is named directly rather than registered as a
    kind of institution data."""

    load: Callable[[bytes, LoadOptions], LoadResult]

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = LoadResult()
        try:
            check_size(path.stat().st_size)
            progress = TerminalProgress(sys.stderr, self.what)
            show = sys.stderr.isatty() and options["verbosity"] > 0
            result = type(self).load(
                path.read_bytes(),
                LoadOptions(
                    mode="valid_only" if options["valid_only"] else "all_or_nothing",
                    date_format=options.get("date_format"),
                    dry_run=options["dry_run"],
                    progress=progress if show else (lambda done, total: None),
                    file_name=path.name,
                ),
            )
            progress.end()
        except FileRejected as exc:
            result.reject(exc.line, exc.reason)
        self.finish(path, result, options.get("report"))


class Command(CatalogLoaderCommand):
    help = (
        "Load items (physical copies) from a CSV file: barcode, record (control "
        "number) or isbn, library, location, call_number, loan_policy, status, "
        "due_date. Creates or updates by barcode; prints created / updated / "
        "unchanged / rejected counts, writes a reject report and exits 1 when rows "
        "were rejected."
    )
    what = "items"
    load = staticmethod(items_loader.load)
