"""Writes to users and institution policy."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.accounts.models import API_AREAS, ApiKey, InstitutionSettings, Role, User
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
