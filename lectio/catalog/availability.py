"""Availability of catalog records, derived from their items, portfolios and reserves.

`availability_for(ids)` answers for many records at once in three queries (items
grouped by record and status, portfolios, reserves), for list pages and search
results. `refresh(ids)` writes the two flags the search filters read
(`Record.available_now`, `Record.on_reserve`); whoever changes items, portfolios or
reserves calls it in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lectio.catalog.models import CourseReserve, Item, ItemStatus, Portfolio, Record

# Statuses in which a copy can still be had: on the shelf.
AVAILABLE_STATUSES = (ItemStatus.AVAILABLE,)
# Statuses that will come back by themselves (a due date, a transfer, a hold shelf).
RETURNING_STATUSES = (
    ItemStatus.ON_LOAN,
    ItemStatus.IN_TRANSIT,
    ItemStatus.ON_HOLD_SHELF,
    ItemStatus.IN_PROCESS,
)


@dataclass(frozen=True)
class RecordAvailability:
    record_id: int
    items_total: int = 0
    items_available: int = 0
    items_returning: int = 0
    # The soonest due date among copies on loan.
    earliest_due: datetime.date | None = None
    online: bool = False
    open_access: bool = False
    on_reserve: bool = False

    @property
    def status(self) -> str:
        """One word for styling: available, online, on_loan, unavailable, not_held."""
        if self.items_available:
            return "available"
        if self.online:
            return "online"
        if self.items_returning:
            return "on_loan"
        if self.items_total:
            return "unavailable"
        return "not_held"

    @property
    def available_now(self) -> bool:
        return bool(self.items_available) or self.online

    @property
    def label(self) -> str:
        """What a reader is told: "Available (2 of 3 copies)", "Online",
        "On loan, due 12 December 2026", "Not available", "Not held by the library"."""
        status = self.status
        if status == "available":
            text = ngettext(
                "Available (%(available)d of %(total)d copy)",
                "Available (%(available)d of %(total)d copies)",
                self.items_total,
            ) % {"available": self.items_available, "total": self.items_total}
            if self.online:
                text += " · " + (_("Open access") if self.open_access else _("Online"))
            return text
        if status == "online":
            return _("Open access online") if self.open_access else _("Online")
        if status == "on_loan":
            if self.earliest_due:
                return _("On loan, due %(date)s") % {
                    "date": date_format(self.earliest_due, "DATE_FORMAT")
                }
            return _("On loan")
        if status == "unavailable":
            return _("Not available")
        return _("Not held by the library")


@dataclass
class _Counts:
    total: int = 0
    available: int = 0
    returning: int = 0
    due: datetime.date | None = None


def availability_for(record_ids: Iterable[int]) -> dict[int, RecordAvailability]:
    """Availability of each record (every id given has an entry)."""
    ids = sorted(set(record_ids))
    if not ids:
        return {}
    counts = {i: _Counts() for i in ids}
    rows = (
        Item.objects.filter(record_id__in=ids)
        .values("record_id", "status")
        .annotate(n=Count("id"), due=Min("due_date"))
    )
    for row in rows:
        entry = counts[row["record_id"]]
        entry.total += row["n"]
        if row["status"] in AVAILABLE_STATUSES:
            entry.available += row["n"]
        elif row["status"] in RETURNING_STATUSES:
            entry.returning += row["n"]
            due = row["due"] if row["status"] == ItemStatus.ON_LOAN else None
            if due and (entry.due is None or due < entry.due):
                entry.due = due
    online: dict[int, bool] = {}
    for record_id, open_access in Portfolio.objects.filter(
        record_id__in=ids, active=True
    ).values_list("record_id", "open_access"):
        online[record_id] = online.get(record_id, False) or open_access
    for record_id, urls in Record.objects.filter(id__in=ids).values_list("id", "urls"):
        if urls and record_id not in online:
            online[record_id] = False
    reserved = set(
        CourseReserve.objects.filter(item__record_id__in=ids, active=True).values_list(
            "item__record_id", flat=True
        )
    )
    return {
        i: RecordAvailability(
            record_id=i,
            items_total=counts[i].total,
            items_available=counts[i].available,
            items_returning=counts[i].returning,
            earliest_due=counts[i].due,
            online=i in online,
            open_access=online.get(i, False),
            on_reserve=i in reserved,
        )
        for i in ids
    }


def refresh(record_ids: Iterable[int]) -> int:
    """Write `available_now` and `on_reserve` for these records; returns how many
    changed. Two UPDATEs per distinct flag combination, whatever the number of ids."""
    ids = list(set(record_ids))
    changed = 0
    for start in range(0, len(ids), 5000):
        batch = availability_for(ids[start : start + 5000])
        groups: dict[tuple[bool, bool], list[int]] = {}
        for record_id, a in batch.items():
            groups.setdefault((a.available_now, a.on_reserve), []).append(record_id)
        for (available_now, on_reserve), members in groups.items():
            changed += (
                Record.objects.filter(id__in=members)
                .filter(~Q(available_now=available_now) | ~Q(on_reserve=on_reserve))
                .update(available_now=available_now, on_reserve=on_reserve)
            )
    return changed
