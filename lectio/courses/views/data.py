"""The institution data page: upload a loader file as a background job; recent jobs."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lectio.accounts.models import InstitutionSettings, User
from lectio.core.jobs import job_create
from lectio.core.loading import LOADERS, max_file_bytes
from lectio.core.models import Job
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.forms import UploadForm
from lectio.courses.views.jobs import count_rows, kind_label

RECENT_JOBS = 20


# What each loader reads, for the help beside the form; the columns come from the
# loader itself (its COLUMNS), so the help cannot drift from the code.
@dataclass(frozen=True)
class KindHelp:
    kind: str
    title: str
    text: str
    example: str
    columns: tuple[str, ...] = ()


HELP = {
    "courses": (
        gettext_lazy("Courses"),
        gettext_lazy(
            "Alma's course loader file: tab-separated, these 34 columns in this order. "
            "Code and section together are the key; a processing department is "
            "required. OPERATION is empty (create or update), DELETE, or ROLLOVER "
            "(with OLD_COURSE_CODE and OLD_COURSE_SECTION). Multi-value columns take "
            "comma-separated values; CAMPUS_AND_PARTICIPANTS is "
            "CAMPUS|count,CAMPUS|count."
        ),
        "examples/courses.tsv",
    ),
    "users": (
        gettext_lazy("Users"),
        gettext_lazy(
            "Comma-separated, a header row naming the columns, keyed on primary_id."
        ),
        "examples/users.csv",
    ),
    "enrolments": (
        gettext_lazy("Enrolments"),
        gettext_lazy(
            "Comma-separated, a header row naming the columns: who takes or teaches "
            "which course section, and in which role; operation DELETE removes one."
        ),
        "examples/enrolments.csv",
    ),
    "lists": (
        gettext_lazy("Reading lists"),
        gettext_lazy(
            "Leganto's reading-list loader file: comma-separated, a header row naming "
            "the columns, one row per citation. Lists are matched on their code and "
            "citations on their external id, so loading a file again changes nothing."
        ),
        "examples/lists.csv",
    ),
}


def loader_columns(kind: str) -> tuple[str, ...]:
    module = LOADERS.get(kind, "").rpartition(".")[0]
    try:
        return tuple(getattr(import_module(module), "COLUMNS", ()))
    except ImportError:
        return ()


def kind_help() -> list[KindHelp]:
    return [
        KindHelp(
            kind=kind,
            title=str(HELP[kind][0]),
            text=str(HELP[kind][1]),
            example=HELP[kind][2],
            columns=loader_columns(kind),
        )
        for kind in LOADERS
        if kind in HELP
    ]


def require_admin(user: User) -> None:
    if not user.is_institution_admin:
        raise PermissionDenied


def recent_jobs() -> list[Job]:
    jobs = list(Job.objects.select_related("created_by").defer("rejects")[:RECENT_JOBS])
    for job in jobs:
        job.kind_label = kind_label(job.kind)  # type: ignore[attr-defined]
        job.count_rows = [  # type: ignore[attr-defined]
            row for row in count_rows(job.counts or {}, job.kind) if row[2]
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
        "kinds": kind_help(),
        "max_megabytes": max_file_bytes() // 1_048_576,
        "policy": policy,
        "nav": "institution_data",
    }
    return render(request, "courses/data.html", context)
