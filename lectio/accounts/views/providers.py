"""Administrators register the institution's identity provider (OpenID Connect)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lectio.accounts.forms import IdentityProviderForm
from lectio.accounts.models import IdentityProvider, User
from lectio.accounts.oidc import DiscoveryFailed, provider_discover
from lectio.accounts.services import (
    ProviderError,
    identity_provider_remove,
    identity_provider_save,
)
from lectio.core.requests import AuthedHttpRequest

ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def _require_admin(user: User) -> None:
    if not user.is_institution_admin:
        raise PermissionDenied


@login_required
@require_safe
def providers(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request.user)
    return render(
        request,
        "accounts/providers.html",
        {
            "providers": IdentityProvider.objects.all(),
            "redirect_uri": request.build_absolute_uri(reverse("oidc:callback")),
            "nav": "signin",
        },
    )


def _save(
    request: AuthedHttpRequest,
    form: IdentityProviderForm,
    provider: IdentityProvider | None,
) -> IdentityProvider | None:
    values: dict[str, Any] = form.cleaned_values()
    if not all(values.get(name) for name in ENDPOINTS):
        try:
            values.update(provider_discover(values["issuer"]))
        except DiscoveryFailed as error:
            form.add_error(
                None,
                _(
                    "Lectio could not read the issuer's discovery document "
                    "(%(reason)s). Enter the three endpoints."
                )
                % {"reason": error},
            )
            return None
    try:
        return identity_provider_save(actor=request.user, provider=provider, **values)
    except ProviderError as error:
        form.add_error(None, str(error))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def provider_add(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = IdentityProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = _save(request, form, None)
        if provider is not None:
            messages.success(
                request, _("%(name)s is registered.") % {"name": provider.name}
            )
            return redirect("oidc:provider", provider_id=provider.pk)
    return render(
        request,
        "accounts/provider_form.html",
        {"form": form, "provider": None, "nav": "signin"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthedHttpRequest, provider_id: int) -> HttpResponse:
    _require_admin(request.user)
    provider = get_object_or_404(IdentityProvider, pk=provider_id)
    form = IdentityProviderForm(request.POST or None, instance=provider, adding=False)
    if request.method == "POST" and form.is_valid():
        provider.refresh_from_db()  # the form wrote its values onto the instance
        if _save(request, form, provider) is not None:
            messages.success(request, _("Saved."))
            return redirect("oidc:provider", provider_id=provider.pk)
    return render(
        request,
        "accounts/provider_form.html",
        {"form": form, "provider": provider, "nav": "signin"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def provider_delete(request: AuthedHttpRequest, provider_id: int) -> HttpResponse:
    _require_admin(request.user)
    provider = get_object_or_404(IdentityProvider, pk=provider_id)
    identity_provider_remove(actor=request.user, provider=provider)
    messages.success(request, _("%(name)s is removed.") % {"name": provider.name})
    return redirect("oidc:providers")
