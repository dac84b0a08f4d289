"""The OpenURL benchmark, run on a catalog a thousand times smaller."""

from __future__ import annotations

import pytest

from benchmarks import bench_openurl
from benchmarks.harness import Options


@pytest.mark.django_db
def test_the_openurl_benchmark_resolves_its_generated_openurls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lectio.catalog.models import Portfolio, Record

    for name, value in (
        ("RECORDS", 250),
        ("JOURNALS", 40),
        ("PORTFOLIOS", 50),
        ("JOURNAL_PORTFOLIOS", 30),
        ("QUERIES", 20),
    ):
        monkeypatch.setattr(bench_openurl, name, value)

    (result,) = bench_openurl._run(Options(repeat=1, warmup=1, log=lambda line: None))

    assert Record.objects.filter(control_number__startswith="OUBENCH-").count() == 250
    assert Portfolio.objects.filter(external_id__startswith="OUBENCH-").count() == 50
    assert result.status == "ok"
    assert result.measured is not None and result.measured.n == 20
    assert result.max_ms == 20.0
    # Every generated OpenURL names a year one of its journal's portfolios covers.
    assert result.extra["with_an_option"] == 20


def test_the_link_check_benchmark_checks_its_links_two_per_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from benchmarks import bench_link_check

    monkeypatch.setattr(bench_link_check, "LINKS", 200)

    (result,) = bench_link_check._run(Options(log=lambda line: None))

    assert result.status == "ok"
    assert result.extra["peak_per_host"] == 2
    assert (result.extra["ok"], result.extra["broken"], result.extra["unsure"]) == (
        180,
        20,
        0,
    )
    assert result.extra["get_after_head"] == 10
