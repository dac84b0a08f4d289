"""Writes of the linking app: the institution's resolver settings."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.core.concurrency import update_if_version
from lectio.core.events import event_record
from lectio.linking.models import (
    BrokenLinkReport,
    CheckedLink,
    LinkCheckResult,
    LinkingSettings,
    LinkStatus,
    OptionKind,
)

SETTINGS_FIELDS = (
    "proxy_prefix",
    "proxy_scope",
    "proxy_skip_hosts",
    "one_click",
    "external_resolver_url",
    "preference",
)


class SettingsError(ValueError):
    pass


def linking_settings_update(
    *,
    actor: Any,
    settings_row: LinkingSettings,
    expected_version: int,
    values: dict[str, Any],
) -> list[str]:
    """Saves the resolver settings; returns the names of the fields that changed.
    Preconditions: the actor is an administrator (the view checks); `values` holds
    only SETTINGS_FIELDS, the proxy prefix is empty or an https URL, and the
    preference names each option kind once. Raises StaleVersion when someone saved
    in between."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise SettingsError(f"not a linking setting: {sorted(unknown)}")
    prefix = str(values.get("proxy_prefix", settings_row.proxy_prefix) or "")
    if prefix and not prefix.lower().startswith("https://"):
        raise SettingsError(_("The proxy prefix must be an https address."))
    preference = list(values.get("preference", settings_row.preference_order))
    if sorted(preference) != sorted(OptionKind.values):
        raise SettingsError(_("Name each kind of option once."))
    values = {**values, "preference": [str(k) for k in preference]}
    with transaction.atomic():
        changed = [k for k, v in values.items() if getattr(settings_row, k) != v]
        update_if_version(
            settings_row, expected_version=expected_version, fields=values
        )
        transaction.on_commit(LinkingSettings.forget_cached)
        event_record(
            actor=actor,
            verb="linking.settings",
            target_type="linking_settings",
            target_id=settings_row.pk,
            summary=_("Changed link resolver settings: %(fields)s")
            % {"fields": ", ".join(changed)},
            params={"changed": changed},
        )
    return changed


# --- link checking -------------------------------------------------------------------

# Consecutive checks that could not tell (timeouts, 5xx) before a link counts as
# broken.
UNSURE_LIMIT = 3


def links_to_check() -> dict[str, list[tuple[int, int]]]:
    """The web URLs of citations on active lists: url -> [(citation id, list id)].
    Active: the list is not Inactive or archived, the citation not Inactive or
    Declined."""
    from lectio.lists.models import Citation
    from lectio.lists.statuses import CitationStatus, ListStatus, PublicationStatus

    rows = (
        Citation.objects.exclude(
            status__in=[CitationStatus.INACTIVE, CitationStatus.DECLINED]
        )
        .exclude(reading_list__status=ListStatus.INACTIVE)
        .exclude(reading_list__publication_status=PublicationStatus.ARCHIVED)
        .filter(metadata__has_key="URL")
        .values_list("pk", "reading_list_id", "metadata__URL")
    )
    urls: dict[str, list[tuple[int, int]]] = {}
    for citation_id, list_id, url in rows:
        text = str(url or "").strip()
        if text.lower().startswith(("http://", "https://")) and len(text) <= 2000:
            urls.setdefault(text, []).append((citation_id, list_id))
    return urls


def link_checks_record(
    *,
    outcomes: list[Any],
    citing: dict[str, list[tuple[int, int]]],
    now: datetime.datetime | None = None,
) -> list[str]:
    """Records the outcomes of a check run (`checker.Outcome`): the latest state of
    each link and a history row each. Links that became broken put the lists that
    cite them on the library's task list. Returns the newly broken URLs."""
    from lectio.lists.services import reading_lists_alert_library

    now = now or timezone.now()
    newly_broken: list[str] = []
    with transaction.atomic():
        existing = {
            link.url: link
            for link in CheckedLink.objects.filter(url__in=[o.url for o in outcomes])
        }
        history = []
        for outcome in outcomes:
            link = existing.get(outcome.url)
            if link is None:
                link = CheckedLink.objects.create(
                    url=outcome.url, host=(urlsplit(outcome.url).hostname or "")[:255]
                )
            was_broken = link.status == LinkStatus.BROKEN
            if outcome.status == LinkStatus.OK:
                link.failures = 0
                link.status = LinkStatus.OK
                link.broken_since = None
            else:
                link.failures += 1
                if outcome.status == LinkStatus.BROKEN or (
                    link.failures >= UNSURE_LIMIT
                ):
                    link.status = LinkStatus.BROKEN
                    link.broken_since = link.broken_since or now
                elif not was_broken:
                    link.status = LinkStatus.UNSURE
            link.status_code = outcome.status_code
            link.error = outcome.error[:300]
            link.checked_at = now
            link.save()
            if link.status == LinkStatus.BROKEN and not was_broken:
                newly_broken.append(link.url)
            history.append(
                LinkCheckResult(
                    link=link,
                    checked_at=now,
                    status=outcome.status,
                    status_code=outcome.status_code,
                    method=outcome.method,
                    error=outcome.error[:300],
                    attempts=outcome.attempts,
                    elapsed_ms=min(outcome.elapsed_ms, 2**31 - 1),
                )
            )
        LinkCheckResult.objects.bulk_create(history)
        list_ids = {
            list_id for url in newly_broken for _c, list_id in citing.get(url, [])
        }
        if list_ids:
            reading_lists_alert_library(list_ids=list_ids)
        event_record(
            actor=None,
            verb="links.check",
            target_type="link_check",
            target_id=None,
            summary=_("Checked %(count)d links; %(broken)d newly broken")
            % {"count": len(outcomes), "broken": len(newly_broken)},
            params={"checked": len(outcomes), "newly_broken": len(newly_broken)},
        )
    return newly_broken


class ReportError(ValueError):
    pass


def broken_link_report(
    *, actor: Any, citation: Any, note: str = ""
) -> BrokenLinkReport:
    """A reader reports that a citation's link does not work. Precondition: the actor
    may read the citation (the view's selector checks). A second report by the same
    person while the first is open changes nothing and returns the first. The list
    goes on the library's task list."""
    from lectio.lists.services import reading_lists_alert_library

    url = str((citation.metadata or {}).get("URL") or "")[:2000]
    with transaction.atomic():
        report = (
            BrokenLinkReport.objects.select_for_update()
            .filter(citation=citation, reported_by=actor, resolved_at__isnull=True)
            .first()
        )
        if report is not None:
            return report
        report = BrokenLinkReport.objects.create(
            citation=citation,
            url=url if url.lower().startswith(("http://", "https://")) else "",
            reported_by=actor,
            note=note.strip()[:500],
        )
        reading_lists_alert_library(list_ids={citation.reading_list_id})
        event_record(
            actor=actor,
            verb="link.report",
            target_type="citation",
            target_id=citation.pk,
            list_id=citation.reading_list_id,
            summary=_("Reported a broken link"),
            params={"report": report.pk},
        )
    return report


def broken_link_resolve(*, actor: Any, report: BrokenLinkReport) -> int:
    """The library dealt with a citation's link: closes every open report of that
    citation. Precondition: the actor is library staff. Returns how many closed."""
    if not getattr(actor, "is_library_staff", False):
        raise ReportError(_("Only library staff close broken-link reports."))
    with transaction.atomic():
        closed = BrokenLinkReport.objects.filter(
            citation_id=report.citation_id, resolved_at__isnull=True
        ).update(resolved_at=timezone.now(), resolved_by=actor)
        event_record(
            actor=actor,
            verb="link.resolve",
            target_type="citation",
            target_id=report.citation_id,
            list_id=report.citation.reading_list_id,
            summary=_("Closed broken-link reports"),
            params={"closed": closed},
        )
    return closed
