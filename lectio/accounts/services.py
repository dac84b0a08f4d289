"""Writes to users and institution policy."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.accounts.models import (
    API_AREAS,
    ApiKey,
    ExternalIdentity,
    IdentityProvider,
    InstitutionSettings,
    Role,
    TokenAuth,
    User,
)
from lectio.core.concurrency import update_if_version
from lectio.core.events import event_record

# Settings edited by name through `policy`: how loaders treat files, what rollover
# copies.
POLICY_FIELDS = (
    "loader_date_format",
    "loader_unknown_users",
    "loader_unknown_codes",
    "rollover_recalculate_statuses",
    "rollover_copy_public_notes",
    "rollover_copy_library_tags",
    "rollover_copy_collaborators",
    "rollover_copy_syllabus",
    "remote_lookups",
    "analytics_min_group",
    "max_upload_mb",
)


@transaction.atomic
def institution_settings_update(
    *,
    actor: User,
    settings_row: InstitutionSettings,
    expected_version: int,
    name: str,
    citation_style: str,
    students_see_only_complete: bool,
    send_updates_automatically: bool | None = None,
    publishing_workflow: str | None = None,
    policy: dict[str, object] | None = None,
) -> list[str]:
    """Saves institution policy; returns the names of the fields that changed.
    `policy` carries the loader and rollover settings (POLICY_FIELDS) by name."""
    new = {
        "name": name.strip(),
        "citation_style": citation_style,
        "students_see_only_complete": students_see_only_complete,
    }
    if send_updates_automatically is not None:
        new["send_updates_automatically"] = send_updates_automatically
    if publishing_workflow is not None:
        new["publishing_workflow"] = publishing_workflow
    for key, value in (policy or {}).items():
        if key not in POLICY_FIELDS:
            raise ValueError(f"not an institution policy field: {key}")
        new[key] = value
    changed = [key for key, value in new.items() if getattr(settings_row, key) != value]
    update_if_version(settings_row, expected_version=expected_version, fields=new)
    transaction.on_commit(InstitutionSettings.forget_cached)
    event_record(
        actor=actor,
        verb="institution.settings",
        target_type="institution",
        target_id=settings_row.pk,
        summary=_("Changed institution settings: %(fields)s")
        % {"fields": ", ".join(changed)},
        params={"changed": changed},
    )
    return changed


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(
    *, actor: User | None, name: str, scopes: list[str], user: User
) -> tuple[ApiKey, str]:
    """Makes a key; returns it with the secret, which is not stored anywhere."""
    name = name.strip()
    if not name:
        raise ValueError(_("An API key needs a name."))
    for scope in scopes:
        area, _sep, mode = scope.partition(":")
        if area not in API_AREAS or mode not in ("read", "write"):
            raise ValueError(
                _(
                    "Unknown scope %(scope)s; use AREA:read or AREA:write with AREA one of %(areas)s."
                )
                % {"scope": scope, "areas": ", ".join(API_AREAS)}
            )
    if ApiKey.objects.filter(name=name).exists():
        raise ValueError(
            _("An API key named %(name)s exists already.") % {"name": name}
        )
    secret = "lk_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=secret[:10],
            key_hash=_hash_key(secret),
            scopes=sorted(set(scopes)),
            user=user,
        )
        event_record(
            actor=actor,
            verb="apikey.create",
            target_type="apikey",
            target_id=key.pk,
            summary=f"API key {name}: {', '.join(key.scopes)}",
        )
    return key, secret


def api_key_revoke(*, actor: User | None, name: str) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(name=name).first()
        if key is None:
            raise ValueError(_("No API key named %(name)s.") % {"name": name})
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            event_record(
                actor=actor,
                verb="apikey.revoke",
                target_type="apikey",
                target_id=key.pk,
                summary=f"API key {name} revoked",
            )
    return key


LAST_USED_EVERY = datetime.timedelta(minutes=1)


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The live key for `secret`, or None. Revocation takes effect at once."""
    if not secret or len(secret) > 200:
        return None
    key = (
        ApiKey.objects.select_related("user")
        .filter(key_hash=_hash_key(secret), revoked_at__isnull=True)
        .first()
    )
    if key is None or not key.user.is_active:
        return None
    # "Last used" to the minute: a write on every request would serialise reads
    # behind SQLite's one writer and cost PostgreSQL a commit each.
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# --- people who come in through another system (an LMS, the identity provider) ----


def names_changes(
    user: User, names: dict[str, str], *, role: str = ""
) -> dict[str, str]:
    """The fields of `user` that `names` (first_name, last_name, email,
    preferred_name) and `role` would change. A role is only ever raised here: an
    outside system saying someone teaches makes a student an instructor, never the
    other way."""
    changes = {k: v for k, v in names.items() if v and getattr(user, k) != v}
    if role == Role.INSTRUCTOR and user.role == Role.STUDENT:
        changes["role"] = Role.INSTRUCTOR
    return changes


def user_update_external(user: User, *, names: dict[str, str], role: str = "") -> bool:
    """Brings the names, e-mail and role of `user` in step with what an outside
    system said (see `names_changes`); True if anything changed."""
    changes = names_changes(user, names, role=role)
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for key, value in changes.items():
            setattr(user, key, value)
    return bool(changes)


def user_create_external(
    *, username: str, role: str, names: dict[str, str], primary_id: str = ""
) -> User:
    """An account for a person an outside system vouches for: no password (they
    sign in through that system), the primary id only if no one else has it."""
    user = User(
        username=username,
        role=Role.INSTRUCTOR if role == Role.INSTRUCTOR else Role.STUDENT,
        primary_id=primary_id
        if primary_id and not User.objects.filter(primary_id=primary_id).exists()
        else None,
        **{k: v for k, v in names.items() if v},
    )
    user.set_unusable_password()
    user.save()
    return user


# --- OpenID Connect identity providers ---------------------------------------------

PROVIDER_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "client_secret",
    "token_auth",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "scopes",
    "primary_id_claim",
    "link_by_email",
    "create_accounts",
    "active",
)
PROVIDER_URLS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderError(Exception):
    """A registration Lectio refuses, with a message for the administrator."""


def _provider_clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValueError(f"not identity provider fields: {sorted(unknown)}")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    check = URLValidator(schemes=["https"])
    for name in PROVIDER_URLS:
        if name in cleaned:
            try:
                check(cleaned[name])
            except ValidationError:
                raise ProviderError(
                    _("%(field)s must be an https URL.") % {"field": name}
                ) from None
    if "client_id" in cleaned and not cleaned["client_id"]:
        raise ProviderError(_("An identity provider needs a client id."))
    if "scopes" in cleaned and "openid" not in cleaned["scopes"].split():
        raise ProviderError(_("The scopes must include openid."))
    if cleaned.get("token_auth", TokenAuth.BASIC) not in TokenAuth.values:
        raise ProviderError(_("Unknown token endpoint authentication."))
    return cleaned


@transaction.atomic
def identity_provider_save(
    *, actor: User | None, provider: IdentityProvider | None = None, **values: Any
) -> IdentityProvider:
    """Registers an identity provider, or changes one. A blank client secret on a
    change keeps the secret it had (forms never show it again)."""
    cleaned = _provider_clean(values)
    if provider is not None and not cleaned.get("client_secret"):
        cleaned.pop("client_secret", None)
    issuer = cleaned.get("issuer", provider.issuer if provider else "")
    client_id = cleaned.get("client_id", provider.client_id if provider else "")
    clash = IdentityProvider.objects.filter(issuer=issuer, client_id=client_id)
    if provider is not None:
        clash = clash.exclude(pk=provider.pk)
    if clash.exists():
        raise ProviderError(_("That issuer and client id are registered already."))
    created = provider is None
    if provider is None:
        provider = IdentityProvider.objects.create(**cleaned)
    else:
        for key, value in cleaned.items():
            setattr(provider, key, value)
        provider.save()
    event_record(
        actor=actor,
        verb="identity_provider.create" if created else "identity_provider.change",
        target_type="identity_provider",
        target_id=provider.pk,
        summary=(_("Registered %(name)s") if created else _("Changed %(name)s"))
        % {"name": provider.name},
        params={
            "issuer": provider.issuer,
            "fields": sorted(k for k in cleaned if k != "client_secret"),
        },
    )
    return provider


@transaction.atomic
def identity_provider_remove(*, actor: User | None, provider: IdentityProvider) -> None:
    """Removes the provider and its links to accounts; the accounts stay."""
    pk, name = provider.pk, provider.name
    provider.delete()
    event_record(
        actor=actor,
        verb="identity_provider.remove",
        target_type="identity_provider",
        target_id=pk,
        summary=_("Removed %(name)s") % {"name": name},
    )


def _claim_text(claims: dict[str, Any], name: str, limit: int = 150) -> str:
    value = claims.get(name) if name else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value.strip()[:limit] if isinstance(value, str) else ""


def names_from_claims(claims: dict[str, Any]) -> dict[str, str]:
    """The account fields the OpenID Connect name claims give (given_name,
    family_name, name, email), as LTI launches, LMS rosters and sign-ins send
    them; "name" only when there is no given or family name."""
    names = {
        "first_name": _claim_text(claims, "given_name"),
        "last_name": _claim_text(claims, "family_name"),
        "email": _claim_text(claims, "email", 254),
    }
    full = _claim_text(claims, "name")
    if full and not (names["first_name"] or names["last_name"]):
        names["preferred_name"] = full
    return {k: v for k, v in names.items() if v}


USERNAME_OK = re.compile(r"^[\w.@+-]{1,150}$")


def _new_username(provider: IdentityProvider, claims: dict[str, Any]) -> str:
    wanted = _claim_text(claims, "preferred_username")
    if (
        USERNAME_OK.match(wanted)
        and not User.objects.filter(username__iexact=wanted).exists()
    ):
        return wanted
    digest = hashlib.sha256(claims["sub"].encode()).hexdigest()[:20]
    return f"oidc-{provider.pk}-{digest}"


def external_identity_account(
    *, provider: IdentityProvider, claims: dict[str, Any]
) -> User:
    """The account of the person a validated id_token names: linked by (provider,
    sub); on a first sign-in found by the primary id claim, then (if the provider
    allows it) by a verified e-mail address, else made when the provider allows it.
    Names and e-mail follow the provider; a role never comes from it. Raises
    SignInRefused when there is no account to sign in to."""
    from lectio.accounts.oidc import SignInRefused

    sub = claims["sub"].strip()[:255]
    with transaction.atomic():
        link = (
            ExternalIdentity.objects.select_related("user")
            .filter(provider=provider, sub=sub)
            .first()
        )
        if link is None:
            try:
                with transaction.atomic():
                    link = _identity_link(provider, claims, sub)
            except IntegrityError:
                # The same person's first sign-in, twice at once: the other won.
                link = ExternalIdentity.objects.select_related("user").get(
                    provider=provider, sub=sub
                )
        user = link.user
        if not user.is_active:
            raise SignInRefused(
                "disabled", f"account {user.pk} is disabled", issuer=provider.issuer
            )
        user_update_external(user, names=names_from_claims(claims))
        if user.pending:
            User.objects.filter(pk=user.pk).update(pending=False)
            user.pending = False
        ExternalIdentity.objects.filter(pk=link.pk).update(last_login_at=timezone.now())
    return user


def _identity_link(
    provider: IdentityProvider, claims: dict[str, Any], sub: str
) -> ExternalIdentity:
    from lectio.accounts.oidc import SignInRefused

    user = _identity_find(provider, claims)
    if user is None:
        if not provider.create_accounts:
            raise SignInRefused(
                "no_account", f"no account for sub {sub!r}", issuer=provider.issuer
            )
        user = user_create_external(
            username=_new_username(provider, claims),
            role=Role.STUDENT,
            names=names_from_claims(claims),
            primary_id=_claim_text(claims, provider.primary_id_claim, 100),
        )
    link = ExternalIdentity.objects.create(provider=provider, sub=sub, user=user)
    event_record(
        actor=user,
        verb="identity.link",
        target_type="user",
        target_id=user.pk,
        summary=_("Signed in through %(name)s for the first time")
        % {"name": provider.name},
        params={"provider": provider.pk},
    )
    return link


def _identity_find(provider: IdentityProvider, claims: dict[str, Any]) -> User | None:
    primary = _claim_text(claims, provider.primary_id_claim, 100)
    if primary:
        user = User.objects.filter(primary_id=primary).first()
        if user is not None:
            return user
    email = _claim_text(claims, "email", 254)
    if provider.link_by_email and email and claims.get("email_verified") is True:
        same = list(User.objects.filter(email__iexact=email)[:2])
        if len(same) == 1:
            return same[0]
    return None
