"""The reading view of a list, built for speed.

Readers (students, guests) are most of the traffic. The parts of the page that are the
same for every reader (sections and each citation's formatted text) are assembled once
per change of the list and cached under the list's `content_version`; per request only
the reader's own marks are joined in. A fixed number of queries whatever the list size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from lectio.lists.models import Citation, CitationInteraction, ReadingList, Section
from lectio.lists.statuses import CitationStatus

CACHE_SECONDS = 3600


@dataclass
class ReaderBody:
    # Alternating static HTML and citations: (html_before, citation_id, citation_html).
    segments: list[tuple[str, int, str]] = field(default_factory=list)
    tail: str = ""
    citation_count: int = 0


def _visible_statuses(only_complete: bool) -> list[str]:
    if only_complete:
        return [CitationStatus.COMPLETE]
    return [
        CitationStatus.BEING_PREPARED,
        CitationStatus.READY_FOR_PROCESSING,
        CitationStatus.IN_PROCESS,
        CitationStatus.COMPLETE,
    ]


def reader_body(reading_list: ReadingList, *, only_complete: bool) -> ReaderBody:
    key = (
        f"lectio:reader:{reading_list.pk}:{reading_list.content_version}:{int(only_complete)}"
    )
    body = cache.get(key)
    if body is None:
        body = build_reader_body(reading_list, only_complete=only_complete)
        cache.set(key, body, CACHE_SECONDS)
    return body


def build_reader_body(reading_list: ReadingList, *, only_complete: bool) -> ReaderBody:
    sections = list(
        Section.objects.filter(reading_list=reading_list, visible=True)
        .order_by("position", "id")
        .values_list("pk", "name", "description")
    )
    rows = list(
        Citation.objects.filter(
            reading_list=reading_list, status__in=_visible_statuses(only_complete)
        )
        .order_by("position", "id")
        .values_list("pk", "section_id", "rendered_html", "public_note", "due_date", "metadata")
    )
    tag_rows = Citation.tags.through.objects.filter(
        citation__reading_list=reading_list
    ).values_list("citation_id", "tag__name", "tag__kind")
    tags: dict[int, list[str]] = {}
    for citation_id, name, kind in tag_rows:
        if kind == "public":
            tags.setdefault(citation_id, []).append(name)
    by_section: dict[int, list[tuple]] = {}
    for row in rows:
        by_section.setdefault(row[1], []).append(row)

    body = ReaderBody()
    pending = ""
    for section_id, name, description in sections:
        items = by_section.get(section_id, [])
        if not items:
            continue
        pending += (
            f'<section class="section" aria-labelledby="s{section_id}-h">'
            f'<header><h2 id="s{section_id}-h">{escape(name)}</h2></header>'
        )
        if description:
            pending += f'<p class="muted section-description">{escape(description)}</p>'
        pending += '<ol class="citations">'
        for pk, _sid, rendered, note, due, metadata in items:
            body.segments.append((pending, pk, _citation_html(pk, rendered, note, due, metadata,
                                                              tags.get(pk, []))))
            pending = ""
            body.citation_count += 1
        pending += "</ol></section>"
    if body.citation_count == 0:
        pending += f'<p class="empty">{escape(_("Nothing on this list yet."))}</p>'
    body.tail = pending
    return body


def _citation_html(
    pk: int, rendered: str, note: str, due: Any, metadata: dict, tags: list[str]
) -> str:
    parts = [f'<p class="ref" id="c{pk}-ref">{rendered}</p>']
    meta = []
    for tag in tags:
        meta.append(f'<span class="badge tag">{escape(tag)}</span>')
    if due:
        meta.append(
            f'<span class="badge">{escape(_("Read by"))} '
            f'<time datetime="{due.isoformat()}">{due.strftime("%d %b %Y")}</time></span>'
        )
    url = str(metadata.get("URL") or "")
    if url.lower().startswith(("http://", "https://")):
        meta.append(
            f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank" '
            f'aria-describedby="c{pk}-ref">{escape(_("Online"))}'
            f'<span class="visually-hidden"> {escape(_("(opens in a new tab)"))}</span></a>'
        )
    if meta:
        parts.append('<p class="list-meta">' + " ".join(meta) + "</p>")
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    return "".join(parts)


def reader_marks(user: Any, reading_list: ReadingList) -> dict[int, tuple[bool, bool]]:
    if not user.is_authenticated:
        return {}
    return {
        cid: (done, liked)
        for cid, done, liked in CitationInteraction.objects.filter(
            user=user, reading_list=reading_list
        ).values_list("citation_id", "done", "liked")
    }


def render_reader_html(
    body: ReaderBody,
    *,
    marks: dict[int, tuple[bool, bool]],
    interactive: bool,
    detail_url_prefix: str,
) -> str:
    """Joins the cached body with the reader's own marks."""
    done_label = escape(_("Done"))
    like_label = escape(_("Like"))
    details_label = escape(_("Details and my note"))
    out: list[str] = []
    append = out.append
    for before, pk, html in body.segments:
        append(before)
        done, liked = marks.get(pk, (False, False))
        append(f'<li class="citation{" done" if done else ""}" id="c{pk}"><div>')
        append(html)
        append("</div>")
        if interactive:
            append(
                f'<div class="controls">'
                f'<button type="submit" class="small" name="done" value="{pk}" '
                f'aria-pressed="{"true" if done else "false"}" '
                f'aria-describedby="c{pk}-ref">{done_label}</button>'
                f'<button type="submit" class="small" name="like" value="{pk}" '
                f'aria-pressed="{"true" if liked else "false"}" '
                f'aria-describedby="c{pk}-ref">{like_label}</button>'
                f'<a class="button small" href="{detail_url_prefix}{pk}/" '
                f'aria-describedby="c{pk}-ref">{details_label}</a></div>'
            )
        append("</li>")
    append(body.tail)
    return "".join(out)


def citation_detail_prefix() -> str:
    return reverse("lists:citation_detail", args=[0]).rsplit("0/", 1)[0]
