"""Who is calling: a browser session (CSRF-checked for writes) or an API key with
scopes (`Authorization: apikey KEY` or `Authorization: Bearer KEY`), and how often
(a token bucket per caller: over the limit, 429 with `Retry-After`)."""

from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, SessionAuth
from ninja.throttling import BaseThrottle

from lectio.accounts.models import ApiKey, User
from lectio.accounts.services import api_key_authenticate
from lectio.api import ratelimit


class KeyAuth(APIKeyHeader):
    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        scheme, _sep, secret = key.strip().partition(" ")
        if scheme.lower() not in ("apikey", "bearer"):
            return None
        api_key = api_key_authenticate(secret.strip())
        if api_key is None:
            return None
        request.api_key = api_key  # type: ignore[attr-defined]
        return api_key


AUTH = [KeyAuth(), SessionAuth()]


class CallerThrottle(BaseThrottle):
    """lectio.api.ratelimit for every operation, after authentication, so the bucket
    is the caller's key or session user. Ninja answers 429 with Retry-After from
    `wait()`; one instance serves every thread, so the wait is kept per thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = ratelimit.hit(ratelimit.bucket_for(request))
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


THROTTLE: list[BaseThrottle] = [CallerThrottle()]


def caller(request: HttpRequest, area: str, *, write: bool = False) -> User:
    """The user the request acts as, after checking the key's scope for `area`."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiKey):
        if not auth.allows(area, write):
            mode = "write" if write else "read"
            raise HttpError(403, f"This API key lacks the scope {area}:{mode}.")
        return auth.user
    return auth


def admin_caller(request: HttpRequest, area: str, *, write: bool = False) -> User:
    """`caller`, who must also be an institution administrator."""
    user = caller(request, area, write=write)
    if not user.is_institution_admin:
        raise HttpError(403, "Only administrators can do this.")
    return user


def library_caller(request: HttpRequest, area: str, *, write: bool = False) -> User:
    """`caller`, who must also be library staff (librarians and administrators)."""
    user = caller(request, area, write=write)
    if not (user.is_library_staff or user.is_superuser):
        raise HttpError(403, "Only library staff can do this.")
    return user
