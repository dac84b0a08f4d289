"""`lectio rollover --from TERM --to TERM [--newest-only] [--dry-run]`: every list of
one term's courses to the matching courses of the next (the same rules as the
browser's page); `lectio rollover --list CODE --course CODE[-SECTION]`: one list."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.core.loading import no_progress
from lectio.core.management.loader_command import TerminalProgress
from lectio.courses.models import Term
from lectio.lists import rollover
from lectio.lists.models import ListRollover, ReadingList
from lectio.lists.rollover import course_by_label
from lectio.lists.services import ServiceError


class Command(BaseCommand):
    help = (
        "Roll reading lists over: a whole term (--from TERM --to TERM) or one list "
        "(--list CODE --course CODE[-SECTION]). A list already rolled over to a "
        "course is never copied to it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="from_term", help="the term rolled from")
        parser.add_argument("--to", dest="to_term", help="the term rolled to")
        parser.add_argument(
            "--newest-only",
            action="store_true",
            help="only the newest list of each course",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would happen, change nothing",
        )
        parser.add_argument("--list", dest="list_code", help="the code of one list")
        parser.add_argument(
            "--course", help="the course it goes to: CODE or CODE-SECTION"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_code"] or options["course"]:
            self._one(options)
        elif options["from_term"] and options["to_term"]:
            self._term(options)
        else:
            raise CommandError(
                "Give --from TERM --to TERM, or --list CODE --course CODE[-SECTION]."
            )

    def _one(self, options: dict[str, Any]) -> None:
        if not (options["list_code"] and options["course"]):
            raise CommandError("--list and --course go together.")
        reading_list = ReadingList.objects.filter(code=options["list_code"]).first()
        if reading_list is None:
            raise CommandError(f"There is no list {options['list_code']}.")
        course = course_by_label(options["course"])
        if course is None:
            raise CommandError(f"There is no course {options['course']}.")
        if options["dry_run"]:
            done = ListRollover.objects.filter(source=reading_list, course=course)
            first = done.select_related("target").first()
            if first is not None:
                self.stdout.write(
                    f"{reading_list.code} was rolled over to {course.label} already "
                    f"({first.target.code})."
                )
            else:
                self.stdout.write(
                    f"{reading_list.code} would be rolled over to {course.label} "
                    f"with {reading_list.citations.count()} citations."
                )
            return
        try:
            copy = rollover.rollover_list(reading_list, course, actor=None)
        except ServiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{reading_list.code} rolled over to {course.label}: {copy.code} "
            f"({copy.citations.count()} citations)."
        )

    def _term(self, options: dict[str, Any]) -> None:
        terms = []
        for key in ("from_term", "to_term"):
            term = Term.objects.filter(code=options[key]).first()
            if term is None:
                raise CommandError(f"There is no term {options[key]}.")
            terms.append(term)
        if terms[0] == terms[1]:
            raise CommandError("--from and --to name the same term.")
        progress = TerminalProgress(sys.stderr, "Rolling over")
        report = rollover.rollover_terms(
            terms[0],
            terms[1],
            newest_only=options["newest_only"],
            dry_run=options["dry_run"],
            progress=progress if sys.stderr.isatty() else no_progress,
        )
        progress.end()
        if options["dry_run"] or options["verbosity"] >= 2:
            for item in report.items:
                self.stdout.write(self._line(item))
        self.stdout.write(
            rollover.report_summary(report, from_term=terms[0], to_term=terms[1])
        )

    @staticmethod
    def _line(item: rollover.RolloverItem) -> str:
        courses = ", ".join(item.course_labels)
        if item.outcome in (rollover.CREATE, rollover.CREATED):
            made = f" as {item.target_code}" if item.target_code else ""
            return f"{item.source_code} -> {courses}{made} ({item.citations} citations)"
        if item.outcome == rollover.ALREADY:
            return f"{item.source_code} already rolled over to {courses} ({item.target_code})"
        return f"{item.source_code}: no matching course: {item.reason}"
