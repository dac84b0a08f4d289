"""Usage of lists: raw events, kept for a short while (LECTIO_USAGE_KEEP_DAYS, 30),
and daily counts kept for years. Nobody is named: an event holds a pseudonymous key
(a keyed hash of the account), never the account."""

from __future__ import annotations

from django.db import models


class UsageEvent(models.Model):
    at = models.DateTimeField()
    kind = models.CharField(max_length=16)
    user_key = models.CharField(max_length=32, blank=True)  # "" for a guest
    role = models.CharField(max_length=16)
    channel = models.CharField(max_length=8)
    # Plain ids, not foreign keys: a deleted list keeps its history, and recording
    # never waits on another table.
    list_id = models.IntegerField(null=True, blank=True)
    section_id = models.IntegerField(null=True, blank=True)
    citation_id = models.IntegerField(null=True, blank=True)
    course_id = models.IntegerField(null=True, blank=True)
    detail = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["list_id", "at"], name="usage_list_at"),
            models.Index(fields=["at"], name="usage_at"),
            models.Index(fields=["user_key"], name="usage_user"),
        ]


class DailyUsage(models.Model):
    """Events of one kind on one day, per list, section, citation, role and channel,
    with the number of different people behind them."""

    day = models.DateField()
    kind = models.CharField(max_length=16)
    role = models.CharField(max_length=16)
    channel = models.CharField(max_length=8)
    list_id = models.IntegerField(null=True, blank=True)
    section_id = models.IntegerField(null=True, blank=True)
    citation_id = models.IntegerField(null=True, blank=True)
    events = models.PositiveIntegerField()
    people = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["list_id", "day"], name="daily_usage_list_day"),
            models.Index(fields=["day"], name="daily_usage_day"),
            # Students' opens of items by day, read from the index alone (the
            # use reports' days around whole weeks; SQLite reads the condition's
            # columns too). Partial: other uses of the table (a list's Usage
            # page) do not pick it.
            models.Index(
                fields=["day", "citation_id", "events", "people", "kind", "role"],
                name="daily_usage_opens",
                condition=models.Q(kind="citation_open", role="student"),
            ),
        ]


class Scope(models.TextChoices):
    LIST = "list"  # the whole list
    SECTION = "section"  # one section of it
    LINK = "link"  # the whole list, one kind of link followed (the event's detail)


class DailyReach(models.Model):
    """Events of one kind on one day over a whole list, one of its sections, or one
    kind of link followed on it, per role, with the number of different people
    behind them over that whole scope and both channels. DailyUsage's people are
    per item and channel and cannot be added up (one student opening two items is
    one person); these can be shown as they are."""

    day = models.DateField()
    scope = models.CharField(max_length=8, choices=Scope.choices)
    kind = models.CharField(max_length=16)
    role = models.CharField(max_length=16)
    list_id = models.IntegerField()
    section_id = models.IntegerField(null=True, blank=True)  # scope "section"
    detail = models.CharField(max_length=40, blank=True)  # scope "link"
    events = models.PositiveIntegerField()
    people = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["list_id", "day"], name="daily_reach_list_day"),
            models.Index(fields=["day"], name="daily_reach_day"),
        ]


class RolledUpDay(models.Model):
    """A day whose raw events are in DailyUsage (also a day that had none)."""

    day = models.DateField(unique=True)


class TermItemUse(models.Model):
    """Students' opens of one item over the rolled-up days of one term, from
    DailyUsage: the sum of its events and the most different students behind them
    on one day (either channel). The roll-up rebuilds a term's rows whenever it
    rolls up one of the term's days; the library's item-use reports read them."""

    term_id = models.IntegerField()
    citation_id = models.IntegerField()
    list_id = models.IntegerField()
    opens = models.PositiveIntegerField()
    most_people_a_day = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["term_id", "citation_id"], name="term_item_use_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["term_id", "opens"], name="term_item_use_opens"),
            models.Index(fields=["term_id", "list_id"], name="term_item_use_list"),
        ]


class WeekItemUse(models.Model):
    """Students' opens of one item over the rolled-up days of one week (Monday to
    Sunday), from DailyUsage, as TermItemUse holds them for a term. The roll-up
    rebuilds a week's rows whenever it rolls up one of its days; the item-use
    reports read them for dates that are not a term's, with the daily counts of
    the days before the first whole week and after the last."""

    week = models.DateField()  # its Monday
    citation_id = models.IntegerField()
    list_id = models.IntegerField()
    opens = models.PositiveIntegerField()
    most_people_a_day = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # Also the index of an item's weeks (is it opened in these weeks?).
            models.UniqueConstraint(
                fields=["citation_id", "week"], name="week_item_use_uniq"
            )
        ]
        indexes = [
            # The weeks' rows read from the index alone, to sum them per item.
            models.Index(
                fields=["week", "citation_id", "opens", "most_people_a_day"],
                name="week_item_use_week",
            )
        ]


class SpanItemUse(models.Model):
    """Students' opens of one item over a span of 2, 4, 8, 16 or 32 weeks, from
    WeekItemUse. A span of n weeks starts on a week whose number (counted from
    SPAN_EPOCH) is a multiple of n, so any run of whole weeks is a few spans
    (recording.week_spans) whose rows the item-use reports add up to rank the
    items: for four weeks one or two spans' rows instead of four weeks' rows. The
    roll-up rebuilds the spans of a week whenever it rebuilds the week. Opens
    only: the students of a day are read for the items shown, from the weeks."""

    first_week = models.DateField()  # the Monday it starts on
    weeks = models.PositiveSmallIntegerField()
    citation_id = models.IntegerField()
    list_id = models.IntegerField()
    opens = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # One span's rows read from the index alone, in the order of the items.
            models.Index(
                fields=["weeks", "first_week", "citation_id", "list_id", "opens"],
                name="span_item_use_span",
            )
        ]


class ReportSnapshot(models.Model):
    """The counted rows of a slow library report for one scope (a term and a
    department, or none), which the report's page shows while they are fresh and
    which a background job counts again (lectio.analytics.snapshots)."""

    report = models.CharField(max_length=40)
    scope = models.CharField(max_length=64)
    rows = models.JSONField(default=list)
    counted_at = models.DateTimeField()
    # When a recount was last queued: one job per snapshot at a time.
    recount_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "scope"], name="analytics_snapshot_report_scope"
            )
        ]
