"""`lectio usage-rollup`: daily counts for the days that are over, and raw usage
events past the keeping period deleted. Run it daily, like send-digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lectio.analytics.recording import keep_days, roll_up_and_purge
from lectio.core.usage import flush


class Command(BaseCommand):
    help = "Roll usage events up into daily counts and delete old raw events."

    def handle(self, *args: Any, **options: Any) -> None:
        flush()
        done = roll_up_and_purge()
        self.stdout.write(
            f"Rolled up {done['days']} day(s) into {done['rows']} row(s); deleted "
            f"{done['purged']} raw event(s) older than {keep_days()} days."
        )
