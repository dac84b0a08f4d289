from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lectio.accounts.models import Role, User
from lectio.core.widgets import FastCheckboxes, FastSelect
from lectio.courses.models import Department, Term
from lectio.lists.models import Availability, MaterialType, Tag, TagKind
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    PublicationStatus,
)
from lectio.workflow.models import RequestKind


class TaskFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("List name or code, course code or name, instructor."),
    )
    status = forms.MultipleChoiceField(
        label=_("List status"),
        required=False,
        choices=ListStatus.choices,
        widget=FastCheckboxes,
    )
    publication_status = forms.ChoiceField(
        label=_("Publication"),
        required=False,
        choices=[("", _("Any"))] + list(PublicationStatus.choices),
        widget=FastSelect,
    )
    processing_department = forms.ModelChoiceField(
        label=_("Processing department"),
        required=False,
        queryset=Department.objects.all(),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    academic_department = forms.ModelChoiceField(
        label=_("Academic department"),
        required=False,
        queryset=Department.objects.all(),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    term = forms.ModelChoiceField(
        label=_("Term"),
        required=False,
        queryset=Term.objects.all(),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    course = forms.CharField(
        label=_("Course code starts with"), required=False, max_length=100
    )
    submit_by = forms.DateField(
        label=_("Lists due by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    has_alerts = forms.BooleanField(label=_("Only lists with news"), required=False)
    open_request = forms.ChoiceField(
        label=_("With an open request"),
        required=False,
        choices=[("", _("Any"))] + list(RequestKind.choices),
        widget=FastSelect,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("age", _("Longest waiting")),
            ("sent", _("Most recently sent")),
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("code", _("Code, A to Z")),
            ("-code", _("Code, Z to A")),
            ("status", _("Status")),
            ("-status", _("Status, reversed")),
            ("due", _("Due back date, soonest")),
            ("-due", _("Due back date, latest")),
        ],
        widget=FastSelect,
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("Assign to"),
        queryset=User.objects.filter(
            role__in=[Role.LIBRARIAN, Role.ADMIN], is_active=True
        ),
        required=False,
        empty_label=_("Nobody (release)"),
        widget=FastSelect,
    )


class CompleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason to complete with open items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Set status to"),
        choices=[("", _("Choose a status…")), *CitationStatus.choices],
    )
    reason = forms.CharField(
        label=_("Reason (required to decline; the instructor sees it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LibraryCitationForm(forms.Form):
    # The version the page showed: a save over someone else's newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    library_note = forms.CharField(
        label=_("Library note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by library staff only."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Library tags"),
        required=False,
        queryset=Tag.objects.filter(
            kind__in=[TagKind.INSTRUCTOR_LIBRARY, TagKind.LIBRARY_INTERNAL]
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    copyright_status = forms.ChoiceField(
        label=_("Copyright"), choices=CopyrightStatus.choices
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=RequestKind.choices)
    page_ranges = forms.CharField(
        label=_("Pages"),
        required=False,
        max_length=200,
        help_text=_("For digitization: for example 12-30, 45-51."),
    )
    total_pages = forms.IntegerField(
        label=_("Pages in the whole work"),
        required=False,
        min_value=1,
        help_text=_("For digitization: lets the copyright rules work out the share."),
    )
    copies = forms.IntegerField(
        label=_("Copies"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("For purchases: leave empty for the suggested number."),
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # What a purchase or a digitization cost, recorded by the library (the reports'
    # costs and cost per use).
    cost = forms.DecimalField(
        label=_("Cost"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatusRuleForm(forms.Form):
    material_type = forms.ChoiceField(
        label=_("Material type"),
        required=False,
        choices=[("", _("Any"))] + list(MaterialType.choices),
    )
    availability = forms.ChoiceField(
        label=_("Availability"), required=False, choices=Availability.choices
    )
    status = forms.ChoiceField(label=_("Starts as"), choices=CitationStatus.choices)


class CopyrightRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    material_type = forms.ChoiceField(
        label=_("Material type"),
        required=False,
        choices=[("", _("Any"))] + list(MaterialType.choices),
    )
    max_percent = forms.DecimalField(
        label=_("At most this share of the work (%)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    max_chapters = forms.IntegerField(
        label=_("At most this many chapters"), required=False, min_value=1
    )
    published_before = forms.IntegerField(
        label=_("Published before the year"),
        required=False,
        min_value=1000,
        max_value=3000,
    )
    outcome = forms.ChoiceField(
        label=_("Then the copyright status is"), choices=CopyrightStatus.choices
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(
            data.get(k)
            for k in (
                "material_type",
                "max_percent",
                "max_chapters",
                "published_before",
            )
        ):
            raise forms.ValidationError(_("Give the rule at least one condition."))
        return data


class PurchaseRatioForm(forms.Form):
    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=Tag.objects.filter(kind=TagKind.PUBLIC)
    )
    students_per_copy = forms.IntegerField(
        label=_("Students per copy"), min_value=1, max_value=10000
    )
