"""Resolving an OpenURL against the catalog: which records it means, which
electronic portfolios cover the cited date, which copies are on the shelf.

Records are found by identifier first (DOI, then ISBN, ISSN, OCLC number, LCCN,
through `catalog.RecordIdentifier`), then by title through the catalog search with a
close-match check. Portfolios come from the records found and from the cited ISSN or
ISBN directly (a journal's portfolio often has no record). Every option carries the
URL the reader is sent to, built here from the portfolio or record and the
institution's proxy: the view redirects only to these.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from lectio.catalog.availability import RecordAvailability, availability_for
from lectio.catalog.models import (
    IdentifierKind,
    Item,
    Portfolio,
    Record,
    RecordIdentifier,
)
from lectio.linking.models import LinkingSettings, OptionKind, ProxyScope
from lectio.linking.openurl import OpenURL
from lectio.lists.locate import normalise_title

# Records considered per request, and the title similarity (0-100) a record found by
# title must reach.
MAX_RECORDS = 10
TITLE_THRESHOLD = 90.0


@dataclass
class Option:
    kind: str  # OptionKind
    label: str
    url: str
    provider: str = ""
    coverage: str = ""
    note: str = ""
    proxied: bool = False
    record: Record | None = None
    portfolio_id: int | None = None
    availability: RecordAvailability | None = None
    items: list[Item] = field(default_factory=list)
    hold_url: str = ""
    record_url: str = ""
    # Whether the option certainly covers what is cited (False when the cited date
    # is unknown or falls at the edge of an embargo).
    certain: bool = True

    @property
    def online(self) -> bool:
        return self.kind in (OptionKind.LICENSED, OptionKind.OPEN_ACCESS)


@dataclass
class Resolution:
    query: OpenURL
    records: list[Record] = field(default_factory=list)
    matched_by: str = ""  # "doi", "isbn", "issn", "oclc", "lccn", "title" or ""
    options: list[Option] = field(default_factory=list)
    # Online options that do not cover the cited date (shown apart, for reference).
    not_covering: list[Option] = field(default_factory=list)
    # A link to the publisher's page by DOI, when the citation has one.
    doi_url: str = ""

    @property
    def one_click_target(self) -> str:
        """The URL to go straight to when there is exactly one good option: online,
        certainly covering the cited date."""
        online = [o for o in self.options if o.online]
        if len(online) == 1 and online[0].certain:
            return online[0].url
        return ""


def proxied_url(url: str, *, licensed: bool, settings_row: LinkingSettings) -> str:
    """The URL through the institution's proxy when it needs one. EZproxy-style: the
    target is appended to the prefix as it is (the proxy reads everything after
    `url=` as the target)."""
    if not licensed or not settings_row.proxy_prefix:
        return url
    if settings_row.proxy_scope == ProxyScope.NONE:
        return url
    host = (urlsplit(url).hostname or "").lower()
    if host in settings_row.skip_hosts:
        return url
    return settings_row.proxy_prefix + url


def _web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# --- finding records ---------------------------------------------------------------


def _identifier_records(query: OpenURL) -> tuple[list[int], str]:
    wanted: list[tuple[str, str]] = []
    if query.doi:
        wanted.append((IdentifierKind.DOI, query.doi))
    if query.isbn:
        wanted.append((IdentifierKind.ISBN, query.isbn))
    for issn in (query.issn, query.eissn):
        if issn:
            wanted.append((IdentifierKind.ISSN, issn))
    if query.oclc:
        wanted.append((IdentifierKind.OCLC, query.oclc))
    if query.lccn:
        wanted.append((IdentifierKind.LCCN, query.lccn))
    if not wanted:
        return [], ""
    condition = Q()
    for kind, value in wanted:
        condition |= Q(kind=kind, value=value)
    rows = list(
        RecordIdentifier.objects.filter(condition)
        .order_by("record_id")
        .values_list("kind", "record_id")[: MAX_RECORDS * 4]
    )
    # The most specific identifier that found anything decides: an article's DOI
    # beats its journal's ISSN.
    for kind, _value in wanted:
        ids = [record_id for k, record_id in rows if k == kind]
        if ids:
            return list(dict.fromkeys(ids))[:MAX_RECORDS], str(kind)
    return [], ""


def _title_records(query: OpenURL) -> list[int]:
    """Records whose title closely matches the title of the thing to hold: for an
    article, its journal; otherwise the book or the title given."""
    from lectio.catalog.search import SearchQuery, search

    title = query.container_title if query.atitle else query.main_title
    wanted = normalise_title(title)
    if len(wanted) < 2:
        return []
    result = search(SearchQuery(text=title[:300], limit=MAX_RECORDS, facets=False))
    found = []
    for record in result.records:
        candidates = [normalise_title(record.title)]
        if record.subtitle:
            candidates.append(normalise_title(f"{record.title} {record.subtitle}"))
        if max(fuzz.ratio(wanted, c) for c in candidates) >= TITLE_THRESHOLD:
            found.append(record.pk)
    return found


# --- coverage ------------------------------------------------------------------------


def _months_back(today: datetime.date, months: int) -> datetime.date:
    total = today.year * 12 + today.month - 1 - months
    return datetime.date(total // 12, total % 12 + 1, 1)


def _cited_month(query: OpenURL) -> int | None:
    date = query.date.strip()
    if len(date) >= 7 and date[4] == "-" and date[5:7].isdigit():
        month = int(date[5:7])
        return month if 1 <= month <= 12 else None
    return None


def coverage(
    portfolio: Portfolio, year: int | None, month: int | None, today: datetime.date
) -> tuple[bool, bool]:
    """(covers, certain) for a cited year (and month, when known)."""
    if year is None:
        return True, False
    if portfolio.coverage_from and year < portfolio.coverage_from.year:
        return False, True
    if portfolio.coverage_to and year > portfolio.coverage_to.year:
        return False, True
    certain = True
    edges = []
    if portfolio.coverage_from and year == portfolio.coverage_from.year:
        edges.append(portfolio.coverage_from)
    if portfolio.coverage_to and year == portfolio.coverage_to.year:
        edges.append(portfolio.coverage_to)
    if edges and month is None:
        certain = False
    elif month is not None:
        if portfolio.coverage_from and (year, month) < (
            portfolio.coverage_from.year,
            portfolio.coverage_from.month,
        ):
            return False, True
        if portfolio.coverage_to and (year, month) > (
            portfolio.coverage_to.year,
            portfolio.coverage_to.month,
        ):
            return False, True
    if portfolio.embargo_months:
        latest = _months_back(today, portfolio.embargo_months)
        if year > latest.year:
            return False, True
        if year == latest.year:
            if month is None:
                certain = False
            elif month >= latest.month:
                return False, True
    return True, certain


def coverage_text(portfolio: Portfolio) -> str:
    start = portfolio.coverage_from.year if portfolio.coverage_from else None
    end = portfolio.coverage_to.year if portfolio.coverage_to else None
    if start and end:
        text = _("%(start)s to %(end)s") % {"start": start, "end": end}
    elif start:
        text = _("from %(start)s") % {"start": start}
    elif end:
        text = _("until %(end)s") % {"end": end}
    else:
        text = ""
    if portfolio.embargo_months:
        wall = _("the latest %(months)d months are not available") % {
            "months": portfolio.embargo_months
        }
        text = f"{text}; {wall}" if text else wall
    return text


# --- resolving -----------------------------------------------------------------------


def resolve(
    query: OpenURL,
    *,
    settings_row: LinkingSettings | None = None,
    today: datetime.date | None = None,
) -> Resolution:
    """Every way to the cited thing the library has, in the institution's order of
    preference. Needs an understood query (`query.understood`)."""
    settings_row = settings_row or LinkingSettings.cached()
    today = today or timezone.now().date()
    resolution = Resolution(query=query)
    record_ids, matched_by = _identifier_records(query)
    if not record_ids and query.main_title:
        record_ids = _title_records(query)
        matched_by = "title" if record_ids else ""
    resolution.matched_by = matched_by
    records = {r.pk: r for r in Record.objects.filter(pk__in=record_ids)}
    resolution.records = [records[i] for i in record_ids if i in records]

    portfolio_filter = Q(record_id__in=record_ids) if record_ids else Q(pk__in=[])
    for issn in (query.issn, query.eissn):
        if issn:
            portfolio_filter |= Q(issn=issn)
    if query.isbn:
        portfolio_filter |= Q(isbn=query.isbn)
    portfolios = list(
        Portfolio.objects.filter(portfolio_filter, active=True).order_by(
            "provider", "id"
        )[:100]
    )
    month = _cited_month(query)
    for portfolio in portfolios:
        if not _web_url(portfolio.url):
            continue
        covers, certain = coverage(portfolio, query.year, month, today)
        kind = OptionKind.OPEN_ACCESS if portfolio.open_access else OptionKind.LICENSED
        url = proxied_url(
            portfolio.url,
            licensed=not portfolio.open_access,
            settings_row=settings_row,
        )
        option = Option(
            kind=kind,
            label=_("Open-access full text")
            if portfolio.open_access
            else _("Full text online"),
            url=url,
            provider=portfolio.provider,
            coverage=coverage_text(portfolio),
            proxied=url != portfolio.url,
            portfolio_id=portfolio.pk,
            record=records.get(portfolio.record_id) if portfolio.record_id else None,
            certain=certain,
        )
        if covers:
            if not certain:
                option.note = (
                    _("Check that the library's coverage includes what you need.")
                    if query.year is None
                    else _("The library's access may not include this issue.")
                )
            resolution.options.append(option)
        else:
            option.note = _("The library's access does not cover %(year)s.") % {
                "year": query.year
            }
            resolution.not_covering.append(option)

    # Links from the catalog records themselves (MARC 856) for records without a
    # portfolio: online, licensed unless the library says otherwise.
    with_portfolio = {p.record_id for p in portfolios}
    for record in resolution.records:
        if record.pk in with_portfolio:
            continue
        for link in record.urls or []:
            target = str(link.get("url") or "") if isinstance(link, dict) else ""
            if not _web_url(target):
                continue
            url = proxied_url(target, licensed=True, settings_row=settings_row)
            resolution.options.append(
                Option(
                    kind=OptionKind.LICENSED,
                    label=_("Online"),
                    url=url,
                    provider=str(link.get("note") or urlsplit(target).hostname or ""),
                    proxied=url != target,
                    record=record,
                    certain=query.year is None or record.format != "journal",
                )
            )
            break

    if resolution.records:
        ids = [r.pk for r in resolution.records]
        availability = availability_for(ids)
        items: dict[int, list[Item]] = {}
        for item in Item.objects.filter(record_id__in=ids).order_by(
            "record_id", "library", "location", "call_number", "barcode"
        ):
            items.setdefault(item.record_id, []).append(item)
        for record in resolution.records:
            copies = items.get(record.pk, [])
            if not copies:
                continue
            found = availability[record.pk]
            resolution.options.append(
                Option(
                    kind=OptionKind.PRINT,
                    label=found.label,
                    url=reverse("catalog:record", args=[record.pk]),
                    record=record,
                    availability=found,
                    items=copies,
                    hold_url=reverse("catalog:hold_place", args=[record.pk]),
                    record_url=reverse("catalog:record", args=[record.pk]),
                )
            )
    if query.doi:
        resolution.doi_url = "https://doi.org/" + quote(query.doi, safe="/")
    order = {kind: index for index, kind in enumerate(settings_row.preference_order)}
    resolution.options.sort(
        key=lambda o: (
            order.get(o.kind, 99),
            not o.certain,
            # Copies on the shelf before copies on loan.
            not (o.availability and o.availability.items_available),
            o.provider.lower(),
        )
    )
    return resolution
