"""Optimistic locking for edits made in a browser or through the API."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _


class StaleVersion(Exception):
    """Someone else saved first. Nothing was changed; `current_version` is theirs."""

    def __init__(self, current_version: int | None) -> None:
        self.current_version = current_version
        super().__init__(
            _(
                "Someone else changed this while you were editing it (now version "
                "%(version)s). Reload to see their change, then make yours again."
            )
            % {"version": current_version}
        )


def update_if_version(
    instance: models.Model, *, expected_version: int, fields: dict[str, Any]
) -> None:
    """Write `fields` and bump the version only if it is still `expected_version`.

    One conditional UPDATE: correct under concurrency on both databases without locks.
    Updates `instance` in memory on success, raises StaleVersion otherwise.
    """
    model = type(instance)
    updated = model._default_manager.filter(
        pk=instance.pk, version=expected_version
    ).update(version=F("version") + 1, **fields)
    if updated != 1:
        current = (
            model._default_manager.filter(pk=instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        raise StaleVersion(current)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.version = expected_version + 1  # type: ignore[attr-defined]
