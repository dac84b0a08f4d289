"""Domain refusals as HTTP: 400 bad input, 403, 404, 409 conflicts, 413 too large."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from lectio.core.concurrency import StaleVersion
from lectio.core.statemachine import InvalidTransition
from lectio.lists.files import FileRefused
from lectio.lists.processing import AlreadyAssigned
from lectio.lists.services import ServiceError


class FieldError(Exception):
    """Input that passed the schema but names something that does not exist or
    cannot be used (an unknown department code, a course of someone else's):
    a 400 naming the field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


# Where ninja says a parameter came from; the field's own name follows.
SOURCES = ("body", "query", "path", "form", "file", "header", "cookie")


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in SOURCES and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A unique constraint won a race a check before it lost: nothing was saved.
        return api.create_response(
            request,
            {"detail": "This conflicts with data saved in the meantime; try again."},
            status=409,
        )

    @api.exception_handler(FieldError)
    def bad_field(request: HttpRequest, exc: FieldError) -> HttpResponse:
        return api.create_response(
            request,
            {
                "detail": str(exc),
                "errors": [{"field": exc.field, "message": exc.message}],
            },
            status=400,
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # Bad input is a 400 naming each field, as the rest of the API answers.
        errors = [
            {
                "field": _field_name(error.get("loc", ())),
                "message": error.get("msg", ""),
            }
            for error in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return api.create_response(
            request, {"detail": detail, "errors": errors}, status=400
        )

    @api.exception_handler(AlreadyAssigned)
    def already_assigned(request: HttpRequest, exc: AlreadyAssigned) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": str(exc), "assigned_to": exc.holder.username},
            status=409,
        )

    @api.exception_handler(InvalidTransition)
    def invalid_transition(
        request: HttpRequest, exc: InvalidTransition
    ) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": str(exc), "current": exc.current, "allowed": exc.allowed},
            status=409,
        )

    @api.exception_handler(StaleVersion)
    def stale(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        return api.create_response(
            request,
            {"detail": str(exc), "current_version": exc.current_version},
            status=409,
        )

    @api.exception_handler(ServiceError)
    def refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=400)

    @api.exception_handler(FileRefused)
    def file_refused(request: HttpRequest, exc: FileRefused) -> HttpResponse:
        # 413 over the institution's size limit, else 400; `code` says why.
        body = {"detail": str(exc), "code": exc.code}
        return api.create_response(request, body, status=exc.status)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": "Forbidden."}, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "Not found."}, status=404)
