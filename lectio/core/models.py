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
