"""Forms for the institution data pages. Validation only; the work is done by jobs and
services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from lectio.accounts.models import API_AREAS
from lectio.core.loading import LOADERS, max_file_bytes

KIND_CHOICES_LABELS = {
    "courses": _("Courses (Alma course loader file, tab-separated)"),
    "users": _("Users (CSV)"),
    "enrolments": _("Enrolments (CSV)"),
    "lists": _("Reading lists (Leganto reading-list loader file, CSV)"),
}


def kind_choices() -> list[tuple[str, Any]]:
    """The loaders the registry has, in the order a newcomer loads them."""
    order = ["courses", "users", "enrolments", "lists"]
    kinds = [k for k in order if k in LOADERS] + sorted(set(LOADERS) - set(order))
    return [(k, KIND_CHOICES_LABELS.get(k, k.capitalize())) for k in kinds]


def check_date_format(value: str) -> str:
    """A strftime format that writes and reads back a whole date."""
    value = value.strip()
    # Day, month and year all differ from strptime's defaults (1, 1, 1900).
    sample = datetime.date(2026, 9, 28)
    try:
        text = sample.strftime(value)
        ok = "%" in value and datetime.datetime.strptime(text, value).date() == sample
    except ValueError:
        ok = False
    if not ok:
        raise forms.ValidationError(
            _(
                "Give a date format with day, month and year, as strftime writes it: "
                "%Y-%m-%d for 2026-09-01, %d/%m/%Y for 01/09/2026."
            )
        )
    return value


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f}".removesuffix(".0")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=kind_choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("UTF-8 text, with or without a byte order mark."),
        error_messages={"empty": _("The file is empty.")},
    )
    mode = forms.ChoiceField(
        label=_("When some rows are rejected"),
        choices=[
            ("all_or_nothing", _("Change nothing (all or nothing)")),
            ("valid_only", _("Apply the valid rows only")),
        ],
        initial="all_or_nothing",
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report, change nothing"),
        required=False,
    )
    date_format = forms.CharField(
        label=_("Date format in the file"),
        max_length=32,
        help_text=_("As strftime: %Y-%m-%d is 2026-09-01, %d/%m/%Y is 01/09/2026."),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_file_bytes()
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; files up to %(limit)s MB are accepted. "
                    "Split it into smaller files."
                )
                % {"size": _megabytes(upload.size), "limit": _megabytes(limit)}
            )
        return upload

    def clean_date_format(self) -> str:
        return check_date_format(self.cleaned_data["date_format"])


SCOPE_CHOICES = [
    ("", _("No access")),
    ("read", _("Read")),
    ("write", _("Read and write")),
]

AREA_LABELS = {
    "courses": _("Courses, terms and departments"),
    "lists": _("Reading lists and citations"),
    "workflow": _("Library workflow"),
    "catalog": _("Catalog"),
    "analytics": _("Analytics"),
    "users": _("Users and enrolments"),
    "loaders": _("Loaders and jobs"),
}


class ApiKeyForm(forms.Form):
    """A name and, per area of the API, no access, read, or read and write."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say what uses the key, for example: SIS course feed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area in API_AREAS:
            self.fields[f"scope_{area}"] = forms.ChoiceField(
                label=AREA_LABELS.get(area, area.capitalize()),
                choices=SCOPE_CHOICES,
                required=False,
            )

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[f"scope_{area}"] for area in API_AREAS]

    def scopes(self) -> list[str]:
        return [
            f"{area}:{self.cleaned_data[f'scope_{area}']}"
            for area in API_AREAS
            if self.cleaned_data.get(f"scope_{area}")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"scope_{area}") for area in API_AREAS):
            raise forms.ValidationError(
                _("Give the key access to at least one area."), code="no_scope"
            )
        return data
