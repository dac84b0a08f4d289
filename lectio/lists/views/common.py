"""Small pieces shared by the list views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from lectio.core.concurrency import StaleVersion
from lectio.core.statemachine import InvalidTransition
from lectio.lists.services import ServiceError

REFUSALS = (ServiceError, InvalidTransition)


def list_url(list_id: int, anchor: str = "") -> str:
    url = reverse("lists:detail", args=[list_id])
    return f"{url}#{anchor}" if anchor else url


def redirect_with_error(
    request: HttpRequest, url: str, error: Exception
) -> HttpResponse:
    messages.error(request, str(error))
    return HttpResponseRedirect(url)


def render_conflict(
    request: HttpRequest, template: str, context: dict[str, Any], error: StaleVersion
) -> HttpResponse:
    """The second of two concurrent saves: 409 with the current version, nothing saved."""
    context["conflict"] = str(error)
    response = render(request, template, context, status=409)
    response["X-Current-Version"] = str(error.current_version)
    return response
