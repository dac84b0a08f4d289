"""`openurl`: resolving journal-article OpenURLs at /openurl over a generated catalog
of 250,000 records and 50,000 portfolios (issue figure: under 20 ms median server
time).

Setup makes the catalog once and keeps it for the next run (control numbers
`OUBENCH-...`, portfolio ids `OUBENCH-P...`): 40,000 journals with an ISSN each and
210,000 books with an ISBN each, their identifiers in `RecordIdentifier`, 30,000
journal portfolios (one in five open access, coverage from a year between 1950 and
2010, some with an end year or an embargo) and 20,000 e-book portfolios, and a
shelf copy for one book in ten. Run it on a database made for benchmarks. It logs in
a user of its own (`bench-openurl`, kept; the session is deleted afterwards).

Measured, as server time (Django's test client in this process: parse, resolve,
render the Find it page; no HTTP): `GET /openurl?...` for 300 journal-article
OpenURLs 1.0 KEV (ISSN, article title, journal title, volume, year, a DOI), for
journals picked with a fixed seed, every year covered by at least one portfolio.
Reported beside it: `resolve()` alone, and `GET /healthz` in the same run.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction

from benchmarks.data import client_for, healthz_path
from benchmarks.harness import Benchmark, Figures, Options, Result

NAME = "openurl"
DESCRIPTION = (
    "GET /openurl for journal-article OpenURLs over 250,000 records and 50,000 "
    "portfolios (median < 20 ms)"
)
RECORDS = 250_000
JOURNALS = 40_000
PORTFOLIOS = 50_000
JOURNAL_PORTFOLIOS = 30_000
QUERIES = 300
SEED = 8839
MAX_MS = 20.0
PREFIX = "OUBENCH-"
USERNAME = "bench-openurl"


def _issn(n: int) -> str:
    digits = f"{n:07d}"
    total = sum((8 - i) * int(c) for i, c in enumerate(digits))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def _isbn(n: int) -> str:
    first12 = f"979{n:09d}"
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _journal_issn(j: int) -> str:
    return _issn(1_000_000 + j)


def _coverage(j: int) -> tuple[datetime.date, datetime.date | None, int | None, bool]:
    start = 1950 + (j * 7) % 61
    end = start + 20 if j % 5 == 1 else None
    embargo = 12 if j % 7 == 3 else None
    return (
        datetime.date(start, 1, 1),
        (datetime.date(end, 12, 31) if end else None),
        embargo,
        j % 5 == 0,
    )


def _make_catalog(log: Any) -> None:
    from lectio.catalog.models import (
        IdentifierKind,
        Item,
        Portfolio,
        Record,
        RecordFormat,
        RecordIdentifier,
    )

    have = Record.objects.filter(control_number__startswith=PREFIX).count()
    if have >= RECORDS and (
        Portfolio.objects.filter(external_id__startswith=PREFIX).count() >= PORTFOLIOS
    ):
        return
    log(f"  making the catalog ({RECORDS:,} records, {PORTFOLIOS:,} portfolios) ...")
    started = time.perf_counter()
    with transaction.atomic():
        Portfolio.objects.filter(external_id__startswith=PREFIX).delete()
        Record.objects.filter(control_number__startswith=PREFIX).delete()
        batch = 5000
        for start in range(0, RECORDS, batch):
            rows = []
            for n in range(start, min(RECORDS, start + batch)):
                journal = n < JOURNALS
                rows.append(
                    Record(
                        control_number=f"{PREFIX}{n}",
                        title=(
                            f"Journal of Studies {n}"
                            if journal
                            else f"Book {n} of tales"
                        ),
                        format=RecordFormat.JOURNAL if journal else RecordFormat.BOOK,
                        issns=[_journal_issn(n)] if journal else [],
                        isbns=[] if journal else [_isbn(n)],
                        year=None if journal else 1900 + n % 120,
                    )
                )
            made = Record.objects.bulk_create(rows, batch_size=1000)
            RecordIdentifier.objects.bulk_create(
                [
                    RecordIdentifier(
                        record_id=r.pk,
                        kind=IdentifierKind.ISSN if r.issns else IdentifierKind.ISBN,
                        value=r.issns[0] if r.issns else r.isbns[0],
                    )
                    for r in made
                ],
                batch_size=1000,
            )
            Item.objects.bulk_create(
                [
                    Item(record_id=r.pk, barcode=f"{PREFIX}{r.pk}", library="Main")
                    for r in made
                    if r.isbns and r.pk % 10 == 0
                ],
                batch_size=1000,
            )
        ids = dict(
            Record.objects.filter(control_number__startswith=PREFIX).values_list(
                "control_number", "pk"
            )
        )
        portfolios = []
        for p in range(PORTFOLIOS):
            if p < JOURNAL_PORTFOLIOS:
                j = p % JOURNALS
                start_date, end_date, embargo, oa = _coverage(p)
                portfolios.append(
                    Portfolio(
                        record_id=ids[f"{PREFIX}{j}"],
                        external_id=f"{PREFIX}P{p}",
                        title=f"Journal of Studies {j}",
                        issn=_journal_issn(j),
                        url=f"https://journals{p % 40}.example.org/j/{j}/{p}",
                        provider=f"Provider {p % 40}",
                        coverage_from=start_date,
                        coverage_to=end_date,
                        embargo_months=embargo,
                        open_access=oa,
                    )
                )
            else:
                n = JOURNALS + (p - JOURNAL_PORTFOLIOS) * 10
                portfolios.append(
                    Portfolio(
                        record_id=ids[f"{PREFIX}{n}"],
                        external_id=f"{PREFIX}P{p}",
                        title=f"Book {n} of tales",
                        isbn=_isbn(n),
                        url=f"https://ebooks.example.org/b/{n}",
                        provider="Ebook Central",
                    )
                )
        Portfolio.objects.bulk_create(portfolios, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(f"  made in {time.perf_counter() - started:.0f} s")


def _queries(rng: random.Random) -> list[str]:
    out = []
    for _ in range(QUERIES):
        j = rng.randrange(min(JOURNALS, JOURNAL_PORTFOLIOS))
        start_date, end_date, _embargo, _oa = _coverage(j)
        last = end_date.year if end_date else 2024
        year = rng.randint(start_date.year, last)
        out.append(
            urlencode(
                {
                    "url_ver": "Z39.88-2004",
                    "ctx_ver": "Z39.88-2004",
                    "rft_val_fmt": "info:ofi/fmt:kev:mtx:journal",
                    "rft.genre": "article",
                    "rft.atitle": f"On the matter of item {rng.randrange(10**6)}",
                    "rft.jtitle": f"Journal of Studies {j}",
                    "rft.issn": _journal_issn(j),
                    "rft.volume": str(year - 1900),
                    "rft.spage": str(rng.randint(1, 400)),
                    "rft.date": str(year),
                    "rft.aulast": "Smith",
                    "rft_id": f"info:doi/10.5555/bench.{j}.{year}",
                    "rfr_id": "info:sid/example.com:database",
                }
            )
        )
    return out


def _run(options: Options) -> list[Result]:
    from lectio.accounts.models import User
    from lectio.linking import openurl
    from lectio.linking.models import LinkingSettings
    from lectio.linking.resolver import resolve

    _make_catalog(options.log)
    user, _created = User.objects.get_or_create(username=USERNAME)
    LinkingSettings.current()
    client = client_for(user)
    queries = _queries(random.Random(SEED))
    health = healthz_path()
    repeat = max(1, min(options.repeat, 3))
    page: list[float] = []
    base: list[float] = []
    alone: list[float] = []
    options_found = []
    try:
        for query in queries[: max(options.warmup, 1) * 10]:
            client.get("/openurl?" + query)
        for _round in range(repeat):
            for query in queries:
                t0 = time.perf_counter()
                response = client.get("/openurl?" + query)
                page.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    raise RuntimeError(f"/openurl answered {response.status_code}")
                t0 = time.perf_counter()
                client.get(health)
                base.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                resolution = resolve(openurl.parse_query(query))
                alone.append(time.perf_counter() - t0)
                if _round == 0:
                    options_found.append(len(resolution.options))
    finally:
        client.logout()
    measured = Figures.from_seconds(page)
    baseline = Figures.from_seconds(base)
    resolve_ms = sorted(s * 1000 for s in alone)
    extra = {
        "database": connection.vendor,
        "queries": len(queries),
        "rounds": repeat,
        "resolve_median_ms": round(statistics.median(resolve_ms), 2),
        "resolve_p90_ms": round(resolve_ms[int(0.9 * (len(resolve_ms) - 1))], 2),
        "with_an_option": sum(1 for n in options_found if n),
        "options_median": statistics.median(options_found),
    }
    return [
        Result(
            NAME,
            DESCRIPTION,
            "ok",
            measured=measured,
            baseline=baseline,
            baseline_label="GET /healthz",
            ratio=measured.median_ms / baseline.median_ms
            if baseline.median_ms
            else None,
            extra=extra,
            max_ms=MAX_MS,
        )
    ]


BENCHMARKS = [Benchmark(name=NAME, description=DESCRIPTION, run=_run, slow=True)]
