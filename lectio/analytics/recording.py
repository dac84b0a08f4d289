"""Writing usage events, erasing a person's, and rolling old ones up into daily
counts."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from lectio.analytics.models import (
    DailyReach,
    DailyUsage,
    RolledUpDay,
    Scope,
    SpanItemUse,
    TermItemUse,
    UsageEvent,
    WeekItemUse,
)
from lectio.core.usage import Usage
from lectio.courses.models import Term

STUDENT = "student"


def user_key(user_id: int | None) -> str:
    """A pseudonymous key for an account: the same for the same person, and no way
    back to them without the site's secret key."""
    if user_id is None:
        return ""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"usage:{user_id}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:32]


def write(events: list[Usage]) -> None:
    """The usage module's sink: one INSERT for the batch."""
    UsageEvent.objects.bulk_create(
        [
            UsageEvent(
                at=e.at,
                kind=e.kind,
                user_key=user_key(e.user_id),
                role=e.role,
                channel=e.channel,
                list_id=e.list_id,
                section_id=e.section_id,
                citation_id=e.citation_id,
                course_id=e.course_id,
                detail=e.detail,
            )
            for e in events
        ],
        batch_size=500,
    )


def usage_erase(*, user_id: int) -> int:
    """Deletes the person's raw events; returns how many."""
    return UsageEvent.objects.filter(user_key=user_key(user_id)).delete()[0]


def erase_deleted_user(sender: Any, instance: Any, **_kwargs: Any) -> None:
    usage_erase(user_id=instance.pk)


@transaction.atomic
def roll_up(*, day: datetime.date, refresh_terms: bool = True) -> int:
    """Daily counts for `day` from its raw events, replacing any made before (so a
    second run gives the same rows); returns how many rows. With `refresh_terms`
    the item totals of the day's week and of the terms that hold it are rebuilt
    too (`roll_up_and_purge` rebuilds them once, after all its days)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = start + datetime.timedelta(days=1)
    DailyUsage.objects.filter(day=day).delete()
    DailyReach.objects.filter(day=day).delete()
    events = UsageEvent.objects.filter(at__gte=start, at__lt=end)
    groups = (
        events.values("kind", "role", "channel", "list_id", "section_id", "citation_id")
        .annotate(events=Count("id"), people=Count("user_key", distinct=True))
        .order_by()
    )
    rows = [DailyUsage(day=day, **group) for group in groups]
    DailyUsage.objects.bulk_create(rows, batch_size=1000)
    reach = [
        DailyReach(day=day, **group)
        for group in reach_groups(events.filter(list_id__isnull=False))
    ]
    DailyReach.objects.bulk_create(reach, batch_size=1000)
    RolledUpDay.objects.get_or_create(day=day)
    if refresh_terms:
        term_use_rebuild(terms_of_days([day]))
        week_use_rebuild(weeks_of_days([day]))
        span_use_rebuild(weeks_of_days([day]))
    return len(rows) + len(reach)


def terms_of_days(days: list[datetime.date]) -> list[Term]:
    """The terms whose dates hold any of `days`."""
    if not days:
        return []
    first, last = min(days), max(days)
    candidates = Term.objects.filter(
        start_date__isnull=False,
        end_date__isnull=False,
        start_date__lte=last,
        end_date__gte=first,
    )
    return [
        t
        for t in candidates
        if t.start_date
        and t.end_date
        and any(t.start_date <= d <= t.end_date for d in days)
    ]


def term_use_rebuild(terms: list[Term]) -> int:
    """Rebuilds TermItemUse for `terms` from the daily counts of their days, in one
    INSERT ... SELECT each; returns the rows written."""
    written = 0
    for term in terms:
        if term.start_date is not None and term.end_date is not None:
            written += _item_use_rebuild(
                TermItemUse, "term_id", term.pk, term.start_date, term.end_date
            )
    return written


def weeks_of_days(days: list[datetime.date]) -> list[datetime.date]:
    """The Mondays of the weeks that hold `days`."""
    return sorted({d - datetime.timedelta(days=d.weekday()) for d in days})


def week_use_rebuild(weeks: list[datetime.date]) -> int:
    """Rebuilds WeekItemUse for the weeks beginning on the Mondays `weeks`, as
    `term_use_rebuild` does for terms; returns the rows written."""
    return sum(
        _item_use_rebuild(
            WeekItemUse, "week", monday, monday, monday + datetime.timedelta(days=6)
        )
        for monday in weeks
    )


# The lengths in weeks of the spans kept (SpanItemUse), and the Monday their
# weeks are counted from: a span of n weeks starts on a multiple of n.
SPANS = (2, 4, 8, 16, 32)
SPAN_EPOCH = datetime.date(2001, 1, 1)  # a Monday


def span_start(monday: datetime.date, weeks: int) -> datetime.date:
    """The first Monday of the span of `weeks` weeks that holds the week of
    `monday`."""
    number = (monday - SPAN_EPOCH).days // 7
    return SPAN_EPOCH + datetime.timedelta(weeks=number - number % weeks)


def week_spans(
    first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, int]]:
    """The whole weeks from the Monday `first` to the Monday `last` as the fewest
    kept spans, (first Monday, weeks) each, one week being a span of 1: at each
    week the longest span that starts there and ends by `last`."""
    found: list[tuple[datetime.date, int]] = []
    week = first
    while week <= last:
        size = next(
            n
            for n in (*reversed(SPANS), 1)
            if span_start(week, n) == week
            and week + datetime.timedelta(weeks=n - 1) <= last
        )
        found.append((week, size))
        week += datetime.timedelta(weeks=size)
    return found


def span_use_rebuild(weeks: list[datetime.date]) -> int:
    """Rebuilds the spans (SpanItemUse) that hold the weeks beginning on the
    Mondays `weeks`, shortest first, each from the two halves it is made of (the
    weeks' totals for a span of two); returns the rows written. Run after
    `week_use_rebuild` of the same weeks."""
    written = 0
    for size in SPANS:
        for first in sorted({span_start(w, size) for w in weeks}):
            written += _span_rebuild(first, size)
    return written


def _span_rebuild(first: datetime.date, size: int) -> int:
    half = size // 2
    last_half = connection.ops.adapt_datefield_value(
        first + datetime.timedelta(weeks=half)
    )
    start = connection.ops.adapt_datefield_value(first)
    params: list[Any]
    if half == 1:
        source = WeekItemUse._meta.db_table
        where, params = "week >= %s AND week <= %s", [start, last_half]
    else:
        source = SpanItemUse._meta.db_table
        where = "weeks = %s AND first_week >= %s AND first_week <= %s"
        params = [half, start, last_half]
    with transaction.atomic(), connection.cursor() as cursor:
        SpanItemUse.objects.filter(weeks=size, first_week=first).delete()
        cursor.execute(
            f"INSERT INTO {SpanItemUse._meta.db_table} "
            "(first_week, weeks, citation_id, list_id, opens) "
            "SELECT %s, %s, citation_id, MAX(list_id), SUM(opens) "
            f"FROM {source} WHERE {where} GROUP BY citation_id",
            [start, size, *params],
        )
        return max(cursor.rowcount, 0)


def _item_use_rebuild(
    model: type[TermItemUse] | type[WeekItemUse],
    period_field: str,
    period: Any,
    first: datetime.date,
    last: datetime.date,
) -> int:
    """Replaces the rows of one period (a term or a week) by the students' opens
    of each item over its days, from the daily counts."""
    value = period
    if isinstance(period, datetime.date):
        value = connection.ops.adapt_datefield_value(period)
    with transaction.atomic(), connection.cursor() as cursor:
        model.objects.filter(**{period_field: period}).delete()
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} "
            f"({period_field}, citation_id, list_id, opens, most_people_a_day) "
            "SELECT %s, citation_id, MAX(list_id), SUM(events), MAX(people) "
            f"FROM {DailyUsage._meta.db_table} WHERE kind = %s AND role = %s "
            "AND citation_id IS NOT NULL AND list_id IS NOT NULL "
            "AND day >= %s AND day <= %s GROUP BY citation_id",
            [
                value,
                "citation_open",
                STUDENT,
                connection.ops.adapt_datefield_value(first),
                connection.ops.adapt_datefield_value(last),
            ],
        )
        return max(cursor.rowcount, 0)


def reach_groups(
    events: QuerySet[UsageEvent], *, by: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    """DailyReach's rows (without the day) for some events: per list, per section
    and per kind of link followed, each with the different people over the whole
    group. `by` adds grouping fields (the report adds the day)."""
    scopes: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
        (Scope.LIST, (), {}),
        (Scope.SECTION, ("section_id",), {"section_id__isnull": False}),
        (Scope.LINK, ("detail",), {"kind": "citation_open"}),
    ]
    for scope, fields, where in scopes:
        grouped = (
            events.filter(**where)
            .values(*by, "kind", "role", "list_id", *fields)
            .annotate(events=Count("id"), people=Count("user_key", distinct=True))
            .order_by()
        )
        for group in grouped:
            yield {"scope": scope, **group}


def keep_days() -> int:
    return int(getattr(settings, "LECTIO_USAGE_KEEP_DAYS", 30))


def roll_up_and_purge(*, today: datetime.date | None = None) -> dict[str, int]:
    """Rolls up each day that is over (before `today`) and not rolled up yet, then
    deletes raw events older than the keeping period. Safe to run any number of
    times: a second run the same day does nothing."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    last = RolledUpDay.objects.order_by("-day").values_list("day", flat=True).first()
    first = UsageEvent.objects.order_by("at").values_list("at", flat=True).first()
    rolled = 0
    days = 0
    if first is not None:
        day = timezone.localtime(first, zone).date()
        if last is not None:
            day = max(day, last + datetime.timedelta(days=1))
        done: list[datetime.date] = []
        while day < today:
            rolled += roll_up(day=day, refresh_terms=False)
            done.append(day)
            days += 1
            day += datetime.timedelta(days=1)
        term_use_rebuild(terms_of_days(done))
        week_use_rebuild(weeks_of_days(done))
        span_use_rebuild(weeks_of_days(done))
    cutoff = datetime.datetime.combine(
        today - datetime.timedelta(days=keep_days()), datetime.time.min, tzinfo=zone
    )
    purged = UsageEvent.objects.filter(at__lt=cutoff).delete()[0]
    return {"days": days, "rows": rolled, "purged": purged}
