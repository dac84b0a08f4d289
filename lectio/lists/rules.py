"""Institution rules for new citations, evaluated in order; the first match wins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lectio.lists.models import Availability, CitationStatusRule


def availability_facts(metadata: dict[str, Any], *, has_file: bool = False) -> set[str]:
    facts: set[str] = set()
    url = str(metadata.get("URL") or "")
    if url.lower().startswith(("http://", "https://")):
        facts.add(Availability.HAS_URL)
    lectio = metadata.get("lectio") or {}
    if lectio.get("open_access") or metadata.get("open-access"):
        facts.add(Availability.OPEN_ACCESS)
    if has_file:
        facts.add(Availability.FILE)
    return facts


def enabled_rules() -> list[CitationStatusRule]:
    return list(
        CitationStatusRule.objects.filter(enabled=True).order_by("position", "id")
    )


def rule_status(
    *,
    material_type: str,
    metadata: dict[str, Any],
    has_file: bool = False,
    rules: Iterable[CitationStatusRule] | None = None,
) -> str | None:
    """The status the first matching enabled rule gives, or None. `rules`: the
    enabled rules read beforehand (`enabled_rules()`), for many citations at once."""
    facts = availability_facts(metadata, has_file=has_file)
    for rule in rules if rules is not None else enabled_rules():
        if rule.material_type and rule.material_type != material_type:
            continue
        if rule.availability and rule.availability not in facts:
            continue
        return rule.status
    return None
