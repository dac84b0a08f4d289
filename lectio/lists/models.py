from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from lectio.catalog.models import Record
from lectio.courses.models import Course, Department
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    MaterialAccess,
    PublicationStatus,
    Visibility,
)


class MaterialType(models.TextChoices):
    BOOK = "book", _("Book")
    BOOK_CHAPTER = "book_chapter", _("Book chapter")
    ARTICLE = "article", _("Article")
    JOURNAL = "journal", _("Journal")
    EBOOK = "ebook", _("E-book")
    WEBSITE = "website", _("Website")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    THESIS = "thesis", _("Thesis")
    CONFERENCE_PAPER = "conference_paper", _("Conference paper")
    REPORT = "report", _("Report")
    LEGAL_DOCUMENT = "legal_document", _("Legal document")
    NOTE = "note", _("Note")
    OTHER = "other", _("Other")


class ReadingList(models.Model):
    code = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    courses = models.ManyToManyField(Course, blank=True, related_name="reading_lists")
    status = models.CharField(
        max_length=32, choices=ListStatus.choices, default=ListStatus.BEING_PREPARED
    )
    publication_status = models.CharField(
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.COURSE
    )
    material_access = models.CharField(
        max_length=16, choices=MaterialAccess.choices, default=MaterialAccess.FULL
    )
    due_back_date = models.DateField(null=True, blank=True)
    assigned_librarian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_lists",
    )
    processing_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked = models.BooleanField(default=False)
    syllabus = models.FileField(upload_to="syllabi/", null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    instructor_note = models.TextField(blank=True)
    library_note = models.TextField(blank=True)
    rolled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_to_library_at = models.DateTimeField(null=True, blank=True)
    sent_to_library_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # When the library last completed the list, and who did (the turnaround report).
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The library's attention: when an instructor last changed the list or wrote to the
    # library after sending it, and when the library last looked.
    library_alert_at = models.DateTimeField(null=True, blank=True)
    library_seen_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every edit made from a form names the version it started from.
    version = models.PositiveIntegerField(default=1)
    # Bumped on every change to what readers see (items, sections, the list itself);
    # keys the cache of the rendered reading view.
    content_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["status", "publication_status"], name="list_status_pub"
            ),
            # The library's task list: tab counts and the default "longest waiting"
            # order are read from these without touching the rows.
            models.Index(
                fields=["status", "assigned_librarian"], name="list_status_assignee"
            ),
            models.Index(
                fields=["status", "sent_to_library_at"], name="list_status_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_published(self) -> bool:
        return self.publication_status == PublicationStatus.PUBLISHED


class CollaboratorRight(models.TextChoices):
    OWNER = "owner", _("Can manage")
    EDITOR = "editor", _("Can edit")


class Collaborator(models.Model):
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="collaborators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="collaborations",
    )
    right = models.CharField(
        max_length=16,
        choices=CollaboratorRight.choices,
        default=CollaboratorRight.EDITOR,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "user"], name="collaborator_uniq"
            )
        ]


class Section(models.Model):
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="sections"
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    visible = models.BooleanField(default=True)
    # Items added with no section (API, loader, catalog) land in the default section.
    is_default = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["reading_list", "position"], name="section_list_pos")
        ]

    def __str__(self) -> str:
        return self.name


class TagKind(models.TextChoices):
    PUBLIC = "public", _("Public")
    INSTRUCTOR_LIBRARY = "instructor_library", _("Instructor and library")
    LIBRARY_INTERNAL = "library_internal", _("Library internal")


class Tag(models.Model):
    kind = models.CharField(
        max_length=24, choices=TagKind.choices, default=TagKind.PUBLIC
    )
    name = models.CharField(max_length=100)
    # Tags ship with Essential / Recommended / Optional; institutions add their own.
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="tag_kind_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class Citation(models.Model):
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="citations"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="citations"
    )
    position = models.PositiveIntegerField(default=0)
    material_type = models.CharField(
        max_length=32, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    secondary_type = models.CharField(max_length=32, blank=True)
    # Bibliographic metadata in CSL-JSON shape (title, author, container-title, ...).
    metadata = models.JSONField(default=dict, blank=True)
    # Denormalised from metadata for sorting, search and the librarian's table.
    title = models.CharField(max_length=1000, blank=True)
    author = models.CharField(max_length=1000, blank=True)
    catalog_record = models.ForeignKey(
        Record,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citations",
    )
    # The id the citation had in the system it was loaded from (reading-list loader).
    external_id = models.CharField(max_length=200, blank=True)
    public_note = models.TextField(blank=True)
    instructor_note = models.TextField(blank=True)
    library_note = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="citations")
    status = models.CharField(
        max_length=32,
        choices=CitationStatus.choices,
        default=CitationStatus.BEING_PREPARED,
    )
    decline_reason = models.TextField(blank=True)
    copyright_status = models.CharField(
        max_length=32,
        choices=CopyrightStatus.choices,
        default=CopyrightStatus.NOT_DETERMINED,
    )
    license_type = models.CharField(max_length=100, blank=True)
    due_date = models.DateField(null=True, blank=True)
    # The citation formatted in the institution's style (sanitised HTML), refreshed by
    # the services whenever the citation or the style changes.
    rendered_html = models.TextField(blank=True)
    rendered_style = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["section__position", "position", "id"]
        indexes = [
            models.Index(
                fields=["reading_list", "section", "position"], name="citation_list_pos"
            ),
            models.Index(
                fields=["reading_list", "status"], name="citation_list_status"
            ),
            # The library's reports read these alone, without the rows: items by
            # material type and catalog record, and titles on several lists.
            models.Index(
                fields=["reading_list", "status", "material_type", "catalog_record"],
                name="citation_report_list_kind",
            ),
            models.Index(
                fields=["material_type", "catalog_record", "status"],
                name="citation_report_kind",
            ),
            models.Index(
                Lower("title"),
                "reading_list",
                "status",
                "catalog_record",
                name="citation_report_title",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "external_id"],
                condition=~models.Q(external_id=""),
                name="citation_external_id_uniq",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"Citation {self.pk}"


class FileCopyright(models.TextChoices):
    """What the uploader says about the right to share a file with the course."""

    SELF_DECLARED = "self_declared", _("I own it or have permission to share it")
    CREATIVE_COMMONS = "creative_commons", _("It has a Creative Commons licence")
    NEEDS_CLEARANCE = "needs_clearance", _("The library needs to clear copyright")


def citation_file_storage() -> Any:
    from django.core.files.storage import storages

    return storages["citation_files"]


class CitationFile(models.Model):
    """A file uploaded to a citation (a scan, an e-book, slides). The stored name is
    generated; rolled-over copies of a citation point to the same stored file, which
    is removed once no row names it."""

    citation = models.ForeignKey(
        Citation, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(storage=citation_file_storage, max_length=255)
    # The name it was uploaded under (no directories), offered when downloading.
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    copyright = models.CharField(max_length=24, choices=FileCopyright.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["file"], name="citation_file_stored")]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        from lectio.core.filetypes import KINDS

        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind


class Availability(models.TextChoices):
    ANY = "", _("Any")
    HAS_URL = "url", _("Has a web address")
    OPEN_ACCESS = "open_access", _("Open access")
    FILE = "file", _("Has an uploaded file")


class CitationStatusRule(models.Model):
    """Institution rule: the status a new citation starts in. Evaluated by position;
    the first rule that matches wins; no match follows the list's own state."""

    position = models.PositiveIntegerField(default=0)
    material_type = models.CharField(
        _("material type"), max_length=32, choices=MaterialType.choices, blank=True
    )
    availability = models.CharField(
        _("availability"), max_length=16, choices=Availability.choices, blank=True
    )
    status = models.CharField(
        _("starts as"), max_length=32, choices=CitationStatus.choices
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        what = self.get_material_type_display() if self.material_type else _("Any item")
        how = f" ({self.get_availability_display()})" if self.availability else ""
        return f"{what}{how} → {self.get_status_display()}"


class CitationInteraction(models.Model):
    """A reader's own marks on a citation: done, liked, a private note."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="citation_marks",
    )
    citation = models.ForeignKey(
        Citation, on_delete=models.CASCADE, related_name="marks"
    )
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="+"
    )
    done = models.BooleanField(default=False)
    liked = models.BooleanField(default=False)
    private_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "citation"], name="interaction_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["user", "reading_list"], name="interaction_user_list")
        ]


class ListRollover(models.Model):
    """One list rolled over to one course. The pair is unique, so running a rollover
    again (from the loader, the browser or the command) never makes a second copy."""

    source = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="rollovers"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="rolled_over_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "course"], name="list_rollover_uniq"
            )
        ]


class MatchMethod(models.TextChoices):
    ISBN = "isbn", "ISBN"
    ISSN = "issn", "ISSN"
    DOI = "doi", "DOI"
    OCLC = "oclc", "OCLC"
    LCCN = "lccn", "LCCN"
    TITLE = "title", _("Title and author")


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class CitationMatch(models.Model):
    """Locate: a catalog record found for a citation. Exact identifier matches are
    confirmed (and linked) at once; title-and-author matches above the threshold wait
    as suggestions for a librarian to confirm or reject. A rejected pair is kept so
    the next run does not suggest it again."""

    citation = models.ForeignKey(
        Citation, on_delete=models.CASCADE, related_name="matches"
    )
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=8, choices=MatchMethod.choices)
    # 0-100: 100 for an identifier match, the similarity for a title match.
    score = models.FloatField()
    state = models.CharField(
        max_length=16, choices=MatchState.choices, default=MatchState.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["citation", "record"], name="citation_match_uniq"
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="match_queue")]
