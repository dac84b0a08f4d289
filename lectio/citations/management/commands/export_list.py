"""`lectio export-list CODE --format F [--style S] [--section NAME] [-o FILE]`: a
list's citations as RIS, BibTeX, CSL-JSON, Leganto CSV, or a bibliography in HTML,
DOCX or PDF in a bundled citation style. Everything on the list, as its editors see
it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.citations import exports
from lectio.lists.models import ReadingList
from lectio.lists.permissions import Right
from lectio.lists.rendering import STYLES
from lectio.lists.services import ServiceError


class Command(BaseCommand):
    help = "Export a list's citations (a reference file, a CSV or a bibliography)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the list's code")
        parser.add_argument(
            "--format", required=True, choices=sorted(exports.EXPORT_FORMATS)
        )
        parser.add_argument(
            "--style",
            choices=sorted(STYLES),
            help="citation style of a bibliography (default: the institution's)",
        )
        parser.add_argument("--section", help="only this section (by name)")
        parser.add_argument(
            "-o", "--output", help="file to write (default: standard output)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reading_list = ReadingList.objects.filter(code=options["code"]).first()
        if reading_list is None:
            raise CommandError(f"No list with the code {options['code']}.")
        section_id = None
        if options.get("section"):
            section = reading_list.sections.filter(name=options["section"]).first()
            if section is None:
                raise CommandError(
                    f"The list {reading_list.code} has no section "
                    f"{options['section']!r}."
                )
            section_id = section.pk
        try:
            exported = exports.export_file(
                reading_list=reading_list,
                right=Right.MANAGE,
                format=options["format"],
                style=options.get("style"),
                section_id=section_id,
            )
        except ServiceError as error:
            raise CommandError(str(error)) from error
        output = options.get("output")
        if output:
            Path(output).write_bytes(exported.content)
            self.stderr.write(f"wrote {len(exported.content):,} bytes to {output}")
        elif options["format"] in ("docx", "pdf") and sys.stdout.isatty():
            raise CommandError("A DOCX or PDF goes to a file: add -o FILE.")
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(exported.content)
            sys.stdout.buffer.flush()
