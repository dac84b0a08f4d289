"""Places where apps above `catalog` follow its changes without `catalog` importing
them. An app registers a listener in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable

# Called when catalog records were created, changed or deleted, inside the
# transaction that ends the change: once for a whole load, not once a batch. A
# listener should be cheap: queue the work for later.
RecordsListener = Callable[[], None]
RECORDS_LISTENERS: list[RecordsListener] = []


def register_records_listener(listener: RecordsListener) -> None:
    if listener not in RECORDS_LISTENERS:
        RECORDS_LISTENERS.append(listener)


def records_changed() -> None:
    for listener in RECORDS_LISTENERS:
        listener()
