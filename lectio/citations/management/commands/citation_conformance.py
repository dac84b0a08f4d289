"""`lectio citation-conformance [--format ris|bibtex|csl-json] [--json]`: how closely
our import reads the Zotero translators' import test cases, per field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectio.citations import conformance


def default_cases() -> Path:
    """The shared conformance data sits next to the checkout (../shared/...)."""
    return (
        Path(settings.BASE_DIR).parent.parent
        / "shared"
        / "conformance"
        / "zotero-import-cases.json"
    )


class Command(BaseCommand):
    help = (
        "Compare the RIS, BibTeX and CSL-JSON import with the import test cases of "
        "Zotero's translators, field by field, and print the share that matches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            action="append",
            choices=sorted({name for name, _reader in conformance.READERS.values()}),
            help="only this format (repeatable; default: all)",
        )
        parser.add_argument(
            "--cases", type=Path, default=None, help="the zotero-import-cases.json file"
        )
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--differences",
            action="store_true",
            help="also list every field that does not match",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["cases"] or default_cases()
        if not path.exists():
            raise CommandError(f"no conformance cases at {path}; pass --cases FILE")
        reports = conformance.run(conformance.load_cases(path), options["format"])
        if options["json"]:
            total = conformance.overall(reports)
            self.stdout.write(
                json.dumps(
                    {
                        "reports": [r.as_dict() for r in reports],
                        "overall": {
                            "matched": total.matched,
                            "total": total.total,
                            "share": round(total.share, 4),
                        },
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write(conformance.table(reports))
        if options["differences"]:
            for report in reports:
                for d in report.differences:
                    self.stdout.write(
                        f"{d.translator} case {d.case} item {d.item} {d.field}: "
                        f"expected {d.expected!r}, got {d.actual!r}"
                    )
