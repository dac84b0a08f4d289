"""Hold services: placing, refusals, the library's transitions, the copy on the hold
shelf, cancelling, stale versions, the ready e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from lectio.accounts.models import User
from lectio.catalog import holds
from lectio.catalog.holds import HoldError
from lectio.catalog.models import (
    Hold,
    HoldStatus,
    Item,
    ItemStatus,
    PickupLocation,
    Record,
)
from lectio.core.concurrency import StaleVersion
from lectio.core.models import Event
from lectio.core.statemachine import InvalidTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> Record:
    record = Record.objects.create(control_number="h1", title="On Libraries")
    Item.objects.create(record=record, barcode="B1", location="Stacks")
    Item.objects.create(record=record, barcode="B2", location="Stacks")
    return record


@pytest.fixture
def desk() -> PickupLocation:
    return PickupLocation.objects.create(code="MAIN", name="Main desk")


def _place(user: User, record: Record, desk: PickupLocation, **kw: Any) -> Hold:
    return holds.hold_place(actor=user, record=record, pickup_location=desk, **kw)


def _move(
    librarian: User, hold: Hold, status: str, **kw: Any
) -> Hold:  # with the hold's current version
    hold.refresh_from_db()
    return holds.hold_set_status(
        actor=librarian,
        hold=hold,
        status=status,
        expected_version=hold.version,
        **kw,
    )


def test_student_places_a_hold(
    student: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk, note="  any edition  ")
    stored = Hold.objects.get()
    assert (stored.pk, stored.requester_id, stored.status, stored.note) == (
        hold.pk,
        student.pk,
        HoldStatus.REQUESTED,
        "any edition",
    )
    assert stored.pickup_location_id == desk.pk
    event = Event.objects.get(verb="hold.place")
    assert (event.actor_id, event.target_id, event.params) == (
        student.pk,
        hold.pk,
        {"record": record.pk, "pickup_location": "MAIN"},
    )


def test_instructor_and_librarian_place_holds_for_themselves(
    instructor: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    _place(instructor, record, desk)
    _place(librarian, record, desk)
    assert sorted(Hold.objects.values_list("requester_id", flat=True)) == sorted(
        [instructor.pk, librarian.pk]
    )


def test_second_open_hold_on_the_same_record_is_refused(
    student: User, record: Record, desk: PickupLocation
) -> None:
    _place(student, record, desk)
    with pytest.raises(HoldError, match="already have a hold"):
        _place(student, record, desk)
    assert Hold.objects.count() == 1
    assert Event.objects.filter(verb="hold.place").count() == 1


def test_database_constraint_backs_one_open_hold(
    student: User, record: Record, desk: PickupLocation
) -> None:
    Hold.objects.create(record=record, requester=student, pickup_location=desk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.create(record=record, requester=student, pickup_location=desk)


def test_a_new_hold_after_the_last_one_closed(
    student: User, record: Record, desk: PickupLocation
) -> None:
    first = _place(student, record, desk)
    holds.hold_cancel(actor=student, hold=first, expected_version=first.version)
    second = _place(student, record, desk)
    assert second.pk != first.pk
    assert Hold.objects.filter(status=HoldStatus.REQUESTED).count() == 1


def test_hold_on_a_record_without_copies_is_refused(
    student: User, desk: PickupLocation
) -> None:
    bare = Record.objects.create(control_number="h2", title="Not held")
    with pytest.raises(HoldError, match="no copy"):
        _place(student, bare, desk)
    assert not Hold.objects.exists()


def test_hold_at_an_inactive_pickup_location_is_refused(
    student: User, record: Record
) -> None:
    closed = PickupLocation.objects.create(code="OLD", name="Old desk", active=False)
    with pytest.raises(HoldError, match="Old desk"):
        _place(student, record, closed)
    assert not Hold.objects.exists()


def test_overlong_note_is_refused(
    student: User, record: Record, desk: PickupLocation
) -> None:
    with pytest.raises(HoldError, match="limited"):
        _place(student, record, desk, note="x" * (holds.MAX_NOTE + 1))
    assert not Hold.objects.exists()


def test_full_path_requested_in_process_ready_fulfilled(
    student: User,
    librarian: User,
    record: Record,
    desk: PickupLocation,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    student.email = "sam@example.edu"
    student.save()
    hold = _place(student, record, desk)
    b2 = Item.objects.get(barcode="B2")
    _move(librarian, hold, HoldStatus.IN_PROCESS, item=b2)
    stored = Hold.objects.get()
    assert (stored.status, stored.item_id, stored.handled_by_id) == (
        HoldStatus.IN_PROCESS,
        b2.pk,
        librarian.pk,
    )
    assert Item.objects.get(barcode="B2").status == ItemStatus.AVAILABLE

    with django_capture_on_commit_callbacks(execute=True):
        _move(librarian, hold, HoldStatus.READY)
    assert Hold.objects.get().status == HoldStatus.READY
    assert dict(Item.objects.values_list("barcode", "status")) == {
        "B1": ItemStatus.AVAILABLE,
        "B2": ItemStatus.ON_HOLD_SHELF,
    }
    assert [m.to for m in mailoutbox] == [["sam@example.edu"]]
    assert "Ready for pickup" in mailoutbox[0].subject
    assert "Main desk" in mailoutbox[0].body and "B2" in mailoutbox[0].body

    _move(librarian, hold, HoldStatus.FULFILLED)
    stored = Hold.objects.get()
    assert stored.status == HoldStatus.FULFILLED and stored.closed_at is not None
    assert Item.objects.get(barcode="B2").status == ItemStatus.ON_LOAN
    assert list(
        Event.objects.filter(verb="hold.status")
        .order_by("id")
        .values_list("params__to", flat=True)
    ) == ["in_process", "ready", "fulfilled"]


def test_ready_without_a_named_copy_takes_one_from_the_shelf_and_refreshes(
    student: User, librarian: User, desk: PickupLocation
) -> None:
    record = Record.objects.create(control_number="h3", title="One copy")
    Item.objects.create(record=record, barcode="C1")
    from lectio.catalog import availability

    availability.refresh([record.pk])
    assert Record.objects.get(pk=record.pk).available_now is True
    hold = _place(student, record, desk)
    _move(librarian, hold, HoldStatus.READY)
    assert Hold.objects.get().item.barcode == "C1"  # type: ignore[union-attr]
    assert Item.objects.get().status == ItemStatus.ON_HOLD_SHELF
    assert Record.objects.get(pk=record.pk).available_now is False


def test_ready_with_no_copy_on_the_shelf_is_refused(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    Item.objects.update(status=ItemStatus.ON_LOAN)
    hold = _place(student, record, desk)
    with pytest.raises(HoldError, match="No copy"):
        _move(librarian, hold, HoldStatus.READY)
    assert Hold.objects.get().status == HoldStatus.REQUESTED


def test_a_copy_on_loan_cannot_go_on_the_hold_shelf(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    Item.objects.filter(barcode="B1").update(status=ItemStatus.ON_LOAN)
    hold = _place(student, record, desk)
    with pytest.raises(HoldError, match="on loan"):
        _move(librarian, hold, HoldStatus.READY, item=Item.objects.get(barcode="B1"))
    assert Hold.objects.get().status == HoldStatus.REQUESTED
    assert Item.objects.get(barcode="B1").status == ItemStatus.ON_LOAN


def test_a_copy_of_another_record_is_refused(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    other = Record.objects.create(control_number="h4", title="Other")
    stranger = Item.objects.create(record=other, barcode="X1")
    hold = _place(student, record, desk)
    with pytest.raises(HoldError, match="not a copy"):
        _move(librarian, hold, HoldStatus.IN_PROCESS, item=stranger)
    assert Hold.objects.get().item_id is None


def test_reject_needs_a_reason_and_puts_the_copy_back(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk)
    _move(librarian, hold, HoldStatus.READY)
    with pytest.raises(HoldError, match="Say why"):
        _move(librarian, hold, HoldStatus.REJECTED, reason="  ")
    assert Hold.objects.get().status == HoldStatus.READY
    _move(librarian, hold, HoldStatus.REJECTED, reason="Not collected in time")
    stored = Hold.objects.get()
    assert (stored.status, stored.reason) == (
        HoldStatus.REJECTED,
        "Not collected in time",
    )
    assert stored.closed_at is not None
    assert set(Item.objects.values_list("status", flat=True)) == {ItemStatus.AVAILABLE}


def test_requester_cancels_a_ready_hold_and_the_copy_goes_back(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk)
    _move(librarian, hold, HoldStatus.READY)
    hold.refresh_from_db()
    holds.hold_cancel(actor=student, hold=hold, expected_version=hold.version)
    assert Hold.objects.get().status == HoldStatus.CANCELLED
    assert set(Item.objects.values_list("status", flat=True)) == {ItemStatus.AVAILABLE}


def test_only_the_requester_cancels(
    student: User,
    other_student: User,
    librarian: User,
    record: Record,
    desk: PickupLocation,
) -> None:
    hold = _place(student, record, desk)
    for someone in (other_student, librarian):
        with pytest.raises(HoldError, match="Only the person"):
            holds.hold_cancel(actor=someone, hold=hold, expected_version=hold.version)
    assert Hold.objects.get().status == HoldStatus.REQUESTED


def test_closed_holds_cannot_be_cancelled(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk)
    _move(librarian, hold, HoldStatus.REJECTED, reason="Lost")
    hold.refresh_from_db()
    with pytest.raises(HoldError, match="only open holds"):
        holds.hold_cancel(actor=student, hold=hold, expected_version=hold.version)
    assert Hold.objects.get().status == HoldStatus.REJECTED


def test_only_the_library_moves_holds(
    student: User, instructor: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk)
    for someone in (student, instructor):
        with pytest.raises(HoldError, match="Only the library"):
            _move(someone, hold, HoldStatus.READY)
    assert Hold.objects.get().status == HoldStatus.REQUESTED
    assert Item.objects.filter(status=ItemStatus.ON_HOLD_SHELF).count() == 0


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], HoldStatus.FULFILLED),
        ([HoldStatus.IN_PROCESS], HoldStatus.FULFILLED),
        ([HoldStatus.READY, HoldStatus.FULFILLED], HoldStatus.READY),
        ([HoldStatus.READY, HoldStatus.FULFILLED], HoldStatus.REJECTED),
    ],
)
def test_transitions_the_machine_does_not_allow(
    student: User,
    librarian: User,
    record: Record,
    desk: PickupLocation,
    path: list[str],
    target: str,
) -> None:
    hold = _place(student, record, desk)
    for step in path:
        _move(librarian, hold, step)
    before = Hold.objects.get()
    with pytest.raises(InvalidTransition):
        _move(librarian, hold, target, reason="because")
    after = Hold.objects.get()
    assert (after.status, after.version) == (before.status, before.version)


def test_unknown_target_is_refused(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk)
    with pytest.raises(HoldError, match="Unknown"):
        _move(librarian, hold, HoldStatus.CANCELLED)


def test_stale_version_is_refused(
    student: User, librarian: User, record: Record, desk: PickupLocation
) -> None:
    hold = _place(student, record, desk)
    seen = hold.version
    _move(librarian, hold, HoldStatus.IN_PROCESS)
    with pytest.raises(StaleVersion) as caught:
        holds.hold_set_status(
            actor=librarian,
            hold=hold,
            status=HoldStatus.READY,
            expected_version=seen,
        )
    assert caught.value.current_version == seen + 1
    with pytest.raises(StaleVersion):
        holds.hold_cancel(actor=student, hold=hold, expected_version=seen)
    assert Hold.objects.get().status == HoldStatus.IN_PROCESS
    assert Item.objects.filter(status=ItemStatus.ON_HOLD_SHELF).count() == 0


def test_library_targets_follow_the_machine() -> None:
    assert holds.library_targets(HoldStatus.REQUESTED) == [
        HoldStatus.IN_PROCESS,
        HoldStatus.READY,
        HoldStatus.REJECTED,
    ]
    assert holds.library_targets(HoldStatus.READY) == [
        HoldStatus.FULFILLED,
        HoldStatus.REJECTED,
    ]
    assert holds.library_targets(HoldStatus.FULFILLED) == []


def test_pickup_locations_added_closed_and_reopened(
    librarian: User, student: User, record: Record
) -> None:
    with pytest.raises(HoldError, match="Only the library"):
        holds.pickup_location_add(actor=student, code="SCI", name="Science")
    science = holds.pickup_location_add(actor=librarian, code=" SCI ", name="Science")
    assert (science.code, science.name, science.active) == ("SCI", "Science", True)
    with pytest.raises(HoldError, match="already"):
        holds.pickup_location_add(actor=librarian, code="sci", name="Again")
    with pytest.raises(HoldError, match="code and a name"):
        holds.pickup_location_add(actor=librarian, code="", name="Nameless")
    hold = _place(student, record, science)
    holds.pickup_location_set_active(actor=librarian, location=science, active=False)
    # An open hold keeps its place; new ones go elsewhere.
    assert Hold.objects.get(pk=hold.pk).pickup_location_id == science.pk
    with pytest.raises(HoldError, match="Science"):
        _place(librarian, record, science)
    holds.pickup_location_set_active(actor=librarian, location=science, active=True)
    _place(librarian, record, science)
    assert list(
        Event.objects.filter(verb__startswith="pickup_location")
        .order_by("id")
        .values_list("verb", "params")
    ) == [
        ("pickup_location.add", {"code": "SCI"}),
        ("pickup_location.active", {"active": False}),
        ("pickup_location.active", {"active": True}),
    ]
