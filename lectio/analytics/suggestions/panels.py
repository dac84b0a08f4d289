"""The place on a list's pages where suggestions appear. It costs the page no query:
the suggestions load from their own address (htmx on load; without JavaScript, a
link to the same address as a page)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse


def panel_url(reading_list: Any, citation: Any, page: str) -> str:
    if citation is not None:
        return reverse("suggestions:citation", args=[citation.pk])
    url = reverse("suggestions:list", args=[reading_list.pk])
    return url + "?view=reader" if page == "reader" else url


def page_panel(user: Any, reading_list: Any, citation: Any, page: str) -> str:
    return render_to_string(
        "suggestions/_placeholder.html",
        {
            "url": panel_url(reading_list, citation, page),
            "page": page,
            "citation": citation,
        },
    )
