"""Completing a reserves (or purchase) request by putting a copy on course reserve."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lectio.catalog.models import Item
from lectio.courses.models import Course
from lectio.lists import selectors as list_selectors
from lectio.lists.views.common import REFUSALS
from lectio.workflow import reserves, selectors
from lectio.workflow.models import ProcessingRequest


class PutOnReserveForm(forms.Form):
    item = forms.ChoiceField(
        label=gettext_lazy("Copy"), required=False, widget=forms.RadioSelect
    )
    barcode = forms.CharField(
        label=gettext_lazy("Or the copy's barcode"),
        required=False,
        max_length=64,
    )
    course = forms.ChoiceField(label=gettext_lazy("Course"))
    reserve_location = forms.CharField(
        label=gettext_lazy("Reserve location"),
        max_length=100,
        initial=reserves.DEFAULT_RESERVE_LOCATION,
    )
    reserve_loan_policy = forms.CharField(
        label=gettext_lazy("Loan policy"),
        max_length=100,
        initial=reserves.DEFAULT_RESERVE_LOAN_POLICY,
    )

    def __init__(
        self, *args: Any, items: list[Item], courses: list[Course], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if items:
            cast(forms.ChoiceField, self.fields["item"]).choices = [
                (
                    str(i.pk),
                    " · ".join(
                        part
                        for part in (
                            i.barcode,
                            i.get_status_display(),
                            i.location,
                            i.call_number,
                        )
                        if part
                    ),
                )
                for i in items
            ]
        else:
            del self.fields["item"]
            self.fields["barcode"].label = _("The copy's barcode")
        cast(forms.ChoiceField, self.fields["course"]).choices = [
            (str(c.pk), f"{c.code} {c.name}".strip()) for c in courses
        ]
        if len(courses) == 1:
            self.fields["course"].initial = str(courses[0].pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("item") and not (data.get("barcode") or "").strip():
            raise forms.ValidationError(
                _("Choose a copy or enter its barcode.")
                if "item" in self.fields
                else _(
                    "Link the citation to a catalog record first, or enter the "
                    "barcode of the copy."
                )
            )
        return data


@login_required
@require_http_methods(["GET", "POST"])
def request_reserve(request: Any, request_id: int) -> HttpResponse:
    selectors.require_library(request.user)
    req = get_object_or_404(
        ProcessingRequest.objects.select_related("citation", "reading_list"),
        pk=request_id,
    )
    citation = list_selectors.citation_get_for_editor(
        user=request.user, citation_id=req.citation_id
    )
    back = reverse("workflow:work", args=[req.reading_list_id]) + f"#c{citation.pk}"
    items = reserves.request_items(req)
    courses = reserves.request_courses(req)
    form = PutOnReserveForm(
        request.POST if request.method == "POST" else None,
        items=items,
        courses=courses,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {str(i.pk): i for i in items}
        course = next(c for c in courses if str(c.pk) == data["course"])
        try:
            reserve = reserves.request_put_on_reserve(
                actor=request.user,
                request=req,
                course=course,
                item=by_id.get(data.get("item") or ""),
                barcode=data["barcode"],
                reserve_location=data["reserve_location"],
                reserve_loan_policy=data["reserve_loan_policy"],
            )
        except REFUSALS as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Copy %(barcode)s is on reserve for %(course)s; request done.")
                % {"barcode": reserve.item.barcode, "course": course.code},
            )
            return redirect(back)
    return render(
        request,
        "workflow/request_reserve.html",
        {
            "form": form,
            "req": req,
            "citation": citation,
            "list": req.reading_list,
            "linked": citation.catalog_record_id is not None,
            "reservable": req.kind in reserves.RESERVE_KINDS and req.is_open,
            "back": back,
            "nav": "library",
        },
    )
