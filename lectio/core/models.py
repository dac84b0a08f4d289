from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """An audit row: who did what to which object, written in the change's transaction."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32)
    target_id = models.BigIntegerField(null=True, blank=True)
    # The resource list the event belongs to (its timeline), when there is one.
    list_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        indexes = [
            models.Index(fields=["list_id", "-created_at"], name="event_list_time"),
            models.Index(fields=["target_type", "target_id"], name="event_target"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long piece of work started from the browser, the API or the command line (a
    loader file, a bulk rollover): its input, its progress and its report, so a page or
    a script can poll it."""

    kind = models.CharField(max_length=32)
    state = models.CharField(
        max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    # The uploaded file (loaders) and the options it runs with (mode, dry run, ...).
    file = models.FileField(upload_to="jobs/", null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Counts (created / updated / unchanged / rejected / ...) and the reject lines.
    counts = models.JSONField(default=dict, blank=True)
    rejects = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="job_kind_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.finished else 0
        return min(100, self.progress_done * 100 // self.progress_total)
