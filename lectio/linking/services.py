"""Writes of the linking app: the institution's resolver settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lectio.core.concurrency import update_if_version
from lectio.core.events import event_record
from lectio.linking.models import LinkingSettings, OptionKind

SETTINGS_FIELDS = (
    "proxy_prefix",
    "proxy_scope",
    "proxy_skip_hosts",
    "one_click",
    "external_resolver_url",
    "preference",
)


class SettingsError(ValueError):
    pass


def linking_settings_update(
    *,
    actor: Any,
    settings_row: LinkingSettings,
    expected_version: int,
    values: dict[str, Any],
) -> list[str]:
    """Saves the resolver settings; returns the names of the fields that changed.
    Preconditions: the actor is an administrator (the view checks); `values` holds
    only SETTINGS_FIELDS, the proxy prefix is empty or an https URL, and the
    preference names each option kind once. Raises StaleVersion when someone saved
    in between."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise SettingsError(f"not a linking setting: {sorted(unknown)}")
    prefix = str(values.get("proxy_prefix", settings_row.proxy_prefix) or "")
    if prefix and not prefix.lower().startswith("https://"):
        raise SettingsError(_("The proxy prefix must be an https address."))
    preference = list(values.get("preference", settings_row.preference_order))
    if sorted(preference) != sorted(OptionKind.values):
        raise SettingsError(_("Name each kind of option once."))
    values = {**values, "preference": [str(k) for k in preference]}
    with transaction.atomic():
        changed = [k for k, v in values.items() if getattr(settings_row, k) != v]
        update_if_version(
            settings_row, expected_version=expected_version, fields=values
        )
        transaction.on_commit(LinkingSettings.forget_cached)
        event_record(
            actor=actor,
            verb="linking.settings",
            target_type="linking_settings",
            target_id=settings_row.pk,
            summary=_("Changed link resolver settings: %(fields)s")
            % {"fields": ", ".join(changed)},
            params={"changed": changed},
        )
    return changed
