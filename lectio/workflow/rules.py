"""Writes and reads of the institution's rules (services for the rules page)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Model

from lectio.accounts.models import User
from lectio.core.events import event_record
from lectio.lists.models import CitationStatusRule
from lectio.workflow.models import CopyrightRule, PurchaseRatio

MODELS: dict[str, type[Model]] = {
    "status": CitationStatusRule,
    "copyright": CopyrightRule,
    "purchase": PurchaseRatio,
}


@transaction.atomic
def rule_add(*, actor: User, kind: str, data: dict[str, Any]) -> Model:
    model = MODELS[kind]
    rule: Model
    if kind == "purchase":
        rule, _created = PurchaseRatio.objects.update_or_create(
            tag=data["tag"], defaults={"students_per_copy": data["students_per_copy"]}
        )
    else:
        last = model._default_manager.aggregate(m=Max("position"))["m"]
        rule = model._default_manager.create(
            position=0 if last is None else last + 1,
            **{
                k: ("" if v is None and k == "material_type" else v)
                for k, v in data.items()
            },
        )
    event_record(
        actor=actor,
        verb="rule.add",
        target_type=f"rule.{kind}",
        target_id=rule.pk,
        summary=str(rule),
    )
    return rule


@transaction.atomic
def rule_delete(*, actor: User, kind: str, rule_id: int) -> bool:
    model = MODELS.get(kind)
    if model is None:
        return False
    deleted, _rows = model._default_manager.filter(pk=rule_id).delete()
    if deleted:
        event_record(
            actor=actor,
            verb="rule.delete",
            target_type=f"rule.{kind}",
            target_id=rule_id,
        )
    return bool(deleted)


@transaction.atomic
def rule_move(*, actor: User, kind: str, rule_id: int, up: bool) -> None:
    model = MODELS.get(kind)
    if model is None or kind == "purchase":
        return
    ordered = list(
        model._default_manager.select_for_update().order_by("position", "id")
    )
    index = next((i for i, r in enumerate(ordered) if r.pk == rule_id), None)
    if index is None:
        return
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, rule in enumerate(ordered):
        model._default_manager.filter(pk=rule.pk).update(position=position)
    event_record(
        actor=actor, verb="rule.move", target_type=f"rule.{kind}", target_id=rule_id
    )


def rule_tables() -> dict[str, list[Model]]:
    return {
        "status": list(CitationStatusRule.objects.order_by("position", "id")),
        "copyright": list(CopyrightRule.objects.order_by("position", "id")),
        "purchase": list(
            PurchaseRatio.objects.select_related("tag").order_by("tag__position")
        ),
    }
