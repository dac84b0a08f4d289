"""Hold requests: a reader asks for a copy of a record to be set aside at a pickup
location; the library fetches it, puts it on the hold shelf, and the reader collects it.

    requested -> in_process (being fetched) -> ready (on the hold shelf) -> fulfilled
    requested | in_process | ready -> rejected (by the library, with a reason)
    requested | in_process | ready -> cancelled (by the requester)

Every service is one transaction with its audit event. Changes made from a page name
the version of the hold they started from (`expected_version`) and are refused with
`StaleVersion` when someone else changed it first. The copy on the hold shelf has
status `on_hold_shelf`; collecting it puts it on loan, and a hold that ends without
being collected puts it back on the shelf. Availability flags are refreshed in the
same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from lectio.catalog import availability
from lectio.catalog.models import (
    OPEN_HOLD_STATUSES,
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    PickupLocation,
    Record,
)
from lectio.core.concurrency import StaleVersion, update_if_version
from lectio.core.events import event_record
from lectio.core.statemachine import StatusMachine

MAX_NOTE = 2000


class HoldError(Exception):
    """A hold action the catalog refuses, with a message for the person who tried."""


HOLD_MACHINE = StatusMachine(
    name=gettext_lazy("hold status"),
    transitions={
        HoldStatus.REQUESTED: {
            HoldStatus.IN_PROCESS,
            HoldStatus.READY,
            HoldStatus.REJECTED,
            HoldStatus.CANCELLED,
        },
        HoldStatus.IN_PROCESS: {
            HoldStatus.REQUESTED,
            HoldStatus.READY,
            HoldStatus.REJECTED,
            HoldStatus.CANCELLED,
        },
        HoldStatus.READY: {
            HoldStatus.FULFILLED,
            HoldStatus.REJECTED,
            HoldStatus.CANCELLED,
        },
    },
    labels=dict(HoldStatus.choices),
)

# The library's moves (the requester only cancels).
LIBRARY_TARGETS = (
    HoldStatus.IN_PROCESS,
    HoldStatus.READY,
    HoldStatus.FULFILLED,
    HoldStatus.REJECTED,
)
# A copy may be set aside from these statuses (not one on loan, missing or lost).
SETTABLE_ASIDE = (ItemStatus.AVAILABLE, ItemStatus.IN_TRANSIT, ItemStatus.IN_PROCESS)


def library_targets(status: str) -> list[str]:
    """The library's next steps from `status`, in the order the queue shows them."""
    return [t for t in LIBRARY_TARGETS if HOLD_MACHINE.can(status, t)]


def _event(actor: Any, verb: str, hold: Hold, summary: str, **params: Any) -> None:
    event_record(
        actor=actor,
        verb=verb,
        target_type="hold",
        target_id=hold.pk,
        summary=summary,
        params={"record": hold.record_id, **params},
    )


@transaction.atomic
def hold_place(
    *, actor: Any, record: Record, pickup_location: PickupLocation, note: str = ""
) -> Hold:
    """Places a hold for `actor` on `record`. Refused when the actor already has an
    open hold on it (a database constraint backs the check against a double click),
    when the library has no copy of the record, or when the pickup location is closed.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise HoldError(_("Log in to place a hold."))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise HoldError(
            _("Notes are limited to %(n)s characters.") % {"n": f"{MAX_NOTE:,}"}
        )
    location = PickupLocation.objects.filter(pk=pickup_location.pk).first()
    if location is None or not location.active:
        raise HoldError(
            _("Items cannot be picked up at %(name)s at the moment; choose another.")
            % {"name": pickup_location.name}
        )
    if not Item.objects.filter(record_id=record.pk).exists():
        raise HoldError(_("The library has no copy of this title to hold."))
    if Hold.objects.filter(
        record_id=record.pk, requester=actor, status__in=OPEN_HOLD_STATUSES
    ).exists():
        raise HoldError(_("You already have a hold on this title."))
    try:
        with transaction.atomic():
            hold = Hold.objects.create(
                record_id=record.pk,
                requester=actor,
                pickup_location=location,
                note=note,
            )
    except IntegrityError:
        raise HoldError(_("You already have a hold on this title.")) from None
    _event(
        actor,
        "hold.place",
        hold,
        _("Hold on “%(title)s” for pickup at %(location)s")
        % {"title": record.title[:120], "location": location.name},
        pickup_location=location.code,
    )
    return hold


def _lock(hold: Hold, expected_version: int) -> Hold:
    current = Hold.objects.select_for_update().filter(pk=hold.pk).first()
    if current is None:
        raise HoldError(_("That hold no longer exists."))
    if current.version != expected_version:
        raise StaleVersion(current.version)
    return current


def _set_item_status(item_id: int, status: str) -> None:
    Item.objects.filter(pk=item_id).update(status=status, version=F("version") + 1)


def _release(current: Hold) -> list[int]:
    """A hold that ends uncollected puts its copy back on the shelf."""
    if current.item_id and current.status == HoldStatus.READY:
        Item.objects.filter(pk=current.item_id, status=ItemStatus.ON_HOLD_SHELF).update(
            status=ItemStatus.AVAILABLE, version=F("version") + 1
        )
        return [current.record_id]
    return []


def _write(
    current: Hold, hold: Hold, expected_version: int, fields: dict[str, Any]
) -> None:
    update_if_version(current, expected_version=expected_version, fields=fields)
    for name, value in fields.items():
        setattr(hold, name, value)
    hold.version = current.version


@transaction.atomic
def hold_cancel(*, actor: Any, hold: Hold, expected_version: int) -> Hold:
    """The requester withdraws an open hold of theirs."""
    current = _lock(hold, expected_version)
    if current.requester_id != getattr(actor, "pk", None):
        raise HoldError(_("Only the person who placed a hold can cancel it."))
    if current.status not in OPEN_HOLD_STATUSES:
        raise HoldError(
            _("This hold is %(status)s already; only open holds can be cancelled.")
            % {"status": HoldStatus(current.status).label.lower()}
        )
    HOLD_MACHINE.check(current.status, HoldStatus.CANCELLED)
    refresh = _release(current)
    _write(
        current,
        hold,
        expected_version,
        {"status": HoldStatus.CANCELLED, "closed_at": timezone.now()},
    )
    availability.refresh(refresh)
    _event(
        actor,
        "hold.cancel",
        current,
        _("Hold on “%(title)s” cancelled") % {"title": current.record.title[:120]},
    )
    return hold


def _choose_item(current: Hold, item: Item | None) -> Item | None:
    if item is None:
        return None
    stored = Item.objects.select_for_update().filter(pk=item.pk).first()
    if stored is None or stored.record_id != current.record_id:
        raise HoldError(_("That copy is not a copy of this title."))
    return stored


@transaction.atomic
def hold_set_status(
    *,
    actor: Any,
    hold: Hold,
    status: str,
    expected_version: int,
    item: Item | None = None,
    reason: str = "",
) -> Hold:
    """The library moves a hold along: in_process (optionally naming the copy set
    aside), ready (the copy goes on the hold shelf; without a copy named, the first one
    on the shelf is taken), fulfilled (collected: the copy is on loan), rejected (with a
    reason; a copy on the hold shelf goes back on the shelf)."""
    if not getattr(actor, "is_library_staff", False):
        raise HoldError(_("Only the library can change a hold."))
    if status not in LIBRARY_TARGETS:
        raise HoldError(_("Unknown hold status."))
    reason = reason.strip()
    if status == HoldStatus.REJECTED and not reason:
        raise HoldError(_("Say why the hold is not possible; the requester sees it."))
    current = _lock(hold, expected_version)
    HOLD_MACHINE.check(current.status, status)
    chosen = _choose_item(current, item)
    fields: dict[str, Any] = {"status": status, "handled_by": actor}
    refresh: list[int] = []
    if status == HoldStatus.IN_PROCESS:
        if chosen is not None:
            fields["item"] = chosen
    elif status == HoldStatus.READY:
        if chosen is None and current.item_id:
            chosen = Item.objects.select_for_update().get(pk=current.item_id)
        if chosen is None:
            chosen = (
                Item.objects.select_for_update()
                .filter(record_id=current.record_id, status=ItemStatus.AVAILABLE)
                .order_by("id")
                .first()
            )
            if chosen is None:
                raise HoldError(
                    _(
                        "No copy of this title is on the shelf; choose the copy set aside."
                    )
                )
        if chosen.status not in SETTABLE_ASIDE:
            raise HoldError(
                _("Copy %(barcode)s is %(status)s and cannot go on the hold shelf.")
                % {
                    "barcode": chosen.barcode,
                    "status": ItemStatus(chosen.status).label.lower(),
                }
            )
        _set_item_status(chosen.pk, ItemStatus.ON_HOLD_SHELF)
        fields["item"] = chosen
        refresh.append(current.record_id)
    elif status == HoldStatus.FULFILLED:
        fields["closed_at"] = timezone.now()
        if current.item_id:
            Item.objects.filter(
                pk=current.item_id, status=ItemStatus.ON_HOLD_SHELF
            ).update(status=ItemStatus.ON_LOAN, version=F("version") + 1)
            refresh.append(current.record_id)
    elif status == HoldStatus.REJECTED:
        fields["closed_at"] = timezone.now()
        fields["reason"] = reason
        refresh.extend(_release(current))
    _write(current, hold, expected_version, fields)
    availability.refresh(refresh)
    before = current.status
    _event(
        actor,
        "hold.status",
        current,
        _("Hold on “%(title)s”: %(before)s → %(after)s")
        % {
            "title": current.record.title[:120],
            "before": HoldStatus(before).label,
            "after": HoldStatus(status).label,
        },
        **{
            "from": before,
            "to": status,
            "item": fields["item"].pk if "item" in fields else current.item_id,
            "reason": reason,
        },
    )
    if status == HoldStatus.READY:
        hold_id = hold.pk
        transaction.on_commit(lambda: notify_hold_ready.enqueue(hold_id))
    return hold


def ready_message(hold: Hold) -> tuple[str, str]:
    """The e-mail telling a requester their copy waits for them: (subject, body)."""
    subject = _("[Lectio] Ready for pickup: %(title)s") % {
        "title": hold.record.title[:100]
    }
    body = _(
        "The copy you asked for is ready for pickup at %(location)s:\n\n"
        "%(title)s\n%(barcode)s\n"
    ) % {
        "location": hold.pickup_location.name,
        "title": hold.record.title,
        "barcode": hold.item.barcode if hold.item else "",
    }
    return subject, body


@task()
def notify_hold_ready(hold_id: int) -> int:
    """E-mails the requester that their hold is ready (0 when it is no longer ready,
    or they have no address)."""
    from django.core.mail import send_mail

    hold = (
        Hold.objects.select_related("record", "requester", "pickup_location", "item")
        .filter(pk=hold_id, status=HoldStatus.READY)
        .first()
    )
    if hold is None or not hold.requester.email:
        return 0
    subject, body = ready_message(hold)
    send_mail(
        subject=subject,
        message=body,
        from_email=None,
        recipient_list=[hold.requester.email],
    )
    return 1


# --- pickup locations ------------------------------------------------------------


@transaction.atomic
def pickup_location_add(*, actor: Any, code: str, name: str) -> PickupLocation:
    """A new place where readers collect held copies. Library staff only; the code
    is unique (case as given, compared without case)."""
    if not getattr(actor, "is_library_staff", False):
        raise HoldError(_("Only the library can change pickup locations."))
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise HoldError(_("Give the pickup location a code and a name."))
    if len(code) > 50 or len(name) > 200:
        raise HoldError(_("The code is limited to 50 characters, the name to 200."))
    if PickupLocation.objects.filter(code__iexact=code).exists():
        raise HoldError(
            _("There is a pickup location with the code %(code)s already.")
            % {"code": code}
        )
    try:
        with transaction.atomic():
            location = PickupLocation.objects.create(code=code, name=name)
    except IntegrityError:
        raise HoldError(
            _("There is a pickup location with the code %(code)s already.")
            % {"code": code}
        ) from None
    event_record(
        actor=actor,
        verb="pickup_location.add",
        target_type="pickup_location",
        target_id=location.pk,
        summary=_("Pickup location %(name)s added") % {"name": name},
        params={"code": code},
    )
    return location


@transaction.atomic
def pickup_location_set_active(
    *, actor: Any, location: PickupLocation, active: bool
) -> PickupLocation:
    """Opens or closes a pickup location for new holds; open holds keep theirs."""
    if not getattr(actor, "is_library_staff", False):
        raise HoldError(_("Only the library can change pickup locations."))
    PickupLocation.objects.filter(pk=location.pk).update(active=active)
    location.active = active
    event_record(
        actor=actor,
        verb="pickup_location.active",
        target_type="pickup_location",
        target_id=location.pk,
        summary=(
            _("Pickup location %(name)s opened")
            if active
            else _("Pickup location %(name)s closed")
        )
        % {"name": location.name},
        params={"active": active},
    )
    return location
