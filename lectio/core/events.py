"""Writing audit events. Call inside the transaction of the change they record."""

from __future__ import annotations

from typing import Any

from lectio.core.models import Event


def event_record(
    *,
    actor: Any,
    verb: str,
    target_type: str,
    target_id: int | None,
    list_id: int | None = None,
    summary: str = "",
    params: dict[str, Any] | None = None,
) -> Event:
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return Event.objects.create(
        actor_id=actor_id if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        list_id=list_id,
        summary=summary[:500],
        params=params or {},
    )
