"""Holds and course reserves, the library's side: the hold queue and its actions, the
reserves on the shelf and ending one by hand."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lectio.catalog import holds, reserves
from lectio.catalog.models import (
    OPEN_HOLD_STATUSES,
    CourseReserve,
    Hold,
    HoldStatus,
    Item,
    PickupLocation,
)
from lectio.catalog.views.holds import REFUSALS
from lectio.core.requests import AuthedHttpRequest

PAGE_SIZE = 25


def require_library(user: Any) -> None:
    if not (user.is_authenticated and user.is_library_staff):
        raise PermissionDenied


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("open", gettext_lazy("Open")),
            *HoldStatus.choices,
            ("all", gettext_lazy("All")),
        ],
    )
    pickup = forms.ModelChoiceField(
        label=gettext_lazy("Pickup location"),
        required=False,
        queryset=PickupLocation.objects.order_by("name"),
        empty_label=gettext_lazy("Any"),
    )


class HoldActionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    status = forms.ChoiceField(choices=[(t, t) for t in holds.LIBRARY_TARGETS])
    item = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(required=False, max_length=2000)


@login_required
@require_GET
def hold_queue(request: AuthedHttpRequest) -> HttpResponse:
    """Holds by age, oldest first, filtered by status and pickup location."""
    require_library(request.user)
    form = QueueFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    status = data.get("status") or "open"
    pickup = data.get("pickup")
    queryset = Hold.objects.all()
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_HOLD_STATUSES)
    elif status != "all":
        queryset = queryset.filter(status=status)
    if pickup is not None:
        queryset = queryset.filter(pickup_location=pickup)
    queryset = queryset.select_related(
        "record", "requester", "pickup_location", "item", "handled_by"
    ).order_by("created_at", "id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page_holds = list(page.object_list)
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(
        record_id__in={h.record_id for h in page_holds}
    ).order_by("barcode"):
        items[item.record_id].append(item)
    query = urlencode(
        {
            key: value
            for key, value in (
                ("status", status),
                ("pickup", pickup.pk if pickup else ""),
            )
            if value
        }
    )
    return render(
        request,
        "catalog/library_holds.html",
        {
            "form": form,
            "page": page,
            "rows": [
                (h, holds.library_targets(h.status), items.get(h.record_id, []))
                for h in page_holds
            ],
            "page_query": query,
            "nav": "library",
        },
    )


@login_required
@require_POST
def hold_status(request: AuthedHttpRequest, hold_id: int) -> HttpResponse:
    require_library(request.user)
    hold = get_object_or_404(Hold, pk=hold_id)
    back = _back(request, reverse("catalog:hold_queue"))
    form = HoldActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the hold."))
        return redirect(back)
    item = None
    if form.cleaned_data["item"]:
        item = Item.objects.filter(pk=form.cleaned_data["item"]).first()
        if item is None:
            messages.error(request, _("That copy no longer exists."))
            return redirect(back)
    try:
        holds.hold_set_status(
            actor=request.user,
            hold=hold,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
            item=item,
            reason=form.cleaned_data["reason"],
        )
    except REFUSALS as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Hold on “%(title)s”: %(status)s.")
            % {
                "title": hold.record.title[:80],
                "status": HoldStatus(hold.status).label,
            },
        )
    return redirect(back)


class EndReserveForm(forms.Form):
    reason = forms.CharField(max_length=500)


@login_required
@require_GET
def reserve_list(request: AuthedHttpRequest) -> HttpResponse:
    """The copies on course reserve now (or the ended reserves), newest first."""
    require_library(request.user)
    show = "ended" if request.GET.get("show") == "ended" else "active"
    queryset = (
        CourseReserve.objects.filter(active=show == "active")
        .select_related("item__record", "course", "placed_by")
        .order_by("-placed_at", "-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/library_reserves.html",
        {
            "page": page,
            "show": show,
            "page_query": f"show={show}",
            "nav": "library",
        },
    )


@login_required
@require_POST
def reserve_end(request: AuthedHttpRequest, reserve_id: int) -> HttpResponse:
    require_library(request.user)
    reserve = get_object_or_404(CourseReserve, pk=reserve_id)
    back = _back(request, reverse("catalog:library_reserves"))
    form = EndReserveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the reserve ends."))
        return redirect(back)
    try:
        reserves.reserve_end(
            actor=request.user, reserve=reserve, reason=form.cleaned_data["reason"]
        )
    except reserves.ReserveError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Reserve ended."))
    return redirect(back)


class PickupLocationForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=50)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)


@login_required
@require_http_methods(["GET", "POST"])
def pickup_locations(request: AuthedHttpRequest) -> HttpResponse:
    """Where readers collect held copies: the list, and a form to add one."""
    require_library(request.user)
    form = PickupLocationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            location = holds.pickup_location_add(
                actor=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except holds.HoldError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Pickup location %(name)s added.") % {"name": location.name}
            )
            return redirect("catalog:pickup_locations")
    return render(
        request,
        "catalog/library_pickup_locations.html",
        {
            "form": form,
            "locations": list(
                PickupLocation.objects.annotate(
                    open_holds=Count(
                        "holds", filter=Q(holds__status__in=OPEN_HOLD_STATUSES)
                    )
                ).order_by("name")
            ),
            "nav": "library",
        },
    )


@login_required
@require_POST
def pickup_location_active(
    request: AuthedHttpRequest, location_id: int
) -> HttpResponse:
    require_library(request.user)
    location = get_object_or_404(PickupLocation, pk=location_id)
    active = request.POST.get("active") == "1"
    holds.pickup_location_set_active(
        actor=request.user, location=location, active=active
    )
    messages.success(
        request,
        (
            _("%(name)s is open for holds.")
            if active
            else _("%(name)s is closed for new holds.")
        )
        % {"name": location.name},
    )
    return redirect("catalog:pickup_locations")
