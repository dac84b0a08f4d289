"""The library's work: processing requests, discussions and notifications."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.accounts.models import User
from lectio.core.events import event_record
from lectio.courses.models import CourseRole, Enrolment
from lectio.lists import processing
from lectio.lists.models import (
    Citation,
    Collaborator,
    CollaboratorRight,
    ReadingList,
    TagKind,
)
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CopyrightStatus
from lectio.workflow.models import (
    OPEN_STATES,
    REQUEST_MACHINE,
    CopyrightRule,
    Message,
    NotificationPreference,
    PendingNotification,
    ProcessingRequest,
    PurchaseRatio,
    RequestKind,
    RequestState,
    Thread,
)

_RANGE = re.compile(r"^\s*(\d{1,5})\s*(?:[-–]\s*(\d{1,5}))?\s*$")


def parse_page_ranges(text: str) -> list[tuple[int, int]]:
    """ "12-30, 45" -> [(12, 30), (45, 45)]. Raises ServiceError naming the bad part."""
    ranges = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if not match:
            raise ServiceError(
                _("“%(part)s” is not a page or page range.") % {"part": part.strip()}
            )
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if end < start or start < 1:
            raise ServiceError(
                _("“%(part)s” is not a page range.") % {"part": part.strip()}
            )
        ranges.append((start, end))
    return ranges


def page_count(ranges: list[tuple[int, int]]) -> int:
    return sum(end - start + 1 for start, end in ranges)


def suggested_copies(citation: Citation) -> int | None:
    """Copies to buy for a purchase request, from the citation's public tag and the
    participants of the list's courses (None when no ratio applies)."""
    ratios = dict(
        PurchaseRatio.objects.filter(
            tag__in=citation.tags.filter(kind=TagKind.PUBLIC)
        ).values_list("tag_id", "students_per_copy")
    )
    if not ratios:
        return None
    participants = (
        citation.reading_list.courses.aggregate(total=Sum("participants"))["total"] or 0
    )
    per_copy = min(ratios.values())
    return max(1, math.ceil(participants / per_copy)) if per_copy else None


def copyright_outcome(
    citation: Citation, *, pages: int, total_pages: int | None
) -> tuple[str, CopyrightRule | None]:
    """The first matching copyright rule's outcome, else WaitingForApproval."""
    issued = (citation.metadata.get("issued") or {}).get("date-parts") or [[None]]
    year = issued[0][0] if issued and issued[0] else None
    percent = (
        Decimal(pages * 100) / Decimal(total_pages) if total_pages and pages else None
    )
    chapters = 1 if citation.material_type == "book_chapter" else None
    for rule in CopyrightRule.objects.filter(enabled=True).order_by("position", "id"):
        if rule.material_type and rule.material_type != citation.material_type:
            continue
        if rule.max_percent is not None and (
            percent is None or percent > rule.max_percent
        ):
            continue
        if rule.max_chapters is not None and (
            chapters is None or chapters > rule.max_chapters
        ):
            continue
        if rule.published_before is not None and (
            not isinstance(year, int) or year >= rule.published_before
        ):
            continue
        return rule.outcome, rule
    return CopyrightStatus.WAITING, None


def _can_request(actor: User, citation: Citation) -> None:
    from lectio.lists.permissions import Right, list_right

    if list_right(actor, citation.reading_list) < Right.EDIT:
        raise ServiceError(_("You cannot make requests for this list."))


@transaction.atomic
def request_create(
    *,
    actor: User,
    citation: Citation,
    kind: str,
    details: str = "",
    page_ranges: str = "",
    copies: int | None = None,
    total_pages: int | None = None,
) -> ProcessingRequest:
    """Opens a request. At most one open request of a kind per citation (a database
    constraint); a second is refused with a message."""
    if kind not in RequestKind.values:
        raise ServiceError(_("Unknown kind of request."))
    _can_request(actor, citation)
    ranges = parse_page_ranges(page_ranges) if page_ranges else []
    if kind == RequestKind.DIGITIZATION and not ranges:
        raise ServiceError(_("Say which pages to digitize, e.g. 12-30, 45-51."))
    if total_pages is not None:
        for start, end in ranges:
            if end > total_pages:
                raise ServiceError(
                    _("Pages %(range)s go past the end of the work (%(total)s pages).")
                    % {
                        "range": f"{start}-{end}" if start != end else str(start),
                        "total": total_pages,
                    }
                )
    if kind == RequestKind.PURCHASE and copies is None:
        copies = suggested_copies(citation)
    if copies is not None and copies < 1:
        raise ServiceError(_("Ask for at least one copy."))
    try:
        with transaction.atomic():
            request = ProcessingRequest.objects.create(
                citation=citation,
                reading_list_id=citation.reading_list_id,
                kind=kind,
                details=details.strip(),
                page_ranges=", ".join(
                    f"{a}-{b}" if a != b else str(a) for a, b in ranges
                ),
                copies=copies,
                created_by=actor,
            )
    except IntegrityError:
        raise ServiceError(
            _("This item already has an open %(kind)s request.")
            % {"kind": RequestKind(kind).label.lower()}
        ) from None
    event_record(
        actor=actor,
        verb="request.create",
        target_type="request",
        target_id=request.pk,
        list_id=citation.reading_list_id,
        summary=_("%(kind)s requested for “%(title)s”")
        % {"kind": RequestKind(kind).label, "title": citation.title[:120]},
        params={"kind": kind, "citation": citation.pk, "pages": request.page_ranges},
    )
    if kind == RequestKind.DIGITIZATION:
        outcome, rule = copyright_outcome(
            citation, pages=page_count(ranges), total_pages=total_pages
        )
        processing.citation_set_copyright(
            by_rule=True,
            actor=actor,
            citation=citation,
            copyright_status=outcome,
            reason=rule.name if rule else _("No rule approves it automatically"),
        )
    if actor.is_library_staff:
        processing._work_started(actor, citation.reading_list_id)
    return request


def clearance_for_upload(actor: User, citation: Citation, details: str) -> None:
    """An uploaded file needs copyright clearance: a copyright-clearance request for
    the library, unless one is open for the citation already."""
    if ProcessingRequest.objects.filter(
        citation=citation, kind=RequestKind.COPYRIGHT, state__in=OPEN_STATES
    ).exists():
        return
    request_create(
        actor=actor, citation=citation, kind=RequestKind.COPYRIGHT, details=details
    )


@transaction.atomic
def request_set_state(
    *,
    actor: User,
    request: ProcessingRequest,
    state: str,
    reason: str = "",
    cost: Decimal | None = None,
) -> ProcessingRequest:
    """Moves a request along New -> InProgress -> Done | Rejected | Cancelled.
    Rejections need a reason; instructors may only cancel their own requests. The
    library records what a purchase or digitization cost (`cost`, not negative)
    as it moves the request, usually to Done; None keeps what was recorded."""
    current = ProcessingRequest.objects.select_for_update().get(pk=request.pk)
    if not actor.is_library_staff and not (
        state == RequestState.CANCELLED and current.created_by_id == actor.pk
    ):
        raise ServiceError(_("Only the library can change this request."))
    REQUEST_MACHINE.check(current.state, state)
    if state == RequestState.REJECTED and not reason.strip():
        raise ServiceError(_("Say why the request is rejected."))
    if cost is not None and cost < 0:
        raise ServiceError(_("A cost cannot be negative."))
    fields: dict[str, Any] = {"state": state, "outcome_reason": reason.strip()}
    if cost is not None:
        fields["cost"] = cost
    if state not in OPEN_STATES:
        fields["closed_at"] = timezone.now()
    if state == RequestState.IN_PROGRESS and current.assignee_id is None:
        fields["assignee"] = actor
    ProcessingRequest.objects.filter(pk=request.pk).update(
        version=F("version") + 1, **fields
    )
    request.refresh_from_db()
    event_record(
        actor=actor,
        verb="request.state",
        target_type="request",
        target_id=request.pk,
        list_id=request.reading_list_id,
        summary=_("%(kind)s request: %(before)s → %(after)s")
        % {
            "kind": request.get_kind_display(),
            "before": RequestState(current.state).label,
            "after": RequestState(state).label,
        },
        params={
            "from": current.state,
            "to": state,
            "reason": reason.strip(),
            **({"cost": str(cost)} if cost is not None else {}),
        },
    )
    return request


# --- discussions -------------------------------------------------------------------


def _list_owners(reading_list: ReadingList) -> list[User]:
    owner_ids = set(
        Collaborator.objects.filter(
            reading_list=reading_list, right=CollaboratorRight.OWNER
        ).values_list("user_id", flat=True)
    ) | set(
        Enrolment.objects.filter(
            course__reading_lists=reading_list,
            role__in=[CourseRole.INSTRUCTOR, CourseRole.TEACHING_ASSISTANT],
        ).values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=owner_ids, is_active=True))


def message_recipients(message: Message) -> list[User]:
    """Library messages go to the list's owners; others to the assigned librarian."""
    reading_list = message.reading_list
    if message.by_library:
        people = _list_owners(reading_list)
    elif reading_list.assigned_librarian_id:
        people = [reading_list.assigned_librarian]  # type: ignore[list-item]
    else:
        people = []
    return [p for p in people if p.pk != message.author_id and p.email]


@transaction.atomic
def message_post(
    *,
    actor: User,
    reading_list: ReadingList,
    body: str,
    citation: Citation | None = None,
) -> Message:
    """A message in the library discussion of a list (or one of its citations)."""
    from lectio.lists.permissions import Right, list_right

    body = body.strip()
    if not body:
        raise ServiceError(_("Write a message first."))
    if len(body) > 10000:
        raise ServiceError(_("Messages are limited to 10,000 characters."))
    if list_right(actor, reading_list) < Right.EDIT:
        raise ServiceError(_("You cannot take part in this discussion."))
    if citation is not None and citation.reading_list_id != reading_list.pk:
        raise ServiceError(_("That item is on another list."))
    message = Message.objects.create(
        reading_list=reading_list,
        citation=citation,
        thread=Thread.LIBRARY,
        author=actor,
        by_library=actor.is_library_staff,
        body=body,
    )
    if not message.by_library:
        ReadingList.objects.filter(pk=reading_list.pk).update(
            library_alert_at=timezone.now()
        )
    event_record(
        actor=actor,
        verb="message.post",
        target_type="message",
        target_id=message.pk,
        list_id=reading_list.pk,
        summary=_("Wrote to the %(who)s%(about)s")
        % {
            "who": _("instructors") if message.by_library else _("library"),
            "about": (_(" about “%(title)s”") % {"title": citation.title[:80]})
            if citation
            else "",
        },
        params={"citation": citation.pk if citation else None},
    )
    transaction.on_commit(lambda: _notify(message.pk))
    return message


def _notify(message_id: int) -> None:
    from lectio.workflow.tasks import notify_message

    notify_message.enqueue(message_id)


def notify_recipients(message: Message) -> tuple[int, int]:
    """E-mails the message to each recipient now, or keeps it for their daily digest.
    Returns (sent, deferred)."""
    from django.core.mail import send_mail

    sent = deferred = 0
    for person in message_recipients(message):
        pref = NotificationPreference.objects.filter(user=person).first()
        if pref and pref.daily_digest:
            PendingNotification.objects.get_or_create(user=person, message=message)
            deferred += 1
            continue
        send_mail(
            subject=_message_subject(message),
            message=_message_text(message),
            from_email=None,
            recipient_list=[person.email],
        )
        sent += 1
    return sent, deferred


def _message_subject(message: Message) -> str:
    return _("[Lectio] New message on “%(name)s”") % {"name": message.reading_list.name}


def _message_text(message: Message) -> str:
    author = message.author.display_name if message.author else _("Someone")
    about = f" ({message.citation.title})" if message.citation else ""
    return f"{author}{about}:\n\n{message.body}\n"


def send_digests() -> int:
    """One e-mail per person with everything waiting for their digest."""
    from django.core.mail import send_mail

    sent = 0
    user_ids = set(PendingNotification.objects.values_list("user_id", flat=True))
    for person in User.objects.filter(pk__in=user_ids):
        with transaction.atomic():
            pending = list(
                PendingNotification.objects.select_for_update(of=("self",))
                .filter(user=person)
                .select_related(
                    "message__reading_list", "message__author", "message__citation"
                )
                .order_by("created_at")
            )
            if not pending:
                continue
            parts = [
                f"{p.message.reading_list.name}\n{_message_text(p.message)}"
                for p in pending
            ]
            send_mail(
                subject=_("[Lectio] %(count)s new messages") % {"count": len(pending)},
                message="\n---\n".join(parts),
                from_email=None,
                recipient_list=[person.email],
            )
            PendingNotification.objects.filter(pk__in=[p.pk for p in pending]).delete()
            sent += 1
    return sent


def notification_preference_set(
    *, user: User, daily_digest: bool
) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )
    return pref
