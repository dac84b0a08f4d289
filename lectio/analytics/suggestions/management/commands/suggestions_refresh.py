"""`lectio suggestions-refresh [--pending | --similar]`: counts the suggestions of
related material for the whole institution (nightly), only for the lists that
changed since they were last counted, or only the similar catalog records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lectio.analytics.suggestions.refresh import (
    refresh_all,
    refresh_pending,
    refresh_similar,
)


class Command(BaseCommand):
    help = "Count suggestions of related material (co-citations, similar records)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--pending",
            action="store_true",
            help="Only the lists that changed since they were last counted.",
        )
        which.add_argument(
            "--similar",
            action="store_true",
            help="Only the similar records, after a change to the catalog.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(text: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(text)

        if options["pending"]:
            summary = refresh_pending()
            self.stdout.write(
                f"Counted {summary.lists} changed list(s) again: "
                f"{summary.works} new work(s), {summary.cocitations} co-citation(s) "
                f"of the works they cite, in {summary.seconds:.1f} s."
            )
            return
        if options["similar"]:
            summary = refresh_similar(progress=progress)
            self.stdout.write(
                f"Counted {summary.similar} similar record(s) among "
                f"{summary.records} record(s), in {summary.seconds:.1f} s."
            )
            return
        summary = refresh_all(progress=progress)
        self.stdout.write(
            f"Counted {summary.lists} list(s): {summary.works} work(s), "
            f"{summary.cocitations} co-citation(s), {summary.similar} similar "
            f"record(s), in {summary.seconds:.1f} s."
        )
