"""Writes to users and institution policy."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lectio.accounts.models import InstitutionSettings, User
from lectio.core.concurrency import update_if_version
from lectio.core.events import event_record


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
) -> list[str]:
    """Saves institution policy; returns the names of the fields that changed."""
    new = {
        "name": name.strip(),
        "citation_style": citation_style,
        "students_see_only_complete": students_see_only_complete,
    }
    if send_updates_automatically is not None:
        new["send_updates_automatically"] = send_updates_automatically
    if publishing_workflow is not None:
        new["publishing_workflow"] = publishing_workflow
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
