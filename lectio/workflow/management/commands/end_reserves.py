"""`lectio end-reserves`: takes items off course reserve when their course has ended or
they are no longer on any active list of the course, putting back each copy's original
location and loan policy. Run once a day (cron, a systemd timer)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from lectio.workflow.reserves import end_reserves


class Command(BaseCommand):
    help = (
        "End course reserves of ended courses and of items no longer on the course's "
        "lists, restoring the items' original location and loan policy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="Treat this date (YYYY-MM-DD) as today (default: today).",
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today must be a date like 2026-12-31, not {options['today']!r}."
                ) from None
        summary = end_reserves(today=today)
        self.stdout.write(
            f"Ended {summary.total} reserves: {summary.course_ended} of ended courses, "
            f"{summary.unlisted} no longer on a list of the course."
        )
