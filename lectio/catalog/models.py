"""The library's catalog: bibliographic records loaded from MARC, their physical items,
electronic portfolios, course reserves and hold requests.

The catalog sits below lists: nothing here imports `lectio.lists` or `lectio.workflow`.
Lists point at records (`Citation.catalog_record`), and the layers above (lists,
workflow, the views) join the two.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lectio.courses.models import Course


class RecordFormat(models.TextChoices):
    """The record's format, from the MARC leader and 007/008. The values that also
    exist as a citation material type (`lists.MaterialType`) are spelled the same."""

    BOOK = "book", _("Book")
    EBOOK = "ebook", _("E-book")
    JOURNAL = "journal", _("Journal")
    ARTICLE = "article", _("Article")
    THESIS = "thesis", _("Thesis")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio recording")
    MUSIC_SCORE = "music_score", _("Music score")
    MAP = "map", _("Map")
    COMPUTER_FILE = "computer_file", _("Computer file")
    MANUSCRIPT = "manuscript", _("Manuscript")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class Record(models.Model):
    """A bibliographic record. `control_number` (MARC 001, or the first 035 when there
    is no 001) is the key the loader upserts on; `checksum` is a hash of the source
    record, so a reload recognises an unchanged record without comparing fields."""

    control_number = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=1000)
    subtitle = models.CharField(max_length=1000, blank=True)
    # 245 $c, as printed.
    responsibility = models.CharField(max_length=1000, blank=True)
    # [{"name": "Darwin, Charles, 1809-1882", "role": "author"}, ...] in record order:
    # 100/110/111 then 700/710/711, role from $e/$4 ("author" when none is given).
    contributors = models.JSONField(default=list, blank=True)
    # Denormalised for display and sorting: the main entry, or the first contributor.
    author = models.CharField(max_length=500, blank=True)
    edition = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=500, blank=True)
    place = models.CharField(max_length=300, blank=True)
    # The date as printed (264/260 $c), and the year from 008 or that date.
    date = models.CharField(max_length=100, blank=True)
    year = models.SmallIntegerField(null=True, blank=True)
    extent = models.CharField(max_length=500, blank=True)
    series = models.JSONField(default=list, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    # Normalised: ISBN-13 without hyphens (ISBN-10s converted), ISSN as NNNN-NNNX.
    isbns = models.JSONField(default=list, blank=True)
    issns = models.JSONField(default=list, blank=True)
    lccn = models.CharField(max_length=50, blank=True)
    oclc = models.CharField(max_length=50, blank=True)
    # MARC language code from 008/35-37 (or 041 $a).
    language = models.CharField(max_length=8, blank=True)
    format = models.CharField(
        max_length=32, choices=RecordFormat.choices, default=RecordFormat.BOOK
    )
    summary = models.TextField(blank=True)
    # [{"url": ..., "note": ...}] from 856 $u with $z/$3.
    urls = models.JSONField(default=list, blank=True)
    # The source record as MARC-in-JSON (pymarc's as_json), whatever the input was.
    source = models.TextField(blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    # Denormalised by `catalog.availability` whenever items, portfolios or reserves
    # change: the search filters "available now" and "on course reserve" read these.
    available_now = models.BooleanField(default=False)
    on_reserve = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class IdentifierKind(models.TextChoices):
    ISBN = "isbn", "ISBN"
    ISSN = "issn", "ISSN"
    LCCN = "lccn", "LCCN"
    OCLC = "oclc", "OCLC"
    DOI = "doi", "DOI"


class RecordIdentifier(models.Model):
    """One normalised identifier of a record, for exact lookup (search by ISBN, ISSN,
    LCCN, OCLC number or DOI; locating citations). Kept in step with the record's fields
    by whoever writes the record."""

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(max_length=8, choices=IdentifierKind.choices)
    value = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value", "record"], name="record_identifier_uniq"
            )
        ]


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    ON_LOAN = "on_loan", _("On loan")
    IN_TRANSIT = "in_transit", _("In transit")
    ON_HOLD_SHELF = "on_hold_shelf", _("On hold shelf")
    IN_PROCESS = "in_process", _("In process")
    MISSING = "missing", _("Missing")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Item(models.Model):
    """A physical copy. `location` and `loan_policy` are the current values; while the
    item is on course reserve they hold the reserve values and the originals are kept
    on the `CourseReserve` row that changed them."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="items")
    barcode = models.CharField(max_length=64, unique=True)
    library = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)
    call_number = models.CharField(max_length=200, blank=True)
    loan_policy = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["library", "location", "call_number", "barcode"]
        indexes = [models.Index(fields=["record", "status"], name="item_record_status")]

    def __str__(self) -> str:
        return self.barcode


class Portfolio(models.Model):
    """An electronic resource: where the full text is, for which dates."""

    record = models.ForeignKey(
        Record,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolios",
    )
    # The portfolio's id in the file it was loaded from: the loader's upsert key.
    external_id = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=1000, blank=True)
    isbn = models.CharField(max_length=20, blank=True)
    issn = models.CharField(max_length=9, blank=True)
    url = models.URLField(max_length=2000)
    provider = models.CharField(max_length=300, blank=True)
    coverage_from = models.DateField(null=True, blank=True)
    coverage_to = models.DateField(null=True, blank=True)
    # Moving wall: the most recent N months are not available.
    embargo_months = models.PositiveSmallIntegerField(null=True, blank=True)
    open_access = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "id"]
        indexes = [
            models.Index(fields=["issn"], name="portfolio_issn"),
            models.Index(fields=["isbn"], name="portfolio_isbn"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class CourseReserve(models.Model):
    """An item on reserve for a course. Placing it stores the item's original location
    and loan policy here and sets the reserve values on the item; ending it (the course
    ended, or the item left the course's last list) restores the originals when no
    other active reserve holds the item (as Koha's course reserves do)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reserves")
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="catalog_reserves"
    )
    # The processing request it came from (workflow), kept as a plain id because the
    # catalog sits below workflow.
    request_id = models.BigIntegerField(null=True, blank=True)
    reserve_location = models.CharField(max_length=100)
    reserve_loan_policy = models.CharField(max_length=100)
    original_location = models.CharField(max_length=100, blank=True)
    original_loan_policy = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "course"],
                condition=Q(active=True),
                name="reserve_one_active_per_course",
            )
        ]
        indexes = [models.Index(fields=["course", "active"], name="reserve_course")]


class PickupLocation(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HoldStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_PROCESS = "in_process", _("Being fetched")
    READY = "ready", _("Ready for pickup")
    FULFILLED = "fulfilled", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not possible")


OPEN_HOLD_STATUSES = (HoldStatus.REQUESTED, HoldStatus.IN_PROCESS, HoldStatus.READY)


class Hold(models.Model):
    """A hold request on a record, to be picked up at a location."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="holds")
    # The copy the librarian set aside, once there is one.
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="holds"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="holds"
    )
    pickup_location = models.ForeignKey(
        PickupLocation, on_delete=models.PROTECT, related_name="holds"
    )
    status = models.CharField(
        max_length=16, choices=HoldStatus.choices, default=HoldStatus.REQUESTED
    )
    note = models.TextField(blank=True)
    # Why a hold was rejected or cancelled by the library.
    reason = models.TextField(blank=True)
    handled_by = models.ForeignKey(
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
            models.UniqueConstraint(
                fields=["record", "requester"],
                condition=Q(status__in=["requested", "in_process", "ready"]),
                name="hold_one_open_per_requester",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="hold_queue")]
