"""Course reserves: a copy moved to a temporary location and a short loan for a course,
and put back when the reserve ends (as Koha's and Evergreen's course reserves do).

Placing a reserve keeps the copy's original location and loan policy on the
`CourseReserve` row and writes the reserve values onto the copy. A copy may be on
reserve for several courses at once; the originals always come from the copy's state
before its first active reserve, so a second reserve copies them from the first
instead of from the copy (which by then holds reserve values). Ending a reserve puts
the originals back once no other active reserve holds the copy.

Whether a copy is still on a course's lists is a question for the layers above
(`lectio.workflow.reserves`); here, only what the catalog itself knows: the course's
end date.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.catalog import availability
from lectio.catalog.models import CourseReserve, Item
from lectio.core.events import event_record
from lectio.courses.models import Course

DEFAULT_RESERVE_LOCATION = "Course reserves"
DEFAULT_RESERVE_LOAN_POLICY = "2-hour loan"
# The model's column width for both values.
MAX_VALUE = 100


class ReserveError(Exception):
    """A reserve action the catalog refuses, with a message for the person who tried."""


def _clean(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ReserveError(_("Say which %(what)s the copy gets.") % {"what": what})
    if len(value) > MAX_VALUE:
        raise ReserveError(
            _("The %(what)s is limited to %(n)s characters.")
            % {"what": what, "n": MAX_VALUE}
        )
    return value


@transaction.atomic
def reserve_place(
    *,
    actor: Any,
    item: Item,
    course: Course,
    reserve_location: str = DEFAULT_RESERVE_LOCATION,
    reserve_loan_policy: str = DEFAULT_RESERVE_LOAN_POLICY,
    request_id: int | None = None,
) -> CourseReserve:
    """Puts `item` on reserve for `course`. Library staff only; refused when the copy
    is already on reserve for that course."""
    if not getattr(actor, "is_library_staff", False):
        raise ReserveError(_("Only the library can put items on reserve."))
    location = _clean(reserve_location, _("reserve location"))
    policy = _clean(reserve_loan_policy, _("loan policy"))
    stored = Item.objects.select_for_update().filter(pk=item.pk).first()
    if stored is None:
        raise ReserveError(_("That copy no longer exists."))
    active = list(
        CourseReserve.objects.filter(item=stored, active=True).order_by(
            "placed_at", "id"
        )
    )
    if any(r.course_id == course.pk for r in active):
        raise ReserveError(
            _("Copy %(barcode)s is already on reserve for %(course)s.")
            % {"barcode": stored.barcode, "course": course.code}
        )
    if active:
        original_location = active[0].original_location
        original_policy = active[0].original_loan_policy
    else:
        original_location, original_policy = stored.location, stored.loan_policy
    try:
        with transaction.atomic():
            reserve = CourseReserve.objects.create(
                item=stored,
                course=course,
                request_id=request_id,
                reserve_location=location,
                reserve_loan_policy=policy,
                original_location=original_location,
                original_loan_policy=original_policy,
                placed_by=actor,
            )
    except IntegrityError:
        raise ReserveError(
            _("Copy %(barcode)s is already on reserve for %(course)s.")
            % {"barcode": stored.barcode, "course": course.code}
        ) from None
    Item.objects.filter(pk=stored.pk).update(
        location=location, loan_policy=policy, version=F("version") + 1
    )
    item.location, item.loan_policy = location, policy
    item.version = stored.version + 1
    availability.refresh([stored.record_id])
    event_record(
        actor=actor,
        verb="reserve.place",
        target_type="reserve",
        target_id=reserve.pk,
        summary=_(
            "Copy %(barcode)s on reserve for %(course)s (%(location)s, %(policy)s)"
        )
        % {
            "barcode": stored.barcode,
            "course": course.code,
            "location": location,
            "policy": policy,
        },
        params={
            "item": stored.pk,
            "course": course.pk,
            "request": request_id,
            "original_location": original_location,
            "original_loan_policy": original_policy,
        },
    )
    return reserve


@transaction.atomic
def reserve_end(*, actor: Any, reserve: CourseReserve, reason: str) -> CourseReserve:
    """Ends an active reserve. When no other active reserve holds the copy, its
    original location and loan policy come back; otherwise it takes the values of the
    most recent reserve still holding it. `actor` is None when a job ends it."""
    if actor is not None and not getattr(actor, "is_library_staff", False):
        raise ReserveError(_("Only the library can end a reserve."))
    reason = reason.strip()
    if not reason:
        raise ReserveError(_("Say why the reserve ends."))
    # The copy first, then the reserve: the same order as placing, so two ends of
    # reserves of one copy (or an end and a place) queue up instead of deadlocking.
    item = Item.objects.select_for_update().filter(pk=reserve.item_id).first()
    current = CourseReserve.objects.select_for_update().filter(pk=reserve.pk).first()
    if item is None or current is None:
        raise ReserveError(_("That reserve no longer exists."))
    if not current.active:
        raise ReserveError(_("That reserve has ended already."))
    now = timezone.now()
    CourseReserve.objects.filter(pk=current.pk).update(active=False, ended_at=now)
    reserve.active, reserve.ended_at = False, now
    remaining = (
        CourseReserve.objects.filter(item_id=item.pk, active=True)
        .order_by("-placed_at", "-id")
        .first()
    )
    if remaining is None:
        location, policy = current.original_location, current.original_loan_policy
    else:
        location, policy = remaining.reserve_location, remaining.reserve_loan_policy
    Item.objects.filter(pk=item.pk).update(
        location=location, loan_policy=policy, version=F("version") + 1
    )
    availability.refresh([item.record_id])
    event_record(
        actor=actor,
        verb="reserve.end",
        target_type="reserve",
        target_id=current.pk,
        summary=_("Copy %(barcode)s off reserve for %(course)s: %(reason)s")
        % {
            "barcode": item.barcode,
            "course": current.course.code,
            "reason": reason[:200],
        },
        params={
            "item": item.pk,
            "course": current.course_id,
            "reason": reason,
            "restored": remaining is None,
            "location": location,
            "loan_policy": policy,
        },
    )
    return reserve


def reserves_end_for_ended_courses(
    *, today: datetime.date | None = None, actor: Any = None
) -> int:
    """Ends every active reserve of a course whose end date has passed (each in its
    own transaction); returns how many ended."""
    today = today or timezone.localdate()
    ended = 0
    reason = _("The course ended.")
    for reserve in CourseReserve.objects.filter(
        active=True, course__end_date__lt=today
    ).order_by("id"):
        try:
            reserve_end(actor=actor, reserve=reserve, reason=reason)
        except ReserveError:
            # Ended by someone else in the meantime.
            continue
        ended += 1
    return ended
