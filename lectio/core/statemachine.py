"""Status machines as data: one transition table per machine, one checking function."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class InvalidTransition(Exception):
    """A change of status the machine does not allow. Nothing was changed."""

    def __init__(self, machine: StatusMachine, current: str, target: str) -> None:
        self.machine = machine
        self.current = current
        self.target = target
        self.allowed = sorted(machine.allowed_from(current))
        labels = machine.labels
        allowed = ", ".join(str(labels.get(a, a)) for a in self.allowed) or _("none")
        super().__init__(
            _(
                "Cannot change %(what)s from %(current)s to %(target)s; allowed: %(allowed)s."
            )
            % {
                "what": machine.name,
                "current": labels.get(current, current),
                "target": labels.get(target, target),
                "allowed": allowed,
            }
        )


ANY = "*"


@dataclass(frozen=True)
class StatusMachine:
    """`transitions` maps a state (or ANY) to the states it may move to."""

    name: Any
    transitions: Mapping[str, Iterable[str]]
    # Usually the TextChoices labels: lazy translations, rendered when raised.
    labels: Mapping[str, Any] = field(default_factory=dict)

    def allowed_from(self, current: str) -> set[str]:
        allowed = set(self.transitions.get(current, ())) | set(
            self.transitions.get(ANY, ())
        )
        allowed.discard(current)
        return allowed

    def can(self, current: str, target: str) -> bool:
        return target in self.allowed_from(current)

    def check(self, current: str, target: str) -> None:
        if not self.can(current, target):
            raise InvalidTransition(self, current, target)
