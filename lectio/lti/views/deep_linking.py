"""Deep Linking 2.0: an instructor picks a list, a section or a citation, and Lectio
posts a signed LtiDeepLinkingResponse back to the platform, which places a link to it
in the course."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors
from lectio.lists.models import Citation, Section
from lectio.lti import claims as c
from lectio.lti.framing import SESSION_KEY, embeddable, launch_context
from lectio.lti.keys import tool_sign
from lectio.lti.models import Platform

RESPONSE_SECONDS = 300


def _choice_item(request: AuthedHttpRequest, choice: str) -> dict[str, Any]:
    """The content item for "list:ID", "section:ID" or "citation:ID", after checking
    that the user may edit the list it belongs to."""
    kind, _sep, raw = choice.partition(":")
    if not raw.isdigit():
        raise Http404("No such item")
    pk = int(raw)
    if kind == "list":
        found, _right = selectors.reading_list_get_for_editor(
            user=request.user, list_id=pk
        )
        title = found.name
    elif kind == "section":
        section = selectors.section_get_for_editor(user=request.user, section_id=pk)
        title = f"{section.reading_list.name}: {section.name}"
    elif kind == "citation":
        citation = selectors.citation_get_for_editor(user=request.user, citation_id=pk)
        title = citation.title or _("Reading")
    else:
        raise Http404("No such item")
    return {
        "type": "ltiResourceLink",
        "title": title[:250],
        "url": request.build_absolute_uri(reverse("lti:launch")),
        "custom": {"lectio_target": f"{kind}:{pk}"},
    }


def _picker_lists(request: AuthedHttpRequest) -> list[dict[str, Any]]:
    lists = list(selectors.lists_for_author(user=request.user)[:100])
    ids = [rl.pk for rl in lists]
    sections: dict[int, list[Section]] = {}
    for section in Section.objects.filter(reading_list_id__in=ids).order_by(
        "position", "pk"
    ):
        sections.setdefault(section.reading_list_id, []).append(section)
    citations: dict[int, list[Citation]] = {}
    for citation in (
        Citation.objects.filter(reading_list_id__in=ids)
        .only("pk", "title", "section_id")
        .order_by("position", "pk")
    ):
        citations.setdefault(citation.section_id, []).append(citation)
    return [
        {
            "list": rl,
            "sections": [(s, citations.get(s.pk, [])) for s in sections.get(rl.pk, [])],
        }
        for rl in lists
    ]


@embeddable
@login_required
@require_http_methods(["GET", "POST"])
def deep_link(request: AuthedHttpRequest) -> HttpResponse:
    context = launch_context(request)
    settings_claim = context.get("deep_linking")
    if not isinstance(settings_claim, dict):
        raise Http404("No deep linking request")
    if not request.user.can_author_lists:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("choice"):
        item = _choice_item(request, request.POST["choice"])
        platform = Platform.objects.filter(
            pk=int(context.get("platform") or 0), active=True
        ).first()
        if platform is None:
            raise Http404("No platform")
        now = int(time.time())
        message: dict[str, Any] = {
            "iss": platform.client_id,
            "aud": platform.issuer,
            "iat": now,
            "exp": now + RESPONSE_SECONDS,
            "nonce": secrets.token_urlsafe(24),
            c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
            c.VERSION: "1.3.0",
            c.DEPLOYMENT_ID: context.get("deployment"),
            c.CONTENT_ITEMS: [item],
        }
        if settings_claim.get("data") is not None:
            message[c.DL_DATA] = settings_claim["data"]
        token = tool_sign(message)
        # One answer per request: a second pick needs a new deep linking launch.
        context.pop("deep_linking", None)
        request.session[SESSION_KEY] = context
        return render(
            request,
            "lti/deep_link_post.html",
            {
                "return_url": settings_claim["deep_link_return_url"],
                "jwt": token,
                "title": item["title"],
            },
        )
    return render(
        request,
        "lti/deep_link.html",
        {"lists": _picker_lists(request), "missing": request.method == "POST"},
        status=400 if request.method == "POST" else 200,
    )
