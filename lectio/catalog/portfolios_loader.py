"""The portfolio loader: electronic resources (where the full text is, for which
dates) from a CSV file.

Columns (header row, comma-separated, names case-insensitive):

    portfolio_id (required), url (required), record, isbn, issn, title, provider,
    coverage_from, coverage_to, embargo_months, open_access, active

- The portfolio is found by portfolio_id: new ids are created, known ones updated
  when anything differs.
- It is attached to a catalog record by `record` (control number; an unknown one is
  a reject), else by `isbn`, else by `issn` (the record carrying it). A portfolio
  whose ISBN or ISSN matches no record is loaded unattached (counted as "unlinked").
- url: an http or https address. Dates in the institution's date format (ISO dates
  are taken too); coverage_from must not be after coverage_to. embargo_months: a
  whole number of months (the moving wall). open_access and active: yes/no,
  true/false, 1/0 (empty: not open access, active).

All rows are checked first, then written in one transaction (all or nothing unless
the valid-only mode is chosen); the records' availability flags are refreshed in the
same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from lectio.accounts.models import InstitutionSettings
from lectio.catalog import availability
from lectio.catalog.items_loader import parse_day, records_by_key
from lectio.catalog.models import Portfolio
from lectio.core.events import event_record
from lectio.core.identifiers import normalize_isbn, normalize_issn
from lectio.core.loading import (
    LoadOptions,
    LoadResult,
    Throttle,
    decode,
    parse_int,
    read_dicts,
)

COLUMNS = (
    "portfolio_id",
    "record",
    "isbn",
    "issn",
    "title",
    "url",
    "provider",
    "coverage_from",
    "coverage_to",
    "embargo_months",
    "open_access",
    "active",
)
FIELDS = (
    "record_id",
    "title",
    "isbn",
    "issn",
    "url",
    "provider",
    "coverage_from",
    "coverage_to",
    "embargo_months",
    "open_access",
    "active",
)
TRUE = {"yes", "y", "true", "t", "1"}
FALSE = {"no", "n", "false", "f", "0"}
_url = URLValidator(schemes=["http", "https"])


def parse_bool(value: str, name: str, default: bool) -> bool:
    text = value.strip().lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{name} {value!r} is not yes or no")


def load(data: bytes, options: LoadOptions) -> LoadResult:
    result = LoadResult()
    _header, rows = read_dicts(
        decode(data),
        result=result,
        required=("portfolio_id", "url"),
        known=COLUMNS,
    )
    raw_rows = list(rows)
    fmt = options.date_format or InstitutionSettings.current().loader_date_format
    by_control, by_identifier = records_by_key(
        (raw.get("record", "") for _l, raw in raw_rows),
        (normalize_isbn(raw.get("isbn", "")) or "" for _l, raw in raw_rows),
        (normalize_issn(raw.get("issn", "")) or "" for _l, raw in raw_rows),
    )
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    unlinked = 0
    for line, raw in raw_rows:
        key = raw.get("portfolio_id", "")
        errors: list[str] = []
        if not key:
            errors.append("the portfolio_id is empty")
        elif len(key) > 100:
            errors.append("the portfolio_id is longer than 100 characters")
        elif key in good:
            errors.append(f"portfolio {key} is already on line {good[key][0]}")
        values: dict[str, Any] = {
            "title": raw.get("title", "")[:1000],
            "provider": raw.get("provider", "")[:300],
        }
        url = raw.get("url", "")
        try:
            if len(url) > 2000:
                raise ValidationError("too long")
            _url(url)
            values["url"] = url
        except ValidationError:
            errors.append(f"url {url[:100]!r} is not an http or https address")
        isbn_text, issn_text = raw.get("isbn", ""), raw.get("issn", "")
        isbn = normalize_isbn(isbn_text) if isbn_text else None
        issn = normalize_issn(issn_text) if issn_text else None
        if isbn_text and not isbn:
            errors.append(f"{isbn_text!r} is not a valid ISBN")
        if issn_text and not issn:
            errors.append(f"{issn_text!r} is not a valid ISSN")
        values["isbn"] = isbn or ""
        values["issn"] = issn or ""
        record_id = None
        control = raw.get("record", "")
        if control:
            record_id = by_control.get(control)
            if record_id is None:
                errors.append(f"no catalog record has the control number {control}")
        else:
            record_id = by_identifier.get(("isbn", isbn or "")) or by_identifier.get(
                ("issn", issn or "")
            )
        values["record_id"] = record_id
        for name in ("coverage_from", "coverage_to"):
            try:
                values[name] = parse_day(raw.get(name, ""), fmt)
            except ValueError as exc:
                errors.append(f"{name}: {exc}")
        start, end = values.get("coverage_from"), values.get("coverage_to")
        if start and end and start > end:
            errors.append("coverage_from is after coverage_to")
        try:
            months = parse_int(raw.get("embargo_months", ""), "embargo_months")
            if months is not None and months > 1200:
                raise ValueError(f"embargo_months {months} is more than 100 years")
            values["embargo_months"] = months
        except ValueError as exc:
            errors.append(str(exc))
        for name, default in (("open_access", False), ("active", True)):
            try:
                values[name] = parse_bool(raw.get(name, ""), name, default)
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            result.reject(line, "; ".join(errors), key)
            continue
        if record_id is None:
            unlinked += 1
        good[key] = (line, values)
    for name in ("created", "updated", "unchanged"):
        result.counts[name] = 0
    if unlinked:
        result.counts["unlinked"] = unlinked
    if result.rejects and options.mode == "all_or_nothing":
        return result
    throttle = Throttle(options.progress, max(len(good), 1))
    with transaction.atomic():
        existing = {
            p.external_id: p for p in Portfolio.objects.filter(external_id__in=good)
        }
        create: list[Portfolio] = []
        update: list[Portfolio] = []
        touched: set[int] = set()
        for key, (_line, values) in good.items():
            portfolio = existing.get(key)
            if portfolio is None:
                create.append(Portfolio(external_id=key, **values))
                if values["record_id"]:
                    touched.add(values["record_id"])
                continue
            if all(getattr(portfolio, n) == values[n] for n in FIELDS):
                result.counts["unchanged"] += 1
                continue
            touched.update(
                i for i in (portfolio.record_id, values["record_id"]) if i is not None
            )
            for name in FIELDS:
                setattr(portfolio, name, values[name])
            update.append(portfolio)
        Portfolio.objects.bulk_create(create, batch_size=500)
        Portfolio.objects.bulk_update(update, list(FIELDS), batch_size=500)
        result.counts["created"] = len(create)
        result.counts["updated"] = len(update)
        throttle(len(good))
        availability.refresh(touched)
        if (create or update) and not options.dry_run:
            event_record(
                actor=options.actor,
                verb="portfolios_loaded",
                target_type="portfolio",
                target_id=None,
                summary=" ".join(p for p in (options.file_name, result.summary()) if p),
                params={"file": options.file_name, "counts": result.counts_dict()},
            )
        if options.dry_run:
            transaction.set_rollback(True)
    result.applied = not options.dry_run
    return result
