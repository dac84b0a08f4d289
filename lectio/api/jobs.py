"""Loaders over the API: upload a file, then poll its job.

`POST /jobs` (multipart) stores the file and queues the job for `lectio worker`,
answering 202 with the job; `GET /jobs/{id}` reports its state, progress, counts and
reject lines (the same as the job's page in the browser). Administrators only; keys
need loaders:write to start a job and loaders:read to poll."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from lectio.api.auth import admin_caller, caller
from lectio.api.errors import FieldError
from lectio.api.paging import PageMeta, PageQuery, page
from lectio.core.jobs import job_create
from lectio.core.loading import max_file_bytes
from lectio.core.models import Job, JobState

router = Router(tags=["loaders"])
AREA = "loaders"

LoaderKind = Literal["courses", "users", "enrolments", "lists"]
# A poll answers with this many reject lines at most; the report has them all.
REJECTS_SHOWN = 1000


class Progress(Schema):
    done: int
    total: int
    percent: int


class JobLinks(Schema):
    self: str = Field(description="This job in the API (poll it)")
    html: str | None = Field(description="The job's page in the browser")
    rejects: str | None = Field(description="The full reject report, as text")


class RejectOut(Schema):
    line: int = Field(description="Line of the file; 0 for the file as a whole")
    key: str
    reason: str


class JobBrief(Schema):
    id: int
    kind: str
    state: JobState
    file_name: str
    options: dict[str, Any]
    progress: Progress
    counts: dict[str, int] = Field(
        description="created / updated / unchanged / deleted / rolled_over / rejected"
    )
    message: str
    created_by: str | None = Field(description="User name")
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    links: JobLinks


class JobOut(JobBrief):
    rejects: list[RejectOut] = Field(
        description=f"The first {REJECTS_SHOWN} reject lines"
    )
    rejects_total: int


class JobPage(PageMeta):
    results: list[JobBrief]


class JobQuery(PageQuery):
    kind: str = Field("", max_length=32)
    state: JobState | None = None


class JobIn(Schema):
    kind: LoaderKind
    mode: Literal["all_or_nothing", "valid_only"] = Field(
        "all_or_nothing",
        description="all_or_nothing: nothing is applied if any row is rejected",
    )
    dry_run: bool = Field(False, description="Validate and report; change nothing")
    date_format: str = Field(
        "",
        max_length=32,
        description="strftime format of dates in the file, e.g. %d/%m/%Y; "
        "empty: the institution's setting",
    )


def _url(request: HttpRequest, name: str, pk: int) -> str | None:
    try:
        return request.build_absolute_uri(reverse(name, kwargs={"pk": pk}))
    except NoReverseMatch:
        return None


def job_brief(request: HttpRequest, job: Job) -> dict[str, Any]:
    self_url = request.build_absolute_uri(
        reverse("api-v1:job_get", kwargs={"job_id": job.pk})
    )
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "file_name": job.file_name,
        "options": job.options,
        "progress": {
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
        },
        "counts": job.counts,
        "message": job.message,
        "created_by": job.created_by.username if job.created_by else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "links": {
            "self": self_url,
            "html": _url(request, "courses:job", job.pk),
            "rejects": (
                _url(request, "courses:job_rejects", job.pk)
                if job.counts.get("rejected")
                else None
            ),
        },
    }


def job_out(request: HttpRequest, job: Job) -> dict[str, Any]:
    return {
        **job_brief(request, job),
        "rejects": job.rejects[:REJECTS_SHOWN],
        "rejects_total": len(job.rejects),
    }


def _check_date_format(value: str) -> None:
    sample = datetime.date(2026, 9, 28)
    try:
        text = sample.strftime(value)
        parsed = datetime.datetime.strptime(text, value).date()
    except ValueError:
        parsed = None
    if "%" not in value or parsed != sample:
        raise FieldError(
            "date_format", "not a usable date format; use e.g. %Y-%m-%d or %d/%m/%Y."
        )


# The API area each loader writes into.
WRITES_INTO = {
    "courses": "courses",
    "users": "users",
    "enrolments": "users",
    "lists": "lists",
}


@router.post(
    "/jobs",
    response={202: JobOut},
    summary="Load a file: courses, users, enrolments or lists (administrators)",
)
def job_start(
    request: HttpRequest, body: Form[JobIn], file: File[UploadedFile]
) -> Status:
    """The file is checked and applied by `lectio worker`; poll `links.self`."""
    user = admin_caller(request, AREA, write=True)
    # A loader writes into an area of its own: a key needs write access there too,
    # so a key for loading courses cannot make administrators through a user file.
    caller(request, WRITES_INTO[body.kind], write=True)
    limit = max_file_bytes()
    if file.size is not None and file.size > limit:
        raise FieldError(
            "file",
            f"the file is {file.size / 1_048_576:.0f} MB; files up to "
            f"{limit / 1_048_576:.0f} MB are accepted.",
        )
    if not file.size:
        raise FieldError("file", "the file is empty.")
    if body.date_format:
        _check_date_format(body.date_format)
    job = job_create(
        kind=body.kind,
        actor=user,
        options={
            "mode": body.mode,
            "dry_run": body.dry_run,
            "date_format": body.date_format,
        },
        data=file.read(),
        file_name=file.name or "",
    )
    job = Job.objects.select_related("created_by").get(pk=job.pk)
    return Status(202, job_out(request, job))


@router.get("/jobs", response=JobPage, summary="Recent jobs, newest first")
def job_list(request: HttpRequest, query: Query[JobQuery]) -> dict[str, Any]:
    admin_caller(request, AREA)
    rows = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    # The reject lines can be long: polls of one job carry them, the list does not.
    rows = rows.defer("rejects")
    if query.kind:
        rows = rows.filter(kind=query.kind)
    if query.state:
        rows = rows.filter(state=query.state)
    answer = page(request, rows, query)
    answer["results"] = [job_brief(request, j) for j in answer["results"]]
    return answer


@router.get(
    "/jobs/{job_id}",
    response=JobOut,
    summary="A job: state, progress, counts, reject lines",
    url_name="job_get",
)
def job_get(request: HttpRequest, job_id: int) -> dict[str, Any]:
    admin_caller(request, AREA)
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=job_id)
    return job_out(request, job)
