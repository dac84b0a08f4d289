"""A library report as a file: CSV (every table one after the other, each under
its title) or XLSX (a sheet per table). A hidden figure is written as the words
"fewer than N", never its number."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from lectio.analytics.library import Report
from lectio.analytics.reports import Hidden


def cell(value: Any) -> Any:
    """A value as a spreadsheet holds it."""
    if isinstance(value, Hidden):
        return _("fewer than %d") % value.threshold
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _heading(report: Report) -> list[list[Any]]:
    lines: list[list[Any]] = [[report.title]]
    for key, value in report.filters.as_params().items():
        lines.append([key, value])
    if report.period:
        lines.append([_("period"), report.period[0], report.period[1]])
    return lines


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _heading(report):
        writer.writerow([_text(v) for v in line])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([c.label for c in table.columns])
        for row in table.rows:
            writer.writerow([_text(cell(v)) for v in row])
    # A BOM so that spreadsheets open the UTF-8 file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for table in report.tables:
        # Sheet names: at most 31 characters, unique, none of []:*?/\
        name = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or "Sheet"
        base, n = name, 2
        while name.lower() in used:
            name = f"{base[:28]} {n}"
            n += 1
        used.add(name.lower())
        sheet = book.create_sheet(title=name)
        for line in _heading(report):
            sheet.append([cell(v) for v in line])
        sheet.append([])
        from openpyxl.cell import WriteOnlyCell

        header = []
        for column in table.columns:
            c = WriteOnlyCell(sheet, value=column.label)
            c.font = bold
            header.append(c)
        sheet.append(header)
        for row in table.rows:
            sheet.append([cell(v) for v in row])
    if not report.tables:
        book.create_sheet(title="Report")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
