"""The library's task list, assignment, status changes and requests (issue: library
side). The same services as the browser."""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from lectio.accounts.models import User
from lectio.api.auth import caller
from lectio.lists import processing
from lectio.lists import selectors as list_selectors
from lectio.lists.models import ReadingList
from lectio.lists.statuses import CitationStatus, ListStatus
from lectio.workflow import selectors, services
from lectio.workflow.models import ProcessingRequest, RequestKind, RequestState

router = Router(tags=["library"])
AREA = "workflow"


class CourseBrief(Schema):
    id: int
    code: str
    section: str
    name: str


class ListBrief(Schema):
    id: int
    code: str
    name: str
    status: str
    publication_status: str
    assigned_librarian: str | None = Field(None, description="User name")
    sent_to_library_at: datetime.datetime | None
    has_alert: bool = False
    courses: list[CourseBrief] = []
    item_counts: dict[str, int] = Field(default_factory=dict, description="By status")
    open_requests: dict[str, int] = Field(default_factory=dict, description="By kind")


class TaskPageOut(Schema):
    total: int
    page: int
    pages: int
    counts: dict[str, int] = Field(
        description="Lists in each tab, with the same filters"
    )
    results: list[ListBrief]


class TaskQuery(Schema):
    tab: Literal["all", "mine", "unassigned", "others"] = "all"
    status: list[ListStatus] = Field(
        default_factory=list,
        description="List statuses; default ReadyForProcessing and BeingProcessed",
    )
    publication_status: str = ""
    processing_department: int | None = None
    academic_department: int | None = None
    term: int | None = None
    course: str = Field("", max_length=100)
    submit_by: datetime.date | None = None
    has_alerts: bool = False
    open_request: RequestKind | Literal[""] = ""
    q: str = Field("", max_length=200)
    sort: Literal[
        "age",
        "sent",
        "-sent",
        "name",
        "-name",
        "code",
        "-code",
        "status",
        "-status",
        "due",
        "-due",
    ] = "age"
    page: int = Field(1, ge=1)


def _brief(
    reading_list: ReadingList, *, item_counts=None, open_requests=None
) -> ListBrief:
    librarian = reading_list.assigned_librarian
    return ListBrief(
        id=reading_list.pk,
        code=reading_list.code,
        name=reading_list.name,
        status=reading_list.status,
        publication_status=reading_list.publication_status,
        assigned_librarian=librarian.username if librarian else None,
        sent_to_library_at=reading_list.sent_to_library_at,
        has_alert=bool(getattr(reading_list, "has_alert", False)),
        courses=[
            CourseBrief(id=c.pk, code=c.code, section=c.section, name=c.name)
            for c in reading_list.courses.all()
        ],
        item_counts=item_counts or {},
        open_requests=open_requests or {},
    )


@router.get("/library/tasks", response=TaskPageOut, summary="The task list")
def task_list(request: HttpRequest, query: Query[TaskQuery]) -> TaskPageOut:
    user = caller(request, AREA)
    filters = selectors.TaskFilters(
        publication_status=query.publication_status,
        processing_department=query.processing_department,
        academic_department=query.academic_department,
        term=query.term,
        course=query.course,
        submit_by=query.submit_by,
        has_alerts=query.has_alerts,
        open_request=query.open_request,
        q=query.q,
    )
    if query.status:
        filters.statuses = [str(s) for s in query.status]
    page = selectors.task_list(
        user=user, tab=query.tab, filters=filters, sort=query.sort, page=query.page
    )
    return TaskPageOut(
        total=page.total,
        page=page.page,
        pages=page.pages,
        counts=page.counts,
        results=[
            _brief(
                row,
                item_counts=page.citation_counts.get(row.pk, {}),
                open_requests=page.open_requests.get(row.pk, {}),
            )
            for row in page.rows
        ],
    )


def _library_list(request: HttpRequest, list_id: int) -> tuple[User, ReadingList]:
    user = caller(request, AREA, write=True)
    selectors.require_library(user)
    reading_list, _right = list_selectors.reading_list_get_for_manager(
        user=user, list_id=list_id
    )
    return user, reading_list


@router.post(
    "/lists/{list_id}/take", response=ListBrief, summary="Take an unassigned list"
)
def take(request: HttpRequest, list_id: int) -> ListBrief:
    """409 with `assigned_to` when someone else has it."""
    user, reading_list = _library_list(request, list_id)
    return _brief(processing.reading_list_take(actor=user, reading_list=reading_list))


class AssignIn(Schema):
    assignee: str | None = Field(
        None, description="User name of a librarian; null releases"
    )


@router.post(
    "/lists/{list_id}/assign", response=ListBrief, summary="Assign or release a list"
)
def assign(request: HttpRequest, list_id: int, body: AssignIn) -> ListBrief:
    user, reading_list = _library_list(request, list_id)
    assignee = None
    if body.assignee:
        assignee = User.objects.filter(username=body.assignee).first()
        if assignee is None:
            raise HttpError(400, "assignee: no such user.")
    return _brief(
        processing.reading_list_assign(
            actor=user, reading_list=reading_list, assignee=assignee
        )
    )


@router.post("/lists/{list_id}/start", response=ListBrief, summary="Start processing")
def start(request: HttpRequest, list_id: int) -> ListBrief:
    user, reading_list = _library_list(request, list_id)
    return _brief(
        processing.reading_list_start_processing(actor=user, reading_list=reading_list)
    )


class CompleteIn(Schema):
    reason: str = Field("", max_length=2000, description="Needed while items are open")


@router.post("/lists/{list_id}/complete", response=ListBrief, summary="Complete a list")
def complete(request: HttpRequest, list_id: int, body: CompleteIn) -> ListBrief:
    user, reading_list = _library_list(request, list_id)
    return _brief(
        processing.reading_list_complete(
            actor=user, reading_list=reading_list, reason=body.reason
        )
    )


class StatusIn(Schema):
    citation_ids: list[int] = Field(min_length=1, max_length=5000)
    status: CitationStatus
    reason: str = Field("", max_length=2000, description="Needed to decline")


class ChangedOut(Schema):
    changed: int


@router.post(
    "/lists/{list_id}/citations/status",
    response=ChangedOut,
    summary="Change the status of citations (all or nothing)",
)
def citations_status(request: HttpRequest, list_id: int, body: StatusIn) -> ChangedOut:
    user, reading_list = _library_list(request, list_id)
    changed = processing.citations_set_status(
        actor=user,
        reading_list=reading_list,
        citation_ids=body.citation_ids,
        status=str(body.status),
        reason=body.reason,
    )
    return ChangedOut(changed=changed)


class RequestOut(Schema):
    id: int
    citation: int = Field(alias="citation_id")
    list: int = Field(alias="reading_list_id")
    kind: str
    state: str
    page_ranges: str
    copies: int | None
    details: str
    outcome_reason: str
    assignee: str | None = None
    created_by: str | None = None
    created_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_assignee(obj: ProcessingRequest) -> str | None:
        return obj.assignee.username if obj.assignee else None

    @staticmethod
    def resolve_created_by(obj: ProcessingRequest) -> str | None:
        return obj.created_by.username if obj.created_by else None


@router.get(
    "/lists/{list_id}/requests", response=list[RequestOut], summary="A list's requests"
)
def list_requests(request: HttpRequest, list_id: int) -> list[ProcessingRequest]:
    user = caller(request, AREA)
    reading_list, _right = list_selectors.reading_list_get_for_editor(
        user=user, list_id=list_id
    )
    return list(
        ProcessingRequest.objects.filter(reading_list=reading_list)
        .select_related("assignee", "created_by")
        .order_by("created_at", "id")
    )


class RequestIn(Schema):
    kind: RequestKind
    page_ranges: str = Field(
        "", max_length=200, description="Digitization: e.g. 12-30, 45"
    )
    total_pages: int | None = Field(None, ge=1)
    copies: int | None = Field(
        None, ge=1, le=1000, description="Purchase; null: suggested"
    )
    details: str = Field("", max_length=5000)


@router.post(
    "/citations/{citation_id}/requests",
    response={201: RequestOut},
    summary="Request digitization, purchase, ... for a citation",
)
def request_create(request: HttpRequest, citation_id: int, body: RequestIn):
    user = caller(request, AREA, write=True)
    citation = list_selectors.citation_get_for_editor(
        user=user, citation_id=citation_id
    )
    created = services.request_create(
        actor=user,
        citation=citation,
        kind=str(body.kind),
        details=body.details,
        page_ranges=body.page_ranges,
        copies=body.copies,
        total_pages=body.total_pages,
    )
    return Status(201, created)


class StateIn(Schema):
    state: RequestState
    reason: str = Field("", max_length=2000, description="Needed to reject")


@router.post(
    "/requests/{request_id}/state", response=RequestOut, summary="Move a request"
)
def request_state(
    request: HttpRequest, request_id: int, body: StateIn
) -> ProcessingRequest:
    user = caller(request, AREA, write=True)
    req = get_object_or_404(ProcessingRequest, pk=request_id)
    list_selectors.citation_get_for_editor(user=user, citation_id=req.citation_id)
    return services.request_set_state(
        actor=user, request=req, state=str(body.state), reason=body.reason
    )


class RequestPage(Schema):
    total: int
    results: list[RequestOut]


@router.get("/requests", response=RequestPage, summary="A request queue")
def queue(
    request: HttpRequest,
    kind: RequestKind,
    state: Literal["open", "closed"] = "open",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> RequestPage:
    user = caller(request, AREA)
    rows = selectors.request_queue(user=user, kind=str(kind), state=state)
    return RequestPage(
        total=rows.count(),
        results=list(rows[offset : offset + limit]),  # type: ignore[arg-type]
    )
