"""The library's reports: lists by status, lists not sent in time, turnaround,
requests, titles shared between lists, material types and availability, purchases
and digitization, the most and least used items, and cost per use.

Each report is a function of `Filters` (term, department, dates) that returns a
`Report`: tables of plain values (numbers, text, dates, `Hidden`), and the bars of
one chart. The page, the downloads (CSV, XLSX) and the API all render the same
`Report`. A figure about students (how many different students stood behind a
count) is `Hidden` below the institution's threshold; counts of events are not
about students and are shown as they are.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.analytics import snapshots
from lectio.analytics.models import (
    DailyUsage,
    RolledUpDay,
    SpanItemUse,
    TermItemUse,
    UsageEvent,
    WeekItemUse,
)
from lectio.analytics.recording import week_spans
from lectio.analytics.reports import MAX_DAYS, BadRange, Hidden
from lectio.catalog.models import Item, Portfolio, Record
from lectio.courses.models import Course, Department, Term
from lectio.lists.models import Citation, MaterialType, ReadingList
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CitationStatus, ListStatus, PublicationStatus
from lectio.workflow.models import ProcessingRequest, RequestKind, RequestState
from lectio.workflow.services import parse_page_ranges

STUDENT = Role.STUDENT.value
# Rows a table shows on the page; the downloads and the API carry them all.
PAGE_ROWS = 200
TOP = 25  # most and least used items, titles on most lists
# Up to this many different submit-by dates, lists-not-sent compares each list's
# sending with the moment after its date; beyond, it converts each to a day.
DUE_DAYS = 60
LISTED = ReadingList.courses.through


class BadFilter(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Filters:
    term: Term | None = None
    department: Department | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None

    def as_params(self) -> dict[str, str]:
        params = {}
        if self.term:
            params["term"] = self.term.code
        if self.department:
            params["department"] = self.department.code
        if self.start:
            params["from"] = self.start.isoformat()
        if self.end:
            params["to"] = self.end.isoformat()
        return params


def parse_filters(params: Any) -> Filters:
    """Filters from query parameters (`term` and `department` by code, `from` and
    `to` ISO dates, each optional). Raises BadFilter with a sentence for the
    person."""
    term = department = None
    code = (params.get("term") or "").strip()
    if code:
        term = Term.objects.filter(code=code).first()
        if term is None:
            raise BadFilter("term", _("There is no term with the code %s.") % code)
    code = (params.get("department") or "").strip()
    if code:
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise BadFilter(
                "department", _("There is no department with the code %s.") % code
            )
    dates: list[datetime.date | None] = []
    for name in ("from", "to"):
        text = (params.get(name) or "").strip()
        try:
            dates.append(datetime.date.fromisoformat(text) if text else None)
        except ValueError:
            raise BadFilter(name, _("Dates are written like 2026-09-28.")) from None
    start, end = dates
    if start and end:
        if end < start:
            raise BadFilter("to", _("The range ends before it starts."))
        if (end - start).days > MAX_DAYS:
            raise BadFilter(
                "to", _("A range is at most %(days)d days long.") % {"days": MAX_DAYS}
            )
    for day, name in ((start, "from"), (end, "to")):
        if day and not (datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 1, 1)):
            raise BadFilter(name, _("Choose a date between 2000 and 2100."))
    return Filters(term=term, department=department, start=start, end=end)


@dataclass
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    empty: str = ""
    # How many rows the whole table has, when `rows` holds only the first ones
    # (`run(..., rows=N)`); None when `rows` is the whole table.
    total: int | None = None

    @property
    def count(self) -> int:
        return len(self.rows) if self.total is None else self.total

    def records(self) -> list[dict[str, Any]]:
        return [
            {c.key: value for c, value in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]


@dataclass
class Bar:
    label: str
    value: float


@dataclass
class Report:
    name: str
    title: str
    filters: Filters
    tables: list[Table]
    chart_title: str = ""
    chart: list[Bar] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    threshold: int = 10
    # The period the figures cover, where the report has one.
    period: tuple[datetime.date, datetime.date] | None = None

    @property
    def empty(self) -> bool:
        return not any(t.rows for t in self.tables)

    @property
    def chart_max(self) -> float:
        return max((b.value for b in self.chart), default=0)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "filters": self.filters.as_params(),
            "from": self.period[0].isoformat() if self.period else None,
            "to": self.period[1].isoformat() if self.period else None,
            "threshold": self.threshold,
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "columns": [
                        {"key": c.key, "label": c.label, "numeric": c.numeric}
                        for c in t.columns
                    ],
                    "rows": [
                        {
                            c.key: json_value(v)
                            for c, v in zip(t.columns, row, strict=True)
                        }
                        for row in t.rows
                    ],
                }
                for t in self.tables
            ],
            "chart": {
                "title": self.chart_title,
                "bars": [{"label": b.label, "value": b.value} for b in self.chart],
            },
            "notes": self.notes,
        }


def json_value(value: Any) -> Any:
    if isinstance(value, Hidden):
        return {"fewer_than": value.threshold}
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Spec:
    name: str
    title: Any
    description: Any
    build: Callable[..., Report]
    # Which filters apply, and what the dates filter.
    uses_dates: Any = ""
    # Whether `build` takes `rows=` and then makes only that many rows of a long
    # table (and counts the rest in the database).
    pages: bool = False
    # Whether `build` takes `snapshot=True` and then may show rows counted a few
    # minutes ago (lectio.analytics.snapshots): the page asks for it.
    snapshots: bool = False


REPORTS: dict[str, Spec] = {}


def _report(
    name: str,
    title: Any,
    description: Any,
    uses_dates: Any = "",
    pages: bool = False,
    snapshots: bool = False,
) -> Any:
    def register(build: Callable[..., Report]) -> Any:
        REPORTS[name] = Spec(
            name, title, description, build, uses_dates, pages, snapshots
        )
        return build

    return register


def threshold() -> int:
    return max(1, int(InstitutionSettings.cached().analytics_min_group))


def run(
    name: str, filters: Filters, *, rows: int | None = None, snapshot: bool = False
) -> Report:
    """The report `name` (a key of REPORTS) for `filters`. With `rows`, a report
    that pages may make only the first `rows` rows of a table (its `total` says how
    many there are); the page asks for what it shows, the downloads for all. With
    `snapshot`, a slow report may show rows counted a few minutes ago (the page
    asks for it; the downloads and the API count on the spot)."""
    spec = REPORTS[name]
    limit = threshold()
    options: dict[str, Any] = {}
    if spec.pages and rows is not None:
        options["rows"] = rows
    if spec.snapshots and snapshot:
        options["snapshot"] = True
    report = spec.build(filters, limit, **options)
    report.threshold = limit
    report.name = name
    report.title = str(spec.title)
    return report


# --- scoping ----------------------------------------------------------------------


def _scoped_links(filters: Filters) -> QuerySet:
    links = LISTED.objects.all()
    if filters.term:
        links = links.filter(course__terms=filters.term)
    if filters.department:
        links = links.filter(course__academic_department=filters.department)
    return links


def _scoped_lists(filters: Filters) -> QuerySet[ReadingList]:
    lists = ReadingList.objects.all()
    if filters.term or filters.department:
        lists = lists.filter(pk__in=_scoped_links(filters).values("readinglist_id"))
    return lists


def _in_dates(
    queryset: QuerySet, field_name: str, filters: Filters, *, datetime_field: bool
) -> QuerySet:
    zone = timezone.get_current_timezone()
    if filters.start:
        if datetime_field:
            begin = datetime.datetime.combine(filters.start, datetime.time.min, zone)
            queryset = queryset.filter(**{f"{field_name}__gte": begin})
        else:
            queryset = queryset.filter(**{f"{field_name}__gte": filters.start})
    if filters.end:
        if datetime_field:
            finish = datetime.datetime.combine(
                filters.end + datetime.timedelta(days=1), datetime.time.min, zone
            )
            queryset = queryset.filter(**{f"{field_name}__lt": finish})
        else:
            queryset = queryset.filter(**{f"{field_name}__lte": filters.end})
    return queryset


def _department_names() -> dict[int | None, str]:
    names: dict[int | None, str] = dict(Department.objects.values_list("pk", "name"))
    names[None] = _("No department")
    return names


def _empty_message(filters: Filters) -> str:
    if filters.term or filters.department or filters.start or filters.end:
        return _("Nothing matches these filters.")
    return _("Nothing to report yet.")


# --- lists ------------------------------------------------------------------------


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ListStatus.choices}


@_report(
    "lists-by-status",
    _lazy("Lists by status and department"),
    _lazy("How many lists are in each status, by the department of their courses."),
)
def lists_by_status(filters: Filters, threshold: int) -> Report:
    labels = _status_labels()
    grid: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dept, status, n in (
        _scoped_links(filters)
        .values_list("course__academic_department", "readinglist__status")
        .annotate(n=Count("readinglist", distinct=True))
        .order_by()
    ):
        grid[dept][status] += n
    totals = dict(
        _scoped_lists(filters)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    statuses = [s for s in labels if s in totals] + sorted(
        s for s in totals if s not in labels
    )
    names = _department_names()
    rows: list[list[Any]] = []
    for dept in sorted(grid, key=lambda d: names.get(d, "")):
        counts = grid[dept]
        rows.append(
            [
                names.get(dept, ""),
                *[counts.get(s, 0) for s in statuses],
                sum(counts.values()),
            ]
        )
    columns = [
        Column("department", _("Department")),
        *[Column(s, labels.get(s, s), numeric=True) for s in statuses],
        Column("total", _("Total"), numeric=True),
    ]
    report = Report(
        "",
        "",
        filters,
        [
            Table(
                "by_department",
                _("Lists by department"),
                columns,
                rows,
                _empty_message(filters),
            )
        ],
        chart_title=_("Lists by status"),
        chart=[Bar(labels.get(s, s), totals[s]) for s in statuses],
    )
    if rows:
        report.notes.append(
            _(
                "A list that serves courses of two departments counts in both rows; "
                "the chart counts each list once."
            )
        )
    return report


# What a row of lists-not-sent reads: the course, then its list (blank for none).
_LATE_COLUMNS = (
    "c_code",
    "c_section",
    "c_name",
    "c_dept",
    "c_due",
    "l_code",
    "l_status",
    "sent",
)
_LATE_ORDER = ("c_due", "c_code", "c_section", "l_code")


def _late_links(late: QuerySet) -> QuerySet:
    return late.annotate(
        c_code=F("course__code"),
        c_section=F("course__section"),
        c_name=F("course__name"),
        c_dept=F("course__academic_department"),
        c_due=F("course__submit_lists_by"),
        l_code=F("readinglist__code"),
        l_status=F("readinglist__status"),
        sent=F("readinglist__sent_to_library_at"),
    ).values_list(*_LATE_COLUMNS)


def _lists_late_rows(late: QuerySet, bare: QuerySet) -> QuerySet:
    """Every row of lists-not-sent, in its order: the late links and the courses
    with no list."""
    return (
        _late_links(late)
        .order_by()
        .union(
            bare.annotate(
                c_code=F("code"),
                c_section=F("section"),
                c_name=F("name"),
                c_dept=F("academic_department"),
                c_due=F("submit_lists_by"),
                l_code=Value("", output_field=CharField()),
                l_status=Value("", output_field=CharField()),
                sent=Value(None, output_field=DateTimeField()),
            )
            .values_list(*_LATE_COLUMNS)
            .order_by(),
            all=True,
        )
        .order_by(*_LATE_ORDER)
    )


def _first_late_rows(
    late: QuerySet, courses: QuerySet, bare: QuerySet, rows: int
) -> list[tuple]:
    """The first `rows` rows of lists-not-sent, as `_lists_late_rows` orders them.
    Every course behind gives at least one row, so the first `rows` courses with
    a late list and the first `rows` with none hold them, each read in order from
    the index of submit-by dates and stopping there; the database orders the two
    together (its collation, not Python's); then those courses' late lists, by
    code. Small queries instead of sorting every late row for a page."""
    order = ("submit_lists_by", "code", "section")
    with_late = set(
        courses.filter(Exists(late.filter(course_id=OuterRef("pk"))))
        .order_by(*order)
        .values_list("pk", flat=True)[:rows]
    )
    first_bare = list(bare.order_by(*order).values_list("pk", flat=True)[:rows])
    behind = list(
        Course.objects.filter(pk__in=[*with_late, *first_bare])
        .order_by(*order)
        .values_list(
            "pk", "code", "section", "name", "academic_department", "submit_lists_by"
        )[:rows]
    )
    lists: dict[int, list[tuple]] = defaultdict(list)
    for course_id, *row in (
        late.filter(course_id__in=[c[0] for c in behind if c[0] in with_late])
        .order_by("readinglist__code")
        .values_list(
            "course_id",
            "readinglist__code",
            "readinglist__status",
            "readinglist__sent_to_library_at",
        )
    ):
        lists[course_id].append(tuple(row))
    found: list[tuple] = []
    for pk, *course in behind:
        if pk not in with_late:
            found.append((*course, "", "", None))
        # A list sent between these queries leaves its course with no late list
        # here, and no row.
        found.extend((*course, *row) for row in lists.get(pk, []))
    return found[:rows]


@_report(
    "lists-not-sent",
    _lazy("Lists not sent by the submit-by date"),
    _lazy(
        "Courses with a submit-lists-by date whose list was not sent to the library "
        "by then, or that have no list."
    ),
    uses_dates=_lazy("the submit-by date"),
    pages=True,
)
def lists_not_sent(filters: Filters, threshold: int, rows: int | None = None) -> Report:
    def due(queryset: QuerySet, to_course: str = "") -> QuerySet:
        """The courses with a submit-by date in the filters (through `to_course`:
        the links filter their course's columns, which is faster than a subquery)."""
        queryset = queryset.filter(
            **{
                f"{to_course}submit_lists_by__isnull": False,
                f"{to_course}no_list_expected": False,
            }
        )
        if filters.term:
            queryset = queryset.filter(**{f"{to_course}terms": filters.term})
        if filters.department:
            queryset = queryset.filter(
                **{f"{to_course}academic_department": filters.department}
            )
        return _in_dates(
            queryset, f"{to_course}submit_lists_by", filters, datetime_field=False
        )

    courses = due(Course.objects.all())
    # The database picks the late ones: a course's lists (not inactive) not sent
    # by the day, in the institution's time zone, and the courses with none. There
    # are few submit-by dates (one or two a term), so each becomes the moment its
    # next day begins and the rows compare with that, not each converted apart.
    zone = timezone.get_current_timezone()
    sent_at = "readinglist__sent_to_library_at"
    active = LISTED.objects.exclude(readinglist__status=ListStatus.INACTIVE)
    late = due(active, "course__")
    # The days are read without the term's and the department's courses (SQLite
    # reads them from the index alone): those courses' days are among them, and a
    # day none of them has matches none of their rows. Unless there are too many:
    # then the filtered courses' own.
    dated = _in_dates(
        Course.objects.filter(submit_lists_by__isnull=False, no_list_expected=False),
        "submit_lists_by",
        filters,
        datetime_field=False,
    )
    days = list(dated.values_list("submit_lists_by", flat=True).distinct().order_by())
    if len(days) > DUE_DAYS:
        days = list(
            courses.values_list("submit_lists_by", flat=True).distinct().order_by()
        )
    late_sent = Q()
    if len(days) <= DUE_DAYS:
        for day in days:
            late_sent |= Q(
                course__submit_lists_by=day,
                **{
                    f"{sent_at}__gte": datetime.datetime.combine(
                        day + datetime.timedelta(days=1), datetime.time.min, zone
                    )
                },
            )
    else:
        late = late.alias(sent_day=TruncDate(sent_at, tzinfo=zone))
        late_sent = Q(sent_day__gt=F("course__submit_lists_by"))
    late = late.filter(Q(**{f"{sent_at}__isnull": True}) | late_sent)
    bare = courses.exclude(Exists(active.filter(course_id=OuterRef("pk"))))
    shown: Iterable[tuple] = (
        _lists_late_rows(late, bare)
        if rows is None
        else _first_late_rows(late, courses, bare, rows)
    )
    # The counts read every row, so the courses with no list are those outside
    # one set of the listed courses, made once (for a page, one course after
    # another is quicker), and they group by a computed department (the same
    # number) so that SQLite reads the rows as they lie instead of every course
    # through the department index, three times slower.
    unlisted = courses.exclude(pk__in=active.values("course_id"))
    course_dept = ExpressionWrapper(
        F("academic_department") + 0, output_field=IntegerField()
    )
    link_dept = ExpressionWrapper(
        F("course__academic_department") + 0, output_field=IntegerField()
    )
    late_by_dept: dict[int | None, int] = defaultdict(int)
    for dept_id, n in (
        late.values_list(link_dept)
        .annotate(n=Count("pk"))
        .order_by()
        .union(
            unlisted.values_list(course_dept).annotate(n=Count("pk")).order_by(),
            all=True,
        )
    ):
        late_by_dept[dept_id] += n
    names = _department_names()
    labels = _status_labels()
    today = timezone.localdate()
    table: list[list[Any]] = []
    sent_late, not_sent, no_list = _("Sent late"), _("Not sent"), _("No list")
    for code, section, name, dept, day, list_code, status, sent in shown:
        sent_day = sent.astimezone(zone).date() if sent else None
        if sent_day:
            state = sent_late
        elif list_code:
            state = not_sent
        else:
            state = no_list
        table.append(
            [
                f"{code}-{section}" if section else code,
                name,
                names.get(dept, ""),
                day,
                list_code,
                labels.get(status, status),
                state,
                sent_day,
                max(0, ((sent_day or today) - day).days),
            ]
        )
    total = sum(late_by_dept.values())
    by_name: dict[str, int] = defaultdict(int)
    for dept, n in late_by_dept.items():
        by_name[names.get(dept, "")] += n
    columns = [
        Column("course", _("Course")),
        Column("name", _("Name")),
        Column("department", _("Department")),
        Column("submit_by", _("Submit by")),
        Column("list", _("List")),
        Column("status", _("List status")),
        Column("state", _("Sent?")),
        Column("sent_on", _("Sent on")),
        Column("days_late", _("Days late"), numeric=True),
    ]
    return Report(
        "",
        "",
        filters,
        [
            Table(
                "courses",
                _("Courses"),
                columns,
                table,
                _("Every list was sent in time.")
                if table or courses.exists()
                else _empty_message(filters),
                total=total if rows is not None else None,
            )
        ],
        chart_title=_("Lists not sent in time, by department"),
        chart=[Bar(d, n) for d, n in sorted(by_name.items(), key=lambda x: -x[1])],
        notes=[_("Days late count to today for lists not sent yet.")] if table else [],
    )


def _days_stats(values: list[float]) -> tuple[int, float, float]:
    return (
        len(values),
        round(statistics.median(values), 1),
        round(statistics.fmean(values), 1),
    )


@_report(
    "turnaround",
    _lazy("Processing turnaround"),
    _lazy(
        "Days from sending a list to the library to its completion, by processing "
        "department and by the librarian who completed it."
    ),
    uses_dates=_lazy("the day the list was completed"),
)
def turnaround(filters: Filters, threshold: int) -> Report:
    lists = _in_dates(
        _scoped_lists(filters).filter(
            status=ListStatus.COMPLETE,
            completed_at__isnull=False,
            sent_to_library_at__isnull=False,
        ),
        "completed_at",
        filters,
        datetime_field=True,
    )
    by_dept: dict[int | None, list[float]] = defaultdict(list)
    by_librarian: dict[int | None, list[float]] = defaultdict(list)
    for dept, librarian, sent, done in lists.values_list(
        "processing_department", "completed_by", "sent_to_library_at", "completed_at"
    ):
        if done < sent:
            continue  # sent again after it was completed
        days = (done - sent).total_seconds() / 86400
        by_dept[dept].append(days)
        by_librarian[librarian].append(days)
    names = _department_names()
    people = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=[k for k in by_librarian if k])
    }
    columns = [
        Column("name", _("Name")),
        Column("lists", _("Lists completed"), numeric=True),
        Column("median_days", _("Median days"), numeric=True),
        Column("mean_days", _("Mean days"), numeric=True),
    ]
    dept_rows: list[list[Any]] = sorted(
        ([names.get(d, ""), *_days_stats(v)] for d, v in by_dept.items()),
        key=lambda r: r[0],
    )
    librarian_rows: list[list[Any]] = sorted(
        (
            [
                people.get(k, _("Nobody recorded")) if k else _("Nobody recorded"),
                *_days_stats(v),
            ]
            for k, v in by_librarian.items()
        ),
        key=lambda r: r[0],
    )
    empty = _empty_message(filters)
    return Report(
        "",
        "",
        filters,
        [
            Table(
                "by_department",
                _("By processing department"),
                columns,
                dept_rows,
                empty,
            ),
            Table("by_librarian", _("By librarian"), columns, librarian_rows, empty),
        ],
        chart_title=_("Median days by processing department"),
        chart=[Bar(r[0], r[2]) for r in dept_rows],
    )


# --- requests ---------------------------------------------------------------------


def _scoped_requests(filters: Filters) -> QuerySet[ProcessingRequest]:
    requests = ProcessingRequest.objects.all()
    if filters.term or filters.department:
        requests = requests.filter(
            reading_list__in=_scoped_links(filters).values("readinglist_id")
        )
    return requests


@_report(
    "requests",
    _lazy("Requests by kind and outcome"),
    _lazy("Processing requests of each kind, by where they stand or how they ended."),
    uses_dates=_lazy("the day the request was made"),
)
def requests_by_kind(filters: Filters, threshold: int) -> Report:
    grid: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, state, n in (
        _in_dates(_scoped_requests(filters), "created_at", filters, datetime_field=True)
        .values_list("kind", "state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        grid[kind][state] = n
    kinds = dict(RequestKind.choices)
    states = list(RequestState.choices)
    rows: list[list[Any]] = [
        [
            str(kinds.get(kind, kind)),
            *[grid[kind].get(s, 0) for s, _l in states],
            sum(grid[kind].values()),
        ]
        for kind in [k for k in kinds if k in grid]
    ]
    columns = [
        Column("kind", _("Kind")),
        *[Column(s, str(label), numeric=True) for s, label in states],
        Column("total", _("Total"), numeric=True),
    ]
    return Report(
        "",
        "",
        filters,
        [Table("by_kind", _("Requests"), columns, rows, _empty_message(filters))],
        chart_title=_("Requests by kind"),
        chart=[Bar(r[0], r[-1]) for r in rows],
    )


@_report(
    "purchases-digitization",
    _lazy("Purchases and digitization"),
    _lazy(
        "Purchase and digitization requests done: how many, copies bought, pages "
        "scanned, and what they cost where the library recorded it."
    ),
    uses_dates=_lazy("the day the request was done"),
)
def purchases(filters: Filters, threshold: int) -> Report:
    done = _in_dates(
        _scoped_requests(filters).filter(
            kind__in=[RequestKind.PURCHASE, RequestKind.DIGITIZATION],
            state=RequestState.DONE,
        ),
        "closed_at",
        filters,
        datetime_field=True,
    )
    totals: dict[tuple[str, int | None], dict[str, Any]] = {}
    for kind, dept, copies, pages, cost in done.values_list(
        "kind", "reading_list__processing_department", "copies", "page_ranges", "cost"
    ):
        entry = totals.setdefault(
            (kind, dept),
            {"n": 0, "copies": 0, "pages": 0, "costed": 0, "cost": Decimal(0)},
        )
        entry["n"] += 1
        entry["copies"] += copies or 0
        if kind == RequestKind.DIGITIZATION and pages:
            with contextlib.suppress(ServiceError):
                entry["pages"] += sum(e - s + 1 for s, e in parse_page_ranges(pages))
        if cost is not None:
            entry["costed"] += 1
            entry["cost"] += cost
    names = _department_names()
    kinds = dict(RequestKind.choices)
    rows: list[list[Any]] = []
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for (kind, dept), e in sorted(
        totals.items(), key=lambda x: (x[0][0], names.get(x[0][1], ""))
    ):
        rows.append(
            [
                str(kinds[kind]),
                names.get(dept, ""),
                e["n"],
                e["copies"] if kind == RequestKind.PURCHASE else None,
                e["pages"] if kind == RequestKind.DIGITIZATION else None,
                e["costed"],
                e["cost"] if e["costed"] else None,
                round(e["cost"] / e["costed"], 2) if e["costed"] else None,
            ]
        )
        by_kind[str(kinds[kind])] += e["cost"]
    columns = [
        Column("kind", _("Kind")),
        Column("department", _("Processing department")),
        Column("done", _("Done"), numeric=True),
        Column("copies", _("Copies"), numeric=True),
        Column("pages", _("Pages"), numeric=True),
        Column("with_cost", _("With a cost"), numeric=True),
        Column("cost", _("Cost"), numeric=True),
        Column("mean_cost", _("Mean cost"), numeric=True),
    ]
    return Report(
        "",
        "",
        filters,
        [Table("done", _("Done"), columns, rows, _empty_message(filters))],
        chart_title=_("Recorded cost by kind"),
        chart=[Bar(k, float(v)) for k, v in by_kind.items()],
        notes=[_("Costs are in the currency the library records them in.")]
        if rows
        else [],
    )


# --- citations --------------------------------------------------------------------


def _scoped_citations(filters: Filters) -> QuerySet[Citation]:
    citations = Citation.objects.exclude(status=CitationStatus.INACTIVE)
    if filters.term or filters.department:
        citations = citations.filter(
            reading_list__in=_scoped_links(filters).values("readinglist_id")
        )
    return citations


def _counted(
    name: str, filters: Filters, snapshot: bool
) -> tuple[list[Any], list[str]]:
    """The rows of a slow report's count (snapshots.COUNTERS[name]): counted now,
    or with `snapshot` from rows counted a few minutes ago, with a note saying when."""
    if not snapshot:
        return snapshots.COUNTERS[name](filters), []
    found = snapshots.counted(name, filters)
    if found.counted_at is None:
        return found.rows, []
    when = date_format(timezone.localtime(found.counted_at), "DATETIME_FORMAT")
    if found.recounting:
        return found.rows, [
            _("Counted at %(when)s; being counted again now.") % {"when": when}
        ]
    # No full stop: the time may end with one ("4:10 p.m.").
    return found.rows, [_("Counted at %(when)s") % {"when": when}]


def _shared_title_rows(filters: Filters) -> list[list[Any]]:
    """The titles on the most lists: [how matched ("record" or "title"), the title,
    lists, courses], at most PAGE_ROWS. Plain values, kept as they are by
    lectio.analytics.snapshots."""
    citations = _scoped_citations(filters)
    # The titles on the most lists first; their courses after, for those alone.
    linked = list(
        citations.filter(catalog_record__isnull=False)
        .values_list("catalog_record")
        .annotate(lists=Count("reading_list", distinct=True))
        .filter(lists__gte=2)
        .order_by("-lists", "catalog_record")
        .values_list("catalog_record", "lists")[:PAGE_ROWS]
    )
    loose = list(
        citations.filter(catalog_record__isnull=True)
        .annotate(key=Lower("title"))
        .exclude(key="")  # the key alone, so the index answers without the rows
        .values_list("key")
        .annotate(lists=Count("reading_list", distinct=True))
        .filter(lists__gte=2)
        .order_by("-lists", "key")
        .values_list("key", "lists")[:PAGE_ROWS]
    )
    lists_of: dict[Any, set[int]] = defaultdict(set)
    shown: dict[str, str] = {}  # the title as written (the first, alphabetically)
    if linked:
        for record, list_id in (
            citations.filter(catalog_record__in=[r for r, _n in linked])
            .order_by()
            .values_list("catalog_record", "reading_list")
        ):
            lists_of[("record", record)].add(list_id)
    if loose:
        for key, list_id, title in (
            citations.filter(catalog_record__isnull=True)
            .annotate(key=Lower("title"))
            .filter(key__in=[k for k, _n in loose])
            .order_by()
            .values_list("key", "reading_list", "title")
        ):
            lists_of[("title", key)].add(list_id)
            if key not in shown or title < shown[key]:
                shown[key] = title
    courses_of: dict[int, set[int]] = defaultdict(set)
    every_list = set().union(*lists_of.values()) if lists_of else set()
    for list_id, course_id in LISTED.objects.filter(
        readinglist_id__in=list(every_list)
    ).values_list("readinglist_id", "course_id"):
        courses_of[list_id].add(course_id)

    def courses(key: Any) -> int:
        found: set[int] = set()
        for list_id in lists_of.get(key, ()):
            found |= courses_of.get(list_id, set())
        return len(found)

    titles = dict(
        Record.objects.filter(pk__in=[r for r, _n in linked]).values_list("pk", "title")
    )
    return sorted(
        [["record", titles.get(r, ""), n, courses(("record", r))] for r, n in linked]
        + [["title", shown.get(k, k), n, courses(("title", k))] for k, n in loose],
        key=lambda r: (-r[2], -r[3], r[1]),
    )[:PAGE_ROWS]


snapshots.COUNTERS["shared-titles"] = _shared_title_rows


@_report(
    "shared-titles",
    _lazy("Titles on several lists"),
    _lazy(
        "Titles that appear on more than one list, with how many lists and courses "
        "(the same catalog record, or the same title when an item is not linked "
        "to the catalog)."
    ),
    snapshots=True,
)
def shared_titles(
    filters: Filters, threshold: int, *, snapshot: bool = False
) -> Report:
    counted_rows, counted_note = _counted("shared-titles", filters, snapshot)
    matched_by = {"record": _("Catalog record"), "title": _("Title")}
    rows = [[title, matched_by[kind], n, c] for kind, title, n, c in counted_rows]
    columns = [
        Column("title", _("Title")),
        Column("matched_by", _("Matched by")),
        Column("lists", _("Lists"), numeric=True),
        Column("courses", _("Courses"), numeric=True),
    ]
    return Report(
        "",
        "",
        filters,
        [
            Table(
                "titles",
                _("Titles"),
                columns,
                rows,
                _("No title is on more than one list here."),
            )
        ],
        chart_title=_("Lists per title (the first ten)"),
        chart=[Bar(r[0][:60], r[2]) for r in rows[:10]],
        notes=(
            [_("At most %d titles, those on the most lists.") % PAGE_ROWS]
            if len(rows) == PAGE_ROWS
            else []
        )
        + counted_note,
    )


AVAILABILITY = {
    "print": _lazy("Print"),
    "electronic": _lazy("Electronic"),
    "open_access": _lazy("Open access"),
    "none": _lazy("None"),
}


def _record_availability(record_ids: Iterable[int]) -> dict[int, str]:
    """print, electronic, open_access or none for each catalog record: open access
    wins over licensed electronic, electronic over print."""
    ids = list(record_ids)
    found: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for record_id in (
            Item.objects.filter(record_id__in=chunk)
            .values_list("record_id", flat=True)
            .distinct()
        ):
            found[record_id] = "print"
        for record_id, open_access in Portfolio.objects.filter(
            record_id__in=chunk, active=True
        ).values_list("record_id", "open_access"):
            if open_access:
                found[record_id] = "open_access"
            elif found.get(record_id) != "open_access":
                found[record_id] = "electronic"
    return found


def _material_counts(filters: Filters) -> list[list[Any]]:
    """[material type, availability, citations] of the citations in scope."""
    citations = _scoped_citations(filters)
    grid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # One pass over the report index for both kinds (COUNT(*), not COUNT(id):
    # PostgreSQL then reads the index alone).
    per_record = list(
        citations.values_list("material_type", "catalog_record")
        .annotate(n=Count("*"))
        .order_by()
    )
    held = _record_availability({r for _t, r, _n in per_record if r is not None})
    for material, record, n in per_record:
        if record is not None:
            grid[material][held.get(record, "none")] += n
        else:
            # Not in the catalog: a web page is online by nature; anything else is
            # not held (the metadata's links are not read: it would mean parsing
            # every row).
            where = "electronic" if material == MaterialType.WEBSITE else "none"
            grid[material][where] += n
    return [[m, where, n] for m, by in grid.items() for where, n in by.items()]


snapshots.COUNTERS["materials"] = _material_counts


@_report(
    "materials",
    _lazy("Citations by material type and availability"),
    _lazy(
        "Citations of each material type, by how the library holds them: in print, "
        "electronic (licensed), open access, or not at all. Web pages not linked to "
        "the catalog count as electronic."
    ),
    snapshots=True,
)
def materials(filters: Filters, threshold: int, *, snapshot: bool = False) -> Report:
    counts, counted_note = _counted("materials", filters, snapshot)
    grid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for material, where, n in counts:
        grid[material][where] = n
    types = dict(MaterialType.choices)
    rows: list[list[Any]] = [
        [
            str(types.get(m, m)),
            *[grid[m].get(a, 0) for a in AVAILABILITY],
            sum(grid[m].values()),
        ]
        for m in [t for t in types if t in grid] + sorted(set(grid) - set(types))
    ]
    columns = [
        Column("material_type", _("Material type")),
        *[Column(a, str(label), numeric=True) for a, label in AVAILABILITY.items()],
        Column("total", _("Total"), numeric=True),
    ]
    totals = {a: sum(grid[m].get(a, 0) for m in grid) for a in AVAILABILITY}
    return Report(
        "",
        "",
        filters,
        [Table("by_type", _("Citations"), columns, rows, _empty_message(filters))],
        chart_title=_("Citations by availability"),
        chart=[Bar(str(AVAILABILITY[a]), n) for a, n in totals.items()] if rows else [],
        notes=counted_note,
    )


# --- usage ------------------------------------------------------------------------


def current_term() -> Term | None:
    today = timezone.localdate()
    return (
        Term.objects.filter(start_date__lte=today, end_date__gte=today)
        .order_by("start_date", "pk")
        .first()
    )


def usage_period(
    filters: Filters,
) -> tuple[datetime.date, datetime.date, Term | None]:
    """The days a usage report covers, and the term when they are a term's: the
    dates asked for; else the term's (asked for, or the current one), up to
    today; else the last 90 days."""
    today = timezone.localdate()
    if filters.start or filters.end:
        end = filters.end or today
        start = filters.start or end - datetime.timedelta(days=89)
        if start > end:
            raise BadRange(_("The range ends before it starts."))
        if (end - start).days > MAX_DAYS:
            raise BadRange(
                _("A range is at most %(days)d days long.") % {"days": MAX_DAYS}
            )
        return start, end, None
    term = filters.term or current_term()
    if term is not None and term.start_date and term.end_date:
        end = min(term.end_date, today)
        start = min(term.start_date, end)  # a term not begun: an empty day
        return start, end, term
    return today - datetime.timedelta(days=89), today, None


def term_covering(start: datetime.date, end: datetime.date) -> Term | None:
    """The term whose rolled-up days are exactly the rolled-up days from `start` to
    `end`: it starts on `start`, and `end` is within it and not before its last
    day so far (no day after today is rolled up)."""
    today = timezone.localdate()
    for term in Term.objects.filter(
        start_date=start, end_date__gte=end, end_date__isnull=False
    ).order_by("pk"):
        if term.end_date is not None and end >= min(term.end_date, today):
            return term
    return None


def whole_weeks(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The Mondays of the first and the last whole week (Monday to Sunday) from
    `start` to `end`, if there is one."""
    first = start + datetime.timedelta(days=-start.weekday() % 7)
    last = end - datetime.timedelta(days=(end.weekday() + 1) % 7 + 6)
    return (first, last) if first <= last else None


@dataclass
class _Part:
    """Rows of (item, opens, students) that add up to a period's figures: a
    term's or some weeks' totals, or some days' counts."""

    model: Any
    where: dict[str, Any]
    columns: tuple[str, str, str]
    # Whether these are daily counts, many rows per item.
    daily: bool = False
    # -1: opens taken away (days of a week counted whole that are not asked for).
    sign: int = 1

    def opens(self, scope: QuerySet | None) -> QuerySet:
        """(item, opens) of its rows, the opens negative if taken away."""
        rows = self.rows(scope).values_list(self.columns[0], self.columns[1])
        if self.sign < 0:
            rows = rows.annotate(taken=F(self.columns[1]) * -1).values_list(
                self.columns[0], "taken"
            )
        return rows

    def rows(self, scope: QuerySet | None) -> QuerySet:
        rows = self.model.objects.filter(**self.where)
        if scope is not None:
            rows = rows.filter(list_id__in=scope)
        return rows.order_by().values_list(*self.columns)

    def has(self) -> Exists:
        """Whether the item of the outer query has a row here."""
        return Exists(
            self.model.objects.filter(citation_id=OuterRef("pk"), **self.where)
        )

    def opened(self, ids: list[int]) -> set[int]:
        """Which of the items `ids` have a row here, in one query (as an
        Exists per item, daily counts would be looked up day by day per item)."""
        return set(
            self.model.objects.filter(**self.where, citation_id__in=ids).values_list(
                "citation_id", flat=True
            )
        )


@dataclass
class _Heads:
    most: list[tuple[int, tuple[int, int]]]
    least: list[tuple[int, tuple[int, int]]]
    count: int


class ItemOpens:
    """Students' opens of each item in a period, with the most students behind
    them on one day: from the per-term totals (TermItemUse) when the period is a
    term's, else from the weekly totals (WeekItemUse) of its whole weeks and the
    daily counts of the days around them; raw events for days not rolled up
    yet."""

    PAGE = 500  # the fewest items read at once for the never-opened ones

    def __init__(
        self, filters: Filters, start: datetime.date, end: datetime.date, term: Any
    ) -> None:
        self.filters = filters
        if term is None:
            # Dates that are exactly a term's days so far: that term's totals hold
            # the same figures as its daily counts, read at a fraction of the cost.
            term = term_covering(start, end)
        self.term = term
        self.list_ids = (
            _scoped_links(filters).values("readinglist_id")
            if filters.term or filters.department
            else None
        )
        self.raw = self._raw(start, end)
        self._parts = (
            [_Part(TermItemUse, {"term_id": term.pk}, TERM_COLUMNS)]
            if term is not None
            else _dated_parts(start, end)
        )
        # The opens alone, from the fewest rows, to rank and count the items.
        self._ranking = _ranking_parts(start, end) if term is None else []
        self._heads: dict[int, _Heads] = {}

    def _raw(self, start: datetime.date, end: datetime.date) -> dict[int, tuple]:
        rolled = set(
            RolledUpDay.objects.filter(day__gte=start, day__lte=end).values_list(
                "day", flat=True
            )
        )
        found: dict[int, tuple[int, int]] = {}
        if len(rolled) > (end - start).days:
            return found
        zone = timezone.get_current_timezone()
        raw = UsageEvent.objects.filter(
            kind="citation_open",
            role=STUDENT,
            citation_id__isnull=False,
            at__gte=datetime.datetime.combine(start, datetime.time.min, zone),
            at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, zone
            ),
        )
        if self.list_ids is not None:
            raw = raw.filter(list_id__in=self.list_ids)
        for row in (
            raw.annotate(day=TruncDate("at", tzinfo=zone))
            .values("day", "citation_id")
            .annotate(events=Count("id"), people=Count("user_key", distinct=True))
            .order_by()
        ):
            if row["day"] not in rolled:
                citation = row["citation_id"]
                found[citation] = _plus(
                    found.get(citation), (row["events"], row["people"])
                )
        return found

    def _grouped(self, ids: Any = None) -> tuple[str, list[Any]]:
        """SQL naming the rows of every part u(c, o, p) (of the items `ids` only,
        a list or a subquery, if given) and their sums per item t(c, o, p), for a
        query to follow; and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        for part in self._parts:
            rows = part.rows(self.list_ids)
            if ids is not None:
                rows = rows.filter(citation_id__in=ids)
            sql, more = rows.query.sql_with_params()
            parts.append(sql)
            params.extend(more)
        return (
            f"WITH u (c, o, p) AS ({' UNION ALL '.join(parts)}), "
            "t AS (SELECT c, SUM(o) AS o, MAX(p) AS p FROM u GROUP BY c) ",
            params,
        )

    def _select(
        self, sql: str, params: list[Any], *, serial: bool = False
    ) -> list[tuple]:
        """The rows of `sql`. `serial`: on PostgreSQL without parallel workers.
        The planner cannot see how many items a union of parts holds (it expects
        200), plans a parallel sort and merge for them, and on two cores takes
        a quarter longer than one process hashing them."""
        if not serial or connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            # Back for the rest of an enclosing transaction.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
            return rows

    def _read(self, ids: Iterable[int] | None, among: QuerySet | None) -> dict:
        """The counted (not raw) figures of the items `ids`, or of `among`."""
        if among is not None:
            chunks: list[Any] = [among]
        else:
            wanted = list(ids or ())
            chunks = [wanted[i : i + 5000] for i in range(0, len(wanted), 5000)]
        found: dict[int, tuple[int, int]] = {}
        for chunk in chunks:
            if self.term is not None:  # one row per item: no sums
                rows = self._parts[0].rows(self.list_ids)
                found.update(
                    (c, (o, p)) for c, o, p in rows.filter(citation_id__in=chunk)
                )
                continue
            head, params = self._grouped(chunk)
            found.update(
                (c, (o, p))
                for c, o, p in self._select(head + "SELECT c, o, p FROM t", params)
            )
        return found

    def for_ids(
        self, ids: Iterable[int], *, among: QuerySet | None = None
    ) -> dict[int, tuple[int, int]]:
        """The items of `ids`; `among`, a subquery of the same ids, reads them in
        one query instead of lists of ids."""
        wanted = list(ids)
        if among is not None:
            chosen = set(wanted)
            found = {c: v for c, v in self._read(None, among).items() if c in chosen}
        else:
            found = self._read(wanted, None)
        for citation in wanted:
            if citation in self.raw:
                found[citation] = _plus(found.get(citation), self.raw[citation])
        return found

    def _ranked_heads(self, k: int) -> _Heads:
        """The `k` items opened most and least (of those opened) and how many were
        opened, by the counted figures: for a term from its totals' index, else
        from the sums of the parts, in one query."""
        if k in self._heads:
            return self._heads[k]
        if self.term is not None:
            rows = self._parts[0].rows(self.list_ids)
            heads = _Heads(
                [(c, (o, p)) for c, o, p in rows.order_by("-opens", "citation_id")[:k]],
                [(c, (o, p)) for c, o, p in rows.order_by("opens", "citation_id")[:k]],
                rows.count(),
            )
        else:
            parts: list[str] = []
            params: list[Any] = []
            for part in self._ranking:
                sql, more = part.opens(self.list_ids).query.sql_with_params()
                parts.append(sql)
                params.extend(more)
            # Not materialized: one part (a span, a week) is then read in the
            # order of its items, summed without sorting.
            found = self._select(
                f"WITH u (c, o) AS NOT MATERIALIZED ({' UNION ALL '.join(parts)}), "
                "t AS (SELECT c, SUM(o) AS o FROM u GROUP BY c HAVING SUM(o) > 0) "
                "SELECT 0, c, o FROM "
                "(SELECT c, o FROM t ORDER BY o DESC, c LIMIT %s) AS most "
                "UNION ALL SELECT 1, c, o FROM "
                "(SELECT c, o FROM t ORDER BY o, c LIMIT %s) AS least "
                "UNION ALL SELECT 2, COUNT(*), 0 FROM t",
                [*params, k, k],
                serial=True,
            )
            # The students of a day, for the items ranked only, from the weeks
            # and days themselves (none known, hidden, if a roll-up ran between).
            exact = self._read([c for which, c, _o in found if which < 2], None)
            heads = _Heads(
                [(c, exact.get(c, (o, 0))) for which, c, o in found if which == 0],
                [(c, exact.get(c, (o, 0))) for which, c, o in found if which == 1],
                next(c for which, c, _o in found if which == 2),
            )
        self._heads[k] = heads
        return heads

    def ranked(self, n: int, *, most: bool) -> list[tuple[int, tuple[int, int]]]:
        """The `n` items opened most (or least, of those opened). Raw events only
        add opens: the true `n` are among the counted first n + (items with raw
        events) and those items."""

        def key(x: tuple[int, tuple[int, int]]) -> tuple[int, int]:
            return (-x[1][0], x[0]) if most else (x[1][0], x[0])

        heads = self._ranked_heads(n + len(self.raw))
        head = heads.most if most else heads.least
        if not self.raw:
            return head[:n]
        candidates = {c for c, _v in head} | set(self.raw)
        return sorted(self.for_ids(candidates).items(), key=key)[:n]

    def count(self) -> int:
        counted = self._ranked_heads(TOP + len(self.raw)).count
        return counted + len(set(self.raw) - set(self._read(self.raw, None)))

    def never_opened(self, citations: QuerySet[Citation], n: int) -> list[tuple]:
        daily = [part for part in self._parts if part.daily]
        for part in self._parts:
            if not part.daily:
                citations = citations.exclude(part.has())
        rows: list[tuple] = []
        items = self._in_order(citations, n)
        # Daily counts are looked up a page of items at a time; without them,
        # items are taken one by one, reading no more than the first are enough.
        size = self.PAGE if daily else 1
        while page := list(itertools.islice(items, size)):
            ids = [row[0] for row in page]
            opened = set().union(*(part.opened(ids) for part in daily))
            for pk, title, code in page:
                if pk not in self.raw and pk not in opened:
                    rows.append((title, code))
                    if len(rows) >= n:
                        return rows
        return rows

    def _in_order(self, citations: QuerySet[Citation], n: int) -> Iterator[tuple]:
        """(pk, title, list code) of the items by list and id, read as far as the
        caller goes. PostgreSQL plans a cursor for a tenth of its rows (a full
        anti-join and sort, about a second at 650,000 items) and a LIMIT for the
        few it needs: there, pages with a LIMIT, the first one enough unless
        opened items fill it. SQLite sorts everything for a LIMIT and streams the
        index without one: there, one pass."""
        ordered = citations.order_by("reading_list_id", "id").values_list(
            "pk", "title", "reading_list__code"
        )
        if connection.vendor != "postgresql":
            yield from ordered.iterator(chunk_size=500)
            return
        size = n + len(self.raw)
        done = 0
        while True:
            page = list(ordered[done : done + size])
            yield from page
            if len(page) < size:
                return
            done += size
            size = min(size * 4, 20000)


TERM_COLUMNS = ("citation_id", "opens", "most_people_a_day")
SPAN_COLUMNS = ("citation_id", "opens", "opens")  # a span keeps no students
DAILY_COLUMNS = ("citation_id", "events", "people")


def _dated_parts(start: datetime.date, end: datetime.date) -> list[_Part]:
    """The weekly totals of the whole weeks from `start` to `end` and the daily
    counts of the days before and after them (of all the days if none)."""
    parts: list[_Part] = []
    days = [(start, end)]
    weeks = whole_weeks(start, end)
    if weeks is not None:
        first, last = weeks
        parts.append(
            _Part(WeekItemUse, {"week__gte": first, "week__lte": last}, TERM_COLUMNS)
        )
        days = [
            (start, first - datetime.timedelta(days=1)),
            (last + datetime.timedelta(days=7), end),
        ]
    # The days as a list: SQLite then seeks each day's rows of an item in the
    # index, where a range makes it step through every day kept.
    each = [
        a + datetime.timedelta(days=i) for a, b in days for i in range((b - a).days + 1)
    ]
    if each:
        where = {
            "kind": "citation_open",
            "role": STUDENT,
            "citation_id__isnull": False,
            "day__in": each,
        }
        parts.append(_Part(DailyUsage, where, DAILY_COLUMNS, daily=True))
    return parts


def _ranking_parts(start: datetime.date, end: datetime.date) -> list[_Part]:
    """Rows whose opens add up per item to the opens from `start` to `end`, from
    the fewest rows: the weeks that hold four days or more of them counted whole,
    as kept spans (SpanItemUse) and weeks; less the daily counts of their days
    not asked for; plus the daily counts of the days of the other weeks."""
    added: list[datetime.date] = []
    taken: list[datetime.date] = []
    whole: list[datetime.date] = []
    monday = start - datetime.timedelta(days=start.weekday())
    while monday <= end:
        days = [monday + datetime.timedelta(days=i) for i in range(7)]
        inside = [d for d in days if start <= d <= end]
        if len(inside) >= 4:
            whole.append(monday)
            taken.extend(d for d in days if d not in inside)
        else:
            added.extend(inside)
        monday += datetime.timedelta(days=7)
    parts: list[_Part] = []
    if whole:
        for first, weeks in week_spans(whole[0], whole[-1]):
            if weeks == 1:
                parts.append(_Part(WeekItemUse, {"week": first}, TERM_COLUMNS))
            else:
                where = {"weeks": weeks, "first_week": first}
                parts.append(_Part(SpanItemUse, where, SPAN_COLUMNS))
    for days, sign in ((added, 1), (taken, -1)):
        if days:
            where = {
                "kind": "citation_open",
                "role": STUDENT,
                # An open always names its list: the weeks' condition on the
                # list holds, and the index of students' opens is enough.
                "citation_id__isnull": False,
                "day__in": days,
            }
            parts.append(_Part(DailyUsage, where, DAILY_COLUMNS, True, sign))
    return parts


def _plus(value: tuple[int, int] | None, more: tuple[int, int]) -> tuple[int, int]:
    if value is None:
        return more
    return value[0] + more[0], max(value[1], more[1])


def _safe(people: int, threshold: int) -> int | Hidden:
    return people if people >= threshold else Hidden(threshold)


def _period_note(term: Term | None, filters: Filters) -> list[str]:
    if term is not None and filters.term is None:
        return [_("No term chosen: the current term, %s.") % term.name]
    return []


@_report(
    "item-use",
    _lazy("Most and least used items"),
    _lazy(
        "Items students opened most and least in the period, and items on "
        "published lists no student opened."
    ),
    uses_dates=_lazy("the days of use (by default the term's, or the current term)"),
)
def item_use(filters: Filters, threshold: int) -> Report:
    start, end, term = usage_period(filters)
    opens = ItemOpens(filters, start, end, term)
    most = opens.ranked(TOP, most=True)
    opened = opens.count()
    least = opens.ranked(TOP, most=False) if opened > TOP else []
    published = _scoped_citations(filters).filter(
        status=CitationStatus.COMPLETE,
        reading_list__publication_status=PublicationStatus.PUBLISHED,
    )
    never = opens.never_opened(published, TOP)
    info = {
        pk: (title, code)
        for pk, title, code in Citation.objects.filter(
            pk__in=[pk for pk, _v in most + least]
        )
        .order_by()  # a lookup: no join to sections for the lists' order
        .values_list("pk", "title", "reading_list__code")
    }
    columns = [
        Column("title", _("Item")),
        Column("list", _("List")),
        Column("opens", _("Opens"), numeric=True),
        Column("students_busiest_day", _("Students on the busiest day"), numeric=True),
    ]

    def rows(ranked_part: list[tuple[int, tuple[int, int]]]) -> list[list[Any]]:
        return [
            [*info.get(pk, ("", "")), events, _safe(people, threshold)]
            for pk, (events, people) in ranked_part
        ]

    summary: list[list[Any]] = (
        [[_("Items opened at least once"), opened]] if opened or never else []
    )
    empty = _("No student opened an item in this period.")
    return Report(
        "",
        "",
        filters,
        [
            Table(
                "summary",
                _("Summary"),
                [Column("what", _("What")), Column("items", _("Items"), numeric=True)],
                summary,
                _empty_message(filters),
            ),
            Table("most_used", _("Most used"), columns, rows(most), empty),
            Table(
                "least_used",
                _("Least used (of those opened)"),
                columns,
                rows(least),
                _("At most %d items were opened; they are all above.") % TOP
                if opened
                else empty,
            ),
            Table(
                "never_opened",
                _("Never opened (the first %d)") % TOP,
                [Column("title", _("Item")), Column("list", _("List"))],
                [list(r) for r in never],
                _("Every item was opened."),
            ),
        ],
        chart_title=_("Opens of the most used items"),
        chart=[
            Bar((info.get(pk, ("",))[0] or str(pk))[:60], v[0]) for pk, v in most[:10]
        ],
        notes=[
            *_period_note(term, filters),
            _(
                "Opens are counts of events. Students are counted per day; a figure "
                "about fewer than %(n)d students is shown as “fewer than %(n)d”."
            )
            % {"n": threshold},
        ],
        threshold=threshold,
        period=(start, end),
    )


@_report(
    "cost-per-use",
    _lazy("Cost per use"),
    _lazy(
        "Items the library bought or digitized at a recorded cost, with the opens by "
        "students in the period and the cost of each open."
    ),
    uses_dates=_lazy("the days of use (by default the term's, or the current term)"),
)
def cost_per_use(filters: Filters, threshold: int) -> Report:
    start, end, term = usage_period(filters)
    costs: dict[int, Decimal] = defaultdict(Decimal)
    kinds: dict[int, set[str]] = defaultdict(set)
    done = _scoped_requests(filters).filter(
        kind__in=[RequestKind.PURCHASE, RequestKind.DIGITIZATION],
        state=RequestState.DONE,
        cost__isnull=False,
    )
    for citation, kind, cost in done.values_list("citation", "kind", "cost"):
        if cost is None:  # filtered out above
            continue
        costs[citation] += cost
        kinds[citation].add(str(RequestKind(kind).label))
    # The items as a subquery, not a list of thousands of ids: PostgreSQL reads a
    # long IN list slowly and the driver takes long to write it.
    bought = done.values("citation")
    opens = (
        ItemOpens(filters, start, end, term).for_ids(costs, among=bought)
        if costs
        else {}
    )
    info = {
        pk: (title, code)
        for pk, title, code in Citation.objects.filter(pk__in=bought)
        .order_by()  # a lookup: no join to sections for the lists' order
        .values_list("pk", "title", "reading_list__code")
    }
    rows: list[list[Any]] = []
    for pk, cost in costs.items():
        events, people = opens.get(pk, (0, 0))
        rows.append(
            [
                *info.get(pk, ("", "")),
                ", ".join(sorted(kinds[pk])),
                cost,
                events,
                _safe(people, threshold) if events else 0,
                round(cost / events, 2) if events else None,
            ]
        )
    rows.sort(key=lambda r: (r[6] is None, -(r[6] or 0), r[0]))
    columns = [
        Column("title", _("Item")),
        Column("list", _("List")),
        Column("kind", _("Bought or digitized")),
        Column("cost", _("Cost"), numeric=True),
        Column("opens", _("Opens"), numeric=True),
        Column("students_busiest_day", _("Students on the busiest day"), numeric=True),
        Column("cost_per_open", _("Cost per open"), numeric=True),
    ]
    return Report(
        "",
        "",
        filters,
        [
            Table(
                "items",
                _("Items with a recorded cost"),
                columns,
                rows,
                _(
                    "No purchase or digitization with a recorded cost matches "
                    "these filters."
                ),
            )
        ],
        chart_title=_("Cost per open (the ten dearest)"),
        chart=[Bar(r[0][:60], float(r[6])) for r in rows[:10] if r[6] is not None],
        notes=[
            *_period_note(term, filters),
            _("An item nobody opened has no cost per open."),
        ]
        if rows
        else [],
        threshold=threshold,
        period=(start, end),
    )
