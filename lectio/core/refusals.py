"""A refusal of something another system sent (an LMS's launch, an identity
provider's answer): a code for the log, the reason for the administrator, and a
sentence for the person, chosen by the code."""

from __future__ import annotations

import logging
from typing import Any, ClassVar


class Refused(Exception):
    """Subclasses set MESSAGES (code -> sentence, with a "token" fallback), the
    logger and the words the log line starts with."""

    MESSAGES: ClassVar[dict[str, Any]] = {}
    LOGGER: ClassVar[str] = "lectio"
    WHAT: ClassVar[str] = "Refused"

    def __init__(self, kind: str, reason: str, *, issuer: str = "") -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.issuer = issuer

    @property
    def message(self) -> str:
        return str(self.MESSAGES.get(self.kind, self.MESSAGES["token"]))

    def log(self) -> None:
        logging.getLogger(self.LOGGER).warning(
            "%s (%s): %s [issuer %s]",
            self.WHAT,
            self.kind,
            self.reason,
            self.issuer or "-",
        )
