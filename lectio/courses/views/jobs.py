"""A background job's page (progress, counts, rejects) and its reject report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from lectio.accounts.models import User
from lectio.core.htmx import is_htmx, vary_on_htmx
from lectio.core.loading import LOADERS, Reject
from lectio.core.models import Job, JobState
from lectio.core.requests import AuthedHttpRequest

KIND_LABELS = {
    "courses": gettext_lazy("Courses"),
    "users": gettext_lazy("Users"),
    "enrolments": gettext_lazy("Enrolments"),
    "lists": gettext_lazy("Reading lists"),
    "rollover": gettext_lazy("Rollover"),
}

# The counts every job shows, in this order; any other count a job reports follows.
COUNT_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
    "deleted": gettext_lazy("Deleted"),
    "rolled_over": gettext_lazy("Rolled over"),
    "rejected": gettext_lazy("Rejected"),
}

# Counts of other kinds of job (rollover).
OTHER_COUNT_LABELS = {
    "already": gettext_lazy("Rolled over before (left alone)"),
    "citations": gettext_lazy("Citations copied"),
    "unmatched": gettext_lazy("Lists with no matching course"),
}

MODE_LABELS = {
    "all_or_nothing": gettext_lazy("All or nothing"),
    "valid_only": gettext_lazy("Apply the valid rows only"),
}

# Rejects shown on the page; the downloaded report has them all.
REJECTS_SHOWN = 500
POLL_SECONDS = 2


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()))


def can_view_job(user: User, job: Job) -> bool:
    """Administrators see every job; whoever started a job sees it; library staff see
    rollover jobs too, since librarians run rollovers for each other's courses.
    Loader files (people, enrolments) stay with administrators."""
    if user.is_institution_admin:
        return True
    if job.created_by_id == user.pk:
        return True
    return job.kind == "rollover" and user.is_library_staff


def job_get_for_viewer(*, user: User, job_id: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=job_id)
    if not can_view_job(user, job):
        raise PermissionDenied
    return job


def count_rows(counts: dict[str, Any], kind: str = "") -> list[tuple[str, str, int]]:
    """(key, label, number): for loaders every standard count, then any others the
    job gave; for other jobs (rollover) the counts they gave."""
    loader = kind in LOADERS or not kind
    rows = [
        (key, str(label), int(counts.get(key) or 0))
        for key, label in COUNT_LABELS.items()
        if loader or key in counts
    ]
    for key in sorted(counts):
        if key not in COUNT_LABELS:
            label = OTHER_COUNT_LABELS.get(key) or key.replace("_", " ").capitalize()
            rows.append((key, str(label), int(counts[key] or 0)))
    return rows


def reject_line(job: Job, reject: dict[str, Any]) -> str:
    """One line of the reject report: as the loader commands write it; a job that
    reads no file (rollover) has no line numbers."""
    item = Reject(
        line=int(reject.get("line") or 0),
        reason=str(reject.get("reason", "")),
        key=str(reject.get("key", "")),
    )
    if job.kind in LOADERS or item.line:
        return str(item)
    return f"{item.key}: {item.reason}" if item.key else item.reason


def status_text(job: Job) -> str:
    """What the status line says; while running, in steps of 10% so that a screen
    reader is not told every poll."""
    if job.state == JobState.QUEUED:
        return _("Waiting to start.")
    if job.state == JobState.RUNNING:
        if job.progress_total:
            step = job.percent // 10 * 10
            return _("Running: %(percent)s%% done.") % {"percent": step}
        return _("Running.")
    if job.state == JobState.FAILED:
        return _("Failed.")
    return _("Finished.")


def status_key(job: Job) -> str:
    return f"{job.state}-{job.percent // 10 if job.state == JobState.RUNNING else ''}"


@login_required
@require_GET
def job_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The full page, or for the page's poll (htmx) the live part, with the status
    line only when it says something new."""
    job = job_get_for_viewer(user=request.user, job_id=pk)
    rejects = job.rejects or []
    context = {
        "job": job,
        "kind_label": kind_label(job.kind),
        "mode_label": MODE_LABELS.get(job.options.get("mode", ""), ""),
        "counts": count_rows(job.counts or {}, job.kind) if job.finished else [],
        "has_lines": job.kind in LOADERS,
        "rejects": rejects[:REJECTS_SHOWN],
        "rejects_more": max(0, len(rejects) - REJECTS_SHOWN),
        "rejects_total": len(rejects),
        "status_text": status_text(job),
        "status_key": status_key(job),
        "poll_seconds": POLL_SECONDS,
        "nav": "institution_data" if request.user.is_institution_admin else "",
        "back_url": reverse("courses:data")
        if request.user.is_institution_admin
        else "",
    }
    if is_htmx(request):
        context["status_changed"] = request.GET.get("seen") != context["status_key"]
        response = render(request, "courses/job.html#live", context)
    else:
        response = render(request, "courses/job.html", context)
    response["Cache-Control"] = "no-store"
    return vary_on_htmx(response)


@login_required
@require_GET
def job_rejects(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The reject report as a text file: one line per reject, as the commands write."""
    job = job_get_for_viewer(user=request.user, job_id=pk)
    rejects = sorted(job.rejects or [], key=lambda r: int(r.get("line") or 0))
    body = "".join(f"{reject_line(job, r)}\n" for r in rejects)
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{job.kind}-job-{job.pk}-rejects.txt"'
    )
    response["Cache-Control"] = "no-store"
    return response
