"""API keys for the institution's scripts: list, create (the key is shown once),
revoke at once. Administrators only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lectio.accounts import services as accounts
from lectio.accounts.models import ApiKey
from lectio.core.requests import AuthedHttpRequest
from lectio.courses.forms import AREA_LABELS, ApiKeyForm
from lectio.courses.views.data import require_admin


def _keys() -> list[ApiKey]:
    keys = list(ApiKey.objects.select_related("user").order_by("revoked_at", "name"))
    for key in keys:
        key.scope_labels = [  # type: ignore[attr-defined]
            (
                str(AREA_LABELS.get(area, area)),
                _("read and write") if mode == "write" else _("read"),
            )
            for area, _sep, mode in (s.partition(":") for s in key.scopes)
        ]
    return keys


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: AuthedHttpRequest) -> HttpResponse:
    require_admin(request.user)
    form = ApiKeyForm(request.POST or None)
    secret = ""
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = accounts.api_key_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                user=request.user,
            )
        except ValueError as error:
            form.add_error("name", str(error))
        else:
            form = ApiKeyForm()
    response = render(
        request,
        "courses/api_keys.html",
        {
            "form": form,
            "keys": _keys(),
            "created": created,
            "secret": secret,
            "nav": "institution_data",
        },
    )
    # The new key is in this page only: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_key_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    key = get_object_or_404(ApiKey, pk=pk)
    was_live = key.revoked_at is None
    accounts.api_key_revoke(actor=request.user, name=key.name)
    if was_live:
        messages.success(
            request,
            _("The key %(name)s is revoked: scripts using it are refused from now on.")
            % {"name": key.name},
        )
    else:
        messages.info(
            request, _("The key %(name)s was revoked already.") % {"name": key.name}
        )
    return redirect("courses:api_keys")
