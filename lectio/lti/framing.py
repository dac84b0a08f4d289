"""Who may frame Lectio's embedded views: the platform the user launched from (its
registered origins), through CSP frame-ancestors. Every other page keeps
X-Frame-Options: DENY."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lectio.core.usage import LMS_SESSION_KEY
from lectio.lti.models import Platform

SESSION_KEY = LMS_SESSION_KEY  # usage events read it to tell LMS visits apart


def launch_context(request: HttpRequest) -> dict[str, Any]:
    """What the launch that began this session said (platform, course...)."""
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return value if isinstance(value, dict) else {}


def frame_origins(request: HttpRequest) -> list[str]:
    platform_id = launch_context(request).get("platform")
    if platform_id is None:
        return []
    platform = Platform.objects.filter(pk=platform_id, active=True).first()
    return platform.origins if platform is not None else []


def all_frame_origins() -> list[str]:
    """Every active platform's origins: for pages shown before Lectio knows which
    platform a browser came from (a refused login or launch)."""
    found: list[str] = []
    for platform in Platform.objects.filter(active=True):
        found.extend(o for o in platform.origins if o not in found)
    return found


def allow_framing(response: HttpResponse, origins: list[str]) -> HttpResponse:
    if origins:
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        response["Content-Security-Policy"] = "frame-ancestors " + " ".join(origins)
    return response


def embeddable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Lets the launch's platform frame the view's answer; without a launch in the
    session the answer keeps X-Frame-Options: DENY.

    A request from inside a frame without a session (the browser did not keep
    Lectio's cookie in the LMS's frame) gets a page saying so, which the frame may
    show, instead of the login page, which it may not."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            not request.user.is_authenticated
            and request.headers.get("Sec-Fetch-Dest") == "iframe"
        ):
            lost = render(request, "lti/session_lost.html", status=401)
            return allow_framing(lost, all_frame_origins())
        response = view(request, *args, **kwargs)
        return allow_framing(response, frame_origins(request))

    return wrapped
