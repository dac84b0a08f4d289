"""The demo catalog: records for the publications the demo reading lists cite, a
sample of Library of Congress records, copies, electronic portfolios and pickup
locations, all from `examples/catalog/`.

`load_demo_catalog()` runs the same loaders an institution would (`load-marc`,
`load-items`, `load-portfolios`), so loading it twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from lectio.catalog import items_loader, portfolios_loader
from lectio.catalog.loader import MarcOptions, load_marc
from lectio.catalog.models import PickupLocation
from lectio.core.loading import LoadOptions, LoadResult

# The records the demo lists cite (MARCXML, written for the demo; the second file for
# the related history lists, with subject headings) and 300 records of
# the Library of Congress's public-domain books file (MARC21, UTF-8).
RECORD_FILES = ("demo-records.xml", "demo-related-records.xml", "lc-sample.mrc")
ITEMS = "items.csv"
PORTFOLIOS = "portfolios.csv"
PICKUP_LOCATIONS = (
    ("MAIN", "Main Library, ground floor desk"),
    ("SCI", "Science Library"),
    ("LAW", "Law Library"),
)


class DemoCatalogError(RuntimeError):
    """A demo file did not load cleanly (it is part of the code: a bug)."""


def examples_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "examples" / "catalog"


def load_demo_catalog() -> None:
    """Loads the demo catalog; a second call changes nothing."""
    directory = examples_dir()
    records = load_marc(
        [directory / name for name in RECORD_FILES],
        options=MarcOptions(pipeline=False),
    )
    _check("records", records)
    date_format = "%Y-%m-%d"
    for name, loader in (
        (ITEMS, items_loader.load),
        (PORTFOLIOS, portfolios_loader.load),
    ):
        result = loader(
            (directory / name).read_bytes(),
            LoadOptions(date_format=date_format, file_name=name),
        )
        _check(name, result)
    for code, label in PICKUP_LOCATIONS:
        PickupLocation.objects.get_or_create(code=code, defaults={"name": label})


def _check(what: str, result: LoadResult) -> None:
    if result.rejects:
        raise DemoCatalogError(
            f"the demo {what} did not load: "
            + "; ".join(str(r) for r in result.rejects[:5])
        )
