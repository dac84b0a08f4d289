"""`lectio import-citations FILE [--format F] [--list CODE [--section NAME]]
[--dry-run] [--json]`: read a RIS, BibTeX, CSL-JSON or EndNote XML file and add its
citations to a list section, all or nothing. Exit status 1 when entries failed or
the file could not be read."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.accounts.models import User
from lectio.citations import imports
from lectio.lists.models import ReadingList
from lectio.lists.services import ServiceError


class Command(BaseCommand):
    help = (
        "Import citations from a RIS, BibTeX, CSL-JSON or EndNote XML file into a "
        "list section; --dry-run shows what the file gives and saves nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the citation file")
        parser.add_argument(
            "--format",
            choices=sorted(imports.FORMATS),
            help="the file's format (default: guessed from its content)",
        )
        parser.add_argument("--list", dest="list_code", help="code of the list")
        parser.add_argument(
            "--section", help="name of the section (default: the list's default)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and report, save nothing"
        )
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="import the good entries even when others failed "
            "(default: all or nothing)",
        )
        parser.add_argument(
            "--include-duplicates",
            action="store_true",
            help="also import entries that look like citations already there",
        )
        parser.add_argument(
            "--user", help="username recorded as the one who imported (default: none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        target = self._target(options)
        size = path.stat().st_size
        if size > imports.max_bytes():
            # Not read at all: one error for the file.
            preview = imports.Preview(format="", errors=[imports.too_large(size)])
            self._report(preview, options["json"])
            sys.exit(1)
        data = path.read_bytes()
        preview = imports.import_preview(
            data=data, target=target, format=options["format"]
        )
        failed = bool(preview.errors)
        if options["dry_run"] or target is None:
            self._report(preview, options["json"])
            if failed:
                sys.exit(1)
            return
        actor = self._actor(options.get("user"))
        if failed and not options["valid_only"]:
            self._report(preview, options["json"])
            self.stderr.write("Nothing imported: entries failed (see --valid-only).")
            sys.exit(1)
        chosen = (
            [e.number for e in preview.entries]
            if options["include_duplicates"]
            else None
        )
        try:
            outcome = imports.import_confirm(
                actor=actor,  # type: ignore[arg-type]
                target=target,
                data=data,
                format=options["format"],
                chosen=chosen,
                file_name=path.name,
                reading_list=target.reading_list,
            )
        except ServiceError as error:
            self._report(preview, options["json"])
            self.stderr.write(str(error))
            sys.exit(1)
        if options["json"]:
            body = preview.as_json()
            body["imported"] = len(outcome.added)
            body["skipped"] = outcome.skipped
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
        else:
            self._errors(preview)
            self.stdout.write(
                f"imported {len(outcome.added)} into {target.reading_list.code} / "
                f"{target.section.name}; skipped {outcome.skipped} duplicates; "
                f"failed {outcome.failed}"
            )
        if failed:
            sys.exit(1)

    def _target(self, options: dict[str, Any]) -> imports.SectionTarget | None:
        code = options.get("list_code")
        if not code:
            if options.get("section"):
                raise CommandError("--section needs --list.")
            if not options["dry_run"]:
                raise CommandError("Name the list with --list CODE, or use --dry-run.")
            return None
        reading_list = ReadingList.objects.filter(code=code).first()
        if reading_list is None:
            raise CommandError(f"No list with the code {code}.")
        sections = reading_list.sections.order_by("position", "id")
        name = options.get("section")
        section = (
            sections.filter(name=name).first()
            if name
            else sections.filter(is_default=True).first() or sections.first()
        )
        if section is None:
            raise CommandError(f"The list {code} has no section {name!r}.")
        return imports.SectionTarget(reading_list, section)

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}.")
        return user

    def _errors(self, preview: imports.Preview) -> None:
        for error in preview.errors:
            where = (
                f"entry {error.number} (line {error.line})" if error.number else "file"
            )
            self.stderr.write(f"{where}: {error.reason}")

    def _report(self, preview: imports.Preview, as_json: bool) -> None:
        if as_json:
            self.stdout.write(
                json.dumps(preview.as_json(), ensure_ascii=False, indent=2)
            )
            return
        self._errors(preview)
        for entry in preview.entries:
            flag = f"  [duplicate: {entry.duplicate}]" if entry.duplicate else ""
            self.stdout.write(
                f"{entry.number:>5}  {entry.material_type:<16} {entry.title[:70]}{flag}"
            )
        self.stdout.write(
            f"{len(preview.entries)} entries read, {len(preview.errors)} failed, "
            f"{preview.duplicate_count} duplicates"
        )
