"""Who is calling: a browser session (CSRF-checked for writes) or an API key with
scopes (`Authorization: apikey KEY` or `Authorization: Bearer KEY`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, SessionAuth

from lectio.accounts.models import ApiKey, User
from lectio.accounts.services import api_key_authenticate


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


def caller(request: HttpRequest, area: str, *, write: bool = False) -> User:
    """The user the request acts as, after checking the key's scope for `area`."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiKey):
        if not auth.allows(area, write):
            mode = "write" if write else "read"
            raise HttpError(403, f"This API key lacks the scope {area}:{mode}.")
        return auth.user
    return auth
