"""Rollover pages: a whole term (library staff), with a dry run first and then a
background job; one list to a new course (whoever manages the list)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lectio.accounts.models import InstitutionSettings
from lectio.core.jobs import job_create
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.models import Course, Term
from lectio.lists import rollover, selectors
from lectio.lists.models import ListRollover, ReadingList
from lectio.lists.permissions import TEACHING_ROLES, is_staff
from lectio.lists.rollover import course_by_label
from lectio.lists.services import ServiceError

# Rows of a dry run shown on the page; the counts cover them all.
PLAN_SHOWN = 1000


class TermRolloverForm(forms.Form):
    from_term = forms.ModelChoiceField(
        queryset=Term.objects.all(), label=gettext_lazy("From term")
    )
    to_term = forms.ModelChoiceField(
        queryset=Term.objects.all(), label=gettext_lazy("To term")
    )
    newest_only = forms.BooleanField(
        required=False,
        label=gettext_lazy("Only the newest list of each course"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_term") and data.get("from_term") == data.get("to_term"):
            self.add_error(
                "to_term", _("Choose a term other than the one rolled from.")
            )
        return data


def _require_library_staff(request: AuthedHttpRequest) -> None:
    # Librarians run the term's rollover for every course, as they process every
    # list; administrators may too. Instructors roll their own lists, one by one.
    if not is_staff(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def term_rollover(request: AuthedHttpRequest) -> HttpResponse:
    """GET with terms chosen: the dry run (nothing written). POST: the rollover
    itself, as a background job; the job's page shows its progress."""
    _require_library_staff(request)
    data = request.POST if request.method == "POST" else request.GET
    form = TermRolloverForm(data if "from_term" in data else None)
    report = None
    if form.is_bound and form.is_valid():
        from_term, to_term = (
            form.cleaned_data["from_term"],
            form.cleaned_data["to_term"],
        )
        newest_only = form.cleaned_data["newest_only"]
        if request.method == "POST":
            job = job_create(
                kind="rollover",
                actor=request.user,
                options={
                    "from_term": from_term.pk,
                    "to_term": to_term.pk,
                    "newest_only": newest_only,
                    "dry_run": False,
                },
            )
            return redirect("courses:job", pk=job.pk)
        report = rollover.rollover_terms(
            from_term, to_term, newest_only=newest_only, dry_run=True
        )
    return render(
        request,
        "lists/rollover_term.html",
        {
            "form": form,
            "report": report,
            "items": report.items[:PLAN_SHOWN] if report else [],
            "more": max(0, len(report.items) - PLAN_SHOWN) if report else 0,
            "policy": InstitutionSettings.current(),
            "nav": "rollover",
        },
    )


class ListRolloverForm(forms.Form):
    """The course a list goes to: for instructors, one of the courses they teach; for
    library staff, any course by its code (CODE or CODE-SECTION)."""

    def __init__(
        self, *args: Any, user: Any, reading_list: ReadingList, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reading_list = reading_list
        self.staff = is_staff(user)
        current = reading_list.courses.values("pk")
        if self.staff:
            self.fields["course"] = forms.CharField(
                label=_("Course"),
                max_length=201,
                help_text=_("Its code, or code and section as CODE-SECTION."),
            )
        else:
            self.fields["course"] = forms.ModelChoiceField(
                label=_("Course"),
                queryset=Course.objects.filter(
                    enrolments__user=user, enrolments__role__in=TEACHING_ROLES
                )
                .exclude(pk__in=current)
                .distinct()
                .order_by("code", "section"),
                empty_label=_("Choose a course you teach"),
                help_text=_("Only the courses you teach are offered."),
            )
        self.fields["confirm"] = forms.BooleanField(
            required=False, widget=forms.HiddenInput
        )

    def clean_course(self) -> Course:
        value = self.cleaned_data["course"]
        found = value if isinstance(value, Course) else course_by_label(str(value))
        if found is None:
            raise forms.ValidationError(
                _("There is no course %(code)s.") % {"code": value}
            )
        course = found
        if self.reading_list.courses.filter(pk=course.pk).exists():
            raise forms.ValidationError(
                _("The list already serves %(course)s.") % {"course": course.label}
            )
        done = (
            ListRollover.objects.filter(source=self.reading_list, course=course)
            .select_related("target")
            .first()
        )
        if done is not None:
            raise forms.ValidationError(
                _("This list was rolled over to %(course)s already: %(code)s.")
                % {"course": course.label, "code": done.target.code}
            )
        return course


@login_required
@require_http_methods(["GET", "POST"])
def list_rollover(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    """Choose a course, see what the copy will hold, confirm; lands on the copy."""
    reading_list, _right = selectors.reading_list_get_for_manager(
        user=request.user, list_id=list_id
    )
    form = ListRolloverForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        reading_list=reading_list,
    )
    summary = None
    if request.method == "POST" and form.is_valid():
        course = form.cleaned_data["course"]
        if form.cleaned_data["confirm"]:
            try:
                copy = rollover.rollover_list(reading_list, course, actor=request.user)
            except ServiceError as error:
                form.add_error("course", str(error))
            else:
                messages.success(
                    request,
                    _("This is the list rolled over to %(course)s.")
                    % {"course": course.label},
                )
                return redirect("lists:detail", list_id=copy.pk)
        else:
            counts = ReadingList.objects.filter(pk=reading_list.pk).aggregate(
                sections=Count("sections", distinct=True),
                citations=Count("citations", distinct=True),
            )
            summary = {"course": course, **counts}
            form = ListRolloverForm(
                initial={
                    "course": course.pk if not form.staff else course.label,
                    "confirm": True,
                },
                user=request.user,
                reading_list=reading_list,
            )
    return render(
        request,
        "lists/rollover_list.html",
        {
            "form": form,
            "list": reading_list,
            "summary": summary,
            "policy": InstitutionSettings.current(),
            "teaches_none": not form.staff
            and not form.fields["course"].queryset.exists(),  # type: ignore[attr-defined]
            "nav": "mine",
        },
    )
