"""LTI Dynamic Registration: the URL an administrator made, opened by the LMS."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lectio.lti.framing import allow_framing
from lectio.lti.registration import (
    RegistrationRefused,
    ToolUrls,
    invite_find,
    register,
)

log = logging.getLogger("lectio.lti")


def _origin(url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return [f"https://{parts.netloc}".lower()]
    return []


@never_cache
@require_safe
def dynamic_registration(request: HttpRequest, token: str) -> HttpResponse:
    """The LMS opens this (in a frame or a window) with `openid_configuration` and
    `registration_token`; the one-time token in the path is the administrator's
    say-so."""
    configuration = request.GET.get("openid_configuration", "").strip()
    invite = invite_find(token)
    if invite is None:
        return render(
            request,
            "lti/registration.html",
            {"error": _("This registration URL is unknown, used or expired.")},
            status=400,
        )
    if not configuration:
        return render(
            request,
            "lti/registration.html",
            {
                "error": _(
                    "Paste this URL into the LMS's registration of a new tool; "
                    "the LMS opens it with its configuration."
                )
            },
            status=400,
        )
    url = request.build_absolute_uri
    try:
        platform = register(
            invite=invite,
            openid_configuration=configuration,
            registration_token=request.GET.get("registration_token", ""),
            urls=ToolUrls(
                login=url(reverse("lti:login")),
                launch=url(reverse("lti:launch")),
                jwks=url(reverse("lti:jwks")),
            ),
        )
    except RegistrationRefused as error:
        log.warning("LTI dynamic registration refused: %s [%s]", error, configuration)
        response = render(
            request, "lti/registration.html", {"error": str(error)}, status=400
        )
        return allow_framing(response, _origin(configuration))
    log.info("LTI dynamic registration of %s", platform.issuer)
    response = render(request, "lti/registration.html", {"platform": platform})
    return allow_framing(response, platform.origins)
