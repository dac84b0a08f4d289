"""Request types for views behind login_required: `request.user` is a User there."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from lectio.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def next_path(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the `next` the form or the link carried, if it is a
    path on this site, else `fallback` (never another site: no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=False
        )
    ):
        return target
    return fallback


class SignInRequired(Exception):
    """A guest asked for something that signing in might show them: the
    middleware (`lectio.core.middleware.SignInRequiredMiddleware`) answers with
    the login page, which sends them back here afterwards."""
