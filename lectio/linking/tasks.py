"""Background jobs of the linking app."""

from __future__ import annotations

from typing import Any

from django_tasks import task


def run_link_check(**checker_options: Any) -> dict[str, int]:
    """Checks every URL of the citations on active lists and records the results
    (`services.link_checks_record`). Options go to `checker.check_urls`."""
    from lectio.linking import checker, services

    citing = services.links_to_check()
    outcomes = checker.check_urls(list(citing), **checker_options)
    newly_broken = services.link_checks_record(outcomes=outcomes, citing=citing)
    counts = {"checked": len(outcomes), "newly_broken": len(newly_broken)}
    for status in ("ok", "broken", "unsure"):
        counts[status] = sum(1 for o in outcomes if o.status == status)
    return counts


@task()
def check_links() -> dict[str, int]:
    """The periodic link check (`lectio check-links` runs the same)."""
    return run_link_check()
