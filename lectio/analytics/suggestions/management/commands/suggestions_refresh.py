"""`lectio suggestions-refresh [--pending]`: counts the suggestions of related
material for the whole institution (nightly, and after bulk loads), or only for the
lists that changed since they were last counted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lectio.analytics.suggestions.refresh import refresh_all, refresh_pending


class Command(BaseCommand):
    help = "Count suggestions of related material (co-citations, similar records)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pending",
            action="store_true",
            help="Only the lists that changed since they were last counted.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pending"]:
            summary = refresh_pending()
            self.stdout.write(
                f"Counted {summary.lists} changed list(s) again: "
                f"{summary.works} new work(s), {summary.cocitations} co-citation(s) "
                f"of the works they cite, in {summary.seconds:.1f} s."
            )
            return
        summary = refresh_all(
            progress=lambda text: (
                self.stderr.write(text) if options["verbosity"] > 1 else None
            )
        )
        self.stdout.write(
            f"Counted {summary.lists} list(s): {summary.works} work(s), "
            f"{summary.cocitations} co-citation(s), {summary.similar} similar "
            f"record(s), in {summary.seconds:.1f} s."
        )
