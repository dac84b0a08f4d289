"""Institution-wide settings that shape how lists are shown (administrators only)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lectio.accounts.models import (
    InstitutionSettings,
    LoaderUnknown,
    PublishingWorkflow,
)
from lectio.accounts.services import institution_settings_update
from lectio.core.concurrency import StaleVersion
from lectio.core.requests import AuthedHttpRequest
from lectio.lists.rendering import STYLES
from lectio.lists.tasks import rerender_citations
from lectio.lists.views.common import render_conflict


class InstitutionSettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=gettext_lazy("Institution name"), max_length=200)
    citation_style = forms.ChoiceField(
        label=gettext_lazy("Citation style"),
        choices=list(STYLES.items()),
        help_text=gettext_lazy("How citations are formatted on every list."),
    )
    students_see_only_complete = forms.BooleanField(
        label=gettext_lazy("Students see only items the library has completed"),
        required=False,
    )
    send_updates_automatically = forms.BooleanField(
        label=gettext_lazy(
            "Items added to a list the library already has go to the library at once"
        ),
        required=False,
    )
    publishing_workflow = forms.ChoiceField(
        label=gettext_lazy("Publishing"),
        choices=PublishingWorkflow.choices,
        widget=forms.RadioSelect,
    )
    loader_date_format = forms.CharField(
        label=gettext_lazy("Date format in loader files"),
        max_length=32,
        help_text=gettext_lazy(
            "As strftime: %Y-%m-%d is 2026-09-01, %d/%m/%Y is 01/09/2026. "
            "An upload may choose another."
        ),
    )
    loader_unknown_users = forms.ChoiceField(
        label=gettext_lazy("People a loader file names that Lectio does not know"),
        choices=LoaderUnknown.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Created as pending users (they sign in through the institution's "
            "login or the LMS), or their rows are rejected."
        ),
    )
    loader_unknown_codes = forms.ChoiceField(
        label=gettext_lazy("Departments, terms and campuses Lectio does not know"),
        choices=LoaderUnknown.choices,
        widget=forms.RadioSelect,
    )
    rollover_recalculate_statuses = forms.BooleanField(
        label=gettext_lazy("Recalculate citation statuses by the rules"),
        required=False,
    )
    rollover_copy_public_notes = forms.BooleanField(
        label=gettext_lazy("Copy public notes and public tags"), required=False
    )
    rollover_copy_library_tags = forms.BooleanField(
        label=gettext_lazy(
            "Copy instructor-library and library-internal tags and notes"
        ),
        required=False,
    )
    rollover_copy_collaborators = forms.BooleanField(
        label=gettext_lazy("Copy collaborators"), required=False
    )
    rollover_copy_syllabus = forms.BooleanField(
        label=gettext_lazy("Copy the syllabus"), required=False
    )
    analytics_min_group = forms.IntegerField(
        label=gettext_lazy("Smallest group a usage figure may describe"),
        min_value=5,
        max_value=1000,
        help_text=gettext_lazy(
            "Figures about fewer students are shown as “fewer than” this number, "
            "so no one student's reading can be made out. At least 5."
        ),
    )
    remote_lookups = forms.BooleanField(
        label=gettext_lazy("Look up DOIs, ISBNs and PubMed ids outside Lectio"),
        required=False,
        help_text=gettext_lazy(
            "When someone adds a citation by an identifier the catalog does not "
            "have, Lectio asks doi.org, Open Library or PubMed for its details. "
            "Off: nothing is sent outside Lectio."
        ),
    )

    max_upload_mb = forms.IntegerField(
        label=gettext_lazy("Largest file that may be uploaded to a citation (MB)"),
        min_value=1,
        max_value=2048,
        help_text=gettext_lazy(
            "PDFs, e-books, images and Office documents instructors and the library "
            "upload for a list. Larger uploads are refused before they are kept."
        ),
    )

    def clean_loader_date_format(self) -> str:
        from lectio.courses.forms import check_date_format

        return check_date_format(self.cleaned_data["loader_date_format"])


# The form's fields in the page's sections.
GENERAL_FIELDS = (
    "name",
    "citation_style",
    "students_see_only_complete",
    "send_updates_automatically",
    "publishing_workflow",
)
LOADER_FIELDS = ("loader_date_format", "loader_unknown_users", "loader_unknown_codes")
ROLLOVER_FIELDS = (
    "rollover_recalculate_statuses",
    "rollover_copy_public_notes",
    "rollover_copy_library_tags",
    "rollover_copy_collaborators",
    "rollover_copy_syllabus",
)
CAPTURE_FIELDS = ("remote_lookups", "analytics_min_group", "max_upload_mb")
POLICY_FIELDS = LOADER_FIELDS + ROLLOVER_FIELDS + CAPTURE_FIELDS


@login_required
@require_http_methods(["GET", "POST"])
def institution_settings(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_institution_admin:
        raise PermissionDenied
    row = InstitutionSettings.current()
    form = InstitutionSettingsForm(
        request.POST or None,
        initial={
            "version": row.version,
            "name": row.name,
            "citation_style": row.citation_style,
            "students_see_only_complete": row.students_see_only_complete,
            "send_updates_automatically": row.send_updates_automatically,
            "publishing_workflow": row.publishing_workflow,
            **{name: getattr(row, name) for name in POLICY_FIELDS},
        },
    )
    context = {
        "form": form,
        "nav": "settings",
        "general_fields": [form[name] for name in GENERAL_FIELDS + CAPTURE_FIELDS],
        "loader_fields": [form[name] for name in LOADER_FIELDS],
        "rollover_fields": [form[name] for name in ROLLOVER_FIELDS],
    }
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                changed = institution_settings_update(
                    actor=request.user,
                    settings_row=row,
                    expected_version=form.cleaned_data["version"],
                    name=form.cleaned_data["name"],
                    citation_style=form.cleaned_data["citation_style"],
                    students_see_only_complete=form.cleaned_data[
                        "students_see_only_complete"
                    ],
                    send_updates_automatically=form.cleaned_data[
                        "send_updates_automatically"
                    ],
                    publishing_workflow=form.cleaned_data["publishing_workflow"],
                    policy={name: form.cleaned_data[name] for name in POLICY_FIELDS},
                )
                if "citation_style" in changed:
                    style = form.cleaned_data["citation_style"]
                    transaction.on_commit(lambda: rerender_citations.enqueue(style))
        except StaleVersion as error:
            return render_conflict(
                request, "lists/institution_settings.html", context, error
            )
        if "citation_style" in changed:
            messages.success(
                request,
                _(
                    "Settings saved. Citations are being re-formatted in the background."
                ),
            )
        else:
            messages.success(request, _("Settings saved."))
        return redirect("lists:institution_settings")
    return render(request, "lists/institution_settings.html", context)
