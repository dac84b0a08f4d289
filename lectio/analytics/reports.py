"""How one list is used, for the people who run it: views, opens, active students,
done and like counts, week by week, and what nobody opened. Never a figure about
fewer students than the institution's threshold (`analytics_min_group`, 10): such a
figure is `Hidden`, shown as "fewer than 10".

Counts come from the daily counts for days already rolled up and from the raw
events for the rest, so the page is current to the minute. How many different
students stand behind a figure over several days is not kept (only per day), so a
figure is shown only when one day alone had enough students behind it: it may hide
a figure that was safe to show, never the other way round.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lectio.accounts.models import InstitutionSettings, Role
from lectio.analytics.models import (
    DailyReach,
    DailyUsage,
    RolledUpDay,
    Scope,
    UsageEvent,
)
from lectio.analytics.recording import reach_groups
from lectio.courses.models import CourseRole, Enrolment
from lectio.lists.models import Citation, CitationInteraction, ReadingList, Section

STUDENT = Role.STUDENT.value
MAX_DAYS = 400  # a range longer than a year and a month is refused


class BadRange(ValueError):
    pass


@dataclass(frozen=True)
class Hidden:
    """A figure about fewer than `threshold` students."""

    threshold: int

    def __str__(self) -> str:
        return f"< {self.threshold}"


Figure = int | Hidden


@dataclass
class Counts:
    events: int = 0
    most_people_a_day: int = 0  # the most different students on one day

    def add(self, events: int, people: int) -> None:
        self.events += events
        self.most_people_a_day = max(self.most_people_a_day, people)


@dataclass
class CitationUsage:
    citation: Citation
    opens: Figure
    done: Figure
    liked: Figure
    opened: bool


@dataclass
class SectionUsage:
    section: Section
    opens: Figure
    views: Figure = 0  # opened on its own (a section placed in the course site)
    citations: list[CitationUsage] = field(default_factory=list)


# How an open came about (the event's detail), in the order they are shown.
LINKS = {
    "details": _lazy("Details page"),
    "find_it": _lazy("Find it"),
    "full_text": _lazy("Full-text link"),
    "file": _lazy("File"),
}


@dataclass
class ListUsage:
    reading_list: ReadingList
    start: datetime.date
    end: datetime.date
    threshold: int
    enrolled: int
    views: Figure
    opens: Figure
    active_days_max: Figure  # students on the busiest day
    opens_by_link: list[tuple[str, str, Figure]]  # (detail, label, opens)
    weeks: list[tuple[datetime.date, Figure]]
    sections: list[SectionUsage]
    never_opened: list[Citation]
    any_events: bool

    @property
    def active_share(self) -> int | None:
        """Students on the busiest day as a percentage of those enrolled (None
        when hidden or nobody is enrolled)."""
        if isinstance(self.active_days_max, Hidden) or not self.enrolled:
            return None
        return round(100 * self.active_days_max / self.enrolled)

    def as_json(self) -> dict[str, Any]:
        def value(figure: Figure) -> Any:
            return (
                {"fewer_than": figure.threshold}
                if isinstance(figure, Hidden)
                else figure
            )

        return {
            "list_id": self.reading_list.pk,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "threshold": self.threshold,
            "enrolled_students": self.enrolled,
            "views": value(self.views),
            "opens": value(self.opens),
            "students_on_busiest_day": value(self.active_days_max),
            "share_of_enrolled_on_busiest_day": self.active_share,
            "opens_by_link": {detail: value(f) for detail, _l, f in self.opens_by_link},
            "weeks": [
                {"week_of": w.isoformat(), "views": value(v)} for w, v in self.weeks
            ],
            "sections": [
                {
                    "section": s.section.pk,
                    "name": s.section.name,
                    "opens": value(s.opens),
                    "views": value(s.views),
                    "citations": [
                        {
                            "citation": c.citation.pk,
                            "opens": value(c.opens),
                            "done": value(c.done),
                            "liked": value(c.liked),
                        }
                        for c in s.citations
                    ],
                }
                for s in self.sections
            ],
            "never_opened": [c.pk for c in self.never_opened],
        }


def date_range(
    start: str | None, end: str | None, *, default_start: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The range asked for (ISO dates), or the default: from `default_start` to
    today. Raises BadRange with a sentence for the person."""
    today = timezone.localdate()
    try:
        first = datetime.date.fromisoformat(start) if start else default_start
        last = datetime.date.fromisoformat(end) if end else today
    except ValueError:
        raise BadRange(_("Dates are written like 2026-09-28.")) from None
    if last < first:
        raise BadRange(_("The range ends before it starts."))
    if (last - first).days > MAX_DAYS:
        raise BadRange(_("A range is at most %(days)d days long.") % {"days": MAX_DAYS})
    if first > today + datetime.timedelta(days=1):
        raise BadRange(_("The range starts in the future."))
    return first, last


def term_start(reading_list: ReadingList) -> datetime.date:
    starts = [c.start_date for c in reading_list.courses.all() if c.start_date]
    today = timezone.localdate()
    start = min(starts) if starts else today - datetime.timedelta(days=90)
    return min(start, today)


# (day, citation, events, people)
Daily = tuple[datetime.date, int | None, int, int]
# (day, scope, kind, section, detail, events, people)
Reach = tuple[datetime.date, str, str, int | None, str, int, int]


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[set[datetime.date], datetime.datetime, datetime.datetime, Any]:
    rolled = set(
        RolledUpDay.objects.filter(day__gte=start, day__lte=end).values_list(
            "day", flat=True
        )
    )
    zone = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    finish = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return rolled, begin, finish, zone


def _daily(
    list_id: int, start: datetime.date, end: datetime.date, rolled: set, raw: Any
) -> list[Daily]:
    """(day, citation id, opens, different students) of the list's items, from the
    daily counts where a day is rolled up, from raw events elsewhere. Channels are
    counted apart in the daily counts: one day's students are taken as the most of
    either channel, never their sum."""
    rows: list[Daily] = [
        (day, citation_id, events, people)
        for day, citation_id, events, people in DailyUsage.objects.filter(
            list_id=list_id,
            role=STUDENT,
            kind="citation_open",
            citation_id__isnull=False,
            day__gte=start,
            day__lte=end,
        ).values_list("day", "citation_id", "events", "people")
    ]
    for row in (
        raw.filter(kind="citation_open", citation_id__isnull=False)
        .values("day", "citation_id")
        .annotate(events=Count("id"), people=Count("user_key", distinct=True))
        .order_by()
    ):
        if row["day"] not in rolled:
            rows.append((row["day"], row["citation_id"], row["events"], row["people"]))
    return rows


def _reach(
    list_id: int, start: datetime.date, end: datetime.date, rolled: set, raw: Any
) -> list[Reach]:
    """The list's student events per day over the whole list, each section and each
    kind of link followed, with the different students over each (see DailyReach)."""
    rows: list[Reach] = list(
        DailyReach.objects.filter(
            list_id=list_id, role=STUDENT, day__gte=start, day__lte=end
        ).values_list(
            "day", "scope", "kind", "section_id", "detail", "events", "people"
        )
    )
    for group in reach_groups(raw, by=("day",)):
        if group["day"] not in rolled:
            rows.append(
                (
                    group["day"],
                    group["scope"],
                    group["kind"],
                    group.get("section_id"),
                    group.get("detail", ""),
                    group["events"],
                    group["people"],
                )
            )
    return rows


def list_usage(
    reading_list: ReadingList,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> ListUsage:
    threshold = max(1, int(InstitutionSettings.cached().analytics_min_group))
    first = start or term_start(reading_list)
    last = end or timezone.localdate()

    def safe(value: int, people: int) -> Figure:
        return value if people >= threshold else Hidden(threshold)

    rolled, begin, finish, zone = _bounds(first, last)
    raw = UsageEvent.objects.filter(
        list_id=reading_list.pk, role=STUDENT, at__gte=begin, at__lt=finish
    ).annotate(day=TruncDate("at", tzinfo=zone))
    reach = _reach(reading_list.pk, first, last, rolled, raw)
    views = Counts()
    opens = Counts()
    by_citation: dict[int, Counts] = defaultdict(Counts)
    per_day_people: dict[datetime.date, int] = defaultdict(int)
    weeks: dict[datetime.date, Counts] = defaultdict(Counts)
    by_link: dict[str, Counts] = defaultdict(Counts)
    section_opens: dict[int, Counts] = defaultdict(Counts)
    section_views: dict[int, Counts] = defaultdict(Counts)
    for day, scope, kind, section_id, detail, events, people in reach:
        if scope == Scope.LIST and kind == "list_view":
            views.add(events, people)
            week = day - datetime.timedelta(days=day.weekday())
            weeks[week].add(events, people)
        elif scope == Scope.LIST and kind == "citation_open":
            opens.add(events, people)
        if scope == Scope.LIST:
            # Students who did anything that day: the most of any one kind.
            per_day_people[day] = max(per_day_people[day], people)
        elif scope == Scope.LINK:
            by_link[detail if detail in LINKS else ""].add(events, people)
        elif scope == Scope.SECTION and section_id is not None:
            if kind == "citation_open":
                section_opens[section_id].add(events, people)
            elif kind == "section_view":
                section_views[section_id].add(events, people)
    for _day, citation_id, events, people in _daily(
        reading_list.pk, first, last, rolled, raw
    ):
        if citation_id is not None:
            by_citation[citation_id].add(events, people)
    enrolled = (
        Enrolment.objects.filter(
            course__in=reading_list.courses.all(), role=CourseRole.STUDENT
        )
        .values("user_id")
        .distinct()
        .count()
    )
    citations = list(
        Citation.objects.filter(reading_list=reading_list)
        .exclude(status__in=["Inactive", "Declined"])
        .order_by("position", "id")
        # What the page and the API show of an item: a long list's thousands of
        # full rows cost more to load than the figures do to count.
        .only("id", "reading_list_id", "section_id", "title", "metadata")
    )
    marks = {
        row["citation_id"]: row
        for row in CitationInteraction.objects.filter(
            citation__reading_list=reading_list, user__role=STUDENT
        )
        .values("citation_id")
        .annotate(
            done=Count("id", filter=Q(done=True)),
            liked=Count("id", filter=Q(liked=True)),
        )
        .order_by()
    }
    sections: dict[int, SectionUsage] = {}
    ordered_sections = list(reading_list.sections.order_by("position", "id"))
    for section in ordered_sections:
        sections[section.pk] = SectionUsage(section=section, opens=0)
    never: list[Citation] = []
    for citation in citations:
        counts = by_citation.get(citation.pk, Counts())
        mark = marks.get(citation.pk, {"done": 0, "liked": 0})
        usage = CitationUsage(
            citation=citation,
            opens=safe(counts.events, counts.most_people_a_day),
            done=safe(mark["done"], mark["done"]),
            liked=safe(mark["liked"], mark["liked"]),
            opened=counts.events > 0,
        )
        if not usage.opened:
            never.append(citation)
        if citation.section_id in sections:
            sections[citation.section_id].citations.append(usage)
    for section_id, item in sections.items():
        counts = section_opens.get(section_id, Counts())
        item.opens = safe(counts.events, counts.most_people_a_day)
        viewed = section_views.get(section_id, Counts())
        item.views = safe(viewed.events, viewed.most_people_a_day)
    busiest = max(per_day_people.values(), default=0)
    week_list = []
    week = first - datetime.timedelta(days=first.weekday())
    while week <= last:
        counts = weeks.get(week, Counts())
        week_list.append((week, safe(counts.events, counts.most_people_a_day)))
        week += datetime.timedelta(days=7)
    return ListUsage(
        reading_list=reading_list,
        start=first,
        end=last,
        threshold=threshold,
        enrolled=enrolled,
        views=safe(views.events, views.most_people_a_day),
        opens=safe(opens.events, opens.most_people_a_day),
        active_days_max=safe(busiest, busiest),
        opens_by_link=[
            (detail, str(label), safe(c.events, c.most_people_a_day))
            for detail, label in [*LINKS.items(), ("", _("Other"))]
            if (c := by_link.get(detail)) is not None
        ],
        weeks=week_list,
        sections=[s for s in sections.values() if s.citations],
        never_opened=never,
        any_events=bool(reach),
    )
