"""What the citations app adds to the list pages: Import and Export on the editor,
and each citation's COinS on the editor and the reading view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string

from lectio.citations.coins import coins_span
from lectio.lists.extensions import EditorExtras


def editor_provider(
    user: Any, reading_list: Any, citations: Sequence[Any]
) -> EditorExtras:
    extras = EditorExtras(
        list_html=[
            render_to_string("citations/_editor_list.html", {"list": reading_list})
        ]
    )
    for citation in citations:
        extras.citation_html[citation.pk] = [coins_span(citation.metadata or {})]
    return extras


def reader_citation_html(metadata: dict[str, Any]) -> str:
    return coins_span(metadata or {})
