"""`lectio locate [--list CODE] [--threshold N] [--dry-run]`: match citations without a
catalog record to records (exact identifiers first, then title and author), and print
how many were linked, suggested and left unmatched."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.core.management.loader_command import TerminalProgress
from lectio.lists.locate import DEFAULT_THRESHOLD, locate_citations
from lectio.lists.models import ReadingList


class Command(BaseCommand):
    help = (
        "Match citations that have no catalog record to catalog records: an exact "
        "ISBN, ISSN, DOI, OCLC or LCCN match links the citation; a title and author "
        "match at or above the threshold is suggested to the library."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", dest="list_code", help="only this list (code)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest title-and-author score suggested, 0-100 "
            f"(default {DEFAULT_THRESHOLD:g})",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count what would happen, change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0 <= threshold <= 100:
            raise CommandError("--threshold is a score from 0 to 100.")
        reading_list = None
        if options["list_code"]:
            reading_list = ReadingList.objects.filter(code=options["list_code"]).first()
            if reading_list is None:
                raise CommandError(f"There is no list {options['list_code']}.")
        progress = None
        bar = TerminalProgress(sys.stderr, "Locating")
        if sys.stderr.isatty():
            progress = bar
        summary = locate_citations(
            reading_list=reading_list,
            threshold=threshold,
            dry_run=options["dry_run"],
            progress=progress,
        )
        if progress is not None:
            bar.end()
        prefix = "Dry run, nothing changed: " if options["dry_run"] else ""
        verb = "would be " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{summary.examined} citations without a catalog record: "
            f"{summary.linked} {verb}linked, {summary.suggested} {verb}suggested, "
            f"{summary.unmatched} unmatched."
        )
