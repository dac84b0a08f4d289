"""Administrators register LMSs (platforms and deployments) and copy the tool's
configuration into each LMS."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lectio.core.requests import AuthedHttpRequest
from lectio.courses.views.data import require_admin
from lectio.lti import claims as c
from lectio.lti.forms import DeploymentForm, PlatformForm
from lectio.lti.keys import tool_jwks
from lectio.lti.models import Deployment, Platform, RosterLink, RosterStatus
from lectio.lti.registration import invite_create
from lectio.lti.services import (
    RegistrationError,
    deployment_add,
    deployment_remove,
    platform_create,
    platform_remove,
    platform_update,
)
from lectio.lti.tasks import sync_roster


def tool_configuration(request: AuthedHttpRequest) -> list[tuple[str, str]]:
    """What an LMS administrator pastes into the LMS."""
    url = request.build_absolute_uri
    return [
        (_("Login initiation URL (OIDC)"), url(reverse("lti:login"))),
        (_("Redirect URI and target link URI (launch)"), url(reverse("lti:launch"))),
        (_("Deep linking URL"), url(reverse("lti:launch"))),
        (_("Public key set URL (JWKS)"), url(reverse("lti:jwks"))),
        (_("Messages"), "LtiResourceLinkRequest, LtiDeepLinkingRequest"),
        (_("Claims wanted"), ", ".join(c.WANTED)),
        (_("Privacy"), _("Send the user's name, e-mail and SIS id")),
        (
            _("Services"),
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        ),
    ]


def _platforms_page(
    request: AuthedHttpRequest, registration_url: str = ""
) -> HttpResponse:
    keys = tool_jwks()["keys"]
    return render(
        request,
        "lti/admin.html",
        {
            "platforms": Platform.objects.prefetch_related("deployments"),
            "configuration": tool_configuration(request),
            "kids": [k["kid"] for k in keys],
            "registration_url": registration_url,
            "nav": "lti",
        },
    )


@login_required
@require_safe
def platforms(request: AuthedHttpRequest) -> HttpResponse:
    require_admin(request.user)
    return _platforms_page(request)


@login_required
@require_POST
def registration_invite(request: AuthedHttpRequest) -> HttpResponse:
    """A one-time URL for LTI Dynamic Registration, shown once."""
    require_admin(request.user)
    token = invite_create(actor=request.user)
    url = request.build_absolute_uri(reverse("lti:register", args=[token]))
    return _platforms_page(request, registration_url=url)


@login_required
@require_http_methods(["GET", "POST"])
def platform_add(request: AuthedHttpRequest) -> HttpResponse:
    require_admin(request.user)
    form = PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            platform = platform_create(
                actor=request.user,
                deployment_ids=form.cleaned_deployments(),
                **form.cleaned_values(),
            )
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(name)s is registered.") % {"name": platform.name}
            )
            return redirect("lti:platform", platform_id=platform.pk)
    return render(
        request,
        "lti/platform_form.html",
        {"form": form, "platform": None, "nav": "lti"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_edit(request: AuthedHttpRequest, platform_id: int) -> HttpResponse:
    require_admin(request.user)
    platform = get_object_or_404(Platform, pk=platform_id)
    form = PlatformForm(request.POST or None, instance=platform, adding=False)
    deployment_form = DeploymentForm()
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_values()
        platform.refresh_from_db()  # the form wrote its values onto the instance
        try:
            platform_update(actor=request.user, platform=platform, **values)
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("lti:platform", platform_id=platform.pk)
    return render(
        request,
        "lti/platform_form.html",
        {
            "form": form,
            "platform": platform,
            "deployments": platform.deployments.all(),
            "deployment_form": deployment_form,
            "rosters": _rosters(platform),
            "roster_count": RosterLink.objects.filter(platform=platform).count(),
            "nav": "lti",
        },
        status=400 if form.errors else 200,
    )


def _rosters(platform: Platform) -> list[RosterLink]:
    """The platform's course rosters for its page: failed first, at most 100."""
    failed = models.Case(models.When(status=RosterStatus.FAILED, then=0), default=1)
    return list(
        RosterLink.objects.filter(platform=platform)
        .select_related("course")
        .order_by(failed, "course__code", "course__section")[:100]
    )


@login_required
@require_POST
def roster_read(
    request: AuthedHttpRequest, platform_id: int, roster_pk: int
) -> HttpResponse:
    """Queues a reading of one course's roster."""
    require_admin(request.user)
    roster = get_object_or_404(RosterLink, pk=roster_pk, platform_id=platform_id)
    link_id = roster.pk
    transaction.on_commit(lambda: sync_roster.enqueue(link_id))
    messages.success(
        request,
        _("The roster of %(course)s will be read in a moment.")
        % {"course": roster.course.label},
    )
    return redirect("lti:platform", platform_id=platform_id)


@login_required
@require_POST
def deployment_create(request: AuthedHttpRequest, platform_id: int) -> HttpResponse:
    require_admin(request.user)
    platform = get_object_or_404(Platform, pk=platform_id)
    form = DeploymentForm(request.POST)
    if form.is_valid():
        deployment_add(
            actor=request.user,
            platform=platform,
            deployment_id=form.cleaned_data["deployment_id"],
        )
        messages.success(request, _("The deployment is added."))
    else:
        messages.error(request, _("A deployment needs an id."))
    return redirect("lti:platform", platform_id=platform.pk)


@login_required
@require_POST
def deployment_delete(
    request: AuthedHttpRequest, platform_id: int, deployment_pk: int
) -> HttpResponse:
    require_admin(request.user)
    deployment = get_object_or_404(
        Deployment, pk=deployment_pk, platform_id=platform_id
    )
    deployment_remove(actor=request.user, deployment=deployment)
    messages.success(request, _("The deployment is removed."))
    return redirect("lti:platform", platform_id=platform_id)


@login_required
@require_POST
def platform_delete(request: AuthedHttpRequest, platform_id: int) -> HttpResponse:
    require_admin(request.user)
    platform = get_object_or_404(Platform, pk=platform_id)
    platform_remove(actor=request.user, platform=platform)
    messages.success(request, _("%(name)s is removed.") % {"name": platform.name})
    return redirect("lti:platforms")
