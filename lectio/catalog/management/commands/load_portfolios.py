"""`lectio load-portfolios FILE.csv`: electronic resources of catalog records."""

from __future__ import annotations

from lectio.catalog import portfolios_loader
from lectio.catalog.management.commands.load_items import CatalogLoaderCommand


class Command(CatalogLoaderCommand):
    help = (
        "Load electronic portfolios from a CSV file: portfolio_id, url, record "
        "(control number) or isbn or issn, title, provider, coverage_from, "
        "coverage_to, embargo_months, open_access, active. Creates or updates by "
        "portfolio_id; prints created / updated / unchanged / rejected counts, writes "
        "a reject report and exits 1 when rows were rejected."
    )
    what = "portfolios"
    load = staticmethod(portfolios_loader.load)
