"""The institution data page: upload a loader file as a background job; recent jobs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lectio.accounts.models import InstitutionSettings, User
from lectio.core.jobs import job_create
from lectio.core.loading import max_file_bytes
from lectio.core.models import Job
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.forms import UploadForm
from lectio.courses.views.jobs import count_rows, kind_label

RECENT_JOBS = 20

# The columns each loader reads, for the help beside the form.
COURSE_COLUMNS = [
    "COURSE_CODE",
    "COURSE_TITLE",
    "SECTION_ID",
    "ACAD_DEPT",
    "PROC_DEPT",
    "TERM1",
    "TERM2",
    "TERM3",
    "TERM4",
    "START_DATE",
    "END_DATE",
    "NUM_OF_PARTICIPANTS",
    "WEEKLY_HOURS",
    "YEAR",
    "SEARCH_ID1",
    "SEARCH_ID2",
    "MULTI_SEARCH_ID",
    *[f"INSTR{n}" for n in range(1, 11)],
    "ALL_INSTRUCTORS",
    "OPERATION",
    "OLD_COURSE_CODE",
    "OLD_COURSE_SECTION",
    "SUBMIT_LISTS_BY",
    "CAMPUS_AND_PARTICIPANTS",
    "READING_LIST_NAME",
]


def require_admin(user: User) -> None:
    if not user.is_institution_admin:
        raise PermissionDenied


def recent_jobs() -> list[Job]:
    jobs = list(Job.objects.select_related("created_by").defer("rejects")[:RECENT_JOBS])
    for job in jobs:
        job.kind_label = kind_label(job.kind)  # type: ignore[attr-defined]
        job.count_rows = [  # type: ignore[attr-defined]
            row for row in count_rows(job.counts or {}) if row[2]
        ]
    return jobs


@login_required
@require_http_methods(["GET", "POST"])
def data(request: AuthedHttpRequest) -> HttpResponse:
    require_admin(request.user)
    policy = InstitutionSettings.current()
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"date_format": policy.loader_date_format},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            job = job_create(
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                file_name=upload.name or "",
                options={
                    "mode": form.cleaned_data["mode"],
                    "dry_run": form.cleaned_data["dry_run"],
                    "date_format": form.cleaned_data["date_format"],
                },
                actor=request.user,
            )
        return redirect("courses:job", pk=job.pk)
    context = {
        "form": form,
        "jobs": recent_jobs(),
        "course_columns": COURSE_COLUMNS,
        "max_megabytes": max_file_bytes() // 1_048_576,
        "policy": policy,
        "nav": "institution_data",
    }
    return render(request, "courses/data.html", context)
