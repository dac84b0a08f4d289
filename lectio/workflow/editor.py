"""What the library's work adds to the instructor's list editor: each item's requests
and the way to the library discussion. Registered in WorkflowConfig.ready()."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string

from lectio.lists.extensions import EditorExtras
from lectio.workflow.models import Message, ProcessingRequest, Thread


def editor_provider(
    user: Any, reading_list: Any, citations: Sequence[Any]
) -> EditorExtras:
    by_citation: dict[int, list[ProcessingRequest]] = defaultdict(list)
    for request in ProcessingRequest.objects.filter(reading_list=reading_list).order_by(
        "created_at", "id"
    ):
        by_citation[request.citation_id].append(request)
    message_count = Message.objects.filter(
        reading_list=reading_list, thread=Thread.LIBRARY
    ).count()
    extras = EditorExtras(
        list_html=[
            render_to_string(
                "workflow/_editor_list.html",
                {"list": reading_list, "message_count": message_count},
            )
        ]
    )
    for citation in citations:
        extras.citation_html[citation.pk] = [
            render_to_string(
                "workflow/_editor_citation.html",
                {
                    "citation": citation,
                    "list": reading_list,
                    "requests": by_citation.get(citation.pk, []),
                },
            )
        ]
    return extras
