"""What linking adds to the pages that show citations (registered in
LinkingConfig.ready() through `lists.extensions`): a Find it link on every citation,
built from the citation's content alone, and a direct full-text link for a linked
catalog record with exactly one online portfolio.

Both links say which citation they came from, so following one counts as opening
it (a usage event of kind citation_open, detail "find_it" or "full_text"): Find it
carries the citation id, signed, as the referrer's private data (`rfr_dat`), which
Lectio never passes on; the full-text link goes through `linking:full_text`, which
applies the list's material-access rule before redirecting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core import signing
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from lectio.catalog.models import Portfolio, RecordFormat
from lectio.linking import openurl
from lectio.linking.models import LinkingSettings
from lectio.linking.resolver import proxied_url
from lectio.lists.extensions import EditorExtras, RecordKey

# Nothing to look for: a note is text of the instructor's.
NO_FIND_IT = {"note"}


# Signed, not timed: the link is cached with the list's body and stays good.
_SIGNER = signing.Signer(salt="lectio.linking.find-it")
CITATION_DATA_PREFIX = "citation:"


def citation_data(citation_id: int) -> str:
    """The `rfr_dat` of a citation's Find it link."""
    return CITATION_DATA_PREFIX + _SIGNER.sign(str(citation_id))


def citation_from_data(value: str) -> int | None:
    """The citation id in a Find it link's `rfr_dat`, or None if it is missing,
    altered or not Lectio's."""
    if not value.startswith(CITATION_DATA_PREFIX):
        return None
    try:
        raw = _SIGNER.unsign(value[len(CITATION_DATA_PREFIX) :])
    except signing.BadSignature:
        return None
    return int(raw) if raw.isdigit() else None


def find_it_url(
    metadata: dict[str, Any], material_type: str, citation_id: int | None = None
) -> str:
    pairs = openurl.build_pairs(metadata, material_type)
    if citation_id is not None:
        pairs.append(("rfr_dat", citation_data(citation_id)))
    return reverse("linking:openurl") + "?" + openurl.encode_pairs(pairs)


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
    url = find_it_url(metadata, material_type, citation_id)
    report = reverse("linking:report", args=[citation_id])
    return (
        f'<a class="findit" href="{escape(url)}" rel="nofollow"'
        f' aria-describedby="c{citation_id}-ref">{escape(_("Find it"))}</a>'
        f' <a class="report-link" href="{escape(report)}" rel="nofollow"'
        f' aria-describedby="c{citation_id}-ref">'
        f"{escape(_('Report a broken link'))}</a>"
    )


def direct_links(record_ids: set[int]) -> dict[int, tuple[str, bool]]:
    """(URL, open access) of the one active online portfolio of each record that
    has exactly one. Journals are left to Find it, which checks the cited date
    against coverage."""
    rows = list(
        Portfolio.objects.filter(record_id__in=record_ids, active=True)
        .exclude(record__format=RecordFormat.JOURNAL)
        .values_list("record_id", "url", "open_access")
    )
    by_record: dict[int, list[tuple[str, bool]]] = {}
    for record_id, url, open_access in rows:
        if str(url).lower().startswith(("http://", "https://")):
            by_record.setdefault(record_id, []).append((url, open_access))
    return {rid: links[0] for rid, links in by_record.items() if len(links) == 1}


def record_linker(keys: set[RecordKey]) -> dict[RecordKey, str]:
    """A "Full text" link for records with exactly one active online portfolio:
    through `linking:full_text` on a citation, straight to it on a record's page."""
    found = direct_links({record_id for record_id, _citation in keys})
    if not found:
        return {}
    settings_row = LinkingSettings.cached()
    out = {}
    for record_id, citation_id in keys:
        if record_id not in found:
            continue
        url, open_access = found[record_id]
        if citation_id is None:
            target = proxied_url(
                url, licensed=not open_access, settings_row=settings_row
            )
        else:
            target = reverse("linking:full_text", args=[citation_id])
        label = _("Open-access full text") if open_access else _("Full text online")
        out[(record_id, citation_id)] = (
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
