"""Recording how lists are used, without slowing the page that is used.

Any app calls `record(request, kind, ...)`: the event goes into this process's
buffer in a few microseconds, and the buffer is written in one batch after a
response has gone out (Django's `request_finished`), once it holds
`LECTIO_USAGE_BATCH` events or its oldest is `LECTIO_USAGE_SECONDS` old, and when
the process exits. What writes it is registered by the analytics app (`SINK`), so
apps below it record without importing it; with no sink nothing is kept.

Events carry who only as a pseudonymous key (made by the sink), the role, the
channel (`lms` inside a launch from the LMS, else `direct`) and the list, section,
citation and course they concern.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

log = logging.getLogger("lectio.usage")

# The session key an LTI launch leaves (lti.framing uses the same).
LMS_SESSION_KEY = "lti"

KINDS = (
    "list_view",
    "section_view",
    "citation_open",
    "mark_done",
    "like",
    "note",
    "discussion",
    "search",
    "export",
    "lti_launch",
)


@dataclass(frozen=True)
class Usage:
    at: Any  # an aware datetime
    kind: str
    user_id: int | None
    role: str
    channel: str
    list_id: int | None = None
    section_id: int | None = None
    citation_id: int | None = None
    course_id: int | None = None
    detail: str = ""


Sink = Callable[[list[Usage]], None]
SINK: Sink | None = None

_buffer: list[Usage] = []
_oldest = 0.0
_lock = threading.Lock()


def _role(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "guest"
    return str(getattr(user, "role", "") or "student")


def record(
    request: Any,
    kind: str,
    *,
    list_id: int | None = None,
    section_id: int | None = None,
    citation_id: int | None = None,
    course_id: int | None = None,
    detail: str = "",
    user: Any = None,
    channel: str = "",
) -> None:
    """Notes one event of `kind` (see KINDS) by the request's user (or `user`);
    the channel is the request's unless given."""
    global _oldest
    if SINK is None or not getattr(settings, "LECTIO_USAGE", True):
        return
    if kind not in KINDS:
        raise ValueError(f"not a usage kind: {kind}")
    who = user if user is not None else getattr(request, "user", None)
    session = getattr(request, "session", None)
    channel = (
        "lms" if session is not None and session.get(LMS_SESSION_KEY) else "direct"
    )
    event = Usage(
        at=timezone.now(),
        kind=kind,
        user_id=getattr(who, "pk", None)
        if getattr(who, "is_authenticated", False)
        else None,
        role=_role(who),
        channel=channel,
        list_id=list_id,
        section_id=section_id,
        citation_id=citation_id,
        course_id=course_id,
        detail=detail[:40],
    )
    with _lock:
        if not _buffer:
            _oldest = time.monotonic()
        _buffer.append(event)
        due = int(getattr(settings, "LECTIO_USAGE_BATCH", 200)) <= len(_buffer)
    if due:
        flush()


def flush_if_due(**_kwargs: Any) -> None:
    """After a response: write the buffer if it is full enough or old enough."""
    with _lock:
        if not _buffer:
            return
        age = time.monotonic() - _oldest
        due = age >= float(getattr(settings, "LECTIO_USAGE_SECONDS", 5.0)) or len(
            _buffer
        ) >= int(getattr(settings, "LECTIO_USAGE_BATCH", 200))
    if due:
        flush()


def flush() -> int:
    """Writes every buffered event now; returns how many."""
    global _buffer
    with _lock:
        events, _buffer = _buffer, []
    if events and SINK is not None:
        try:
            SINK(events)
        except Exception:  # usage is never worth a failed request
            log.exception("%d usage events could not be written", len(events))
            return 0
    return len(events)


def pending() -> int:
    with _lock:
        return len(_buffer)


atexit.register(flush)
