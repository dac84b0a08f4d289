"""The demo catalog loads cleanly, covers the demo lists' publications, and loads
again without changes."""

from __future__ import annotations

import pytest

from lectio.catalog.demo import PICKUP_LOCATIONS, load_demo_catalog
from lectio.catalog.models import (
    Item,
    ItemStatus,
    PickupLocation,
    Portfolio,
    Record,
    RecordIdentifier,
)

pytestmark = pytest.mark.django_db


def test_demo_catalog_loads_and_is_idempotent() -> None:
    load_demo_catalog()
    records = Record.objects.count()
    assert records > 350
    # The demo lists' books and articles are found by their identifiers.
    for kind, value in (
        ("isbn", "9780140135848"),  # Carr, What is history?
        ("isbn", "9780262035613"),  # Deep learning
        ("issn", "0092-8674"),  # Cell
        ("doi", "10.1145/362384.362685"),  # Codd
    ):
        assert RecordIdentifier.objects.filter(kind=kind, value=value).exists()
    formats = set(Record.objects.values_list("format", flat=True))
    assert {"book", "ebook", "article", "journal", "video", "thesis"} <= formats
    assert Item.objects.filter(status=ItemStatus.ON_LOAN, due_date__isnull=False)
    assert Item.objects.filter(status=ItemStatus.MISSING).exists()
    assert Portfolio.objects.filter(open_access=True).exists()
    assert Portfolio.objects.filter(embargo_months__gt=0).exists()
    assert Portfolio.objects.filter(record__isnull=True).count() == 0
    assert Record.objects.filter(available_now=True).exists()
    assert PickupLocation.objects.count() == len(PICKUP_LOCATIONS)

    items = dict(Item.objects.values_list("barcode", "version"))
    load_demo_catalog()
    assert Record.objects.count() == records
    assert dict(Item.objects.values_list("barcode", "version")) == items
    assert PickupLocation.objects.count() == len(PICKUP_LOCATIONS)
