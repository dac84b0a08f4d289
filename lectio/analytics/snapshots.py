"""Counted rows of slow library reports, kept per scope.

A report that groups a million citations (titles on several lists) takes a second
or two at a large university. Its page shows the rows counted for the same scope
(term and department) up to `LECTIO_REPORT_FRESH_SECONDS` (300) ago; older rows are
shown with the time they were counted while a background job (`lectio worker`)
counts them again, and rows older than `LECTIO_REPORT_STALE_SECONDS` (3600), or a
scope nobody has asked for yet, are counted on the spot. The downloads and the API
always count on the spot.

Only what the count returns is kept (plain values: keys, titles, numbers); the page
builds its labels in the reader's language from them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from lectio.analytics.models import ReportSnapshot
from lectio.courses.models import Department, Term

Count = Callable[[Any], list[Any]]

# report name -> the function counting its rows from a Filters (registered by
# lectio.analytics.library): lists of plain values, as the JSON column gives them
# back, so a page shows the same whether counted now or read from a snapshot.
COUNTERS: dict[str, Count] = {}


@dataclass
class Counted:
    rows: list[Any]
    # When the rows shown were counted; None when counted for this request.
    counted_at: datetime.datetime | None = None
    # Whether a recount is under way (the rows are older than the fresh period).
    recounting: bool = False


def scope_of(term: Term | None, department: Department | None) -> str:
    return f"term={term.pk if term else ''};department={department.pk if department else ''}"


def _scope_filters(scope: str) -> dict[str, Any] | None:
    """The term and department of a scope; None when one of them is gone."""
    parts = dict(part.split("=", 1) for part in scope.split(";"))
    found: dict[str, Any] = {"term": None, "department": None}
    for key, model in (("term", Term), ("department", Department)):
        if parts.get(key):
            found[key] = model.objects.filter(pk=int(parts[key])).first()
            if found[key] is None:
                return None
    return found


def _store(report: str, scope: str, rows: list[Any]) -> None:
    values = {"rows": rows, "counted_at": timezone.now(), "recount_queued_at": None}
    try:
        with transaction.atomic():
            ReportSnapshot.objects.update_or_create(
                report=report, scope=scope, defaults=values
            )
    except IntegrityError:
        # Another request stored the same scope at the same moment: theirs serves.
        pass


def counted(report: str, filters: Any) -> Counted:
    """The rows of `report` (a key of COUNTERS) for `filters` (term and department
    only), from the snapshot while it is fresh enough."""
    count = COUNTERS[report]
    scope = scope_of(filters.term, filters.department)
    snapshot = ReportSnapshot.objects.filter(report=report, scope=scope).first()
    now = timezone.now()
    if snapshot is not None:
        age = (now - snapshot.counted_at).total_seconds()
        if age <= settings.LECTIO_REPORT_FRESH_SECONDS:
            return Counted(snapshot.rows, snapshot.counted_at)
        if age <= settings.LECTIO_REPORT_STALE_SECONDS:
            _queue_recount(snapshot.pk, now)
            return Counted(snapshot.rows, snapshot.counted_at, recounting=True)
    rows = count(filters)
    _store(report, scope, rows)
    return Counted(rows)


def _queue_recount(snapshot_id: int, now: datetime.datetime) -> None:
    """Queues one recount of the snapshot, unless one was queued within the fresh
    period (and has not finished: finishing clears the mark)."""
    since = now - datetime.timedelta(seconds=settings.LECTIO_REPORT_FRESH_SECONDS)
    claimed = (
        ReportSnapshot.objects.filter(pk=snapshot_id)
        .filter(Q(recount_queued_at__isnull=True) | Q(recount_queued_at__lt=since))
        .update(recount_queued_at=now)
    )
    if claimed:
        transaction.on_commit(lambda: recount_snapshot.enqueue(snapshot_id))


def recount(snapshot_id: int) -> bool:
    """Counts a snapshot's rows again; False when it is gone, or its term or
    department is (then the snapshot goes too)."""
    snapshot = ReportSnapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.report not in COUNTERS:
        return False
    scope = _scope_filters(snapshot.scope)
    if scope is None:
        snapshot.delete()
        return False
    from lectio.analytics.library import Filters

    rows = COUNTERS[snapshot.report](Filters(**scope))
    _store(snapshot.report, snapshot.scope, rows)
    return True


@task()
def recount_snapshot(snapshot_id: int) -> bool:
    """Counts the rows of one report snapshot again."""
    return recount(snapshot_id)
