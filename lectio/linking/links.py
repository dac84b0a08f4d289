"""What linking adds to the pages that show citations (registered in
LinkingConfig.ready() through `lists.extensions`): a Find it link on every citation,
built from the citation's content alone, and a direct full-text link for a linked
catalog record with exactly one online portfolio."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from lectio.catalog.models import Portfolio, RecordFormat
from lectio.linking import openurl
from lectio.linking.models import LinkingSettings
from lectio.linking.resolver import proxied_url
from lectio.lists.extensions import EditorExtras

# Nothing to look for: a note is text of the instructor's.
NO_FIND_IT = {"note"}


def find_it_url(metadata: dict[str, Any], material_type: str) -> str:
    return reverse("linking:openurl") + "?" + openurl.build(metadata, material_type)


def citation_linker(
    citation_id: int, metadata: dict[str, Any], material_type: str
) -> str:
    """Find it, and the way to report a broken link."""
    if material_type in NO_FIND_IT or not isinstance(metadata, dict):
        return ""
    if not (
        metadata.get("title")
        or metadata.get("DOI")
        or metadata.get("ISBN")
        or metadata.get("ISSN")
    ):
        return ""
    url = find_it_url(metadata, material_type)
    report = reverse("linking:report", args=[citation_id])
    return (
        f'<a class="findit" href="{escape(url)}" rel="nofollow"'
        f' aria-describedby="c{citation_id}-ref">{escape(_("Find it"))}</a>'
        f' <a class="report-link" href="{escape(report)}" rel="nofollow"'
        f' aria-describedby="c{citation_id}-ref">'
        f"{escape(_('Report a broken link'))}</a>"
    )


def record_linker(record_ids: set[int]) -> dict[int, str]:
    """A "Full text" link for records with exactly one active online portfolio.
    Journals are left to Find it, which checks the cited date against coverage."""
    rows = list(
        Portfolio.objects.filter(record_id__in=record_ids, active=True)
        .exclude(record__format=RecordFormat.JOURNAL)
        .values_list("record_id", "url", "open_access")
    )
    if not rows:
        return {}
    by_record: dict[int, list[tuple[str, bool]]] = {}
    for record_id, url, open_access in rows:
        if str(url).lower().startswith(("http://", "https://")):
            by_record.setdefault(record_id, []).append((url, open_access))
    settings_row = LinkingSettings.cached()
    out = {}
    for record_id, links in by_record.items():
        if len(links) != 1:
            continue
        url, open_access = links[0]
        target = proxied_url(url, licensed=not open_access, settings_row=settings_row)
        label = _("Open-access full text") if open_access else _("Full text online")
        out[record_id] = (
            f'<p class="list-meta direct-link"><a href="{escape(target)}"'
            f' rel="noopener noreferrer">{escape(label)}</a></p>'
        )
    return out


def editor_provider(
    user: Any, reading_list: Any, citations: Sequence[Any]
) -> EditorExtras:
    extras = EditorExtras()
    for citation in citations:
        html = citation_linker(citation.pk, citation.metadata, citation.material_type)
        if html:
            extras.citation_html[citation.pk] = [f'<p class="list-meta">{html}</p>']
    return extras
