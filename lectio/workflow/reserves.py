"""Moving items to course reserves from the library's requests, and taking them off
again when nothing needs them there.

A citation's "move to reserves" request (or its purchase request, once the copy is in
the catalog) is completed by putting a copy of the citation's catalog record on
reserve for one of the list's courses, in one transaction with the request's state.

A reserve ends when its course has ended (`catalog.reserves`) or when the copy's record
is no longer on any active list of the course: every citation of it on those lists was
deleted or set Inactive, or the lists were set Inactive (a copy put on reserve by
barcode for a citation not linked to the catalog stays while that citation does). Lists'
services have no hook
for a citation's deletion or status change, so the second check runs from
`end_reserves()` (the `lectio end-reserves` command and the `end_reserves_job` task),
not at the moment of the change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from lectio.accounts.models import User
from lectio.catalog import reserves as catalog_reserves
from lectio.catalog.models import CourseReserve, Item
from lectio.catalog.reserves import (
    DEFAULT_RESERVE_LOAN_POLICY,
    DEFAULT_RESERVE_LOCATION,
    ReserveError,
)
from lectio.courses.models import Course
from lectio.lists.models import Citation
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CitationStatus, ListStatus
from lectio.workflow import services
from lectio.workflow.models import (
    OPEN_STATES,
    REQUEST_MACHINE,
    ProcessingRequest,
    RequestKind,
    RequestState,
)

# The kinds of request a reserve completes.
RESERVE_KINDS = (RequestKind.RESERVES, RequestKind.PURCHASE)

__all__ = [
    "DEFAULT_RESERVE_LOAN_POLICY",
    "DEFAULT_RESERVE_LOCATION",
    "RESERVE_KINDS",
    "EndSummary",
    "end_reserves",
    "request_courses",
    "request_items",
    "request_put_on_reserve",
    "reserves_end_unlisted",
]


def request_items(request: ProcessingRequest) -> list[Item]:
    """The copies of the citation's catalog record (none when it is not linked)."""
    record_id = request.citation.catalog_record_id
    if record_id is None:
        return []
    return list(Item.objects.filter(record_id=record_id).order_by("barcode"))


def request_courses(request: ProcessingRequest) -> list[Course]:
    return list(request.citation.reading_list.courses.order_by("code", "section"))


def _reservable(request: ProcessingRequest) -> None:
    if request.kind not in RESERVE_KINDS:
        raise ServiceError(
            _("Only reserves and purchase requests put items on reserve.")
        )
    if request.state not in OPEN_STATES:
        raise ServiceError(
            _("This request is %(state)s already.")
            % {"state": RequestState(request.state).label.lower()}
        )


@transaction.atomic
def request_put_on_reserve(
    *,
    actor: User,
    request: ProcessingRequest,
    course: Course,
    item: Item | None = None,
    barcode: str = "",
    reserve_location: str = DEFAULT_RESERVE_LOCATION,
    reserve_loan_policy: str = DEFAULT_RESERVE_LOAN_POLICY,
) -> CourseReserve:
    """Puts a copy on reserve for one of the list's courses and completes the request.

    The copy is `item` (a copy of the citation's catalog record) or the one with
    `barcode` (for a citation not linked to the catalog). Library staff only; nothing
    is written when anything is refused."""
    if not actor.is_library_staff:
        raise ServiceError(_("Only the library can put items on reserve."))
    current = ProcessingRequest.objects.select_for_update().get(pk=request.pk)
    _reservable(current)
    REQUEST_MACHINE.check(current.state, RequestState.DONE)
    citation = Citation.objects.get(pk=current.citation_id)
    if not citation.reading_list.courses.filter(pk=course.pk).exists():
        raise ServiceError(_("Choose one of the list's courses."))
    barcode = barcode.strip()
    if item is None and barcode:
        item = Item.objects.filter(barcode=barcode).first()
        if item is None:
            raise ServiceError(
                _("No copy has the barcode %(barcode)s.") % {"barcode": barcode}
            )
    if item is None:
        if citation.catalog_record_id is None:
            raise ServiceError(
                _(
                    "Link the citation to a catalog record first, or enter the "
                    "barcode of the copy."
                )
            )
        raise ServiceError(_("Choose the copy to put on reserve."))
    if (
        citation.catalog_record_id is not None
        and item.record_id != citation.catalog_record_id
    ):
        raise ServiceError(
            _("Copy %(barcode)s is a copy of another title than this citation's.")
            % {"barcode": item.barcode}
        )
    try:
        reserve = catalog_reserves.reserve_place(
            actor=actor,
            item=item,
            course=course,
            reserve_location=reserve_location,
            reserve_loan_policy=reserve_loan_policy,
            request_id=current.pk,
        )
    except ReserveError as error:
        raise ServiceError(str(error)) from None
    services.request_set_state(
        actor=actor,
        request=request,
        state=RequestState.DONE,
        reason=_("On reserve for %(course)s: copy %(barcode)s, %(location)s")
        % {
            "course": course.code,
            "barcode": item.barcode,
            "location": reserve.reserve_location,
        },
    )
    return reserve


def _active_on_course() -> QuerySet[Citation]:
    return (
        Citation.objects.filter(reading_list__courses=OuterRef("course_id"))
        .exclude(status=CitationStatus.INACTIVE)
        .exclude(reading_list__status=ListStatus.INACTIVE)
    )


def _still_listed() -> Q:
    """An active citation of the reserve's record on an active list of its course,
    or the citation whose request placed the reserve, still active there (a copy put
    on reserve by barcode for a citation not linked to the catalog)."""
    return Q(
        Exists(
            _active_on_course().filter(catalog_record_id=OuterRef("item__record_id"))
        )
    ) | Q(
        Exists(
            _active_on_course().filter(
                pk__in=ProcessingRequest.objects.filter(
                    pk=OuterRef(OuterRef("request_id"))
                ).values("citation_id")
            )
        )
    )


def reserves_end_unlisted(*, actor: Any = None) -> int:
    """Ends each active reserve whose record no longer appears on an active list of
    its course (each in its own transaction, checked again there so a citation added
    meanwhile keeps it); returns how many ended."""
    ended = 0
    reason = _("The item is no longer on any list of the course.")
    candidates = (
        CourseReserve.objects.filter(active=True)
        .filter(~_still_listed())
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for reserve_id in list(candidates):
        with transaction.atomic():
            reserve = (
                CourseReserve.objects.filter(pk=reserve_id, active=True)
                .filter(~_still_listed())
                .first()
            )
            if reserve is None:
                continue
            try:
                catalog_reserves.reserve_end(
                    actor=actor, reserve=reserve, reason=reason
                )
            except ReserveError:
                continue
        ended += 1
    return ended


@dataclass(frozen=True)
class EndSummary:
    course_ended: int
    unlisted: int

    @property
    def total(self) -> int:
        return self.course_ended + self.unlisted


def end_reserves(*, today: datetime.date | None = None) -> EndSummary:
    """Everything the periodic job does: reserves of ended courses, then reserves
    whose item left the course's last list."""
    today = today or timezone.localdate()
    course_ended = catalog_reserves.reserves_end_for_ended_courses(today=today)
    return EndSummary(course_ended=course_ended, unlisted=reserves_end_unlisted())


@task()
def end_reserves_job() -> int:
    return end_reserves().total
