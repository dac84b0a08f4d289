"""`lectio check-links`: check the links of citations on active lists (run it from
cron, say nightly, like `lectio end-reserves`)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Check the URLs of citations on active lists through the guarded client, "
        "at most --per-host requests to one host at a time; record the results and "
        "put newly broken links on the library's task list."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--per-host", type=int, default=2)
        parser.add_argument("--workers", type=int, default=16)
        parser.add_argument("--retries", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        from lectio.linking.tasks import run_link_check

        if options["per_host"] < 1 or options["workers"] < 1 or options["retries"] < 0:
            raise CommandError("--per-host and --workers must be at least 1.")
        counts = run_link_check(
            per_host=options["per_host"],
            workers=options["workers"],
            retries=options["retries"],
        )
        self.stdout.write(
            "checked {checked}: {ok} working, {broken} broken, {unsure} could not "
            "be checked; {newly_broken} newly broken".format(**counts)
        )
