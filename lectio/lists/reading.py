"""The reading view of a list, built for speed.

Readers (students, guests) are most of the traffic. The parts of the page that are the
same for every reader (sections and each citation's formatted text) are assembled once
per change of the list and cached under the list's `content_version`; per request only
the reader's own marks are joined in. A fixed number of queries whatever the list size.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from lectio.core.filetypes import KINDS
from lectio.lists.extensions import citation_links, reader_citation_extras
from lectio.lists.models import (
    Citation,
    CitationFile,
    CitationInteraction,
    FileCopyright,
    ReadingList,
    Section,
)
from lectio.lists.statuses import CitationStatus, CopyrightStatus

Piece = tuple[str, str, str, str, str, int, int | None]


@dataclass
class ReaderBody:
    # Per citation, the static HTML around the reader's own marks and the live
    # availability of its catalog record: (before_class, before_availability,
    # before_done, before_liked, after_liked, citation_id, record_id or None); see
    # render_reader_html for how they join.
    pieces: list[Piece] = field(default_factory=list)
    tail: str = ""
    # The catalog records the visible citations are linked to.
    record_ids: set[int] = field(default_factory=set)
    citation_count: int = 0
    # (label, name) of the list's courses, for the page header.
    courses: list[tuple[str, str]] = field(default_factory=list)
    # Links to the files of each citation (HTML by citation id): joined in only for
    # readers who may open the list's material.
    file_html: dict[int, str] = field(default_factory=dict)


# Assembled bodies, kept in this process and not pickled: each is read on every view
# of its list. Keyed by content_version, so a change is never served stale.
_BODIES: OrderedDict[tuple[Any, ...], ReaderBody] = OrderedDict()
MAX_BODIES = 200


def _visible_statuses(only_complete: bool) -> list[str]:
    if only_complete:
        return [CitationStatus.COMPLETE]
    return [
        CitationStatus.BEING_PREPARED,
        CitationStatus.READY_FOR_PROCESSING,
        CitationStatus.IN_PROCESS,
        CitationStatus.COMPLETE,
    ]


def reader_body(
    reading_list: ReadingList, *, only_complete: bool, interactive: bool
) -> ReaderBody:
    # updated_at too: a restored database (or a test's rolled-back one) can give the
    # same id and content_version to other content.
    key = (
        reading_list.pk,
        reading_list.content_version,
        reading_list.updated_at,
        only_complete,
        interactive,
    )
    body = _BODIES.get(key)
    if body is None:
        body = build_reader_body(
            reading_list, only_complete=only_complete, interactive=interactive
        )
        _BODIES[key] = body
        while len(_BODIES) > MAX_BODIES:
            _BODIES.popitem(last=False)
    else:
        _BODIES.move_to_end(key)
    return body


def forget_bodies() -> None:
    _BODIES.clear()


def build_reader_body(
    reading_list: ReadingList, *, only_complete: bool, interactive: bool
) -> ReaderBody:
    sections = list(
        Section.objects.filter(reading_list=reading_list, visible=True)
        .order_by("position", "id")
        .values_list("pk", "name", "description")
    )
    rows = list(
        Citation.objects.filter(
            reading_list=reading_list, status__in=_visible_statuses(only_complete)
        )
        .annotate(
            has_files=Exists(CitationFile.objects.filter(citation=OuterRef("pk")))
        )
        .order_by("position", "id")
        .values_list(
            "pk",
            "section_id",
            "rendered_html",
            "public_note",
            "due_date",
            "metadata",
            "catalog_record_id",
            "material_type",
            "copyright_status",
            "has_files",
        )
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

    body = ReaderBody(courses=[(c.label, c.name) for c in reading_list.courses.all()])
    body.file_html = _file_links([row for row in rows if row[-1]])
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
        for (
            pk,
            _sid,
            rendered,
            note,
            due,
            metadata,
            record_id,
            material,
            *_rest,
        ) in items:
            html = _citation_html(
                pk, rendered, note, due, metadata, tags.get(pk, []), material
            )
            body.pieces.append(_pieces(pending, pk, html, interactive, record_id))
            if record_id is not None:
                body.record_ids.add(record_id)
            pending = ""
            body.citation_count += 1
        pending += "</ol></section>"
    if body.citation_count == 0:
        pending += f'<p class="empty">{escape(_("Nothing on this list yet."))}</p>'
    body.tail = pending
    return body


def _citation_html(
    pk: int,
    rendered: str,
    note: str,
    due: Any,
    metadata: dict,
    tags: list[str],
    material_type: str = "",
) -> str:
    parts = [f'<p class="ref" id="c{pk}-ref">{rendered}</p>']
    extra = reader_citation_extras(metadata or {})
    if extra:
        parts.append(extra)
    meta = []
    for tag in tags:
        meta.append(f'<span class="badge tag">{escape(tag)}</span>')
    if due:
        meta.append(
            f'<span class="badge">{escape(_("Read by"))} '
            f'<time datetime="{due.isoformat()}">{date_format(due, "j M Y")}</time></span>'
        )
    url = str(metadata.get("URL") or "")
    if url.lower().startswith(("http://", "https://")):
        meta.append(
            f'<a href="{escape(url)}" rel="noopener noreferrer" '
            f'aria-describedby="c{pk}-ref">{escape(_("Online"))}</a>'
        )
    # What apps above lists add from the citation's content (Find it): cached with
    # the body, so it may depend on nothing else.
    linked = citation_links(pk, metadata, material_type)
    if linked:
        meta.append(linked)
    if meta:
        parts.append('<p class="list-meta">' + " ".join(meta) + "</p>")
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    return "".join(parts)


def _file_links(rows: list[tuple]) -> dict[int, str]:
    """The reading view's links to files (one query, only when there are files);
    a file waiting for copyright clearance is left out until it is approved."""
    if not rows:
        return {}
    approved = {row[0] for row in rows if row[-2] == CopyrightStatus.APPROVED}
    links: dict[int, list[str]] = {}
    for pk, citation_id, name, kind, size, copyright in (
        CitationFile.objects.filter(citation_id__in=[row[0] for row in rows])
        .order_by("uploaded_at", "id")
        .values_list("pk", "citation_id", "name", "kind", "size", "copyright")
    ):
        if copyright == FileCopyright.NEEDS_CLEARANCE and citation_id not in approved:
            continue
        label = KINDS[kind].label if kind in KINDS else kind
        url = reverse("files:open", args=[pk])
        links.setdefault(citation_id, []).append(
            f'<a href="{url}" aria-describedby="c{citation_id}-ref">{escape(name)}</a>'
            f' <span class="muted">({escape(label)}, {filesizeformat(size)})</span>'
        )
    title = escape(_("Files"))
    return {
        citation_id: f'<p class="list-meta files">{title}: ' + "; ".join(parts) + "</p>"
        for citation_id, parts in links.items()
    }


def reader_marks(user: Any, reading_list: ReadingList) -> dict[int, tuple[bool, bool]]:
    """The reader's done and liked marks on the list, by citation id (plain SQL on
    the per-request path)."""
    if not user.is_authenticated:
        return {}
    table = connection.ops.quote_name(CitationInteraction._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT citation_id, done, liked FROM {table}"
            " WHERE user_id = %s AND reading_list_id = %s",
            [user.pk, reading_list.pk],
        )
        return {
            cid: (bool(done), bool(liked)) for cid, done, liked in cursor.fetchall()
        }


def _pieces(
    before: str, pk: int, html: str, interactive: bool, record_id: int | None = None
) -> Piece:
    """Splits a citation's markup around the places where the reader's marks and
    the record's availability go."""
    head = f'{before}<li class="citation'
    start = f'" id="c{pk}"><div>{html}'
    if not interactive:
        return head, start, "</div></li>", "", "", pk, record_id
    done_label = escape(_("Done"))
    like_label = escape(_("Like"))
    details_label = escape(_("Details and my note"))
    detail_url = reverse("lists:citation_detail", args=[pk])
    # The buttons submit the list's one marks form; CSS sizes them (.controls).
    return (
        head,
        start,
        '</div><div class="controls">'
        f'<button name="done" value="{pk}" aria-describedby="c{pk}-ref" aria-pressed="',
        f'">{done_label}</button>'
        f'<button name="like" value="{pk}" aria-describedby="c{pk}-ref" aria-pressed="',
        f'">{like_label}</button><a class="button" href="{detail_url}"'
        f' aria-describedby="c{pk}-ref">{details_label}</a></div></li>',
        pk,
        record_id,
    )


def render_reader_html(
    body: ReaderBody,
    *,
    marks: dict[int, tuple[bool, bool]],
    availability: dict[int, str] | None = None,
    files: bool = False,
) -> str:
    """Joins the cached body with the reader's own marks and, for citations linked
    to a catalog record, the record's availability (HTML by citation id); with
    `files`, the links to the citations' files."""
    out: list[str] = []
    append = out.append
    no_marks = (False, False)
    available = availability or {}
    file_html = body.file_html if files else {}
    for head, start, mid, mid2, end, pk, record_id in body.pieces:
        done, liked = marks.get(pk, no_marks) if marks else no_marks
        append(head)
        if done:
            append(" done")
        append(start)
        if record_id is not None and pk in available:
            append(available[pk])
        if pk in file_html:
            append(file_html[pk])
        append(mid)
        if mid2:
            append("true" if done else "false")
            append(mid2)
            append("true" if liked else "false")
            append(end)
    append(body.tail)
    return "".join(out)


BODY_MARKER = "<!--lectio:reader-body-->"
