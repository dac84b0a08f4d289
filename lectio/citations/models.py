"""What the citations app keeps: an uploaded file waiting for its import to be
confirmed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingImport(models.Model):
    """A citation file a person uploaded and has seen the preview of, kept on the
    server until they confirm (or it expires) so the confirmation re-reads the file
    itself and never trusts what the browser sends back about it.

    The target is a list section today; `target_kind` leaves room for others (a
    personal collection)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    target_kind = models.CharField(max_length=16, default="section")
    reading_list = models.ForeignKey(
        "lists.ReadingList",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Null when the section was deleted after the upload: the import says so.
    section = models.ForeignKey(
        "lists.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(max_length=255, blank=True)
    # "" when the format is to be guessed from the file.
    format = models.CharField(max_length=16, blank=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("pending import")
