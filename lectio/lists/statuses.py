"""The status machines of lists and citations (ARCHITECTURE.md), as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lectio.core.statemachine import ANY, StatusMachine


class ListStatus(models.TextChoices):
    BEING_PREPARED = "BeingPrepared", _("Being prepared")
    READY_FOR_PROCESSING = "ReadyForProcessing", _("Ready for processing")
    BEING_PROCESSED = "BeingProcessed", _("Being processed")
    COMPLETE = "Complete", _("Complete")
    INACTIVE = "Inactive", _("Inactive")
    ROLLED_OVER = "RolledOver", _("Rolled over")


class CitationStatus(models.TextChoices):
    BEING_PREPARED = "BeingPrepared", _("Being prepared")
    READY_FOR_PROCESSING = "ReadyForProcessing", _("Ready for processing")
    IN_PROCESS = "InProcess", _("In process")
    COMPLETE = "Complete", _("Complete")
    DECLINED = "Declined", _("Declined")
    INACTIVE = "Inactive", _("Inactive")


class PublicationStatus(models.TextChoices):
    DRAFT = "Draft", _("Draft")
    PUBLISHED = "Published", _("Published")
    ARCHIVED = "Archived", _("Archived")


class Visibility(models.TextChoices):
    COURSE = "course", _("Students of the course")
    INSTITUTION = "institution", _("Everyone at the institution")
    PUBLIC = "public", _("Anyone with the link")


class MaterialAccess(models.TextChoices):
    FULL = "full", _("Everyone who can see the list")
    COURSE = "course", _("Students of the course only")


class CopyrightStatus(models.TextChoices):
    NOT_DETERMINED = "NotDetermined", _("Not determined")
    NOT_REQUIRED = "NotRequired", _("Not required")
    WAITING = "WaitingForApproval", _("Waiting for approval")
    APPROVED = "Approved", _("Approved")
    DECLINED = "Declined", _("Declined")
    SELF_DECLARED = "SelfDeclared", _("Self-declared")
    CREATIVE_COMMONS = "CreativeCommons", _("Creative Commons")


LIST_MACHINE = StatusMachine(
    name=_("list status"),
    transitions={
        ListStatus.BEING_PREPARED: {ListStatus.READY_FOR_PROCESSING},
        ListStatus.ROLLED_OVER: {
            ListStatus.BEING_PREPARED,
            ListStatus.READY_FOR_PROCESSING,
        },
        ListStatus.READY_FOR_PROCESSING: {
            ListStatus.BEING_PROCESSED,
            ListStatus.BEING_PREPARED,
        },
        ListStatus.BEING_PROCESSED: {
            ListStatus.COMPLETE,
            ListStatus.READY_FOR_PROCESSING,
        },
        # A completed list goes back to the library when the instructor sends changes.
        ListStatus.COMPLETE: {
            ListStatus.READY_FOR_PROCESSING,
            ListStatus.BEING_PROCESSED,
        },
        ListStatus.INACTIVE: {ListStatus.BEING_PREPARED},
        ANY: {ListStatus.INACTIVE},
    },
    labels=dict(ListStatus.choices),
)

CITATION_MACHINE = StatusMachine(
    name=_("citation status"),
    transitions={
        CitationStatus.BEING_PREPARED: {
            CitationStatus.READY_FOR_PROCESSING,
            # Institution rules may complete an item at once (websites, open access).
            CitationStatus.COMPLETE,
        },
        CitationStatus.READY_FOR_PROCESSING: {
            CitationStatus.IN_PROCESS,
            CitationStatus.COMPLETE,
            CitationStatus.DECLINED,
            CitationStatus.BEING_PREPARED,
        },
        CitationStatus.IN_PROCESS: {
            CitationStatus.COMPLETE,
            CitationStatus.DECLINED,
            CitationStatus.READY_FOR_PROCESSING,
        },
        CitationStatus.COMPLETE: {
            CitationStatus.READY_FOR_PROCESSING,
            CitationStatus.IN_PROCESS,
        },
        CitationStatus.DECLINED: {
            CitationStatus.READY_FOR_PROCESSING,
            CitationStatus.IN_PROCESS,
        },
        CitationStatus.INACTIVE: {CitationStatus.BEING_PREPARED},
        ANY: {CitationStatus.INACTIVE},
    },
    labels=dict(CitationStatus.choices),
)

PUBLICATION_MACHINE = StatusMachine(
    name=_("publication status"),
    transitions={
        PublicationStatus.DRAFT: {
            PublicationStatus.PUBLISHED,
            PublicationStatus.ARCHIVED,
        },
        PublicationStatus.PUBLISHED: {
            PublicationStatus.DRAFT,
            PublicationStatus.ARCHIVED,
        },
        PublicationStatus.ARCHIVED: {
            PublicationStatus.DRAFT,
            PublicationStatus.PUBLISHED,
        },
    },
    labels=dict(PublicationStatus.choices),
)
