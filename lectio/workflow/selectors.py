"""Reads for the library: the task list, a list's work view, request queues."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from lectio.accounts.models import User
from lectio.courses.models import Course, CourseRole, Enrolment
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import CitationStatus, ListStatus
from lectio.workflow.models import OPEN_STATES, ProcessingRequest, RequestKind

TABS = ("all", "mine", "unassigned", "others")
WITH_LIBRARY = [ListStatus.READY_FOR_PROCESSING, ListStatus.BEING_PROCESSED]
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "code": ("code",),
    "-code": ("-code",),
    "status": ("status", "id"),
    "-status": ("-status", "-id"),
    "due": (F("due_back_date").asc(nulls_last=True), "id"),
    "-due": (F("due_back_date").desc(nulls_last=True), "-id"),
    "sent": (F("sent_to_library_at").desc(nulls_last=True), "-id"),
    "-sent": (F("sent_to_library_at").asc(nulls_last=True), "id"),
    # Oldest in the queue first.
    "age": (F("sent_to_library_at").asc(nulls_last=True), "id"),
}
PAGE_SIZE = 25
# Free-text matches up to this many are carried as ids between the task list's queries.
MATERIALIZE_LIMIT = 2000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def require_library(user: Any) -> None:
    if not (user.is_authenticated and user.is_library_staff):
        raise PermissionDenied


@dataclass
class TaskFilters:
    statuses: list[str] = field(default_factory=lambda: list(WITH_LIBRARY))
    publication_status: str = ""
    processing_department: int | None = None
    academic_department: int | None = None
    term: int | None = None
    course: str = ""
    submit_by: datetime.date | None = None
    has_alerts: bool = False
    open_request: str = ""
    q: str = ""


def _has_alert() -> Q:
    return Q(library_alert_at__isnull=False) & Q(
        library_alert_at__gt=Coalesce("library_seen_at", EPOCH)
    )


def filtered_lists(filters: TaskFilters) -> QuerySet[ReadingList]:
    qs = ReadingList.objects.all()
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.publication_status:
        qs = qs.filter(publication_status=filters.publication_status)
    if filters.processing_department:
        qs = qs.filter(processing_department_id=filters.processing_department)
    # Course conditions as a correlated EXISTS that starts from the list's own links
    # (one index probe per list), whether the condition matches few courses or most.
    course_q = Q()
    if filters.academic_department:
        course_q &= Q(course__academic_department_id=filters.academic_department)
    if filters.term:
        course_q &= Q(course__terms=filters.term)
    if filters.course:
        course_q &= Q(course__code__istartswith=filters.course.strip())
    if filters.submit_by:
        course_q &= Q(course__submit_lists_by__lte=filters.submit_by)
    if course_q:
        link = ReadingList.courses.through
        qs = qs.filter(
            Exists(link.objects.filter(course_q, readinglist_id=OuterRef("pk")))
        )
    if filters.has_alerts:
        qs = qs.filter(_has_alert())
    if filters.open_request:
        qs = qs.filter(
            Exists(
                ProcessingRequest.objects.filter(
                    reading_list=OuterRef("pk"),
                    kind=filters.open_request,
                    state__in=OPEN_STATES,
                )
            )
        )
    if filters.q:
        text = filters.q.strip()[:200]
        courses = Course.objects.filter(
            Q(code__icontains=text) | Q(name__icontains=text)
        )
        teachers = Enrolment.objects.filter(
            role__in=[CourseRole.INSTRUCTOR, CourseRole.TEACHING_ASSISTANT],
            user__in=User.objects.filter(
                Q(last_name__icontains=text)
                | Q(first_name__icontains=text)
                | Q(username__iexact=text)
            ).values("pk"),
        ).values("course_id")
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(code__icontains=text)
            | Q(pk__in=_lists_of_courses(courses))
            | Q(pk__in=_lists_of_courses(Course.objects.filter(pk__in=teachers)))
        )
    return qs


def _lists_of_courses(courses: QuerySet[Course]) -> QuerySet[Any]:
    link = ReadingList.courses.through
    return link.objects.filter(course_id__in=courses.values("pk")).values(
        "readinglist_id"
    )


def _tab_q(tab: str, user: User) -> Q:
    if tab == "mine":
        return Q(assigned_librarian=user)
    if tab == "unassigned":
        return Q(assigned_librarian__isnull=True)
    if tab == "others":
        return Q(assigned_librarian__isnull=False) & ~Q(assigned_librarian=user)
    return Q()


@dataclass
class TaskPage:
    rows: list[ReadingList]
    counts: dict[str, int]
    total: int
    page: int
    pages: int
    citation_counts: dict[int, dict[str, int]]
    open_requests: dict[int, dict[str, int]]


def task_list(
    *, user: User, tab: str, filters: TaskFilters, sort: str = "age", page: int = 1
) -> TaskPage:
    """One page of the task list and the count of every tab, in a fixed number of
    queries whatever the page holds."""
    require_library(user)
    tab = tab if tab in TABS else "all"
    base = filtered_lists(filters)
    if filters.q:
        # Free text scans names of lists, courses and people: do it once, not for
        # the counts and again for the page. Few matches become a list of ids.
        matches = list(base.values_list("pk", flat=True)[: MATERIALIZE_LIMIT + 1])
        if len(matches) <= MATERIALIZE_LIMIT:
            base = ReadingList.objects.filter(pk__in=matches)
    counts = base.aggregate(
        all=Count("pk"),
        mine=Count("pk", filter=_tab_q("mine", user)),
        unassigned=Count("pk", filter=_tab_q("unassigned", user)),
        others=Count("pk", filter=_tab_q("others", user)),
    )
    total = counts[tab]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    ordering = SORTS.get(sort, SORTS["age"])
    # Two steps: the page's ids from a narrow sort (indexes cover the usual orders),
    # then the 25 rows with what the page shows.
    ids = list(
        base.filter(_tab_q(tab, user))
        .order_by(*ordering)
        .values_list("pk", flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
    by_id = {
        row.pk: row
        for row in ReadingList.objects.filter(pk__in=ids)
        .select_related("assigned_librarian")
        .annotate(has_alert=Q(_has_alert()))
        .prefetch_related("courses")
    }
    rows: list[ReadingList] = [by_id[pk] for pk in ids if pk in by_id]
    ids = [r.pk for r in rows]
    citation_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for list_id, status, n in (
        Citation.objects.filter(reading_list_id__in=ids)
        .values_list("reading_list_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        citation_counts[list_id][status] = n
    open_requests: dict[int, dict[str, int]] = defaultdict(dict)
    for list_id, kind, n in (
        ProcessingRequest.objects.filter(reading_list_id__in=ids, state__in=OPEN_STATES)
        .values_list("reading_list_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        open_requests[list_id][kind] = n
    for row in rows:
        counts_for = citation_counts.get(row.pk, {})
        row.item_summary = [  # type: ignore[attr-defined]
            (label, counts_for[value])
            for value, label in CitationStatus.choices
            if counts_for.get(value)
        ]
        row.request_summary = [  # type: ignore[attr-defined]
            (label, open_requests.get(row.pk, {})[value])
            for value, label in RequestKind.choices
            if open_requests.get(row.pk, {}).get(value)
        ]
    return TaskPage(
        rows=rows,
        counts=counts,
        total=total,
        page=page,
        pages=pages,
        citation_counts=dict(citation_counts),
        open_requests=dict(open_requests),
    )


def home_counts(*, user: User) -> dict[str, int]:
    """What needs action, for the librarian's home."""
    require_library(user)
    return ReadingList.objects.aggregate(
        mine_ready=Count(
            "pk",
            filter=Q(assigned_librarian=user, status=ListStatus.READY_FOR_PROCESSING),
        ),
        mine_processing=Count(
            "pk", filter=Q(assigned_librarian=user, status=ListStatus.BEING_PROCESSED)
        ),
        unassigned_ready=Count(
            "pk",
            filter=Q(assigned_librarian__isnull=True, status__in=WITH_LIBRARY),
        ),
        mine_alerts=Count("pk", filter=Q(assigned_librarian=user) & _has_alert()),
    ) | {
        f"requests_{kind}": n
        for kind, n in ProcessingRequest.objects.filter(state__in=OPEN_STATES)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    }


def request_queue(
    *, user: User, kind: str, state: str = "open"
) -> QuerySet[ProcessingRequest]:
    require_library(user)
    qs = ProcessingRequest.objects.filter(
        kind=kind if kind in RequestKind.values else ""
    )
    qs = (
        qs.filter(state__in=OPEN_STATES)
        if state == "open"
        else qs.exclude(state__in=OPEN_STATES)
    )
    return qs.select_related(
        "citation", "reading_list", "assignee", "created_by"
    ).order_by("created_at", "id")


CITATION_FILTERS = {
    "ready": Q(status=CitationStatus.READY_FOR_PROCESSING),
    "in_process": Q(status=CitationStatus.IN_PROCESS),
    "declined": Q(status=CitationStatus.DECLINED),
    "complete": Q(status=CitationStatus.COMPLETE),
}
