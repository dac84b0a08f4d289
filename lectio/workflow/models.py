"""The library's work on lists: processing requests, discussions, notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lectio.core.statemachine import StatusMachine
from lectio.lists.models import Citation, ReadingList


class RequestKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    DIGITIZATION = "digitization", _("Digitization")
    COPYRIGHT = "copyright", _("Copyright clearance")
    RESERVES = "reserves", _("Move to reserves / short loan")
    HOLD = "hold", _("Hold")
    BOOKING = "booking", _("Booking")
    OTHER = "other", _("Other")


class RequestState(models.TextChoices):
    NEW = "New", _("New")
    IN_PROGRESS = "InProgress", _("In progress")
    DONE = "Done", _("Done")
    REJECTED = "Rejected", _("Rejected")
    CANCELLED = "Cancelled", _("Cancelled")


OPEN_STATES = (RequestState.NEW, RequestState.IN_PROGRESS)

REQUEST_MACHINE = StatusMachine(
    name=_("request state"),
    transitions={
        RequestState.NEW: {
            RequestState.IN_PROGRESS,
            RequestState.DONE,
            RequestState.REJECTED,
            RequestState.CANCELLED,
        },
        RequestState.IN_PROGRESS: {
            RequestState.NEW,
            RequestState.DONE,
            RequestState.REJECTED,
            RequestState.CANCELLED,
        },
    },
    labels=dict(RequestState.choices),
)


class ProcessingRequest(models.Model):
    citation = models.ForeignKey(
        Citation, on_delete=models.CASCADE, related_name="requests"
    )
    # Copied from the citation for the queues' filters.
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    state = models.CharField(
        max_length=16, choices=RequestState.choices, default=RequestState.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    details = models.TextField(blank=True)
    # Digitization: the pages to scan ("12-30, 45-51").
    page_ranges = models.CharField(max_length=200, blank=True)
    # Purchase: copies to buy (suggested from the tag and the course size).
    copies = models.PositiveIntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    outcome_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # At most one open request of a kind per citation.
            models.UniqueConstraint(
                fields=["citation", "kind"],
                condition=Q(state__in=["New", "InProgress"]),
                name="request_one_open_per_kind",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "state", "created_at"], name="request_queue"),
            models.Index(fields=["reading_list", "state"], name="request_list_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.citation_id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Thread(models.TextChoices):
    LIBRARY = "library", _("Library discussion")
    STUDENT = "student", _("Student discussion")


class Message(models.Model):
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="+"
    )
    citation = models.ForeignKey(
        Citation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.CharField(
        max_length=16, choices=Thread.choices, default=Thread.LIBRARY
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_library = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["reading_list", "thread", "created_at"], name="message_list"
            ),
        ]


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_pref",
    )
    daily_digest = models.BooleanField(
        _("one e-mail a day instead of one per message"), default=False
    )


class PendingNotification(models.Model):
    """A message waiting for its recipient's daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "message"], name="pending_notification_uniq"
            )
        ]


class PurchaseRatio(models.Model):
    """Copies to suggest for a purchase: one per `students_per_copy` participants of the
    list's courses, by the citation's public tag (Essential 1 per 10, ...)."""

    tag = models.OneToOneField("lists.Tag", on_delete=models.CASCADE, related_name="+")
    students_per_copy = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.tag}: 1 per {self.students_per_copy}"


class CopyrightRule(models.Model):
    """Evaluated by position when a digitization is requested; first match wins.
    A rule matches when every condition it sets holds."""

    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    material_type = models.CharField(max_length=32, blank=True)
    max_percent = models.DecimalField(
        _("at most this share of the work (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    max_chapters = models.PositiveIntegerField(
        _("at most this many chapters"), null=True, blank=True
    )
    published_before = models.PositiveIntegerField(
        _("published before the year"), null=True, blank=True
    )
    outcome = models.CharField(_("copyright status"), max_length=32)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
