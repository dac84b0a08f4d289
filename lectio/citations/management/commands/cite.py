"""`lectio cite URL [--json]`: what Cite It! would prefill for a page, fetched through
the guarded client. A refused address exits 2 with the reason; a page that could not
be read still gives its address (and exits 1)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lectio.citations.capture import cite_url
from lectio.citations.formats.common import date_text, name_text
from lectio.core import http_guard

FIELDS = {
    "authors": "author",
    "in": "container-title",
    "date": "issued",
    "pages": "page",
}


class Command(BaseCommand):
    help = "Harvest one web page's citation metadata, as Cite It! does."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--json", action="store_true", help="CSL-JSON and the material type."
        )

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        try:
            captured = cite_url(url)
        except http_guard.FetchRefused as error:
            raise CommandError(f"refused: {error}", returncode=2) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(captured.as_json(), ensure_ascii=False, indent=2)
            )
        else:
            csl = captured.csl
            rows = [
                ("material type", captured.material_type),
                ("title", csl.get("title", "")),
                ("authors", "; ".join(name_text(n) for n in csl.get("author", []))),
                ("in", csl.get("container-title", "")),
                ("date", date_text(csl.get("issued"))),
                ("volume", csl.get("volume", "")),
                ("issue", csl.get("issue", "")),
                ("pages", csl.get("page", "")),
                ("publisher", csl.get("publisher", "")),
                ("DOI", csl.get("DOI", "")),
                ("ISBN", csl.get("ISBN", "")),
                ("ISSN", csl.get("ISSN", "")),
                ("URL", csl.get("URL", "")),
            ]
            for label, value in rows:
                if value:
                    source = captured.sources.get(FIELDS.get(label, label), "")
                    self.stdout.write(
                        f"{label:14} {value}" + (f"   [{source}]" if source else "")
                    )
        for note in captured.notes:
            self.stderr.write(note)
        if not captured.page_read:
            raise CommandError("the page could not be read; only its address is known")
