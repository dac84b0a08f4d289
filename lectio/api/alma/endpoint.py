"""What every Alma-compatible URL does before its handler: the API key (header or
`apikey` parameter; never a browser session), the rate limit, the key's scope for the
URL's area, and Alma's error body for every refusal. Writes run in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from lectio.accounts.models import ApiKey, User
from lectio.accounts.services import api_key_authenticate
from lectio.api import ratelimit
from lectio.api.alma.errors import AlmaError, error_body
from lectio.api.alma.formats import check_format, error_response
from lectio.core.concurrency import StaleVersion
from lectio.core.statemachine import InvalidTransition
from lectio.lists.services import ServiceError

Handler = Callable[..., HttpResponse]


def key_from(request: HttpRequest) -> ApiKey | None:
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "apikey":
            return None
        return api_key_authenticate(secret.strip())
    secret = request.GET.get("apikey", "").strip()
    return api_key_authenticate(secret) if secret else None


def _caller(request: HttpRequest, area: str, write: bool) -> User:
    key = key_from(request)
    request.api_key = key  # type: ignore[attr-defined]
    wait = ratelimit.hit(ratelimit.bucket_for(request))
    if wait is not None:
        raise AlmaError(
            429,
            "HTTP requests are more than allowed per second.",
            headers={"Retry-After": str(int(wait))},
        )
    if key is None:
        raise AlmaError(401, "API-key not defined or not configured to allow this API.")
    if not key.allows(area, write):
        mode = "write" if write else "read"
        raise AlmaError(403, f"This API key lacks the scope {area}:{mode}.")
    user = key.user
    if not (user.is_library_staff or user.is_superuser):
        raise AlmaError(
            403,
            "The Alma-compatible API acts for the institution: its keys must belong "
            "to library staff.",
        )
    return user


def alma_view(area: str, **handlers: Handler) -> Callable[..., HttpResponse]:
    """One URL: `handlers` by HTTP method (GET reads, the others write)."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            check_format(request)
            method = "GET" if request.method == "HEAD" else (request.method or "GET")
            write = method != "GET"
            user = _caller(request, area, write)
            handler = handlers.get(method)
            if handler is None:
                raise AlmaError(
                    405,
                    f"{request.method} is not supported here.",
                    headers={"Allow": ", ".join(sorted(handlers))},
                )
            if not write:
                return handler(request, user, **kwargs)
            with transaction.atomic():
                return handler(request, user, **kwargs)
        except AlmaError as error:
            return refuse(request, error)
        except Http404 as exc:
            return refuse(request, AlmaError(404, str(exc) or "Not found."))
        except (InvalidTransition, ServiceError) as exc:
            return refuse(request, AlmaError(400, str(exc)))
        except StaleVersion as exc:
            return refuse(request, AlmaError(409, str(exc)))
        except PermissionDenied:
            return refuse(request, AlmaError(403, "Forbidden."))
        except IntegrityError:
            return refuse(
                request, AlmaError(409, "The change clashes with another record.")
            )

    return view


def refuse(request: HttpRequest, error: AlmaError) -> HttpResponse:
    response = error_response(request, error_body(error), error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
