"""Writes to LTI registrations: platforms and their deployments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from lectio.core.events import event_record
from lectio.lti.keys import forget_platform_keys
from lectio.lti.models import (
    AdministratorRole,
    CourseClaim,
    Deployment,
    Platform,
)


class RegistrationError(Exception):
    """A registration the tool refuses, with a message for the administrator."""


URL_FIELDS = ("issuer", "auth_login_url", "auth_token_url", "jwks_url")
PLATFORM_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "auth_login_url",
    "auth_token_url",
    "jwks_url",
    "active",
    "course_claim",
    "administrator_role",
    "link_by_email",
    "create_courses",
    "roster_sync",
    "roster_owners",
    "frame_origins",
)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(PLATFORM_FIELDS)
    if unknown:
        raise ValueError(f"not platform fields: {sorted(unknown)}")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    check = URLValidator(schemes=["https", "http"])
    for name in URL_FIELDS:
        if name in cleaned:
            try:
                check(cleaned[name])
            except ValidationError:
                raise RegistrationError(
                    _("%(field)s is not a URL.") % {"field": name}
                ) from None
    if "client_id" in cleaned and not cleaned["client_id"]:
        raise RegistrationError(_("A platform needs a client id."))
    if cleaned.get("course_claim", CourseClaim.CONTEXT_LABEL) not in CourseClaim.values:
        raise RegistrationError(_("Unknown course claim."))
    if (
        cleaned.get("administrator_role", AdministratorRole.INSTRUCTOR)
        not in AdministratorRole.values
    ):
        raise RegistrationError(_("Unknown role for administrators."))
    return cleaned


def _record(
    actor: Any, verb: str, platform: Platform, summary: str, **params: Any
) -> None:
    event_record(
        actor=actor,
        verb=verb,
        target_type="lti_platform",
        target_id=platform.pk,
        summary=summary,
        params=params,
    )


@transaction.atomic
def platform_create(
    *, actor: Any, deployment_ids: list[str] | tuple[str, ...] = (), **values: Any
) -> Platform:
    """Registers a platform (and its first deployments). (issuer, client id) must be
    new."""
    cleaned = _clean(values)
    cleaned.setdefault("name", cleaned.get("issuer", ""))
    if Platform.objects.filter(
        issuer=cleaned.get("issuer"), client_id=cleaned.get("client_id")
    ).exists():
        raise RegistrationError(_("This issuer and client id are registered already."))
    platform = Platform.objects.create(**cleaned)
    for deployment_id in deployment_ids:
        deployment_add(actor=actor, platform=platform, deployment_id=deployment_id)
    _record(
        actor,
        "lti.platform.create",
        platform,
        _("Registered the LTI platform %(name)s") % {"name": platform.name},
        issuer=platform.issuer,
        client_id=platform.client_id,
    )
    return platform


@transaction.atomic
def platform_update(*, actor: Any, platform: Platform, **values: Any) -> list[str]:
    """Changes a registration; returns the names of the fields that changed."""
    cleaned = _clean(values)
    changed = [k for k, v in cleaned.items() if getattr(platform, k) != v]
    if not changed:
        return []
    if (
        Platform.objects.filter(
            issuer=cleaned.get("issuer", platform.issuer),
            client_id=cleaned.get("client_id", platform.client_id),
        )
        .exclude(pk=platform.pk)
        .exists()
    ):
        raise RegistrationError(_("This issuer and client id are registered already."))
    for key in changed:
        setattr(platform, key, cleaned[key])
    platform.save()
    transaction.on_commit(lambda: forget_platform_keys(platform))
    _record(
        actor,
        "lti.platform.update",
        platform,
        _("Changed the LTI platform %(name)s: %(fields)s")
        % {"name": platform.name, "fields": ", ".join(changed)},
        changed=changed,
    )
    return changed


@transaction.atomic
def platform_remove(*, actor: Any, platform: Platform) -> None:
    _record(
        actor,
        "lti.platform.remove",
        platform,
        _("Removed the LTI platform %(name)s") % {"name": platform.name},
        issuer=platform.issuer,
        client_id=platform.client_id,
    )
    platform.delete()


@transaction.atomic
def deployment_add(*, actor: Any, platform: Platform, deployment_id: str) -> Deployment:
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise RegistrationError(_("A deployment needs an id."))
    deployment, created = Deployment.objects.get_or_create(
        platform=platform, deployment_id=deployment_id
    )
    if created:
        _record(
            actor,
            "lti.deployment.add",
            platform,
            _("Added deployment %(id)s to %(name)s")
            % {"id": deployment_id, "name": platform.name},
            deployment_id=deployment_id,
        )
    return deployment


@transaction.atomic
def deployment_remove(*, actor: Any, deployment: Deployment) -> None:
    platform = deployment.platform
    _record(
        actor,
        "lti.deployment.remove",
        platform,
        _("Removed deployment %(id)s from %(name)s")
        % {"id": deployment.deployment_id, "name": platform.name},
        deployment_id=deployment.deployment_id,
    )
    deployment.delete()
