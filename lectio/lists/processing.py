"""The library's writes to lists: taking and assigning lists, working through their
citations, completing them. Called by the workflow app's views and the API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.accounts.models import User
from lectio.core.concurrency import update_if_version
from lectio.core.events import event_record
from lectio.core.statemachine import InvalidTransition
from lectio.lists.models import Citation, ReadingList, Tag, TagKind
from lectio.lists.services import (
    ServiceError,
    _lock_list,
    _set_list_status,
    _touch_content,
    _write_list,
    citation_set_status,
)
from lectio.lists.statuses import CITATION_MACHINE, CitationStatus, ListStatus

DONE_STATUSES = (
    CitationStatus.COMPLETE,
    CitationStatus.DECLINED,
    CitationStatus.INACTIVE,
)
LIBRARY_TAG_KINDS = (TagKind.INSTRUCTOR_LIBRARY, TagKind.LIBRARY_INTERNAL)


class AlreadyAssigned(ServiceError):
    """Someone else took the list first. Nothing was changed."""

    def __init__(self, holder: User) -> None:
        self.holder = holder
        super().__init__(
            _("%(who)s has already taken this list.") % {"who": holder.display_name}
        )


def _require_library(user: User) -> None:
    if not user.is_library_staff:
        raise ServiceError(_("Only library staff can do this."))


def _assign_event(
    actor: User,
    reading_list: ReadingList,
    verb: str,
    summary: str,
    assignee: User | None,
) -> None:
    event_record(
        actor=actor,
        verb=verb,
        target_type="list",
        target_id=reading_list.pk,
        list_id=reading_list.pk,
        summary=summary,
        params={"assignee": assignee.pk if assignee else None},
    )


@transaction.atomic
def reading_list_take(*, actor: User, reading_list: ReadingList) -> ReadingList:
    """The librarian takes an unassigned list. Of two librarians taking one list at
    once, exactly one wins; the other gets AlreadyAssigned naming the winner."""
    _require_library(actor)
    taken = ReadingList.objects.filter(
        Q(assigned_librarian__isnull=True) | Q(assigned_librarian=actor),
        pk=reading_list.pk,
    ).update(assigned_librarian=actor, version=F("version") + 1)
    if not taken:
        holder = (
            ReadingList.objects.select_related("assigned_librarian")
            .get(pk=reading_list.pk)
            .assigned_librarian
        )
        raise AlreadyAssigned(holder) if holder else ServiceError(_("Try again."))
    reading_list.refresh_from_db()
    _assign_event(
        actor,
        reading_list,
        "list.take",
        _("%(who)s took the list") % {"who": actor.display_name},
        actor,
    )
    return reading_list


@transaction.atomic
def reading_list_assign(
    *, actor: User, reading_list: ReadingList, assignee: User | None
) -> ReadingList:
    """Assigns the list to a librarian, or releases it (assignee None)."""
    _require_library(actor)
    if assignee is not None and not assignee.is_library_staff:
        raise ServiceError(_("Lists can only be assigned to library staff."))
    reading_list = _lock_list(reading_list)
    _write_list(reading_list, assigned_librarian=assignee)
    if assignee is None:
        summary = _("%(who)s released the list") % {"who": actor.display_name}
        verb = "list.release"
    else:
        summary = _("Assigned to %(who)s") % {"who": assignee.display_name}
        verb = "list.assign"
    _assign_event(actor, reading_list, verb, summary, assignee)
    return reading_list


def reading_lists_assign(
    *, actor: User, list_ids: Sequence[int], assignee: User | None
) -> int:
    """Bulk assignment, all in one transaction."""
    with transaction.atomic():
        lists = list(ReadingList.objects.filter(pk__in=list_ids))
        if len(lists) != len(set(list_ids)):
            raise ServiceError(_("One of the lists does not exist."))
        for reading_list in lists:
            reading_list_assign(
                actor=actor, reading_list=reading_list, assignee=assignee
            )
    return len(lists)


@transaction.atomic
def reading_list_start_processing(
    *, actor: User, reading_list: ReadingList
) -> ReadingList:
    _require_library(actor)
    reading_list = _lock_list(reading_list)
    if reading_list.status != ListStatus.BEING_PROCESSED:
        _set_list_status(actor, reading_list, ListStatus.BEING_PROCESSED)
    return reading_list


def _work_started(actor: User, list_id: int) -> None:
    """The list moves to BeingProcessed when the library starts on its items."""
    reading_list = ReadingList.objects.select_for_update().get(pk=list_id)
    if reading_list.status == ListStatus.READY_FOR_PROCESSING:
        _set_list_status(actor, reading_list, ListStatus.BEING_PROCESSED)


@transaction.atomic
def reading_list_complete(
    *, actor: User, reading_list: ReadingList, reason: str = ""
) -> ReadingList:
    """Completes the list. Refused while items are still open, unless the librarian
    gives a reason (recorded in the history)."""
    _require_library(actor)
    reading_list = _lock_list(reading_list)
    open_count = reading_list.citations.exclude(status__in=DONE_STATUSES).count()
    if open_count and not reason.strip():
        raise ServiceError(
            _(
                "%(count)s items are not complete or declined yet. Finish them, or give "
                "a reason to complete the list anyway."
            )
            % {"count": open_count}
        )
    if reading_list.status == ListStatus.READY_FOR_PROCESSING:
        _set_list_status(actor, reading_list, ListStatus.BEING_PROCESSED)
    _set_list_status(actor, reading_list, ListStatus.COMPLETE)
    if open_count:
        event_record(
            actor=actor,
            verb="list.complete_forced",
            target_type="list",
            target_id=reading_list.pk,
            list_id=reading_list.pk,
            summary=_("Completed with %(count)s open items: %(reason)s")
            % {"count": open_count, "reason": reason.strip()},
            params={"open": open_count, "reason": reason.strip()},
        )
    return reading_list


@transaction.atomic
def reading_list_mark_seen(*, actor: User, reading_list: ReadingList) -> None:
    """The library has looked at the list's news: its alert is cleared."""
    _require_library(actor)
    ReadingList.objects.filter(pk=reading_list.pk).update(
        library_seen_at=timezone.now()
    )


@transaction.atomic
def citation_set_status_by_library(
    *, actor: User, citation: Citation, status: str, reason: str = ""
) -> Citation:
    _require_library(actor)
    citation = citation_set_status(
        actor=actor, citation=citation, status=status, reason=reason
    )
    _work_started(actor, citation.reading_list_id)
    return citation


@transaction.atomic
def citations_set_status(
    *,
    actor: User,
    reading_list: ReadingList,
    citation_ids: Iterable[int],
    status: str,
    reason: str = "",
) -> int:
    """Bulk status change, all or nothing: if one citation cannot make the change,
    none is changed and the error names it."""
    _require_library(actor)
    ids = set(citation_ids)
    citations = list(
        Citation.objects.select_for_update().filter(
            reading_list=reading_list, pk__in=ids
        )
    )
    if len(citations) != len(ids) or not ids:
        raise ServiceError(_("Choose items of this list."))
    for citation in citations:
        try:
            CITATION_MACHINE.check(citation.status, status)
        except InvalidTransition as error:
            raise ServiceError(f"“{citation.title[:80]}”: {error}") from None
    for citation in citations:
        citation_set_status(
            actor=actor, citation=citation, status=status, reason=reason
        )
    _work_started(actor, reading_list.pk)
    return len(citations)


@transaction.atomic
def citation_library_update(
    *,
    actor: User,
    citation: Citation,
    library_note: str,
    tag_ids: Iterable[int],
    expected_version: int | None = None,
) -> Citation:
    """The library's own note and tags (instructor-library and library-internal).
    With `expected_version` (an edit from a form), a stale version is refused with
    StaleVersion and nothing changes."""
    _require_library(actor)
    ids = set(tag_ids)
    tags = list(Tag.objects.filter(pk__in=ids, kind__in=LIBRARY_TAG_KINDS))
    if len(tags) != len(ids):
        raise ServiceError(_("One of the tags cannot be set here."))
    if expected_version is not None:
        update_if_version(
            citation,
            expected_version=expected_version,
            fields={"library_note": library_note},
        )
    else:
        Citation.objects.filter(pk=citation.pk).update(
            library_note=library_note, version=F("version") + 1
        )
        citation.library_note = library_note
    kept = [t for t in citation.tags.all() if t.kind not in LIBRARY_TAG_KINDS]
    citation.tags.set([*kept, *tags])
    _touch_content(citation.reading_list_id)
    event_record(
        actor=actor,
        verb="citation.library_note",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Library note or tags changed on “%(title)s”")
        % {"title": citation.title[:120]},
    )
    return citation


@transaction.atomic
def citation_set_copyright(
    *,
    actor: User,
    citation: Citation,
    copyright_status: str,
    reason: str = "",
    by_rule: bool = False,
) -> Citation:
    """Library staff set the copyright status; `by_rule` is the institution's
    copyright rules deciding on a request someone else made."""
    from lectio.lists.statuses import CopyrightStatus

    if not by_rule:
        _require_library(actor)
    if copyright_status not in CopyrightStatus.values:
        raise ServiceError(_("Unknown copyright status."))
    before = citation.copyright_status
    Citation.objects.filter(pk=citation.pk).update(
        copyright_status=copyright_status, version=F("version") + 1
    )
    citation.copyright_status = copyright_status
    event_record(
        actor=actor,
        verb="citation.copyright",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Copyright of “%(title)s”: %(before)s → %(after)s")
        % {
            "title": citation.title[:120],
            "before": CopyrightStatus(before).label,
            "after": CopyrightStatus(copyright_status).label,
        },
        params={"from": before, "to": copyright_status, "reason": reason},
    )
    return citation
