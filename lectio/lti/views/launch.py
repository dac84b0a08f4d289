"""The endpoints an LMS talks to: OIDC login, launch, the tool's public keys."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lectio.core import usage
from lectio.courses.models import Course
from lectio.lti import claims as c
from lectio.lti import keys
from lectio.lti.arrival import launch_arrive
from lectio.lti.framing import SESSION_KEY, all_frame_origins, allow_framing
from lectio.lti.handoff import handoff_take
from lectio.lti.launch import (
    BROWSER_COOKIE,
    STATE_SECONDS,
    Launch,
    LaunchRefused,
    launch_validate,
    login_begin,
)
from lectio.lti.roster import roster_note
from lectio.lti.tasks import sync_roster


def refused(request: HttpRequest, error: LaunchRefused) -> HttpResponse:
    """The page a refused login or launch shows (inside the LMS's frame), after the
    reason is logged for the administrator."""
    error.log()
    response = render(
        request, "lti/refused.html", {"message": error.message}, status=400
    )
    return allow_framing(response, all_frame_origins())


# Platforms post the login and the launch from their own origin: there is no CSRF
# token to check. The state (bound to this browser) and the nonce stand in for it.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    try:
        start = login_begin(
            params,
            redirect_uri=request.build_absolute_uri(reverse("lti:launch")),
            browser_token=request.COOKIES.get(BROWSER_COOKIE),
        )
    except LaunchRefused as error:
        return refused(request, error)
    response = HttpResponseRedirect(start.redirect_url)
    # Sent back with the platform's cross-site POST to /lti/launch, from inside its
    # frame: only a SameSite=None, Secure cookie makes that trip.
    response.set_cookie(
        BROWSER_COOKIE,
        start.browser_token,
        max_age=STATE_SECONDS,
        secure=True,
        httponly=True,
        samesite="None",
        path=_cookie_path(),
    )
    return response


def _cookie_path() -> str:
    """Where the browser cookie goes: /lti/login (to reuse it, so launches begun in
    two tabs both succeed) and /lti/launch."""
    return reverse("lti:login").rsplit("/", 1)[0] + "/"


def _landing(request: HttpRequest, launch: Launch, course_id: int | None) -> str:
    if launch.message_type == c.DEEP_LINKING_REQUEST:
        return reverse("lti:deep_link")
    custom = launch.claims.get(c.CUSTOM)
    target = custom.get("lectio_target") if isinstance(custom, dict) else None
    if isinstance(target, str):
        kind, _sep, pk = target.partition(":")
        if kind in ("list", "section", "citation") and pk.isdigit():
            return reverse("lti:target", args=[kind, int(pk)])
    if course_id is not None:
        return reverse("lti:course", args=[course_id])
    return reverse("lti:no_course")


@csrf_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        validated = launch_validate(
            request.POST, browser_token=request.COOKIES.get(BROWSER_COOKIE)
        )
        arrival = launch_arrive(validated)
    except LaunchRefused as error:
        return refused(request, error)
    auth_login(
        request, arrival.user, backend="django.contrib.auth.backends.ModelBackend"
    )
    if arrival.course is not None:
        _roster_due(validated, arrival.course)
    usage.record(
        request,
        "lti_launch",
        course_id=arrival.course.pk if arrival.course else None,
        user=arrival.user,
        channel="lms",
    )
    context: dict[str, Any] = {
        "platform": validated.platform.pk,
        "deployment": validated.deployment.deployment_id,
        "course": arrival.course.pk if arrival.course else None,
        "course_value": arrival.course_value,
        "role": arrival.role,
        "at": int(time.time()),
    }
    if validated.message_type == c.DEEP_LINKING_REQUEST:
        context["deep_linking"] = validated.claims[c.DEEP_LINKING_SETTINGS]
    names_roles = validated.claims.get(c.NAMES_ROLES)
    if isinstance(names_roles, dict) and names_roles.get("context_memberships_url"):
        context["nrps"] = names_roles["context_memberships_url"]
    request.session[SESSION_KEY] = context
    response = HttpResponseRedirect(
        _landing(request, validated, context["course"]), status=303
    )
    return response


def _roster_due(launch: Launch, course: Course) -> None:
    """Queues a reading of the course's roster when the launch brought its
    memberships URL and the last reading is not recent."""
    context = launch.claims.get(c.CONTEXT)
    link = roster_note(
        platform=launch.platform,
        course=course,
        claim=launch.claims.get(c.NAMES_ROLES),
        context_id=str(context.get("id") or "") if isinstance(context, dict) else "",
    )
    if link is not None:
        link_id = link.pk
        transaction.on_commit(lambda: sync_roster.enqueue(link_id))


@never_cache
@require_safe
def open_in_lectio(request: HttpRequest, token: str) -> HttpResponse:
    """A link from the frame to the full site: signs its user in here, once."""
    taken = handoff_take(token)
    if taken is None:
        return render(request, "lti/handoff_expired.html", status=400)
    user, path = taken
    if not (request.user.is_authenticated and request.user.pk == user.pk):
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(path)


@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(keys.tool_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
