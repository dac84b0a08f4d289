"""Signing in through the institution's identity provider (OpenID Connect)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lectio.accounts.models import IdentityProvider
from lectio.accounts.oidc import SignInRefused, signin_begin, signin_complete


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("oidc:callback"))


@never_cache
@require_safe
def begin(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = get_object_or_404(IdentityProvider, pk=provider_id, active=True)
    url = signin_begin(
        request.session,
        provider,
        redirect_uri=_redirect_uri(request),
        next_url=_safe_next(request, request.GET.get("next", "")),
    )
    return HttpResponseRedirect(url)


@never_cache
@require_safe
def callback(request: HttpRequest) -> HttpResponse:
    try:
        user, next_url = signin_complete(
            request.session, request.GET, redirect_uri=_redirect_uri(request)
        )
    except SignInRefused as error:
        error.log()
        return render(
            request,
            "accounts/signin_refused.html",
            {"message": error.message},
            status=400,
        )
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(_safe_next(request, next_url))
