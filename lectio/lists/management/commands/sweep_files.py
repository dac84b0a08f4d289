"""`lectio sweep-files [--older-than SECONDS]`: removes stored citation files that no
row names (an upload whose transaction failed after the file was written)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lectio.lists.files import sweep_stored_files


class Command(BaseCommand):
    help = (
        "Remove stored citation files that no file row names and that are older "
        "than --older-than seconds (default an hour). Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=3600,
            help="leave files younger than this many seconds (uploads in progress)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = sweep_stored_files(older_than_seconds=max(0, options["older_than"]))
        for name in removed:
            self.stdout.write(f"removed {name}")
        self.stdout.write(f"{len(removed)} stored files removed")
