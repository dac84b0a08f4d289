"""The item loader: physical copies from a CSV file, and the copies a MARC record's
holdings fields describe (called by the MARC loader).

Columns (header row, comma-separated, names case-insensitive):

    barcode (required), record, isbn, library, location, call_number, loan_policy,
    status, due_date

- The copy is found by barcode: a new barcode creates an item, a known one is
  updated when anything differs (and left alone when nothing does).
- The record is `record` (the catalog record's control number) or, when that column
  is empty, `isbn` (any form; the record carrying that ISBN). No record: a reject.
- status: one of available, on_loan, in_transit, on_hold_shelf, in_process, missing,
  lost, withdrawn (or their labels, e.g. "On loan", and "checked out", "on shelf");
  empty is available. due_date in the institution's date format (ISO dates are taken
  too); only an item on loan keeps one.
- A copy on course reserve keeps its reserve location and loan policy; the file's
  values become the originals it returns to when the reserve ends.

All rows are checked first, then written in one transaction (all or nothing unless
the valid-only mode is chosen); the records' availability flags are refreshed in the
same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from lectio.accounts.models import InstitutionSettings
from lectio.catalog import availability
from lectio.catalog.models import (
    CourseReserve,
    Item,
    ItemStatus,
    Record,
    RecordIdentifier,
)
from lectio.core.events import event_record
from lectio.core.identifiers import normalize_isbn
from lectio.core.loading import (
    LoadOptions,
    LoadResult,
    Throttle,
    decode,
    parse_date,
    read_dicts,
)

COLUMNS = (
    "barcode",
    "record",
    "isbn",
    "library",
    "location",
    "call_number",
    "loan_policy",
    "status",
    "due_date",
)
TEXT_FIELDS = ("library", "location", "call_number", "loan_policy")
MAX_LENGTHS: dict[str, int] = {
    name: getattr(Item._meta.get_field(name), "max_length", 0) for name in TEXT_FIELDS
}

STATUS_WORDS: dict[str, str] = {
    **{s.value: s.value for s in ItemStatus},
    **{str(s.label).lower(): s.value for s in ItemStatus},
    "on shelf": ItemStatus.AVAILABLE.value,
    "in": ItemStatus.AVAILABLE.value,
    "item in place": ItemStatus.AVAILABLE.value,
    "checked out": ItemStatus.ON_LOAN.value,
    "loan": ItemStatus.ON_LOAN.value,
    "on loan": ItemStatus.ON_LOAN.value,
    "in transit": ItemStatus.IN_TRANSIT.value,
    "on hold shelf": ItemStatus.ON_HOLD_SHELF.value,
    "in process": ItemStatus.IN_PROCESS.value,
    "technical - migration": ItemStatus.IN_PROCESS.value,
}


def parse_status(value: str) -> str:
    """An ItemStatus value from the words libraries use; ValueError names the
    accepted ones."""
    text = " ".join(value.replace("_", " ").split()).lower()
    if not text:
        return ItemStatus.AVAILABLE.value
    status = STATUS_WORDS.get(text) or STATUS_WORDS.get(text.replace(" ", "_"))
    if status is None:
        raise ValueError(
            f"status {value!r} is not one of " + ", ".join(s.value for s in ItemStatus)
        )
    return status


def parse_day(value: str, fmt: str) -> datetime.date | None:
    """A date in the institution's format, or ISO 8601 (YYYY-MM-DD)."""
    try:
        return parse_date(value, fmt)
    except ValueError:
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise


def records_by_key(
    control_numbers: Iterable[str],
    isbns: Iterable[str] = (),
    issns: Iterable[str] = (),
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Record ids by control number, and by (kind, normalised ISBN/ISSN); where
    several records carry the same identifier, the oldest."""
    by_control = dict(
        Record.objects.filter(control_number__in=set(control_numbers)).values_list(
            "control_number", "id"
        )
    )
    by_identifier: dict[tuple[str, str], int] = {}
    for kind, values in (("isbn", set(isbns)), ("issn", set(issns))):
        if not values:
            continue
        for value, record_id in (
            RecordIdentifier.objects.filter(kind=kind, value__in=values)
            .order_by("record_id")
            .values_list("value", "record_id")
        ):
            by_identifier.setdefault((kind, value), record_id)
    return by_control, by_identifier


@dataclass
class _Row:
    line: int
    barcode: str
    record_id: int
    values: dict[str, Any]


def load(data: bytes, options: LoadOptions) -> LoadResult:
    """Checks the whole file, then creates and updates items in one transaction."""
    result = LoadResult()
    _header, rows = read_dicts(
        decode(data), result=result, required=("barcode",), known=COLUMNS
    )
    raw_rows = list(rows)
    fmt = options.date_format or InstitutionSettings.current().loader_date_format
    by_control, by_identifier = records_by_key(
        (raw.get("record", "") for _l, raw in raw_rows),
        (normalize_isbn(raw.get("isbn", "")) or "" for _l, raw in raw_rows),
    )
    good: list[_Row] = []
    seen: dict[str, int] = {}
    for line, raw in raw_rows:
        barcode = raw.get("barcode", "")
        errors: list[str] = []
        if not barcode:
            errors.append("the barcode is empty")
        elif len(barcode) > 64:
            errors.append("the barcode is longer than 64 characters")
        elif barcode in seen:
            errors.append(f"barcode {barcode} is already on line {seen[barcode]}")
        record_id = _record_for(raw, by_control, by_identifier, errors)
        values: dict[str, Any] = {}
        for name in TEXT_FIELDS:
            value = raw.get(name, "")
            limit = MAX_LENGTHS[name]
            if limit and len(value) > limit:
                errors.append(f"{name} is longer than {limit} characters")
            values[name] = value
        try:
            values["status"] = parse_status(raw.get("status", ""))
        except ValueError as exc:
            errors.append(str(exc))
        try:
            values["due_date"] = parse_day(raw.get("due_date", ""), fmt)
        except ValueError as exc:
            errors.append(f"due_date: {exc}")
        if values.get("status") != ItemStatus.ON_LOAN:
            values["due_date"] = None
        if errors:
            result.reject(line, "; ".join(errors), barcode)
            continue
        seen[barcode] = line
        assert record_id is not None
        good.append(_Row(line, barcode, record_id, values))
    for name in ("created", "updated", "unchanged"):
        result.counts[name] = 0
    if result.rejects and options.mode == "all_or_nothing":
        return result
    throttle = Throttle(options.progress, max(len(good), 1))
    with transaction.atomic():
        touched = upsert(good, result)
        throttle(len(good))
        availability.refresh(touched)
        changed = result.counts["created"] + result.counts["updated"]
        if changed and not options.dry_run:
            event_record(
                actor=options.actor,
                verb="items_loaded",
                target_type="item",
                target_id=None,
                summary=" ".join(p for p in (options.file_name, result.summary()) if p),
                params={"file": options.file_name, "counts": result.counts_dict()},
            )
        if options.dry_run:
            transaction.set_rollback(True)
    result.applied = not options.dry_run
    return result


def _record_for(
    raw: dict[str, str],
    by_control: dict[str, int],
    by_identifier: dict[tuple[str, str], int],
    errors: list[str],
) -> int | None:
    control = raw.get("record", "")
    if control:
        found = by_control.get(control)
        if found is None:
            errors.append(f"no catalog record has the control number {control}")
        return found
    isbn_text = raw.get("isbn", "")
    if isbn_text:
        isbn = normalize_isbn(isbn_text)
        if isbn is None:
            errors.append(f"{isbn_text!r} is not a valid ISBN")
            return None
        found = by_identifier.get(("isbn", isbn))
        if found is None:
            errors.append(f"no catalog record has the ISBN {isbn_text}")
        return found
    errors.append("give the record's control number (record) or its isbn")
    return None


def upsert(rows: list[_Row], result: LoadResult) -> set[int]:
    """Creates and updates the items of `rows` by barcode; returns the ids of every
    record whose items changed (old and new record of a moved copy)."""
    existing = {
        item.barcode: item
        for item in Item.objects.filter(barcode__in=[r.barcode for r in rows])
    }
    reserved = _reserves({item.id for item in existing.values()})
    create: list[Item] = []
    update: list[Item] = []
    touched: set[int] = set()
    reserve_updates: list[CourseReserve] = []
    for row in rows:
        item = existing.get(row.barcode)
        if item is None:
            create.append(
                Item(barcode=row.barcode, record_id=row.record_id, **row.values)
            )
            touched.add(row.record_id)
            continue
        values = dict(row.values)
        on_reserve = reserved.get(item.id)
        if on_reserve:
            # The copy's current location and policy are the reserve's; the file
            # gives the ones to go back to.
            for reserve in on_reserve:
                if (
                    reserve.original_location != values["location"]
                    or reserve.original_loan_policy != values["loan_policy"]
                ):
                    reserve.original_location = values["location"]
                    reserve.original_loan_policy = values["loan_policy"]
                    reserve_updates.append(reserve)
            values.pop("location")
            values.pop("loan_policy")
        differs = item.record_id != row.record_id or any(
            getattr(item, name) != value for name, value in values.items()
        )
        if not differs:
            result.counts["unchanged"] += 1
            continue
        touched.update((item.record_id, row.record_id))
        item.record_id = row.record_id
        for name, value in values.items():
            setattr(item, name, value)
        update.append(item)
    Item.objects.bulk_create(create, batch_size=500)
    if update:
        Item.objects.bulk_update(
            update,
            ["record", "status", "due_date", *TEXT_FIELDS],
            batch_size=500,
        )
        Item.objects.filter(id__in=[i.id for i in update]).update(
            version=F("version") + 1
        )
    if reserve_updates:
        CourseReserve.objects.bulk_update(
            reserve_updates, ["original_location", "original_loan_policy"]
        )
    result.counts["created"] += len(create)
    result.counts["updated"] += len(update)
    return touched


def _reserves(item_ids: set[int]) -> dict[int, list[CourseReserve]]:
    out: dict[int, list[CourseReserve]] = {}
    if item_ids:
        for reserve in CourseReserve.objects.filter(item_id__in=item_ids, active=True):
            out.setdefault(reserve.item_id, []).append(reserve)
    return out


def upsert_marc_items(records: list[tuple[int, list[dict[str, str]]]]) -> int:
    """The copies found in MARC holdings fields (852/876/949) of these records,
    created or updated by barcode, availability refreshed. Values a field does not
    give are left as they are. Returns how many items were created or updated."""
    rows: list[_Row] = []
    seen: set[str] = set()
    existing = {
        item.barcode: item
        for item in Item.objects.filter(
            barcode__in=[i["barcode"] for _r, items in records for i in items]
        )
    }
    for record_id, items in records:
        for item in items:
            barcode = item["barcode"][:64]
            if barcode in seen:
                continue
            seen.add(barcode)
            old = existing.get(barcode)
            values: dict[str, Any] = {
                name: (
                    item[name][: MAX_LENGTHS[name]]
                    if name in item
                    else (getattr(old, name) if old else "")
                )
                for name in TEXT_FIELDS
            }
            try:
                status = parse_status(item["status"]) if "status" in item else None
            except ValueError:
                status = None
            values["status"] = status or (
                old.status if old else ItemStatus.AVAILABLE.value
            )
            values["due_date"] = old.due_date if old else None
            rows.append(_Row(0, barcode, record_id, values))
    result = LoadResult()
    touched = upsert(rows, result)
    availability.refresh(touched)
    return result.counts["created"] + result.counts["updated"]
