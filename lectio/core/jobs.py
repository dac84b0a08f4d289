"""Background jobs with progress: loaders and bulk rollovers started from the browser
or the API run here, in `lectio worker`, and report into their Job row, which pages
and scripts poll."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lectio.core.loading import LOADERS, LoadOptions, ProgressFn, run_file
from lectio.core.models import Job, JobState

# Jobs that are not file loaders: kind -> "module.function(job, progress) -> None".
# The function fills job.counts / job.rejects / job.message; run_job saves them.
RUNNERS: dict[str, str] = {
    "rollover": "lectio.lists.rollover.run_job",
}


def job_kinds() -> list[str]:
    return sorted([*LOADERS, *RUNNERS])


def job_create(
    *,
    kind: str,
    actor: Any,
    options: dict[str, Any] | None = None,
    data: bytes | None = None,
    file_name: str = "",
    enqueue: bool = True,
) -> Job:
    """Records a job (with its uploaded file) and queues it for the worker, once the
    surrounding transaction has committed."""
    if kind not in LOADERS and kind not in RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind,
        options=options or {},
        file_name=file_name[:255],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if data is not None:
        job.file.save(f"{kind}.dat", ContentFile(data), save=False)
    job.save()
    if enqueue:
        job_id = job.pk
        transaction.on_commit(lambda: run_job.enqueue(job_id))
    return job


def _progress_writer(job_id: int) -> ProgressFn:
    def progress(done: int, total: int) -> None:
        # Its own statement outside the loader's transaction is not possible on
        # SQLite (one writer); the row is updated in the loader's transaction and
        # becomes visible at commit, or immediately when the loader commits in steps.
        Job.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    return progress


def job_execute(job: Job) -> Job:
    """Runs `job` now, in this process. The worker's task calls this; tests and the
    command line may too."""
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    progress = _progress_writer(job.pk)
    try:
        if job.kind in LOADERS:
            data = job.file.read() if job.file else b""
            opts = job.options
            result = run_file(
                job.kind,
                data,
                LoadOptions(
                    mode=opts.get("mode", "all_or_nothing"),
                    date_format=opts.get("date_format") or None,
                    dry_run=bool(opts.get("dry_run")),
                    actor=job.created_by,
                    progress=progress,
                    file_name=job.file_name,
                ),
            )
            job.counts = result.counts_dict()
            job.rejects = [r.as_dict() for r in result.rejects]
            job.message = result.summary()
        else:
            module, _dot, name = RUNNERS[job.kind].rpartition(".")
            getattr(import_module(module), name)(job, progress)
        job.state = JobState.DONE
    except Exception as exc:  # the job records any failure; the worker stays up
        job.state = JobState.FAILED
        job.message = f"The job failed: {exc.__class__.__name__}: {exc}"[:2000]
    job.finished_at = timezone.now()
    job.progress_done = max(job.progress_done, job.progress_total)
    Job.objects.filter(pk=job.pk).update(
        state=job.state,
        counts=job.counts,
        rejects=job.rejects,
        message=job.message,
        finished_at=job.finished_at,
    )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> str:
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return job.state
    return job_execute(job).state
