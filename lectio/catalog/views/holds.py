"""Holds, the reader's side: placing a hold on a record, and the holds one has placed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lectio.catalog import holds
from lectio.catalog.models import (
    OPEN_HOLD_STATUSES,
    Hold,
    Item,
    PickupLocation,
    Record,
)
from lectio.core.concurrency import StaleVersion
from lectio.core.requests import AuthedHttpRequest
from lectio.core.statemachine import InvalidTransition

REFUSALS = (holds.HoldError, InvalidTransition, StaleVersion)
MY_HOLDS_LIMIT = 200


class HoldForm(forms.Form):
    pickup_location = forms.ModelChoiceField(
        label=gettext_lazy("Pickup location"),
        queryset=PickupLocation.objects.filter(active=True).order_by("name"),
        empty_label=None,
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the library"),
        required=False,
        max_length=holds.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: any edition will do."),
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


@login_required
@require_http_methods(["GET", "POST"])
def hold_place(request: AuthedHttpRequest, record_id: int) -> HttpResponse:
    record = get_object_or_404(Record, pk=record_id)
    open_hold = (
        Hold.objects.filter(
            record=record, requester=request.user, status__in=OPEN_HOLD_STATUSES
        )
        .select_related("pickup_location")
        .first()
    )
    has_items = Item.objects.filter(record=record).exists()
    form = HoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            holds.hold_place(
                actor=request.user,
                record=record,
                pickup_location=form.cleaned_data["pickup_location"],
                note=form.cleaned_data["note"],
            )
        except holds.HoldError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Hold placed. We will tell you when it is ready for pickup."),
            )
            return redirect("catalog:my_holds")
    try:
        record_url = reverse("catalog:record", args=[record.pk])
    except NoReverseMatch:  # the discovery pages are not mounted
        record_url = ""
    return render(
        request,
        "catalog/holds_place.html",
        {
            "record": record,
            "form": form,
            "open_hold": open_hold,
            "has_items": has_items,
            "record_url": record_url,
            "nav": "catalog",
        },
    )


@login_required
@require_GET
def my_holds(request: AuthedHttpRequest) -> HttpResponse:
    rows = list(
        Hold.objects.filter(requester=request.user)
        .select_related("record", "pickup_location", "item")
        .order_by("-created_at", "-id")[:MY_HOLDS_LIMIT]
    )
    open_rows = [h for h in rows if h.status in OPEN_HOLD_STATUSES]
    closed_rows = [h for h in rows if h.status not in OPEN_HOLD_STATUSES]
    return render(
        request,
        "catalog/holds_mine.html",
        {"open_holds": open_rows, "closed_holds": closed_rows, "nav": "holds"},
    )


@login_required
@require_POST
def hold_cancel(request: AuthedHttpRequest, hold_id: int) -> HttpResponse:
    # Somebody else's hold is not found, whoever asks.
    hold = get_object_or_404(Hold, pk=hold_id, requester=request.user)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("catalog:my_holds")
    try:
        holds.hold_cancel(
            actor=request.user,
            hold=hold,
            expected_version=form.cleaned_data["version"],
        )
    except REFUSALS as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Hold cancelled."))
    return redirect("catalog:my_holds")
